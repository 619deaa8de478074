"""Starting the desktop app: the application object, the reviewer's identity,
the unlock dialog, the main window; ``run_gui`` is what the CLI calls."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QFont, QIcon
from PySide6.QtWidgets import QApplication, QDialog

from reviewer.gui.crash import crash_reports
from reviewer.gui.dialogs import NameDialog, Opener, UnlockDialog
from reviewer.gui.settings import APPLICATION, ORGANIZATION, Settings, WindowState
from reviewer.gui.tasks import TaskRunner
from reviewer.gui.window import MainWindow
from reviewer.infra.resources import candidate_roots
from reviewer.ops import review
from reviewer.ops.demo import open_demo, unanalysed
from reviewer.ops.stores import Store, create_store, open_for_review

STYLE = """
QMainWindow, QDialog { background: #fafbfc; }
QTableView { background: #ffffff; alternate-background-color: #f5f7fa;
             selection-background-color: #dbe7fb; selection-color: #1d2127; border: none; }
QHeaderView::section { background: #f0f2f5; border: none; border-bottom: 1px solid #dde1e6;
                       padding: 4px 6px; color: #3c4450; }
QTextEdit { background: #ffffff; border: none; border-left: 1px solid #e3e6ea;
            border-right: 1px solid #e3e6ea; }
QLineEdit, QComboBox { padding: 4px 6px; border: 1px solid #cfd5dd; border-radius: 4px;
                       background: #ffffff; }
QLineEdit:focus { border: 1px solid #0b57d0; }
QStatusBar { background: #f0f2f5; color: #3c4450; }
QStatusBar QLabel { padding: 0 8px; }
QSplitter::handle { background: #e3e6ea; }
"""


def application() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    app = QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("Redaction Reviewer")
    app.setStyleSheet(STYLE)
    font = QFont(app.font())
    font.setPointSizeF(max(font.pointSizeF(), 10.5))
    app.setFont(font)
    app.setDesktopFileName(DESKTOP_ID)
    icon = _icon()
    if icon is not None:
        app.setWindowIcon(icon)
    return app


ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
DESKTOP_ID = "io.github.redactionreviewer.Reviewer"


def _icon() -> QIcon | None:
    """Every rendered size, so title bars and task bars get a sharp small icon."""
    for root in candidate_roots():
        folder = root / "icons"
        if (folder / "reviewer-256.png").exists():
            icon = QIcon()
            for size in ICON_SIZES:
                icon.addFile(str(folder / f"reviewer-{size}.png"), QSize(size, size))
            return icon
    return None


def reviewer_identity(settings: Settings, explicit: str | None) -> str | None:
    """``--reviewer`` / REVIEWER_NAME when given, else the remembered name, else ask once."""
    if explicit:
        return explicit
    remembered = str(settings.get("reviewer/name"))
    if remembered:
        return remembered
    dialog = NameDialog(_os_user())
    if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.name.text().strip():
        return None
    name = dialog.name.text().strip()
    settings.set("reviewer/name", name)
    return name


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def opener(reviewer: str) -> Opener:
    def open_or_create(path: Path, passphrase: str, create: bool) -> Store:
        if create:
            return create_store(path, passphrase, reviewer)
        return open_for_review(path, passphrase)

    return open_or_create


def run_gui(store_path: Path | None, reviewer: str | None = None,
            passphrase_hint: str | None = None) -> int:
    """Open the app: the unlock dialog (on ``store_path`` when given), then the window.
    A bug raised in a slot meanwhile becomes a crash report and a message box."""
    with crash_reports():
        return _run(store_path, reviewer, passphrase_hint)


def _run(store_path: Path | None, reviewer: str | None, passphrase_hint: str | None) -> int:
    app = application()
    settings = Settings()
    name = reviewer_identity(settings, reviewer)
    if name is None:
        return 0
    last = str(settings.get("store/last_path"))
    path = store_path or (Path(last) if last else None)
    dialog = UnlockDialog(opener(name), path, passphrase_hint)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.store is None:
        return 0
    return _review(app, dialog.store, name, settings)


def _review(app: QApplication, store: Store, name: str, settings: Settings,
            opened: Callable[[MainWindow], None] | None = None) -> int:
    """The main window on an unlocked store until it is closed; the session's summary."""
    settings.set("store/last_path", str(store.path))
    window = MainWindow(store, name, settings, TaskRunner(), WindowState())
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    window.show()
    window.start()
    if opened is not None:
        opened(window)
    try:
        code = app.exec()
    finally:
        store.close()
    sys.stderr.write(window.session.summary() + "\n")
    return int(code)


def run_demo(path: Path, reviewer: str | None = None, exit_when: str | None = None) -> int:
    """The window on the demo store, unlocked at once (its passphrase is shown to all).
    What the store's analysis still lacks runs as the window's own background job, its
    progress in the status bar: the reviewer reads and searches meanwhile, and the
    first suggestion opens when it is done. ``exit_when`` ("shown", "analysed") closes
    the window then: ``reviewer demo --exit-when``, a hook for timing start-up."""
    with crash_reports():
        app = application()
        settings = Settings()
        name = reviewer_identity(settings, reviewer)
        if name is None:
            return 0
        store = open_demo(path)
        waiting = unanalysed(store)
        return _review(app, store, name, settings,
                       lambda window: _analyse_in_background(window, waiting, exit_when))


def _analyse_in_background(window: MainWindow, waiting: int, exit_when: str | None) -> None:
    def analysed() -> None:
        window.matter.changed.disconnect(analysed)
        first = review.first_pending_span(window.store)
        if window.session.current is None and first is not None:
            window.session.open_conversation(first.conversation_id, first.id)
        if exit_when == "analysed":
            window.close()

    if exit_when == "shown" or (exit_when == "analysed" and not waiting):
        QTimer.singleShot(0, window.close)
    elif waiting:
        window.matter.changed.connect(analysed)
        window.matter.run_analysis()
