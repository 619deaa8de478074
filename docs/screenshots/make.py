"""Regenerate the screenshots in docs/screenshots/: the main window on the demo
matter at 1024×700 and 1920×1080, the lock page, the unlock dialog after a wrong
passphrase, the first start's name dialog, the M entity dialog beside its
selection and the keyboard reference. Offscreen, no display needed:

    .venv/bin/python docs/screenshots/make.py [--demo EXISTING_DEMO_STORE]

Works on a copy of the demo store (built first unless one is given), so the
pictures never change a reviewer's own demo store; settings go to a temporary
folder. The offscreen screen is set to 1920×1080 so dialogs are placed as on a
real one. tests/gui/test_layout.py checks the same layouts with assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

SIZES = ((1024, 700), (1920, 1080))
REVIEWER = "Dana Whitfield"
MANUAL_TEXT = "Use metric units"  # selected for M in the demo's first conversation


def offscreen_screen(work: Path) -> None:
    """A 1920×1080 offscreen screen at 96 dpi (the platform's default is 800×800)."""
    config = work / "screens.json"
    config.write_text(json.dumps({"screens": [
        {"name": "shots", "x": 0, "y": 0, "width": 1920, "height": 1080,
         "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"


def demo_copy(work: Path, existing: Path | None) -> Path:
    from reviewer.ops.demo import build_demo

    source = existing if existing is not None else build_demo(work / "demo.db", "demo")
    copy = work / "Matters" / "demo-matter.db"
    copy.parent.mkdir()
    shutil.copy(source, copy)
    return copy


def save(widget_or_pixmap: Any, name: str) -> None:
    from PySide6.QtGui import QPixmap

    picture = widget_or_pixmap if isinstance(widget_or_pixmap, QPixmap) else \
        widget_or_pixmap.grab()
    picture.save(str(HERE / name), "PNG", 0)  # quality 0: the smallest file
    sys.stdout.write(f"wrote {HERE / name}\n")


def main_windows(path: Path, work: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from reviewer.gui.app import application
    from reviewer.gui.settings import Settings
    from reviewer.gui.tasks import SyncRunner
    from reviewer.gui.window import MainWindow
    from reviewer.ops.demo import DEMO_PASSPHRASE
    from reviewer.ops.stores import open_store

    app = application()
    for width, height in SIZES:
        store = open_store(path, DEMO_PASSPHRASE)
        window = MainWindow(store, REVIEWER, Settings(work / f"{width}.ini"), SyncRunner())
        window.resize(width, height)
        window.show()
        window.activateWindow()  # focus rings are drawn in the active window only
        window.start()
        # A few decisions, then the current span moved on, as in the middle of a review.
        for key in (Qt.Key.Key_A, Qt.Key.Key_R, Qt.Key.Key_A, Qt.Key.Key_J):
            QTest.keyClick(window.view, key)
            app.processEvents()
        save(window, f"main-{width}x{height}.png")
        if width == SIZES[0][0]:
            manual_span(window, app)
            window.activateWindow()  # offscreen gives it back to no one after a dialog
            window.lock()
            app.processEvents()
            save(window, "lock.png")
            window.show_keys()
            app.processEvents()
            assert window.dialog is not None
            save(window.dialog, "keyboard.png")
            window.dialog.close()
        window.close()
        store.close()


def manual_span(window: Any, app: Any) -> None:
    """M on a selection: the window with the entity dialog where it opens."""
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QColor, QPainter
    from PySide6.QtTest import QTest

    from reviewer.gui.dialogs import EntityDialog

    view = window.view
    cursor = view.document().find(MANUAL_TEXT)
    assert not cursor.isNull(), f"the demo's first conversation no longer says {MANUAL_TEXT!r}"
    view.setTextCursor(cursor)
    QTest.keyClick(view, "m")
    app.processEvents()
    dialog = window.dialog
    assert isinstance(dialog, EntityDialog)
    picture = window.grab()
    painter = QPainter(picture)
    at = dialog.pos() - window.mapToGlobal(window.rect().topLeft())
    shot = dialog.grab()
    painter.fillRect(QRect(at, shot.size()).adjusted(-1, -1, 1, 1), QColor("#7a818c"))
    painter.drawPixmap(at, shot)  # offscreen has no window frame: a thin border instead
    painter.end()
    save(picture, "manual-span.png")
    dialog.reject()


def unlock_dialog(path: Path) -> None:
    from reviewer.gui.app import application, opener
    from reviewer.gui.dialogs import UnlockDialog
    from reviewer.ops.demo import DEMO_PASSPHRASE

    app = application()
    dialog = UnlockDialog(opener(REVIEWER), path, DEMO_PASSPHRASE)
    dialog.show()
    dialog.passphrase.setText("not the passphrase")
    dialog.try_unlock()  # the state after a wrong passphrase: the error has its room
    app.processEvents()
    save(dialog, "unlock.png")
    dialog.close()


def name_dialog() -> None:
    from reviewer.gui.app import application
    from reviewer.gui.dialogs import NameDialog

    app = application()
    dialog = NameDialog("dana")
    dialog.show()
    app.processEvents()
    save(dialog, "name.png")
    dialog.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", type=Path, help="an existing demo store to copy")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        os.environ["XDG_CONFIG_HOME"] = str(work / "config")
        offscreen_screen(work)
        path = demo_copy(work, args.demo)
        main_windows(path, work)
        unlock_dialog(path)
        name_dialog()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
