"""Small stores for export tests, built straight through the store API."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from reviewer.domain.models import (
    Branch,
    Conversation,
    Message,
    Origin,
    Provenance,
    Status,
    Suggestion,
    Visibility,
)
from reviewer.ops.decisions import decide
from reviewer.store import conversations, spans

WHEN = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


def add_chat(
    store: Any, source_id: str, texts: Sequence[str], title: str | None = "A chat",
    **extra: Any,
) -> tuple[int, list[int]]:
    """A conversation of alternating user/assistant messages; (id, message ids)."""
    messages = tuple(
        Message(index=i, role="user" if i % 2 == 0 else "assistant", text=text,
                created_at=WHEN, **extra)
        for i, text in enumerate(texts)
    )
    conv = Conversation(source_id=source_id, title=title, messages=messages, created_at=WHEN)
    with store.transaction() as conn:
        source = conversations.add_source(
            conn, Provenance("chats.jsonl", 10, "0" * 64, "openai-jsonl"), "tester")
        conv_id = conversations.add_conversation(conn, conv, source)
        assert conv_id is not None
        stored = conversations.get_conversation(conn, conv_id)
    return conv_id, [m.id for m in stored.messages if m.id is not None]


def add_branchy_chat(store: Any, source_id: str) -> tuple[int, list[int]]:
    """Active, alternate and hidden messages in one conversation."""
    messages = (
        Message(0, "system", "Custom instructions: be brief.", visibility=Visibility.SYSTEM),
        Message(1, "user", "Active question", created_at=WHEN),
        Message(2, "assistant", "Alternate answer", branch=Branch.ALTERNATE),
        Message(3, "tool", "Hidden tool output", visibility=Visibility.HIDDEN, placeholders=2,
                content_type="tool_result"),
    )
    conv = Conversation(source_id=source_id, title="Branches", messages=messages)
    with store.transaction() as conn:
        conv_id = conversations.add_conversation(conn, conv, None)
        assert conv_id is not None
        stored = conversations.get_conversation(conn, conv_id)
    return conv_id, [m.id for m in stored.messages if m.id is not None]


def add_span(
    store: Any, conv_id: int, message_id: int | None, text: str, needle: str, entity: str,
    status: Status = Status.APPROVED, occurrence: int = 0,
) -> int:
    """A span over the ``occurrence``-th ``needle`` in ``text``, decided as ``status``."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    suggestion = Suggestion(start, start + len(needle), entity, 0.9, "test",
                            origin=Origin.SUGGESTED)
    with store.transaction() as conn:
        (span_id,) = spans.add(conn, conv_id, message_id, [suggestion], policy_hash="p1")
    if status is not Status.PENDING:
        decide(store, [span_id], status, "alice", "PII" if status is Status.APPROVED else None)
    return span_id
