"""Bugs become crash reports without user text; a KnownError stays one sentence."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox

from reviewer.domain.errors import BadInputError
from reviewer.domain.progress import Progress
from reviewer.gui import app as app_module
from reviewer.gui.crash import crash_reports, log_folder
from reviewer.gui.window import MainWindow

# Kept out of the raising lines: a report quotes source lines (code), never messages.
SECRET = "secret text"
NAME = "Maria Lopez"


@pytest.fixture(autouse=True)
def _state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The log folder lives under XDG_STATE_HOME; keep it inside this test."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path / "state"


def _raise_bug(_progress: Progress) -> None:
    try:
        raise ValueError(NAME)
    except ValueError as inner:
        raise RuntimeError(SECRET) from inner


def _reports() -> list[Path]:
    return sorted(log_folder().glob("crash-*.txt")) if log_folder().exists() else []


def test_a_task_bug_writes_a_scrubbed_report_and_says_where(window: MainWindow) -> None:
    window.jobs.submit("Breaking", _raise_bug, lambda _r: None)
    [report] = _reports()
    text = report.read_text(encoding="utf-8")
    assert SECRET not in text
    assert NAME not in text
    assert "builtins.RuntimeError" in text
    assert "builtins.ValueError" in text
    assert "_raise_bug" in text
    assert "Python:" in text
    assert "Qt:" in text
    line = window.statusBar().currentMessage()
    assert str(report) in line
    assert "\n" not in line
    assert not window.jobs.busy
    assert not window.jobs.isVisible()
    window.jobs.submit("Again", lambda _p: 7, lambda r: window.statusBar().showMessage(str(r)))
    assert window.statusBar().currentMessage() == "7"


def test_a_known_error_shows_its_message_and_writes_no_report(window: MainWindow) -> None:
    def refuse(_progress: Progress) -> None:
        raise BadInputError("The file is not a chat export.")

    window.jobs.submit("Importing", refuse, lambda _r: None)
    assert window.statusBar().currentMessage() == "The file is not a chat export."
    assert _reports() == []


class _Emitter(QObject):
    fired = Signal()


@pytest.mark.qt_no_exception_capture
def test_a_bug_in_a_slot_shows_a_message_box_with_the_report(
        monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical",
                        lambda _parent, _title, text: shown.append(text))

    def broken_slot() -> None:
        raise RuntimeError(SECRET)

    emitter = _Emitter()
    emitter.fired.connect(broken_slot)
    before = sys.excepthook
    with crash_reports():
        emitter.fired.emit()
    assert sys.excepthook is before
    [report] = _reports()
    assert SECRET not in report.read_text(encoding="utf-8")
    assert len(shown) == 1
    assert str(report) in shown[0]
    assert "\n" not in shown[0]


def test_run_gui_restores_the_previous_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []

    def run(*_args: Any) -> int:
        seen.append(sys.excepthook)
        return 0

    monkeypatch.setattr(app_module, "_run", run)
    before = sys.excepthook
    assert app_module.run_gui(None) == 0
    assert seen
    assert seen[0] is not before
    assert sys.excepthook is before
