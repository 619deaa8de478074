"""Counters a reviewer can trust: after any sequence of decisions, same-text bulk
decisions, entity changes, manual spans, undos and redos (a reject's undo
withdrawing what it revealed) and analyses again, every counter an operation's
``Changes`` reported, every conversation row and the store's totals equal the
spans counted by status.

The operations are driven as the review window drives them: a linear undo stack
whose commands undo with the operation's inverse and redo by running it again.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from reviewer.domain.changes import Changes, StatusCounts
from reviewer.domain.errors import KnownError
from reviewer.domain.models import Status, Suggestion
from reviewer.ops import review
from reviewer.ops.analysis import save_results
from reviewer.ops.decisions import change_entity, decide, undo
from reviewer.ops.stores import create_store
from reviewer.store.analysis import AnalysedText
from reviewer.store.database import Store
from tests.conftest import PASSPHRASE
from tests.ops.review_builders import add_chat, add_merged_address

NAMES = ("Dana Whitfield", "Omar Haddad")
STATUSES = st.sampled_from([Status.APPROVED, Status.REJECTED])
PICK = st.integers(min_value=0, max_value=10_000)


@dataclass
class Command:
    """One undoable action: ``run`` performs it, ``inverse`` undoes what it did."""

    run: Callable[[], Changes]
    inverse: Callable[[Changes], Changes]
    done: Changes | None = None


def _matter(store: Store, tag: str) -> list[int]:
    """Two chats naming the same people (same-text spans) and a merged address
    (a reject reveals the IP addresses under it)."""
    marks = [(0, NAMES[0], "PERSON"), (0, NAMES[1], "PERSON")]
    first = add_chat(store, f"{tag}-a", [("user", f"{NAMES[0]} called {NAMES[1]} twice.")], marks)
    second = add_chat(store, f"{tag}-b", [("user", f"Ask {NAMES[0]} about {NAMES[1]}.")], marks)
    merged, _ = add_merged_address(store, f"{tag}-switch")
    return [first, second, merged]


class CountersMachine(RuleBasedStateMachine):
    """A new store for every example: a bulk decision is store-wide."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.TemporaryDirectory()
        self.store = create_store(Path(self.folder.name) / "matter.db", PASSPHRASE, "tester")
        self.conversations = _matter(self.store, "x")
        self.totals = StatusCounts.from_dict(review.status_totals(self.store))
        self.counts = {c: _counted(self.store, c) for c in self.conversations}
        self.done: list[Command] = []
        self.undone: list[Command] = []
        self.analyses = 0

    # --- applying Changes, as the window does ---------------------------------------------
    def teardown(self) -> None:
        self.store.close()
        self.folder.cleanup()

    def apply(self, changes: Changes) -> None:
        self.totals += changes.totals
        for counted in changes.conversations:
            self.counts[counted.conversation_id] = counted.counts

    def perform(self, command: Command) -> None:
        try:
            command.done = command.run()
        except KnownError:
            return  # refused, nothing changed: the command is dropped
        self.apply(command.done)
        self.done.append(command)
        self.undone.clear()

    def spans(self) -> list[Any]:
        return [s for c in self.conversations
                for s in review.conversation_detail(self.store, c).spans]

    def pick(self, index: int) -> Any:
        found = self.spans()
        return found[index % len(found)] if found else None

    # --- rules ----------------------------------------------------------------------------
    @rule(index=PICK, status=STATUSES)
    def decide_one(self, index: int, status: Status) -> None:
        span = self.pick(index)
        if span is not None:
            self.perform(self._decision([span.id], status))

    @rule(index=PICK, status=STATUSES)
    def decide_same_text(self, index: int, status: Status) -> None:
        span = self.pick(index)
        ids = review.same_text_pending(self.store, span.id) if span is not None else []
        if ids:
            self.perform(self._decision(ids, status))

    @rule(index=PICK, entity=st.sampled_from(["PERSON", "LOCATION", "ORGANIZATION"]))
    def change_the_entity(self, index: int, entity: str) -> None:
        span = self.pick(index)
        if span is not None and span.entity != entity:
            self.perform(Command(
                lambda: change_entity(self.store, span.id, entity, "tester"),
                lambda done: undo(self.store, _ids(done), "tester")))

    @rule(which=PICK, start=PICK, length=st.integers(min_value=1, max_value=12))
    def add_manual_span(self, which: int, start: int, length: int) -> None:
        conv_id = self.conversations[which % len(self.conversations)]
        message = review.conversation_detail(self.store, conv_id).conversation.messages[0]
        begin = start % len(message.text)
        end = min(len(message.text), begin + length)
        self.perform(Command(
            lambda: review.add_manual_span(self.store, conv_id, message.id, begin, end,
                                           "PERSON", "tester"),
            lambda done: review.remove_manual_span(self.store, done.spans[0].id, "tester")))

    @precondition(lambda self: bool(self.done))
    @rule()
    def undo_last(self) -> None:
        command = self.done.pop()
        assert command.done is not None
        try:
            changes = command.inverse(command.done)
        except KnownError:
            return  # the command is dropped, as an obsolete one leaves the stack
        self.apply(changes)
        self.undone.append(command)

    @precondition(lambda self: bool(self.undone))
    @rule()
    def redo_last(self) -> None:
        command = self.undone.pop()
        try:
            command.done = command.run()
        except KnownError:
            return
        self.apply(command.done)
        self.done.append(command)

    @rule(which=PICK, start=PICK, length=st.integers(min_value=1, max_value=12))
    def analyse_again(self, which: int, start: int, length: int) -> None:
        """A new policy's suggestions for one message: untouched pending suggestions
        are replaced, spans a reviewer touched stay."""
        conv_id = self.conversations[which % len(self.conversations)]
        message = review.conversation_detail(self.store, conv_id).conversation.messages[0]
        begin = start % len(message.text)
        found = Suggestion(begin, min(len(message.text), begin + length), "PERSON", 0.8, "Again")
        self.analyses += 1
        *_, changes = save_results(
            self.store, "tester", f"policy-{self.analyses}",
            [AnalysedText(conv_id, message.id, [found])], [conv_id], texts=1,
            pattern_only=True)
        self.apply(changes)

    def _decision(self, span_ids: list[int], status: Status) -> Command:
        return Command(lambda: decide(self.store, span_ids, status, "tester"),
                       lambda done: undo(self.store, _ids(done), "tester"))

    # --- what must always hold ----------------------------------------------------------
    @invariant()
    def every_row_counts_its_spans(self) -> None:
        with self.store.reading() as conn:
            drifted = conn.exec_driver_sql(
                "SELECT c.id FROM conversations c WHERE n_pending != (SELECT count(*) FROM "
                "spans s WHERE s.conversation_id = c.id AND status = 'pending') "
                "OR n_approved != (SELECT count(*) FROM spans s WHERE s.conversation_id = c.id "
                "AND status = 'approved') OR n_rejected != (SELECT count(*) FROM spans s "
                "WHERE s.conversation_id = c.id AND status = 'rejected')").all()
        assert drifted == []

    @invariant()
    def reported_counters_are_the_stores(self) -> None:
        assert self.counts == {c: _counted(self.store, c) for c in self.conversations}

    @invariant()
    def reported_totals_are_the_stores_and_the_rows_sum(self) -> None:
        with self.store.reading() as conn:
            rows = conn.exec_driver_sql(
                "SELECT sum(n_pending), sum(n_approved), sum(n_rejected) FROM conversations"
            ).one()
        counted = StatusCounts.from_dict(review.status_totals(self.store))
        assert self.totals == counted == StatusCounts(*rows)


def _ids(done: Changes) -> list[int]:
    return [d.id for d in done.decisions if d.id is not None]


def _counted(store: Store, conv_id: int) -> StatusCounts:
    with store.reading() as conn:
        rows = conn.exec_driver_sql(
            "SELECT status, count(*) FROM spans WHERE conversation_id = ? GROUP BY status",
            (conv_id,)).all()
    return StatusCounts.from_dict({str(status): int(n) for status, n in rows})


def test_counters_equal_the_spans_counted_after_any_sequence() -> None:
    run_state_machine_as_test(CountersMachine, settings=settings(
        max_examples=10, stateful_step_count=12, deadline=None, derandomize=True,
        database=None))
