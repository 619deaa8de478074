"""Review batches in the store: copying a matter's conversations into a batch
store, and the matter's record of the batches it issued and merged (schema 6).

A batch keeps the matter's ids for what it copies (conversations, messages,
spans, decisions), so span 17 is span 17 in both; what a reviewer adds in the
batch gets the batch's own ids, mapped to new matter ids when it is merged.
The matter keeps, per batch and span, the state the batch started from (or was
last merged at): the base of a three-way comparison at merge time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from reviewer.domain.models import Decision, Span, Status
from reviewer.store import conversations, meta
from reviewer.store.schema import OPEN_CONFLICT, RECOUNT, Base
from reviewer.store.spans import DECISION_INSERT, SPAN_COLUMNS, SPAN_SELECT, span_from_row
from reviewer.store.sql import driver
from reviewer.store.times import from_db, to_db, utc_now

BATCH_META = "batch"  # in a batch store: JSON of BatchIdentity
ID_CHUNK = 500

# What a batch copies, in an order that keeps foreign keys satisfied; the rows of
# each table chosen by the conversations of the batch.
_COPIED = (
    ("sources", "id IN (SELECT source_file_id FROM conversations WHERE id IN ({ids}))"),
    ("conversations", "id IN ({ids})"),
    ("messages", "conversation_id IN ({ids})"),
    ("spans", "conversation_id IN ({ids})"),
    ("decisions", "span_id IN (SELECT id FROM spans WHERE conversation_id IN ({ids}))"),
)
# Meta values of the matter a batch carries: the policy in force.
_CARRIED_META = ("custom_policy_source", "custom_policy_text")


@dataclass(frozen=True)
class BatchIdentity:
    """Which batch of which matter a batch store is (``meta.batch`` of the batch)."""

    matter_store_id: str
    matter_name: str
    batch_id: str
    number: int
    of: int
    matter_head_seq: int
    matter_head_hash: str
    decisions_upto: int

    def as_json(self) -> str:
        return json.dumps(self.__dict__, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> BatchIdentity:
        return cls(**json.loads(text))


def identity(conn: Connection) -> BatchIdentity | None:
    """The batch identity of this store; None for a matter."""
    text = meta.get(conn, BATCH_META)
    return BatchIdentity.from_json(text) if text else None


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    items = sorted(set(ids))
    for at in range(0, len(items), ID_CHUNK):
        yield items[at:at + ID_CHUNK]


def _columns(table: str) -> list[str]:
    return [c.name for c in Base.metadata.tables[table].columns]


# --- splitting ---------------------------------------------------------------------------------


def conversation_order(conn: Connection, by: str) -> list[tuple[int, int]]:
    """(conversation id, pending spans) of every conversation, in the order ``by`` names:
    'order' (as imported), 'source' (by source file) or 'pending' (most pending first)."""
    order = {"order": "id", "source": "coalesce(source_file_id, 0), id",
             "pending": "n_pending DESC, id"}[by]
    rows = driver(conn).execute(f"SELECT id, n_pending FROM conversations ORDER BY {order}")
    return [(int(r[0]), int(r[1])) for r in rows]


def max_decision_id(conn: Connection) -> int:
    return int(driver(conn).execute("SELECT coalesce(max(id), 0) FROM decisions").fetchone()[0])


def copy_conversations(matter: Connection, batch: Connection, conv_ids: Sequence[int]) -> int:
    """Copy these conversations with their messages, spans and decisions (ids kept);
    index their text for search and count their spans. Returns the spans copied."""
    source, target = driver(matter), driver(batch)
    for chunk in _chunks(conv_ids):
        marks = ", ".join("?" * len(chunk))
        for table, where in _COPIED:
            cols = _columns(table)
            listed = ", ".join(f'"{c}"' for c in cols)
            rows = source.execute(f"SELECT {listed} FROM {table} WHERE "
                                  f"{where.format(ids=marks)}", chunk).fetchall()
            target.executemany(f"INSERT OR IGNORE INTO {table} ({listed}) VALUES "
                               f"({', '.join('?' * len(cols))})", rows)
    for ddl in RECOUNT:
        batch.exec_driver_sql(ddl)
    conversations.index_new_text(batch)
    return int(target.execute("SELECT count(*) FROM spans").fetchone()[0])


def make_batch(matter: Connection, batch: Connection, who: BatchIdentity) -> None:
    """The batch's meta: its identity and the matter's policy; no signing key."""
    for key in _CARRIED_META:
        value = meta.get(matter, key)
        if value is not None:
            meta.put(batch, key, value)
    meta.put(batch, BATCH_META, who.as_json())
    batch.exec_driver_sql("DELETE FROM meta WHERE key = 'signing_key'")


def record_batch(conn: Connection, who: BatchIdentity, file_name: str, conv_ids: Sequence[int],
                 actor: str) -> int:
    """The matter's record of one batch issued: its conversations and the state of
    each of their spans (the base of later merges). Returns the spans recorded."""
    raw = driver(conn)
    raw.execute(
        "INSERT INTO batches (batch_id, number, file_name, conversations, decisions_upto, "
        "matter_head_seq, matter_head_hash, created_at, created_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (who.batch_id, who.number, file_name, len(conv_ids), who.decisions_upto,
         who.matter_head_seq, who.matter_head_hash, utc_now(), actor))
    raw.executemany("INSERT INTO batch_conversations (batch_id, conversation_id) VALUES (?, ?)",
                    [(who.batch_id, c) for c in conv_ids])
    count = 0
    for chunk in _chunks(conv_ids):
        marks = ", ".join("?" * len(chunk))
        rows = raw.execute(
            f"SELECT id, status, entity, reason FROM spans WHERE conversation_id IN ({marks})",
            chunk).fetchall()
        raw.executemany(
            "INSERT INTO batch_spans (batch_id, batch_span_id, span_id, status, entity, reason) "
            "VALUES (?, ?, ?, ?, ?, ?)", [(who.batch_id, r[0], r[0], *r[1:]) for r in rows])
        count += len(rows)
    return count


# --- the matter's record, read at merge time -----------------------------------------------------


@dataclass(frozen=True)
class IssuedBatch:
    """A batch as the matter recorded it when it was split off."""

    batch_id: str
    number: int
    file_name: str
    decisions_upto: int
    matter_head_seq: int
    matter_head_hash: str


def issued(conn: Connection, batch_id: str) -> IssuedBatch | None:
    row = driver(conn).execute(
        "SELECT batch_id, number, file_name, decisions_upto, matter_head_seq, matter_head_hash "
        "FROM batches WHERE batch_id = ?", (batch_id,)).fetchone()
    return IssuedBatch(*row) if row else None


@dataclass(frozen=True)
class MergedHead:
    """The batch's audit head at its latest merge, and its last decision then taken."""

    head_seq: int
    head_hash: str
    decisions_upto: int


def last_merge(conn: Connection, batch_id: str) -> MergedHead | None:
    row = driver(conn).execute(
        "SELECT head_seq, head_hash, decisions_upto FROM batch_merges WHERE batch_id = ? "
        "ORDER BY id DESC LIMIT 1", (batch_id,)).fetchone()
    return MergedHead(*row) if row else None


def record_merge(conn: Connection, batch_id: str, head: MergedHead, audit_seq: int,
                 actor: str) -> None:
    driver(conn).execute(
        "INSERT INTO batch_merges (batch_id, head_seq, head_hash, decisions_upto, audit_seq, "
        "merged_at, merged_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (batch_id, head.head_seq, head.head_hash, head.decisions_upto, audit_seq, utc_now(),
         actor))


State = tuple[str, str, str | None]  # status, entity, reason


def state_of(span: Span) -> State:
    return (str(span.status), span.entity, span.reason)


def bases(conn: Connection, batch_id: str) -> dict[int, tuple[int, State]]:
    """batch span id -> (matter span id, the state last agreed) for one batch."""
    rows = driver(conn).execute(
        "SELECT batch_span_id, span_id, status, entity, reason FROM batch_spans "
        "WHERE batch_id = ?", (batch_id,))
    return {int(r[0]): (int(r[1]), (r[2], r[3], r[4])) for r in rows}


def set_base(conn: Connection, batch_id: str, batch_span_id: int, span_id: int,
             state: State) -> None:
    driver(conn).execute(
        "INSERT INTO batch_spans (batch_id, batch_span_id, span_id, status, entity, reason) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (batch_id, batch_span_id) DO UPDATE SET "
        "span_id = excluded.span_id, status = excluded.status, entity = excluded.entity, "
        "reason = excluded.reason", (batch_id, batch_span_id, span_id, *state))


def drop_base(conn: Connection, batch_id: str, batch_span_id: int) -> None:
    """Forget a span the batch no longer holds (its withdrawal is merged or listed)."""
    driver(conn).execute("DELETE FROM batch_spans WHERE batch_id = ? AND batch_span_id = ?",
                         (batch_id, batch_span_id))


def batch_conversation_ids(conn: Connection, batch_id: str) -> set[int]:
    return {int(r[0]) for r in driver(conn).execute(
        "SELECT conversation_id FROM batch_conversations WHERE batch_id = ?", (batch_id,))}


# --- reading a batch ----------------------------------------------------------------------------


def all_spans(conn: Connection) -> dict[int, Span]:
    rows = driver(conn).execute(SPAN_SELECT).fetchall()
    found = (span_from_row(dict(zip(SPAN_COLUMNS, r, strict=True))) for r in rows)
    return {s.id: s for s in found}


def find_span(conn: Connection, span_id: int) -> Span | None:
    row = driver(conn).execute(f"{SPAN_SELECT} WHERE id = ?", (span_id,)).fetchone()
    return span_from_row(dict(zip(SPAN_COLUMNS, row, strict=True))) if row else None


def decisions_after(conn: Connection, after: int) -> list[Decision]:
    """Every decision with an id above ``after``, in id order."""
    rows = driver(conn).execute(
        "SELECT id, span_id, status, previous_status, entity, previous_entity, reason, "
        "reviewer, decided_at, undo_of FROM decisions WHERE id > ? ORDER BY id", (after,))
    return [_decision(r) for r in rows]


def _decision(row: Sequence[Any]) -> Decision:
    decided_at = from_db(row[8])
    assert decided_at is not None
    return Decision(
        id=row[0], span_id=row[1], status=Status(row[2]), previous_status=Status(row[3]),
        entity=row[4], previous_entity=row[5], reason=row[6], reviewer=row[7],
        decided_at=decided_at, undo_of=row[9])


def message_text(conn: Connection, message_id: int | None, conversation_id: int) -> str | None:
    """The text a span lies in: its message's, or its conversation's title."""
    raw = driver(conn)
    if message_id is None:
        row = raw.execute("SELECT title FROM conversations WHERE id = ?",
                          (conversation_id,)).fetchone()
    else:
        row = raw.execute("SELECT text FROM messages WHERE id = ? AND conversation_id = ?",
                          (message_id, conversation_id)).fetchone()
    return None if row is None else (row[0] or "")


# --- bringing a batch's work into the matter ------------------------------------------------------


def apply_state(conn: Connection, span_id: int, theirs: Span) -> None:
    """Give the matter's span the status, entity, reason and decider of the batch's."""
    driver(conn).execute(
        "UPDATE spans SET status = ?, entity = ?, reason = ?, decided_by = ?, decided_at = ? "
        "WHERE id = ?", (str(theirs.status), theirs.entity, theirs.reason, theirs.decided_by,
                         to_db(theirs.decided_at), span_id))


def insert_span(conn: Connection, theirs: Span, explanation: dict[str, Any]) -> int:
    """A span made in the batch (manual, revealed), as a new matter span."""
    cursor = driver(conn).execute(
        'INSERT INTO spans (conversation_id, message_id, start, "end", entity, score, '
        "recognizer, explanation, origin, status, reason, decided_by, decided_at, policy_hash, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (theirs.conversation_id, theirs.message_id, theirs.start, theirs.end, theirs.entity,
         theirs.score, theirs.recognizer, json.dumps(explanation, sort_keys=True,
                                                     ensure_ascii=False),
         str(theirs.origin), str(theirs.status), theirs.reason, theirs.decided_by,
         to_db(theirs.decided_at), theirs.policy_hash, utc_now()))
    return int(cursor.lastrowid)


def same_place_span(conn: Connection, theirs: Span) -> Span | None:
    """A matter span over exactly the text ``theirs`` covers, if there is one."""
    row = driver(conn).execute(
        f"{SPAN_SELECT} WHERE conversation_id = ? AND message_id IS ? AND start = ? "
        'AND "end" = ?', (theirs.conversation_id, theirs.message_id, theirs.start,
                          theirs.end)).fetchone()
    return span_from_row(dict(zip(SPAN_COLUMNS, row, strict=True))) if row else None


def insert_decision(conn: Connection, d: Decision) -> int:
    cursor = driver(conn).execute(DECISION_INSERT, (
        d.span_id, str(d.status), str(d.previous_status), d.entity, d.previous_entity, d.reason,
        d.reviewer, to_db(d.decided_at), d.undo_of))
    return int(cursor.lastrowid)


# --- conflicts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Conflict:
    """A span the batch decided otherwise than the matter now holds; the matter's stays."""

    span_id: int
    batch_id: str
    kind: str  # 'decided' (both changed it) or 'removed' (the batch removed the span)
    batch_state: State
    batch_reviewer: str | None
    batch_decided_at: str | None
    matter_state: State | None
    found_at: str = ""
    id: int | None = None
    batch_number: int | None = None  # the batch's number in the split, as read back


def record_conflict(conn: Connection, c: Conflict) -> bool:
    """Record a conflict unless the same one is already open; True when recorded."""
    raw = driver(conn)
    status, entity, reason = c.batch_state
    same = raw.execute(
        "SELECT 1 FROM batch_conflicts WHERE batch_id = ? AND span_id = ? AND kind = ? "
        "AND status = ? AND entity = ? AND reason IS ? AND resolved_at IS NULL",
        (c.batch_id, c.span_id, c.kind, status, entity, reason)).fetchone()
    if same:
        return False
    m_status, m_entity, m_reason = c.matter_state or (None, None, None)
    raw.execute(
        "INSERT INTO batch_conflicts (batch_id, span_id, kind, status, entity, reason, "
        "decided_by, decided_at, matter_status, matter_entity, matter_reason, "
        "matter_decisions_upto, found_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (c.batch_id, c.span_id, c.kind, status, entity, reason, c.batch_reviewer,
         c.batch_decided_at, m_status, m_entity, m_reason, max_decision_id(conn), utc_now()))
    return True


_CONFLICT_SELECT = (
    "SELECT c.id, c.span_id, c.batch_id, c.kind, c.status, c.entity, c.reason, "
    "c.decided_by, c.decided_at, c.matter_status, c.matter_entity, c.matter_reason, "
    "c.found_at, b.number FROM batch_conflicts c LEFT JOIN batches b ON b.batch_id = c.batch_id "
    f"WHERE {OPEN_CONFLICT}")


def open_conflicts(conn: Connection, span_ids: Sequence[int] | None = None) -> list[Conflict]:
    """Conflicts a lead has not yet settled (``OPEN_CONFLICT``), of every span or of
    ``span_ids``, by span."""
    raw = driver(conn)
    if span_ids is None:
        rows = raw.execute(f"{_CONFLICT_SELECT} ORDER BY c.span_id, c.id").fetchall()
    else:
        rows = []
        for chunk in _chunks(span_ids):
            rows.extend(raw.execute(
                f"{_CONFLICT_SELECT} AND c.span_id IN ({', '.join('?' * len(chunk))}) "
                "ORDER BY c.span_id, c.id", chunk).fetchall())
    return [Conflict(
        id=r[0], span_id=r[1], batch_id=r[2], kind=r[3], batch_state=(r[4], r[5], r[6]),
        batch_reviewer=r[7], batch_decided_at=r[8],
        matter_state=None if r[9] is None else (r[9], r[10], r[11]), found_at=r[12],
        batch_number=r[13]) for r in rows]


# Spans in reading order: conversation, its title before its messages, then position.
_READING_ORDER = "s.conversation_id, s.message_id IS NOT NULL, COALESCE(s.message_id, 0), s.start"
_CONFLICTED_SPANS = (
    f"{SPAN_SELECT} s WHERE s.id IN (SELECT c.span_id FROM batch_conflicts c "
    f"WHERE {OPEN_CONFLICT})")


def next_conflicted_span(conn: Connection, after: Span | None) -> Span | None:
    """The first span with an open conflict after ``after`` in reading order (from
    the start when None); None when there is none after it."""
    where = ""
    args: tuple[object, ...] = ()
    if after is not None:
        where = f" AND ({_READING_ORDER}) > (?, ?, ?, ?)"
        args = (after.conversation_id, after.message_id is not None, after.message_id or 0,
                after.start)
    row = driver(conn).execute(
        f"{_CONFLICTED_SPANS}{where} ORDER BY {_READING_ORDER} LIMIT 1", args).fetchone()
    return span_from_row(dict(zip(SPAN_COLUMNS, row, strict=True))) if row else None


def first_conflicted_span_in(conn: Connection, conversation_id: int) -> int | None:
    """The id of the first span of a conversation, in reading order, with an open conflict."""
    row = driver(conn).execute(
        f"{_CONFLICTED_SPANS} AND s.conversation_id = ? ORDER BY {_READING_ORDER} LIMIT 1",
        (conversation_id,)).fetchone()
    return int(row[SPAN_COLUMNS.index("id")]) if row else None


def open_conflict_ids(conn: Connection, span_ids: Sequence[int]) -> set[int]:
    """The ids of the open conflicts on these spans."""
    return {c.id for c in open_conflicts(conn, span_ids) if c.id is not None}
