"""From raw recognizer results to the spans of one text.

Applies the policy's allow and deny lists, grows street addresses into the
address block they start, and resolves overlaps deterministically: no two
spans overlap, the union is kept, the entity with the best score wins and the
others stay in the explanation as alternatives.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import lru_cache

from reviewer.domain.models import Suggestion
from reviewer.domain.policy import DenyTerm, Policy

# A line that can continue an address block: short, no sentence in it.
BLOCK_LINE = re.compile(r"[^\S\n]*(?P<line>[^\n.?!:;]{1,40}?)[^\S\n]*(?:\n|$)")
BLOCK_LINES = 4
BLOCK_STARTERS = frozenset({"street_number_first", "street_name_first", "street_prefix", "unit",
                            "po_box"})


def shape(text: str, found: Sequence[Suggestion], policy: Policy) -> list[Suggestion]:
    """Allow, deny, address blocks and overlaps, for one (normalised) text."""
    kept = [s for s in found if not _allowed(text[s.start:s.end], policy)]
    kept.extend(_denied(text, policy.deny))
    return resolve(extend_address_blocks(text, kept))


def _allowed(value: str, policy: Policy) -> bool:
    folded = value.strip().casefold()
    if folded in _folded(policy.allow):
        return True
    return any(re.fullmatch(pattern, value.strip()) for pattern in policy.allow_patterns)


@lru_cache(maxsize=8)
def _folded(items: tuple[str, ...]) -> frozenset[str]:
    return frozenset(item.casefold() for item in items)


def _denied(text: str, terms: Iterable[DenyTerm]) -> list[Suggestion]:
    found = []
    for term in terms:
        pattern = rf"(?<!\w){re.escape(term.term)}(?!\w)"
        for match in re.finditer(pattern, text, re.IGNORECASE):
            found.append(Suggestion(
                start=match.start(), end=match.end(), entity=term.entity, score=1.0,
                recognizer="PolicyDenyList",
                explanation={"recognizer": "PolicyDenyList", "score": 1.0,
                             "textual_explanation": "term on the policy's deny list"},
            ))
    return found


def extend_address_blocks(text: str, found: list[Suggestion]) -> list[Suggestion]:
    """A street line followed by short lines (city, region, postcode) is one block."""
    out = []
    for s in found:
        if s.entity == "ADDRESS" and s.explanation.get("pattern_name") in BLOCK_STARTERS:
            end = _block_end(text, s.end)
            if end > s.end:
                s = replace(s, end=end, explanation={**s.explanation, "address_block": True})
        out.append(s)
    return out


def _block_end(text: str, end: int) -> int:
    line_end = text.find("\n", end)
    rest = text[end: len(text) if line_end < 0 else line_end]
    if rest.strip() and (len(rest) > 40 or re.search(r"[.?!:;]\s", rest + " ")):
        return end
    end = end + len(rest.rstrip())
    position = end if line_end < 0 else line_end + 1
    for _ in range(BLOCK_LINES):
        match = BLOCK_LINE.match(text, position)
        if line_end < 0 or match is None or not match.group("line").strip():
            break
        end = match.end("line")
        position = match.end()
    return end


def resolve(found: Iterable[Suggestion]) -> list[Suggestion]:
    """Non-overlapping spans: each cluster of overlaps becomes its union."""
    ordered = sorted(found, key=lambda s: (s.start, -s.end))
    clusters: list[list[Suggestion]] = []
    cluster_end = -1
    for s in ordered:
        if clusters and s.start < cluster_end:
            clusters[-1].append(s)
            cluster_end = max(cluster_end, s.end)
        else:
            clusters.append([s])
            cluster_end = s.end
    return [_merge(cluster) for cluster in clusters]


def _rank(s: Suggestion) -> tuple[float, int, str, str, int]:
    return (-s.score, -(s.end - s.start), s.entity, s.recognizer, s.start)


def _merge(cluster: list[Suggestion]) -> Suggestion:
    if len(cluster) == 1:
        return cluster[0]
    best, *others = sorted(cluster, key=_rank)
    alternatives = [
        {"entity": o.entity, "score": o.score, "recognizer": o.recognizer,
         "start": o.start, "end": o.end}
        for o in others
    ]
    previous = best.explanation.get("alternatives", [])
    return replace(
        best, start=min(s.start for s in cluster), end=max(s.end for s in cluster),
        explanation={**best.explanation, "alternatives": [*previous, *alternatives]},
    )
