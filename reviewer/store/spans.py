"""Spans and their decisions, and what a change of them changed.

The per-conversation counters follow every insert, delete and change of status
by themselves (``schema.COUNTER_TRIGGERS``); :func:`watch` and :func:`changes`
read them before and after an operation, in its transaction, into the
:class:`~reviewer.domain.changes.Changes` it returns."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from reviewer.domain.changes import Changes, ConversationCounts, StatusCounts
from reviewer.domain.errors import RefusedError
from reviewer.domain.models import Decision, Origin, Span, Status, Suggestion
from reviewer.store.schema import (
    CONFLICTED_CONVERSATIONS,
    ConversationRow,
    DecisionRow,
    MessageRow,
    SpanRow,
)
from reviewer.store.sql import driver
from reviewer.store.times import from_db, to_db, utc_now

# The write path of a decision runs at every keystroke of a reviewer: it speaks to the
# driver directly (SQLAlchemy's per-statement overhead is tens of microseconds).
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
    """Remove a span with its decisions: a revealed one when the reject that revealed
    it is undone, a manual one when its making is undone."""
    raw = driver(conn)
    raw.execute("DELETE FROM decisions WHERE span_id = ?", (span.id,))
    raw.execute("DELETE FROM spans WHERE id = ?", (span.id,))


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


# --- what an operation changed -------------------------------------------------------------

ID_CHUNK = 500  # ids per IN (...): well under SQLite's limit on bound parameters


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    items = sorted(set(ids))
    for at in range(0, len(items), ID_CHUNK):
        yield items[at:at + ID_CHUNK]


def _ids_in(conn: Connection, query: str, ids: Iterable[int]) -> set[int]:
    """The first column of ``query`` completed by ``IN (...)`` of ``ids``, a chunk at a time."""
    raw = driver(conn)
    found: set[int] = set()
    for chunk in _chunks(ids):
        found.update(int(r[0]) for r in raw.execute(
            f"{query} IN ({', '.join('?' * len(chunk))})", chunk))
    return found


def conversations_of(conn: Connection, span_ids: Iterable[int]) -> set[int]:
    """The conversations holding these spans."""
    return _ids_in(conn, "SELECT DISTINCT conversation_id FROM spans WHERE id", span_ids)


def watch(conn: Connection, conv_ids: Iterable[int]) -> dict[int, StatusCounts]:
    """The counters of these conversations as the store holds them now."""
    raw = driver(conn)
    counts: dict[int, StatusCounts] = {}
    for chunk in _chunks(conv_ids):
        marks = ", ".join("?" * len(chunk))
        for conv_id, *row in raw.execute(
                "SELECT id, n_pending, n_approved, n_rejected FROM conversations "
                f"WHERE id IN ({marks})", chunk):
            counts[int(conv_id)] = StatusCounts(*row)
    return counts


def conflicted_among(conn: Connection, conv_ids: Iterable[int]) -> set[int]:
    """Those of these conversations holding a span with an open batch conflict."""
    return _ids_in(conn, f"{CONFLICTED_CONVERSATIONS} AND s.conversation_id", conv_ids)


def changes(conn: Connection, before: Mapping[int, StatusCounts], *,
            decisions: Sequence[Decision] = (), span_ids: Iterable[int] = (),
            removed: Sequence[Span] = ()) -> Changes:
    """What changed since :func:`watch` gave ``before``, read in the same transaction:
    the spans ``span_ids`` as they are now, the counters of the watched
    conversations and whether each still holds an open batch conflict (a decision
    settles one, its undo opens it again), and the change in the store's totals (theirs)."""
    after = watch(conn, before)
    conflicted = conflicted_among(conn, after)
    return Changes(
        decisions=tuple(decisions),
        spans=tuple(get(conn, span_id) for span_id in dict.fromkeys(span_ids)),
        removed=tuple(removed),
        conversations=tuple(ConversationCounts(c, after[c], c in conflicted)
                            for c in sorted(after)),
        totals=sum((after[c] - before[c] for c in after), StatusCounts()),
    )
