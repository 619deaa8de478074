"""Spans and their decisions. The only place that changes a span's status,
so the per-conversation counters stay true."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from reviewer.domain.errors import RefusedError
from reviewer.domain.models import Decision, Origin, Span, Status, Suggestion
from reviewer.store.schema import ConversationRow, DecisionRow, MessageRow, SpanRow
from reviewer.store.sql import inserted_id
from reviewer.store.times import from_db, to_db, utc_now

COUNTER = {
    Status.PENDING: ConversationRow.n_pending,
    Status.APPROVED: ConversationRow.n_approved,
    Status.REJECTED: ConversationRow.n_rejected,
}


def _bump(conn: Connection, conv_id: int, status: Status, delta: int) -> None:
    column = COUNTER[status]
    conn.execute(
        update(ConversationRow).where(ConversationRow.id == conv_id)
        .values({column.key: column + delta})
    )


def add(
    conn: Connection,
    conversation_id: int,
    message_id: int | None,
    suggestions: Sequence[Suggestion],
    policy_hash: str | None,
    decided_by: str | None = None,
) -> list[int]:
    """Store new spans of one message (or of the title when ``message_id`` is None)."""
    if not suggestions:
        return []
    now = utc_now()
    ids = []
    for s in suggestions:
        decided = s.status is not Status.PENDING
        result = conn.execute(insert(SpanRow).values(
            conversation_id=conversation_id, message_id=message_id, start=s.start, end=s.end,
            entity=s.entity, score=s.score, recognizer=s.recognizer,
            explanation=json.dumps(s.explanation, sort_keys=True, ensure_ascii=False),
            origin=str(s.origin), status=str(s.status), reason=None,
            decided_by=decided_by if decided else None, decided_at=now if decided else None,
            policy_hash=policy_hash, created_at=now,
        ))
        ids.append(inserted_id(result))
        _bump(conn, conversation_id, s.status, 1)
    return ids


def get(conn: Connection, span_id: int) -> Span:
    row = conn.execute(select(SpanRow).where(SpanRow.id == span_id)).first()
    if row is None:
        raise RefusedError(f"There is no span {span_id} in this store.")
    return _span(row)


def for_conversation(conn: Connection, conv_id: int) -> list[Span]:
    query = (
        select(SpanRow).where(SpanRow.conversation_id == conv_id)
        .order_by(SpanRow.message_id.is_not(None), SpanRow.message_id, SpanRow.start)
    )
    return [_span(r) for r in conn.execute(query).all()]


def for_message(conn: Connection, message_id: int) -> list[Span]:
    query = select(SpanRow).where(SpanRow.message_id == message_id).order_by(SpanRow.start)
    return [_span(r) for r in conn.execute(query).all()]


def iterate(
    conn: Connection,
    *,
    status: Status | None = None,
    entity: str | None = None,
    page: int = 1000,
) -> Iterator[Span]:
    """Every matching span in id order, read in keyset pages."""
    after = 0
    while True:
        query = select(SpanRow).where(SpanRow.id > after)
        if status is not None:
            query = query.where(SpanRow.status == str(status))
        if entity is not None:
            query = query.where(SpanRow.entity == entity)
        rows = conn.execute(query.order_by(SpanRow.id).limit(page)).all()
        yield from (_span(r) for r in rows)
        if len(rows) < page:
            return
        after = rows[-1].id


def span_locations(conn: Connection, span_ids: Sequence[int]) -> dict[int, tuple[str, int | None]]:
    """span id -> (conversation source id, message index) for listing spans."""
    query = (
        select(SpanRow.id, ConversationRow.source_id, MessageRow.idx)
        .join(ConversationRow, ConversationRow.id == SpanRow.conversation_id)
        .outerjoin(MessageRow, MessageRow.id == SpanRow.message_id)
        .where(SpanRow.id.in_(list(span_ids)))
    )
    return {row[0]: (row[1], row[2]) for row in conn.execute(query).all()}


def decide(
    conn: Connection,
    span_id: int,
    status: Status,
    reviewer: str,
    reason: str | None = None,
    undo_of: int | None = None,
) -> Decision:
    """Set a span's status and record the decision; returns the decision."""
    span = get(conn, span_id)
    now = datetime.now(UTC)
    conn.execute(update(SpanRow).where(SpanRow.id == span_id).values(
        status=str(status), reason=reason,
        decided_by=None if status is Status.PENDING else reviewer,
        decided_at=None if status is Status.PENDING else to_db(now),
    ))
    if status is not span.status:
        _bump(conn, span.conversation_id, span.status, -1)
        _bump(conn, span.conversation_id, status, 1)
    return _record(conn, Decision(
        span_id=span_id, status=status, previous_status=span.status, reviewer=reviewer,
        decided_at=now, reason=reason, entity=span.entity,
        previous_entity=span.entity, undo_of=undo_of,
    ))


def change_entity(
    conn: Connection, span_id: int, entity: str, reviewer: str, undo_of: int | None = None
) -> Decision:
    span = get(conn, span_id)
    now = datetime.now(UTC)
    conn.execute(update(SpanRow).where(SpanRow.id == span_id).values(entity=entity))
    return _record(conn, Decision(
        span_id=span_id, status=span.status, previous_status=span.status, reviewer=reviewer,
        decided_at=now, entity=entity,
        previous_entity=span.entity, undo_of=undo_of,
    ))


def _record(conn: Connection, d: Decision) -> Decision:
    result = conn.execute(insert(DecisionRow).values(
        span_id=d.span_id, status=str(d.status), previous_status=str(d.previous_status),
        entity=d.entity, previous_entity=d.previous_entity, reason=d.reason,
        reviewer=d.reviewer, decided_at=to_db(d.decided_at), undo_of=d.undo_of,
    ))
    return Decision(**{**d.__dict__, "id": inserted_id(result)})


def history(conn: Connection, span_id: int) -> list[Decision]:
    rows = conn.execute(
        select(DecisionRow).where(DecisionRow.span_id == span_id).order_by(DecisionRow.id)
    ).all()
    return [_decision(r) for r in rows]


def decision(conn: Connection, decision_id: int) -> Decision:
    row = conn.execute(select(DecisionRow).where(DecisionRow.id == decision_id)).first()
    if row is None:
        raise RefusedError(f"There is no decision {decision_id} in this store.")
    return _decision(row)


def totals(conn: Connection) -> dict[str, dict[str, int]]:
    """entity -> {status: count}, for ``stats``."""
    query = select(SpanRow.entity, SpanRow.status, func.count()).group_by(
        SpanRow.entity, SpanRow.status
    )
    out: dict[str, dict[str, int]] = {}
    for entity, status, count in conn.execute(query).all():
        out.setdefault(entity, {})[status] = int(count)
    return out


def _span(row: Any) -> Span:
    return Span(
        id=row.id, conversation_id=row.conversation_id, message_id=row.message_id,
        start=row.start, end=row.end, entity=row.entity, score=row.score,
        recognizer=row.recognizer, origin=Origin(row.origin), status=Status(row.status),
        explanation=json.loads(row.explanation or "{}"), reason=row.reason,
        decided_by=row.decided_by, decided_at=from_db(row.decided_at),
        policy_hash=row.policy_hash,
    )


def _decision(row: Any) -> Decision:
    decided_at = from_db(row.decided_at)
    assert decided_at is not None
    return Decision(
        span_id=row.span_id, status=Status(row.status),
        previous_status=Status(row.previous_status), reviewer=row.reviewer,
        decided_at=decided_at, reason=row.reason, entity=row.entity,
        previous_entity=row.previous_entity, undo_of=row.undo_of, id=row.id,
    )
