"""Review use cases: reading a conversation, pending navigation, Shift+A's span set,
manual spans, reason codes, sessions in the audit log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reviewer.domain.changes import StatusCounts
from reviewer.domain.errors import RefusedError, UsageError
from reviewer.domain.models import Origin, Status
from reviewer.ops import policies, review
from reviewer.ops.audit import audit_entries, verify_audit
from reviewer.ops.decisions import decide, set_reason, undo
from reviewer.suggest.policy import load_policy
from tests.ops.review_builders import add_branchy_chat, add_chat, add_many


def test_detail_has_spans_in_reading_order_with_texts(store: Any) -> None:
    conv_id = add_branchy_chat(store)
    detail = review.conversation_detail(store, conv_id)
    assert [detail.texts[s.id] for s in detail.spans] == ["Karl", "Karl Weber", "karl@example.org"]
    assert detail.spans[0].message_id is None


def test_pending_navigation_walks_the_store_and_wraps(store: Any) -> None:
    marks = [(0, "Ann", "PERSON"), (0, "Bo", "PERSON")]
    first = add_chat(store, "a", [("user", "Ann and Bo")], marks)
    add_chat(store, "b", [("user", "nothing")])
    third = add_chat(store, "c", [("user", "Cy")], [(0, "Cy", "PERSON")])
    span = review.first_pending_span(store)
    assert span is not None
    assert span.conversation_id == first
    order = []
    for _ in range(4):
        assert span is not None
        order.append(span.id)
        span = review.next_pending_span(store, span)
    assert order == [1, 2, 3, 1]
    decide(store, [1, 2], Status.APPROVED, "tester")
    nxt = review.next_pending_span(store, review.spans_by_id(store, [1])[0])
    assert nxt is not None
    assert nxt.conversation_id == third


def test_no_pending_span_gives_none(store: Any) -> None:
    add_many(store, 1)
    decide(store, [1], Status.REJECTED, "tester")
    assert review.first_pending_span(store) is None


def test_same_text_pending_is_store_wide_and_entity_exact(store: Any) -> None:
    add_many(store, 3, name="Ada Lovelace")
    add_chat(store, "x", [("user", "Ada Lovelace Street")], [(0, "Ada Lovelace", "LOCATION")])
    add_chat(store, "y", [("user", "Ada Lovelaces")], [(0, "Ada Lovelaces", "PERSON")])
    decide(store, [2], Status.REJECTED, "tester")
    assert review.same_text_pending(store, 1) == [1, 3]


def test_manual_span_is_approved_audited_and_its_undo_removes_it(store: Any) -> None:
    conv_id = add_chat(store, "a", [("user", "Meet Zed at noon")])
    message_id = review.conversation_detail(store, conv_id).conversation.messages[0].id
    made = review.add_manual_span(store, conv_id, message_id, 5, 8, "PERSON", "tester")
    (span,) = made.spans
    assert (span.origin, span.status, span.reason) == (Origin.MANUAL, Status.APPROVED, "MANUAL")
    assert review.span_detail(store, span.id).text == "Zed"
    assert made.totals == StatusCounts(approved=1)
    assert made.counts_of(conv_id) == StatusCounts(approved=1)
    removed = review.remove_manual_span(store, span.id, "tester")
    assert removed.removed == (span,)
    assert removed.totals == StatusCounts(approved=-1)
    assert review.conversation_detail(store, conv_id).spans == ()
    assert review.status_totals(store) == {"pending": 0, "approved": 0, "rejected": 0}
    entry = audit_entries(store)[-1]
    assert (entry.action, entry.payload["span_id"]) == ("manual_span_removed", span.id)
    assert verify_audit(store).ok


def test_only_a_manual_span_can_be_removed(store: Any) -> None:
    add_many(store, 1)
    with pytest.raises(RefusedError):
        review.remove_manual_span(store, 1, "tester")
    assert review.status_totals(store) == {"pending": 1, "approved": 0, "rejected": 0}


def test_sessions_are_recorded(store: Any) -> None:
    started = review.start_session(store, "tester")
    review.end_session(store, "tester", started, 3)
    actions = [e.action for e in audit_entries(store)]
    assert actions[-2:] == ["review_session_start", "review_session_end"]
    assert review.status_totals(store) == {"pending": 0, "approved": 0, "rejected": 0}


def test_reason_codes_fall_back_and_read_policy(tmp_path: Path) -> None:
    assert review.reason_codes(None)[0] == ("", "no reason")
    policy = tmp_path / "policy.yaml"
    policy.write_text("reason_codes:\n  PII: personal\nentities:\n  PERSON: {threshold: 0.4}\n"
                      "  NRP: {enabled: false}\n")
    custom = load_policy(policy).policy
    assert review.reason_codes(custom) == [("", "no reason"), ("PII", "personal")]
    assert review.entity_names(custom) == ["PERSON"]


def test_shipped_policy_gives_reasons_and_enabled_entities(store: Any) -> None:
    shipped = policies.policy_for_review(store)
    codes = [code for code, _label in review.reason_codes(shipped)]
    assert "PII" in codes
    entities = review.entity_names(shipped)
    assert "PERSON" in entities
    assert "NRP" not in entities


def test_changes_hold_the_spans_as_the_store_holds_them(store: Any) -> None:
    from reviewer.ops.decisions import change_entity

    add_many(store, 1)
    decided = decide(store, [1], Status.APPROVED, "tester", "PII")
    assert decided.spans == tuple(review.spans_by_id(store, [1]))
    assert (decided.totals, decided.counts_of(1)) == (StatusCounts(-1, 1, 0),
                                                      StatusCounts(0, 1, 0))
    changed = change_entity(store, 1, "LOCATION", "tester")
    assert changed.spans == tuple(review.spans_by_id(store, [1]))
    assert changed.totals == StatusCounts()
    (made,) = decided.decisions
    undone = undo(store, [made.id or 0], "tester")
    assert undone.spans == tuple(review.spans_by_id(store, [1]))
    assert undone.spans[0].status is Status.PENDING
    assert undone.totals == StatusCounts(1, -1, 0)


def test_a_decided_spans_reason_changes_audited_and_undo_brings_back_the_earlier_one(
        store: Any) -> None:
    add_many(store, 1, name="Ada Lovelace")
    first = decide(store, [1], Status.APPROVED, "tester", "PII")
    changed = set_reason(store, 1, "CONFIDENTIAL", "lead")
    (span,) = changed.spans
    assert (span.status, span.reason, span.decided_by) == (Status.APPROVED, "CONFIDENTIAL", "lead")
    assert first.totals == StatusCounts(pending=-1, approved=1)
    assert changed.totals == StatusCounts()  # the status did not move
    entry = [e for e in audit_entries(store) if e.action == "set_reason"][-1]
    assert (entry.payload["reason"], entry.payload["previous_reason"]) == ("CONFIDENTIAL", "PII")
    (back,) = undo(store, [d.id for d in changed.decisions], "lead").spans
    assert (back.status, back.reason) == (Status.APPROVED, "PII")
    assert verify_audit(store).ok


def test_a_reason_needs_a_decided_span_and_one_of_the_policys_codes(store: Any) -> None:
    add_many(store, 1, name="Ada Lovelace")
    with pytest.raises(RefusedError, match="pending"):
        set_reason(store, 1, "PII", "tester")
    decide(store, [1], Status.APPROVED, "tester")
    with pytest.raises(UsageError, match="NOT_A_CODE"):
        set_reason(store, 1, "NOT_A_CODE", "tester")
