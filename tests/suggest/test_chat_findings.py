"""Chat findings the demo matter exposed: credentials in config, identifiers in context,
user names after their cue, and model noise (code, doses, ragged dates)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reviewer.domain.models import Suggestion
from reviewer.suggest.noise import clean
from reviewer.suggest.policy import load_policy
from reviewer.suggest.service import SuggestionService


@pytest.fixture(scope="module")
def service() -> Iterator[SuggestionService]:
    with SuggestionService(load_policy().policy) as built:
        yield built


def _spans(service: SuggestionService, text: str) -> list[tuple[str, str]]:
    return [(text[s.start:s.end], s.entity) for s in service.suggest([text])[0]]


def _covering(service: SuggestionService, text: str, value: str) -> tuple[str, str]:
    start = text.index(value)
    for s in service.suggest([text])[0]:
        if s.start <= start and start + len(value) <= s.end:
            return text[s.start:s.end], s.entity
    raise AssertionError(f"{value!r} not covered in {text!r}")


CREDENTIALS = [
    ("compose environment key ending in _PASSWORD",
     "my compose file:\n  db:\n    environment:\n      MYSQL_ROOT_PASSWORD: Wint3r-Harbour-91\n",
     "Wint3r-Harbour-91"),
    ("env var ending in _PASS", "export SMTP_PASS=lilac-Meadow-204 before running it",
     "lilac-Meadow-204"),
    ("password in a database URL",
     "DATABASE_URL=postgres://billing:s3cr3t-Lantern@db.internal:5432/billing fails to connect",
     "s3cr3t-Lantern"),
    ("password in a URL with an IP host", "use mysql://shop:Pa55word!x@10.1.2.3/shop for now",
     "Pa55word!x"),
    ("typed secret in a switch config", "!\nusername ops privilege 15 secret 0 Qu1ckFox-77\n!",
     "Qu1ckFox-77"),
    ("enable secret", "hostname core-sw2\nenable secret 5 $1$kR2d$Vq8mWw1eQm0z3nX9cY1p7.\n",
     "$1$kR2d$Vq8mWw1eQm0z3nX9cY1p7."),
    ("type 7 line password", "line vty 0 4\n password 7 094F471A1A0A\n login\n", "094F471A1A0A"),
]


@pytest.mark.parametrize(("case", "text", "value"), CREDENTIALS, ids=[c[0] for c in CREDENTIALS])
def test_credentials_in_config_are_secret_spans_of_just_the_value(
        service: SuggestionService, case: str, text: str, value: str) -> None:
    assert (value, "SECRET") in _spans(service, text), case


def test_token_in_a_url_login_is_a_secret_not_an_email(service: SuggestionService) -> None:
    token = "ghp_" + "Q7w2E9r4T1y6U3i8O5p0A2s7D4f9G1h6J3k8"
    text = f"push fails with https://mira-dev:{token}@github.com/mira-dev/garden.git, why?"
    found = _spans(service, text)
    assert (token, "SECRET") in found
    assert not [value for value, entity in found if entity == "EMAIL_ADDRESS"]
    assert ("mira-dev", "USERNAME") in found


@pytest.mark.parametrize(("text", "value"), [
    ("The bank wants my account number, it's 4471 2290 8153, and my date of birth.",
     "4471 2290 8153"),
    ("Case number (on the letter from the court): 2209-118-5567. What do I answer?",
     "2209-118-5567"),
    ("the claim number they gave me over the phone is 77310 4402", "77310 4402"),
])
def test_numbers_a_few_words_after_their_cue_are_found(
        service: SuggestionService, text: str, value: str) -> None:
    assert _covering(service, text, value)[1] == "ACCOUNT_NUMBER"


@pytest.mark.parametrize(("text", "value"), [
    ("Can't sign in. Username tomasvq, and it says the password expired.", "tomasvq"),
    ("my login is rdelacroix42 on the staff portal", "rdelacroix42"),
    ("try it as user b.okonkwo on the build server", "b.okonkwo"),
])
def test_user_names_after_their_cue_are_found(
        service: SuggestionService, text: str, value: str) -> None:
    assert (value, "USERNAME") in _spans(service, text)


def test_ordinary_words_after_user_cues_are_no_user_names(service: SuggestionService) -> None:
    text = "When the user clicks Save the login fails and the username field turns red."
    assert not [value for value, entity in _spans(service, text) if entity == "USERNAME"]


@pytest.mark.parametrize(("text", "value"), [
    ("Renewing abroad: my passport number is 18FK30271, issued in Lyon.", "18FK30271"),
    ("The airline confirmation code ZK4P9R doesn't show in the app.", "ZK4P9R"),
    ("The other car's licence plate: 5GHN-218, a grey hatchback.", "5GHN-218"),
    ("Warranty claim for my drill (serial number SN-4410-88213), bought last spring.",
     "SN-4410-88213"),
    ("Hotel booking ref 4471902 for two nights.", "4471902"),
])
def test_identifiers_after_their_cue_are_found(
        service: SuggestionService, text: str, value: str) -> None:
    # A purely numeric reference may also read as an account number.
    assert _covering(service, text, value) in ((value, "ID_NUMBER"), (value, "ACCOUNT_NUMBER"))


def test_words_after_identifier_cues_are_no_identifiers(service: SuggestionService) -> None:
    text = "Please reference SECTION 4 of the booking terms; the serial port is COM3."
    assert not [v for v, entity in _spans(service, text) if entity == "ID_NUMBER"]


def test_code_and_doses_are_not_names(service: SuggestionService) -> None:
    text = ("Here is my script:\n```python\nimport numpy as np\nimport pandas as pd\n"
            "DB_HOST = os.environ['DB_HOST']\nSTRIPE_WEBHOOK_SECRET = load()\n```\n"
            "Also my chart:\n| 08:00 | Metoprolol | 25 mg |\n| 20:00 | Simvastatin | 40 mg |\n")
    names = [v for v, e in _spans(service, text) if e in ("PERSON", "ORGANIZATION", "LOCATION")]
    assert names == []


def _guess(text: str, value: str, entity: str = "PERSON",
           recognizer: str = "SpacyRecognizer") -> Suggestion:
    start = text.index(value)
    return Suggestion(start=start, end=start + len(value), entity=entity, score=0.5,
                      recognizer=recognizer)


@pytest.mark.parametrize(("text", "value", "entity"), [
    ("set POSTGRES_PASSWORD first", "POSTGRES_PASSWORD", "PERSON"),
    ("the df = pd.read_csv(path) line", "pd.read_csv(path", "LOCATION"),
    ("boto3 says NoCredentialsError", "boto3", "PERSON"),
    ("interface Vlan40 is down", "interface Vlan40", "PERSON"),
    ("see getUserName in the module", "getUserName", "ORGANIZATION"),
    ("we use `requests` for it", "requests", "ORGANIZATION"),
    ("| Warfarin | 3 mg |", "Warfarin", "PERSON"),
    ("DOB: 3 May 1990", "DOB", "ORGANIZATION"),
])
def test_identifier_shaped_guesses_are_dropped(text: str, value: str, entity: str) -> None:
    assert clean(text, [_guess(text, value, entity)]) == []


def test_identifier_filter_leaves_names_and_patterns_alone() -> None:
    text = "Ms Anne-Marie O'Neill of Studio54 wrote about STRIPE_KEY"
    name = _guess(text, "Anne-Marie O'Neill")
    company = _guess(text, "Studio54", "ORGANIZATION")
    pattern = _guess(text, "STRIPE_KEY", "SECRET", "ChatSecretRecognizer")
    assert clean(text, [name, company, pattern]) == [name, company, pattern]


def test_model_entities_lose_quotes_colons_and_line_breaks() -> None:
    text = "the hearing moved to '12 October':\n\nbring the file"
    date = _guess(text, "12 October':\n\n", "DATE_TIME")
    [trimmed] = clean(text, [date])
    assert text[trimmed.start:trimmed.end] == "12 October"
    block = "Send it to:\nHarriet Voss\nQuarry Row Holdings\nPhone: 555 0100"
    person = _guess(block, "Harriet Voss\nQuarry Row Holdings\nPhone")
    lines = [block[s.start:s.end] for s in clean(block, [person])]
    assert lines == ["Harriet Voss", "Quarry Row Holdings"]
    bullet = "Guests:\n- Tomasz Ilve\n"
    [name] = clean(bullet, [_guess(bullet, "- Tomasz Ilve")])
    assert bullet[name.start:name.end] == "Tomasz Ilve"


def test_a_date_shaped_like_a_phone_number_becomes_a_phone() -> None:
    text = "ring the office on 0161 496 0872 after lunch"
    [phone] = clean(text, [_guess(text, "0161 496 0872", "DATE_TIME")])
    assert phone.entity == "PHONE_NUMBER"
    dated = "filed 2024-03-11 09:15"
    assert clean(dated, [_guess(dated, "2024-03-11 09:15", "DATE_TIME")])[0].entity == "DATE_TIME"


def test_attribute_calls_are_no_web_addresses(service: SuggestionService) -> None:
    text = "df = pd.read_csv(path)\nout.to_csv('clean.csv')\nsee https://pandas.pydata.org too"
    urls = [v for v, entity in _spans(service, text) if entity == "URL"]
    assert urls == ["https://pandas.pydata.org"]


def test_no_name_span_runs_across_lines_of_an_address_block(service: SuggestionService) -> None:
    text = ("Please post the form to:\nOrla Fenwick\nBrightwater Tiles Ltd\n"
            "27 Kestrel Lane\nHarrowgate, HG4 2PL\nPhone: 01632 960 114\nThanks!")
    found = service.suggest([text])[0]
    for s in found:
        if s.entity in ("PERSON", "ORGANIZATION", "LOCATION", "DATE_TIME"):
            assert "\n" not in text[s.start:s.end], (s.entity, text[s.start:s.end])
    _covering(service, text, "Orla Fenwick")
    _covering(service, text, "27 Kestrel Lane")
