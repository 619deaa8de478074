"""Loading the redaction policy from YAML, validating it, hashing it.

Validation walks the YAML node tree rather than the loaded values so every
error names the line of the file it is about. The hash covers the parsed
policy (not the file bytes: a comment or a re-indent changes nothing) plus the
analysis version, and it is what the store records for each analysed message.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from reviewer.domain.errors import BadInputError
from reviewer.domain.models import canonical_json
from reviewer.domain.policy import (
    ENGLISH,
    CustomPattern,
    DenyTerm,
    EntityRule,
    MarkerPattern,
    Policy,
    ReasonCode,
)
from reviewer.infra.resources import resource_path
from reviewer.suggest.chatmodel import MODEL_NAMES, NO_MODEL

# Bump when the recognizers change what they find, so stores re-analyse.
ANALYSIS_VERSION = "3"

TOP_LEVEL = frozenset({
    "version", "spacy_model", "pipelines", "chat_model", "default_threshold", "entities",
    "phone_regions", "allow", "deny", "patterns", "upstream_markers", "reason_codes", "legend",
    "propagate",
})

# The chat-PII models the suggestion service can run beside Presidio.
CHAT_MODELS = (*MODEL_NAMES, NO_MODEL)


@dataclass(frozen=True)
class LoadedPolicy:
    """A validated policy, where it came from, its hash and its YAML text."""

    policy: Policy
    path: Path
    hash: str
    text: str


def default_policy_path() -> Path:
    return resource_path("policy.yaml")


def load_policy(path: Path | None = None) -> LoadedPolicy:
    """Read and validate a policy file (the shipped default when ``path`` is None)."""
    source = path if path is not None else default_policy_path()
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise BadInputError(f"Cannot read the policy {source}: {err}.") from err
    return policy_from_text(text, source)


def policy_from_text(text: str, source: Path) -> LoadedPolicy:
    """Validate policy YAML read from ``source`` (a file, or a store's copy of one)."""
    policy = parse_policy(text, str(source))
    return LoadedPolicy(policy, source, policy_hash(policy), text)


def policy_hash(policy: Policy) -> str:
    body = canonical_json({"analysis_version": ANALYSIS_VERSION, "policy": asdict(policy)})
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def parse_policy(text: str, name: str = "policy") -> Policy:
    """Validate policy YAML text; a BadInputError naming the line when it is wrong."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise BadInputError(f"The policy {name} is not valid YAML ({name}{line}).") from err
    return _Reader(name).policy(root)


class _Reader:
    """Turns YAML nodes into policy values, raising errors that name the line."""

    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, node: yaml.Node | None, message: str) -> BadInputError:
        line = f", line {node.start_mark.line + 1}" if node is not None else ""
        return BadInputError(f"Policy {self.name}{line}: {message}.")

    def mapping(self, node: yaml.Node | None, what: str) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} must be a mapping")
        out: dict[str, yaml.Node] = {}
        for key, value in node.value:
            out[self.string(key, f"a key of {what}")] = value
        return out

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f"{what} must be a list")
        return list(node.value)

    def scalar(self, node: yaml.Node, what: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, f"{what} must be a single value")
        return yaml.SafeLoader(" ").construct_object(node)

    def string(self, node: yaml.Node, what: str) -> str:
        value = self.scalar(node, what)
        if not isinstance(value, str) or not value:
            raise self.fail(node, f"{what} must be a non-empty string")
        return value

    def number(self, node: yaml.Node, what: str, low: float = 0.0, high: float = 1.0) -> float:
        value = self.scalar(node, what)
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not low <= value <= high:
            raise self.fail(node, f"{what} must be a number from {low} to {high}")
        return float(value)

    def flag(self, node: yaml.Node, what: str) -> bool:
        value = self.scalar(node, what)
        if not isinstance(value, bool):
            raise self.fail(node, f"{what} must be true or false")
        return value

    def strings(self, node: yaml.Node, what: str) -> tuple[str, ...]:
        return tuple(self.string(item, f"an item of {what}") for item in self.sequence(node, what))

    def regex(self, node: yaml.Node, what: str) -> str:
        value = self.string(node, what)
        try:
            re.compile(value)
        except re.error as err:
            raise self.fail(node, f"{what} is not a valid regular expression ({err})") from err
        return value

    def fields(self, node: yaml.Node, what: str, required: set[str], optional: set[str]
               ) -> dict[str, yaml.Node]:
        items = self.mapping(node, what)
        for key in items.keys() - required - optional:
            raise self.fail(node, f"{what} has an unknown field {key!r}")
        for key in required - items.keys():
            raise self.fail(node, f"{what} needs the field {key!r}")
        return items

    def policy(self, root: yaml.Node | None) -> Policy:
        top = self.mapping(root, "the policy")
        for key in top.keys() - TOP_LEVEL:
            raise self.fail(top[key], f"unknown setting {key!r}")
        if "version" in top and self.scalar(top["version"], "version") != 1:
            raise self.fail(top["version"], "version must be 1")
        values: dict[str, Any] = {}
        for key, read in self.readers().items():
            if key in top:
                values[key] = read(top[key])
        if "allow" in top:
            values["allow"], values["allow_patterns"] = self.allow(top["allow"])
        if "pipelines" in top:
            values.update(self.pipelines(top["pipelines"], values.get("spacy_model")))
        return Policy(**values)

    def readers(self) -> dict[str, Any]:
        return {
            "spacy_model": lambda n: self.string(n, "spacy_model"),
            "chat_model": self.chat_model,
            "default_threshold": lambda n: self.number(n, "default_threshold"),
            "entities": self.entities,
            "phone_regions": self.regions,
            "deny": self.deny,
            "patterns": self.patterns,
            "upstream_markers": self.markers,
            "reason_codes": self.reasons,
            "legend": lambda n: self.string(n, "legend"),
            "propagate": lambda n: self.flag(n, "propagate"),
        }

    def pipelines(self, node: yaml.Node, spacy_model: str | None) -> dict[str, Any]:
        """``pipelines: {en: ..., de: ...}``: English is ``spacy_model`` (one fact), the
        others are kept by language."""
        named = {}
        for language, value in self.mapping(node, "pipelines").items():
            if not re.fullmatch(r"[a-z]{2,3}", language):
                raise self.fail(value, f"language {language!r} must be a code like en or ko")
            named[language] = self.string(value, f"the pipeline of {language}")
        english = named.pop(ENGLISH, None)
        if english is not None and spacy_model not in (None, english):
            raise self.fail(node, f"pipelines.en ({english}) and spacy_model ({spacy_model}) "
                                  "disagree; name the English pipeline once")
        out: dict[str, Any] = {"pipelines": tuple(sorted(named.items()))}
        if english is not None:
            out["spacy_model"] = english
        return out

    def chat_model(self, node: yaml.Node) -> str:
        name = self.string(node, "chat_model")
        if name not in CHAT_MODELS:
            raise self.fail(node, f"chat_model must be one of {', '.join(CHAT_MODELS)}")
        return name

    def entities(self, node: yaml.Node) -> tuple[EntityRule, ...]:
        rules = []
        for name, value in self.mapping(node, "entities").items():
            if not re.fullmatch(r"[A-Z][A-Z0-9_]*", name):
                raise self.fail(value, f"entity name {name!r} must be upper case, like PERSON")
            fields = self.fields(value, f"entity {name}", set(), {"enabled", "threshold"})
            enabled = self.flag(fields["enabled"], "enabled") if "enabled" in fields else True
            threshold = self.number(fields["threshold"], "threshold") if "threshold" in fields \
                else 0.5
            rules.append(EntityRule(name, enabled, threshold))
        return tuple(rules)

    def regions(self, node: yaml.Node) -> tuple[str, ...]:
        regions = self.strings(node, "phone_regions")
        for item, region in zip(self.sequence(node, "phone_regions"), regions, strict=True):
            if not re.fullmatch(r"[A-Z]{2}", region):
                raise self.fail(item, f"phone region {region!r} must be a two-letter country code")
        return regions

    def allow(self, node: yaml.Node) -> tuple[tuple[str, ...], tuple[str, ...]]:
        fields = self.fields(node, "allow", set(), {"strings", "patterns"})
        strings = self.strings(fields["strings"], "allow strings") if "strings" in fields else ()
        patterns: tuple[str, ...] = ()
        if "patterns" in fields:
            items = self.sequence(fields["patterns"], "allow patterns")
            patterns = tuple(self.regex(item, "an allow pattern") for item in items)
        return strings, patterns

    def deny(self, node: yaml.Node) -> tuple[DenyTerm, ...]:
        terms = []
        for item in self.sequence(node, "deny"):
            fields = self.fields(item, "a deny term", {"term", "entity"}, set())
            terms.append(DenyTerm(self.string(fields["term"], "term"),
                                  self.string(fields["entity"], "entity")))
        return tuple(terms)

    def patterns(self, node: yaml.Node) -> tuple[CustomPattern, ...]:
        found = []
        for item in self.sequence(node, "patterns"):
            fields = self.fields(item, "a pattern", {"name", "entity", "regex"},
                                 {"score", "context"})
            found.append(CustomPattern(
                name=self.string(fields["name"], "name"),
                entity=self.string(fields["entity"], "entity"),
                regex=self.regex(fields["regex"], "regex"),
                score=self.number(fields["score"], "score") if "score" in fields else 0.6,
                context=self.strings(fields["context"], "context") if "context" in fields else (),
            ))
        return tuple(found)

    def markers(self, node: yaml.Node) -> tuple[MarkerPattern, ...]:
        found = []
        for item in self.sequence(node, "upstream_markers"):
            fields = self.fields(item, "an upstream marker", {"name", "regex"}, {"entity"})
            entity = self.string(fields["entity"], "entity") if "entity" in fields else ""
            found.append(MarkerPattern(self.string(fields["name"], "name"),
                                       self.regex(fields["regex"], "regex"), entity))
        return tuple(found)

    def reasons(self, node: yaml.Node) -> tuple[ReasonCode, ...]:
        return tuple(
            ReasonCode(code, self.string(value, f"the label of reason {code}"))
            for code, value in self.mapping(node, "reason_codes").items()
        )
