"""Rejecting a merged span reveals the suggestions of another entity under it:
an address over two IP addresses, rejected, leaves both addresses reviewable.
Checked through the operations layer: counts, undo, re-analysis, audit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reviewer.domain.models import Status
from reviewer.ops import review
from reviewer.ops.audit import audit_entries, verify_audit
from reviewer.ops.decisions import decide, undo
from reviewer.ops.exporting import PendingRefusedError, export_packet
from tests.export.builders import mark_all_analysed
from tests.ops.review_builders import add_merged_address


def _texts(store: Any, conv_id: int) -> list[tuple[str, str, str]]:
    detail = review.conversation_detail(store, conv_id)
    return [(detail.texts[s.id], s.entity, str(s.status)) for s in detail.spans]


def test_rejecting_a_merged_span_reveals_each_other_entity_under_it(store: Any) -> None:
    conv_id, span_id = add_merged_address(store)
    (made,) = decide(store, [span_id], Status.REJECTED, "tester", "FALSE_POSITIVE").decisions
    assert made.status is Status.REJECTED
    assert _texts(store, conv_id) == [
        ("10.40.0.1 255.255.255.0\n ip helper-address 10.0.0.5", "ADDRESS", "rejected"),
        ("10.40.0.1", "IP_ADDRESS", "pending"),
        ("255.255.255.0", "IP_ADDRESS", "pending"),
        ("10.0.0.5", "IP_ADDRESS", "pending"),
    ]
    assert review.status_totals(store) == {"pending": 3, "approved": 0, "rejected": 1}


def test_a_revealed_span_says_why_and_has_a_history(store: Any) -> None:
    conv_id, span_id = add_merged_address(store)
    (made,) = decide(store, [span_id], Status.REJECTED, "tester").decisions
    revealed = [s for s in review.conversation_detail(store, conv_id).spans if s.id != span_id]
    first = revealed[0]
    assert first.explanation["revealed_by"] == {"span_id": span_id, "decision_id": made.id}
    assert first.recognizer == "IpRecognizer"
    (history,) = review.span_detail_history(store, first.id)
    assert (history.reviewer, history.reason, history.status) == ("tester", "REVEALED",
                                                                  Status.PENDING)
    entry = audit_entries(store)[-1]
    assert entry.action == "decide"
    assert entry.payload["revealed_span_ids"] == [s.id for s in revealed]


def test_undoing_the_reject_withdraws_what_it_revealed(store: Any) -> None:
    conv_id, span_id = add_merged_address(store)
    before = _texts(store, conv_id)
    made = decide(store, [span_id], Status.REJECTED, "tester").decisions
    revealed = [s.id for s in review.conversation_detail(store, conv_id).spans if s.id != span_id]
    undo(store, [d.id for d in made if d.id is not None], "tester")
    assert _texts(store, conv_id) == before
    assert review.status_totals(store) == {"pending": 1, "approved": 0, "rejected": 0}
    assert audit_entries(store)[-1].payload["withdrawn_span_ids"] == revealed
    assert verify_audit(store).ok


def test_undo_keeps_a_revealed_span_a_reviewer_decided(store: Any) -> None:
    conv_id, span_id = add_merged_address(store)
    made = decide(store, [span_id], Status.REJECTED, "tester").decisions
    first = next(s for s in review.conversation_detail(store, conv_id).spans if s.id != span_id)
    decide(store, [first.id], Status.APPROVED, "tester")
    undo(store, [d.id for d in made if d.id is not None], "tester")
    assert _texts(store, conv_id) == [
        ("10.40.0.1 255.255.255.0\n ip helper-address 10.0.0.5", "ADDRESS", "pending"),
        ("10.40.0.1", "IP_ADDRESS", "approved"),
    ]
    assert review.status_totals(store) == {"pending": 1, "approved": 1, "rejected": 0}


def test_rejecting_again_after_undo_reveals_again_and_never_twice(store: Any) -> None:
    conv_id, span_id = add_merged_address(store)
    made = decide(store, [span_id], Status.REJECTED, "tester").decisions
    undo(store, [d.id for d in made if d.id is not None], "tester")
    decide(store, [span_id], Status.REJECTED, "tester")
    decide(store, [span_id], Status.REJECTED, "tester")
    assert [t for t, _, _ in _texts(store, conv_id)][1:] == ["10.40.0.1", "255.255.255.0",
                                                             "10.0.0.5"]


def test_approving_reveals_nothing(store: Any) -> None:
    conv_id, span_id = add_merged_address(store)
    decide(store, [span_id], Status.APPROVED, "tester")
    assert len(_texts(store, conv_id)) == 1


def test_a_revealed_span_is_not_replaced_by_re_analysis(store: Any) -> None:
    from reviewer.store import analysis

    conv_id, span_id = add_merged_address(store)
    decide(store, [span_id], Status.REJECTED, "tester")
    message_id = review.conversation_detail(store, conv_id).conversation.messages[0].id
    with store.transaction() as conn:
        assert analysis.clear_replaceable(conn, conv_id, message_id) == 0
    assert len(_texts(store, conv_id)) == 4


def test_the_export_waits_for_revealed_spans_and_redacts_those_approved(
        store: Any, tmp_path: Path) -> None:
    conv_id, span_id = add_merged_address(store)
    messages = review.conversation_detail(store, conv_id).conversation.messages
    mark_all_analysed(store, conv_id, [m.id for m in messages if m.id is not None])
    decide(store, [span_id], Status.REJECTED, "tester")
    with pytest.raises(PendingRefusedError):
        export_packet(store, tmp_path / "refused", "tester")
    revealed = [s.id for s in review.conversation_detail(store, conv_id).spans if s.id != span_id]
    decide(store, revealed, Status.APPROVED, "tester")
    export_packet(store, tmp_path / "out", "tester")
    text = (next((tmp_path / "out").rglob("*.txt"))).read_text(encoding="utf-8")
    assert "ip helper-address" in text
    for address in ("10.40.0.1", "255.255.255.0", "10.0.0.5"):
        assert address not in text
