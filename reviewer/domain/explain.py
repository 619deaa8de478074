"""Why a span was suggested, in sentences a reviewer reads, and the raw facts apart.

A span's stored explanation is what its recognizer recorded at analysis
(Presidio's ``AnalysisExplanation``, the chat rules, the chat-PII model, the
conversation's propagation, upstream markers, the policy's own terms and
patterns), with the suggestions it won over as ``alternatives``. ``explain``
turns it into plain sentences ("E-mail address (pattern, checked domain) ·
1.00") and keeps regexes and raw scores as ``details`` for whoever asks.
Whatever the dictionary holds, it never raises: an unknown recognizer is named
from its own name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from reviewer.domain.models import Origin

# Every entity in words, the one table the screen and the explanations read.
ENTITY_WORDS: dict[str, str] = {
    "PERSON": "Name", "EMAIL_ADDRESS": "E-mail address", "PHONE_NUMBER": "Phone number",
    "LOCATION": "Place", "ADDRESS": "Street address", "ORGANIZATION": "Organisation",
    "DATE_TIME": "Date or time", "DATE_OF_BIRTH": "Date of birth", "AGE": "Age",
    "CREDIT_CARD": "Card number", "IBAN_CODE": "IBAN (bank account)",
    "US_SSN": "Social security number", "US_ITIN": "Taxpayer number (ITIN)",
    "US_PASSPORT": "Passport number", "US_DRIVER_LICENSE": "Driver's licence number",
    "US_BANK_NUMBER": "Bank account number", "ACCOUNT_NUMBER": "Account or reference number",
    "ID_NUMBER": "ID or reference code", "IP_ADDRESS": "IP address",
    "MAC_ADDRESS": "Device (MAC) address", "URL": "Web address", "USERNAME": "User name",
    "SECRET": "Password or key", "API_KEY": "API key", "CRYPTO": "Crypto wallet address",
    "MEDICAL_LICENSE": "Medical licence number", "UK_NHS": "NHS number", "TAX_ID": "Tax number",
    "NRP": "Nationality, religion or politics", "MEDICAL": "Medical information",
    "OTHER": "Other", "REDACTED": "Redacted text",
    # Upstream markers name entities their own way ({{EMAIL}}, [NAME_1]).
    "EMAIL": "E-mail address", "NAME": "Name", "PHONE": "Phone number",
}

# Recognizers that are language models, by what a reviewer calls them.
MODELS = {"ChatPiiModel": "chat-PII model", "SpacyRecognizer": "language model"}
# Recognizers that are one idea of their own, not a pattern.
PHRASES = {
    "PolicyDenyList": "on your policy's list of terms to redact",
    "AddresseeRecognizer": "a line above an address",
    "ListedNameRecognizer": "listed next to another name",
    "UpstreamMarker": "marked by an earlier redaction",
    "reviewer": "marked by a reviewer",
    "leak_scan": "the export's leak scan: this text is redacted elsewhere",
}
# The chat rules (reviewer.suggest.recognizers) by what they look for; a rule
# not listed reads "pattern".
RULE_WORDS = {
    "openai_key": "an OpenAI key", "anthropic_key": "an Anthropic key",
    "aws_access_key": "an AWS access key", "aws_secret_key": "an AWS secret key",
    "github_token": "a GitHub token", "google_api_key": "a Google API key",
    "slack_token": "a Slack token", "slack_webhook": "a Slack webhook",
    "stripe_key": "a Stripe key", "jwt": "a sign-in token (JWT)",
    "private_key": "a private key block", "assigned_secret": "a password or key given a value",
    "url_password": "a password inside a web address",
    "device_typed_secret": "a password in a device configuration",
    "device_secret": "a password in a device configuration",
    "home_path": "a user name in a home folder path", "handle": "an @handle",
    "url_login": "a login inside a web address", "username_label": "a labelled user name",
    "username_after_cue": "a user name after 'user' or 'login'",
    "social_profile": "a social media profile", "obfuscated_email": "an e-mail written out",
    "street_number_first": "a street address", "street_name_first": "a street address",
    "street_prefix": "a street address", "street_line": "a street address line",
    "unit": "an apartment or suite number", "po_box": "a PO box",
    "military_box": "a military address", "military_post": "a military address",
    "corner": "a street corner", "zip_in_context": "a ZIP code",
    "address_after_cue": "an address after 'address' or 'lives at'",
    "date_of_birth": "a date after 'born' or 'date of birth'",
    "age_years_old": "an age ('… years old')", "age_label": "an age after 'age'",
    "age_after_turn": "an age after 'turned'", "age_of": "an age after 'the age of'",
    "age_after_person": "an age after 'I'm' or 'she is'",
    "postcode_after_cue": "a postcode after 'ZIP' or 'postcode'",
    "city_state_zip": "a city, state and ZIP code",
    "city_province_postcode": "a city, province and postal code",
    "age_of_relative": "an age after a relative ('my son is 12')",
    "age_other_languages": "an age ('35 Jahre', '40 ans', '85살')",
    "card_shaped_near_card": "a card-shaped number near the word 'card'",
    "email_before_particle": "an e-mail address followed by a particle ('…@x.fr로')",
    "app_setting_secret": "a password or key in an application setting",
    "authorization_header": "a token in an Authorization header",
    "braced_secret": "a braced password in a connection string",
    "xml_secret": "a password or key in an XML element",
    "env_service_key": "a service key in an environment variable",
    "flag_secret": "a password or key given on a command line",
    "netrc_password": "a password in a .netrc line",
    "password_named": "a password named in the text",
    "secret_is": "a password after 'password is'",
    "prefixed_token": "a token with its service's prefix",
    "private_key_unended": "a private key block (cut off)",
    "putty_private_key": "a PuTTY private key",
    "query_secret": "a password or key in a query or connection string",
    "remote_login": "a login of a remote shell ('ssh user@host')",
    "username_assigned": "a user name given a value ('user=…')",
    "username_is": "a user name after 'my username is'",
    "number_after_words": "a number after words like 'account number'",
    "number_in_context": "a number after words like 'account' or 'case'",
    "identifier_after_cue": "a code after words like 'booking reference'",
    "title_name": "a name after a title (Mr, Dr …)",
    "introduced_name": "a name after an introduction",
    "labelled_name": "a labelled name ('Name: …')",
    "number_after_cue": "a number after 'call' or 'phone'",
    "number_before_label": "a number before 'mobile' or 'office'",
    "iban_any_case": "an IBAN",
}
# Cues: words in the text that announce a name (reviewer.suggest.recognizers.CUES).
CUE_WORDS = {
    "person_after_strong_cue": "after an introduction such as 'my name is'",
    "person_after_cue": "after words such as 'I am' or 'met'",
    "person_before_cue": "before words such as 'said' or 'asked'",
    "possessive": "before 's",
    "speaker_or_vocative": "a speaker or addressee at the start of a line",
    "place_after_cue": "after words such as 'lives in' or 'moved to'",
    "organisation_after_cue": "after words such as 'works at'",
}
# Recognizers made of regular expressions (Presidio's and the chat rules), known by
# name alone where an alternative records nothing else.
PATTERN_RECOGNIZERS = frozenset({
    "CreditCardRecognizer", "CryptoRecognizer", "DateRecognizer", "EmailRecognizer",
    "IbanRecognizer", "IpRecognizer", "MacAddressRecognizer", "MedicalLicenseRecognizer",
    "NhsRecognizer", "PhoneRecognizer", "UkPostcodeRecognizer", "UrlRecognizer",
    "UsBankRecognizer", "UsItinRecognizer", "UsLicenseRecognizer", "UsPassportRecognizer",
    "UsSsnRecognizer", "ChatSecretRecognizer", "ChatUsernameRecognizer",
    "SocialProfileRecognizer", "ObfuscatedEmailRecognizer", "StreetAddressRecognizer",
    "DateOfBirthRecognizer", "AgeRecognizer", "ContextNumberRecognizer",
    "ContextIdentifierRecognizer", "UsernameCueRecognizer", "ChatNameRecognizer",
    "ContextPhoneRecognizer", "IbanAnyCaseRecognizer", "PostcodeRecognizer",
})
# What a passed validation checked, by recognizer.
CHECKED = {"EmailRecognizer": "checked domain", "UrlRecognizer": "checked domain",
           "IpRecognizer": "checked address"}
# Presidio's phone recognizer names the region whose numbering plan matched.
PHONE_REGION = re.compile(r"as (\w+) region phone number")
# Model and pattern sources first when several agree, in this order.
SOURCE_ORDER = ("chat-PII model", "language model")


class Explainable(Protocol):
    """What ``explain`` reads of a span (a stored ``Span`` or a ``Suggestion``)."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def entity(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def recognizer(self) -> str: ...
    @property
    def origin(self) -> Origin: ...
    @property
    def explanation(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Explanation:
    """Plain sentences for the reviewer, and the raw facts behind them."""

    sentences: tuple[str, ...]
    details: tuple[str, ...]


def explain(span: Explainable) -> Explanation:
    """What found the span and on what evidence, what else it might be, and the raw facts."""
    facts: Mapping[str, Any] = span.explanation if isinstance(span.explanation, Mapping) else {}
    sentences = [_headline(span, facts), *_alternatives(span, facts), *_notes(facts)]
    if not facts and span.origin is Origin.SUGGESTED:
        sentences.append("No details were recorded at analysis.")
    return Explanation(tuple(sentences), tuple(details(facts, span.recognizer)))


def entity_words(entity: str) -> str:
    """PERSON -> "Name"; an entity not in the table from its own name (ZIP_CODE -> "Zip code")."""
    if entity in ENTITY_WORDS:
        return ENTITY_WORDS[entity]
    words = entity.replace("_", " ").strip().lower()
    return words[:1].upper() + words[1:] if words else "Unknown"


def _headline(span: Explainable, facts: Mapping[str, Any]) -> str:
    reason = ", ".join([_why(span, facts), *_evidence(facts)])
    shown = f"{entity_words(span.entity)} ({reason})"
    if span.origin in (Origin.UPSTREAM, Origin.MANUAL):
        return shown  # certain by definition: a score says nothing
    return f"{shown} · {_number(span.score):.2f}"


def _why(span: Explainable, facts: Mapping[str, Any]) -> str:
    recognizer = _text(facts.get("recognizer")) or span.recognizer
    if span.origin is Origin.UPSTREAM or recognizer == "UpstreamMarker":
        marker = _text(facts.get("marker"))
        return f"{PHRASES['UpstreamMarker']}: {marker}" if marker else PHRASES["UpstreamMarker"]
    if span.origin is Origin.MANUAL:
        return PHRASES["reviewer"]
    if recognizer == "ConversationPropagation" or (
            span.origin is Origin.PROPAGATED and recognizer not in PHRASES):
        part = "part of a name " if facts.get("source") == "name_part" else ""
        return f"{part}found elsewhere in this conversation"
    sources = _agreeing(span, facts, recognizer)
    if len(sources) > 1:
        return f"{_joined(sources)} agree"
    return source_words(recognizer, facts)


def source_words(recognizer: str, facts: Mapping[str, Any] | None = None) -> str:
    """Who found it, in words: "language model", "pattern for a GitHub token", ..."""
    facts = facts or {}
    rule = _text(facts.get("pattern_name"))
    if recognizer in MODELS:
        return MODELS[recognizer]
    if recognizer.startswith("policy:"):
        return f"your policy's pattern '{recognizer.removeprefix('policy:')}'"
    if recognizer in PHRASES:
        return PHRASES[recognizer]
    cue = _text(facts.get("cue"))
    if cue:
        return f"after '{cue}'"
    if rule in CUE_WORDS:
        return CUE_WORDS[rule]
    if rule in RULE_WORDS:
        return f"pattern for {RULE_WORDS[rule]}"
    region = PHONE_REGION.search(_text(facts.get("textual_explanation")))
    if region:
        return f"{region.group(1)} phone number format"
    if recognizer == "NameCueRecognizer":
        return "after words that announce a name"
    if rule or facts.get("pattern") or recognizer in PATTERN_RECOGNIZERS:
        return "pattern"
    return f"found by '{_name_words(recognizer)}'" if recognizer else "no recorded source"


def _agreeing(span: Explainable, facts: Mapping[str, Any], recognizer: str) -> list[str]:
    """Independent sources (each model; the rules as one) that found the same entity over
    the same text: the winner's and its alternatives'."""
    found = {MODELS.get(recognizer, "rule"): source_words(recognizer, facts)}
    for other in _alternative_list(facts):
        name = _text(other.get("recognizer"))
        same_place = (other.get("start"), other.get("end")) == (span.start, span.end)
        if name and other.get("entity") == span.entity and same_place:
            found.setdefault(MODELS.get(name, "rule"), source_words(name))
    return sorted(found.values(),
                  key=lambda s: SOURCE_ORDER.index(s) if s in SOURCE_ORDER else len(SOURCE_ORDER))


def _evidence(facts: Mapping[str, Any]) -> list[str]:
    out = []
    checked = facts.get("validation_result")
    if checked is True:
        out.append(CHECKED.get(_text(facts.get("recognizer")), "checked digits"))
    elif checked is False:
        out.append("failed its check")
    word = _text(facts.get("supportive_context_word"))
    if word and _number(facts.get("score_context_improvement")) > 0:
        out.append(f"context word '{word}'")
    return out


def _alternatives(span: Explainable, facts: Mapping[str, Any]) -> list[str]:
    """ "Also possible: IP address (2 places inside)" for other entities over this text."""
    places: dict[str, list[str]] = {}
    for other in _alternative_list(facts):
        entity = _text(other.get("entity"))
        if entity and entity != span.entity:
            places.setdefault(entity, []).append(_place(span, other))
    if not places:
        return []
    return ["Also possible: " + ", ".join(
        _with_places(entity_words(entity), where) for entity, where in places.items()) + "."]


def _place(span: Explainable, other: Mapping[str, Any]) -> str:
    start, end = other.get("start"), other.get("end")
    if not isinstance(start, int) or not isinstance(end, int):
        return "same"
    if (start, end) == (span.start, span.end):
        return "same"
    return "inside" if span.start <= start and end <= span.end else "overlapping"


def _with_places(words: str, where: Sequence[str]) -> str:
    parts = []
    inside = where.count("inside")
    if inside:
        parts.append("inside" if inside == 1 else f"{inside} places inside")
    if "overlapping" in where:
        parts.append("overlapping")
    return f"{words} ({', '.join(parts)})" if parts else words


def _notes(facts: Mapping[str, Any]) -> list[str]:
    out = []
    if facts.get("address_block"):
        out.append("Includes the address lines that follow it.")
    if facts.get("postcode"):
        out.append("Includes the postcode next to it.")
    normalized = _text(facts.get("normalized_text"))
    if normalized:
        out.append(f"Read as '{normalized}' once hidden or look-alike characters are removed.")
    return out


def details(facts: Mapping[str, Any], recognizer: str = "") -> list[str]:
    """The raw facts, one ``key: value`` line each (alternatives one per line)."""
    if not facts:
        return [f"recognizer: {recognizer}", "Nothing else recorded."] if recognizer else [
            "Nothing recorded."]
    listed = ("recognizer", "alternatives") if isinstance(facts.get("alternatives"), list) else (
        "recognizer",)
    first = ["recognizer"] if "recognizer" in facts else []
    lines = [f"{key}: {_raw(facts[key])}"
             for key in [*first, *sorted(k for k in facts if k not in listed)]]
    lines.extend(f"alternative: {_alternative_line(other)}" for other in _alternative_list(facts))
    return lines


def _alternative_line(other: Mapping[str, Any]) -> str:
    """ "PERSON 0.5 by SpacyRecognizer at 0-19", and any other key after it."""
    known = ("entity", "score", "recognizer", "start", "end")
    entity, score, recognizer, start, end = (_raw(other.get(key)) for key in known)
    line = f"{entity} {score} by {recognizer} at {start}-{end}"
    extra = [f"{key} {_raw(value)}" for key, value in other.items() if key not in known]
    return ", ".join([line, *extra])


def _raw(value: Any) -> str:
    if isinstance(value, float):
        return f"{round(value, 4):g}"
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _alternative_list(facts: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = facts.get("alternatives")
    if not isinstance(found, list):
        return []
    return [a for a in found if isinstance(a, Mapping)]


def _joined(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _name_words(name: str) -> str:
    """ "WireGuardKeyRecognizer" -> "wire guard key"; "my_rule" -> "my rule"."""
    name = name.removesuffix("Recognizer")
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|_+|-+|:+", " ", name)
    return " ".join(spaced.split()).lower() or name


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0
