"""Changes: counts by status, and one change followed by another."""

from __future__ import annotations

from dataclasses import replace

from reviewer.domain.changes import Changes, ConversationCounts, StatusCounts
from reviewer.domain.models import Origin, Span, Status


def _span(span_id: int, status: Status = Status.PENDING) -> Span:
    return Span(id=span_id, conversation_id=1, message_id=1, start=0, end=3, entity="PERSON",
                score=0.9, recognizer="test", origin=Origin.SUGGESTED, status=status)


def test_status_counts_add_subtract_and_read_by_status() -> None:
    counts = StatusCounts(3, 1, 0) + StatusCounts(-1, 1, 2)
    assert counts == StatusCounts(2, 2, 2)
    assert counts - StatusCounts(2, 2, 2) == StatusCounts()
    assert counts.of(Status.REJECTED) == 2
    assert StatusCounts.from_dict(counts.as_dict()) == counts
    assert StatusCounts.from_dict({"approved": 4}) == StatusCounts(approved=4)


def test_a_later_change_wins_and_totals_add_up() -> None:
    first = Changes(spans=(_span(1), _span(2)),
                    conversations=(ConversationCounts(1, StatusCounts(2, 0, 0)),),
                    totals=StatusCounts(2, 0, 0))
    approved = replace(_span(1), status=Status.APPROVED)
    later = Changes(spans=(approved,), removed=(_span(2),),
                    conversations=(ConversationCounts(1, StatusCounts(0, 1, 0)),),
                    totals=StatusCounts(-2, 1, 0))
    both = first + later
    assert both.spans == (approved,)
    assert both.removed == (_span(2),)
    assert both.counts_of(1) == StatusCounts(0, 1, 0)
    assert both.counts_of(2) is None
    assert both.totals == StatusCounts(0, 1, 0)
    assert not both.many_conversations
    assert (both + Changes(many_conversations=True)).many_conversations
