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


def lines(*texts: str) -> str:
    """The non-empty ``texts``, a line apart: a message's text and what follows it."""
    return "\n".join(t for t in texts if t)


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


def readable(value: Any, where: Where, what: str) -> str:
    """Structured data (a tool's input) as lines a reviewer reads, not escaped JSON.

    A string is itself; an object is one ``key: value`` line a key, nested
    objects and arrays indented under their key, array items after ``- ``;
    strings appear verbatim (no quotes, no escapes), other values as JSON
    writes them (``5``, ``true``, ``null``). Key order is the source's.
    """
    if isinstance(value, str):
        return text(value, where, what)
    lines: list[str] = []
    try:
        _lines(value, "", lines)
    except RecursionError:
        raise where.error(f"{what} is nested too deeply") from None
    return text("\n".join(lines), where, what)


def _scalar(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False,
                                                           default=str)


# Deeper values are one line of JSON: indenting each level would make text
# grow with the square of the depth (a few KB of brackets, megabytes of spaces).
MAX_INDENT = 2 * 16


def _opens(item: Any, indent: str) -> bool:
    """True when ``item`` goes on lines of its own under its key or dash."""
    return isinstance(item, dict | list) and bool(item) and len(indent) < MAX_INDENT


def _lines(value: Any, indent: str, lines: list[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if _opens(item, indent):
                lines.append(f"{indent}{key}:")
                _lines(item, indent + "  ", lines)
            else:
                lines.append(f"{indent}{key}: {_scalar(item)}")
    elif isinstance(value, list):
        for item in value:
            if _opens(item, indent):
                start = len(lines)
                _lines(item, indent + "  ", lines)
                lines[start] = f"{indent}- {lines[start][len(indent) + 2:]}"
            else:
                lines.append(f"{indent}- {_scalar(item)}")
    elif value is not None:
        lines.append(f"{indent}{_scalar(value)}")


def arguments(value: Any, where: Where, what: str) -> str:
    """Tool-call arguments, given as JSON text or as data, as :func:`readable` text.

    Arguments that are not a JSON object or array (a model may write broken
    JSON), or nested too deeply to lay out, are text to review as they are.
    """
    if not isinstance(value, str):
        return readable(value, where, what)
    stripped = value.lstrip()
    if not stripped.startswith(("{", "[")):
        return text(value, where, what)
    lines: list[str] = []
    try:
        _lines(json.loads(value, parse_constant=_not_json), "", lines)
    except (ValueError, RecursionError):
        return text(value, where, what)
    return text("\n".join(lines), where, what)


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# Keys whose string values are never text to review: ids, times, flags, kinds,
# binary payloads. Used where a block of an unknown kind is read for its text.
LOOSE_METADATA = frozenset({
    "type", "id", "uuid", "file_id", "start_timestamp", "stop_timestamp", "created_at",
    "updated_at", "data", "file_data", "media_type", "mime_type", "format", "detail", "flags",
})


# A machine label: one lowercase word ("absolute", "gpt-4o", "connector:drive"),
# or an app's own address ("sediment://file_00ab", "connectors://drive"; not a web page's).
_LABEL = re.compile(r"[a-z][a-z0-9_.:-]*|(?!https?:)[a-z][a-z0-9+.-]*://\S*")


def loose_text(block: Mapping[str, Any], where: Where, what: str,
               skip: frozenset[str] = LOOSE_METADATA, seen: str = "", *,
               labels: bool = False) -> str:
    """The free text of a block of a kind no format documents: its strings but
    those under ``skip`` keys (at any depth; ``LOOSE_METADATA`` unless given, and
    any key ending in ``_id``, ``_ids`` or ``_at``), inline ``data:``, any
    already in ``seen`` (text stored from the same record) and, with ``labels``
    (for an app's metadata), machine labels (one lowercase word of letters,
    digits and ``_.:-``, or an address of a scheme other than ``http(s)``); JSON
    text of an object or array is read as that data. A lone string comes as
    itself, else :func:`readable` lines of what holds the strings; "" when
    there is no such string."""
    try:
        rest = _free(block, skip, seen, labels)
    except RecursionError:
        raise where.error(f"{what} is nested too deeply") from None
    if rest is None:
        return ""
    if len(rest) == 1:
        (only,) = rest.values()
        if isinstance(only, str):
            return text(only, where, what)
    return readable(rest, where, what)


def extra_text(record: Mapping[str, Any], known: frozenset[str], where: Where,
               what: str, skip: frozenset[str] = LOOSE_METADATA, seen: str = "", *,
               labels: bool = False) -> str:
    """:func:`loose_text` of a record's keys that its format does not define."""
    if known.issuperset(record.keys()):
        return ""
    return loose_text({k: v for k, v in record.items() if k not in known}, where, what,
                      skip, seen, labels=labels)


def _is_metadata_key(key: Any, skip: frozenset[str]) -> bool:
    return key in skip or (isinstance(key, str) and key.endswith(("_id", "_ids", "_at")))


def _free(value: Any, skip: frozenset[str] = LOOSE_METADATA, seen: str = "",
          labels: bool = False) -> Any:
    """``value`` with only its free-text strings and what holds them; None if none."""
    if isinstance(value, str):
        if not value or value.startswith("data:") or value in seen:
            return None
        if value[0] in "{[" and isinstance(data := _json_data(value), dict | list):
            return _free(data, skip, seen, labels)  # JSON text: its strings, laid out
        return None if labels and _LABEL.fullmatch(value) else value
    if isinstance(value, dict):
        kept = {k: v for k, item in value.items() if not _is_metadata_key(k, skip)
                and (v := _free(item, skip, seen, labels)) is not None}
        return kept or None
    if isinstance(value, list):
        return [v for item in value
                if (v := _free(item, skip, seen, labels)) is not None] or None
    return None  # numbers, flags, null


def _json_data(value: str) -> Any:
    try:
        return json.loads(value, parse_constant=_not_json)
    except (ValueError, RecursionError):
        return None


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

    def add_tool_definitions(self, value: Any, where: Where) -> None:
        """The tools a model was offered (function definitions: data, or JSON text
        of it) as a system message of readable lines, content type ``tool_definitions``."""
        self.add("system", arguments(value, where, "tools"), content_type="tool_definitions",
                 visibility=Visibility.SYSTEM)

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

