"""Streaming JSON: array elements one at a time, and JSON Lines records.

Both read through :class:`reviewer.ingest.guard.InputStream` (NUL bytes and
size) and decode with the standard library's decoder, whose own limits refuse
hostile JSON cleanly: nesting deeper than the recursion limit, integers of more
than 4,300 digits (and floats parse in linear time). Every parser error becomes
an :class:`InputError` that names the record or line.

A top-level array is read in blocks and decoded one element at a time with the
standard library's C decoder (``JSONDecoder.raw_decode``): memory holds one
block and one element, never the file, and each element is built at C speed
(about twice as fast as an event parser such as ijson, which builds it from
Python events). An element cut by the end of a block is decoded again once
more of the stream is in; the next read doubles while one element stays
incomplete, so a huge element costs linear, not quadratic, time.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from typing import Any

from reviewer.ingest.errors import InputError, line, record
from reviewer.ingest.guard import InputStream

BLOCK = 1 << 20
# A decoding error this close to the end of the text read so far may be the
# block's end cutting a token ("tru", "\u00", "-") rather than a fault.
CUT_MARGIN = 16
_WHITESPACE = re.compile(r"[ \t\n\r]*")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


# The standard decoder, except that NaN and Infinity (not JSON) are refused.
DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def _reason(err: Exception) -> str:
    detail = err.args[0] if err.args else str(err)
    if "integer string conversion" in str(detail):  # Python's own limit on digits
        return f"it holds a number of more than {sys.get_int_max_str_digits()} digits"
    first = str(detail).strip().splitlines()[0] if str(detail).strip() else "truncated"
    return f"it is not valid JSON ({first.rstrip('.')})"


class _ArrayReader:
    """The elements of the top-level JSON array in ``stream``, one at a time."""

    def __init__(self, stream: InputStream) -> None:
        self.stream = stream
        self.tail = b""  # the start of a character the last block cut in two
        self.fault: str | None = None  # invalid UTF-8 lies right after the text
        self.text = ""
        self.pos = 0
        self.eof = False
        self.index = 0

    def error(self, reason: str) -> InputError:
        return InputError(self.stream.name, record(self.index), reason)

    def read(self, size: int | None = None) -> None:
        """Append the next block of text (or note the end of the stream).

        Text before invalid UTF-8 is kept, and the fault is raised only when
        parsing needs to go past it, so the error names the record that holds it.
        """
        if self.fault:
            raise self.error(self.fault)
        data = self.stream.read(size or BLOCK)
        self.eof = not data
        raw, self.tail = self.tail + data, b""
        try:
            more = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            more = raw[:err.start].decode("utf-8")
            if data and err.reason == "unexpected end of data":
                self.tail = raw[err.start:]
            else:
                self.fault = "it is not valid UTF-8 text"
        self.text = self.text[self.pos:] + more
        self.pos = 0

    def next_char(self) -> str:
        """The next character after whitespace, reading on as needed; "" at the end."""
        while True:
            self.pos = _WHITESPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.text) or self.eof:
                return self.text[self.pos:self.pos + 1]
            self.read()

    def items(self) -> Iterator[tuple[int, Any]]:
        if self.next_char() != "[":
            raise InputError(self.stream.name, "", "it is not a JSON array of conversations")
        self.pos += 1
        if self.next_char() == "]":
            return self.finish()
        while True:
            yield self.index, self.element()
            self.index += 1
            char = self.next_char()
            if char == "]":
                return self.finish()
            if char != ",":  # named after the record just read
                raise InputError(self.stream.name, record(self.index - 1), _reason(ValueError(
                    "the file ends before the array is closed" if not char
                    else "expecting ',' or ']' after the record")))
            self.pos += 1

    def element(self) -> Any:
        size = BLOCK
        while True:
            if not self.next_char():
                raise self.error(_reason(ValueError("the file ends before the array is closed")))
            try:
                value, end = DECODER.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as err:
                if self.eof or not self._maybe_cut(err):
                    where = (f"{err.msg.removesuffix(' at')} at character "
                             f"{err.pos - self.pos + 1} of the record")
                    raise self.error(_reason(ValueError(where))) from None
            except RecursionError:
                raise self.error("it is nested too deeply") from None
            except ValueError as err:
                raise self.error(_reason(err)) from None
            else:
                if self._complete(end):
                    self.pos = end
                    return value
            self.read(size)
            size *= 2

    def _complete(self, end: int) -> bool:
        """False when the element is a bare number or literal that may go on in
        text not yet read (``12`` of ``12.5``); objects, arrays and strings end
        with their closing character."""
        if self.eof or self.text[self.pos] in '{["':
            return True
        after = self.text[end:end + 1]
        return after in (",", "]", " ", "\t", "\r", "\n") or len(self.text) - end > CUT_MARGIN

    def _maybe_cut(self, err: json.JSONDecodeError) -> bool:
        return err.msg.startswith("Unterminated string") or err.pos >= len(self.text) - CUT_MARGIN

    def finish(self) -> None:
        self.pos += 1
        if self.next_char():
            raise InputError(self.stream.name, "",
                             "it is not valid JSON (there is more after the array)")


def array_items(stream: InputStream) -> Iterator[tuple[int, Any]]:
    """(index, element) for each element of a top-level JSON array."""
    return _ArrayReader(stream).items()


def iter_lines(stream: InputStream) -> Iterator[tuple[int, bytes]]:
    """(line number, line without its end) for every line of the stream.

    The start of a line that spans chunks is kept as a list of pieces, joined
    once at its end: a line of any length costs linear time.
    """
    number, pending = 0, []
    while chunk := stream.read():
        if b"\n" not in chunk:
            pending.append(chunk)
            continue
        parts = chunk.split(b"\n")
        if pending:
            parts[0] = b"".join([*pending, parts[0]])
        last = parts.pop()
        pending = [last] if last else []
        for part in parts:
            number += 1
            yield number, part
    if pending:
        yield number + 1, b"".join(pending)


def decode_line(stream: InputStream, number: int, raw: bytes) -> Any:
    """One JSON Lines record; every failure is an InputError naming the line."""
    try:
        return DECODER.decode(raw.decode("utf-8"))
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
