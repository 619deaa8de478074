"""Markers left by an upstream de-identification (``[REDACTED]``, ``<PERSON_1>``).

They become spans of origin ``upstream``, already approved: the reviewer sees
what was removed before the conversation arrived, and exports keep it removed.
Only where they read as a redaction: never inside code, log lines or formulas,
and never glued to a name as an index or column reference is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from reviewer.domain.models import Origin, Status, Suggestion
from reviewer.domain.policy import MarkerPattern
from reviewer.suggest.codetext import code_ranges, formula_ranges

DEFAULT_ENTITY = "REDACTED"


@lru_cache(maxsize=64)
def _compiled(regex: str) -> re.Pattern[str]:
    return re.compile(regex)


def find_markers(text: str, markers: Sequence[MarkerPattern]) -> list[Suggestion]:
    """Every marker in ``text`` that reads as a redaction; the first pattern wins
    where two overlap."""
    found: list[Suggestion] = []
    for marker in markers:
        for match in _compiled(marker.regex).finditer(text):
            if match.end() > match.start() and not _overlaps(found, match.start(), match.end()):
                found.append(_marker(marker, match))
    if not found:
        return found
    code = code_ranges(text)
    # A name the text uses as a reference (a column in a formula, an index) is that
    # name wherever else it stands in the text too.
    references = {text[s.start:s.end] for s in found if _reference(text, s)}
    return sorted((s for s in found if not _within(code, s)
                   and text[s.start:s.end] not in references), key=lambda s: s.start)


def _reference(text: str, s: Suggestion) -> bool:
    """Glued to a name as an index or column reference (``Table1[ISSUE_DATE]``,
    ``row[USER_ID]``), or an argument of a spreadsheet formula."""
    before = text[s.start - 1] if s.start > 0 else " "
    after = text[s.end] if s.end < len(text) else " "
    if before.isalnum() or before in "_[@]." or after.isalnum() or after in "_[(":
        return True
    return _within(formula_ranges(text), s)


def _within(ranges: Sequence[tuple[int, int]], s: Suggestion) -> bool:
    return any(a <= s.start and s.end <= b for a, b in ranges)


def _overlaps(found: Sequence[Suggestion], start: int, end: int) -> bool:
    return any(s.start < end and start < s.end for s in found)


def _marker(marker: MarkerPattern, match: re.Match[str]) -> Suggestion:
    named = match.groupdict().get("entity")
    entity = marker.entity or (named.upper() if named else DEFAULT_ENTITY)
    return Suggestion(
        start=match.start(), end=match.end(), entity=entity, score=1.0,
        recognizer=f"upstream:{marker.name}", origin=Origin.UPSTREAM, status=Status.APPROVED,
        explanation={"recognizer": "UpstreamMarker", "pattern_name": marker.name,
                     "pattern": marker.regex, "score": 1.0, "marker": match.group(0)},
    )


def outside(found: Sequence[Suggestion], markers: Sequence[Suggestion]) -> list[Suggestion]:
    """The suggestions that do not overlap a marker (the marker already covers them)."""
    return [s for s in found if not _overlaps(markers, s.start, s.end)]
