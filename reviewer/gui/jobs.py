"""The status-bar side of background work: one progress bar with a Cancel button
for the visible task, and error reporting on the main thread: a KnownError becomes
its message, any other error a crash report named in the message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QSizePolicy, QWidget

from reviewer.gui.crash import describe
from reviewer.gui.tasks import Task, TaskRunner


class JobBar(QWidget):
    """Submits work to the runner. A visible task shows progress and Cancel until it
    ends; a quiet one (counting, searching) shows nothing. A KnownError becomes a
    message; any other error is a bug, reported to a crash file the message names."""

    message = Signal(str)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.task: Task | None = None
        self.progress = QProgressBar()
        self.progress.setFixedWidth(240)
        self.cancel = QPushButton("Cancel")
        self.cancel.clicked.connect(self.cancel_task)
        # A status-bar message must not stretch the bar or the button.
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.progress)
        layout.addWidget(self.cancel)
        self.hide()

    @property
    def busy(self) -> bool:
        return self.task is not None

    def submit(self, label: str, work: Callable[[Any], Any], done: Callable[[Any], None],
               quiet: bool = False, failed_too: Callable[[], None] | None = None) -> Task:
        """Run ``work``; ``done`` gets its result. ``failed_too`` is called when it fails,
        after its message, for a caller waiting on it."""
        ended: list[bool] = []

        def failed(err: BaseException) -> None:
            ended.append(True)
            self._ended(quiet)
            self.message.emit(describe(err))
            if failed_too is not None:
                failed_too()

        def succeeded(result: Any) -> None:
            ended.append(True)
            self._ended(quiet)
            done(result)

        if not quiet:
            self.progress.setFormat(f"{label}…")
            self.progress.setRange(0, 0)
            self.show()
        task = self.runner.submit(label, work, succeeded, failed,
                                  None if quiet else self._progressed)
        if not quiet and not ended:  # a synchronous runner has already finished it
            self.task = task
        return task

    def cancel_task(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _progressed(self, done: int, total: int | None, label: str) -> None:
        """The label and a percentage on the bar (bytes of a file, texts of an
        analysis: raw counts would not fit); the label in full as its tooltip."""
        self.progress.setRange(0, total or 0)
        self.progress.setValue(done)
        short = label if len(label) <= 24 else f"{label[:23]}…"
        self.progress.setFormat(f"{short}  %p%" if total else short)
        self.progress.setToolTip(label)

    def _ended(self, quiet: bool) -> None:
        if not quiet:
            self.task = None
            self.hide()
