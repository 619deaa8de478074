"""Conversations and messages as the rows the store inserts, without a database.

Importing builds these values where it parses (possibly in a reader process,
see ``reviewer.ops.import_reader``), so this module imports no SQLAlchemy and no
driver: only the column order of the two INSERT statements below, which
``reviewer.store.conversations`` executes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from reviewer.domain.models import BatchParts, Conversation, Message, canonical_json
from reviewer.store.times import to_db

# source_file_id and imported_at come first: the importing process adds them. A new
# conversation has no spans: its counters start at 0 and the spans' triggers keep them.
CONVERSATION_INSERT = (
    "INSERT INTO conversations (source_file_id, imported_at, source_id, title, created_at, "
    "updated_at, content_hash, n_messages, title_policy, n_pending, n_approved, n_rejected) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, 0, 0, 0)"
)
# The message columns in the order of message_values (the text last).
MESSAGE_VALUE_COLUMNS = (
    "idx, role, author, created_at, branch, visibility, content_type, source_message_id, "
    "placeholders, text"
)
# conversation_id comes first: it is known only once the conversation row is in.
MESSAGE_INSERT = (
    f"INSERT INTO messages (conversation_id, {MESSAGE_VALUE_COLUMNS}, analyzed_policy) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)"
)


def message_values(m: Message) -> tuple[Any, ...]:
    """The message's columns after ``conversation_id`` (the text last)."""
    return (m.index, m.role, m.author, to_db(m.created_at), str(m.branch), str(m.visibility),
            m.content_type, m.source_message_id, m.placeholders, m.text)


@dataclass(frozen=True)
class ConversationRows:
    """One conversation ready to insert: its content hash and its rows' values;
    ``batch`` the halves of a batch conversation it holds, if it is such a record."""

    content_hash: str
    conversation: tuple[Any, ...]
    messages: list[tuple[Any, ...]]
    batch: BatchParts | None = None

    @property
    def source_id(self) -> str:
        return str(self.conversation[0])

    @property
    def head(self) -> tuple[Any, ...]:
        """(source id, title, start time): what :func:`content_hash` takes besides messages."""
        return self.conversation[:3]


def conversation_rows(conv: Conversation) -> ConversationRows:
    messages = [message_values(m) for m in conv.messages]
    head = (conv.source_id, conv.title, to_db(conv.created_at))
    digest = content_hash(head, messages)
    return ConversationRows(
        digest, (*head, to_db(conv.updated_at), digest, len(messages)), messages, conv.batch)


def content_hash(head: tuple[Any, ...], messages: list[tuple[Any, ...]]) -> str:
    """SHA-256 over what makes two imports the same conversation.

    Hashed are a canonical JSON header: source id, title, start time and, for
    each message, every column :func:`message_values` gives but the text, with
    the text's length in UTF-8 bytes in its place; then the texts in UTF-8, one
    after another (the lengths keep the joined texts unambiguous). The texts,
    nearly all of the bytes, are hashed as they are rather than JSON-escaped.
    ``updated_at`` is left out: it changes when nothing reviewable does.
    """
    texts = [row[-1].encode("utf-8") for row in messages]
    header = [*head, [[*row[:-1], len(text)] for row, text in zip(messages, texts, strict=True)]]
    digest = hashlib.sha256(canonical_json(header).encode("utf-8"))
    digest.update(b"".join(texts))
    return digest.hexdigest()
