"""Findings that are not personal data, by general rules: machine timestamps and
versions as dates, addresses everyone shares as IPs, pieces of decimal numbers as
phones, service accounts and JSON keys as users, the chat-PII model's e-mails,
links and postcodes without their shape, labels listed after a name.

Each case is written for its rule, not taken from a labelled set.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reviewer.domain.models import Suggestion
from reviewer.suggest.chatmodel import Part, findings
from reviewer.suggest.noise import clean
from reviewer.suggest.policy import load_policy
from reviewer.suggest.recognizers import (
    CUES,
    PERSON_RULES,
    USERNAME_RULES,
    CueRecognizer,
    RegexRecognizer,
)
from reviewer.suggest.service import SuggestionService
from reviewer.suggest.shaping import listed_names, trim_url


@pytest.fixture(scope="module")
def service() -> Iterator[SuggestionService]:
    with SuggestionService(load_policy().policy) as built:
        yield built


def _found(text: str, value: str, entity: str, recognizer: str = "Pattern") -> Suggestion:
    start = text.index(value)
    return Suggestion(start, start + len(value), entity, 0.6, recognizer)


def _cleaned(text: str, value: str, entity: str, recognizer: str = "Pattern") -> list[str]:
    return [text[s.start:s.end] for s in clean(text, [_found(text, value, entity, recognizer)])]


# --- dates ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "value"), [
    ("cron fired at 2031-03-04T08:15:22.481Z and exited", "2031-03-04T08:15:22.481Z"),
    ("last sync 2029-11-30T23:59:01+01:00, nothing since", "2029-11-30T23:59:01+01:00"),
    ("after upgrading pandas 2.1.4 the import fails", "2.1.4"),
    ("Release 3.12.9 is out", "3.12.9"),
])
def test_machine_timestamps_and_versions_are_no_dates(text: str, value: str) -> None:
    assert _cleaned(text, value, "DATE_TIME", "DateRecognizer") == []


@pytest.mark.parametrize(("text", "value"), [
    ("We met on 2031-03-04 at noon", "2031-03-04"),
    ("The hearing is on 3.12.24, please confirm", "3.12.24"),
    ("Termin seit 4.7.25 verschoben", "4.7.25"),
    ("signed 14.02.2030 in Lyon", "14.02.2030"),
])
def test_dates_written_by_people_stay(text: str, value: str) -> None:
    assert _cleaned(text, value, "DATE_TIME", "DateRecognizer") == [value]


def test_a_piece_of_a_timestamp_is_no_number() -> None:
    text = "2031-03-04T08:15:22.481907Z worker done"
    assert _cleaned(text, "22.481907Z", "ID_NUMBER", "ChatPiiModel") == []


# --- numbers and network addresses ---------------------------------------------------------

@pytest.mark.parametrize(("value", "kept"), [
    ("255.255.240.0", False), ("0.0.0.0/0", False), ("127.0.0.1/8", False),
    ("9.9.9.9", False), ("::1", False), ("10.12.0.7", True), ("203.0.113.45", True),
    ("fd12:3456::7", True),
])
def test_addresses_everyone_shares_are_no_ip_of_anyone(value: str, kept: bool) -> None:
    text = f"set {value} on the router"
    assert _cleaned(text, value, "IP_ADDRESS", "IpRecognizer") == ([value] if kept else [])


@pytest.mark.parametrize(("text", "value", "kept"), [
    ("the float is 4412345678.25 exactly", "4412345678", False),
    ("elapsed 1912.4412345678 s", "4412345678", False),
    ("call me on 4412345678.", "4412345678", True),
    ("mask 255.255.255.0 applied", "255.255.255.0", False),
])
def test_a_decimal_number_or_a_dotted_quad_is_no_phone(text: str, value: str,
                                                       kept: bool) -> None:
    assert _cleaned(text, value, "PHONE_NUMBER", "PhoneRecognizer") == ([value] if kept else [])


def test_a_json_key_with_an_at_sign_is_no_user() -> None:
    text = '{"@context": "https://schema.example/", "name": "x"}'
    assert _cleaned(text, "@context", "USERNAME", "ChatUsernameRecognizer") == []


@pytest.mark.parametrize(("text", "users"), [
    ("ssh deploy@10.0.0.5 fails", []),
    ("rsync -a ./ app@files.example.net:/srv", []),
    ("ssh mkowalczyk@10.0.0.5 fails", ["mkowalczyk"]),
    ("the regex [a-z~-]+ matches", []),
    ("see /home/tokafor/notes.txt", ["tokafor"]),
])
def test_service_accounts_and_signs_are_no_user_names(text: str, users: list[str]) -> None:
    recognizer = RegexRecognizer("users", "USERNAME", USERNAME_RULES)
    assert [text[r.start:r.end] for r in recognizer.analyze(text, ["USERNAME"])] == users


def test_an_email_with_a_particle_glued_to_it_is_found(service: SuggestionService) -> None:
    text = "연락은 hana.kim@mail-example.kr로 부탁드립니다"
    found = service.suggest([text])[0]
    assert ("hana.kim@mail-example.kr", "EMAIL_ADDRESS") in [
        (text[s.start:s.end], s.entity) for s in found]


# --- the chat-PII model's findings ---------------------------------------------------------

def _part(text: str, value: str, label: str) -> Part:
    start = text.index(value)
    return Part(start, start + len(value), label, (0.9,))


@pytest.mark.parametrize(("text", "value", "label", "expected"), [
    ("relay: mail.contoso-example.net port 25", "mail.contoso-example.net", "EMAIL", []),
    ("write to ines@contoso-example.net", "ines@contoso-example.net", "EMAIL",
     [("ines@contoso-example.net", "EMAIL_ADDRESS")]),
    ("run rsync -az ./ now", "az", "URL", []),
    ("docs at docs.example.org/guide", "docs.example.org/guide", "URL",
     [("docs.example.org/guide", "URL")]),
    ("the server listens on 0.0.0.0:5432 now", "5432", "ZIP_CODE", []),
    ("port already in use: 3000", "3000", "ZIP_CODE", []),
    ("my ZIP is 90210", "90210", "ZIP_CODE", [("90210", "ADDRESS")]),
    ("ZIP:90210 please", "90210", "ZIP_CODE", [("90210", "ADDRESS")]),
    ("-p 8081:8080", "8080", "ZIP_CODE", []),
    ("counsel at Ortiz & Lund replied", "Ortiz & Lund", "STREET_NAME",
     [("Ortiz & Lund", "ORGANIZATION")]),
    ("we moved to Elm Road", "Elm Road", "STREET_NAME", [("Elm Road", "ADDRESS")]),
])
def test_model_findings_must_have_their_shape(text: str, value: str, label: str,
                                              expected: list[tuple[str, str]]) -> None:
    found = findings(text, [_part(text, value, label)])
    assert [(text[f.start:f.end], f.entity) for f in found] == expected


# --- name cues and lists -------------------------------------------------------------------

@pytest.mark.parametrize(("text", "names"), [
    ("Please return the signed Agreement by Monday", []),
    ("Signed, Marisol Vega", ["Marisol Vega"]),
    ("signed: Marisol Vega", ["Marisol Vega"]),
])
def test_signed_is_a_cue_only_as_a_sign_off(text: str, names: list[str]) -> None:
    recognizer = RegexRecognizer("names", "PERSON", PERSON_RULES)
    found = [text[r.start:r.end] for r in recognizer.analyze(text, ["PERSON"])
             if r.analysis_explanation is not None
             and r.analysis_explanation.pattern_name == "introduced_name"]
    assert found == names


@pytest.mark.parametrize("text", ["Bonjour, je voudrais un rendez-vous",
                                  "Hola, necesito ayuda", "Servus, kurze Frage"])
def test_a_greeting_is_no_vocative(text: str) -> None:
    recognizer = CueRecognizer("cues", CUES, lambda word: False)
    assert recognizer.analyze(text, ["PERSON", "LOCATION", "ORGANIZATION"]) == []


def test_a_label_in_capitals_is_not_listed_as_a_name() -> None:
    text = "Holder: Tendai Moyo, SWIFT: ABCDEF12, Rudo Moyo and Farai"
    person = _found(text, "Tendai Moyo", "PERSON", "ChatPiiModel")
    other = _found(text, "Rudo Moyo", "PERSON", "ChatPiiModel")
    listed = [text[s.start:s.end] for s in listed_names(text, [person, other])]
    assert listed == ["Farai"]


def test_a_url_does_not_end_in_a_backtick() -> None:
    text = "clone `https://git.example.org/team/app.git` first"
    url = _found(text, "https://git.example.org/team/app.git`", "URL")
    trimmed = trim_url(text, url)
    assert text[trimmed.start:trimmed.end] == "https://git.example.org/team/app.git"
