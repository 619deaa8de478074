"""The redaction log: one RFC 4180 CSV row a span, safe to open in a spreadsheet.

A cell that a spreadsheet would read as a formula is prefixed with an
apostrophe: one starting with ``= + - @``, a tab or a carriage return, also
after leading spaces, and the fullwidth ``＝ ＋ － ＠`` that some spreadsheets
fold to them. The original text of a span is never written; its replacement
token is, and the offsets locate it in the produced text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from reviewer.export.records import LogRow

HEADER = (
    "control_id", "conversation_id", "source_id", "message_index", "role", "start", "end",
    "entity", "status", "origin", "reason", "reviewer", "decided_at", "replacement",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


_RISKY_FIRST = frozenset((*_FORMULA_START, " ", "\u3000"))


def formula_safe(text: str) -> str:
    """``text``, prefixed with an apostrophe when a spreadsheet would run it."""
    if not text or text[0] not in _RISKY_FIRST:
        return text  # most cells: nothing to look at past the first character
    return "'" + text if text.lstrip(" \u3000").startswith(_FORMULA_START) else text


def safe_cell(value: object) -> str:
    return formula_safe("" if value is None else str(value))


def csv_rows(rows: Iterable[Sequence[object]]) -> bytes:
    return _csv([safe_cell(v) for v in row] for row in rows)


def _csv(cells: Iterable[Sequence[str]]) -> bytes:
    """RFC 4180 rows of cells already made safe."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL).writerows(cells)
    return buffer.getvalue().encode("utf-8")


def log_rows(control_id: str, conversation_id: int, source_id: str,
             rows: Iterable[LogRow]) -> bytes:
    # The cells csv_rows makes, without its per-cell calls: the cells the conversation's
    # rows share are made once.
    safe = formula_safe
    head = (safe(control_id), safe(str(conversation_id)), safe(source_id))
    return _csv(
        (*head, "" if r.message_index is None else safe(str(r.message_index)), safe(r.role),
         safe(str(r.start)), safe(str(r.end)), safe(r.entity), safe(r.status), safe(r.origin),
         safe(r.reason), safe(r.reviewer), safe(r.decided_at), safe(r.replacement))
        for r in rows)
