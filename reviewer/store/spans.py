"""Spans and their decisions. The only place that changes a span's status,
so the per-conversation counters stay true."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from reviewer.domain.errors import RefusedError
from reviewer.domain.models import Decision, Origin, Span, Status, Suggestion
from reviewer.store.schema import ConversationRow, DecisionRow, MessageRow, SpanRow
from reviewer.store.sql import driver
from reviewer.store.times import from_db, to_db, utc_now

# The write path of a decision runs at every keystroke of a reviewer: it speaks to the
# driver directly (SQLAlchemy's per-statement overhead is tens of microseconds).
COUNTER_COLUMN = {
    Status.PENDING: "n_pending",
    Status.APPROVED: "n_approved",
    Status.REJECTED: "n_rejected",
}
SPAN_COLUMNS = (
    "id", "conversation_id", "message_id", "start", "end", "entity", "score", "recognizer",
    "explanation", "origin", "status", "reason", "decided_by", "decided_at", "policy_hash",
)
SPAN_SELECT = "SELECT " + ", ".join(f'"{c}"' for c in SPAN_COLUMNS) + " FROM spans"
SPAN_INSERT = (
    'INSERT INTO spans (conversation_id, message_id, start, "end", entity, score, recognizer, '
    "explanation, origin, status, reason, decided_by, decided_at, policy_hash, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?)"
)
DECISION_INSERT = (
    "INSERT INTO decisions (span_id, status, previous_status, entity, previous_entity, reason, "
    "reviewer, decided_at, undo_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _bump(conn: Connection, conv_id: int, status: Status, delta: int) -> None:
    column = COUNTER_COLUMN[status]
    driver(conn).execute(
        f"UPDATE conversations SET {column} = {column} + ? WHERE id = ?", (delta, conv_id)
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
    now = utc_now()
    raw = driver(conn)
    ids = []
    for s in suggestions:
        decided = s.status is not Status.PENDING
        cursor = raw.execute(SPAN_INSERT, (
            conversation_id, message_id, s.start, s.end, s.entity, s.score, s.recognizer,
            json.dumps(s.explanation, sort_keys=True, ensure_ascii=False), str(s.origin),
            str(s.status), decided_by if decided else None, now if decided else None,
            policy_hash, now,
        ))
        ids.append(int(cursor.lastrowid))
    for status in {s.status for s in suggestions}:
        _bump(conn, conversation_id, status, sum(1 for s in suggestions if s.status is status))
    return ids


def get(conn: Connection, span_id: int) -> Span:
    row = driver(conn).execute(f"{SPAN_SELECT} WHERE id = ?", (span_id,)).fetchone()
    if row is None:
        raise RefusedError(f"There is no span {span_id} in this store.")
    return span_from_row(dict(zip(SPAN_COLUMNS, row, strict=True)))


def for_conversation(conn: Connection, conv_id: int) -> list[Span]:
    query = (
        select(SpanRow).where(SpanRow.conversation_id == conv_id)
        .order_by(SpanRow.message_id.is_not(None), SpanRow.message_id, SpanRow.start)
    )
    return [span_from_row(r._mapping) for r in conn.execute(query).all()]


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
        yield from (span_from_row(r._mapping) for r in rows)
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
    decided = status is not Status.PENDING
    driver(conn).execute(
        "UPDATE spans SET status = ?, reason = ?, decided_by = ?, decided_at = ? WHERE id = ?",
        (str(status), reason, reviewer if decided else None, to_db(now) if decided else None,
         span_id),
    )
    if status is not span.status:
        _bump(conn, span.conversation_id, span.status, -1)
        _bump(conn, span.conversation_id, status, 1)
    return _record(conn, Decision(
        span_id=span_id, status=status, previous_status=span.status, reviewer=reviewer,
        decided_at=now, reason=reason, entity=span.entity,
        previous_entity=span.entity, undo_of=undo_of,
    ))


# The reason of the decision that records a span revealed by rejecting the span
# over it (its first decision: a span a reviewer touched survives re-analysis).
REVEALED = "REVEALED"


def reveal(conn: Connection, parent: Span, rejected: Decision,
           found: Sequence[Suggestion]) -> list[int]:
    """Store ``found`` as pending spans of ``parent``'s text, revealed by ``rejected``."""
    link = {"span_id": parent.id, "decision_id": rejected.id}
    marked = [replace(s, explanation={**s.explanation, "revealed_by": link}) for s in found]
    ids = add(conn, parent.conversation_id, parent.message_id, marked, parent.policy_hash)
    for span_id, s in zip(ids, marked, strict=True):
        _record(conn, Decision(
            span_id=span_id, status=Status.PENDING, previous_status=Status.PENDING,
            reviewer=rejected.reviewer, decided_at=rejected.decided_at, reason=REVEALED,
            entity=s.entity, previous_entity=s.entity,
        ))
    return ids


def revealed_by(conn: Connection, conversation_id: int, decision_id: int) -> list[Span]:
    """The spans the decision ``decision_id`` revealed (see ``reveal``)."""
    return [s for s in for_conversation(conn, conversation_id)
            if s.explanation.get("revealed_by", {}).get("decision_id") == decision_id]


def withdraw(conn: Connection, span: Span) -> None:
    """Remove a revealed span, with its decisions, when the reject that revealed it
    is undone."""
    raw = driver(conn)
    raw.execute("DELETE FROM decisions WHERE span_id = ?", (span.id,))
    raw.execute("DELETE FROM spans WHERE id = ?", (span.id,))
    _bump(conn, span.conversation_id, span.status, -1)


def change_entity(
    conn: Connection, span_id: int, entity: str, reviewer: str, undo_of: int | None = None
) -> Decision:
    span = get(conn, span_id)
    driver(conn).execute("UPDATE spans SET entity = ? WHERE id = ?", (entity, span_id))
    return _record(conn, Decision(
        span_id=span_id, status=span.status, previous_status=span.status, reviewer=reviewer,
        decided_at=datetime.now(UTC), entity=entity,
        previous_entity=span.entity, undo_of=undo_of,
    ))


def _record(conn: Connection, d: Decision) -> Decision:
    cursor = driver(conn).execute(DECISION_INSERT, (
        d.span_id, str(d.status), str(d.previous_status), d.entity, d.previous_entity, d.reason,
        d.reviewer, to_db(d.decided_at), d.undo_of,
    ))
    return replace(d, id=int(cursor.lastrowid))


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


def span_from_row(row: Mapping[Any, Any]) -> Span:
    return Span(
        id=row["id"], conversation_id=row["conversation_id"], message_id=row["message_id"],
        start=row["start"], end=row["end"], entity=row["entity"], score=row["score"],
        recognizer=row["recognizer"], origin=Origin(row["origin"]),
        status=Status(row["status"]), explanation=json.loads(row["explanation"] or "{}"),
        reason=row["reason"], decided_by=row["decided_by"],
        decided_at=from_db(row["decided_at"]), policy_hash=row["policy_hash"],
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
