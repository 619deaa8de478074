"""CSV: header ``conversation_id,role,text`` with optional ``timestamp`` and
``title`` columns, in any order; RFC 4180 quoting; UTF-8 with or without BOM.

Rows are grouped by ``conversation_id`` (rows of one conversation need not be
adjacent); message order is row order. The conversation id is the
``source_id``. The title is the first non-empty ``title`` of its rows.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from typing import Any

from reviewer.domain.models import Conversation
from reviewer.ingest import common
from reviewer.ingest.common import Builder, Where
from reviewer.ingest.errors import InputError, line
from reviewer.ingest.guard import InputStream
from reviewer.ingest.jsonstream import iter_lines

REQUIRED = ("conversation_id", "role", "text")
# A message may be long; the csv module's default cap (128 KiB) would refuse it.
csv.field_size_limit(min(sys.maxsize, 1 << 30))


class _Group:
    def __init__(self) -> None:
        self.builder = Builder()
        self.title: str | None = None


def conversations(stream: InputStream) -> Iterator[Conversation]:
    groups: dict[str, _Group] = {}
    for number, row in _rows(stream):
        where = Where(stream.name, line(number))
        conv_id = common.text(row.get("conversation_id"), where, "conversation_id")
        if not conv_id:
            raise where.error("conversation_id is empty")
        group = groups.setdefault(conv_id, _Group())
        role = common.text(row.get("role"), where, "role") or "unknown"
        group.builder.add(role, common.text(row.get("text"), where, "text"),
                          visibility=common.role_visibility(role),
                          created_at=common.timestamp(row.get("timestamp"), where, "timestamp"))
        group.title = group.title or common.text(row.get("title"), where, "title") or None
    for conv_id, group in groups.items():
        yield group.builder.build(conv_id, group.title)


def _rows(stream: InputStream) -> Iterator[tuple[int, dict[str, Any]]]:
    """(first line of the row, row by column name) for every non-blank row."""
    reader = csv.reader(_decoded_lines(stream), strict=True)
    start = 1
    try:
        header = next(reader, None)
        if header is None:
            raise InputError(stream.name, "", "it is empty")
        header = [h.strip() for h in header]
        _check_header(stream.name, header)
        start = reader.line_num + 1
        for row in reader:
            start, first = reader.line_num + 1, start
            if len(row) > len(header):
                raise InputError(stream.name, line(first), "it has more fields than the header")
            if row:
                yield first, dict(zip(header, row, strict=False))
    except csv.Error as err:
        raise InputError(stream.name, line(start), f"it is not valid CSV ({err})") from None


def _decoded_lines(stream: InputStream) -> Iterator[str]:
    """Each physical line with its end kept (quoted fields may span lines)."""
    for number, raw in iter_lines(stream):
        try:
            yield raw.decode("utf-8") + "\n"
        except UnicodeDecodeError:
            raise InputError(stream.name, line(number), "it is not valid UTF-8 text") from None


def _check_header(name: str, header: list[str]) -> None:
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(name, line(1), "the CSV header lacks " + ", ".join(missing)
                         + " (expected conversation_id,role,text[,timestamp,title])")
