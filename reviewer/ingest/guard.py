"""A read-through wrapper that refuses hostile input before a parser sees it.

Streaming JSON parsers build their state in proportion to nesting depth (and
ijson's C backend crashes outright on numbers of more than 4,300 digits), so a
few kilobytes of ``[[[[…`` or ``999…`` would exhaust memory or kill the
process. :class:`InputStream` scans every chunk at C speed as it passes
(strings are cut out with one regular expression, the remaining brackets are
summed with ``accumulate``) and raises an :class:`InputError` at the first
sign of trouble: nesting deeper than :data:`MAX_DEPTH`, a number longer than
:data:`MAX_DIGITS`, a NUL byte, or more bytes than the caller allowed. It also
counts bytes for progress and drops a leading UTF-8 byte-order mark.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from itertools import accumulate
from typing import Any, BinaryIO

from reviewer.ingest.errors import InputError

MAX_DEPTH = 128
MAX_DIGITS = 400
CHUNK = 1 << 16
BOM = b"\xef\xbb\xbf"

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_STRING_REST = re.compile(rb'[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_LONG_NUMBER = re.compile(rb"[0-9]{%d,}" % (MAX_DIGITS + 1))
_BRACKETS = bytes(range(256)).translate(None, b"[]{}")
# Opening brackets become +1 and closing ones -1 when read as signed bytes.
_SIGNS = bytes.maketrans(b"[]{}", b"\x01\xff\x01\xff")


class InputStream(io.RawIOBase):
    """A binary stream that checks JSON structure limits while it is read.

    ``json=False`` keeps only the NUL, size and counting checks (for CSV).
    """

    def __init__(self, raw: BinaryIO, name: str, *, json: bool = True,
                 limit: int | None = None) -> None:
        super().__init__()
        self.raw = raw
        self.name = name
        self.json = json
        self.limit = limit
        self.bytes_read = 0
        self._depth = 0
        self._in_string = False
        self._escaped = False
        self._digits = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def read(self, size: int | None = -1) -> bytes:
        data = self._raw_read(CHUNK if size is None or size < 0 else size)
        if self.bytes_read == 0 and data.startswith(BOM):
            self.bytes_read += len(BOM)
            data = data[len(BOM):]
        self.bytes_read += len(data)
        if self.limit is not None and self.bytes_read > self.limit:
            raise InputError(self.name, "", "the data is larger than its declared size")
        if b"\x00" in data:
            raise InputError(self.name, f"byte {self.bytes_read - len(data) + data.index(0)}",
                             "it holds a NUL byte, which no text export contains")
        if self.json and data:
            self._scan(data)
        return data

    def _raw_read(self, size: int) -> bytes:
        try:
            return self.raw.read(size) or b""
        except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as err:
            raise InputError(self.name, f"near byte {self.bytes_read}",
                             f"it cannot be read ({err})") from None

    def _scan(self, data: bytes) -> None:
        rest = self._leave_string(data)
        if rest is None:
            return
        outside = _STRING.sub(b" ", rest)
        quote = outside.find(b'"')
        if quote >= 0:
            self._enter_string(outside[quote + 1:])
            outside = outside[:quote]
        self._check_numbers(outside)
        self._check_depth(outside.translate(None, _BRACKETS))

    def _leave_string(self, data: bytes) -> bytes | None:
        """The part of ``data`` after the string that the last chunk left open."""
        if self._escaped:
            data, self._escaped = data[1:], False
        if not self._in_string:
            return data
        end = _STRING_REST.match(data)
        if end is None:
            self._enter_string(data)
            return None
        self._in_string = False
        return data[end.end():]

    def _enter_string(self, rest: bytes) -> None:
        self._in_string = True
        tail = len(rest) - len(rest.rstrip(b"\\"))
        self._escaped = tail % 2 == 1

    def _check_numbers(self, outside: bytes) -> None:
        lead = len(outside) - len(outside.lstrip(b"0123456789"))
        if lead == len(outside):
            self._digits += lead
        elif self._digits + lead > MAX_DIGITS or _LONG_NUMBER.search(outside):
            self._digits = MAX_DIGITS + 1
        else:
            self._digits = len(outside) - len(outside.rstrip(b"0123456789"))
        if self._digits > MAX_DIGITS:
            raise InputError(self.name, f"near byte {self.bytes_read}",
                             f"it holds a number of more than {MAX_DIGITS} digits")

    def _check_depth(self, brackets: bytes) -> None:
        if not brackets:
            return
        signs = memoryview(brackets.translate(_SIGNS)).cast("b")
        peak = max(accumulate(signs, initial=self._depth))
        self._depth += brackets.count(b"[") + brackets.count(b"{") - brackets.count(b"]") \
            - brackets.count(b"}")
        if peak > MAX_DEPTH:
            raise InputError(self.name, f"near byte {self.bytes_read}",
                             f"it is nested more than {MAX_DEPTH} levels deep")
