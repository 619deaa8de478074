"""Checks and conversions every format shares: text, times, ids, roles.

Text is never normalised or stripped: offsets into it must stay true. It is
only refused when it cannot be stored as UTF-8 text at all (NUL characters,
lone surrogates from ``\\ud800``-style escapes).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from reviewer.domain.models import Branch, Conversation, Message, Visibility
from reviewer.ingest.errors import InputError

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


@dataclass
class Where:
    """The file and the record or line a parser is at, for error messages."""

    file: str
    place: str

    def error(self, reason: str) -> InputError:
        return InputError(self.file, self.place, reason)


def text(value: Any, where: Where, what: str) -> str:
    """A string field exactly as in the source; None becomes ""."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise where.error(f"{what} is {_kind(value)}, not text")
    # ASCII text cannot hold a surrogate, and `in` is much faster than a search.
    if "\x00" in value if value.isascii() else _UNSTORABLE.search(value):
        raise where.error(f"{what} holds a NUL character or an unpaired surrogate")
    return value


def canonical(value: Any, where: Where, what: str) -> str:
    """Structured data (tool input) as JSON text to review: key order kept, UTF-8 kept."""
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (RecursionError, ValueError):
        raise where.error(f"{what} cannot be read as JSON") from None


def optional_text(value: Any, where: Where, what: str) -> str | None:
    return None if value is None else text(value, where, what)


def ident(value: Any, where: Where, what: str) -> str | None:
    """An id given as a string or an integer."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return str(value)
    return text(value, where, what) or None


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "an array", bool: "true or false", int: "a number",
             float: "a number"}
    return names.get(type(value), type(value).__name__)


def obj(value: Any) -> Mapping[str, Any]:
    """``value`` when it is an object, else an empty one (for optional sub-objects)."""
    return value if isinstance(value, dict) else {}


def mapping(value: Any, where: Where, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise where.error(f"{what} is {_kind(value)}, not an object")
    return value


def array(value: Any, where: Where, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise where.error(f"{what} is {_kind(value)}, not an array")
    return value


def timestamp(value: Any, where: Where, what: str) -> datetime | None:
    """Epoch seconds (number) or ISO 8601 text; None stays None."""
    if value is None:
        return None
    kind = type(value)  # exact types: the per-message hot path, and bool is not a time
    try:
        if kind is float or kind is int:
            return datetime.fromtimestamp(float(value), UTC)
        if kind is str:
            return _iso(value) if value else None
    except (ValueError, OverflowError, OSError):
        raise where.error(f"{what} {str(value)[:40]!r} is not a time") from None
    raise where.error(f"{what} is {_kind(value)}, not a time")


def _iso(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return datetime.fromtimestamp(float(value), UTC)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass
class Builder:
    """Collects one conversation's messages, numbering them in export order."""

    messages: list[Message] = field(default_factory=list)

    def add(self, role: str, body: str, *, author: str | None = None,
            created_at: datetime | None = None, branch: Branch = Branch.ACTIVE,
            visibility: Visibility = Visibility.VISIBLE, content_type: str = "text",
            source_message_id: str | None = None, placeholders: int = 0) -> None:
        """Append a message unless it has nothing to review (empty text, no placeholder)."""
        if body == "" and not placeholders:
            return
        self.messages.append(Message(
            index=len(self.messages), role=role, text=body, author=author,
            created_at=created_at, branch=branch, visibility=visibility,
            content_type=content_type, source_message_id=source_message_id,
            placeholders=placeholders,
        ))

    def append(self, message: Message) -> None:
        """Append a message already numbered ``len(self.messages)`` and not empty."""
        self.messages.append(message)

    def build(self, source_id: str, title: str | None, **fields: Any) -> Conversation:
        return Conversation(source_id=source_id, title=title, messages=tuple(self.messages),
                            **fields)


ROLE_VISIBILITY = {
    "system": Visibility.SYSTEM,
    "developer": Visibility.SYSTEM,
    "tool": Visibility.TOOL,
    "function": Visibility.TOOL,
    "ipython": Visibility.TOOL,
    "observation": Visibility.TOOL,
    "function_call": Visibility.TOOL,
}


def role_visibility(role: str) -> Visibility:
    return ROLE_VISIBILITY.get(role.lower(), Visibility.VISIBLE)

