"""Settling a batch conflict in the matter: a lead's decision on the span settles it
(audited in the decision's entry), undoing that decision opens it again, and the
browser's conflicts filter, ``spans --status conflict`` and the inspector's sentence
all follow the one rule."""

from __future__ import annotations

from pathlib import Path

from reviewer.domain.models import Status
from reviewer.ops import batches
from reviewer.ops.audit import audit_entries
from reviewer.ops.browse import BrowseQuery, fetch_page
from reviewer.ops.decisions import change_entity, decide, set_reason, undo
from reviewer.store import spans
from reviewer.store.database import Store
from tests.ops.review_builders import add_chat

BATCH_PASSPHRASE = "violet anchor meadow tram"


def conflicted_matter(store: Store, tmp_path: Path) -> tuple[list[int], list[int]]:
    """Three conversations split into one batch; alice approves the first two spans
    in the batch, the lead rejects them in the matter first: two conflicts."""
    conv_ids = [add_chat(store, f"c{i}", [("user", f"I am Ada Lovelace, ticket {i}.")],
                         [(0, "Ada Lovelace", "PERSON")]) for i in range(3)]
    with store.reading() as conn:
        span_ids = [spans.for_conversation(conn, c)[0].id for c in conv_ids]
    path = batches.split(store, tmp_path / "out", 5, BATCH_PASSPHRASE, "lead").batches[0].path
    decide(store, span_ids[:2], Status.REJECTED, "lead")
    batch = Store.open(path, BATCH_PASSPHRASE)
    try:
        decide(batch, span_ids[:2], Status.APPROVED, "alice", "PII")
    finally:
        batch.close()
    report = batches.merge(store, [path], BATCH_PASSPHRASE, "lead")
    assert report.conflict_span_ids == span_ids[:2]
    return conv_ids, span_ids


def _filtered(store: Store) -> list[int]:
    return [row.id for row in fetch_page(store, BrowseQuery(state="conflict")).rows]


def _listed(store: Store) -> list[int]:
    return [int(item["id"]) for item in batches.conflicted_spans(store)]


def test_the_conflicts_filter_shows_conversations_with_an_open_conflict(
        store: Store, tmp_path: Path) -> None:
    conv_ids, span_ids = conflicted_matter(store, tmp_path)
    assert _filtered(store) == conv_ids[:2]
    assert _listed(store) == span_ids[:2]
    assert fetch_page(store, BrowseQuery(state="conflict", search="ticket 1")).rows[0].id == \
        conv_ids[1]  # the filter narrows a search as the other filters do


def test_a_decision_in_the_matter_settles_the_conflict_audited_and_its_undo_reopens_it(
        store: Store, tmp_path: Path) -> None:
    conv_ids, span_ids = conflicted_matter(store, tmp_path)
    (conflict_id,) = [c.id for c in batches.conflicts(store) if c.span_id == span_ids[0]]
    settled = decide(store, [span_ids[0]], Status.APPROVED, "lead", "PII")
    entry = audit_entries(store)[-1]
    assert (entry.action, entry.payload["settled_conflict_ids"]) == ("decide", [conflict_id])
    assert _filtered(store) == [conv_ids[1]]
    assert _listed(store) == [span_ids[1]]

    undo(store, [d.id for d in settled.decisions if d.id is not None], "lead")
    entry = audit_entries(store)[-1]
    assert (entry.action, entry.payload["reopened_conflict_ids"]) == ("undo", [conflict_id])
    assert _filtered(store) == conv_ids[:2]
    assert _listed(store) == span_ids[:2]

    decide(store, [span_ids[0]], Status.REJECTED, "lead")  # the lead keeps the matter's
    assert audit_entries(store)[-1].payload["settled_conflict_ids"] == [conflict_id]
    assert _listed(store) == [span_ids[1]]


def test_the_changes_of_a_settling_decision_and_of_its_undo_carry_the_conflict_mark(
        store: Store, tmp_path: Path) -> None:
    """The browser applies these counters: a settled conversation stops showing its
    conflict, and shows it again when the decision is undone, without a re-read."""
    conv_ids, span_ids = conflicted_matter(store, tmp_path)
    settled = decide(store, [span_ids[0]], Status.APPROVED, "lead", "PII")
    assert [(c.conversation_id, c.conflicted) for c in settled.conversations] == [
        (conv_ids[0], False)]
    reopened = undo(store, [d.id for d in settled.decisions if d.id is not None], "lead")
    assert [(c.conversation_id, c.conflicted) for c in reopened.conversations] == [
        (conv_ids[0], True)]
    elsewhere = decide(store, [span_ids[2]], Status.APPROVED, "lead")  # no conflict there
    assert [(c.conversation_id, c.conflicted) for c in elsewhere.conversations] == [
        (conv_ids[2], False)]
    every = decide(store, span_ids, Status.REJECTED, "lead")
    assert {c.conversation_id: c.conflicted for c in every.conversations} == dict.fromkeys(
        conv_ids, False)


def test_a_decision_on_a_span_without_a_conflict_says_nothing_of_conflicts(
        store: Store, tmp_path: Path) -> None:
    _conv_ids, span_ids = conflicted_matter(store, tmp_path)
    decide(store, [span_ids[2]], Status.APPROVED, "lead")
    payload = audit_entries(store)[-1].payload
    assert "settled_conflict_ids" not in payload
    assert "reopened_conflict_ids" not in payload
    assert _listed(store) == span_ids[:2]


def test_a_new_reason_or_entity_on_the_kept_decision_settles_it_too(
        store: Store, tmp_path: Path) -> None:
    _conv_ids, span_ids = conflicted_matter(store, tmp_path)
    set_reason(store, span_ids[0], "PII", "lead")
    assert audit_entries(store)[-1].payload["settled_conflict_ids"]
    change_entity(store, span_ids[1], "ORGANIZATION", "lead")
    assert audit_entries(store)[-1].payload["settled_conflict_ids"]
    assert _listed(store) == []
    assert _filtered(store) == []


def test_the_inspector_sentence_names_the_batch_the_reviewer_and_both_decisions(
        store: Store, tmp_path: Path) -> None:
    _conv_ids, span_ids = conflicted_matter(store, tmp_path)
    assert batches.conflict_notes(store, span_ids[0]) == [
        "Batch 1 (alice) decided approve [PII]; the matter kept reject. "
        "A or R here settles it."]
    assert batches.conflict_notes(store, span_ids[2]) == []


def test_next_conflict_goes_in_reading_order_and_wraps_round(
        store: Store, tmp_path: Path) -> None:
    conv_ids, span_ids = conflicted_matter(store, tmp_path)
    first = batches.next_conflict(store, None)
    assert first is not None
    assert first.id == span_ids[0]
    second = batches.next_conflict(store, first)
    assert second is not None
    assert second.id == span_ids[1]
    again = batches.next_conflict(store, second)
    assert again is not None
    assert again.id == span_ids[0]
    assert batches.first_conflict_in(store, conv_ids[1]) == span_ids[1]
    assert batches.first_conflict_in(store, conv_ids[2]) is None
    decide(store, span_ids[:2], Status.APPROVED, "lead")
    assert batches.next_conflict(store, None) is None
