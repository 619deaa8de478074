"""QC mode: the review window walks the quality-control samples' items.

On a decision item the window shows its span: ``O`` agrees with the decision,
``X`` disagrees (the span is not changed: the disagreement is recorded for a
lead). On an elusion item it shows the message's conversation: ``O`` says
nothing was missed, a selection and ``M`` marks missed personal data as a
manual span flagged as found by QC (and the item as missed), one undoable
command as a manual span in review is. Each verdict moves to the next item
without one. The samples are drawn with ``reviewer qc sample``.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTextEdit, QVBoxLayout, QWidget

from reviewer.domain.changes import Changes
from reviewer.domain.errors import KnownError
from reviewer.gui.commands import OperationCommand
from reviewer.gui.conversation import KIND_TEXT, PROP_KIND, PROP_MESSAGE, SourceSelection
from reviewer.gui.reviewing import ReviewSession
from reviewer.ops import qc
from reviewer.ops.qc import QcItem
from reviewer.ops.stores import Store

NOT_ACTIVE = "Not in QC mode: Review > Quality control mode walks the QC sample."


class QcMode(QObject):
    """Where the walk is; ``active`` while the window is in QC mode."""

    message = Signal(str)

    def __init__(self, store: Store, reviewer: str, session: ReviewSession,
                 open_dialog: Callable[[QDialog], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.open_dialog = open_dialog
        self.store = store
        self.reviewer = reviewer
        self.session = session
        self.active = False
        self.items: list[QcItem] = []
        self.index = 0

    @property
    def current(self) -> QcItem | None:
        return self.items[self.index] if self.active and self.items else None

    def toggle(self) -> None:
        """Enter QC mode at the first item without a verdict, or leave it."""
        if self.active:
            self.active = False
            self.message.emit("Left QC mode: A and R decide spans again.")
            return
        self.items = qc.sample_items(self.store)
        if not self.items:
            self.message.emit("No QC sample yet: draw one with 'reviewer qc sample STORE "
                              "--size N' (decisions) or '--kind elusion'.")
            return
        self.active = True
        waiting = [n for n, item in enumerate(self.items) if item.verdict is None]
        self.index = waiting[0] if waiting else 0
        self._show()

    def agree(self) -> None:
        self._record("agree")

    def disagree(self) -> None:
        self._record("disagree")

    def takes_selection(self) -> bool:
        """M marks missed data for QC: in QC mode, on an elusion item."""
        item = self.current
        return item is not None and item.kind == "elusion"

    def add_manual(self, where: SourceSelection, entity: str) -> None:
        """M on an elusion item: the selection is missed data, found by QC. One undoable
        command: Ctrl+Z takes the span and the item's verdict back and returns the walk
        to the item; Ctrl+Shift+Z marks it again."""
        item = self.current
        if item is None or where.message_id != item.message_id:
            self.message.emit("Select the missed text in the sampled message (the one named "
                              "in the status bar), then press M.")
            return
        self.session.push(
            f"missed {entity} span “{self.session.quote(where)}” (QC item {item.id})",
            lambda: qc.add_missed_span(self.store, item.id, where.start, where.end, entity,
                                       self.reviewer),
            lambda done: qc.remove_missed_span(self.store, done.spans[0].id, self.reviewer),
            MissedMark(self, item.id))

    def show_report(self) -> None:
        """Review > QC report…: the rates and bounds, as ``reviewer qc report`` prints them."""
        lines = qc.qc_report(self.store).summary_lines()
        self.open_dialog(ReportDialog("\n".join(lines), self.parent_widget))

    def _record(self, verdict: str) -> None:
        item = self.current
        if item is None:
            self.message.emit(NOT_ACTIVE)
            return
        self._act(lambda: qc.record_verdicts(self.store, [item.id], verdict, self.reviewer))

    def _act(self, step: Callable[[], object]) -> None:
        """Record, then move to the next item without a verdict; a refusal is one line."""
        try:
            step()
        except KnownError as err:
            self.message.emit(str(err))
            return
        self.advance()

    def advance(self, note: str = "") -> None:
        """The next item without a verdict; QC mode ends after the last. ``note`` says
        first what was just done (a redo)."""
        self.items = qc.sample_items(self.store)
        waiting = [n for n, item in enumerate(self.items) if item.verdict is None]
        if not waiting:
            self.active = False
            self.message.emit(f"{note}Every QC item has a verdict: Review > QC report… "
                              "shows the rates. Left QC mode.")
            return
        self.index = waiting[0]
        self._show(note)

    def back_to(self, item_id: int, note: str = "") -> None:
        """The walk at ``item_id`` again (its verdict undone), in QC mode."""
        self.items = qc.sample_items(self.store)
        at = [n for n, item in enumerate(self.items) if item.id == item_id]
        if not at:
            return
        self.active = True
        self.index = at[0]
        self._show(note)

    def _show(self, note: str = "") -> None:
        item = self.items[self.index]
        try:
            conv_id, span_id = qc.item_place(self.store, item)
        except KnownError as err:
            self.message.emit(f"QC item {item.id}: {err}")
            return
        self.session.open_conversation(conv_id, span_id)
        if item.message_id is not None:
            show_message(self.session.view, item.message_id)
        left = sum(i.verdict is None for i in self.items)
        where = (f"decision on span {item.span_id} ({item.status} when drawn): O agree, "
                 "X disagree" if item.kind == "decision" else
                 f"message {item.message_id} has no span: O nothing missed, or select missed "
                 "text and press M")
        self.message.emit(f"{note}QC item {item.id} ({left} without a verdict): {where}.")


class MissedMark:
    """What the undo stack reports of one QC missed span (an ``Applier``): the spans
    change in the review session; the walk moves on when the span is made (pushed, or
    redone in QC mode) and comes back to its item, in QC mode, when it is undone (so
    that M there marks missed data again, even after the walk had ended)."""

    def __init__(self, mode: QcMode, item_id: int) -> None:
        self.mode = mode
        self.item_id = item_id

    def apply_changes(self, changes: Changes) -> None:
        self.mode.session.apply_changes(changes)

    def stepped(self, command: OperationCommand, step: str) -> None:
        if step == "undo":
            self.mode.back_to(self.item_id, f"Undid: {command.label}. ")
            return
        if self.mode.session.pushing:
            self.mode.advance()
        elif self.mode.active:
            self.mode.advance(f"Redid: {command.label}. ")
        else:
            self.mode.session.stepped(command, step)

    def step_failed(self, command: OperationCommand, step: str) -> None:
        self.mode.session.step_failed(command, step)


def show_message(view: QTextEdit, message_id: int) -> None:
    """Scroll the conversation view to the start of a message's text (no selection, so
    that M marks only what the reviewer then selects); a folded message stays put."""
    block = view.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.intProperty(PROP_KIND) == KIND_TEXT and \
                    fmt.intProperty(PROP_MESSAGE) == message_id:
                cursor = QTextCursor(view.document())
                cursor.setPosition(it.fragment().position())
                view.setTextCursor(cursor)
                view.ensureCursorVisible()
                return
            it += 1
        block = block.next()


class ReportDialog(QDialog):
    """The QC report's lines; Enter or Esc closes it."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("QC report")
        self.text = QLabel(text)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(self.text.textInteractionFlags()
                                          | Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
