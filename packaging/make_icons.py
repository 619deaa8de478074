"""Render the app icon SVG (resources/icons/reviewer.svg) to the PNG sizes desktops need.

Run with the project's venv (it needs PySide6's QtSvg):
``.venv/bin/python packaging/make_icons.py``. The PNGs are committed, so a build
never depends on an SVG renderer being present.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "resources" / "icons"
SVG = ICONS / "reviewer.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def render(size: int) -> Path:
    """Draw the SVG into a transparent size x size image and save it as PNG."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"{SVG} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    out = ICONS / f"reviewer-{size}.png"
    if not image.save(str(out), "PNG"):
        raise SystemExit(f"cannot write {out}")
    return out


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication(sys.argv[:1])
    for size in SIZES:
        print(render(size).relative_to(ROOT))
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
