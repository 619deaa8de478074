"""Streaming JSON: array elements one at a time, and JSON Lines records.

Both read through :class:`reviewer.ingest.guard.InputStream`, so depth, number
and NUL limits hold before a parser sees a byte, and every parser error
becomes an :class:`InputError` that names the record or line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import ijson

from reviewer.ingest.errors import InputError, line, record
from reviewer.ingest.guard import InputStream

try:
    BACKEND: Any = ijson.get_backend("yajl2_c")
except (ImportError, ValueError):  # pragma: no cover - depends on the installed wheel
    BACKEND = ijson


class _Prepended:
    """A stream that first returns bytes already read, then the rest of ``stream``."""

    def __init__(self, head: bytes, stream: InputStream) -> None:
        self.head = head
        self.stream = stream

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson probes with read(0) to learn bytes from text
            return b""
        if self.head:
            data, self.head = self.head, b""
            return data
        return self.stream.read(size)


def _reason(err: Exception) -> str:
    detail = err.args[0] if err.args else str(err)
    if isinstance(detail, bytes):
        detail = detail.decode("utf-8", "replace")
    first = str(detail).strip().splitlines()[0] if str(detail).strip() else "truncated"
    return f"it is not valid JSON ({first.rstrip('.')})"


def array_items(stream: InputStream) -> Iterator[tuple[int, Any]]:
    """(index, element) for each element of a top-level JSON array."""
    head = stream.read()
    while head.strip() == b"" and head:
        head = stream.read()
    if not head.lstrip().startswith(b"["):
        raise InputError(stream.name, "", "it is not a JSON array of conversations")
    index = 0
    try:
        for index, item in enumerate(BACKEND.items(_Prepended(head, stream), "item")):
            yield index, item
            index += 1
    except (ijson.JSONError, ValueError) as err:
        raise InputError(stream.name, record(index), _reason(err)) from None


def iter_lines(stream: InputStream) -> Iterator[tuple[int, bytes]]:
    """(line number, line without its end) for every line of the stream."""
    number, pending = 0, b""
    while chunk := stream.read():
        parts = (pending + chunk).split(b"\n")
        pending = parts.pop()
        for part in parts:
            number += 1
            yield number, part
    if pending:
        yield number + 1, pending


def decode_line(stream: InputStream, number: int, raw: bytes) -> Any:
    """One JSON Lines record; every failure is an InputError naming the line."""
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(stream.name, line(number), "it is not valid UTF-8 text") from None
    except RecursionError:
        raise InputError(stream.name, line(number), "it is nested too deeply") from None
    except ValueError as err:
        raise InputError(stream.name, line(number), _reason(err)) from None


def jsonl_records(stream: InputStream) -> Iterator[tuple[int, Any]]:
    """(line number, value) for each non-blank line of a JSON Lines stream."""
    for number, raw in iter_lines(stream):
        if raw.strip():
            yield number, decode_line(stream, number, raw)
