"""The app's small icons: SVG files under resources/icons, drawn by Qt's SVG
support, so an icon never depends on a font having its glyph."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QWidget

from reviewer.infra.resources import resource_path


@lru_cache(maxsize=32)
def icon(name: str) -> QIcon:
    """``resources/icons/<name>.svg`` as an icon (a KnownError when the file is missing)."""
    return QIcon(str(resource_path("icons", f"{name}.svg")))


def pixmap(name: str, size: int, widget: QWidget) -> QPixmap:
    """The icon at ``size`` logical pixels, sharp on the widget's screen."""
    return icon(name).pixmap(QSize(size, size), widget.devicePixelRatioF())
