"""Reading a store's conversations back as stored, for ``reviewer show``.

Everything a reviewer reviews is shown in its original text: each
conversation's source id and title, and every stored message (alternate
branches, hidden, system and tool content included) in conversation order.
Conversations and messages are read in keyset pages inside one read snapshot,
so a store of any size is shown in flat memory.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from reviewer.domain.errors import RefusedError, UsageError
from reviewer.store import conversations
from reviewer.store.database import Store

PAGE = 200
MESSAGE_PAGE = 500
HEAD_FIELDS = ("id", "source_id", "title", "created_at", "updated_at")
MESSAGE_FIELDS = ("index", "role", "author", "branch", "visibility", "content_type", "text")


@dataclass
class ShownConversation:
    """One conversation: its fields (the contract's keys but ``messages``) and
    its messages, read on demand; read them before asking for the next one."""

    fields: dict[str, Any]
    messages: Iterator[dict[str, Any]]


def conversation_id(value: str | None) -> int | None:
    """The store's conversation id as ``spans --json`` and ``show --json`` print it."""
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise UsageError(f"{value!r} is not a conversation id: use the conversation_id "
                         "that 'reviewer spans --json' or 'reviewer show --json' prints.") from None


@contextlib.contextmanager
def show(store: Store, only: str | None = None) -> Iterator[Iterator[ShownConversation]]:
    """Every conversation (or only the one with id ``only``), in id order, read
    in one snapshot that lasts while the context is open."""
    wanted = conversation_id(only)
    with store.reading() as conn:
        if wanted is not None and not conversations.conversation_heads(conn, 0, 1, wanted):
            raise RefusedError(f"The store holds no conversation {wanted}; "
                               "'reviewer show --json' lists the conversation ids.")
        yield _conversations(conn, wanted)


def _conversations(conn: Any, wanted: int | None) -> Iterator[ShownConversation]:
    after = 0
    while heads := conversations.conversation_heads(conn, after, PAGE, wanted):
        for head in heads:
            fields = dict(zip(HEAD_FIELDS, head, strict=True))
            fields["id"] = str(fields["id"])
            yield ShownConversation(fields, _messages(conn, head[0]))
        after = heads[-1][0]


def _messages(conn: Any, conv_id: int) -> Iterator[dict[str, Any]]:
    after = -1
    while rows := conversations.message_fields(conn, conv_id, after, MESSAGE_PAGE):
        for row in rows:
            yield dict(zip(MESSAGE_FIELDS, row, strict=True))
        after = rows[-1][0]
