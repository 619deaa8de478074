"""Plain explanations of a span's stored explanation, one kind of source at a time."""

from __future__ import annotations

from typing import Any

import pytest

from reviewer.domain.explain import Explanation, details, entity_words, explain
from reviewer.domain.models import Origin, Suggestion

EMAIL = {
    "recognizer": "EmailRecognizer", "pattern_name": "Email (Medium)",
    "pattern": r"\b((([!#$%&'*+\-/=?^_`{|}~\w])|([!#$%&'*+\-/=?^_`{|}~\w][!#$%&'*+\-/=?^_`"
               r"{|}~\.\w]{0,}[!#$%&'*+\-/=?^_`{|}~\w]))[@]\w+([-.]\w+)*\.\w+([-.]\w+)*)\b",
    "original_score": 0.5, "score": 1.0, "score_context_improvement": 0,
    "supportive_context_word": "", "validation_result": True, "regex_flags": 26,
    "textual_explanation": "Detected by `EmailRecognizer` using pattern `Email (Medium)`",
}
PHONE = {
    "recognizer": "PhoneRecognizer", "original_score": 0.4, "score": 0.75,
    "score_context_improvement": 0.35, "supportive_context_word": "call",
    "textual_explanation": "Recognized as US region phone number, using PhoneRecognizer",
}
SPACY = {
    "recognizer": "SpacyRecognizer", "original_score": 0.5, "score": 0.5,
    "score_context_improvement": 0, "supportive_context_word": "",
    "textual_explanation": "Identified as PERSON by Spacy's Named Entity Recognition",
}
CHAT_MODEL = {"recognizer": "ChatPiiModel", "model": "rampart",
              "labels": ["GIVENNAME", "SURNAME"], "original_score": 0.93}


def said(explanation: dict[str, Any], entity: str = "PERSON", score: float = 0.5,
         origin: Origin = Origin.SUGGESTED, start: int = 10, end: int = 20,
         recognizer: str | None = None) -> Explanation:
    name = recognizer if recognizer is not None else str(explanation.get("recognizer", ""))
    return explain(Suggestion(start=start, end=end, entity=entity, score=score,
                              recognizer=name, origin=origin, explanation=explanation))


def other(entity: str, recognizer: str, start: int = 10, end: int = 20,
          score: float = 0.5) -> dict[str, Any]:
    return {"entity": entity, "score": score, "recognizer": recognizer,
            "start": start, "end": end}


def test_pattern_with_a_checked_domain() -> None:
    shown = said(EMAIL, "EMAIL_ADDRESS", 1.0)
    assert shown.sentences == ("E-mail address (pattern, checked domain) · 1.00",)
    assert f"pattern: {EMAIL['pattern']}" in shown.details


def test_pattern_with_checked_digits_and_a_failed_check() -> None:
    card = {"recognizer": "CreditCardRecognizer", "pattern_name": "All Credit Cards (weak)",
            "pattern": r"\b\d{16}\b", "validation_result": True}
    assert said(card, "CREDIT_CARD", 1.0).sentences[0] == (
        "Card number (pattern, checked digits) · 1.00")
    failed = {**card, "validation_result": False}
    assert said(failed, "CREDIT_CARD", 0.3).sentences[0] == (
        "Card number (pattern, failed its check) · 0.30")


def test_a_context_word_that_raised_the_score_is_named() -> None:
    assert said(PHONE, "PHONE_NUMBER", 0.75).sentences == (
        "Phone number (US phone number format, context word 'call') · 0.75",)


def test_a_context_word_that_changed_nothing_is_not_named() -> None:
    unused = {**PHONE, "score_context_improvement": 0, "supportive_context_word": "call"}
    assert "call" not in said(unused, "PHONE_NUMBER", 0.4).sentences[0]


def test_a_chat_rule_is_named_by_what_it_looks_for() -> None:
    secret = {"recognizer": "ChatSecretRecognizer", "pattern_name": "github_token",
              "pattern": r"\bghp_[A-Za-z0-9]{36,}", "original_score": 0.95, "score": 1.0,
              "score_context_improvement": 0.050000000000000044,
              "supportive_context_word": "token"}
    shown = said(secret, "SECRET", 1.0)
    assert shown.sentences == (
        "Password or key (pattern for a GitHub token, context word 'token') · 1.00",)
    assert "score_context_improvement: 0.05" in shown.details


def test_a_cue_reads_as_the_words_before_the_name() -> None:
    cue = {"recognizer": "NameCueRecognizer", "pattern_name": "person_after_strong_cue",
           "pattern": "(?i:\\b(?:my name is|name is|call(?:s|ed)? me))[ \\t]+(?P<value>...)",
           "original_score": 0.5, "score": 0.5}
    assert said(cue).sentences == ("Name (after an introduction such as 'my name is') · 0.50",)
    assert said({**cue, "cue": "call me"}).sentences == ("Name (after 'call me') · 0.50",)
    unknown_cue = {**cue, "pattern_name": "person_after_a_new_cue"}
    assert said(unknown_cue).sentences == ("Name (after words that announce a name) · 0.50",)


def test_the_language_model() -> None:
    shown = said(SPACY)
    assert shown.sentences == ("Name (language model) · 0.50",)
    assert "recognizer: SpacyRecognizer" in shown.details


def test_the_chat_pii_model() -> None:
    shown = said(CHAT_MODEL, score=0.93)
    assert shown.sentences == ("Name (chat-PII model) · 0.93",)
    assert 'labels: ["GIVENNAME", "SURNAME"]' in shown.details


@pytest.mark.parametrize(("best", "runner_up"), [
    (CHAT_MODEL, "SpacyRecognizer"), (SPACY, "ChatPiiModel")])
def test_both_models_agree_whichever_won(best: dict[str, Any], runner_up: str) -> None:
    facts = {**best, "alternatives": [other("PERSON", runner_up)]}
    assert said(facts, score=0.93).sentences == (
        "Name (chat-PII model and language model agree) · 0.93",)


def test_models_do_not_agree_on_other_text_or_another_entity() -> None:
    elsewhere = {**CHAT_MODEL, "alternatives": [other("PERSON", "SpacyRecognizer", 10, 14)]}
    assert said(elsewhere, score=0.9).sentences == ("Name (chat-PII model) · 0.90",)
    organisation = {**CHAT_MODEL, "alternatives": [other("ORGANIZATION", "SpacyRecognizer")]}
    assert said(organisation, score=0.9).sentences == (
        "Name (chat-PII model) · 0.90", "Also possible: Organisation.")


def test_a_pattern_and_a_model_agree_but_two_patterns_are_one_source() -> None:
    title = {"recognizer": "ChatNameRecognizer", "pattern_name": "title_name", "pattern": "x"}
    with_model = {**title, "alternatives": [other("PERSON", "SpacyRecognizer")]}
    assert said(with_model, score=0.6).sentences[0] == (
        "Name (language model and pattern for a name after a title (Mr, Dr …) agree) · 0.60")
    with_pattern = {**title, "alternatives": [other("PERSON", "NameCueRecognizer")]}
    assert said(with_pattern, score=0.6).sentences[0] == (
        "Name (pattern for a name after a title (Mr, Dr …)) · 0.60")


def test_propagated_from_elsewhere_in_the_conversation() -> None:
    facts = {"recognizer": "ConversationPropagation", "score": 0.6, "source": "entity",
             "textual_explanation": "found elsewhere in this conversation"}
    assert said(facts, score=0.6, origin=Origin.PROPAGATED).sentences == (
        "Name (found elsewhere in this conversation) · 0.60",)
    part = {**facts, "source": "name_part"}
    assert said(part, score=0.6, origin=Origin.PROPAGATED).sentences == (
        "Name (part of a name found elsewhere in this conversation) · 0.60",)


def test_a_leak_found_at_export_is_not_called_propagation() -> None:
    facts = {"why": "the same text is redacted elsewhere; found by the export's leak scan"}
    shown = said(facts, score=1.0, origin=Origin.PROPAGATED, recognizer="leak_scan")
    assert shown.sentences == (
        "Name (the export's leak scan: this text is redacted elsewhere) · 1.00",)
    assert shown.details == (f"why: {facts['why']}",)


def test_an_upstream_marker_has_no_score() -> None:
    facts = {"recognizer": "UpstreamMarker", "pattern_name": "bracketed", "score": 1.0,
             "pattern": r"\[(?:REDACTED|REMOVED)\]", "marker": "[REDACTED]"}
    shown = said(facts, "REDACTED", 1.0, Origin.UPSTREAM, recognizer="upstream:bracketed")
    assert shown.sentences == ("Redacted text (marked by an earlier redaction: [REDACTED])",)
    assert r"pattern: \[(?:REDACTED|REMOVED)\]" in shown.details


def test_the_policys_own_pattern_and_deny_term() -> None:
    pattern = {"recognizer": "policy:employee_id", "pattern_name": "employee_id",
               "pattern": r"\bEMP-\d{6}\b", "original_score": 0.8, "score": 0.8}
    shown = said(pattern, "ACCOUNT_NUMBER", 0.8)
    assert shown.sentences == (
        "Account or reference number (your policy's pattern 'employee_id') · 0.80",)
    assert r"pattern: \bEMP-\d{6}\b" in shown.details
    deny = {"recognizer": "PolicyDenyList", "score": 1.0,
            "textual_explanation": "term on the policy's deny list"}
    assert said(deny, "ORGANIZATION", 1.0).sentences == (
        "Organisation (on your policy's list of terms to redact) · 1.00",)


def test_alternatives_of_other_entities_are_counted_by_place() -> None:
    facts = {"recognizer": "StreetAddressRecognizer", "pattern_name": "address_after_cue",
             "pattern": "x", "address_block": True, "alternatives": [
                 other("IP_ADDRESS", "IpRecognizer", 12, 20),
                 other("IP_ADDRESS", "IpRecognizer", 22, 30),
                 other("PHONE_NUMBER", "PhoneRecognizer", 40, 70),
                 other("ADDRESS", "StreetAddressRecognizer", 30, 50)]}
    shown = said(facts, "ADDRESS", 0.95, start=10, end=60)
    assert shown.sentences[1:] == (
        "Also possible: IP address (2 places inside), Phone number (overlapping).",
        "Includes the address lines that follow it.")
    assert "alternative: IP_ADDRESS 0.5 by IpRecognizer at 12-20" in shown.details
    assert sum(line.startswith("alternative: ") for line in shown.details) == 4


def test_a_place_that_took_its_postcode_says_so() -> None:
    facts = {**SPACY, "postcode": True}
    assert said(facts, "LOCATION").sentences == (
        "Place (language model) · 0.50", "Includes the postcode next to it.")


def test_text_read_through_hidden_characters_is_shown_as_read() -> None:
    facts = {**EMAIL, "normalized_text": "t.wren@example.net"}
    assert said(facts, "EMAIL_ADDRESS", 1.0).sentences[1] == (
        "Read as 't.wren@example.net' once hidden or look-alike characters are removed.")


def test_an_unknown_recognizer_is_named_from_its_name() -> None:
    assert said({"recognizer": "WireGuardKeyRecognizer"}, "SECRET", 0.9).sentences == (
        "Password or key (found by 'wire guard key') · 0.90",)
    with_rule = {"recognizer": "WireGuardKeyRecognizer", "pattern_name": "private_key_line",
                 "pattern": "PrivateKey = (?P<value>.+)"}
    assert said(with_rule, "SECRET", 0.9).sentences == ("Password or key (pattern) · 0.90",)


def test_an_unknown_entity_reads_from_its_own_name() -> None:
    assert entity_words("ZIP_CODE") == "Zip code"
    assert entity_words("PERSON") == "Name"
    assert entity_words("") == "Unknown"


def test_an_empty_explanation() -> None:
    shown = said({}, recognizer="SpacyRecognizer")
    assert shown.sentences == ("Name (language model) · 0.50",
                               "No details were recorded at analysis.")
    assert shown.details == ("recognizer: SpacyRecognizer", "Nothing else recorded.")
    nothing = said({}, recognizer="")
    assert nothing.sentences[0] == "Name (no recorded source) · 0.50"
    assert nothing.details == ("Nothing recorded.",)


def test_a_reviewers_own_span() -> None:
    shown = said({}, score=1.0, origin=Origin.MANUAL, recognizer="reviewer")
    assert shown.sentences == ("Name (marked by a reviewer)",)


def test_malformed_facts_never_raise() -> None:
    facts: dict[str, Any] = {"recognizer": 7, "score_context_improvement": "high",
                             "supportive_context_word": ["call"], "validation_result": "yes",
                             "alternatives": ["IP_ADDRESS", {"entity": None},
                                              {"entity": "URL", "start": "a"}]}
    shown = said(facts, recognizer="Mystery")
    assert shown.sentences == ("Name (found by 'mystery') · 0.50", "Also possible: Web address.")
    assert details({"alternatives": "none"}) == ["alternatives: none"]
