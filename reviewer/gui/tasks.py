"""The one helper for slow work (import, analysis, export, counting, search).

A task is a function ``work(progress) -> result``. :class:`TaskRunner` runs it
on a QThreadPool thread; progress, the result or the error come back on the
main thread through queued signals. Cancelling makes the next ``progress``
call raise :class:`CancelledError`, so an operation stops only where it said it
may. :class:`SyncRunner` runs the same tasks inline, for tests.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from reviewer.domain.errors import CancelledError
from reviewer.domain.progress import Progress

Work = Callable[[Progress], Any]
Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]
Reported = Callable[[int, int | None, str], None]


class Task(QObject):
    """One piece of background work and its outcome signals (always on the main thread)."""

    progressed = Signal(int, object, str)
    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()

    def __init__(self, label: str, work: Work) -> None:
        super().__init__()
        self.label = label
        self.work = work
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def report(self, done: int, total: int | None, label: str) -> None:
        if self._cancel.is_set():
            raise CancelledError(f"{self.label} was cancelled; what was finished is kept.")
        self.progressed.emit(done, total, label)

    def execute(self) -> None:
        try:
            result = self.work(self.report)
        except BaseException as err:  # handed to the main thread, which decides
            self.failed.emit(err)
        else:
            self.succeeded.emit(result)
        finally:
            self.finished.emit()


class _Runnable(QRunnable):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self.task = task

    def run(self) -> None:
        self.task.execute()


class TaskRunner(QObject):
    """Runs tasks on a thread pool; keeps them alive until they finish."""

    started = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)
        self.running: set[Task] = set()

    def submit(self, label: str, work: Work, done: Done, failed: Failed,
               progressed: Reported | None = None) -> Task:
        task = Task(label, work)
        task.succeeded.connect(done)
        task.failed.connect(failed)
        if progressed is not None:
            task.progressed.connect(progressed)
        task.finished.connect(lambda: self.running.discard(task))
        self.running.add(task)
        self.started.emit(task)
        self._start(task)
        return task

    def _start(self, task: Task) -> None:
        self.pool.start(_Runnable(task))

    def wait(self, msecs: int = 30000) -> bool:
        """Block until every task is done (used when closing)."""
        for task in list(self.running):
            task.cancel()
        return self.pool.waitForDone(msecs)


class SyncRunner(TaskRunner):
    """Runs each task at once on the calling thread: deterministic tests."""

    def _start(self, task: Task) -> None:
        task.execute()
