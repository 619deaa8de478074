"""The leak scan: find the original text of redacted spans wherever else it occurs.

Every redacted span's text becomes a *needle*, normalised the way the
suggestion service reads text (NFKC, invisibles dropped, look-alikes and case
folded), so ``J\u200bohn`` or ``ＪＯＨＮ`` still match ``John``. All needles are
compiled into one trie-shaped regular expression, so a text is scanned once
whatever the number of needles. A needle matches only as a whole token: it may
not continue a word on either side.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeAlias

from reviewer.domain.normalize import normalize

# Shorter needles ("Al", "5") would match all over ordinary text; they are left
# to the reviewer's spans.
MIN_NEEDLE = 3
# Word-boundary guards that apply only where the needle's own edge is a word character.
_LEFT = r"(?:(?<!\w)|(?=\W))"
_RIGHT = r"(?:(?!\w)|(?<=\W))"

_EDGES = string.whitespace + string.punctuation

_Trie: TypeAlias = dict[str, "_Trie"]


@dataclass(frozen=True)
class Hit:
    """An occurrence of a needle, as offsets into the original (unnormalised) text."""

    start: int
    end: int
    entity: str
    token: str


def needle_text(text: str) -> str:
    """The normalised form a needle is searched as; punctuation a span caught at its
    edges ("42 Elm Street.") is not part of what must not appear."""
    return normalize(text, casefold=True).text.strip(_EDGES)


class Needles:
    """The set of redacted texts, searchable in one pass."""

    def __init__(self, items: Iterable[tuple[str, str, str]]) -> None:
        """``items``: (original text, entity, replacement token) of each redacted span."""
        self._info: dict[str, tuple[str, str]] = {}
        for text, entity, token in items:
            needle = needle_text(text)
            if len(needle) >= MIN_NEEDLE:
                self._info.setdefault(needle, (entity, token))
        self._pattern = _compile(self._info) if self._info else None

    def __len__(self) -> int:
        return len(self._info)

    def find(self, text: str) -> Iterator[Hit]:
        """Every occurrence in ``text``, left to right, non-overlapping."""
        if self._pattern is None or not text:
            return
        view = normalize(text, casefold=True)
        for match in self._pattern.finditer(view.text):
            start, end = view.to_original(match.start(), match.end())
            entity, token = self._info[match.group()]
            yield Hit(start, end, entity, token)

    def scrub(self, value: str) -> str:
        """``value`` with every occurrence replaced by its token (for metadata fields)."""
        hits = list(self.find(value))
        for hit in reversed(hits):
            value = value[:hit.start] + hit.token + value[hit.end:]
        return value

    def leaks(
        self, text: str, redacted: Sequence[tuple[int, int]], kept: Sequence[tuple[int, int]]
    ) -> list[Hit]:
        """Occurrences in ``text`` that the output would show undecided.

        An occurrence touching a ``redacted`` range does not survive into the
        output; one wholly inside ``kept`` (rejected) ranges was decided by a
        reviewer. Everything else is a leak.
        """
        return [
            hit for hit in self.find(text)
            if not _touches(hit, redacted) and not _inside(hit, kept)
        ]


def _touches(hit: Hit, ranges: Sequence[tuple[int, int]]) -> bool:
    return any(start < hit.end and hit.start < end for start, end in ranges)


def _inside(hit: Hit, ranges: Sequence[tuple[int, int]]) -> bool:
    """True when the union of ``ranges`` covers ``[hit.start, hit.end)``."""
    position = hit.start
    for start, end in sorted(ranges):
        if start > position:
            break
        position = max(position, end)
        if position >= hit.end:
            return True
    return position >= hit.end


def _compile(needles: Iterable[str]) -> re.Pattern[str]:
    trie: _Trie = {}
    for needle in needles:
        node = trie
        for char in needle:
            node = node.setdefault(char, {})
        node[""] = {}
    return re.compile(_LEFT + _trie_pattern(trie) + _RIGHT)


def _trie_pattern(node: _Trie) -> str:
    """A regular expression matching exactly the words of ``node``, longest first.

    Runs of single children become one literal, so nesting (and recursion) grows
    with the branch points only, not with the needles' length.
    """
    literal: list[str] = []
    while len(node) == 1 and "" not in node:
        char, node = next(iter(node.items()))
        literal.append(re.escape(char))
    branches = [re.escape(char) + _trie_pattern(child) for char, child in node.items() if char]
    if not branches:
        return "".join(literal)
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return "".join(literal) + ("(?:" + body + ")?" if "" in node else body)
