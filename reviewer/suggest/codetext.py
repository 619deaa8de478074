"""Where a chat text holds code, tool output or a table rather than prose.

Assistants' answers and tool messages carry fenced and indented code, inline
code, JSON and YAML bodies, stack traces, log lines, spreadsheet formulas and
Markdown tables. Words there are identifiers, keys and labels, not names;
``reviewer.suggest.noise`` and ``reviewer.suggest.markers`` ask this module
where such regions are. Everything is found line by line with plain regular
expressions, and a text with none of the tell-tale characters costs one scan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

Range = tuple[int, int]

FENCE = re.compile(r"(?:```|~~~).*?(?:```|~~~|\Z)", re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]+`")
LINE = re.compile(r"[^\n]*\n?")
# A line of a log: it starts with a timestamp (ISO, clock or epoch) or a level.
LOG_LINE = re.compile(
    r"[ \t]*\[?(?:\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}|\d{2}:\d{2}:\d{2}[.,]\d|\d{10,19}\s|"
    r"(?:DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|FATAL|CRITICAL|TRACE)\b[\]:]?\s)")
# Lines of a stack trace (Python, Java/JavaScript) and its closing exception line.
TRACE_LINE = re.compile(
    r"[ \t]*(?:Traceback \(most recent call last\):|File \"[^\"\n]+\", line \d+|"
    r"at [\w$.<>/]+ ?\(.*\)\s*$|at [\w$.<>]+\s*$|"
    r"(?:[\w.]+\.)?\w*(?:Error|Exception)(?::|\s*$))")
# A JSON line: it opens or closes a structure, or holds a quoted key.
JSON_LINE = re.compile(r"[ \t]*(?:[{\[\]}]\s*,?\s*$|[{\[]?\s*\"[^\"\n]{1,80}\"\s*:)")
JSON_KEY = re.compile(r"\"([^\"\n]{1,80})\"\s*:")
# A YAML line: a lower-case identifier key (``apiVersion:``, ``- name:``).
YAML_LINE = re.compile(r"[ \t]*(?:- )?[a-z_][A-Za-z0-9_.-]*:(?:[ \t]|$)")
INDENTED = re.compile(r"(?: {4}|\t)\S")
FORMULA = re.compile(r"(?<![\w=<>!])=\s*[A-Z][A-Z0-9.]*\((?:[^()\n]|\([^()\n]*\))*\)")
TABLE_RULE = re.compile(r"[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)+\|?[ \t]*$")
# A text without any of these holds none of the regions above.
TELLS = re.compile(r"[`~{\[|=]|\n(?: {4}|\t)|^(?: {4}|\t)|\d:\d\d|Traceback|"
                   r"Error|Exception|\bat |DEBUG|INFO|WARN|ERROR|^\s*[a-z_]\w*:|\n\s*[a-z_]\w*:",
                   re.MULTILINE)
MIN_BLOCK_LINES = 2  # JSON and YAML lines count as code from two in a row


@dataclass
class Table:
    """A Markdown table: its header row, and per data cell its span and column."""

    header: Range
    columns: list[str]
    cells: list[tuple[int, int, int]] = field(default_factory=list)

    def column_of(self, start: int, end: int) -> str | None:
        """The header label of the data cell holding ``[start, end)``; None outside cells."""
        for a, b, column in self.cells:
            if a <= start and end <= b:
                return self.columns[column] if column < len(self.columns) else ""
        return None


@dataclass
class CodeMap:
    """The code regions of a text, the JSON keys in them, its tables."""

    code: list[Range] = field(default_factory=list)
    keys: list[Range] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)

    def in_code(self, start: int, end: int) -> bool:
        return _within(self.code, start, end)

    def in_key(self, start: int, end: int) -> bool:
        return _touches(self.keys, start, end)

    def in_header(self, start: int, end: int) -> bool:
        return any(_touches([t.header], start, end) for t in self.tables)

    def column_of(self, start: int, end: int) -> str | None:
        for table in self.tables:
            column = table.column_of(start, end)
            if column is not None:
                return column
        return None


def code_map(text: str) -> CodeMap:
    """Where ``text`` holds code, tool output or tables."""
    found = CodeMap()
    if TELLS.search(text) is None:
        return found
    found.code = _merge([*_spans(FENCE, text), *_spans(INLINE_CODE, text),
                         *_spans(FORMULA, text), *_line_regions(text)])
    for start, end in found.code:
        found.keys.extend(m.span(1) for m in JSON_KEY.finditer(text, start, end))
    if "|" in text:
        found.tables = _tables(text)
    return found


def code_ranges(text: str) -> list[Range]:
    """Only the code regions of ``text`` (no tables)."""
    return code_map(text).code


def formula_ranges(text: str) -> list[Range]:
    """The spreadsheet formulas in ``text`` (``=DATEDIF([ISSUE_DATE], ...)``)."""
    return _spans(FORMULA, text) if "=" in text else []


def _spans(pattern: re.Pattern[str], text: str) -> list[Range]:
    return [m.span() for m in pattern.finditer(text)]


def _lines(text: str) -> list[Range]:
    return [m.span() for m in LINE.finditer(text) if m.end() > m.start()]


def _line_regions(text: str) -> list[Range]:
    """Log and trace lines, indented code after a blank line, runs of JSON or YAML lines."""
    out: list[Range] = []
    run: list[Range] = []
    lines = _lines(text)
    indented_ok = True  # Markdown: indented code starts after a blank line (or at the top)
    for start, end in lines:
        line = text[start:end]
        if LOG_LINE.match(line) or TRACE_LINE.match(line):
            out.append((start, end))
        if INDENTED.match(line) and indented_ok:
            out.append((start, end))
        else:
            indented_ok = not line.strip()
        if JSON_LINE.match(line) or YAML_LINE.match(line):
            run.append((start, end))
            continue
        out.extend(_block(run))
        run = []
    out.extend(_block(run))
    return out


def _block(run: list[Range]) -> list[Range]:
    return [(run[0][0], run[-1][1])] if len(run) >= MIN_BLOCK_LINES else []


def _tables(text: str) -> list[Table]:
    lines = _lines(text)
    tables: list[Table] = []
    for at, (start, end) in enumerate(lines):
        if at == 0 or not TABLE_RULE.match(text, start, end):
            continue
        head = lines[at - 1]
        if "|" not in text[head[0]:head[1]]:
            continue
        table = Table(head, [text[a:b].strip().lower() for a, b in _cells(text, *head)])
        for row in lines[at + 1:]:
            if "|" not in text[row[0]:row[1]]:
                break
            table.cells.extend((a, b, i) for i, (a, b) in enumerate(_cells(text, *row)))
        tables.append(table)
    return tables


def _cells(text: str, start: int, end: int) -> list[Range]:
    """The cells of one table row, without the outer pipes."""
    line = text[start:end].rstrip("\n")
    bounds = [i for i, char in enumerate(line) if char == "|"]
    edges = [-1, *bounds, len(line)]
    cells = [(start + a + 1, start + b) for a, b in pairwise(edges)]
    if line.lstrip().startswith("|"):
        cells = cells[1:]
    if line.rstrip().endswith("|"):
        cells = cells[:-1]
    return cells


def _merge(ranges: list[Range]) -> list[Range]:
    merged: list[Range] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _within(ranges: list[Range], start: int, end: int) -> bool:
    return any(a <= start and end <= b for a, b in ranges)


def _touches(ranges: list[Range], start: int, end: int) -> bool:
    return any(a < end and start < b for a, b in ranges)
