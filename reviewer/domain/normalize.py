"""The normalised view of a text that PII detection and leak scans read.

People (and upstream tools) hide identifiers from naive matching with
zero-width characters, soft hyphens, bidi controls, fullwidth forms and
look-alike letters from other scripts. ``normalize`` removes or folds all of
these and keeps, for every character of the normalised text, the slice of the
original it came from, so a span found in the normalised view maps back to
exact ``[start, end)`` offsets in the original text.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

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

    ``starts[i]``/``ends[i]`` give the original slice that produced character
    ``i`` of ``text``; both are None when the normalised text is the original.
    """

    original: str
    text: str
    starts: tuple[int, ...] | None = None
    ends: tuple[int, ...] | None = None

    @property
    def is_identity(self) -> bool:
        """True when ``text`` has the same offsets as the original."""
        return self.starts is None

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map ``[start, end)`` of the normalised text to the original text."""
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span [{start}, {end}) outside text of length {len(self.text)}")
        if self.starts is None or self.ends is None:
            return start, end
        if start == end:
            position = self.starts[start] if start < len(self.starts) else len(self.original)
            return position, position
        return self.starts[start], self.ends[end - 1]


def normalize(text: str, *, casefold: bool = False) -> NormalizedText:
    """Build the normalised view of ``text`` with its offset map."""
    if text.isascii():
        # ASCII has nothing to fold; lower() keeps every offset.
        return NormalizedText(text, text.lower() if casefold else text)
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for begin, finish in _clusters(text):
        piece = _fold(text[begin:finish], casefold)
        pieces.append(piece)
        starts.extend([begin] * len(piece))
        ends.extend([finish] * len(piece))
    return NormalizedText(text, "".join(pieces), tuple(starts), tuple(ends))


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
