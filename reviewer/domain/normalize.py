"""The normalised view of a text that PII detection and leak scans read.

People (and upstream tools) hide identifiers from naive matching with
zero-width characters, soft hyphens, bidi controls, fullwidth forms and
look-alike letters from other scripts. ``normalize`` removes or folds all of
these and keeps, for every character of the normalised text, the slice of the
original it came from, so a span found in the normalised view maps back to
exact ``[start, end)`` offsets in the original text.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from array import array
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property

# Invisible characters that only ever serve to break up a token.
_INVISIBLE = frozenset(
    "\u00ad"  # soft hyphen
    "\u034f"  # combining grapheme joiner
    "\u061c"  # Arabic letter mark
    "\u180e"  # Mongolian vowel separator
    "\u200b\u200c\u200d"  # zero-width space, non-joiner, joiner
    "\u200e\u200f"  # left-to-right and right-to-left marks
    "\u202a\u202b\u202c\u202d\u202e"  # bidi embeddings and overrides
    "\u2060\u2061\u2062\u2063\u2064"  # word joiner, invisible operators
    "\u2066\u2067\u2068\u2069"  # bidi isolates
    "\ufeff"  # zero-width no-break space
    + "".join(chr(c) for c in range(0xFE00, 0xFE10))  # variation selectors
)

_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_HAS_INVISIBLE = re.compile("[" + re.escape("".join(sorted(_INVISIBLE))) + "]")
# Text is folded in blocks of this many characters: only one block's pieces are
# held at a time, and a block with nothing to fold is folded at once.
BLOCK = 1 << 14

# Letters of other scripts that render like Latin ones (after NFKC), folded to
# the Latin letter they imitate. Deliberately the common set, not all of
# Unicode's confusables table: enough to defeat copy-paste spoofing.
_CONFUSABLES = str.maketrans({
    # Cyrillic lower case
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o",
    "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i",
    "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "ё": "e",
    # Cyrillic upper case
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O",
    "Р": "P", "С": "C", "Т": "T", "У": "Y", "Х": "X", "Ѕ": "S", "І": "I",
    "Ј": "J", "Ԁ": "D", "Ԛ": "Q", "Ԝ": "W", "Ү": "Y",
    # Greek
    "α": "a", "ο": "o", "ν": "v", "ι": "i", "κ": "k", "ρ": "p", "τ": "t",
    "υ": "u", "χ": "x", "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H",
    "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T",
    "Υ": "Y", "Χ": "X",
    # Latin look-alikes and typographic punctuation
    "ı": "i", "ɡ": "g", "ɑ": "a", "ℓ": "l",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2212": "-",
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
    "\u00a0": " ", "\u2007": " ", "\u202f": " ",
})


@dataclass(frozen=True)
class NormalizedText:
    """A normalised text and the way back to the original's offsets.

    Character ``i`` of ``text`` came from one slice of the original. Mostly that
    is ``[i + d, i + d + 1)`` for a shift ``d`` that changes only where the
    offsets stop matching one to one (a dropped invisible, a ligature, a letter
    and its accents). Only those places are kept, as :class:`Shifts`, so the
    view of a long text costs little more than its two strings.
    """

    original: str
    text: str
    shifts: Shifts | None = None

    @property
    def is_identity(self) -> bool:
        """True when ``text`` has the original's offsets (it may differ in letters)."""
        return self.shifts is None

    @cached_property
    def starts(self) -> tuple[int, ...] | None:
        """Where in the original each character of ``text`` begins; None if identical."""
        if self.shifts is None:
            return None
        return tuple(self.shifts.source(i)[0] for i in range(len(self.text)))

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map ``[start, end)`` of the normalised text to the original text."""
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span [{start}, {end}) outside text of length {len(self.text)}")
        if self.shifts is None:
            return start, end
        if start == end:
            position = self.shifts.source(start)[0] if start < len(self.text) else len(
                self.original)
            return position, position
        return self.shifts.source(start)[0], self.shifts.source(end - 1)[1]


class Shifts:
    """The places where a normalised text's offsets leave the original's.

    Entry ``k`` says: normalised characters ``[at[k], at[k] + size[k])`` all came
    from the original slice ``[begin[k], end[k])``; after them, until the next
    entry, characters map one to one again, from ``end[k]`` on.
    """

    def __init__(self) -> None:
        self.at = array("q")
        self.size = array("q")
        self.begin = array("q")
        self.end = array("q")

    def add(self, at: int, size: int, begin: int, end: int) -> None:
        self.at.append(at)
        self.size.append(size)
        self.begin.append(begin)
        self.end.append(end)

    def source(self, index: int) -> tuple[int, int]:
        """The original slice that normalised character ``index`` came from."""
        k = bisect_right(self.at, index) - 1
        if k < 0:
            return index, index + 1
        past = index - self.at[k] - self.size[k]
        if past < 0:
            return self.begin[k], self.end[k]
        return self.end[k] + past, self.end[k] + past + 1


class _Builder:
    """The normalised text, a block at a time, and the shifts where offsets change."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.next_original = 0  # where the next one-to-one character would come from
        self.shifts = Shifts()

    def same(self, begin: int, folded: str, out: list[str]) -> None:
        """``folded`` came one character for one from the original at ``begin``."""
        if begin != self.next_original and folded:
            self.shifts.add(self.length, 1, begin, begin + 1)
        out.append(folded)
        self.length += len(folded)
        self.next_original = begin + len(folded)

    def cluster(self, begin: int, end: int, folded: str, out: list[str]) -> None:
        """``folded`` came from the original slice ``[begin, end)``."""
        if len(folded) != 1 or end != begin + 1 or begin != self.next_original:
            self.shifts.add(self.length, len(folded), begin, end)
        out.append(folded)
        self.length += len(folded)
        self.next_original = end

    def build(self, original: str) -> NormalizedText:
        text = "".join(self.parts)
        if not self.shifts.at:
            return NormalizedText(original, original if text == original else text)
        return NormalizedText(original, text, self.shifts)


def normalize(text: str, *, casefold: bool = False) -> NormalizedText:
    """Build the normalised view of ``text`` with its offset map."""
    if text.isascii():
        # ASCII has nothing to fold; lower() keeps every offset.
        return NormalizedText(text, text.lower() if casefold else text)
    builder = _Builder()
    for begin, end in _blocks(text):
        out: list[str] = []
        for first, last in _runs(text, begin, end):
            run = text[first:last]
            quick = _fold_block(run, casefold)
            if quick is not None:
                builder.same(first, quick, out)
                continue
            for a, b in _clusters(run):
                builder.cluster(first + a, first + b, _fold(run[a:b], casefold), out)
        builder.parts.append("".join(out))
    return builder.build(text)


def _runs(text: str, begin: int, end: int) -> list[tuple[int, int]]:
    """The block ``[begin, end)`` as alternating runs of ASCII and of other characters,
    a letter kept with the marks that follow it, so most of a mostly-ASCII block
    that holds something to fold is still folded at once."""
    bounds = [begin]
    for match in _NON_ASCII.finditer(text, begin, end):
        start = match.start()
        if start > bounds[-1] and unicodedata.combining(text[start]):
            start -= 1  # the mark's letter goes with it
        bounds.extend((start, match.end()))
    bounds.append(end)
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def _blocks(text: str) -> list[tuple[int, int]]:
    """Blocks of about BLOCK characters, never cut before a combining mark (a
    letter and its marks are folded together)."""
    bounds = [0]
    while len(text) - bounds[-1] > BLOCK:
        cut = bounds[-1] + BLOCK
        while cut < len(text) and unicodedata.combining(text[cut]):
            cut += 1
        bounds.append(cut)
    bounds.append(len(text))
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def _fold_block(block: str, casefold: bool) -> str | None:
    """The block folded, when every character folds to one character in its place
    (no invisibles, no marks, nothing NFKC changes); None otherwise."""
    if (_HAS_INVISIBLE.search(block) or not unicodedata.is_normalized("NFKC", block)
            or any(map(unicodedata.combining, block))):
        return None
    folded = block.translate(_CONFUSABLES)
    if casefold:
        folded = folded.casefold()
    return folded if len(folded) == len(block) else None


def _clusters(text: str) -> list[tuple[int, int]]:
    """Split into a base character with its combining marks, dropping invisibles.

    NFKC composes a base with its marks, so they have to be normalised together.
    """
    clusters: list[tuple[int, int]] = []
    for index, char in enumerate(text):
        if char in _INVISIBLE:
            continue
        if clusters and unicodedata.combining(char) and clusters[-1][1] == index:
            clusters[-1] = (clusters[-1][0], index + 1)
        else:
            clusters.append((index, index + 1))
    return clusters


def _fold(chunk: str, casefold: bool) -> str:
    folded = unicodedata.normalize("NFKC", chunk).translate(_CONFUSABLES)
    folded = "".join(char for char in folded if char not in _INVISIBLE)
    return folded.casefold() if casefold else folded
