"""Checks and conversions every format shares: text, times, ids, roles.

Text is never normalised or stripped: offsets into it must stay true. It is
only refused when it cannot be stored as UTF-8 text at all (NUL characters,
lone surrogates from ``\\ud800``-style escapes).

Free text where no format puts it is read by :func:`loose_text`, which leaves
out only what is plainly not anyone's text:

- values under metadata keys (ids, times, kinds, flags; ``LOOSE_METADATA``
  or a format's own list, and any key ending in ``_id``, ``_ids`` or ``_at``);
- under keys that usually hold machine data (:data:`DATA_KEYS`: ``data``,
  ``file_data``, ``format``, ``detail``, ``media_type``, ``mime_type``), only
  values that are machine data (:func:`machine_data`): an inline ``data:``
  address, a MIME type, an ISO 8601 time, base64 (also wrapped in lines), or
  one ASCII token (once an app's private-use markup characters are removed)
  of letters, digits and ``+/=_.:-`` (an option such as ``png``, ``auto`` or
  ``high``, a version, a key) that is not a person's
  handle (``john.smith``, ``jane_doe``), a capitalised name (``Ashdown``,
  ``McDonald``) or, shorter than a base64 blob, a token of five digits or more
  (``555-123-4567``, ``4111111111111111``: a number someone typed). Anything
  with a space between words, with other punctuation, with non-ASCII letters,
  an e-mail address or a web address is text and kept;
- in an app's metadata (``labels``), machine labels (:func:`is_label`): one
  lowercase word of letters, digits and ``_.:-`` (``standard``, ``gpt-4o``,
  ``connector:x``) or an app's own address (``sediment://…``), but never a
  handle: letters with dots or underscores between them (``h.oyelaran``);
- text that repeats what is stored from the same record (``seen``) and, under
  a format's *repeat* keys (``repeats``: metadata that echoes text stored
  elsewhere), text already stored anywhere the caller's ``stored`` check looks,
  compared after whitespace normalisation, and machine data. Text under a
  repeat key that is stored nowhere is kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
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
# Metadata keys whose values are judged one by one: machine data is skipped, text kept.
DATA_KEYS = frozenset({"data", "file_data", "media_type", "mime_type", "format", "detail"})
ID_ENDS = ("_id", "_ids", "_at")


# A machine label: one lowercase word ("absolute", "gpt-4o", "connector:drive"),
# or an app's own address ("sediment://file_00ab", "connectors://drive"; not a web page's).
_LABEL = re.compile(r"[a-z][a-z0-9_.:-]*|(?!https?:)[a-z][a-z0-9+.-]*://\S*")
# A person's handle or the local part of an address: letters, a dot or underscore between.
_HANDLE = re.compile(r"[A-Za-z]+(?:[._][A-Za-z]+)+[0-9]*")
# A capitalised name: Ashdown, McDonald, Smith-Jones.
_NAME = re.compile(r"[A-Z][a-z]+(?:[A-Z][a-z]+)*(?:-[A-Z][a-z]+)*")
_TOKEN = re.compile(r"[A-Za-z0-9+/=_.:-]+")
_MIME = re.compile(r"[a-z]+/[a-z0-9][a-z0-9.+-]*(?: *; *[a-z0-9-]+=[A-Za-z0-9._-]+)*", re.I)
_TIME = re.compile(r"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?"
                   r"(?:Z|[+-]\d\d:?\d\d)?)?")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_BASE64_LINES = re.compile(r"[A-Za-z0-9+/=]{40,}(?:\r?\n[A-Za-z0-9+/=]+)+\s*")
_BASE64 = re.compile(r"[A-Za-z0-9+/]{40,}={0,2}")  # an encoded blob on one line
_DIGIT = re.compile(r"[0-9]")
NUMBER_DIGITS = 5  # a shorter token with this many digits may be a number that is PII


def is_label(value: str) -> bool:
    """True for an app's machine label (see the module docstring), never a handle."""
    return _LABEL.fullmatch(value) is not None and _HANDLE.fullmatch(value) is None


def machine_data(value: str) -> bool:
    """True when ``value`` is plainly machine data, not text (see the module docstring)."""
    if value.startswith("data:"):
        return True
    if _PRIVATE_USE.search(value):  # an app's markup around a reference: "\ue200i…\ue201"
        value = _PRIVATE_USE.sub("", value)
    if not value.isascii():
        return False
    stripped = value.strip()
    if not stripped or any(p.fullmatch(stripped) for p in (_MIME, _TIME, _BASE64_LINES)):
        return True
    if not _TOKEN.fullmatch(stripped) or "://" in stripped:
        return False
    if _BASE64.fullmatch(stripped):
        return True
    if len(_DIGIT.findall(stripped)) >= NUMBER_DIGITS:
        return False  # a phone, card, account or id number someone typed: kept
    return _HANDLE.fullmatch(stripped) is None and _NAME.fullmatch(stripped) is None


def normal(value: str) -> str:
    """``value`` with every run of whitespace one space, for telling repeats."""
    return " ".join(value.split())


@dataclass(frozen=True)
class _Rules:
    """What :func:`_free` leaves out (see the module docstring)."""

    skip: frozenset[str]
    seen: str
    labels: bool
    repeats: frozenset[str]
    stored: Callable[[str], bool]


def _seen_check(seen: str) -> Callable[[str], bool]:
    normal_seen: list[str] = []

    def stored(value: str) -> bool:
        if not normal_seen:
            normal_seen.append(normal(seen))
        return normal(value) in normal_seen[0]
    return stored


def loose_text(block: Mapping[str, Any], where: Where, what: str,
               skip: frozenset[str] = LOOSE_METADATA, seen: str = "", *,
               labels: bool = False, repeats: frozenset[str] = frozenset(),
               stored: Callable[[str], bool] | None = None) -> str:
    """The free text of a block of a kind no format documents: its strings but
    those the module docstring lists (``skip`` is ``LOOSE_METADATA`` unless
    given; ``seen`` is text stored from the same record; ``stored`` tells text
    under ``repeats`` keys stored elsewhere, by default within ``seen``); JSON
    text of an object or array is read as that data. A lone string comes as
    itself, else :func:`readable` lines of what holds the strings; "" when
    there is no such string."""
    rules = _Rules(skip, seen, labels, repeats, stored or _seen_check(seen))
    try:
        rest = _free(block, rules)
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
               labels: bool = False, repeats: frozenset[str] = frozenset(),
               stored: Callable[[str], bool] | None = None) -> str:
    """:func:`loose_text` of a record's keys that its format does not define."""
    if known.issuperset(record.keys()):
        return ""
    return loose_text({k: v for k, v in record.items() if k not in known}, where, what,
                      skip, seen, labels=labels, repeats=repeats, stored=stored)


def metadata_key(key: Any, skip: frozenset[str]) -> bool:
    """True when nothing under ``key`` is text: a ``skip`` key (but for
    :data:`DATA_KEYS`, whose values are judged one by one) or an id or time."""
    return (key in skip and key not in DATA_KEYS) or (isinstance(key, str)
                                                      and key.endswith(ID_ENDS))


def _free(value: Any, rules: _Rules, *, machine: bool = False, repeat: bool = False) -> Any:
    """``value`` with only its free-text strings and what holds them; None if none.
    ``machine``: the value of a data key; ``repeat``: under a repeat key."""
    if isinstance(value, str):
        return _free_string(value, rules, machine=machine, repeat=repeat)
    if isinstance(value, dict):
        kept = {k: v for k, item in value.items() if not metadata_key(k, rules.skip)
                and (v := _free(item, rules, machine=k in DATA_KEYS and k in rules.skip,
                                repeat=repeat or k in rules.repeats)) is not None}
        return kept or None
    if isinstance(value, list):
        return [v for item in value if (v := _free(item, rules, machine=machine,
                                                   repeat=repeat)) is not None] or None
    return None  # numbers, flags, null


def _free_string(value: str, rules: _Rules, *, machine: bool, repeat: bool) -> str | None:
    if not value or value.startswith("data:") or value in rules.seen:
        return None
    if value[0] in "{[" and isinstance(data := _json_data(value), dict | list):
        return _free(data, rules, repeat=repeat)  # JSON text: its strings, laid out
    if rules.labels and is_label(value):
        return None
    if (machine or repeat) and machine_data(value):
        return None
    return None if repeat and rules.stored(value) else value


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

