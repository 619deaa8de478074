"""Shapes a guessed name never has (``reviewer.suggest.names``), whoever guessed it.

Each case is written for the rule, not taken from a labelled set.
"""

from __future__ import annotations

import pytest

from reviewer.domain.models import Suggestion
from reviewer.suggest.names import never_a_name, reshape_names


def _guess(text: str, value: str, entity: str = "PERSON",
           recognizer: str = "SpacyRecognizer") -> Suggestion:
    start = text.index(value)
    return Suggestion(start, start + len(value), entity, 0.5, recognizer)


def _kept(text: str, *guesses: Suggestion) -> list[tuple[str, str]]:
    return [(text[s.start:s.end], s.entity) for s in reshape_names(text, list(guesses))]


@pytest.mark.parametrize(("text", "value", "entity"), [
    ("Open sshd_config.Match and change it", "Match", "PERSON"),       # an attribute
    ("the value of cfg.Timeout is wrong", "Timeout", "PERSON"),
    ("we pinned Flask 2.3.3 in the lockfile", "Flask", "ORGANIZATION"),  # a version after it
    ("Then HomeAssistant restarts on its own", "HomeAssistant", "LOCATION"),  # camel case
    ("installed vue@3.4.21 yesterday", "vue@3.4.21", "ORGANIZATION"),  # a version inside
    ("the PDF came as a ZIP archive", "ZIP", "PERSON"),                 # an acronym
    ("Write the date as DD-MM-YYYY please", "DD-MM-YYYY", "PERSON"),
    ("She was promoted to Senior Engineer last year", "Senior Engineer", "PERSON"),  # a title
    ("Thank you, Professor, for the notes", "Professor", "PERSON"),
    ("Hallo, ich habe eine Frage", "Hallo", "PERSON"),                  # a greeting
    ("Ciao! Come stai?", "Ciao", "PERSON"),
    ("Ticket Anna2 was closed", "Anna2", "PERSON"),                     # a digit in a name
])
def test_shapes_no_name_has_are_dropped(text: str, value: str, entity: str) -> None:
    assert _kept(text, _guess(text, value, entity)) == []


@pytest.mark.parametrize(("text", "value", "entity"), [
    ("Ask J.Morales about the invoice", "Morales", "PERSON"),      # an initial is not code
    ("Call Anna.Thanks for the help", "Anna", "PERSON"),           # a missing space
    ("saved as okafor_notes.txt", "okafor", "PERSON"),             # a file named after someone
    ("see tendai.moyo.pdf", "tendai", "PERSON"),
    ("I met Angus MacDonald at the fair", "Angus MacDonald", "PERSON"),
    ("My neighbour Keisha DeShawn called", "Keisha DeShawn", "PERSON"),
    ("She studied at UCLA in 2010", "UCLA", "ORGANIZATION"),       # acronyms can be employers
    ("Send it to Moana Kealoha, Paris office", "Moana Kealoha", "PERSON"),
    ("JANE OKAFOR SIGNED HERE", "JANE", "PERSON"),                  # a text in capitals
    ("Ask J.R. about the keys", "J.R.", "PERSON"),                  # initials
])
def test_names_of_ordinary_shape_stay(text: str, value: str, entity: str) -> None:
    assert _kept(text, _guess(text, value, entity)) == [(value, entity)]


def test_a_cue_vouches_for_a_camel_case_word_the_models_do_not() -> None:
    text = "She works at BlackRock now"
    cue = _guess(text, "BlackRock", "ORGANIZATION", "NameCueRecognizer")
    model = _guess(text, "BlackRock", "ORGANIZATION", "SpacyRecognizer")
    assert never_a_name(text, cue) is False
    assert never_a_name(text, model) is True


@pytest.mark.parametrize(("text", "value", "expected"), [
    ("I spoke with Ngaio Ferris at the clinic", "Ngaio Ferris at", ["Ngaio Ferris"]),
    ("a letter from the Royal Mint", "the Royal Mint", ["Royal Mint"]),
    ("it was Bosnia and", "Bosnia and", ["Bosnia"]),
    ("Hallo Tomasz, wie geht's?", "Hallo Tomasz", ["Tomasz"]),  # a greeting before a name
    ("연락은 Minji Park 씨에게", "연락은 Minji Park 씨에게", ["Minji Park"]),  # uncased neighbours
    ("저는 김민지 입니다", "김민지", ["김민지"]),  # a name in Hangul alone stays
])
def test_function_words_and_greetings_at_the_edges_are_trimmed(
        text: str, value: str, expected: list[str]) -> None:
    found = _guess(text, value, recognizer="ChatPiiModel")
    assert [v for v, _ in _kept(text, found)] == expected


@pytest.mark.parametrize(("text", "value", "expected"), [
    ("Cited: Okafor v. Brightline Freight (2019)", "Okafor v. Brightline Freight",
     ["Okafor", "Brightline Freight"]),
    ("Roe vs Wade", "Roe vs Wade", ["Roe", "Wade"]),
    ("T. Mbeki - Head of Legal - Ortiz & Lund | Profiles",
     "T. Mbeki - Head of Legal - Ortiz & Lund", ["T. Mbeki", "Head of Legal", "Ortiz & Lund"]),
])
def test_a_span_across_a_case_name_or_title_separator_is_cut(
        text: str, value: str, expected: list[str]) -> None:
    assert [v for v, _ in _kept(text, _guess(text, value, "ORGANIZATION"))] == expected


def test_a_title_alone_is_cut_out_of_a_page_title_person() -> None:
    text = "M. Osei - Senior Counsel - Ortiz & Lund"
    assert [v for v, _ in _kept(text, _guess(text, text))] == ["M. Osei", "Ortiz & Lund"]


def test_patterns_and_address_lines_are_left_alone() -> None:
    text = "Senior Counsel\n12 Harbour Road"
    addressee = _guess(text, "Senior Counsel", "PERSON", "AddresseeRecognizer")
    email = _guess(text, "12 Harbour Road", "ADDRESS", "StreetAddressRecognizer")
    assert reshape_names(text, [addressee, email]) == [addressee, email]
