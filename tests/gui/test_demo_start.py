"""``run_demo`` as ``reviewer demo`` calls it: the window opens unlocked on the demo
store at once, and what the store's analysis lacks runs as the window's background job."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from reviewer.gui import app as app_module
from reviewer.gui.dialogs import UnlockDialog
from reviewer.gui.window import MainWindow
from reviewer.ops.demo import DEMO_PASSPHRASE
from reviewer.ops.stores import create_store
from tests.ops.review_builders import add_chat

Check = Callable[[MainWindow], None]


@pytest.fixture
def demo_path(tmp_path: Path) -> Path:
    """A demo store holding one conversation that no analysis has read."""
    path = tmp_path / "demo.db"
    with create_store(path, DEMO_PASSPHRASE, "tester") as store:
        add_chat(store, "plain", [("user", "Nothing here yet.")])
    return path


@pytest.fixture
def analysed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Analysis replaced by one that finds a name in a new conversation, at once."""
    calls: list[str] = []

    def analyze(store: Any, actor: str, **_kwargs: Any) -> None:
        calls.append(actor)
        add_chat(store, "found", [("user", "I am Maria Lopez.")], [(0, "Maria Lopez", "PERSON")])

    monkeypatch.setattr("reviewer.ops.analysis.analyze", analyze)  # imported when it runs
    return calls


@pytest.fixture
def no_unlock_dialog(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_dialog: UnlockDialog) -> int:
        raise AssertionError("the demo asked for the passphrase it shows to everyone")

    monkeypatch.setattr(UnlockDialog, "exec", refuse)


def run(qapp: QApplication, monkeypatch: pytest.MonkeyPatch, path: Path, check: Check,
        exit_when: str | None = None) -> int:
    """``run_demo`` with the event loop replaced by ``check`` on the window it opened."""

    def run_window(_app: QApplication) -> int:
        window = next(w for w in qapp.topLevelWidgets()
                      if isinstance(w, MainWindow) and w.isVisible())
        check(window)
        window.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", run_window)
    return app_module.run_demo(path, reviewer="alice", exit_when=exit_when)


@pytest.mark.usefixtures("no_unlock_dialog")
def test_the_window_opens_unlocked_and_analyses_in_the_background(
        qapp: QApplication, qtbot: Any, demo_path: Path, analysed: list[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def check(window: MainWindow) -> None:
        seen["title"] = window.windowTitle()
        # The first suggestion opens once the analysis is done, not before.
        qtbot.waitUntil(lambda: window.session.current is not None, timeout=30000)
        seen["entity"] = window.session.current.entity  # type: ignore[union-attr]

    assert run(qapp, monkeypatch, demo_path, check) == 0
    assert seen["title"].startswith("demo.db")
    assert seen["entity"] == "PERSON"
    assert analysed == ["alice"]


@pytest.mark.usefixtures("no_unlock_dialog")
def test_an_analysed_demo_store_is_not_analysed_again(
        qapp: QApplication, tmp_path: Path, analysed: list[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "demo.db"
    create_store(path, DEMO_PASSPHRASE, "tester").close()
    seen: list[bool] = []
    assert run(qapp, monkeypatch, path, lambda window: seen.append(window.jobs.busy)) == 0
    assert seen == [False]
    assert analysed == []


@pytest.mark.usefixtures("no_unlock_dialog")
def test_exit_when_shown_closes_the_window_before_any_analysis(
        qapp: QApplication, qtbot: Any, demo_path: Path, analysed: list[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    def check(window: MainWindow) -> None:
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=30000)

    assert run(qapp, monkeypatch, demo_path, check, exit_when="shown") == 0
    assert analysed == []
