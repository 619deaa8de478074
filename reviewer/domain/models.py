"""The review matter as plain data: conversations, messages, spans, decisions.

Offsets are Python ``str`` indices (code points) into the original text,
``end`` exclusive. Objects read from the store carry their ``id``; objects
about to be stored have ``id=None``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Origin(StrEnum):
    SUGGESTED = "suggested"
    MANUAL = "manual"
    PROPAGATED = "propagated"
    UPSTREAM = "upstream"


class Branch(StrEnum):
    ACTIVE = "active"
    ALTERNATE = "alternate"


class Visibility(StrEnum):
    VISIBLE = "visible"
    HIDDEN = "hidden"
    SYSTEM = "system"
    TOOL = "tool"


@dataclass(slots=True)
class Message:
    """One message of a conversation, text exactly as in the source.

    Read-only by convention rather than ``frozen``: imports build one per
    message of every export, and a frozen dataclass costs three times as much
    to construct (it sets each field through ``object.__setattr__``).
    """

    index: int
    role: str
    text: str
    author: str | None = None
    created_at: datetime | None = None
    branch: Branch = Branch.ACTIVE
    visibility: Visibility = Visibility.VISIBLE
    content_type: str = "text"
    source_message_id: str | None = None
    placeholders: int = 0
    id: int | None = None
    conversation_id: int | None = None


@dataclass(frozen=True)
class Provenance:
    """Where a conversation came from."""

    file_name: str
    file_size: int
    file_sha256: str
    source_format: str


@dataclass(frozen=True)
class BatchParts:
    """The halves of an OpenAI batch conversation that one record holds.

    A request record holds the prompt, a response record the answer; the
    two, matched by ``custom_id``, are one conversation whichever comes first.
    ``request`` is how many of the record's messages (the first ones) come
    from the request, ``response`` how many (the rest) from the response;
    None where the record lacks that half (a failed request has no answer).
    """

    request: int | None = None
    response: int | None = None


@dataclass(frozen=True)
class Conversation:
    """A conversation with its messages in export order; ``batch`` is set for
    a record that may be only half of one (see :class:`BatchParts`)."""

    source_id: str
    title: str | None
    messages: tuple[Message, ...]
    created_at: datetime | None = None
    updated_at: datetime | None = None
    id: int | None = None
    batch: BatchParts | None = None


def canonical_json(value: Any) -> str:
    """Deterministic JSON (sorted keys, no spaces, UTF-8 kept) for hashing and signing."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class Suggestion:
    """A candidate span produced by the suggestion service, not yet stored.

    ``message_index`` is None for a span in the conversation title.
    """

    start: int
    end: int
    entity: str
    score: float
    recognizer: str
    origin: Origin = Origin.SUGGESTED
    explanation: dict[str, Any] = field(default_factory=dict)
    status: Status = Status.PENDING


@dataclass(frozen=True)
class Span:
    """A stored span. ``message_id`` is None for a span in the conversation title."""

    id: int
    conversation_id: int
    message_id: int | None
    start: int
    end: int
    entity: str
    score: float
    recognizer: str
    origin: Origin
    status: Status
    explanation: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    policy_hash: str | None = None


@dataclass(frozen=True)
class Decision:
    """One entry of a span's decision history."""

    span_id: int
    status: Status
    previous_status: Status
    reviewer: str
    decided_at: datetime
    reason: str | None = None
    entity: str | None = None
    previous_entity: str | None = None
    undo_of: int | None = None
    id: int | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One link of the audit chain."""

    seq: int
    time: str
    actor: str
    action: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str
