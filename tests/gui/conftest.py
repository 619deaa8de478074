"""GUI fixtures: a main window over a small store, settings in a temporary INI
file, a synchronous task runner, and checks that no window or thread leaks."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, QThreadPool
from PySide6.QtWidgets import QApplication

from reviewer.gui import crash
from reviewer.gui.settings import Settings
from reviewer.gui.tasks import SyncRunner, Task, TaskRunner
from reviewer.gui.window import MainWindow
from tests.ops.review_builders import add_branchy_chat, add_chat

# The offscreen platform cannot resize native windows to size hints; it says so on
# every top-level show. That is the test platform talking, not the app.
OFFSCREEN_NOISE = r"This plugin does not support propagateSizeHints\(\)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/gui/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))
            # One QApplication, one focused window at a time: under pytest-xdist
            # (`make test`, --dist loadgroup) every GUI test runs in the same worker.
            item.add_marker(pytest.mark.xdist_group("gui"))


@pytest.fixture(autouse=True)
def _isolated_qsettings(_isolated_home: None) -> None:
    """QSettings resolves its user folder once per process; point it at this test's
    temporary config folder every time, so no test reads or writes real settings."""
    folder = os.environ["XDG_CONFIG_HOME"]
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, folder)


@pytest.fixture(autouse=True)
def _no_leaks(qapp: QApplication) -> Iterator[None]:
    """Fail a test that leaves a visible window or a running thread behind."""
    before = {id(w) for w in qapp.topLevelWidgets() if w.isVisible()}
    yield
    qapp.processEvents()
    leaked = [w for w in qapp.topLevelWidgets() if w.isVisible() and id(w) not in before]
    for widget in leaked:
        widget.close()
    assert not leaked, f"windows left open: {[type(w).__name__ for w in leaked]}"
    assert QThreadPool.globalInstance().activeThreadCount() == 0


@pytest.fixture(autouse=True)
def _crash_box_fails_the_test(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """An uncaught error in a slot shows the app's modal crash box (``crash_reports``),
    which would wait for a click for ever offscreen: the test fails instead (tests of
    the box itself replace it with their own recorder)."""
    shown: list[str] = []
    monkeypatch.setattr(crash.QMessageBox, "critical",
                        lambda _parent, _title, text: shown.append(text))
    yield
    assert not shown, f"the app's crash box was shown: {shown}"


class HeldRunner(TaskRunner):
    """Keeps each task until the test delivers it: results land exactly between keys."""

    def __init__(self) -> None:
        super().__init__()
        self.held: list[Task] = []

    def _start(self, task: Task) -> None:
        self.held.append(task)

    def deliver(self) -> None:
        while self.held:
            self.held.pop(0).execute()


@pytest.fixture
def held() -> HeldRunner:
    return HeldRunner()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(tmp_path / "settings.ini")


def fill(store: Any) -> dict[str, int]:
    """Three conversations: two people chats and one with hidden content."""
    ids = {
        "lease": add_chat(store, "lease-1", [
            ("user", "Hi, I am Maria Lopez and my landlord is Tom Baker."),
            ("assistant", "Hello Maria Lopez, write to Tom Baker at tom@baker.example."),
        ], [(0, "Maria Lopez", "PERSON"), (0, "Tom Baker", "PERSON"),
            (1, "Maria Lopez", "PERSON"), (1, "tom@baker.example", "EMAIL_ADDRESS")],
            title="Lease dispute"),
        "code": add_chat(store, "code-2", [
            ("user", "My key sk-test-123 fails for Maria Lopez."),
        ], [(0, "Maria Lopez", "PERSON")], title="Stack trace help"),
    }
    ids["branchy"] = add_branchy_chat(store)
    return ids


@pytest.fixture
def conversations(store: Any) -> dict[str, int]:
    return fill(store)


def started_window(qtbot: Any, store: Any, settings: Settings, runner: Any = None,
                   size: tuple[int, int] | None = None) -> MainWindow:
    """The review window on ``store``, shown (at ``size``), exposed and started."""
    win = MainWindow(store, "tester", settings, runner or SyncRunner(), None)
    qtbot.addWidget(win)
    if size is not None:
        win.resize(*size)
    win.show()
    qtbot.waitExposed(win)
    win.start()
    return win


@pytest.fixture
def window(qtbot: Any, store: Any, settings: Settings,
           conversations: dict[str, int]) -> Iterator[MainWindow]:
    win = started_window(qtbot, store, settings)
    yield win
    win.close()
