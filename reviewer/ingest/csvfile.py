"""CSV: header ``conversation_id,role,text`` with optional ``timestamp`` and
``title`` columns, in any order; RFC 4180 quoting; UTF-8 with or without BOM.

Rows are grouped by ``conversation_id`` (rows of one conversation need not be
adjacent); message order is row order, conversations come in the order of
their first row. The conversation id is the ``source_id``. The title is the
first non-empty ``title`` of its rows; each later title that differs from
those before it is not dropped but listed, in row order, in a last message
(role ``system``, visibility ``system``) of ``title: …`` lines. A row's
other columns are not dropped:
their non-empty values follow its text (one such value as it is, more as
``column: value`` lines).

The file is read twice, so memory stays flat whatever its size: the first
pass checks its shape and notes the conversations' ids; the second builds one
conversation at a time, straight through when each conversation's rows are
adjacent (the usual case). When they are not, the first pass is made again,
noting where every row starts, its line and its conversation (20 bytes a
row), and the second reads each conversation's rows where it found them.
"""

from __future__ import annotations

import csv
import sys
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from reviewer.domain.models import Conversation, Visibility
from reviewer.ingest import common
from reviewer.ingest.common import Builder, Where
from reviewer.ingest.errors import InputError, line
from reviewer.ingest.guard import InputStream
from reviewer.ingest.jsonstream import iter_lines

REQUIRED = ("conversation_id", "role", "text")
COLUMNS = frozenset({*REQUIRED, "timestamp", "title"})
# A message may be long; the csv module's default cap (128 KiB) would refuse it.
csv.field_size_limit(min(sys.maxsize, 1 << 30))


@dataclass
class _Row:
    """A row with its first line and the byte it starts at (after any BOM)."""

    number: int
    offset: int
    fields: list[str]
    header: list[str]

    @property
    def values(self) -> dict[str, str]:
        return dict(zip(self.header, self.fields, strict=False))

    def get(self, column: int) -> str | None:
        return self.fields[column] if column < len(self.fields) else None


@dataclass
class _Index:
    """What a first pass learns: the conversations in first-row order, whether
    each one's rows are adjacent, and (``rows``) each row's offset, line and
    conversation in compact arrays (20 bytes a row)."""

    rows: bool = False
    offsets: array[int] = field(default_factory=lambda: array("q"))
    numbers: array[int] = field(default_factory=lambda: array("q"))
    owners: array[int] = field(default_factory=lambda: array("I"))
    ids: dict[str, int] = field(default_factory=dict)
    adjacent: bool = True
    last: int = -1
    end: int = 0

    def add(self, row: _Row, conv_id: str) -> None:
        owner = self.ids.setdefault(conv_id, len(self.ids))
        if owner != self.last and owner != len(self.ids) - 1:
            self.adjacent = False  # a conversation seen before, after another one
        self.last = owner
        if self.rows:
            self.offsets.append(row.offset)
            self.numbers.append(row.number)
            self.owners.append(owner)


class _Group:
    def __init__(self, conv_id: str) -> None:
        self.conv_id = conv_id
        self.builder = Builder()
        self.title: str | None = None
        self.later_titles: dict[str, None] = {}  # ordered, each once

    def add(self, name: str, row: _Row) -> None:
        where = Where(name, line(row.number))
        values = row.values
        role = common.text(values.get("role"), where, "role") or "unknown"
        body = common.text(values.get("text"), where, "text")
        if not COLUMNS.issuperset(values.keys()):
            extra = common.extra_text(values, COLUMNS, where, "the row", frozenset())
            body = common.lines(body, extra)
        self.builder.add(role, body,
                         visibility=common.role_visibility(role),
                         created_at=common.timestamp(values.get("timestamp"), where, "timestamp"))
        self._add_title(common.text(values.get("title"), where, "title"))

    def _add_title(self, title: str) -> None:
        if not self.title:
            self.title = title or None
        elif title and title != self.title:
            self.later_titles[title] = None

    def build(self) -> Conversation:
        self.builder.add("system", "\n".join(f"title: {t}" for t in self.later_titles),
                         visibility=Visibility.SYSTEM)
        return self.builder.build(self.conv_id, self.title)


def conversations(stream: InputStream) -> Iterator[Conversation]:
    if _index(stream, rows=False).adjacent:
        stream.rewind()
        yield from _adjacent(stream)
        return
    stream.rewind()
    index = _index(stream, rows=True)
    stream.rewind()
    yield from _scattered(stream, index)


def _conversation_id(name: str, row: _Row) -> str:
    value = row.get(row.header.index("conversation_id"))
    if value and value.isascii() and "\x00" not in value:
        return value  # the usual id, checked at C speed
    where = Where(name, line(row.number))
    conv_id = common.text(value, where, "conversation_id")
    if not conv_id:
        raise where.error("conversation_id is empty")
    return conv_id


def _index(stream: InputStream, *, rows: bool) -> _Index:
    """The file checked and indexed; without ``rows``, only until a
    conversation's rows turn out not to be adjacent (then the rows are needed)."""
    index = _Index(rows)
    lines = _Lines(stream)
    for row in _rows(stream.name, lines):
        index.add(row, _conversation_id(stream.name, row))
        if not (rows or index.adjacent):
            return index
    index.end = lines.offset
    return index


def _adjacent(stream: InputStream) -> Iterator[Conversation]:
    """Conversations whose rows are adjacent, built as the file is read again."""
    group: _Group | None = None
    for row in _rows(stream.name, _Lines(stream)):
        conv_id = _conversation_id(stream.name, row)
        if group is None or group.conv_id != conv_id:
            if group is not None:
                yield group.build()
            group = _Group(conv_id)
        group.add(stream.name, row)
    if group is not None:
        yield group.build()


def _scattered(stream: InputStream, index: _Index) -> Iterator[Conversation]:
    """Each conversation from its rows, read where the first pass found them."""
    header = _reader(stream.name, _Lines(stream))[1]
    ends = array("q", index.offsets[1:])
    ends.append(index.end)
    for conv_id, rows in zip(index.ids, _rows_by_owner(index), strict=True):
        group = _Group(conv_id)
        for i in rows:
            stream.rewind(index.offsets[i])
            data = stream.read_exactly(ends[i] - index.offsets[i])
            group.add(stream.name, _one_row(stream.name, header, index.numbers[i], data))
        yield group.build()


def _rows_by_owner(index: _Index) -> Iterator[array[int]]:
    """Row indexes of each conversation in file order (a counting sort, in arrays)."""
    counts = array("q", bytes(8 * len(index.ids)))
    for owner in index.owners:
        counts[owner] += 1
    starts = array("q", [0])
    for count in counts[:-1]:
        starts.append(starts[-1] + count)
    order, fill = array("q", bytes(8 * len(index.owners))), array("q", starts)
    for row, owner in enumerate(index.owners):
        order[fill[owner]] = row
        fill[owner] += 1
    for start, count in zip(starts, counts, strict=True):
        yield order[start:start + count]


def _one_row(name: str, header: list[str], number: int, data: bytes) -> _Row:
    """The row in ``data`` (its lines, cut as the first pass cut them)."""
    pieces = data.split(b"\n")
    lines = [_decode(name, number + i, raw) + "\n"
             for i, raw in enumerate(pieces[:-1] if not pieces[-1] else pieces)]
    try:
        values = next(csv.reader(lines, strict=True))
    except csv.Error as err:
        raise InputError(name, line(number), f"it is not valid CSV ({err})") from None
    return _Row(number, 0, values, header)


class _Lines:
    """Each physical line, decoded, with its end kept (quoted fields may span
    lines); ``offset`` is the byte after the last line handed out."""

    def __init__(self, stream: InputStream) -> None:
        self.name = stream.name
        self.raw = iter_lines(stream)
        self.offset = 0

    def __iter__(self) -> Iterator[str]:
        for number, raw in self.raw:
            self.offset += len(raw) + 1
            yield _decode(self.name, number, raw) + "\n"


def _decode(name: str, number: int, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(name, line(number), "it is not valid UTF-8 text") from None


def _reader(name: str, lines: Iterable[str]) -> tuple[Any, list[str]]:
    """A csv reader past the header, and the header (names stripped, checked)."""
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as err:
        raise InputError(name, line(1), f"it is not valid CSV ({err})") from None
    if header is None:
        raise InputError(name, "", "it is empty")
    header = [h.strip() for h in header]
    _check_header(name, header)
    return reader, header


def _rows(name: str, lines: _Lines) -> Iterator[_Row]:
    """Every non-blank row with its first line and the byte it starts at."""
    reader, header = _reader(name, lines)
    start, offset = reader.line_num + 1, lines.offset
    try:
        for row in reader:  # the reader takes a row's lines and no more
            start, first = reader.line_num + 1, start
            if len(row) > len(header):
                raise InputError(name, line(first), "it has more fields than the header")
            if row:
                yield _Row(first, offset, row, header)
            offset = lines.offset
    except csv.Error as err:
        raise InputError(name, line(start), f"it is not valid CSV ({err})") from None


def _check_header(name: str, header: list[str]) -> None:
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(name, line(1), "the CSV header lacks " + ", ".join(missing)
                         + " (expected conversation_id,role,text[,timestamp,title])")
