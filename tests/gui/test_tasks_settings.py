"""The background helper (real threads, progress, cancel, errors on the main thread)
and the declared settings."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from reviewer.domain.errors import CancelledError
from reviewer.domain.progress import Progress
from reviewer.gui.settings import DECLARED, Settings, WindowState
from reviewer.gui.tasks import TaskRunner


def test_runner_delivers_results_on_the_main_thread(qtbot: Any) -> None:
    runner = TaskRunner()
    main = threading.get_ident()
    where: list[int] = []
    results: list[Any] = []

    def work(progress: Progress) -> int:
        where.append(threading.get_ident())
        progress(1, 2, "half")
        return 42

    def done(value: Any) -> None:
        results.append((value, threading.get_ident()))

    # Wait on the delivered result, not on the task's signal: a fast task can
    # finish before a waitSignal opened after submit() would be listening.
    runner.submit("sum", work, done, lambda err: results.append(err))
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    assert where[0] != main
    assert results == [(42, main)]
    assert runner.wait()


def test_cancel_stops_at_the_next_progress_call(qtbot: Any) -> None:
    runner = TaskRunner()
    started = threading.Event()
    release = threading.Event()
    errors: list[BaseException] = []

    def work(progress: Progress) -> None:
        started.set()
        release.wait(5)
        progress(1, None, "step")

    task = runner.submit("slow", work, lambda _r: None, errors.append)
    started.wait(5)
    task.cancel()
    release.set()
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert isinstance(errors[0], CancelledError)
    assert runner.wait()


def test_settings_are_declared_with_defaults(tmp_path: Path) -> None:
    settings = Settings(tmp_path / "s.ini")
    assert settings.get("lock/idle_minutes") == 10
    assert all(s.meaning for s in DECLARED.values())
    settings.set("lock/idle_minutes", 3)
    settings.set("view/collapse_hidden", True)
    again = Settings(tmp_path / "s.ini")
    assert again.get("lock/idle_minutes") == 3
    assert again.get("view/collapse_hidden") is True
    again.set_key("approve", "Y")
    assert Settings(tmp_path / "s.ini").key_overrides() == {"approve": "Y"}


def test_window_state_is_kept_apart(tmp_path: Path) -> None:
    state = WindowState(tmp_path / "w.ini")
    assert state.load("geometry") is None
    assert not (tmp_path / "s.ini").exists()


def test_default_settings_live_under_the_temporary_home() -> None:
    import os

    path = Settings().qsettings.fileName()
    assert path.startswith(os.environ["XDG_CONFIG_HOME"])


def test_job_bar_reports_errors_and_hides_when_done(qtbot: Any) -> None:
    from reviewer.domain.errors import RefusedError
    from reviewer.gui.jobs import JobBar
    from reviewer.gui.tasks import SyncRunner

    bar = JobBar(SyncRunner())
    qtbot.addWidget(bar)
    messages: list[str] = []
    bar.message.connect(messages.append)
    results: list[Any] = []

    def refuse(progress: Progress) -> None:
        progress(1, 3, "first")
        raise RefusedError("Nothing to export.")

    bar.submit("Export", refuse, results.append)
    assert messages == ["Nothing to export."]
    assert not bar.busy
    assert bar.isHidden()
    bar.submit("Count", lambda _p: 7, results.append, quiet=True)
    assert results == [7]


def test_job_bar_shows_a_percentage_and_keeps_its_size(qtbot: Any) -> None:
    from PySide6.QtWidgets import QSizePolicy

    from reviewer.gui.jobs import JobBar
    from reviewer.gui.tasks import SyncRunner

    bar = JobBar(SyncRunner())
    qtbot.addWidget(bar)
    bar._progressed(45_351_897, 90_703_794, "conversations-000.json")
    assert bar.progress.text() == "conversations-000.json  50%"
    long_name = "a-very-long-export-file-name-from-a-vendor.json"
    bar._progressed(1, 4, long_name)
    assert bar.progress.text() == "a-very-long-export-file…  25%"
    assert bar.progress.toolTip() == long_name
    bar._progressed(3, None, "Counting")
    assert bar.progress.format() == "Counting"
    assert bar.sizePolicy().horizontalPolicy() == QSizePolicy.Policy.Fixed
