"""Model and cue findings that are not what they claim: code, doses, ragged edges.

The small spaCy model reads code identifiers (``POSTGRES_PASSWORD``, ``boto3``,
``pd.read_csv``) and drug names next to a dose as names, lets a date run into
the quote and line break after it, and reads some phone numbers as dates.
These filters are deliberately narrow: they touch only findings of the model
and of the name cues, never the structured patterns (a secret inside a code
fence stays a secret).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from reviewer.domain.models import Suggestion

# Recognizers that guess names from words; only their findings are filtered.
GUESSERS = frozenset({"SpacyRecognizer", "NameCueRecognizer", "ChatNameRecognizer"})
NAMES = frozenset({"PERSON", "ORGANIZATION", "LOCATION", "NRP"})
# Names never mix letters and digits in one word ("Vlan40", "boto3").
ALPHANUMERIC = re.compile(r"[^\W\d_]\d|\d[^\W\d_]")
# Identifier shapes: snake_case or ALL_CAPS_WITH_UNDERSCORES, camelCase, dotted
# attribute or file names, call and path punctuation.
IDENTIFIER = re.compile(r"_|\b[a-z]+[A-Z]|[a-z0-9]\.[a-z]|[()=<>{}\[\]]")
DOSE = re.compile(r"[ \t|:,-]{0,8}\d+(?:[.,]\d+)?[ \t]*(?i:mg|mcg|µg|ml|g|iu|units?|tablets?|"
                  r"capsules?|puffs?|drops)\b")
FENCE = re.compile(r"```.*?(?:```|\Z)", re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]+`")
# Quotes, colons, escapes and list bullets around a model entity are not part of it.
EDGE = " \t\n\r'\"`:;,\\•*>-"
PHONE_SHAPE = re.compile(r"\+?[\d\s().-]+")
NUMERIC_DATE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[ T].*)?")


def clean(text: str, found: Iterable[Suggestion]) -> list[Suggestion]:
    """The findings of one text without the guesses that are code or doses, trimmed."""
    code = _code_ranges(text)
    kept = []
    for s in _by_line(text, found):
        s = _phone_not_date(text, s)
        if s.recognizer in GUESSERS and s.entity in NAMES and not_a_name(text, s, code):
            continue
        if _misread_link(text, s):
            continue
        kept.append(s)
    return kept


def not_a_name(text: str, s: Suggestion, code: list[tuple[int, int]]) -> bool:
    """Identifier-shaped, a drug before its dose, or a lower-case word inside code."""
    value = text[s.start:s.end]
    if value.lower() in FORM_LABELS:
        return True
    if IDENTIFIER.search(value) or (s.entity == "PERSON" and ALPHANUMERIC.search(value)):
        return True
    if DOSE.match(text, s.end):
        return True
    inside = any(a <= s.start and s.end <= b for a, b in code)
    return inside and (value.islower() or value.isupper())


def _misread_link(text: str, s: Suggestion) -> bool:
    """An e-mail inside a URL's login part, or a bare "domain" cut out of a word
    (``pd.re`` of ``pd.read_csv``, ``shot.pn`` of ``shot.png``)."""
    if s.entity == "EMAIL_ADDRESS":
        return _in_url_login(text, s.start)
    if s.entity == "URL" and s.recognizer == "UrlRecognizer":
        return s.end < len(text) and (text[s.end].isalnum() or text[s.end] == "_")
    return False


def _in_url_login(text: str, start: int) -> bool:
    """``https://user:TOKEN@host/path`` holds no e-mail address: the token is a secret
    (see the ``url_password`` rule) and the host belongs to the URL."""
    return URL_LOGIN.search(text, max(0, start - 300), start) is not None


URL_LOGIN = re.compile(r"://[^\s/@]*\Z")


def _code_ranges(text: str) -> list[tuple[int, int]]:
    if "`" not in text:
        return []
    return [m.span() for m in FENCE.finditer(text)] + [m.span() for m in
                                                      INLINE_CODE.finditer(text)]


def _by_line(text: str, found: Iterable[Suggestion]) -> Iterable[Suggestion]:
    """Model entities cut at line ends, without surrounding quotes and colons.

    A model entity across lines ("Laura Gorski\nMinistry Of Agriculture") is one
    span per line: each line keeps the model's label unless a pattern (an address
    block) claims it when overlaps are resolved.
    """
    for s in found:
        if s.recognizer != "SpacyRecognizer":
            yield s
            continue
        for line in LINE.finditer(text, s.start, s.end):
            start, end = _stripped(text, *line.span())
            if _worded(text[start:end]):
                yield s if (start, end) == (s.start, s.end) else replace(s, start=start, end=end)


LINE = re.compile(r"[^\n]+")
# Form labels the model pulls into the entity of the line above ("...\nPhone:").
FORM_LABELS = frozenset({
    "name", "address", "phone", "tel", "mobile", "cell", "fax", "email", "e-mail", "date",
    "dob", "city", "country", "state", "zip", "postcode", "company", "title", "notes", "subject",
})


def _worded(piece: str) -> bool:
    return any(c.isalnum() for c in piece) and piece.lower() not in FORM_LABELS


def _stripped(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in EDGE:
        start += 1
    while end > start and text[end - 1] in EDGE:
        end -= 1
    return start, end


def _phone_not_date(text: str, s: Suggestion) -> Suggestion:
    """A "date" of seven or more digits and phone punctuation only is a phone number."""
    value = text[s.start:s.end]
    if s.recognizer != "SpacyRecognizer" or s.entity != "DATE_TIME":
        return s
    if sum(c.isdigit() for c in value) < 7:
        return s
    if PHONE_SHAPE.fullmatch(value) is None or NUMERIC_DATE.fullmatch(value) is not None:
        return s
    return replace(s, entity="PHONE_NUMBER",
                   explanation={**s.explanation, "relabelled": "DATE_TIME shaped like a phone"})
