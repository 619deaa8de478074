"""The misses issue 12 lists: ages after turn / age of, postcodes after a cue or next
to a place, cued card and account numbers that fail Luhn, addresses that run into
a line of another kind, URLs with the sentence's punctuation, and names typed as
organisations although a name cue says otherwise.

The chat recognizers run alone here (no language model), their findings shaped
as the service shapes them; a model's findings are given by hand.
"""

from __future__ import annotations

import pytest

from reviewer.domain.models import Suggestion
from reviewer.domain.policy import Policy
from reviewer.suggest.engine import _suggestion
from reviewer.suggest.recognizers import chat_recognizers
from reviewer.suggest.shaping import resolve, shape

ENTITIES = ["AGE", "ADDRESS", "ACCOUNT_NUMBER", "ID_NUMBER", "PERSON", "IP_ADDRESS", "SECRET",
            "USERNAME", "URL", "PHONE_NUMBER"]


def found(text: str, extra: tuple[Suggestion, ...] = ()) -> list[tuple[str, str]]:
    raw = [_suggestion(r) for recognizer in chat_recognizers(Policy())
           for r in recognizer.analyze(text, ENTITIES)]
    return [(text[s.start:s.end], s.entity) for s in shape(text, [*raw, *extra], Policy())]


def model(text: str, value: str, entity: str, recognizer: str = "SpacyRecognizer",
          score: float = 0.5) -> Suggestion:
    start = text.index(value)
    return Suggestion(start, start + len(value), entity, score, recognizer,
                      explanation={"recognizer": recognizer})


@pytest.mark.parametrize(("text", "age"), [
    ("I just turned 42 and my knees know it.", "42"),
    ("I'll turn 81 next spring, can I still renew my licence?", "81"),
    ("My father retired at the age of 68.", "68"),
    ("She is turning 7 in May, ideas for a party?", "7"),
    ("I'm Florian, I'm 34. Can you give me prompts?", "34"),
    ("my kid aksel is 13, allergic to peanuts", "13"),
    ("My son is 2 and was born in March.", "2"),
    ("Ciao, mi chiamo Nour, ho 74 anni.", "74"),
    ("Hola, soy Femke. Tengo 77 años y vivo en Bamberg.", "77"),
    ("Ich bin 35 Jahre alt.", "35"),
    ("저는 윤서연이고 올해 85살입니다.", "85"),
])
def test_ages_after_turn_age_of_and_a_person_are_found(text: str, age: str) -> None:
    assert (age, "AGE") in found(text)


@pytest.mark.parametrize("text", [
    "Turn 90 degrees to the left at the fountain.",
    "I'm 5 minutes away.",
    "I am 100% sure about it.",
    "Turn 3 pages back.",
    "My son is 3 feet tall.",
])
def test_numbers_that_are_no_age_are_not(text: str) -> None:
    assert [value for value, entity in found(text) if entity == "AGE"] == []


@pytest.mark.parametrize(("text", "postcode"), [
    ("ZIP: 1098, the flat is on the third floor.", "1098"),
    ("My postcode is 1098 XH, is that in the city centre?", "1098 XH"),
    ("Postal code: K1A 0B1", "K1A 0B1"),
    ("vive sola en Bamberg (CP 96047). ¿Qué ayudas hay?", "96047"),
    ("returns go to P.O. Box 7785, Halifax, NS B3H 2Y9.", "Halifax, NS B3H 2Y9"),
    ("He lives in Springfield, IL 62704 now.", "Springfield, IL 62704"),
    ("I moved out of 5511 Prairie Smoke Road, Lindgren Falls, MN 55493 on April 30.",
     "Lindgren Falls, MN 55493"),
])
def test_postcodes_after_a_cue_or_a_state_are_found(text: str, postcode: str) -> None:
    assert (postcode, "ADDRESS") in found(text)


@pytest.mark.parametrize(("text", "place", "expected"), [
    ("We stayed with her family in Costamezzana 43015 for the summer.", "Costamezzana",
     "Costamezzana 43015"),
    ("Our office in 75001 Paris closes in May.", "Paris", "75001 Paris"),
    ("the weather in Kochi 682011 in October?", "Kochi", "Kochi 682011"),
    ("the weather in Londrina 86010-190 in October?", "Londrina", "Londrina 86010-190"),
])
def test_a_postcode_next_to_a_place_joins_its_span(text: str, place: str, expected: str) -> None:
    assert (expected, "LOCATION") in found(text, (model(text, place, "LOCATION"),))


def test_a_card_shaped_number_without_a_card_nearby_is_no_account() -> None:
    assert found("Tracking 1Z99 2221 9096 1884 5434 arrives Monday.") == []


def test_a_year_next_to_a_place_stays_apart() -> None:
    text = "In 2024 Paris hosted the games."
    assert ("Paris", "LOCATION") in found(text, (model(text, "Paris", "LOCATION"),))


@pytest.mark.parametrize(("text", "number"), [
    ("my card number 4556 1234 5678 9012 keeps getting declined", "4556 1234 5678 9012"),
    ("the card is 4556-1234-5678-9013, expiry 09/27", "4556-1234-5678-9013"),
    ("transfer it to account 00123456789 please", "00123456789"),
    ("Check the digits of 2221-9096-1884-5434 against the card itself.",
     "2221-9096-1884-5434"),
    ("the payment page shows my card as 2221778685721847 but", "2221778685721847"),
])
def test_cued_digit_runs_that_fail_luhn_are_account_numbers(text: str, number: str) -> None:
    assert (number, "ACCOUNT_NUMBER") in found(text)


SWITCH = ("Review this before I apply it:\n\ninterface Vlan40\n ip address 10.40.0.1 "
          "255.255.255.0\n ip helper-address 10.0.0.5\n!\n")


def test_an_interface_address_is_no_street_address() -> None:
    assert [v for v, entity in found(SWITCH) if entity == "ADDRESS"] == []


def test_an_address_block_stops_at_a_line_of_another_kind() -> None:
    text = "Ship to:\n12 Main Street\nSpringfield\nip helper-address 10.0.0.5\nkey = value\n"
    addresses = [v for v, entity in found(text) if entity == "ADDRESS"]
    assert addresses == ["12 Main Street\nSpringfield"]


@pytest.mark.parametrize(("text", "url"), [
    ("See https://x.org/a, then reply.", "https://x.org/a"),
    ("It moved to https://x.org/a.", "https://x.org/a"),
    ("(details at https://x.org/a)", "https://x.org/a"),
    ("the page https://en.wikipedia.org/wiki/Python_(language) says so",
     "https://en.wikipedia.org/wiki/Python_(language)"),
])
def test_urls_end_before_the_sentence_punctuation(text: str, url: str) -> None:
    start = text.index("https")
    end = start + len(text[start:].split(" ")[0])
    suggestion = Suggestion(start, end, "URL", 0.6, "UrlRecognizer")
    assert (url, "URL") in found(text, (suggestion,))


@pytest.mark.parametrize(("text", "name"), [
    ("Dear Gideon Marchetti-Lowry, I am writing about my deposit.", "Gideon Marchetti-Lowry"),
    ("my name is Halvard Quist and I need a letter", "Halvard Quist"),
    ("Please forward this to Mr. Okonkwo before Friday.", "Mr. Okonkwo"),
])
def test_a_name_cue_makes_a_person_of_an_organisation_guess(text: str, name: str) -> None:
    guess = model(text, name.removeprefix("Mr. "), "ORGANIZATION")
    assert (name, "PERSON") in found(text, (guess,))


def test_given_name_evidence_of_the_chat_model_wins_over_an_organisation_guess() -> None:
    text = "Talk to Ingrid Solvang about it"
    guess = model(text, "Ingrid Solvang", "ORGANIZATION")
    given = model(text, "Ingrid", "PERSON", recognizer="ChatPiiModel", score=0.45)
    (merged,) = resolve([guess, given])
    assert (text[merged.start:merged.end], merged.entity) == ("Ingrid Solvang", "PERSON")


def test_an_organisation_on_the_deny_list_stays_an_organisation() -> None:
    text = "Dear Halvorsen Court Properties,"
    listed = model(text, "Halvorsen Court Properties", "ORGANIZATION", "PolicyDenyList", 1.0)
    (merged,) = resolve([listed, model(text, "Halvorsen", "PERSON", "ChatNameRecognizer")])
    assert merged.entity == "ORGANIZATION"


@pytest.mark.parametrize(("text", "name"), [
    ("2025-02-27T10:56:33Z INFO auth: login ok user=amara.mutasa ip=43.131.36.75",
     "amara.mutasa"),
    ("SSH keeps asking for a password: `ssh qtran95@86.109.126.37 -p 2222`.", "qtran95"),
    ("`rsync -av ./site/ oozturk@99.144.134.55:/var/www/` asks for it", "oozturk"),
    ("My username on the forum is carpentier.apolline and my e-mail is elsewhere.",
     "carpentier.apolline"),
])
def test_user_names_in_logs_and_remote_logins_are_found(text: str, name: str) -> None:
    assert (name, "USERNAME") in found(text)


def test_a_service_login_is_no_user_name() -> None:
    text = "git clone git@github.com:org/repo.git"
    assert [v for v, entity in found(text) if entity == "USERNAME"] == []
