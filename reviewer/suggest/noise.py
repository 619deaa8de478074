"""Findings that are not what they claim: code, tool output, doses, ragged edges.

The small spaCy model reads code identifiers (``POSTGRES_PASSWORD``, ``boto3``,
``pd.read_csv``) and drug names next to a dose as names, lets a date run into
the quote and line break after it, and reads some phone numbers as dates.
Inside code, logs, JSON, YAML and traces (``reviewer.suggest.codetext``) a
word is a name only when written like a full name and not a key; a table's
column labels are never names. Of the structured patterns, only readings that
cannot be what they claim go: a call or file name as a URL, a timestamp or a
clock reading as a card or phone, a figure under a column that holds no such
number, a year or a decorator as a user name. A secret, e-mail, IP address or
home-folder user name inside a code fence stays what it is. Anywhere, a log's
machine timestamp or a version number is no date, a piece of a decimal number
or a dotted quad no phone, and a netmask, loopback, "any" or public-resolver
address identifies no one's host. Name guesses first pass
``reviewer.suggest.names`` (shapes no name has).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import replace

from reviewer.domain.models import Suggestion
from reviewer.suggest.codetext import CodeMap, code_map
from reviewer.suggest.names import reshape_names, uncased

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
# Entities a bare run of digits can be mistaken for.
NUMBERS = frozenset({
    "PHONE_NUMBER", "CREDIT_CARD", "ID_NUMBER", "TAX_ID", "ACCOUNT_NUMBER", "US_BANK_NUMBER",
    "US_DRIVER_LICENSE", "US_PASSPORT", "US_ITIN", "ADDRESS", "ZIP_CODE", "UK_NHS",
})
PLAIN_NUMBER = re.compile(r"\d[\d ,.]*\d")
CLOCK = re.compile(r"\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?")
# Column labels under which a bare number is personal data.
NUMBER_COLUMN = re.compile(r"(?i)phone|tel|mobile|cell|fax|card|account|acct|iban|ssn|"
                           r"passport|licen[cs]e|zip|post|\bid\b|number|no\.|#")
# Quotes, colons, escapes and list bullets around a model entity are not part of it.
EDGE = " \t\n\r'\"`:;,\\•*>-"
PHONE_SHAPE = re.compile(r"\+?[\d\s().-]+")
NUMERIC_DATE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[ T].*)?")


def clean(text: str, found: Iterable[Suggestion]) -> list[Suggestion]:
    """The findings of one text without the guesses that are code, tool output or
    doses, trimmed."""
    regions = code_map(text)
    kept = []
    for s in reshape_names(text, list(_by_line(text, found))):
        s = _phone_not_date(text, s)
        if s.recognizer in GUESSERS and s.entity in NAMES and not_a_name(text, s, regions):
            continue
        if _misread_link(text, s, regions) or _misread_number(text, s, regions):
            continue
        if _machine_written(text, s) or _shared_address(text, s):
            continue
        if s.entity == "USERNAME" and _not_a_user(text, s, regions):
            continue
        kept.append(s)
    return kept


# A date-time written by a machine: ISO 8601 with "T" and seconds ("2025-08-16T10:51:16Z").
MACHINE_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?")
# Three dotted numbers with a year of one or two digits: a version ("Django 2.1.11",
# "release 5.15.14") unless a word that introduces a date stands before it.
SHORT_DOTTED_DATE = re.compile(r"\d{1,2}\.\d{1,2}\.\d{1,2}")
DATE_WORD_BEFORE = re.compile(
    r"(?i:\b(?:on|since|until|till|by|to|from|dated?|born|due|expires?|valid|am|vom|seit|bis|"
    r"le|du|au|el|del|desde|hasta|il|dal|al|op|tot|em|de)[ \t]*:?[ \t]*\Z)")


def _machine_written(text: str, s: Suggestion) -> bool:
    """A date that is a log's machine timestamp or a version number, not a date in
    someone's life; a figure that is the whole part or the fraction of a decimal
    number ("1747529166.931464") taken for a phone, card or id."""
    value = text[s.start:s.end]
    if s.entity == "DATE_TIME":
        if MACHINE_TIMESTAMP.fullmatch(value.strip()):
            return True
        return SHORT_DOTTED_DATE.fullmatch(value) is not None and \
            DATE_WORD_BEFORE.search(text, max(0, s.start - 12), s.start) is None
    if s.entity not in NUMBERS:
        return False
    if DOTTED_QUAD.fullmatch(value):
        return True  # an IPv4 address or netmask ("255.255.255.0") read as a phone
    if any(m.start() <= s.start and s.end <= m.end() for m in
           MACHINE_TIMESTAMP.finditer(text, max(0, s.start - 30), min(len(text), s.end + 30))):
        return True  # a piece of a timestamp ("40.191696Z" of "...T16:53:40.191696Z")
    return DIGITS_ONLY.fullmatch(value) is not None and _in_decimal(text, s.start, s.end)


DOTTED_QUAD = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
DIGITS_ONLY = re.compile(r"[(+.]?\d+")


def _in_decimal(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 2):start]
    first = text[start:start + 1]
    return (re.match(r"\.\d", text[end:end + 2]) is not None
            or re.fullmatch(r"\d\.", before) is not None
            or (first == "." and before[-1:].isdigit()))


# Addresses that are the same for everyone: netmasks, "any", loopback, and the
# public resolvers of the large DNS services. They identify no one's host.
PUBLIC_RESOLVERS = frozenset({
    "1.1.1.1", "1.0.0.1", "8.8.8.8", "8.8.4.4", "9.9.9.9", "149.112.112.112",
    "208.67.222.222", "208.67.220.220",
})


def _shared_address(text: str, s: Suggestion) -> bool:
    if s.entity != "IP_ADDRESS":
        return False
    value = text[s.start:s.end].strip().split("/")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return False
    if address.is_loopback or address.is_unspecified or value in PUBLIC_RESOLVERS:
        return True
    bits = int(address)
    width = address.max_prefixlen
    ones = bin(bits).count("1")
    return address.version == 4 and ones >= 8 and bits == ((1 << ones) - 1) << (width - ones)


def not_a_name(text: str, s: Suggestion, regions: CodeMap) -> bool:
    """Identifier-shaped, uncased script, a drug before its dose, a table's column
    label, or a word inside code that is not written like a full name."""
    value = text[s.start:s.end]
    if value.lower() in FORM_LABELS:
        return True
    if IDENTIFIER.search(value) or (s.entity == "PERSON" and ALPHANUMERIC.search(value)):
        return True
    if DOSE.match(text, s.end) or uncased(value):
        return True
    if regions.in_header(s.start, s.end):
        return True
    if not regions.in_code(s.start, s.end):
        return False
    return regions.in_key(s.start, s.end) or not _full_name(value)


def _full_name(value: str) -> bool:
    """Written like a full name: two or more capitalised words ("Jane Doe", "Mary-Ann
    O'Hara"), unlike ``False``, ``DEBUG P.O.`` or ``Create, Update``."""
    words = value.split()
    return len(words) >= 2 and all(
        word[0].isupper() and any(c.islower() for c in word)
        and all(c.isalpha() or c in "-'’." for c in word) for word in words)


def _misread_number(text: str, s: Suggestion, regions: CodeMap) -> bool:
    """A timestamp, a clock reading or a table's figure taken for a card, phone or id."""
    value = text[s.start:s.end]
    if s.entity not in NUMBERS or not PLAIN_NUMBER.fullmatch(value):
        return False
    digits = "".join(c for c in value if c.isdigit())
    if _epoch(digits) and (len(digits) > 10 or regions.in_code(s.start, s.end)):
        return True
    if CLOCK.search(text, max(0, s.start - 9), min(len(text), s.end + 9)):
        return _overlaps_clock(text, s)
    column = regions.column_of(s.start, s.end)
    return column is not None and not NUMBER_COLUMN.search(column)


def _epoch(digits: str) -> bool:
    """Seconds, milli-, micro- or nanoseconds since 1970, from 2001 to 2033 (a leading
    1: no card network issues 16-digit numbers that start with 1; 2221... is a card)."""
    if len(digits) not in (10, 13, 16, 19):
        return False
    return 1_000_000_000 <= int(digits[:10]) <= 1_999_999_999


def _overlaps_clock(text: str, s: Suggestion) -> bool:
    return any(m.start() < s.end and s.start < m.end()
               for m in CLOCK.finditer(text, max(0, s.start - 9), min(len(text), s.end + 9)))


def _not_a_user(text: str, s: Suggestion, regions: CodeMap) -> bool:
    """A "user name" of digits only (``~2023``, a year), a JSON-LD key (``@type``), or a
    decorator at the start of a code line (``@login_required``)."""
    value = text[s.start:s.end].lstrip("@~")
    if value.isdigit() or (JSON_KEY_AROUND.match(text, s.end) is not None
                           and text[s.start - 1:s.start] == '"'):
        return True
    if not text.startswith("@", s.start) or not regions.in_code(s.start, s.end):
        return False
    line_start = text.rfind("\n", 0, s.start) + 1
    return regions.in_key(s.start, s.end) or not text[line_start:s.start].strip()


# A quoted key: the closing quote and its colon ("@type": ...).
JSON_KEY_AROUND = re.compile(r"\"[ \t]*:")


def _misread_link(text: str, s: Suggestion, regions: CodeMap) -> bool:
    """An e-mail inside a URL's login part, or a bare "domain" that is part of a word
    (``pd.re`` of ``pd.read_csv``), a call (``logger.info(``), a file path or a bare
    host-like word inside code (``self.name``, ``views.py``)."""
    if s.entity == "EMAIL_ADDRESS":
        return _in_url_login(text, s.start)
    if s.entity != "URL" or s.recognizer != "UrlRecognizer":
        return False
    if s.end < len(text) and (text[s.end].isalnum() or text[s.end] in "_("):
        return True
    value = text[s.start:s.end]
    if "://" in value or "/" in value or value.lower().startswith("www."):
        return False  # a scheme, a path or www: written as a link, even in code
    return (s.start > 0 and text[s.start - 1] in "/\\.") or regions.in_code(s.start, s.end)


def _in_url_login(text: str, start: int) -> bool:
    """``https://user:TOKEN@host/path`` holds no e-mail address: the token is a secret
    (see the ``url_password`` rule) and the host belongs to the URL."""
    return URL_LOGIN.search(text, max(0, start - 300), start) is not None


URL_LOGIN = re.compile(r"://[^\s/@]*\Z")


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
