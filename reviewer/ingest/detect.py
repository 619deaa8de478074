"""Which format a file is in, from its first bytes (never from its name).

A JSON Lines file is told by its first line's keys, however long that line
is: when it runs past the head, the rest of it is read on from the (guarded)
stream as parser events, so memory holds neither the line nor its value.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import ijson

from reviewer.ingest.errors import InputError
from reviewer.ingest.guard import InputStream

try:  # the head of an array is read as parser events, cut wherever the head ends
    BACKEND: Any = ijson.get_backend("yajl2_c")
except (ImportError, ValueError):  # pragma: no cover - depends on the installed wheel
    BACKEND = ijson

HEAD = 1 << 20
SUPPORTED = (
    "supported are a ChatGPT export (conversations.json or its .zip), OpenAI chat JSONL "
    '({"messages": [...]} a line), OpenAI batch JSONL (custom_id, body), a Claude export '
    "conversations.json or one exported Claude conversation, ShareGPT JSON or JSONL, and CSV "
    "with the header conversation_id,role,text"
)
ARRAY_KEYS = (("mapping", "chatgpt"), ("chat_messages", "claude"), ("conversations", "sharegpt"))
LINE_KEYS = (("custom_id", "openai-batch"), ("messages", "openai-jsonl"),
             ("conversations", "sharegpt"))


def read_head(stream: InputStream) -> bytes:
    """Up to :data:`HEAD` bytes from the start of a (guarded) stream."""
    chunks, size = [], 0
    while size < HEAD and (chunk := stream.read(HEAD - size)):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def shape(head: bytes) -> str:
    """"array", "lines" (JSON Lines) or "other", from the first non-blank byte."""
    start = head.lstrip()[:1]
    return {b"[": "array", b"{": "lines"}.get(start, "other")


def detect(name: str, head: bytes, rest: InputStream | None = None) -> str:
    """The format name of an entry whose first bytes are ``head``; ``rest``, the
    stream the head came from, lets a first line longer than the head be read on."""
    if not head.strip():
        raise InputError(name, "", "it is empty")
    kind = shape(head)
    if kind == "array":
        found = _pick(_first_element_keys(head), ARRAY_KEYS)
    elif kind == "lines":
        keys = _first_line_keys(name, head, rest)
        found = _pick(keys, LINE_KEYS) or ("claude" if "chat_messages" in keys else None)
        if found is None and not _line_read_on(head, rest):
            found = _single_object(head, rest)
    else:
        found = "csv" if _is_csv(head) else None
    if found is None:
        raise InputError(name, "", f"its shape is not one that can be imported; {SUPPORTED}")
    return found


def _pick(keys: set[str], table: tuple[tuple[str, str], ...]) -> str | None:
    return next((fmt for key, fmt in table if key in keys), None)


def _first_element_keys(head: bytes) -> set[str]:
    """Keys of the array's first element, as far as the head reaches."""
    keys: set[str] = set()
    try:
        for prefix, event, value in BACKEND.parse(io.BytesIO(head)):
            if prefix == "item" and event == "map_key":
                keys.add(value)
            elif (prefix == "item" and event == "end_map") or (prefix, event) == ("", "end_array"):
                break
    except (ijson.JSONError, ValueError):
        pass  # the head cut the element short: the keys seen so far decide
    if head.lstrip()[1:].lstrip().startswith(b"]"):
        keys.add("mapping")  # an empty array: nothing to import, in any array format
    return keys


def _single_object(head: bytes, rest: InputStream | None = None) -> str | None:
    """"claude" when the file is one exported Claude conversation (an object
    with ``chat_messages``, however it is laid out over lines and however long
    the values before that key: past the head, ``rest`` is read on as parser
    events, as a long first line is)."""
    source: Any = io.BytesIO(head) if rest is None or len(head) < HEAD else _ReadOn(head, rest)
    try:
        for prefix, event, value in BACKEND.parse(source):
            if prefix == "" and event == "map_key" and value == "chat_messages":
                return "claude"
            if (prefix, event) == ("", "end_map"):
                break
    except (ijson.JSONError, ValueError):
        pass  # the head cut the object short: no "chat_messages" among its first keys
    return None


def _line_read_on(head: bytes, rest: InputStream | None) -> bool:
    """Whether the first line runs past the head, so its keys are read on from ``rest``."""
    return (rest is not None and len(head) >= HEAD
            and b"\n" not in head.lstrip())


def _first_line_keys(name: str, head: bytes, rest: InputStream | None) -> set[str]:
    first = head.lstrip().split(b"\n", 1)[0]
    if rest is not None and _line_read_on(head, rest):
        return _long_line_keys(head.lstrip(), rest)
    try:
        decoded = first.decode("utf-8")
    except UnicodeDecodeError:
        if len(first) < len(head.lstrip()) or len(head) < HEAD:  # not cut by the head's end
            raise InputError(name, "line 1", "it is not valid UTF-8 text") from None
        return set()
    try:
        value: Any = json.loads(decoded)
    except (ValueError, RecursionError):
        return set()
    return set(value) if isinstance(value, dict) else set()


class _ReadOn:
    """The head, then the stream read on: to its end, or (``line``) up to and
    including the first newline."""

    def __init__(self, head: bytes, rest: InputStream, *, line: bool = False) -> None:
        self.pending = head
        self.rest = rest
        self.line = line
        self.done = False

    def read(self, size: int = -1) -> bytes:
        """At most ``size`` bytes: the parser builds a buffer's events all at once."""
        if size == 0:  # ijson probes the kind of stream with read(0)
            return b""
        size = size if size > 0 else 1 << 16
        if not self.pending and not self.done:
            self.pending = self.rest.read(size)
            self.done = not self.pending
        data, self.pending = self.pending[:size], self.pending[size:]
        if self.line and b"\n" in data:
            data, self.pending, self.done = data[:data.index(b"\n") + 1], b"", True
        return data


def _long_line_keys(head: bytes, rest: InputStream) -> set[str]:
    """Top-level keys of a first line that the head cut: parser events over the
    whole line (the guard on ``rest`` keeps depth, numbers and size in bounds),
    stopping at a key that decides or at the object's end."""
    keys: set[str] = set()
    deciding = LINE_KEYS[0][0]
    try:
        for prefix, event, value in BACKEND.parse(_ReadOn(head, rest, line=True)):
            if prefix == "" and event == "map_key":
                keys.add(value)
                if value == deciding:
                    break
            elif prefix == "" and event == "end_map":
                break
    except (ijson.JSONError, ValueError):
        pass  # not JSON after all: the keys seen so far decide, the parser names the fault
    return keys


def _is_csv(head: bytes) -> bool:
    try:
        first = head.decode("utf-8", "ignore").splitlines()[0]
        header = next(csv.reader([first]))
    except (IndexError, StopIteration, csv.Error):
        return False
    return {"conversation_id", "role", "text"} <= {h.strip() for h in header}
