"""Deciding spans: approve, reject, change entity, undo. Each decision is
committed together with its audit entry before the call returns."""

from __future__ import annotations

from collections.abc import Sequence

from reviewer.domain.errors import RefusedError
from reviewer.domain.models import Decision, Status
from reviewer.store import audit, spans
from reviewer.store.database import Store


def decide(
    store: Store,
    span_ids: Sequence[int],
    status: Status,
    reviewer: str,
    reason: str | None = None,
) -> list[Decision]:
    """Record one decision for each span, in one transaction with one audit entry."""
    if status is Status.PENDING:
        raise RefusedError("A decision is approve or reject; use undo to return a span to pending.")
    with store.transaction() as conn:
        made = [spans.decide(conn, span_id, status, reviewer, reason) for span_id in span_ids]
        audit.append(conn, reviewer, "decide", {
            "status": str(status), "reason": reason, "span_ids": list(span_ids),
            "decision_ids": [d.id for d in made],
        })
    return made


def change_entity(store: Store, span_id: int, entity: str, reviewer: str) -> Decision:
    with store.transaction() as conn:
        made = spans.change_entity(conn, span_id, entity, reviewer)
        audit.append(conn, reviewer, "change_entity", {
            "span_id": span_id, "entity": entity, "previous_entity": made.previous_entity,
            "decision_id": made.id,
        })
    return made


def undo(store: Store, decision_ids: Sequence[int], reviewer: str) -> list[Decision]:
    """Put each decided span back as it was before the given decisions (latest first)."""
    with store.transaction() as conn:
        made = []
        for decision_id in reversed(list(decision_ids)):
            before = spans.decision(conn, decision_id)
            if before.entity != before.previous_entity and before.previous_entity is not None:
                made.append(spans.change_entity(
                    conn, before.span_id, before.previous_entity, reviewer, undo_of=decision_id
                ))
            if before.status is not before.previous_status:
                made.append(spans.decide(
                    conn, before.span_id, before.previous_status, reviewer, undo_of=decision_id
                ))
        audit.append(conn, reviewer, "undo", {
            "undone": list(decision_ids), "decision_ids": [d.id for d in made],
        })
    return made
