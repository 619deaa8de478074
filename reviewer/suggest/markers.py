"""Markers left by an upstream de-identification (``[REDACTED]``, ``<PERSON_1>``).

They become spans of origin ``upstream``, already approved: the reviewer sees
what was removed before the conversation arrived, and exports keep it removed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from reviewer.domain.models import Origin, Status, Suggestion
from reviewer.domain.policy import MarkerPattern

DEFAULT_ENTITY = "REDACTED"


@lru_cache(maxsize=64)
def _compiled(regex: str) -> re.Pattern[str]:
    return re.compile(regex)


def find_markers(text: str, markers: Sequence[MarkerPattern]) -> list[Suggestion]:
    """Every marker in ``text``; the first pattern wins where two overlap."""
    found: list[Suggestion] = []
    for marker in markers:
        for match in _compiled(marker.regex).finditer(text):
            if match.end() > match.start() and not _overlaps(found, match.start(), match.end()):
                found.append(_marker(marker, match))
    return sorted(found, key=lambda s: s.start)


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
