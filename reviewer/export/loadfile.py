"""The Concordance DAT load file: þ text qualifier, ASCII 20 field separator,
® for a line break inside a field, UTF-8 with a byte-order mark, CRLF rows.

Review platforms and spreadsheets open load files too, so a field that would
run as a formula is made safe the way the redaction log's cells are."""

from __future__ import annotations

from collections.abc import Sequence

from reviewer.export.log import formula_safe

QUOTE = "\u00fe"
SEPARATOR = "\x14"
NEWLINE = "\u00ae"
FIELDS = (
    "BEGBATES", "ENDBATES", "CONTROL_ID", "SOURCE_ID", "TITLE", "CREATED", "MESSAGES",
    "REDACTIONS", "TEXTPATH", "PDFPATH", "SHA256",
)


def _field(value: str) -> str:
    value = value.replace("\r\n", NEWLINE).replace("\r", NEWLINE).replace("\n", NEWLINE)
    # The qualifier cannot be escaped in this format; a þ inside a value would end it.
    return QUOTE + formula_safe(value.replace(QUOTE, "")) + QUOTE


def dat_row(values: Sequence[str]) -> bytes:
    return (SEPARATOR.join(_field(v) for v in values) + "\r\n").encode("utf-8")


def dat_header() -> bytes:
    return b"\xef\xbb\xbf" + dat_row(FIELDS)
