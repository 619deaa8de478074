"""The suggestion service on chat text: evasions, secrets, markers, offsets, fallback."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from reviewer.domain.models import Origin, Status, Suggestion
from reviewer.domain.policy import Policy
from reviewer.suggest import service as service_module
from reviewer.suggest.policy import load_policy
from reviewer.suggest.service import SuggestionService, split_long


@pytest.fixture(scope="module")
def service() -> Iterator[SuggestionService]:
    with SuggestionService(load_policy().policy) as built:
        yield built


def _found(service: SuggestionService, text: str) -> list[tuple[str, str]]:
    return [(text[s.start:s.end], s.entity) for s in service.suggest([text])[0]]


def _covered(service: SuggestionService, text: str, value: str) -> Suggestion:
    start = text.index(value)
    end = start + len(value)
    for s in service.suggest([text])[0]:
        if s.start <= start and end <= s.end:
            return s
    raise AssertionError(f"{value!r} not covered in {text!r}")


EVASIONS = [
    ("zero-width inside an e-mail", "Mail me: ja\u200bne.d\u200doe@exam\u200bple.com",
     "ja\u200bne.d\u200doe@exam\u200bple.com"),
    ("fullwidth at sign", "my address is jane.doe＠example.com ok", "jane.doe＠example.com"),
    ("Cyrillic look-alikes in an e-mail", "write to jаne.dое@exаmple.com", "jаne.dое@exаmple.com"),
    ("name split by a soft hyphen", "Yesterday Mar\u00adgaret Thorn\u00adbury called me.",
     "Mar\u00adgaret Thorn\u00adbury"),
    ("fullwidth digits of a card", "card ４１１１ １１１１ １１１１ １１１１ please",
     "４１１１ １１１１ １１１１ １１１１"),
    ("bidi controls in a phone number", "call me at \u202d+1 212 555 0199\u202c tonight",
     "+1 212 555 0199"),
]


@pytest.mark.parametrize(("case", "text", "value"), EVASIONS, ids=[e[0] for e in EVASIONS])
def test_evasions_are_found_at_exact_original_offsets(
        service: SuggestionService, case: str, text: str, value: str) -> None:
    span = _covered(service, text, value)
    assert text[span.start:span.end].strip("\u202d\u202c ") == value, case


@pytest.mark.parametrize(("text", "value", "entity"), [
    ("key sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z", "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z",
     "SECRET"),
    ("ANTHROPIC_API_KEY=sk-ant-api03-abcdefghijklmnopqrstuvwxyz012345",
     "sk-ant-api03-abcdefghijklmnopqrstuvwxyz012345", "SECRET"),
    ("aws AKIAIOSFODNN7EXAMPLE here", "AKIAIOSFODNN7EXAMPLE", "SECRET"),
    ("token ghp_abcdefghijklmnopqrstuvwxyz0123456789", "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
     "SECRET"),
    ("password: hunter2hunter", "hunter2hunter", "SECRET"),
    ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
     "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
     "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
     "SECRET"),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----",
     "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----", "SECRET"),
    ("see /Users/jdoe/Documents/report.pdf", "jdoe", "USERNAME"),
    (r"at C:\Users\mmueller\AppData", "mmueller", "USERNAME"),
    ("ping @jane_doe42 on it", "@jane_doe42", "USERNAME"),
    ("profile https://www.linkedin.com/in/jane-doe-123 ok", "https://www.linkedin.com/in/jane-doe-123",
     "URL"),
    ("reach jane at example dot com", "jane at example dot com", "EMAIL_ADDRESS"),
    ("server 192.168.10.24 down", "192.168.10.24", "IP_ADDRESS"),
    ("v6 2001:db8:85a3::8a2e:370:7334 too", "2001:db8:85a3::8a2e:370:7334", "IP_ADDRESS"),
    ("mac 00:1A:2B:3C:4D:5E on wifi", "00:1A:2B:3C:4D:5E", "MAC_ADDRESS"),
    ("I was born on 12/03/1984 in Leeds", "12/03/1984", "DATE_OF_BIRTH"),
    ("my account number is 4417-2231-9876", "4417-2231-9876", "ACCOUNT_NUMBER"),
    ("ship it to 221 Baker Street, Apt 2 please", "221 Baker Street, Apt 2", "ADDRESS"),
])
def test_chat_recognizers(service: SuggestionService, text: str, value: str, entity: str) -> None:
    span = _covered(service, text, value)
    assert span.entity == entity


def test_explanation_names_recognizer_and_scores(service: SuggestionService) -> None:
    span = _covered(service, "Please call Dr. Alice Brennan tomorrow.", "Alice Brennan")
    assert span.explanation["recognizer"] == span.recognizer
    assert "original_score" in span.explanation
    assert "score" in span.explanation


def test_upstream_markers_are_approved_and_residual_pii_found(service: SuggestionService) -> None:
    text = "[REDACTED] met <PERSON_1> and {{EMAIL}}; ███ said bob@example.org, pw ***"
    found = service.suggest([text])[0]
    markers = [(text[s.start:s.end], s.entity) for s in found if s.origin is Origin.UPSTREAM]
    assert markers == [("[REDACTED]", "REDACTED"), ("<PERSON_1>", "PERSON"),
                       ("{{EMAIL}}", "EMAIL"), ("███", "REDACTED"), ("***", "REDACTED")]
    assert all(s.status is Status.APPROVED for s in found if s.origin is Origin.UPSTREAM)
    assert ("bob@example.org", "EMAIL_ADDRESS") in _found(service, text)


def test_markdown_rule_is_not_a_marker(service: SuggestionService) -> None:
    assert all(entity != "REDACTED" for _, entity in _found(service, "Intro\n***\nMore text"))


def test_repeated_texts_hit_the_cache(service: SuggestionService) -> None:
    before = service.cache_hits
    text = "You are a helpful assistant. Contact: support@example.org"
    first, second = service.suggest([text, text])
    assert first == second
    assert service.cache_hits == before + 1


def test_a_full_cache_keeps_the_batch_it_is_cleared_in(
        service: SuggestionService, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = "Mail jane@example.com"
    expected = service.suggest([seen])[0]
    monkeypatch.setattr(service_module, "CACHE_LIMIT", len(service.cache))
    found = service.suggest([seen, "Call bob@example.org"])
    assert found[0] == expected
    assert [s.entity for s in found[1]] == ["EMAIL_ADDRESS"]


def test_overlaps_are_resolved_per_text(service: SuggestionService) -> None:
    text = "Dr. Alice Brennan, 42 Elm Street, Boston, alice@brennan.io, +1 617 555 0100"
    found = service.suggest([text])[0]
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))


def test_without_a_pipeline_analysis_runs_on_patterns_only() -> None:
    with SuggestionService(Policy(spacy_model="no_such_pipeline_xx")) as fallback:
        assert fallback.pattern_only
        found = fallback.suggest(["Mail Jane Doe at jane@example.com"])[0]
    assert [s.entity for s in found] == ["EMAIL_ADDRESS"]


@pytest.mark.slow
def test_two_workers_find_the_same_as_one(service: SuggestionService) -> None:
    texts = [f"Message {i}: call Sarah Connor at +1 212 555 01{i % 90 + 10}" for i in range(120)]
    with SuggestionService(load_policy().policy, workers=2) as pooled:
        assert pooled.suggest(texts) == service.suggest(texts)


def test_long_texts_are_analysed_in_pieces_at_line_ends() -> None:
    # The pieces are cut by the service whatever finds the spans: patterns are enough to
    # see both addresses found at their places (the full pipeline took 45 s on this).
    pattern_only = Policy(spacy_model="no_such_pipeline_xx", chat_model="none")
    filler = "nothing to see in this line at all\n" * 3500
    text = filler + "Mail me at jane.doe@example.com\n" + filler + "or bob@example.org"
    with SuggestionService(pattern_only) as service:
        found = [(text[s.start:s.end], s.entity) for s in service.suggest([text])[0]]
    assert ("jane.doe@example.com", "EMAIL_ADDRESS") in found
    assert ("bob@example.org", "EMAIL_ADDRESS") in found


def test_split_long_keeps_every_character() -> None:
    text = "".join(f"line {i}\n" for i in range(5000))
    pieces = list(split_long(text, limit=1000))
    assert "".join(piece for _, piece in pieces) == text
    assert all(len(piece) <= 1000 for _, piece in pieces)
    assert all(text[offset:offset + len(piece)] == piece for offset, piece in pieces)
