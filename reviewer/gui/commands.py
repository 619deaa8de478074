"""Undo/redo: one QUndoCommand per user action (a decision, a same-text bulk
decision, an entity change, a manual span), in the manner of orange-canvas-core:
``redo`` performs the operation, ``undo`` its inverse, each returning the
:class:`~reviewer.domain.changes.Changes` the window applies.

The window pushes a command and QUndoStack's first ``redo`` performs it, so the
decision is in the store before anything on screen changes. A step that fails
(the store refused it) changed nothing in the store; the command marks itself
obsolete, so QUndoStack drops it instead of moving its index: stack and store
keep agreeing, and the user reads one line saying why.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtGui import QUndoCommand

from reviewer.domain.changes import Changes
from reviewer.domain.errors import KnownError


class Applier(Protocol):
    """What the window does with what a command's step changed."""

    def apply_changes(self, changes: Changes) -> None: ...

    def stepped(self, command: OperationCommand, step: str) -> None:
        """``command`` was undone (``step`` "undo") or done again ("redo")."""

    def step_failed(self, command: OperationCommand, step: str) -> None:
        """``command``'s step was refused (``command.error``); it left the stack."""


class OperationCommand(QUndoCommand):
    """``perform`` does the action; ``inverse`` undoes what its last run did."""

    def __init__(self, text: str, target: Applier, perform: Callable[[], Changes],
                 inverse: Callable[[Changes], Changes]) -> None:
        super().__init__(text)
        self.label = text  # kept on the Python side: readable after the stack drops the command
        self.target = target
        self.perform = perform
        self.inverse = inverse
        self.done = Changes()  # what the last redo did
        self.undone = Changes()  # what the last undo did
        self.error: KnownError | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None

    def redo(self) -> None:
        try:
            self.done = self.perform()
        except KnownError as err:
            self._fail(err, "redo")
            return
        self.target.apply_changes(self.done)
        self.target.stepped(self, "redo")

    def undo(self) -> None:
        try:
            self.undone = self.inverse(self.done)
        except KnownError as err:
            self._fail(err, "undo")
            return
        self.target.apply_changes(self.undone)
        self.target.stepped(self, "undo")

    def _fail(self, err: KnownError, step: str) -> None:
        self.error = err
        self.setObsolete(True)
        self.target.step_failed(self, step)
