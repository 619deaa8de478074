"""The standard PDF fonts Helvetica and Helvetica-Bold: character widths, and greedy
line wrapping by them.

Every PDF reader has these fonts, so a PDF that uses them embeds nothing; they
show only what WinAnsiEncoding (cp1252) encodes. Widths are Adobe's AFM figures
in thousandths of an em, for codes 32 to 255 of cp1252.

Wrapping works on plain strings in which a redaction bar stands as one private-use
character (``Bars`` in ``reviewer.export.pagelayout``); its width is passed in.
Lines break at spaces, and inside a word only when the word alone is wider than
a line, as Qt's rich text does.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from itertools import accumulate

NO_BARS: Mapping[str, int] = {}
CACHE_LIMIT = 50_000  # words whose width is remembered; a bounded cache keeps memory flat

_REGULAR = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667,
    667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722,
    667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500,
    556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278,
    556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 350, 556, 350, 222, 556, 333, 1000,
    556, 556, 333, 1000, 667, 333, 1000, 350, 611, 350, 350, 222, 222, 333, 333, 350, 556,
    1000, 333, 1000, 500, 333, 944, 350, 500, 667, 278, 333, 556, 556, 556, 556, 260, 556,
    333, 737, 370, 556, 584, 333, 737, 333, 400, 584, 333, 333, 333, 556, 537, 278, 333,
    333, 365, 556, 834, 834, 834, 611, 667, 667, 667, 667, 667, 667, 1000, 722, 667, 667,
    667, 667, 278, 278, 278, 278, 722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722,
    722, 722, 667, 667, 611, 556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556,
    278, 278, 278, 278, 556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556,
    500, 556, 500,
)

_BOLD = (
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722,
    722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722,
    667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556,
    611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556, 333,
    611, 556, 778, 556, 556, 500, 389, 280, 389, 584, 350, 556, 350, 278, 556, 500, 1000,
    556, 556, 333, 1000, 667, 333, 1000, 350, 611, 350, 350, 278, 278, 500, 500, 350, 556,
    1000, 333, 1000, 556, 333, 944, 350, 500, 667, 278, 333, 556, 556, 556, 556, 280, 556,
    333, 737, 370, 556, 584, 333, 737, 333, 400, 584, 333, 333, 333, 611, 556, 278, 333,
    333, 365, 556, 834, 834, 834, 611, 722, 722, 722, 722, 722, 722, 1000, 722, 667, 667,
    667, 667, 278, 278, 278, 278, 722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722,
    722, 722, 667, 667, 611, 556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556,
    278, 278, 278, 278, 611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611,
    556, 611, 556,
)


def encoded(text: str) -> bytes:
    """``text`` in cp1252; ASCII, its first half, through the ten times faster codec."""
    return text.encode("ascii") if text.isascii() else text.encode("cp1252")


class Font:
    """One standard font: its PDF name and a width for every cp1252 byte."""

    def __init__(self, name: str, widths: tuple[int, ...]) -> None:
        self.name = name
        # Control codes measure nothing: the only one that reaches a line is a tab
        # (expanded before) or the CR of a CRLF (dropped before drawing).
        self.table = (0,) * 32 + widths
        self.space = self.table[32]
        self.widest = max(widths)
        self._cache: dict[str, int] = {}

    def width(self, text: str, bars: Mapping[str, int] = NO_BARS) -> int:
        """Width of ``text`` in thousandths of an em."""
        return sum(self.char_widths(text, bars))

    def char_widths(self, text: str, bars: Mapping[str, int] = NO_BARS) -> Iterable[int]:
        if bars and not bars.keys().isdisjoint(text):  # a redaction bar's character
            return [bars[c] if c in bars else self.table[c.encode("cp1252")[0]] for c in text]
        return map(self.table.__getitem__, encoded(text))

    def wrap(
        self, text: str, limit: float, final: bool = True, bars: Mapping[str, int] = NO_BARS,
    ) -> tuple[list[str], int]:
        """Lines of ``text`` (one paragraph) at most ``limit`` thousandths of an em wide.

        With ``final`` false the paragraph goes on past ``text``: its last line is
        left out, as more text may join it. Returns the lines and how many
        characters of ``text`` they used up.
        """
        if len(text) * self.widest <= limit and (not bars or bars.keys().isdisjoint(text)):
            return ([text], len(text)) if final else ([], 0)  # fits, whatever its letters
        words = text.split(" ")
        ends = list(accumulate(self._advances(words, bars)))  # each word's end, with its space
        lines: list[str] = []
        first, start, base = 0, 0, 0.0  # first word of the line, its first character, width before
        at = 0  # where the first word of the line starts (``start`` is past it once it is broken)
        broken = False
        while first < len(words):
            last = bisect_right(ends, base + limit + self.space, first) - 1
            if last < first and not broken:  # the word alone is wider than a line
                start, base = self._break_word(text[start:at + len(words[first])], limit, bars,
                                               lines, start, base)
                broken = True
                continue
            last, broken = max(last, first), False  # a single character wider than a line
            if last == len(words) - 1 and not final:
                return lines, start
            line = " ".join(words[first:last + 1])
            end = at + len(line)
            lines.append(line if start == at else text[start:end])
            first, start, base, at = last + 1, end + 1, ends[last], end + 1
        return lines, len(text)

    def _break_word(
        self, word: str, limit: float, bars: Mapping[str, int], lines: list[str], start: int,
        base: float,
    ) -> tuple[int, float]:
        """Cut lines off ``word`` while what is left is wider than a line; returns where the
        rest begins in the paragraph and the width used up before it."""
        ends = list(accumulate(self.char_widths(word, bars)))
        cut, used = 0, 0
        while ends[-1] - used > limit and cut < len(word) - 1:
            end = max(bisect_right(ends, used + limit), cut + 1)
            lines.append(word[cut:end])
            cut, used = end, ends[end - 1]
        return start + cut, base + used

    def _advances(self, words: list[str], bars: Mapping[str, int]) -> list[int]:
        """Each word's width with the space after it."""
        advances = list(map(self._cache.get, words))
        if None not in advances:
            return advances  # type: ignore[return-value]  # no None left, checked
        return [self._learn(word, bars) if advance is None else advance
                for word, advance in zip(words, advances, strict=True)]

    def _learn(self, word: str, bars: Mapping[str, int]) -> int:
        advance = self.width(word, bars) + self.space
        if bars and not bars.keys().isdisjoint(word):
            return advance  # a bar's character stands for another token in the next document
        if len(self._cache) >= CACHE_LIMIT:
            self._cache.clear()
        self._cache[word] = advance
        return advance


REGULAR = Font("Helvetica", _REGULAR)
BOLD = Font("Helvetica-Bold", _BOLD)
# The oblique cuts share their upright widths.
BOLD_OBLIQUE = Font("Helvetica-BoldOblique", _BOLD)
