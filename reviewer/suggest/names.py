"""What a guessed name never looks like, whoever guessed it.

The language model, the name cues and the chat-PII model all read names from
capitals and position, and all over-reach in the same few ways: an attribute
or file extension (``pg_hba.conf``, ``np.float``), a product before its version
(``Django 4.2``) or written in camel case (``GitHub``, ``CrashLoopBackOff``),
an acronym (``JSON``, ``GDPR``) or a job title (``Senior Counsel``) taken for a
person, a greeting in another language (``Hola,``) taken for a vocative, a span
that runs into the preposition after the name (``Carucci at``), and a case name
(``Carucci v. Marlow Logistics``) or a page title (``R. Carucci - Senior Counsel -
Halvorsen & Pike``) read as one name, a version or a digit inside a name. These
rules know nothing of any data set: each is a shape a name cannot have.
"""

from __future__ import annotations

import re
from dataclasses import replace

from reviewer.domain.models import Suggestion

# Words a name never starts or ends with (lower case only: "The Hague" keeps "The").
EDGE_WORDS = frozenset({
    "at", "in", "on", "of", "for", "to", "with", "by", "from", "and", "or", "the", "a", "an",
    "via", "per", "into", "onto", "about", "as", "is", "was", "v", "vs", "v.", "vs.",
})
# Honorifics and job titles: a span made of nothing else names a role, not a person.
TITLE_WORDS = frozenset({
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam", "dame", "lord", "lady",
    "rev", "hon", "senior", "junior", "sr", "jr", "chief", "head", "lead", "principal",
    "associate", "assistant", "deputy", "acting", "general", "managing", "executive",
    "counsel", "attorney", "lawyer", "solicitor", "barrister", "paralegal", "partner",
    "manager", "director", "officer", "president", "vice", "chair", "chairman", "chairwoman",
    "secretary", "treasurer", "engineer", "developer", "analyst", "consultant", "advisor",
    "adviser", "specialist", "coordinator", "administrator", "intern", "clerk", "editor",
    "professor", "lecturer", "doctor", "nurse", "surgeon", "physician", "founder", "owner",
    "ceo", "cto", "cfo", "coo", "vp", "md", "phd", "esq",
})
# Greetings of the languages ``reviewer.suggest.language`` tells apart: "Hola," opens
# a message the way "Hi," does, and names no one.
GREETINGS = frozenset({
    "hello", "hi", "hey", "hola", "buenos", "buenas", "bonjour", "bonsoir", "salut", "coucou",
    "hallo", "moin", "servus", "guten", "ciao", "buongiorno", "buonasera", "olá",
    "hoi", "goedemorgen", "goedemiddag", "hej", "thanks", "gracias",
    "merci", "danke", "grazie", "obrigado", "obrigada", "bedankt",
})
# An acronym: two to five capitals, no lower-case letter; or such groups joined by
# hyphens (a placeholder such as "YYYY-MM-DD"). Initials with dots ("J.R.") may be a name.
ACRONYM = re.compile(r"[A-Z]{2,5}(?:-[A-Z]{2,5})*")
# A version number or an "@" inside the span: software ("numpy 1.26.4", "react@18.2").
VERSION_INSIDE = re.compile(r"@|\d+\.\d+")
# A version right after a word ("Django 4.2", "numpy 1.26.4", "react@18.2.0", "v2").
VERSION_AFTER = re.compile(r"(?:[ \t]+v?|@)\d+(?:\.\d+)+\b|[ \t]+v\d+\b")
# Camel case inside a word ("GitHub", "NumPy", "WireGuard"), except after the
# prefixes of family names ("MacDonald", "VanDyke", "FitzGerald", "DeLuca").
CAMEL = re.compile(r"[a-z]{2,}[A-Z]")
NAME_PREFIX_CAMEL = re.compile(r"(?:Mac|Van|Von|Fitz|Del|Della|Des|Abu|Ben|Las|Los|San|St)[A-Z]")
# An attribute or a file extension: right after a lower-case letter or digit and a
# dot (``np.float``, ``pg_hba.conf``, ``cfg.Timeout``); "J.Smith" stays, and so does a
# name that a file or variable is named after (``smith_notes.txt``: it names someone).
GLUED_BEFORE = re.compile(r"[a-z0-9]\.\Z")
# Where one name ends and another begins: the "v." of a case name ("Carucci v. Marlow
# Logistics"), and a spaced dash or bar of a page title ("R. Carucci - Senior Counsel -
# Halvorsen & Pike | LinkedIn"). A name never runs across them.
SEPARATOR = re.compile(r"[ \t]+(?:v|vs)\.?[ \t]+|[ \t]+[-–—|•·][ \t]+")
NAMES = frozenset({"PERSON", "ORGANIZATION", "LOCATION", "NRP"})
# Guesses from the words alone; pattern recognizers and address lines are left alone.
NAME_GUESSERS = frozenset({"SpacyRecognizer", "NameCueRecognizer", "ChatNameRecognizer",
                           "ChatPiiModel", "ListedNameRecognizer"})
# Of these, the ones that read capitals without a cue word: a cue ("works at
# BlackRock") vouches for a camel-case or versioned word, the models' guess does not.
CUELESS = frozenset({"SpacyRecognizer", "ChatPiiModel"})


def reshape_names(text: str, found: list[Suggestion]) -> list[Suggestion]:
    """The name guesses of ``found`` without the shapes a name cannot have; each
    span trimmed of edge words and cut at a case name's "v."; the rest unchanged."""
    out: list[Suggestion] = []
    for s in found:
        if s.entity not in NAMES or s.recognizer not in NAME_GUESSERS:
            out.append(s)
            continue
        for part in _parties(text, _trimmed(text, s)):
            if part.end > part.start and not never_a_name(text, part):
                out.append(part)
    return out


def never_a_name(text: str, s: Suggestion) -> bool:
    """True when the span cannot be the name it is said to be (see the module)."""
    words = text[s.start:s.end].split()
    if not words:
        return True
    if GLUED_BEFORE.search(text, max(0, s.start - 2), s.start):
        return True
    if VERSION_INSIDE.search(text, s.start, s.end):
        return True
    if s.entity == "PERSON" and (_role_or_acronym(text, words)
                                 or any(c.isdigit() for c in text[s.start:s.end])):
        return True
    return s.recognizer in CUELESS and product_like(text, s.start, s.end)


def product_like(text: str, start: int, end: int) -> bool:
    """A single word written like software: camel case, or a version right after it."""
    value = text[start:end]
    if " " in value.strip():
        return False
    if CAMEL.search(value) and not NAME_PREFIX_CAMEL.match(value):
        return True
    return VERSION_AFTER.match(text, end) is not None


def _role_or_acronym(text: str, words: list[str]) -> bool:
    """Honorifics and job titles only ("Senior Counsel", "Mr."), or one acronym
    ("JSON", "CV") in a text that is not written in capitals throughout."""
    if all(w.lower().strip(".,") in TITLE_WORDS for w in words):
        return True
    return len(words) == 1 and ACRONYM.fullmatch(words[0]) is not None \
        and any(c.islower() for c in text)


def _trimmed(text: str, s: Suggestion) -> Suggestion:
    """``s`` without lower-case function words or words of an uncased script at its
    edges ("Carucci at", "연락은 Hana") and without a greeting before it ("Hola," alone
    is nothing, "Hallo Anna" is "Anna")."""
    words = list(re.finditer(r"\S+", text[s.start:s.end]))
    # Uncased words go only beside a cased one: the chat-PII model reads Hangul names.
    latin = any(not uncased(w.group(0)) for w in words)
    while words and (words[0].group(0) in EDGE_WORDS or (latin and uncased(words[0].group(0)))
                     or words[0].group(0).lower().rstrip(",:!") in GREETINGS):
        words.pop(0)
    while words and (words[-1].group(0) in EDGE_WORDS
                     or (latin and uncased(words[-1].group(0)))):
        words.pop()
    if not words:
        return replace(s, end=s.start)
    start, end = s.start + words[0].start(), s.start + words[-1].end()
    return s if (start, end) == (s.start, s.end) else replace(s, start=start, end=end)


def uncased(value: str) -> bool:
    """Letters of a script without capitals (Hangul, Han, Arabic...): the models read
    names from capitals, so what they find there is noise ("it is" as ORGANIZATION),
    and such a word at the edge of a Latin name is a neighbour ("연락은 Hana")."""
    letters = [c for c in value if c.isalpha()]
    return bool(letters) and not any(c.isupper() or c.islower() for c in letters)


def _parties(text: str, s: Suggestion) -> list[Suggestion]:
    """The span cut at its separators, each piece trimmed ("Carucci", "Marlow Logistics")."""
    cuts = list(SEPARATOR.finditer(text, s.start, s.end))
    if not cuts:
        return [s]
    bounds = [s.start, *(x for cut in cuts for x in cut.span()), s.end]
    return [_trimmed(text, replace(s, start=a, end=b))
            for a, b in zip(bounds[::2], bounds[1::2], strict=True) if b > a]
