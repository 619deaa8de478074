"""The detector: Presidio's AnalyzerEngine built explicitly over a spaCy pipeline.

Only the named-entity component of the pipeline runs (Presidio needs the
entities and the tokens; the tagger, parser and lemmatizer only feed its
context words, which read the lower-cased token instead), and texts go
through ``nlp.pipe`` in batches. Without an installed pipeline the detector
runs Presidio's pattern recognizers over a blank tokenizer and says so.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Callable, Sequence
from typing import Any, cast

import spacy
from presidio_analyzer import (
    AnalyzerEngine,
    EntityRecognizer,
    RecognizerRegistry,
    RecognizerResult,
)
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    CryptoRecognizer,
    DateRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    IpRecognizer,
    MacAddressRecognizer,
    MedicalLicenseRecognizer,
    NhsRecognizer,
    PhoneRecognizer,
    SpacyRecognizer,
    UkPostcodeRecognizer,
    UrlRecognizer,
    UsBankRecognizer,
    UsItinRecognizer,
    UsLicenseRecognizer,
    UsPassportRecognizer,
    UsSsnRecognizer,
)
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc, Span

from reviewer.domain.models import Suggestion
from reviewer.domain.policy import Policy
from reviewer.suggest.chatmodel import chat_suggestion, defer_to_patterns, load_chat_model
from reviewer.suggest.language import pipeline_installed, text_reading
from reviewer.suggest.noise import GUESSERS, clean
from reviewer.suggest.recognizers import chat_recognizers
from reviewer.suggest.shaping import shape

LANGUAGE = "en"
NER_COMPONENTS = ("ner",)
# spaCy labels Presidio reports, and the entity each becomes.
LABELS = {
    "PERSON": "PERSON", "PER": "PERSON", "NORP": "NRP", "FAC": "LOCATION", "GPE": "LOCATION",
    "LOC": "LOCATION", "ORG": "ORGANIZATION", "DATE": "DATE_TIME", "TIME": "DATE_TIME",
}
# Below the structured patterns (addresses, phones: 0.55 and up), so where a
# model entity overlaps one, the pattern's entity names the union.
NER_SCORE = 0.5

log = logging.getLogger(__name__)


def load_pipeline(name: str) -> Language | None:
    """The pipeline with only its NER (and what NER listens to); None if not installed."""
    if not pipeline_installed(name):
        return None
    nlp = spacy.load(name)
    keep = set(NER_COMPONENTS) | _listened_to(nlp)
    disabled = [pipe for pipe in nlp.pipe_names if pipe not in keep]
    nlp.select_pipes(disable=disabled)
    return nlp


def _listened_to(nlp: Language) -> set[str]:
    """Shared embedding components the NER reads from (none in the sm models)."""
    found = set()
    for name, pipe in nlp.pipeline:
        listeners = getattr(pipe, "listening_components", [])
        if any(component in NER_COMPONENTS for component in listeners):
            found.add(name)
    return found


class ChatNlpEngine(SpacyNlpEngine):
    """A spaCy NLP engine over an already loaded pipeline (no download, no reload)."""

    def __init__(self, nlp: Language, model_name: str) -> None:
        super().__init__(models=[{"lang_code": LANGUAGE, "model_name": model_name}])
        self.nlp = {LANGUAGE: nlp}  # type: ignore[assignment]

    def load(self) -> None:
        """Loaded on construction."""

    def artifacts(self, doc: Doc) -> NlpArtifacts:
        ents = [Span(doc, e.start, e.end, label=LABELS[e.label_]) for e in doc.ents
                if e.label_ in LABELS and not _numeric_name(e)]
        return NlpArtifacts(
            entities=ents, tokens=doc, tokens_indices=[t.idx for t in doc],
            lemmas=[t.lower_ for t in doc], nlp_engine=self, language=LANGUAGE,
            scores=[NER_SCORE] * len(ents),
        )


def _numeric_name(entity: Span) -> bool:
    """A "name" made mostly of digits ("Card 4111") is a number the model misread."""
    if LABELS[entity.label_] not in ("PERSON", "LOCATION", "ORGANIZATION", "NRP"):
        return False
    text = entity.text
    return sum(char.isdigit() for char in text) * 5 >= 2 * len(text)


class ContextOnlyWhereUseful(LemmaContextAwareEnhancer):
    """Presidio's context enhancer, given only the results whose recognizer has context words.

    The enhancer deep-copies every result it is handed; results of recognizers
    without context words (NER, name cues) cannot change, so they skip it. The
    token a result starts in is found by bisection over the tokens' ends, not by
    walking the text's tokens once per result (quadratic in a long piece: 20 of
    28 s on 400,000 characters of a pasted log).
    """

    def __init__(self) -> None:
        super().__init__()
        self._ends: tuple[object, list[int]] = (None, [])

    def _find_index_of_match_token(  # type: ignore[override]
            self, word: str, start: int, tokens: Doc, tokens_indices: list[int]) -> int:
        """Presidio's rule: the first token that ends after ``start``."""
        if self._ends[0] is not tokens_indices:  # once per text
            self._ends = (tokens_indices, [token.idx + len(token) for token in tokens])
        index = bisect.bisect_right(self._ends[1], start)
        if index == len(tokens_indices):
            raise ValueError(f"Did not find word '{word}' in the list of tokens "
                             "although it is expected to be found")
        return index

    def enhance_using_context(self, text: str, raw_results: list[RecognizerResult],
                              nlp_artifacts: NlpArtifacts, recognizers: list[EntityRecognizer],
                              context: list[str] | None = None) -> list[RecognizerResult]:
        with_context = {r.id for r in recognizers if r.context}
        useful = [r for r in raw_results if _recognizer_id(r) in with_context]
        fixed = [r for r in raw_results if _recognizer_id(r) not in with_context]
        if not useful and not context:
            return fixed
        return fixed + list(super().enhance_using_context(
            text, useful, nlp_artifacts, recognizers, context))


def _recognizer_id(result: RecognizerResult) -> str:
    return str(result.recognition_metadata.get(RecognizerResult.RECOGNIZER_IDENTIFIER_KEY, ""))


class Detector:
    """Finds candidate spans in normalised texts, one process's worth."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        nlp = load_pipeline(policy.spacy_model)
        self.pattern_only = nlp is None
        if nlp is None:
            log.warning("spaCy pipeline %s is not installed: patterns only", policy.spacy_model)
            nlp = spacy.blank(LANGUAGE)
        self.nlp = nlp
        self.recase = Recaser(nlp)
        self.readers = Readers(policy, None if self.pattern_only else nlp, self.recase)
        self.nlp_engine = ChatNlpEngine(nlp, policy.spacy_model)
        self.analyzer = AnalyzerEngine(
            registry=build_registry(policy, self.recase.ordinary if self.recase.words else None),
            nlp_engine=self.nlp_engine,
            supported_languages=[LANGUAGE], default_score_threshold=0.0,
            context_aware_enhancer=ContextOnlyWhereUseful(),
        )
        self.entities = [e for e in self.analyzer.get_supported_entities(LANGUAGE)
                         if policy.enabled(e)]
        self.chat_model = load_chat_model(policy.chat_model)

    def detect(self, texts: Sequence[str], batch_size: int = 256) -> list[list[Suggestion]]:
        """Suggestions per text, offsets into the given (normalised) texts; names are
        looked for only where the text's language has a pipeline (``Readers``)."""
        docs = self.readers.docs(texts, batch_size)
        chat = self.chat_findings(texts)
        return [self.detect_doc(text, doc, found)
                for text, doc, found in zip(texts, docs, chat, strict=True)]

    def chat_findings(self, texts: Sequence[str]) -> list[list[Suggestion]]:
        """The chat-PII model's suggestions per text, in one batched run (none when off)."""
        if self.chat_model is None:
            return [[] for _ in texts]
        return [[chat_suggestion(f) for f in found] for found in self.chat_model.find(texts)]

    def detect_doc(self, text: str, doc: Doc, chat: Sequence[Suggestion] = ()
                   ) -> list[Suggestion]:
        """Presidio's suggestions in ``doc`` and the chat model's (``chat``), as one set."""
        results = self.analyzer.analyze(
            text, LANGUAGE, entities=self.entities, nlp_artifacts=self.nlp_engine.artifacts(doc),
            return_decision_process=True, score_threshold=0.0,
        )
        kept = [r for r in results if r.score >= self.policy.threshold(r.entity_type)
                and not _vague_date(text, r)]
        found = [_suggestion(r) for r in kept]
        kept_chat = [s for s in chat if self.policy.enabled(s.entity)
                     and s.score >= self.policy.threshold(s.entity)]
        found.extend(defer_to_patterns(kept_chat, found, GUESSERS))
        return shape(text, clean(text, found), self.policy)


class Readers:
    """The spaCy pipeline that reads each text: its language's (``reviewer.suggest.language``),
    else a blank tokenizer, so only patterns run (no names are looked for)."""

    def __init__(self, policy: Policy, nlp: Language | None, recase: Callable[[str], str]
                 ) -> None:
        self.policy = policy
        self.loaded: dict[str | None, Language] = {None: spacy.blank(LANGUAGE)}
        if nlp is not None:
            self.loaded[policy.spacy_model] = nlp
        self.recase: dict[str | None, Callable[[str], str]] = {policy.spacy_model: recase}

    def pipeline_of(self, text: str) -> str | None:
        """The installed pipeline that looks for names in ``text``; None: patterns only."""
        return text_reading(self.policy, text)[1]

    def docs(self, texts: Sequence[str], batch_size: int) -> list[Doc]:
        """One Doc per text, in order, each from its own pipeline (batched per pipeline)."""
        names = [self.pipeline_of(text) for text in texts]
        out: list[Doc] = [cast(Doc, None)] * len(texts)
        for name in dict.fromkeys(names):
            at = [i for i, n in enumerate(names) if n == name]
            recase = self.recase.get(name, str)
            piped = self._nlp(name).pipe([recase(texts[i]) for i in at], batch_size=batch_size)
            for i, doc in zip(at, piped, strict=True):
                out[i] = doc
        return out

    def _nlp(self, name: str | None) -> Language:
        if name not in self.loaded:
            nlp = load_pipeline(name) if name is not None else None
            self.loaded[name] = nlp if nlp is not None else self.loaded[None]
        return self.loaded[name]


class Recaser:
    """The text as the NER model expects its casing, with every offset kept.

    The model leans on capitals: an all lower-case message hides its names, an
    all-caps word (a city on an envelope) reads as an acronym. In lower-case
    text only words that are not ordinary English (by the WordNet word index
    the pipeline's lemmatizer ships) are capitalised, so "laid" stays a verb
    while "julie" becomes a candidate name.
    """

    POS = ("noun", "verb", "adj", "adv")

    def __init__(self, nlp: Language) -> None:
        self.words: set[str] = set()
        self.exceptions: set[str] = set()
        self.rules: list[tuple[str, str]] = []
        if "lemmatizer" in nlp.component_names:
            lemmatizer: Any = nlp.get_pipe("lemmatizer")
            self._load(lemmatizer.lookups)

    def _load(self, lookups: Any) -> None:
        tables = {name: lookups.get_table(name) for name in lookups.tables}
        for pos in self.POS:
            self.words.update(tables.get("lemma_index", {}).get(pos, []))
            self.exceptions.update(tables.get("lemma_exc", {}).get(pos, {}))
            self.rules.extend(tuple(rule) for rule in tables.get("lemma_rules", {}).get(pos, []))

    def ordinary(self, word: str) -> bool:
        """True for an English dictionary word (or an inflection of one)."""
        lower = word.lower()
        if lower in STOP_WORDS or lower in self.words or lower in self.exceptions:
            return True
        return any(lower.endswith(old) and lower[:len(lower) - len(old)] + new in self.words
                   for old, new in self.rules)

    def __call__(self, text: str) -> str:
        if not any(char.isupper() for char in text):
            if not self.words:
                return text
            recased = WORD_RE.sub(self._capitalize, text)
        elif CAPS_RE.search(text):
            recased = CAPS_RE.sub(lambda m: m.group(0).capitalize(), text)
        else:
            return text
        return recased if len(recased) == len(text) else text

    def _capitalize(self, match: re.Match[str]) -> str:
        word = match.group(0)
        return word if len(word) < 3 or self.ordinary(word) else word[0].upper() + word[1:]


WORD_RE = re.compile(r"(?<![\w'’])[^\W\d_][\w'’-]*")
CAPS_RE = re.compile(r"\b[^\W\d_a-z]{4,}\b")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
CALENDAR_DATE = re.compile(
    r"\b\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\b|(?i:\b(?:" + "|".join(MONTHS) + r")[a-z]*\.?\s+\d|"
    r"\d\s*(?:st|nd|rd|th)?\s+(?:of\s+)?(?:" + "|".join(MONTHS) + r")|"
    r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b)"
)


def _vague_date(text: str, result: RecognizerResult) -> bool:
    """A date the NER found that names no calendar day ("last year", "2 months")."""
    if result.entity_type != "DATE_TIME" or _recognizer_name(result) != "SpacyRecognizer":
        return False
    return CALENDAR_DATE.search(text[result.start:result.end]) is None


def _recognizer_name(result: RecognizerResult) -> str:
    return str(result.recognition_metadata.get(RecognizerResult.RECOGNIZER_NAME_KEY, ""))


class GatedPhoneRecognizer(PhoneRecognizer):
    """Presidio's phone recognizer, skipped on texts with too few digits for a number.

    The libphonenumber matcher scans the text once per region and dominates the
    cost of a message; most messages hold no seven digits at all.
    """

    SEVEN_DIGITS = re.compile(r"\d(?:\D{0,4}\d){6}")

    def analyze(self, text: str, entities: list[str],
                nlp_artifacts: NlpArtifacts | None = None) -> list[RecognizerResult]:
        if self.SEVEN_DIGITS.search(text) is None:
            return []
        return list(super().analyze(text, entities, cast(NlpArtifacts, nlp_artifacts)))


def build_registry(policy: Policy, ordinary: Callable[[str], bool] | None = None
                   ) -> RecognizerRegistry:
    """Presidio's recognizers that matter for English chat logs, plus the chat ones."""
    registry = RecognizerRegistry(supported_languages=[LANGUAGE])
    digits = r"\d\D?\d"
    predefined: list[Any] = [
        _gate(CreditCardRecognizer(), digits), _gate(CryptoRecognizer(), r"\w{25,}"),
        _gate(DateRecognizer(), r"\d"), _gate(EmailRecognizer(), "@"),
        _gate(IbanRecognizer(), digits),
        _gate(IpRecognizer(), r"\d\.\d{1,3}\.\d|[0-9a-fA-F]{0,4}:[0-9a-fA-F]{0,4}:"),
        _gate(MacAddressRecognizer(), r"[0-9a-fA-F]{2}[:.-][0-9a-fA-F]{2}"),
        _gate(MedicalLicenseRecognizer(), digits), _gate(NhsRecognizer(), digits),
        _gate(UkPostcodeRecognizer(), r"\d"),
        _gate(UrlRecognizer(), r"(?i)://|www\.|[a-z0-9-]\.[a-z]{2,}"),
        _gate(UsBankRecognizer(), digits), _gate(UsItinRecognizer(), digits),
        _gate(UsLicenseRecognizer(), digits), _gate(UsPassportRecognizer(), digits),
        _gate(UsSsnRecognizer(), digits),
        GatedPhoneRecognizer(supported_regions=list(policy.phone_regions)),
        SpacyRecognizer(supported_entities=sorted(set(LABELS.values()))),
    ]
    for recognizer in [*predefined, *chat_recognizers(policy, ordinary)]:
        registry.add_recognizer(recognizer)
    return registry


def _gate(recognizer: EntityRecognizer, needed: str) -> EntityRecognizer:
    """Run ``recognizer`` only on texts where ``needed`` occurs: a cheap search
    spares its expensive patterns and validation on the many texts that cannot match."""
    gate = re.compile(needed)
    analyze: Callable[..., list[RecognizerResult]] = recognizer.analyze

    def gated(text: str, entities: list[str],
              nlp_artifacts: NlpArtifacts | None = None) -> list[RecognizerResult]:
        return analyze(text, entities, nlp_artifacts) if gate.search(text) else []

    setattr(recognizer, "analyze", gated)  # noqa: B010  (an instance override, on purpose)
    return recognizer


def _suggestion(result: RecognizerResult) -> Suggestion:
    explanation = result.analysis_explanation
    details: dict[str, Any] = explanation.to_dict() if explanation is not None else {}
    recognizer = str(details.get("recognizer") or
                     result.recognition_metadata.get(RecognizerResult.RECOGNIZER_NAME_KEY, ""))
    details = {k: v for k, v in details.items() if v is not None}
    return Suggestion(start=result.start, end=result.end, entity=result.entity_type,
                      score=round(float(result.score), 4), recognizer=recognizer,
                      explanation=details)
