"""Regenerate the screenshots in docs/: the main window on the demo matter, the
unlock dialog and the keyboard reference. Offscreen, no display needed.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_screenshots.py

Works on a copy of the demo store (built first if missing), so the pictures
never change a reviewer's own demo store; settings go to a temporary folder.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))


def demo_copy(work: Path) -> Path:
    from reviewer.ops.demo import build_demo

    source = build_demo(work / "demo.db", "demo")
    copy = work / "matter.db"
    shutil.copy(source, copy)
    return copy


def main_window(path: Path, settings_dir: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from reviewer.gui.app import application
    from reviewer.gui.settings import Settings
    from reviewer.gui.tasks import SyncRunner
    from reviewer.gui.window import MainWindow
    from reviewer.ops.demo import DEMO_PASSPHRASE
    from reviewer.ops.stores import open_store

    app = application()
    store = open_store(path, DEMO_PASSPHRASE)
    window = MainWindow(store, "Dana Whitfield", Settings(settings_dir / "s.ini"), SyncRunner())
    window.resize(1540, 900)  # the offscreen screen is small; show the designed size
    window.show()
    window.start()
    window.search.setText("deposit")
    window.apply_filters()
    for key in (Qt.Key.Key_A, Qt.Key.Key_R, Qt.Key.Key_A):
        QTest.keyClick(window.view, key)
    app.processEvents()
    window.grab().save(str(DOCS / "main-window.png"))
    window.show_keys()
    app.processEvents()
    assert window.dialog is not None
    window.dialog.grab().save(str(DOCS / "keyboard-reference.png"))
    window.dialog.close()
    window.close()
    store.close()


def unlock_dialog(path: Path) -> None:
    from reviewer.gui.app import application, opener
    from reviewer.gui.dialogs import UnlockDialog
    from reviewer.ops.demo import DEMO_PASSPHRASE

    app = application()
    dialog = UnlockDialog(opener("Dana Whitfield"), path, DEMO_PASSPHRASE)
    dialog.show()
    dialog.path_edit.setText("/home/dana/Matters/demo.db")  # not the temporary copy's path
    dialog.passphrase.setText("correct horse")
    app.processEvents()
    dialog.grab().save(str(DOCS / "unlock-dialog.png"))
    dialog.close()


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        os.environ["XDG_CONFIG_HOME"] = str(work / "config")
        path = demo_copy(work)
        main_window(path, work)
        unlock_dialog(path)
    for name in ("main-window.png", "unlock-dialog.png", "keyboard-reference.png"):
        sys.stdout.write(f"wrote {DOCS / name}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
