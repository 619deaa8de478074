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
from reviewer.ops.policies import current_policy
from reviewer.store import conversations, spans
from reviewer.store.analysis import mark_analyzed

WHEN = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


def mark_all_analysed(store: Any, conv_id: int, message_ids: Sequence[int]) -> None:
    """Record the title and messages as analysed under the policy in force (as if the
    suggestion service had run and found what the test adds by hand)."""
    policy_hash = current_policy(store).hash
    with store.transaction() as conn:
        mark_analyzed(conn, conv_id, [None, *message_ids], policy_hash)


def add_chat(
    store: Any, source_id: str, texts: Sequence[str], title: str | None = "A chat",
    analysed: bool = True, **extra: Any,
) -> tuple[int, list[int]]:
    """A conversation of alternating user/assistant messages; (id, message ids); analysed
    under the policy in force unless ``analysed`` is False."""
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
    ids = [m.id for m in stored.messages if m.id is not None]
    if analysed:
        mark_all_analysed(store, conv_id, ids)
    return conv_id, ids


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
    ids = [m.id for m in stored.messages if m.id is not None]
    mark_all_analysed(store, conv_id, ids)
    return conv_id, ids


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
