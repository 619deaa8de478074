"""The leak scan: find the original text of redacted spans wherever else it occurs.

Every redacted span's text becomes a *needle*, normalised the way the
suggestion service reads text (NFKC, invisibles dropped, look-alikes and case
folded), so ``J\u200bohn`` or ``ＪＯＨＮ`` still match ``John``. The scan reads
the way a person would recognise the value:

- a needle of five or more letters and digits matches anywhere, even glued into
  a longer token (``user_john.smith@x.org``, ``smith_notes.txt``, ``JohnSmith``);
- a needle of two to four may not continue a letter run (letter edge) or a
  digit run (digit edge): ``wu`` in ``case_wu``, ``Wu2``, ``caseWu``, not in
  ``wuhan``; single characters are never searched;
- whitespace inside a needle matches any whitespace, or none (``John\nSmith``,
  ``johnsmith``);
- an approved PERSON's name parts are needles too, so the surname alone,
  ``Smith, John`` and ``Ms. Smith`` are found;
- a number of five digits or more written with separators (``555-123-4567``) is
  searched as its digits, whatever separators stand between them (``(555) 123
  4567``, ``5551234567``); from seven digits on it may sit inside a longer number
  (``+1 555 123 4567``), with five or six it may not continue a digit run;
- words of the packet's own format (a ``vocabulary``) are not hits when the
  export reads back what it wrote.

The text needles compile into one trie-shaped regular expression, so a text is
scanned once whatever the number of needles; the numbers likewise, over the
digits of the text's numbers only; around a camelCase edge a few more matches
are tried (see :class:`_Camel`).
"""

from __future__ import annotations

import re
import string
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import NamedTuple, TypeAlias

from reviewer.domain.normalize import NormalizedText, normalize

# Five letters or digits are distinctive enough to flag wherever they occur: a
# five-letter run of a name ("smith", "kowal") is rarely part of another word
# by chance, while four and fewer ("lee", "ann", "ford") are inside common words
# all the time and need word edges.
LONG_NEEDLE = 5
# A single character ("J", "5") would match everywhere; it is left to the reviewer.
MIN_NEEDLE = 2
# A number is recognised whatever its separators once it has this many digits.
MIN_DIGITS = 5
# Seven digits or more (a phone or account number) are still that number inside a
# longer digit run ("+1 555 123 4567", "0044 20 7946 0958"); five or six (a postcode,
# a short id) must fill a digit group, or "12345" would flag "9123456".
LONG_DIGITS = 7
_NUMBER = re.compile(r"[0-9\s\-./()+]*[0-9]")
# Where a text writes a number worth searching: five digits or more, with at most three
# separators between two of them ("(555) - 123"); more is two numbers.
_NUMBER_RUN = re.compile(rf"[0-9](?:[\s\-./()+]{{0,3}}+[0-9]){{{MIN_DIGITS - 1},}}")
_NOT_DIGIT = re.compile("[^0-9]")
_COUNTRY_CODE = re.compile(r"\+[0-9]{1,3}[\s\-./()]+(?=[0-9])")

# Titles, generational suffixes and particles: part of how a name is written, not of
# whom it names ("Mr", "Jr", the "van" of "Ludwig van Beethoven").
NAME_AFFIXES = frozenset((
    "mr", "mrs", "ms", "miss", "mx", "mme", "mlle", "dr", "prof", "sir", "dame", "lord", "lady",
    "rev", "fr", "herr", "frau",
    "jr", "sr", "ii", "iii", "iv", "md", "phd", "esq",
    "de", "van", "von", "der", "den", "ter", "ten", "da", "das", "dos", "del", "della", "di",
    "le", "la", "du", "bin", "ibn", "al", "el",
))
_NAME_SPLIT = re.compile(r"[\s,.\-]+")
_NAME_WHOLE_SPLIT = re.compile(r"[\s,.]+")

_EDGES = string.whitespace + string.punctuation
_SPACES = re.compile(r"\s+")
_ALNUM = re.compile(r"[^\W_]")
_WORD = re.compile(r"[^\W_]+")
_LETTER = r"[^\W\d_]"
_DIGIT = "[0-9]"
_DIGIT_CHAR = re.compile(_DIGIT)
# Lower- then upper-case letter in the original text: a camelCase edge ("caseWu").
_CAMEL = re.compile(r"[A-ZÀ-ÖØ-Þ](?<=[a-zß-öø-ÿ].)")
_MARK = "\x00"
# Scrubbed values remembered: short ones, as many as keep the memory small.
SCRUB_MEMO_CHARS = 64
SCRUB_MEMO_SIZE = 4096

_Trie: TypeAlias = dict[str, "_Trie"]


class Hit(NamedTuple):
    """An occurrence of a needle, as offsets into the original (unnormalised) text."""

    start: int
    end: int
    entity: str
    token: str


def needle_text(text: str) -> str:
    """The normalised form a needle is searched as; punctuation a span caught at its
    edges ("42 Elm Street.") is not part of what must not appear, and a line break
    inside it is just a space."""
    return _SPACES.sub(" ", normalize(text, casefold=True).text.strip(_EDGES))


def vocabulary_of(texts: Iterable[str]) -> frozenset[str]:
    """The normalised words of ``texts``, as :meth:`Needles.find` compares them."""
    return frozenset(word for text in texts for word in _WORD.findall(needle_text(text)))


def name_parts(needle: str) -> list[str]:
    """The parts a person may be named by alone: given names, surnames, the whole of
    a hyphenated name; titles, particles and initials name nobody."""
    pieces = {*_NAME_SPLIT.split(needle), *_NAME_WHOLE_SPLIT.split(needle)}
    parts = (piece.strip(_EDGES) for piece in pieces)
    return sorted(part for part in parts
                  if part != needle and part not in NAME_AFFIXES and _alnum(part) >= MIN_NEEDLE)


@dataclass(frozen=True)
class _Kind:
    """One way of searching needles: how a character is written, and the guards after
    the first character and at the end of each needle."""

    atom: Callable[[str], str]
    left: Callable[[str], str]
    right: Callable[[str], str]


def _text_atom(char: str) -> str:
    return r"\s*+" if char == " " else re.escape(char)


def _class_of(char: str) -> str | None:
    if char in string.digits:
        return _DIGIT
    return _LETTER if char.isalpha() else None


def _digit_left(char: str) -> str:
    """A needle starting with a digit may not continue a number."""
    return f"(?<!{_DIGIT}{re.escape(char)})" if char in string.digits else ""


def _text_right(form: str) -> str:
    """A long needle guards only a digit edge; a short one guards both edges' runs.

    The short needle's left letter guard sits here, where the needle is known: after
    its first letter it would bind every long needle sharing that letter too. It reads
    the needle as written, so a short needle with a space ("jo li") spaced otherwise
    in the text goes unguarded on the left: found too often, never too rarely.
    """
    last = _class_of(form[-1])
    if not _is_short(form):
        return f"(?!{_DIGIT})" if last == _DIGIT else ""
    right = f"(?!{last})" if last else ""
    if _class_of(form[0]) == _LETTER:
        return f"(?<!{_LETTER}{re.escape(form)}){right}"
    return right


def _no_guard(form: str) -> str:
    return ""


_TEXT = _Kind(_text_atom, _digit_left, _text_right)
# Numbers are searched in the digits alone; their edges are checked by _grouped.
_DIGITS = _Kind(re.escape, _no_guard, _no_guard)

_Found: TypeAlias = tuple[int, int, str]  # start, end (normalised offsets), needle key


class Needles:
    """The set of redacted texts, searchable in one pass."""

    def __init__(self, items: Iterable[tuple[str, str, str]]) -> None:
        """``items``: (original text, entity, replacement token) of each redacted span."""
        self._info: dict[str, tuple[str, str]] = {}
        self._forms: dict[str, bool] = {}  # the form searched, and whether it is a number
        given = [(text, needle_text(text), entity, token) for text, entity, token in items]
        # The redacted values themselves (not their parts or other writings): a span
        # that keeps one of them elsewhere contradicts its redaction (``holds_value``).
        self._values = frozenset(_key(needle) for _, needle, _, _ in given if needle)
        for text, needle, entity, token in given:
            self._add(needle, (entity, token))
            self._add(_national(text), (entity, token))
        # Parts come second: a part someone approved on its own keeps its own token.
        for _, needle, entity, token in given:
            for part in name_parts(needle) if entity == "PERSON" else ():
                self._add(part, (entity, token))
        self._scanner = _Scanner(self._forms) if self._forms else None
        # Short metadata (entity names, reviewers, reason codes) repeats on every log row.
        self._scrubbed: dict[str, str] = {}

    def _add(self, needle: str, info: tuple[str, str]) -> None:
        number = _is_number(needle)
        form = _digits(needle) if number else needle
        if number or _alnum(needle) >= MIN_NEEDLE:
            self._info.setdefault(_key(needle), info)
            self._forms.setdefault(form, number)

    def __len__(self) -> int:
        return len(self._info)

    def holds_value(self, text: str) -> bool:
        """Whether ``text``, as needles are compared, is one of the redacted values."""
        needle = needle_text(text)
        return bool(needle) and _key(needle) in self._values

    def find(self, text: str, vocabulary: frozenset[str] = frozenset()) -> Iterator[Hit]:
        """Every occurrence in ``text``, left to right, non-overlapping.

        An occurrence whose covering words (the alphanumeric runs it touches) are all
        in ``vocabulary`` (see :func:`vocabulary_of`) is the packet's own format
        speaking ("DATA/", "redaction_log.csv"), not the value: it is skipped.
        """
        if self._scanner is None or not text:
            return
        view = normalize(text, casefold=True)
        for start, end, key in self._scanner.scan(view, vocabulary):
            entity, token = self._info[key]
            yield Hit(*view.to_original(start, end), entity, token)

    def scrub(self, value: str, vocabulary: frozenset[str] = frozenset()) -> str:
        """``value`` with every occurrence replaced by its token (for metadata fields)."""
        if vocabulary or len(value) > SCRUB_MEMO_CHARS:
            return self._scrub(value, vocabulary)
        scrubbed = self._scrubbed.get(value)
        if scrubbed is None:
            if len(self._scrubbed) >= SCRUB_MEMO_SIZE:
                self._scrubbed.clear()
            scrubbed = self._scrubbed[value] = self._scrub(value, vocabulary)
        return scrubbed

    def _scrub(self, value: str, vocabulary: frozenset[str]) -> str:
        hits = list(self.find(value, vocabulary))
        for hit in reversed(hits):
            value = value[:hit.start] + hit.token + value[hit.end:]
        return value

    def leaks(
        self, text: str, redacted: Sequence[tuple[int, int]], kept: Sequence[tuple[int, int]]
    ) -> list[Hit]:
        """Occurrences in ``text`` that the output would show undecided.

        An occurrence wholly covered by ``redacted`` and ``kept`` (rejected) ranges
        was decided by a reviewer, piece by piece. Everything else is a leak, also
        one that a redaction only touches: "[PERSON-2] Quarterfield" still shows
        the surname of an approved "Zelda Quarterfield".
        """
        decided = [*redacted, *kept]
        return [hit for hit in self.find(text) if not _inside(hit, decided)]


def _alnum(text: str) -> int:
    return len(_ALNUM.findall(text))


def _is_short(form: str) -> bool:
    return _alnum(form) < LONG_NEEDLE


def _is_number(text: str) -> bool:
    return _NUMBER.fullmatch(text) is not None and len(_digits(text)) >= MIN_DIGITS


def _digits(text: str) -> str:
    return _NOT_DIGIT.sub("", text)


def _key(text: str) -> str:
    """What a needle and a match of it have in common: a number's digits, a text's
    characters other than whitespace."""
    return "#" + _digits(text) if _is_number(text) else _SPACES.sub("", text)


def _national(text: str) -> str:
    """The number after an international prefix ("+44 20 7946 0958" is written "020 7946
    0958" at home), when ``text`` is such a number; else nothing to search."""
    written = normalize(text).text.strip()
    prefix = _COUNTRY_CODE.match(written)
    rest = written[prefix.end():] if prefix else ""
    return rest if _is_number(rest) and len(_digits(rest)) >= LONG_DIGITS else ""


class _Scanner:
    """The compiled needles: the texts, the numbers, and the short texts alone to try
    around camelCase edges."""

    def __init__(self, forms: dict[str, bool]) -> None:
        texts = [form for form, number in forms.items() if not number]
        numbers = [form for form, number in forms.items() if number]
        self._texts = _compile(texts, _TEXT)
        self._numbers = _compile(numbers, _DIGITS)
        self._camel = _Camel([form for form in texts if _is_short(form)])

    def scan(self, view: NormalizedText, vocabulary: frozenset[str]) -> list[_Found]:
        """(start, end, key) of each occurrence, in normalised offsets."""
        found = _search(self._texts, view.text, vocabulary) if self._texts else []
        extra = _number_hits(self._numbers, view.text, vocabulary) if self._numbers else []
        extra += self._camel.hits(view, vocabulary)
        return _merged([*found, *extra]) if extra else found


def _search(pattern: re.Pattern[str], text: str, vocabulary: frozenset[str]) -> list[_Found]:
    """Leftmost non-overlapping matches; after a vocabulary word the scan resumes one
    character on, so a needle overlapping it is still found."""
    found: list[_Found] = []
    match = pattern.search(text)
    while match is not None:
        start, end = match.span()
        if vocabulary and _in_vocabulary(text, start, end, vocabulary):
            match = pattern.search(text, start + 1)
            continue
        found.append((start, end, _key(match.group())))
        match = pattern.search(text, end)
    return found


def _number_hits(pattern: re.Pattern[str], text: str, vocabulary: frozenset[str]) -> list[_Found]:
    """The numbers among the text's digits, whatever separators stand between them."""
    found: list[_Found] = []
    for run in _NUMBER_RUN.finditer(text):
        digits = _digits(run.group())
        match = pattern.search(digits)
        if match is not None:  # only then the digits' places are worth finding
            places = [m.start() for m in _DIGIT_CHAR.finditer(text, *run.span())]
            found += _digit_hits(pattern, match, digits, places, text, vocabulary)
    return found


def _digit_hits(
    pattern: re.Pattern[str], match: re.Match[str] | None, digits: str, places: list[int],
    text: str, vocabulary: frozenset[str],
) -> list[_Found]:
    """The matches in one number's ``digits`` from ``match`` on, at ``places`` in ``text``."""
    found: list[_Found] = []
    while match is not None:
        start, end = match.span()
        hit = (places[start], places[end - 1] + 1, "#" + match.group())
        if _grouped(places, start, end) and not (
                vocabulary and _in_vocabulary(text, hit[0], hit[1], vocabulary)):
            found.append(hit)
            match = pattern.search(digits, end)
        else:
            match = pattern.search(digits, start + 1)
    return found


def _grouped(places: list[int], start: int, end: int) -> bool:
    """Seven digits or more are a number anywhere in a longer one; five or six must
    not continue a digit group ("90210" in "90210-1234", not in "9902101")."""
    if end - start >= LONG_DIGITS:
        return True
    opens = start == 0 or places[start] - places[start - 1] > 1
    closes = end == len(places) or places[end] - places[end - 1] > 1
    return opens and closes


def _in_vocabulary(text: str, start: int, end: int, vocabulary: frozenset[str]) -> bool:
    """True when every word (alphanumeric run) that ``[start, end)`` touches is known."""
    while start > 0 and _ALNUM.match(text, start - 1):
        start -= 1
    while end < len(text) and _ALNUM.match(text, end):
        end += 1
    return all(word in vocabulary for word in _WORD.findall(text, start, end))


class _Camel:
    """Short needles that start or end at a camelCase edge ("caseWu", "WuCase").

    Case is folded away before the scan, so the edges are marked in a copy of the
    text with a character that is no letter, and only the places next to a mark
    where a short needle could begin or end are tried.
    """

    def __init__(self, short: Sequence[str]) -> None:
        self._pattern = _compile(short, _TEXT)
        self._reach = max(map(len, short), default=0)
        self._heads = frozenset(form[:2] for form in short)
        self._tails = frozenset(form[-2:] for form in short)

    def hits(self, view: NormalizedText, vocabulary: frozenset[str]) -> list[_Found]:
        if self._pattern is None or _CAMEL.search(view.original) is None:
            return []
        marked, marks = _camel_marked(view)
        hits = []
        for mark in marks:
            for begin in self._begins(marked, mark):
                match = self._pattern.match(marked, begin)
                if match and mark in (match.end(), begin - 1):
                    before = bisect_left(marks, begin)
                    hits.append((begin - before, match.end() - before, _key(match.group())))
        return [hit for hit in hits
                if not (vocabulary and _in_vocabulary(view.text, hit[0], hit[1], vocabulary))]

    def _begins(self, marked: str, mark: int) -> list[int]:
        """Where a short needle ending at ``mark`` or starting after it may begin."""
        begins = [mark + 1] if marked[mark + 1:mark + 3] in self._heads else []
        if marked[mark - 2:mark] in self._tails:
            begins += _starts(marked, max(0, mark - self._reach), mark)
        return begins


def _starts(text: str, start: int, end: int) -> list[int]:
    """Where in ``text[start:end]`` a short needle may begin: where a run of letters or
    of digits begins (its guards allow no other place)."""
    return [i for i in range(start, end)
            if i == 0 or _class_of(text[i]) != _class_of(text[i - 1])]


def _camel_marked(view: NormalizedText) -> tuple[str, list[int]]:
    """The normalised text with a mark where the original turns from a lower-case to
    an upper-case letter, and the positions of the marks."""
    found = (_normalised_offset(view, m.start()) for m in _CAMEL.finditer(view.original))
    edges = sorted({edge for edge in found if edge is not None})
    bounds = [0, *edges, len(view.text)]
    marked = _MARK.join(view.text[a:b] for a, b in pairwise(bounds))
    return marked, [edge + count for count, edge in enumerate(edges)]


def _normalised_offset(view: NormalizedText, original: int) -> int | None:
    if view.starts is None:
        return original
    index = bisect_left(view.starts, original)
    return index if index < len(view.starts) and view.starts[index] == original else None


def _merged(hits: list[_Found]) -> list[_Found]:
    """The hits of the separate searches in order; overlapping ones become one (keyed by
    the first), so a scrub leaves no piece of either."""
    merged: list[_Found] = []
    for start, end, key in sorted(hits, key=lambda hit: (hit[0], -hit[1])):
        if merged and start < merged[-1][1]:
            first = merged[-1]
            merged[-1] = (first[0], max(first[1], end), first[2])
        else:
            merged.append((start, end, key))
    return merged


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


def _compile(forms: Sequence[str], kind: _Kind) -> re.Pattern[str] | None:
    """One alternative per first character, guarded at the needle's left edge; None
    when there is nothing to search."""
    trie: _Trie = {}
    for form in forms:
        node = trie
        for char in form:
            node = node.setdefault(char, {})
        node[""] = {kind.right(form): {}}
    if not trie:
        return None
    return re.compile("|".join(
        re.escape(char) + kind.left(char) + _trie_pattern(child, kind)
        for char, child in trie.items()
    ))


def _trie_pattern(node: _Trie, kind: _Kind) -> str:
    """A regular expression matching exactly the rest of the forms of ``node``,
    longest first, each followed by its right guard (the end of a form is the key ""
    holding it).

    Runs of single children become one literal, so nesting (and recursion) grows
    with the branch points only, not with the needles' length.
    """
    literal: list[str] = []
    while len(node) == 1 and "" not in node:
        char, node = next(iter(node.items()))
        literal.append(kind.atom(char))
    head = "".join(literal)
    # A space may match nothing, so it goes last: a value spelled out as it is wins
    # over another spelled without its space ("ka kaka" before "ka ka" + "ka").
    branches = [kind.atom(char) + _trie_pattern(child, kind)
                for char, child in sorted(node.items(), key=lambda item: item[0] == " ")
                if char]
    end = next(iter(node[""])) if "" in node else None
    if not branches:
        return head + (end or "")
    body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
    if end is None:
        return head + body
    return head + (f"(?:{body})?" if not end else f"(?:{body}|{end})")
