"""How hard a new passphrase is to guess, and whether it may protect a store.

A small estimator in the manner of zxcvbn, with no dictionary beyond a short
list of the passwords and words tried first. Each character costs the bits of
its character pool (lower case, upper case, digits, symbols, other scripts),
except where an attacker's first guesses find it cheaper: a repeat of the
character before or of a block, a step of an alphabet, digit or keyboard
sequence (``abc``, ``987``, ``qwerty``), a separator between words, a year, a
common password or word (also in leet spelling, ``p@ssw0rd``), and any other
run of up to ten letters, which is priced as one word of a 65,000-word
dictionary (16 bits), since this module cannot tell a word from random letters.

The store's key is derived with Argon2id (128 MiB, about half a second a
guess), so 48 bits, a few hundred years of one machine's guessing, is the floor;
four ordinary words (64 bits) are strong. Twelve characters is the shortest
passphrase accepted whatever it is made of.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import Enum

MIN_LENGTH = 12
MIN_WORDS = 4
MIN_BITS = 48.0
GOOD_BITS = 56.0
STRONG_BITS = 64.0
ADVICE = f"at least {MIN_LENGTH} characters, or {MIN_WORDS}+ words"

WORD_BITS = 16.0  # an unknown word of up to ten letters: one of 65,536
COMMON_BITS = 8.0  # a password or word from the list below: one of a few hundred
YEAR_BITS = 7.0  # 1900-2039
STEP_BITS = 1.5  # the next step of a sequence, or a repeat
SEPARATOR_BITS = 1.0  # a space, dash or dot between words
MAX_WORD = 10

# The passwords found most often in published breach lists, and the words an
# attacker tries first on a document store (lower case, length 4 or more; shorter
# ones and plain sequences such as 123456 or qwerty are caught as sequences).
COMMON_TEXT = """
password passphrase passwd secret letmein welcome admin administrator login root
iloveyou princess sunshine football baseball basketball soccer hockey monkey dragon
master shadow superman batman trustno1 michael jennifer jordan hunter ranger harley
charlie thomas robert daniel jessica ashley andrew matthew starwars pokemon whatever
freedom changeme default summer winter spring autumn hello love lovely flower
computer internet samsung google chocolate cookie pepper ginger killer cheese banana
orange purple angel liverpool arsenal chelsea mustang maggie buster tigger
access matrix mother father family friend friends forever blessed jesus christ
lucky money qazwsx zaq1 asdf zxcv test test1 testing guest user demo example
private confidential redact redaction review reviewer matter legal discovery store
passw0rd p@ssword p@ssw0rd welcome1 password1 abc123 qwerty123 iloveu letmein1
"""
COMMON = frozenset(COMMON_TEXT.split())

LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a",
                      "$": "s", "!": "i", "|": "l", "+": "t"})
COMMON_LEET = frozenset(word.translate(LEET) for word in COMMON)
KEYBOARD_ROWS = ("`1234567890-=", "qwertyuiop[]\\", "asdfghjkl;'", "zxcvbnm,./")
SEPARATORS = frozenset(" \t-_.,")
YEAR = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")
REPEATED_BLOCK = re.compile(r"(.{2,}?)\1+", re.DOTALL)
LETTER_RUN = re.compile(r"[^\W\d_]+")


class Rating(Enum):
    WEAK = "Too weak"
    FAIR = "Fair: longer is better."
    GOOD = "Good."
    STRONG = "Strong."


@dataclass(frozen=True)
class Assessment:
    """The estimate for one passphrase: its bits, its rating and, when weak, why."""

    bits: float
    rating: Rating
    problem: str  # '' unless weak: why, in words that never quote the passphrase

    @property
    def acceptable(self) -> bool:
        return self.rating is not Rating.WEAK

    @property
    def hint(self) -> str:
        """One line for a strength meter under a passphrase field."""
        if self.acceptable:
            return self.rating.value
        return f"Too weak: {ADVICE}; {self.problem}."

    @property
    def refusal(self) -> str:
        """One line that refuses the passphrase and says what to choose instead."""
        return f"Passphrase too weak: {ADVICE}; {self.problem}."


def assess(passphrase: str) -> Assessment:
    """How many bits of guessing ``passphrase`` costs, and the rating that gives it."""
    costs, kinds = _priced(passphrase)
    bits = sum(costs)
    if len(passphrase) < MIN_LENGTH:
        return Assessment(bits, Rating.WEAK, f"this one has {len(passphrase)} characters")
    if bits < MIN_BITS:
        return Assessment(bits, Rating.WEAK, _why_weak(kinds))
    rating = Rating.STRONG if bits >= STRONG_BITS else (
        Rating.GOOD if bits >= GOOD_BITS else Rating.FAIR)
    return Assessment(bits, rating, "")


# --- pricing -------------------------------------------------------------------------------------

PROBLEMS = {
    "common": "it is built on a common password or word",
    "repeat": "it repeats a character or a block",
    "sequence": "it follows a sequence (abc, 123, qwerty)",
    "year": "a year adds little",
    "word": "two or three words are quickly guessed",
}
TOO_PLAIN = "it has too few kinds of characters for its length"


def _why_weak(kinds: list[str]) -> str:
    """The pattern that priced most of the passphrase's characters."""
    counted = [kind for kind in kinds if kind != "separator"]
    most = max(counted, key=counted.count, default="pool")
    return PROBLEMS.get(most, TOO_PLAIN)


def _priced(text: str) -> tuple[list[float], list[str]]:
    """Each character's cost in bits, and the pattern that priced it."""
    per_char = math.log2(_pool(text)) if text else 0.0
    costs, kinds = [per_char] * len(text), ["pool"] * len(text)
    for i in range(1, len(text)):
        kind = _step(text[i - 1], text[i])
        if kind:
            costs[i], kinds[i] = STEP_BITS, kind
    for i, char in enumerate(text):
        if char in SEPARATORS and 0 < i < len(text) - 1 and kinds[i] == "pool":
            costs[i], kinds[i] = SEPARATOR_BITS, "separator"
    priced = [False] * len(text)
    for start, end, cap, kind in _patterns(text):
        if not any(priced[start:end]):
            _cap(costs, kinds, start, end, cap, kind)
            priced[start:end] = [True] * (end - start)
    return costs, kinds


def _cap(costs: list[float], kinds: list[str], start: int, end: int, cap: float,
         kind: str) -> None:
    """Price ``text[start:end]`` at most ``cap`` bits in all (spread over its characters).
    Inside a word, a character a step or repeat priced keeps that name (``abcdefgh``
    is a sequence more than a word)."""
    total = sum(costs[start:end])
    if total <= cap:
        return
    for i in range(start, end):
        costs[i] = cap / (end - start)
        if kind != "word" or kinds[i] == "pool":
            kinds[i] = kind


def _patterns(text: str) -> list[tuple[int, int, float, str]]:
    """Stretches an attacker guesses as a whole, most telling first: (start, end, bits, kind)."""
    # One character for one: offsets in ``folded`` are offsets in ``text``.
    folded = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    leet = folded.translate(LEET)
    found = _common_words(leet)
    found += [(m.start(1) + len(m.group(1)), m.end(), STEP_BITS, "repeat")
              for m in REPEATED_BLOCK.finditer(folded)]
    found += [(m.start(), m.end(), YEAR_BITS, "year") for m in YEAR.finditer(text)]
    found += [(m.start(), m.end(), WORD_BITS, "word") for m in LETTER_RUN.finditer(text)
              if len(m.group()) <= MAX_WORD]
    return found


def _common_words(leet: str) -> list[tuple[int, int, float, str]]:
    """Every listed password or word in the (leet-read) text, longest first."""
    found = []
    for length in range(min(len(leet), 20), 3, -1):
        for start in range(len(leet) - length + 1):
            if leet[start:start + length] in COMMON_LEET:
                found.append((start, start + length, COMMON_BITS, "common"))
    return found


def _step(before: str, char: str) -> str:
    """'repeat' or 'sequence' when ``char`` follows ``before`` as a guesser expects."""
    a, b = before.lower(), char.lower()
    if a == b:
        return "repeat"
    if a.isalnum() and b.isalnum() and abs(ord(a) - ord(b)) == 1:
        return "sequence"
    for row in KEYBOARD_ROWS:
        if a in row and b in row and abs(row.index(a) - row.index(b)) == 1:
            return "sequence"
    return ""


def _pool(text: str) -> int:
    """How many characters an attacker must try per position, from the kinds present."""
    kinds = (
        (26, any("a" <= c <= "z" for c in text)),
        (26, any("A" <= c <= "Z" for c in text)),
        (10, any(c.isascii() and c.isdigit() for c in text)),
        (33, any(c.isascii() and not c.isalnum() for c in text)),
        (100, any(not c.isascii() for c in text)),
    )
    return max(1, sum(size for size, present in kinds if present))
