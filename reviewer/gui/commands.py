"""Undo/redo: one QUndoCommand per decision (or per bulk approval), each wrapping
one operation and its inverse, in the manner of orange-canvas-core.

The operation runs *before* the command is pushed, so a decision is in the
store before anything on screen changes; the first ``redo`` that QUndoStack
calls on push is therefore skipped. Undo is itself a recorded, audited decision.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtGui import QUndoCommand

from reviewer.domain.errors import KnownError
from reviewer.domain.models import Decision
from reviewer.ops.decisions import undo
from reviewer.ops.stores import Store


class Applier(Protocol):
    """What the window does with decisions an undo or redo made."""

    def apply_decisions(self, made: list[Decision], sign: int) -> None: ...

    def report_error(self, err: KnownError) -> None: ...

    def undo_context(self) -> tuple[Store, str]: ...


class DecisionCommand(QUndoCommand):
    """``made`` were just recorded by ``again``; undo reverts them, redo calls ``again``."""

    def __init__(self, text: str, target: Applier, made: list[Decision],
                 again: Callable[[], list[Decision]]) -> None:
        super().__init__(text)
        self.target = target
        self.made = made
        self.again = again
        self.fresh = True

    def redo(self) -> None:
        if self.fresh:
            self.fresh = False
            return
        try:
            self.made = self.again()
        except KnownError as err:
            self.target.report_error(err)
            return
        self.target.apply_decisions(self.made, +1)

    def undo(self) -> None:
        store, reviewer = self.target.undo_context()
        try:
            reverted = undo(store, [d.id for d in self.made if d.id is not None], reviewer)
        except KnownError as err:
            self.target.report_error(err)
            return
        self.target.apply_decisions(reverted, -1)
