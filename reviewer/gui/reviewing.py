"""The review loop: which span is current, moving between spans and
conversations, and every decision (approve, reject, bulk, entity, manual span).

Each action is one undoable command whose ``redo`` calls the operations layer
(committed with its audit entry); the screen then applies the ``Changes`` the
operation returned, and re-reads nothing: spans restyled, the browser's rows
and the status bar's totals set to the store's counters.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from reviewer.domain.changes import Changes, ConversationCounts, StatusCounts
from reviewer.domain.errors import KnownError
from reviewer.domain.models import Span, Status
from reviewer.gui.commands import Applier, OperationCommand
from reviewer.gui.conversation import ConversationView, SourceSelection
from reviewer.gui.inspector import SpanInspector
from reviewer.ops import batches, review
from reviewer.ops.decisions import change_entity, decide, set_reason, undo
from reviewer.ops.review import ConversationDetail
from reviewer.ops.stores import Store

VERBS = {Status.APPROVED: "approve", Status.REJECTED: "reject"}
QUOTED = 40  # characters of a span's text in a status-bar message


class ReviewSession(QObject):
    """State of one review session (unlock to lock or quit) over one store."""

    message = Signal(str)
    counts_changed = Signal()
    rows_changed = Signal(list)
    conversation_opened = Signal(int)

    def __init__(self, store: Store, reviewer: str, view: ConversationView,
                 inspector: SpanInspector, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.reviewer = reviewer
        self.view = view
        self.inspector = inspector
        self.undo_stack = QUndoStack(self)
        self.detail: ConversationDetail | None = None
        self.spans: dict[int, Span] = {}
        self.order: list[int] = []
        self.current: Span | None = None
        self.totals: StatusCounts | None = None
        self.decided = 0
        self.started = datetime.now(UTC)
        # What is not the decision itself (inspector, browser counters) follows one
        # event-loop turn later, after the conversation view has repainted.
        self.row_counts: dict[int, ConversationCounts] = {}
        self.pushing = False  # a new action's first redo is running
        self.changes_applied = 0  # operations shown so far (a count read before is stale)
        self.later = QTimer(self)
        self.later.setSingleShot(True)
        self.later.setInterval(0)
        self.later.timeout.connect(self.catch_up)

    # --- sessions -----------------------------------------------------------------------------
    def begin(self) -> None:
        self.started = review.start_session(self.store, self.reviewer)
        self.decided = 0

    def end(self) -> None:
        review.end_session(self.store, self.reviewer, self.started, self.decided)

    def pace(self) -> float:
        """Spans decided per hour in this session."""
        hours = max((datetime.now(UTC) - self.started).total_seconds() / 3600, 1 / 60)
        return self.decided / hours

    def summary(self) -> str:
        minutes = int((datetime.now(UTC) - self.started).total_seconds() // 60)
        return (f"Session of {self.reviewer}: {self.decided} decision(s) in {minutes} min "
                f"({self.pace():.0f} spans/hour).")

    # --- where we are -------------------------------------------------------------------------
    def open_conversation(self, conv_id: int, span_id: int | None = None) -> None:
        detail = review.conversation_detail(self.store, conv_id)
        self.detail = detail
        self.spans = {s.id: s for s in detail.spans}
        self.order = [s.id for s in detail.spans]
        self.view.show_conversation(detail)
        if span_id is None:
            pending = [s for s in self.order if self.spans[s].status is Status.PENDING]
            first = pending or self.order
            span_id = first[0] if first else None
        self.go_to(span_id)
        self.conversation_opened.emit(conv_id)

    def go_to(self, span_id: int | None) -> None:
        before = self.current.id if self.current else None
        self.current = self.spans.get(span_id) if span_id is not None else None
        if (self.current.id if self.current else None) != before:
            # At once, not with the rest of the inspector a turn later: an A pressed
            # meanwhile must not carry the code picked for the span before.
            self.inspector.reset_reason(self.current)
        self.view.set_current(self.current.id if self.current else None)
        self.later.start()

    def keep_visible(self, shown: set[int]) -> None:
        """After content was folded away: a current span no longer shown gives way to the
        next shown one (pending first), so no key decides what the reviewer cannot see."""
        if self.current is None or self.current.id in shown:
            return
        hidden = self.describe(self.current)
        at = self.order.index(self.current.id)
        after = [s for s in self.order[at + 1:] + self.order[:at] if s in shown]
        pending = [s for s in after if self.spans[s].status is Status.PENDING]
        self.go_to(next(iter(pending or after), None))
        self.message.emit(f"{hidden} is in folded content (H shows it again); "
                          + (f"now at {self.describe(self.current)}." if self.current
                             else "no span is shown."))

    def catch_up(self) -> None:
        """The inspector and the browser's counters, after the view has shown the change."""
        self.later.stop()
        self.show_inspector()
        if self.row_counts:
            counted = list(self.row_counts.values())
            self.row_counts.clear()
            self.rows_changed.emit(counted)

    def show_inspector(self) -> None:
        span = self.current
        if span is None or self.detail is None:
            self.inspector.show_span(None)
            return
        history = review.span_detail_history(self.store, span.id)
        self.inspector.show_span(span, self.detail.texts.get(span.id, ""), history,
                                 batches.conflict_notes(self.store, span.id))

    def step(self, delta: int) -> None:
        """J / K: the next or previous span of this conversation."""
        if not self.order:
            self.message.emit("This conversation has no spans.")
            return
        at = self.order.index(self.current.id) if self.current else -1
        target = at + delta
        if not 0 <= target < len(self.order):
            self.message.emit("No more spans in this conversation: N / P for the next one.")
            return
        self.go_to(self.order[target])

    def next_pending(self) -> None:
        """G (and after A / R): the next pending span, here first, then anywhere.

        A span this view does not hold (one a reject revealed) reopens its conversation.
        """
        local = self._pending_here_after()
        if local is not None:
            self.go_to(local)
            return
        found = review.next_pending_span(self.store, self.current)
        if found is None:
            self.message.emit("No pending spans left in this store.")
            self.go_to(self.current.id if self.current else None)
            return
        self.open_span(found)

    def next_conflict(self) -> None:
        """C: the next span a batch merge left in conflict, here first, then anywhere."""
        found = batches.next_conflict(self.store, self.current)
        if found is None:
            self.message.emit("No open batch conflict in this store.")
            return
        self.open_span(found)

    def open_span(self, span: Span) -> None:
        """Make ``span`` current, opening its conversation if this view does not hold it."""
        if span.id in self.spans:
            self.go_to(span.id)
        else:
            self.open_conversation(span.conversation_id, span.id)

    def _pending_here_after(self) -> int | None:
        start = self.order.index(self.current.id) + 1 if self.current else 0
        for span_id in self.order[start:]:
            if self.spans[span_id].status is Status.PENDING:
                return span_id
        return None

    # --- decisions: each one undoable command ------------------------------------------------
    def decide_current(self, status: Status) -> None:
        """A / R: decide the current span, then move to the next pending span."""
        span = self.current
        if span is None:
            self.message.emit("No current span: G finds the next pending one.")
            return
        reason = self.inspector.reason_code()
        if not self.push(f"{VERBS[status]} of {self.describe(span)}",
                         lambda: decide(self.store, [span.id], status, self.reviewer, reason),
                         self._undo_decisions):
            return
        revealed = [sid for sid in self.order if self.spans[sid].status is Status.PENDING
                    and self.spans[sid].explanation.get("revealed_by", {}).get("span_id")
                    == span.id]
        if status is Status.REJECTED and revealed:
            self.go_to(revealed[0])  # what the reject revealed, reviewed next
            return
        self.next_pending()

    def decide_all(self, span_ids: list[int], status: Status, described: str) -> None:
        """Shift+A / Shift+R: one undoable decision over the same-text spans; ``described``
        names their text as the reviewer was asked about it."""
        reason = self.inspector.reason_code()
        what = f"{len(span_ids)} × {described}"
        if self.push(f"{VERBS[status]} of {what}",
                     lambda: decide(self.store, span_ids, status, self.reviewer, reason),
                     self._undo_decisions):
            self.next_pending()

    def set_reason(self, code: str) -> bool:
        """Keys 1 … 9 on a decided span: its decision gets this reason code (undoable).
        False when the current span is pending (the code goes with its decision)."""
        span = self.current
        if span is None or span.status is Status.PENDING or span.reason == code:
            return False
        return self.push(f"reason {code} of {self.describe(span)}",
                         lambda: set_reason(self.store, span.id, code, self.reviewer),
                         self._undo_decisions) is not None

    def change_entity(self, entity: str, span: Span | None = None) -> None:
        """E: the entity of ``span`` (the current span when the dialog was asked)."""
        span = span or self.current
        if span is None or entity == span.entity:
            return
        self.push(f"entity {entity} of {self.describe(span)}",
                  lambda: change_entity(self.store, span.id, entity, self.reviewer),
                  self._undo_decisions)

    def add_manual(self, where: SourceSelection, entity: str) -> None:
        """M: the selection becomes an approved manual span; undo removes it."""
        if self.detail is None:
            return
        conv_id = self.detail.conversation.id
        assert conv_id is not None
        command = self.push(
            f"manual {entity} span “{self.quote(where)}”",
            lambda: review.add_manual_span(self.store, conv_id, where.message_id, where.start,
                                           where.end, entity, self.reviewer),
            lambda done: review.remove_manual_span(self.store, done.spans[0].id, self.reviewer))
        if command is not None and command.done.spans:
            self.go_to(command.done.spans[0].id)

    def quote(self, where: SourceSelection) -> str:
        """The selected text, shortened for a message (an action's name)."""
        return _quoted(_selected_text(self.detail, where)) if self.detail else ""

    def describe(self, span: Span) -> str:
        """A span as a message names it: PERSON “Dana Whitfield”."""
        text = self.detail.texts.get(span.id, "") if self.detail else ""
        return f"{span.entity} “{_quoted(text)}”"

    def push(self, text: str, perform: Callable[[], Changes],
             inverse: Callable[[Changes], Changes],
             target: Applier | None = None) -> OperationCommand | None:
        """Push the action; QUndoStack's first ``redo`` performs it. None when it failed.
        ``target`` (this session by default) applies what each step changed."""
        command = OperationCommand(text, target or self, perform, inverse)
        self.pushing = True
        try:
            self.undo_stack.push(command)
        finally:
            self.pushing = False
        return None if command.failed else command

    def _undo_decisions(self, done: Changes) -> Changes:
        return undo(self.store, [d.id for d in done.decisions if d.id is not None], self.reviewer)

    # --- undo and redo (whoever drives the stack: keys, menu) --------------------------------
    def stepped(self, command: OperationCommand, step: str) -> None:
        """After an undo or a redo: the span it changed is current, and the status bar
        says what was undone or done again. A new action (pushed) moves on by itself."""
        if self.pushing:
            return
        self.show_changed(command.undone if step == "undo" else command.done)
        self.message.emit(f"{'Undid' if step == 'undo' else 'Redid'}: {command.label}")

    def step_failed(self, command: OperationCommand, step: str) -> None:
        if self.pushing:
            self.message.emit(str(command.error))
            return
        self.message.emit(f"Could not {step} {command.label}: {command.error} "
                          "It is no longer on the undo list.")

    def show_changed(self, changes: Changes) -> None:
        """Make the span a step changed current (its conversation opened if need be)."""
        here = [s for s in changes.spans if s.id in self.spans]
        span = here[0] if here else (changes.spans[0] if changes.spans else None)
        if span is None:
            gone = changes.removed[0] if changes.removed else None
            if gone is not None and self.detail is not None \
                    and gone.conversation_id != self.detail.conversation.id:
                self.open_conversation(gone.conversation_id)
            return
        self.open_span(span)

    # --- the Applier protocol of the undo commands -------------------------------------------
    def apply_changes(self, changes: Changes) -> None:
        """Show what an operation changed (already in the store): the open conversation's
        spans restyled, or shown again when spans came or went; the totals and the
        browser's rows take the counters the store read back."""
        here = self.detail.conversation.id if self.detail else None
        came = any(s.conversation_id == here and s.id not in self.spans for s in changes.spans)
        gone = {s.id for s in changes.removed}
        went = any(span_id in self.spans for span_id in gone)
        for span in changes.spans:
            if span.id in self.spans:
                self.spans[span.id] = span
                self.view.update_span(span)
        if self.current is not None:
            self.current = self.spans.get(self.current.id, self.current)
            if any(span.id == self.current.id for span in changes.spans):
                # Its decision changed (an undone reason code among them): the picker
                # shows what the span now carries, not a code its next A or R would take.
                self.inspector.reset_reason(self.current)
        if here is not None and (came or went):
            current = self.current.id if self.current is not None else None
            self.open_conversation(here, self._neighbour(current, gone) if current in gone
                                   else current)
        self.decided += changes.status_changes
        self.changes_applied += 1
        if self.totals is not None:
            self.totals += changes.totals
        self.row_counts.update((c.conversation_id, c) for c in changes.conversations)
        self.counts_changed.emit()
        self.later.start()

    def _neighbour(self, span_id: int | None, gone: set[int]) -> int | None:
        """The span that takes a removed span's place (an undone manual span): the next
        one in the text, else the one before, so the reviewer stays where they were."""
        if span_id not in self.order:
            return None
        at = self.order.index(span_id)
        after = [s for s in self.order[at + 1:] if s not in gone]
        before = [s for s in self.order[:at] if s not in gone]
        return after[0] if after else (before[-1] if before else None)

    def report_error(self, err: KnownError) -> None:
        self.message.emit(str(err))


def _quoted(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTED else text[:QUOTED - 1] + "…"


def _selected_text(detail: ConversationDetail, where: SourceSelection) -> str:
    conv = detail.conversation
    if where.message_id is None:
        return (conv.title or "")[where.start:where.end]
    texts = {m.id: m.text for m in conv.messages}
    return texts.get(where.message_id, "")[where.start:where.end]
