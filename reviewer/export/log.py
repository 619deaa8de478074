"""The redaction log: one RFC 4180 CSV row a span, safe to open in a spreadsheet.

A cell that a spreadsheet would read as a formula (starting with ``= + - @``,
tab or carriage return) is prefixed with an apostrophe. The original text of
a span is never written; its replacement token is.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from reviewer.export.redact import LogRow

HEADER = (
    "control_id", "conversation_id", "message_index", "role", "start", "end", "entity",
    "status", "origin", "reason", "reviewer", "decided_at", "replacement",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_rows(rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def log_rows(control_id: str, conversation_id: int, rows: Iterable[LogRow]) -> bytes:
    return csv_rows(
        (control_id, conversation_id, "" if r.message_index is None else r.message_index,
         r.role, r.start, r.end, r.entity, r.status, r.origin, r.reason, r.reviewer,
         r.decided_at, r.replacement)
        for r in rows
    )
