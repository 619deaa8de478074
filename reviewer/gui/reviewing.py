"""The review loop: which span is current, moving between spans and
conversations, and every decision (approve, reject, bulk, entity, manual span).

Each decision calls the operations layer first (committed with its audit entry)
and only then changes the screen, and is pushed as one undoable command.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from reviewer.domain.errors import KnownError
from reviewer.domain.models import Decision, Span, Status
from reviewer.gui.commands import DecisionCommand
from reviewer.gui.conversation import ConversationView, SourceSelection
from reviewer.gui.inspector import SpanInspector
from reviewer.ops import review
from reviewer.ops.decisions import change_entity, decide, revealed_suggestions
from reviewer.ops.review import ConversationDetail
from reviewer.ops.stores import Store


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
        self.totals: dict[str, int] | None = None
        self.decided = 0
        self.started = datetime.now(UTC)
        # What is not the decision itself (inspector, browser counters) follows one
        # event-loop turn later, after the conversation view has repainted.
        self.touched: set[int] = set()
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
        self.current = self.spans.get(span_id) if span_id is not None else None
        self.view.set_current(self.current.id if self.current else None)
        self.later.start()

    def catch_up(self) -> None:
        """The inspector and the browser's counters, after the view has shown the change."""
        self.later.stop()
        self.show_inspector()
        if self.touched:
            fresh = review.spans_by_id(self.store, sorted(self.touched))
            self.touched.clear()
            self.rows_changed.emit(sorted({s.conversation_id for s in fresh}))

    def show_inspector(self) -> None:
        span = self.current
        if span is None or self.detail is None:
            self.inspector.show_span(None)
            return
        history = review.span_detail_history(self.store, span.id)
        self.inspector.show_span(span, self.detail.texts.get(span.id, ""), history)

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
        if found.id in self.spans:
            self.go_to(found.id)
        else:
            self.open_conversation(found.conversation_id, found.id)

    def _pending_here_after(self) -> int | None:
        start = self.order.index(self.current.id) + 1 if self.current else 0
        for span_id in self.order[start:]:
            if self.spans[span_id].status is Status.PENDING:
                return span_id
        return None

    # --- decisions ----------------------------------------------------------------------------
    def decide_current(self, status: Status) -> None:
        """A / R: decide the current span, then move to the next pending span."""
        span = self.current
        if span is None:
            self.message.emit("No current span: G finds the next pending one.")
            return
        reason = self.inspector.reason_code()
        self._run(f"{status.value} span {span.id}",
                  lambda: decide(self.store, [span.id], status, self.reviewer, reason))
        revealed = [sid for sid in self.order if self.spans[sid].status is Status.PENDING
                    and self.spans[sid].explanation.get("revealed_by", {}).get("span_id")
                    == span.id]
        if status is Status.REJECTED and revealed:
            self.go_to(revealed[0])  # what the reject revealed, reviewed next
            return
        self.next_pending()

    def decide_all(self, span_ids: list[int], status: Status) -> None:
        """Shift+A / Shift+R: one undoable decision over the same-text spans."""
        reason = self.inspector.reason_code()
        self._run(f"{status.value} {len(span_ids)} same-text spans",
                  lambda: decide(self.store, span_ids, status, self.reviewer, reason))
        self.next_pending()

    def change_entity(self, entity: str) -> None:
        span = self.current
        if span is None or entity == span.entity:
            return
        self._run(f"entity of span {span.id}",
                  lambda: [change_entity(self.store, span.id, entity, self.reviewer)])

    def add_manual(self, where: SourceSelection, entity: str) -> None:
        if self.detail is None:
            return
        conv_id = self.detail.conversation.id
        assert conv_id is not None
        try:
            span, made = review.add_manual_span(self.store, conv_id, where.message_id,
                                                where.start, where.end, entity, self.reviewer)
        except KnownError as err:
            self.report_error(err)
            return
        self._count([made], +1)
        self.undo_stack.push(DecisionCommand(
            f"manual span {span.id}", self, [made],
            lambda: decide(self.store, [span.id], Status.APPROVED, self.reviewer, "MANUAL")))
        self.open_conversation(conv_id, span.id)

    def _run(self, text: str, operation: review.DecisionOp) -> None:
        try:
            made = operation()
        except KnownError as err:
            self.report_error(err)
            return
        self.undo_stack.push(DecisionCommand(text, self, made, operation))
        self.apply_decisions(made, +1)

    # --- the Applier protocol of the undo commands -------------------------------------------
    def apply_decisions(self, made: list[Decision], sign: int) -> None:
        """Show decisions that are already in the store."""
        for decision in made:
            span = self.spans.get(decision.span_id)
            if span is not None:
                span = review.after_decision(span, decision)
                self.spans[span.id] = span
                self.view.update_span(span)
        if self.current is not None:
            self.current = self.spans.get(self.current.id, self.current)
        self.touched.update(d.span_id for d in made)
        self._count(made, sign)
        self.later.start()
        revealing = self._revealing(made)
        if revealing is not None:
            self._reload_revealed(revealing)

    def _reload_revealed(self, parent: Span) -> None:
        """The conversation again, with the spans a reject revealed (or its undo
        withdrew); the totals follow the change in its pending spans."""
        before = self._pending_here()
        self.open_conversation(parent.conversation_id, parent.id)
        if self.totals is not None:
            self.totals[Status.PENDING.value] += self._pending_here() - before
            self.counts_changed.emit()

    def _pending_here(self) -> int:
        return sum(1 for span in self.spans.values() if span.status is Status.PENDING)

    def _revealing(self, made: list[Decision]) -> Span | None:
        """A span whose reject (or its undo) added or withdrew the spans under it: the
        view reloads its conversation to show them."""
        for decision in made:
            span = self.spans.get(decision.span_id)
            changed = decision.status is not decision.previous_status
            rejects = Status.REJECTED in (decision.status, decision.previous_status)
            if span is not None and changed and rejects and revealed_suggestions(span):
                return span
        return None

    def _count(self, made: list[Decision], sign: int) -> None:
        self.decided += sign * sum(1 for d in made if d.status is not d.previous_status)
        if self.totals is not None:
            for d in made:
                self.totals[d.previous_status.value] -= 1
                self.totals[d.status.value] += 1
        self.counts_changed.emit()

    def report_error(self, err: KnownError) -> None:
        self.message.emit(str(err))

    def undo_context(self) -> tuple[Store, str]:
        return self.store, self.reviewer


