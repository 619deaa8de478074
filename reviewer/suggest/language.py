"""Which language a text is written in, offline and in microseconds.

Two rules, no model. The script of the words decides first: Hangul is Korean,
Kana (with or without Han) Japanese, Han alone Chinese, and so on for the
scripts that one language dominates. Latin text is put to a vote of common
function words of a handful of languages, written here as data; a text too
short or too plain to vote is undetermined (``und``).

Words, not letters, are counted, and a word counts for the non-Latin script
among its letters: the normalised view folds Cyrillic and Greek look-alikes
to Latin ("привет" becomes "пpивeт"), and the word keeps its script. Fenced
code is left out of the count: an English code block does not make a Korean
question English. A mixed text (English with a Korean line) is judged by its
dominant words.
"""

from __future__ import annotations

import importlib.util
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from reviewer.domain.policy import UNDETERMINED, Policy

LATIN = "Latin"
# (first code point, last code point, script) in order; gaps are no script.
_RANGES = sorted([
    (0x0041, 0x005A, LATIN), (0x0061, 0x007A, LATIN), (0x00C0, 0x024F, LATIN),
    (0x1E00, 0x1EFF, LATIN), (0xFF21, 0xFF3A, LATIN), (0xFF41, 0xFF5A, LATIN),
    (0x0370, 0x03FF, "Greek"), (0x1F00, 0x1FFF, "Greek"),
    (0x0400, 0x052F, "Cyrillic"), (0x0530, 0x058F, "Armenian"), (0x0590, 0x05FF, "Hebrew"),
    (0x0600, 0x06FF, "Arabic"), (0x0750, 0x077F, "Arabic"), (0x08A0, 0x08FF, "Arabic"),
    (0xFB50, 0xFDFF, "Arabic"), (0xFE70, 0xFEFF, "Arabic"),
    (0x0900, 0x097F, "Devanagari"), (0x0980, 0x09FF, "Bengali"), (0x0B80, 0x0BFF, "Tamil"),
    (0x0E00, 0x0E7F, "Thai"), (0x10A0, 0x10FF, "Georgian"),
    (0x1100, 0x11FF, "Hangul"), (0x3130, 0x318F, "Hangul"), (0xAC00, 0xD7AF, "Hangul"),
    (0x3040, 0x30FF, "Kana"), (0x31F0, 0x31FF, "Kana"), (0xFF66, 0xFF9F, "Kana"),
    (0x3400, 0x4DBF, "Han"), (0x4E00, 0x9FFF, "Han"), (0xF900, 0xFAFF, "Han"),
    (0x20000, 0x2FA1F, "Han"),
])
_STARTS = [first for first, _, _ in _RANGES]

# The language a script stands for, where one language dominates it.
SCRIPT_LANGUAGE = {
    "Greek": "el", "Cyrillic": "ru", "Armenian": "hy", "Hebrew": "he", "Arabic": "ar",
    "Devanagari": "hi", "Bengali": "bn", "Tamil": "ta", "Thai": "th", "Georgian": "ka",
    "Hangul": "ko", "Kana": "ja", "Han": "zh",
}
# Letters that tell a language apart from the usual one of its script.
DISTINCT_LETTERS = {"ru": ("uk", frozenset("їєґЇЄҐ")), "ar": ("fa", frozenset("پچژگ"))}
# Scripts written without spaces: a run of letters holds several words.
LETTERS_PER_WORD = {"Han": 1.5, "Kana": 3.0, "Thai": 6.0}

# Common function words, each list of one language. A word in two lists votes for both.
STOP_WORDS = {
    "en": "the and is are was were to of that it for you with this have has be not my what "
          "can your please would how from will they we about there which but or if do does "
          "i'm don't it's",
    "de": "der die das und ist nicht ich sie es ein eine einen mit auf für von zu den dem "
          "des sich auch wir ihr mein meine bitte wie kann haben wird oder aber sind noch "
          "nach bei über bin",
    "fr": "le la les et est une des du que qui pas pour dans ce cette avec sur je vous nous "
          "il elle mais ou sont au aux mon votre merci bonjour c'est",
    "es": "el la los las y es una que en por para con se su mi pero como está hola gracias "
          "muy yo usted este esta son del al",
    "it": "il lo la gli le di che è non per una un sono mi ma come con questo questa del "
          "della nel anche ciao grazie e sei ho",
    "pt": "o os as um uma que não é para com por em do da dos das no na mas eu você "
          "obrigado olá está são sou e",
    "nl": "de het een en is van dat niet ik je we wij zijn met voor op aan dit die ook maar "
          "naar bij hoe hallo bedankt ben",
}
_VOTERS: dict[str, frozenset[str]] = {
    language: frozenset(words.split()) for language, words in STOP_WORDS.items()}
# Fewer Latin words than this, or fewer votes, and the language is undetermined.
MIN_WORDS = 3
MIN_VOTES = 3

LANGUAGE_NAMES = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "el": "Greek", "ru": "Russian", "uk": "Ukrainian",
    "hy": "Armenian", "he": "Hebrew", "ar": "Arabic", "fa": "Persian", "hi": "Hindi",
    "bn": "Bengali", "ta": "Tamil", "th": "Thai", "ka": "Georgian", "ko": "Korean",
    "ja": "Japanese", "zh": "Chinese", UNDETERMINED: "undetermined language",
}

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
FENCED = re.compile(r"```.*?(?:```|\Z)", re.DOTALL)


@dataclass(frozen=True)
class Reading:
    """A text's language (ISO 639-1 code, or ``und``) and the script that decided it."""

    language: str
    script: str


def identify(text: str) -> Reading:
    """The language of ``text``: its dominant script's, or for Latin script a vote."""
    if "```" in text:
        text = FENCED.sub(" ", text)
    words = WORD.findall(text)
    if not words:
        return Reading(UNDETERMINED, "")
    if text.isascii():
        return Reading(_vote(words), LATIN)
    weights: dict[str, float] = {}
    letters: set[str] = set()
    for word in words:
        script = _word_script(word)
        weights[script] = weights.get(script, 0.0) + _word_weight(word, script)
        if script != LATIN:
            letters.update(word)
    script = _dominant(weights)
    if script == LATIN:
        return Reading(_vote([w for w in words if _word_script(w) == LATIN]), LATIN)
    return Reading(_script_language(script, letters), script)


def language_name(code: str) -> str:
    """"Korean" for ``ko``; an unknown code as itself."""
    return LANGUAGE_NAMES.get(code, code)


def _word_script(word: str) -> str:
    """The script of a word: its most frequent non-Latin script, else Latin."""
    if word.isascii():
        return LATIN
    found = Counter(script_of(char) for char in word)
    other = [(n, s) for s, n in found.items() if s not in (LATIN, "")]
    return max(other)[1] if other else LATIN


def script_of(char: str) -> str:
    """The script of one letter ("" outside the scripts told apart here)."""
    point = ord(char)
    at = bisect_right(_STARTS, point) - 1
    if at >= 0 and point <= _RANGES[at][1]:
        return _RANGES[at][2]
    return ""


def _word_weight(word: str, script: str) -> float:
    """1 a word; a run of an unspaced script (Han, Kana, Thai) counts as the words it holds."""
    return max(1.0, len(word) / LETTERS_PER_WORD.get(script, len(word)))


def _dominant(weights: dict[str, float]) -> str:
    """The script with the most words; Latin wins ties (the pipelines read it)."""
    best = max(weights.values())
    return LATIN if weights.get(LATIN, 0) >= best else max(weights, key=weights.__getitem__)


def _script_language(script: str, letters: set[str]) -> str:
    if script in ("Han", "Kana") and any(script_of(char) == "Kana" for char in letters):
        return "ja"  # Japanese writes Han and Kana together; Chinese has no Kana
    language = SCRIPT_LANGUAGE.get(script, UNDETERMINED)
    other, marks = DISTINCT_LETTERS.get(language, ("", frozenset()))
    return other if letters & marks else language


def _vote(words: list[str]) -> str:
    """The language whose function words are most frequent; undetermined when the
    text is too short or no language gets enough votes."""
    if len(words) < MIN_WORDS:
        return UNDETERMINED
    votes: Counter[str] = Counter()
    for word in words:
        lower = word.lower().replace("’", "'")
        for language, voters in _VOTERS.items():
            if lower in voters:
                votes[language] += 1
    if not votes:
        return UNDETERMINED
    language, count = max(votes.items(), key=lambda item: (item[1], item[0] == "en"))
    return language if count >= MIN_VOTES else UNDETERMINED


def pipeline_installed(name: str) -> bool:
    """True when ``name`` is an importable spaCy pipeline package (never downloads)."""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


@lru_cache(maxsize=256)
def name_pipeline(policy: Policy, language: str) -> str | None:
    """The installed spaCy pipeline that looks for names in ``language``; None: patterns only."""
    name = policy.pipeline_for(language)
    return name if name is not None and pipeline_installed(name) else None


def text_reading(policy: Policy, text: str) -> tuple[str, str | None]:
    """(language, installed pipeline that looks for names in it or None) of one text."""
    language = identify(text).language
    return language, name_pipeline(policy, language)
