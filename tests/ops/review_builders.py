"""Builders for review-window test stores: conversations with messages of several
roles, hidden and alternate content, and spans with chosen texts and entities."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from reviewer.domain.models import Branch, Conversation, Message, Suggestion, Visibility
from reviewer.store import conversations, spans
from reviewer.store.database import Store

BASE_TIME = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)


def add_chat(
    store: Store,
    source_id: str,
    texts: Sequence[tuple[str, str]],
    marks: Sequence[tuple[int, str, str]] = (),
    title: str | None = None,
) -> int:
    """A conversation of (role, text) messages; ``marks`` are (message index, covered
    text, entity) spans at the first occurrence of the text in that message."""
    messages = tuple(
        Message(index=i, role=role, text=body, created_at=BASE_TIME + timedelta(minutes=i),
                visibility=Visibility.SYSTEM if role == "system" else Visibility.VISIBLE)
        for i, (role, body) in enumerate(texts)
    )
    conv = Conversation(source_id=source_id, title=title or f"Chat {source_id}",
                        messages=messages, created_at=BASE_TIME)
    with store.transaction() as conn:
        conv_id = conversations.add_conversation(conn, conv, None)
        assert conv_id is not None
        stored = conversations.get_conversation(conn, conv_id).messages
        for index, covered, entity in marks:
            start = stored[index].text.index(covered)
            found = Suggestion(start, start + len(covered), entity, 0.85, "TestRecognizer",
                               explanation={"pattern": "test"})
            spans.add(conn, conv_id, stored[index].id, [found], policy_hash="test")
    return conv_id


def add_branchy_chat(store: Store, source_id: str = "branchy") -> int:
    """A conversation with a system prompt, an alternate branch and tool output."""
    messages = (
        Message(index=0, role="system", text="You help tenants.", visibility=Visibility.SYSTEM),
        Message(index=1, role="user", text="My landlord Karl Weber\u200b kept my deposit.",
                created_at=BASE_TIME),
        Message(index=2, role="assistant", text="Draft a letter to Karl.",
                branch=Branch.ALTERNATE),
        Message(index=3, role="tool", text="lookup: karl@example.org",
                visibility=Visibility.TOOL),
    )
    conv = Conversation(source_id=source_id, title="Deposit for Karl", messages=messages)
    with store.transaction() as conn:
        conv_id = conversations.add_conversation(conn, conv, None)
        assert conv_id is not None
        stored = conversations.get_conversation(conn, conv_id).messages
        spans.add(conn, conv_id, None, [Suggestion(12, 16, "PERSON", 0.7, "TitleRec")], "t")
        spans.add(conn, conv_id, stored[1].id, [Suggestion(12, 22, "PERSON", 0.9, "Ner")], "t")
        spans.add(conn, conv_id, stored[3].id,
                  [Suggestion(8, 24, "EMAIL_ADDRESS", 1.0, "Email")], "t")
    return conv_id


def add_many(store: Store, n: int, name: str = "Ada Lovelace") -> list[int]:
    """``n`` small conversations, each naming ``name`` once (a PERSON span)."""
    return [
        add_chat(store, f"c{i:04d}", [("user", f"Hello, I am {name}, case {i}.")],
                 [(0, name, "PERSON")])
        for i in range(n)
    ]


SWITCH_CONFIG = ("interface Vlan40\n ip address 10.40.0.1 255.255.255.0\n"
                 " ip helper-address 10.0.0.5\n!")


def _at(text: str, value: str, entity: str, score: float, recognizer: str) -> dict[str, Any]:
    start = text.index(value)
    return {"entity": entity, "score": score, "recognizer": recognizer, "start": start,
            "end": start + len(value)}


def add_merged_address(store: Store, source_id: str = "switch") -> tuple[int, int]:
    """A conversation whose one span is an ADDRESS merged (as the suggestion service
    merges overlaps) over three IP addresses and a lesser ADDRESS; returns
    (conversation id, span id)."""
    conv_id = add_chat(store, source_id, [("user", SWITCH_CONFIG)])
    start = SWITCH_CONFIG.index("10.40")
    end = SWITCH_CONFIG.index("10.0.0.5") + len("10.0.0.5")
    alternatives = [
        _at(SWITCH_CONFIG, "10.40.0.1", "IP_ADDRESS", 0.6, "IpRecognizer"),
        _at(SWITCH_CONFIG, "255.255.255.0", "IP_ADDRESS", 0.6, "IpRecognizer"),
        _at(SWITCH_CONFIG, "10.0.0.5", "IP_ADDRESS", 0.6, "IpRecognizer"),
        _at(SWITCH_CONFIG, "10.40.0.1 255.255.255.0", "ADDRESS", 0.5, "StreetAddressRecognizer"),
    ]
    merged = Suggestion(start, end, "ADDRESS", 0.6, "StreetAddressRecognizer",
                        explanation={"recognizer": "StreetAddressRecognizer",
                                     "alternatives": alternatives})
    with store.transaction() as conn:
        message_id = conversations.get_conversation(conn, conv_id).messages[0].id
        (span_id,) = spans.add(conn, conv_id, message_id, [merged], "test")
    return conv_id, span_id
