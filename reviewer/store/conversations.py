"""Conversations and messages: storing imports, reading them back, keyset pages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select

from reviewer.domain.models import Branch, Conversation, Message, Provenance, Visibility
from reviewer.store import meta
from reviewer.store.rows import (
    CONVERSATION_INSERT,
    MESSAGE_INSERT,
    ConversationRows,
    conversation_rows,
)
from reviewer.store.schema import ConversationRow, MessageRow, Source
from reviewer.store.sql import driver, inserted_id
from reviewer.store.times import from_db, utc_now


@dataclass(frozen=True)
class ConversationSummary:
    """One row of the conversation browser. ``conflicted``: a span of it holds an open
    batch conflict (``schema.OPEN_CONFLICT``) a lead must still settle."""

    id: int
    source_id: str
    title: str | None
    created_at: str | None
    n_messages: int
    n_pending: int
    n_approved: int
    n_rejected: int
    conflicted: bool = False


def add_source(conn: Connection, provenance: Provenance, actor: str,
               imported_at: str | None = None) -> int:
    result = conn.execute(insert(Source).values(
        file_name=provenance.file_name, file_size=provenance.file_size,
        file_sha256=provenance.file_sha256, format=provenance.source_format,
        imported_at=imported_at or utc_now(), imported_by=actor,
    ))
    return inserted_id(result)


def exists(conn: Connection, content_hash: str) -> bool:
    row = driver(conn).execute(
        "SELECT 1 FROM conversations WHERE content_hash = ?", (content_hash,)
    ).fetchone()
    return row is not None


def add_conversation(
    conn: Connection, conv: Conversation, source_file_id: int | None, *, index: bool = True
) -> int | None:
    """Store one conversation, searchable at once; None when its content is already stored."""
    conv_id = add_rows(conn, conversation_rows(conv), source_file_id, utc_now())
    if index:
        index_new_text(conn)
    return conv_id


def add_rows(conn: Connection, rows: ConversationRows, source_file_id: int | None,
             imported_at: str) -> int | None:
    """Store a conversation given as rows; None when the same content is already stored.

    The text is not yet searchable: imports call :func:`index_new_text` once per
    batch, as FTS5 indexes far faster in one statement than row by row.
    """
    if exists(conn, rows.content_hash):
        return None
    raw = driver(conn)
    cursor = raw.execute(CONVERSATION_INSERT, (source_file_id, imported_at, *rows.conversation))
    conv_id = int(cursor.lastrowid)
    raw.executemany(MESSAGE_INSERT, [(conv_id, *values) for values in rows.messages])
    return conv_id


FTS_SOURCES = (
    ("fts_messages_upto", "messages", "message_fts(rowid, text)", "id, text"),
    ("fts_titles_upto", "conversations", "title_fts(rowid, title)", "id, coalesce(title, '')"),
)


def index_new_text(conn: Connection) -> None:
    """Add every message and title stored since the last call to the FTS5 indexes.

    Rows are append-only with growing ids, so a watermark in ``meta`` (written in
    the same transaction) says what is indexed.
    """
    raw = driver(conn)
    for key, table, target, columns in FTS_SOURCES:
        upto = int(meta.get(conn, key) or 0)
        top = raw.execute(f"SELECT max(id) FROM {table}").fetchone()[0] or 0
        if top > upto:
            raw.execute(
                f"INSERT INTO {target} SELECT {columns} FROM {table} WHERE id > ?", (upto,)
            )
            meta.put(conn, key, str(top))


def get_conversation(conn: Connection, conv_id: int) -> Conversation:
    row = conn.execute(select(ConversationRow).where(ConversationRow.id == conv_id)).one()
    msgs = conn.execute(
        select(MessageRow).where(MessageRow.conversation_id == conv_id).order_by(MessageRow.idx)
    ).all()
    return Conversation(
        source_id=row.source_id, title=row.title, messages=tuple(_message(m) for m in msgs),
        created_at=from_db(row.created_at), updated_at=from_db(row.updated_at), id=row.id,
    )


def get_messages(conn: Connection, message_ids: Iterable[int]) -> list[Message]:
    ids = list(message_ids)
    rows = conn.execute(select(MessageRow).where(MessageRow.id.in_(ids))).all()
    return [_message(r) for r in rows]


def _message(row: Any) -> Message:
    return Message(
        index=row.idx, role=row.role, text=row.text, author=row.author,
        created_at=from_db(row.created_at), branch=Branch(row.branch),
        visibility=Visibility(row.visibility), content_type=row.content_type,
        source_message_id=row.source_message_id, placeholders=row.placeholders,
        id=row.id, conversation_id=row.conversation_id,
    )


def counts(conn: Connection) -> tuple[int, int]:
    """(conversations, messages) in the store."""
    n_conv = conn.execute(select(func.count()).select_from(ConversationRow)).scalar_one()
    n_msg = conn.execute(select(func.count()).select_from(MessageRow)).scalar_one()
    return int(n_conv), int(n_msg)


def titles(conn: Connection, conv_ids: Iterable[int]) -> dict[int, str | None]:
    query = select(ConversationRow.id, ConversationRow.title).where(
        ConversationRow.id.in_(list(conv_ids))
    )
    return {row[0]: row[1] for row in conn.execute(query).all()}


SHOWN_CONVERSATION = "id, source_id, title, created_at, updated_at"
SHOWN_MESSAGE = "idx, role, author, branch, visibility, content_type, text"


def conversation_heads(conn: Connection, after_id: int, limit: int,
                       only_id: int | None = None) -> list[tuple[Any, ...]]:
    """(id, source_id, title, created_at, updated_at) of the next ``limit``
    conversations after ``after_id`` in id order (only ``only_id``, if given)."""
    where, params = ("id > ? AND id = ?", (after_id, only_id)) if only_id is not None \
        else ("id > ?", (after_id,))
    return [tuple(r) for r in driver(conn).execute(
        f"SELECT {SHOWN_CONVERSATION} FROM conversations WHERE {where} ORDER BY id LIMIT ?",
        (*params, limit)).fetchall()]


def message_fields(conn: Connection, conv_id: int, after_idx: int,
                   limit: int) -> list[tuple[Any, ...]]:
    """(idx, role, author, branch, visibility, content_type, text) of the next
    ``limit`` messages of one conversation after position ``after_idx``."""
    return [tuple(r) for r in driver(conn).execute(
        f"SELECT {SHOWN_MESSAGE} FROM messages WHERE conversation_id = ? AND idx > ? "
        "ORDER BY idx LIMIT ?", (conv_id, after_idx, limit)).fetchall()]
