"""OpenAI batch conversations: pairing a request with its response, whichever comes first.

A batch request line holds the prompt, a response line the answer; both name
the conversation by ``custom_id`` (its ``source_id``). Whichever is imported
first is stored as a conversation of its own; the other half, imported later
(from another file, in another import), completes it: the prompt goes before
the answer, the answer after the prompt. The messages already stored are not
changed (a prompt that arrives after its answer moves the answer's positions
on, never its text), so their spans and decisions stay valid; the new
messages are not analysed, so the conversation is pending again until it is.

Which halves a stored conversation holds, and how many messages each, is kept
in ``meta`` under ``batch_parts:ID`` (no schema change). A record is already
present when a conversation with its ``custom_id`` holds each of its halves
with the same messages. It completes the one conversation with its
``custom_id`` whose halves it shares agree and that lacks another; when none
or several do (an answer that differs from the one stored, a ``custom_id``
reused by two batches still waiting for answers), it is stored on its own
rather than joined to a guess.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from reviewer.domain.models import BatchParts
from reviewer.store import conversations, meta
from reviewer.store.rows import (
    MESSAGE_INSERT,
    MESSAGE_VALUE_COLUMNS,
    ConversationRows,
    content_hash,
)
from reviewer.store.sql import driver


@dataclass(frozen=True)
class Completion:
    """A stored conversation that a later record completed."""

    conversation_id: int
    source_id: str
    added: str  # "request", "response" or both
    messages: int
    exported_before: bool

    def as_dict(self) -> dict[str, Any]:
        return {"conversation_id": str(self.conversation_id), "source_id": self.source_id,
                "added": self.added, "messages": self.messages,
                "exported_before": self.exported_before}


@dataclass(frozen=True)
class Outcome:
    """What storing a batch record did: a new conversation (``stored``), a
    completion, or nothing (both None: already present)."""

    stored: int | None = None
    completion: Completion | None = None
    unpaired: bool = False  # stored on its own: several stored halves could take it


def _key(conv_id: int) -> str:
    return f"batch_parts:{conv_id}"


def parts_of(conn: Connection, conv_id: int) -> BatchParts | None:
    value = meta.get(conn, _key(conv_id))
    return None if value is None else BatchParts(*json.loads(value))


def _put_parts(conn: Connection, conv_id: int, parts: BatchParts) -> None:
    meta.put(conn, _key(conv_id), json.dumps([parts.request, parts.response]))


def _ranges(parts: BatchParts) -> dict[str, tuple[int, int]]:
    """(start, count) of each half the parts hold, in their messages."""
    found = {}
    if parts.request is not None:
        found["request"] = (0, parts.request)
    if parts.response is not None:
        found["response"] = (parts.request or 0, parts.response)
    return found


def _stored_messages(conn: Connection, conv_id: int) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in driver(conn).execute(
        f"SELECT {MESSAGE_VALUE_COLUMNS} FROM messages WHERE conversation_id = ? ORDER BY idx",
        (conv_id,)).fetchall()]


def _same(a: list[tuple[Any, ...]], b: list[tuple[Any, ...]]) -> bool:
    """Equal messages but for their positions."""
    return len(a) == len(b) and all(x[1:] == y[1:] for x, y in zip(a, b, strict=True))


@dataclass
class _Candidate:
    conv_id: int
    parts: BatchParts
    messages: list[tuple[Any, ...]]
    missing: list[str]


def _candidate(conn: Connection, conv_id: int, rows: ConversationRows) -> _Candidate | None:
    """The stored conversation as a match for ``rows``: None when a half both
    hold differs; ``missing`` lists the halves only the record holds."""
    stored = parts_of(conn, conv_id)
    if stored is None or rows.batch is None:
        return None
    messages = _stored_messages(conn, conv_id)
    mine, theirs = _ranges(rows.batch), _ranges(stored)
    for half, (start, count) in mine.items():
        if half in theirs:
            at, held = theirs[half]
            if not _same(messages[at:at + held], rows.messages[start:start + count]):
                return None
    return _Candidate(conv_id, stored, messages, [h for h in mine if h not in theirs])


def add_record(conn: Connection, rows: ConversationRows, source_file_id: int | None,
               imported_at: str, last_export: str | None) -> Outcome:
    """Store a batch record (``rows.batch`` set): on its own, as the completion
    of the conversation it belongs to, or not at all when already present.
    ``last_export`` is the time of the store's latest export, if any."""
    if conversations.exists(conn, rows.content_hash):
        return Outcome()
    ids = [r[0] for r in driver(conn).execute(
        "SELECT id FROM conversations WHERE source_id = ? ORDER BY id", (rows.source_id,))]
    found = [c for c in (_candidate(conn, i, rows) for i in ids) if c is not None]
    if any(not c.missing for c in found):
        return Outcome()
    if len(found) == 1:
        return _complete(conn, found[0], rows, last_export)
    conv_id = conversations.add_rows(conn, rows, source_file_id, imported_at)
    if conv_id is not None and rows.batch is not None:
        _put_parts(conn, conv_id, rows.batch)
    return Outcome(stored=conv_id, unpaired=len(found) > 1)


def _complete(conn: Connection, found: _Candidate, rows: ConversationRows,
              last_export: str | None) -> Outcome:
    """Add the halves the conversation lacks (nothing when they hold no
    message, or when the whole conversation is stored already)."""
    mine = _ranges(rows.batch or BatchParts())
    before = _slice(rows, mine, "request") if "request" in found.missing else []
    after = _slice(rows, mine, "response") if "response" in found.missing else []
    if not before and not after:
        return Outcome()
    whole = [(i, *row[1:]) for i, row in enumerate(before + found.messages + after)]
    raw = driver(conn)
    head = raw.execute("SELECT source_id, title, created_at, imported_at FROM conversations "
                       "WHERE id = ?", (found.conv_id,)).fetchone()
    digest = content_hash(tuple(head[:3]), whole)
    if conversations.exists(conn, digest):
        return Outcome()
    if before:  # the answer's messages move on; their ids, text and spans stay
        raw.execute("UPDATE messages SET idx = idx + ? WHERE conversation_id = ?",
                    (len(before), found.conv_id))
    added = whole[:len(before)] + whole[len(before) + len(found.messages):]
    raw.executemany(MESSAGE_INSERT, [(found.conv_id, *values) for values in added])
    raw.execute("UPDATE conversations SET content_hash = ?, n_messages = ? WHERE id = ?",
                (digest, len(whole), found.conv_id))
    _put_parts(conn, found.conv_id, BatchParts(
        len(before) if "request" in found.missing else found.parts.request,
        len(after) if "response" in found.missing else found.parts.response))
    return Outcome(completion=Completion(
        found.conv_id, str(head[0]), " and ".join(found.missing), len(added),
        last_export is not None and head[3] <= last_export))


def _slice(rows: ConversationRows, ranges: dict[str, tuple[int, int]],
           half: str) -> list[tuple[Any, ...]]:
    start, count = ranges[half]
    return rows.messages[start:start + count]


def last_export(conn: Connection) -> str | None:
    """The time of the store's latest export (from the audit log), if any."""
    value = driver(conn).execute(
        "SELECT max(time) FROM audit WHERE action = 'export'").fetchone()[0]
    return None if value is None else str(value)
