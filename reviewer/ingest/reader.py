"""The ingest layer's front door: open a path, learn its format(s), stream its
conversations, and say how far reading has got (for progress bars).

A path is one plain file or an export ZIP (see ``container``); each entry's
format is detected from its content unless one is forced. Format names are
those of ``reviewer import --format``.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from reviewer.domain.models import Conversation
from reviewer.infra.files import file_digest
from reviewer.ingest import chatgpt, claude, csvfile, openai, sharegpt
from reviewer.ingest.container import Entry, open_entries
from reviewer.ingest.detect import detect, read_head, shape
from reviewer.ingest.errors import InputError
from reviewer.ingest.guard import InputStream

Parser = Callable[[InputStream], Iterator[Conversation]]

PARSERS: dict[str, Parser] = {
    "chatgpt": chatgpt.conversations,
    "openai-jsonl": openai.chat_conversations,
    "openai-batch": openai.batch_conversations,
    "claude": claude.conversations,
    "sharegpt": sharegpt.json_conversations,
    "csv": csvfile.conversations,
}
FORMATS = tuple(PARSERS)


def source_digest(path: Path) -> tuple[str, int]:
    """(SHA-256 hex, size) of an import file; InputError when it cannot be read."""
    try:
        return file_digest(path)
    except OSError as err:
        raise InputError(path.name, "", f"it cannot be read ({err.strerror or err})") from None


def parse_size(path: Path) -> int:
    """Bytes the parsers would read from ``path``: its size, or for an export ZIP
    the declared size of its conversation files; 0 when it cannot be opened
    (opening it to import says why)."""
    try:
        with open_entries(path) as entries:
            return sum(e.size for e in entries)
    except InputError:
        return 0


def parser_for(fmt: str, head: bytes) -> Parser:
    if fmt == "sharegpt" and shape(head) == "lines":
        return sharegpt.jsonl_conversations
    if fmt == "claude" and shape(head) == "lines":
        return claude.single_conversation
    return PARSERS[fmt]


@dataclass
class Part:
    """One entry with the format it is read in."""

    entry: Entry
    format: str
    parser: Parser


@dataclass
class SourceFile:
    """An opened input: its entries, their formats, and reading progress."""

    path: Path
    parts: list[Part]
    _done: int = 0
    _current: InputStream | None = None

    @property
    def entries(self) -> list[Entry]:
        return [p.entry for p in self.parts]

    @property
    def total_bytes(self) -> int:
        return sum(p.entry.size for p in self.parts)

    @property
    def bytes_read(self) -> int:
        return self._done + (self._current.bytes_read if self._current else 0)

    @property
    def format(self) -> str:
        """The format name, or several joined by commas for a mixed archive."""
        return ",".join(dict.fromkeys(p.format for p in self.parts))

    def conversations(self) -> Iterator[Conversation]:
        """Every conversation of every entry, in file order."""
        for part in self.parts:
            with contextlib.closing(part.entry.open()) as raw:
                self._current = _stream(raw, part.entry, structure=False)
                yield from part.parser(self._current)
            self._done += part.entry.size
            self._current = None


def _stream(raw: BinaryIO, entry: Entry, *, structure: bool) -> InputStream:
    """The entry's bytes, guarded. ``structure`` adds the JSON depth and number
    checks, which the head needs (``detect`` reads it with ijson, whose C
    backend has no such limits); the parsers decode with the standard library,
    which refuses those itself, so the whole file is spared the scan."""
    return InputStream(raw, entry.name, structure=structure, limit=entry.limit)


def _part(entry: Entry, forced: str | None) -> Part:
    """Read the start of an entry to choose (or check) its format."""
    with contextlib.closing(entry.open()) as raw:
        stream = _stream(raw, entry, structure=forced != "csv")
        head = read_head(stream)
        fmt = forced or detect(entry.name, head, stream)
    return Part(entry, fmt, parser_for(fmt, head))


def from_bytes(name: str, data: bytes, fmt: str | None = None) -> SourceFile:
    """A :class:`SourceFile` over bytes in memory (pasted or dropped text, tests)."""
    entry = Entry(name, len(data), lambda: io.BytesIO(data))
    return SourceFile(Path(name), [_part(entry, fmt)])


@contextlib.contextmanager
def open_source(path: Path, fmt: str | None = None) -> Iterator[SourceFile]:
    """A :class:`SourceFile` for ``path``; ``fmt`` forces a format for every entry."""
    if fmt is not None and fmt not in PARSERS:
        raise InputError(path.name, "", f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    with open_entries(path) as entries:
        yield SourceFile(path, [_part(entry, fmt) for entry in entries])
