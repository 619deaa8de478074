"""Conversation-aware suggestions: what is found once is suggested everywhere.

An entity found in one message (or already a span in the conversation) is
suggested at its other occurrences (origin ``propagated``), and so are the
parts of a detected full name where they stand alone ("Jane Doe" ... "Jane").
A text a reviewer rejected in the conversation is not suggested again.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from reviewer.domain.models import Origin, Status, Suggestion
from reviewer.domain.normalize import normalize
from reviewer.suggest.shaping import beneath, resolve

# Entities whose text identifies someone wherever it recurs.
NOT_PROPAGATED = frozenset({"DATE_TIME", "AGE", "REDACTED"})
NAME_PART_STOP = frozenset({
    "mr", "mrs", "ms", "miss", "dr", "prof", "sir", "the", "and", "van", "von", "der", "den", "de",
    "la", "le", "del", "da", "di", "du", "jr", "sr", "phd", "md",
})
PROPAGATED_SCORE = 0.6


@dataclass
class ConversationText:
    """One text of a conversation (a message or the title) being analysed."""

    text: str
    found: list[Suggestion] = field(default_factory=list)
    target: bool = True
    taken: list[tuple[int, int]] = field(default_factory=list)


def finish_conversation(
    items: Sequence[ConversationText],
    known: Iterable[tuple[str, str]] = (),
    rejected: Iterable[str] = (),
    propagate: bool = True,
) -> list[list[Suggestion]]:
    """The final suggestions of each target text.

    ``known`` holds (text, entity) of spans already in the conversation that
    were not rejected; ``rejected`` the texts reviewers rejected; ``taken`` of
    each item the spans already stored there, which new spans must not overlap.
    """
    refused = {_key(text) for text in rejected}
    for item in items:
        item.found = _not_refused(item.text, item.found, refused)
    terms = _terms(items, known, refused) if propagate else {}
    matcher = _matcher(terms)
    out: list[list[Suggestion]] = []
    for item in items:
        if not item.target:
            out.append([])
            continue
        extra = _occurrences(item, matcher, terms) if matcher is not None else []
        merged = resolve([*item.found, *extra])
        taken = Blocked(item.taken)
        out.append([s for s in merged if not taken.overlaps(s.start, s.end)])
    return out


def _not_refused(text: str, found: list[Suggestion], refused: set[str]) -> list[Suggestion]:
    """``found`` without the suggestions whose text a reviewer rejected; what such a
    suggestion merged of another entity (an IP address under a rejected address)
    stays, as it does when the span is rejected in review."""
    out = []
    for s in found:
        if _key(text[s.start:s.end]) not in refused:
            out.append(s)
            continue
        out.extend(u for u in beneath(s.entity, s.start, s.end, s.explanation,
                                      f"under a rejected {s.entity} text")
                   if _key(text[u.start:u.end]) not in refused)
    return out


def _key(text: str) -> str:
    return " ".join(normalize(text, casefold=True).text.split())


def _terms(items: Sequence[ConversationText], known: Iterable[tuple[str, str]],
           refused: set[str]) -> dict[str, tuple[str, str]]:
    """casefolded term -> (entity, how it was learnt: entity/name_part, and "_cased"
    when it was written with capitals, so "Router" does not spread to "router")."""
    pairs = [(i.text[s.start:s.end], s.entity) for i in items for s in i.found
             if s.origin is Origin.SUGGESTED]
    terms: dict[str, tuple[str, str]] = {}
    for text, entity in [*pairs, *known]:
        if entity in NOT_PROPAGATED:
            continue
        cased = "_cased" if any(char.isupper() for char in text) else ""
        _add(terms, text, entity, "entity" + cased, refused)
        parts = text.split()
        if entity == "PERSON" and len(parts) > 1:
            for part in parts:
                if part[:1].isupper() and part.isalpha() and part.lower() not in NAME_PART_STOP:
                    _add(terms, part, entity, "name_part", refused)
    return terms


def _add(terms: dict[str, tuple[str, str]], text: str, entity: str, source: str,
         refused: set[str]) -> None:
    key = _key(text)
    if len(key) >= 3 and not (key.isdigit() and len(key) < 4) and key not in refused:
        terms.setdefault(key, (entity, source))


def _matcher(terms: dict[str, tuple[str, str]]) -> re.Pattern[str] | None:
    if not terms:
        return None
    ordered = sorted(terms, key=lambda t: (-len(t), t))
    alternatives = "|".join(r"\s+".join(re.escape(w) for w in t.split()) for t in ordered)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def _occurrences(item: ConversationText, matcher: re.Pattern[str],
                 terms: dict[str, tuple[str, str]]) -> list[Suggestion]:
    view = normalize(item.text, casefold=True)
    blocked = Blocked([*item.taken, *((s.start, s.end) for s in item.found)])
    found = []
    for match in matcher.finditer(view.text):
        start, end = view.to_original(match.start(), match.end())
        if blocked.overlaps(start, end):
            continue
        key = " ".join(match.group(0).split())
        entity, learnt = terms[key]
        source = learnt.removesuffix("_cased")
        cased = learnt != "entity" and " " not in key
        if cased and not any(char.isupper() for char in item.text[start:end]):
            continue  # "will" or "router" is a word where "Will" or "Router" was a name
        found.append(Suggestion(
            start=start, end=end, entity=entity, score=PROPAGATED_SCORE,
            recognizer="ConversationPropagation", origin=Origin.PROPAGATED, status=Status.PENDING,
            explanation={"recognizer": "ConversationPropagation", "score": PROPAGATED_SCORE,
                         "source": source,
                         "textual_explanation": "found elsewhere in this conversation"},
        ))
        blocked.add(start, end)
    return found


class Blocked:
    """Spans that a new one must not overlap, asked about in a time that does not
    grow with their number (a pasted log can hold tens of thousands).

    ``add`` takes spans in increasing order, as a left-to-right search finds them.
    """

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self.starts = [start for start, _ in ordered]
        self.reach = list(itertools.accumulate((end for _, end in ordered), max))
        self.last_end = 0

    def overlaps(self, start: int, end: int) -> bool:
        before = bisect_left(self.starts, end)  # the spans that begin before ``end``
        return (before > 0 and self.reach[before - 1] > start) or start < self.last_end

    def add(self, start: int, end: int) -> None:
        self.last_end = end
