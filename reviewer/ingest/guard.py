"""A read-through wrapper that refuses hostile input before a parser sees it.

Event-based JSON parsers such as ijson (which ``detect`` runs over the head of
a file) build their state in proportion to nesting depth, and ijson's C
backend crashes outright on numbers of more than 4,300 digits, so a few
kilobytes of ``[[[[…`` or ``999…`` would exhaust memory or kill the process.
With ``structure=True`` (the head) :class:`InputStream` scans every chunk at C speed as it passes
(escape pairs are dropped, strings are cut out by splitting on quotes, the
remaining brackets are summed with ``accumulate``) and raises an :class:`InputError` at the first
sign of trouble: nesting deeper than :data:`MAX_DEPTH`, a number longer than
:data:`MAX_DIGITS`, a NUL byte, or more bytes than the caller allowed. A file
that starts as UTF-16 text does (a UTF-16 byte-order mark, or ASCII characters
with a NUL byte beside each, as Excel's "Unicode text" and PowerShell write it)
is refused as UTF-16, with a word to re-save it as UTF-8, not as holding NUL
bytes: the parsers read UTF-8, and a file is not transcoded on the way (the
CSV parser's second pass seeks to byte offsets). The stream also
counts bytes for progress and drops a leading UTF-8 byte-order mark; a parser
that reads the data twice (CSV) rewinds it with :meth:`InputStream.rewind`. The
parsers read the whole file with ``structure=False``: the standard library's decoder
they use refuses deep nesting and overlong integers on its own.
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
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
START = 4  # bytes the first read takes at least, to tell UTF-16 by

_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_DIGITS = b"0123456789"
_NOT_SKELETON = bytes(range(256)).translate(None, b'"[]{}')
_DIGIT_MASK = bytes(ord("1") if chr(b) in "0123456789" else ord("0") for b in range(256))
_LONG_RUN = b"1" * (MAX_DIGITS + 1)
# Opening brackets become +1 and closing ones -1 when read as signed bytes.
_SIGNS = bytes.maketrans(b"[]{}", b"\x01\xff\x01\xff")


def _is_utf16(start: bytes) -> bool:
    """True when a file's first bytes are a UTF-16 byte-order mark, or ASCII
    characters each with a NUL byte beside it on the same side."""
    if start[:2] in UTF16_BOMS:
        return True
    if len(start) < 2:
        return False
    return any(not nuls.strip(b"\x00") and chars.isascii() and 0 not in chars
               for chars, nuls in ((start[0::2], start[1::2]), (start[1::2], start[0::2])))


def _has_long_run(data: bytes) -> bool:
    return data.translate(_DIGIT_MASK).find(_LONG_RUN) >= 0


def _outside(data: bytes, starts_inside: bool) -> bytes:
    """The parts of ``data`` (escapes removed) that lie outside strings."""
    pieces = data.split(b'"')
    return b" ".join(pieces[1::2] if starts_inside else pieces[0::2])


class InputStream(io.RawIOBase):
    """A binary stream that checks NUL bytes and size, and with ``structure``
    (the default) JSON depth and number limits, while it is read."""

    def __init__(self, raw: BinaryIO, name: str, *, structure: bool = True,
                 limit: int | None = None) -> None:
        super().__init__()
        self.raw = raw
        self.name = name
        self.structure = structure
        self.limit = limit
        self.bytes_read = 0
        self._depth = 0
        self._in_string = False
        self._escaped = False
        self._digits = 0
        self._skipped = 0  # a byte-order mark dropped at the start
        self._ahead = b""  # read at the start beyond what was asked for

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def read(self, size: int | None = -1) -> bytes:
        size = CHUNK if size is None or size < 0 else size
        data = self._start(size) if self.bytes_read == 0 else self._raw_read(size)
        self.bytes_read += len(data)
        if self.limit is not None and self.bytes_read > self.limit:
            raise InputError(self.name, "", "the data is larger than its declared size")
        if b"\x00" in data:
            raise InputError(self.name, f"byte {self.bytes_read - len(data) + data.index(0)}",
                             "it holds a NUL byte, which no text export contains")
        if self.structure and data:
            self._scan(data)
        return data

    def read_exactly(self, size: int) -> bytes:
        """``size`` bytes, or fewer only at the end of the stream."""
        chunks, wanted = [], size
        while wanted > 0 and (chunk := self.read(wanted)):
            chunks.append(chunk)
            wanted -= len(chunk)
        return b"".join(chunks)

    def rewind(self, offset: int = 0) -> None:
        """Read on from byte ``offset`` of the data (after any byte-order mark),
        for a parser that reads in two passes; the checks start afresh."""
        at = offset + self._skipped if offset else 0  # from 0 the mark is dropped again
        try:
            self.raw.seek(at)
        except (OSError, ValueError) as err:
            raise InputError(self.name, "", f"it cannot be read a second time ({err})") from None
        self.bytes_read = at
        self._ahead = b""
        self._depth, self._in_string, self._escaped, self._digits = 0, False, False, 0

    def _start(self, size: int) -> bytes:
        """The first ``size`` bytes after any UTF-8 byte-order mark, read at least
        :data:`START` deep (whatever ``size``) to tell a mark and UTF-16 by."""
        data = self._raw_read(max(size, START))
        while 0 < len(data) < START and (more := self._raw_read(START - len(data))):
            data += more
        if _is_utf16(data[:START]):
            raise InputError(self.name, "", "it is UTF-16 text, which cannot be imported; "
                             "re-save it as UTF-8 (Excel: CSV UTF-8; PowerShell: "
                             "-Encoding utf8) and import it again")
        if data.startswith(BOM):
            self.bytes_read = self._skipped = len(BOM)
            data = data[len(BOM):]
        data, self._ahead = data[:size], data[size:]
        return data

    def _raw_read(self, size: int) -> bytes:
        if self._ahead:
            data, self._ahead = self._ahead[:size], self._ahead[size:]
            return data
        try:
            return self.raw.read(size) or b""
        except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as err:
            raise InputError(self.name, f"near byte {self.bytes_read}",
                             f"it cannot be read ({err})") from None

    def _scan(self, data: bytes) -> None:
        """Check one chunk, keeping the string/escape/digit state across chunks.

        Escape pairs are removed first, so every remaining quote opens or
        closes a string; splitting the quotes-and-brackets skeleton on quotes
        then alternates outside/inside. All of it runs in C (``translate``,
        ``split``, ``find``), which keeps the guard far faster than parsing.
        """
        if self._escaped:
            data, self._escaped = data[1:], False
        if b"\\" in data:
            data = _ESCAPE.sub(b"", data)
            if data.endswith(b"\\"):
                data, self._escaped = data[:-1], True
        starts_inside = self._in_string
        # Dropping adjacent quote pairs keeps every remaining quote's parity and
        # leaves only the few strings that hold brackets: the split stays small.
        pieces = data.translate(None, _NOT_SKELETON).replace(b'""', b"").split(b'"')
        self._check_depth(b"".join(pieces[1::2] if starts_inside else pieces[0::2]))
        if len(pieces) % 2 == 0:
            self._in_string = not self._in_string
        self._check_numbers(data, starts_inside)

    def _check_numbers(self, data: bytes, starts_inside: bool) -> None:
        """Digit runs outside strings, also across chunk ends, stay within MAX_DIGITS."""
        lead = 0 if starts_inside else len(data) - len(data.lstrip(_DIGITS))
        if lead == len(data):
            longest = self._digits = self._digits + lead
        else:
            longest = self._digits + lead
            if _has_long_run(data) and _has_long_run(_outside(data, starts_inside)):
                longest = MAX_DIGITS + 1
            self._digits = 0 if self._in_string else len(data) - len(data.rstrip(_DIGITS))
        if longest > MAX_DIGITS:
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
