"""Code, tool output and tables: no name guesses there, patterns still found.

The texts are shaped like what assistants and tools write: fenced and
indented code, log lines, stack traces, tool JSON, YAML, Markdown tables and
spreadsheet formulas.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reviewer.domain.models import Suggestion
from reviewer.suggest.codetext import code_map
from reviewer.suggest.markers import find_markers
from reviewer.suggest.noise import clean
from reviewer.suggest.policy import load_policy
from reviewer.suggest.service import SuggestionService

NAMES = {"PERSON", "ORGANIZATION", "LOCATION", "NRP"}

PYTHON = '''Here is my script, it fails:

```python
import logging
logger = logging.getLogger(__name__)

class Create(Exception):
    pass

def load(path="/home/jdoe/data/report.csv", verbose=False):
    logger.info("loading %s", path)
    if verbose is False:
        raise Exception("Create failed for admin@corp-example.com")
    return connect(host="10.20.30.40", password="hunter2hunter2")
```
Can you help?'''

INDENTED = '''The config is:

    DEBUG = False
    ALLOWED_HOSTS = ["api.internal", "10.1.2.3"]
    logger.info("Server started")
    Exception handler: Create, Update, Delete

Thanks'''

LOGS = '''2024-03-01 12:00:01.123456 INFO  [main] logger.info Started worker pid=4242
2024-03-01 12:00:02.654321 ERROR [db] Connection refused to 192.168.1.20:5432
2024-03-01 12:00:03.000001 WARN  [auth] Login failed for mary.major@example.org
1709294403123456 DEBUG P.O. box handler False'''

TRACE = '''Traceback (most recent call last):
  File "/home/jdoe/project/app/main.py", line 42, in <module>
    Create.run(False)
  File "/usr/lib/python3.11/site-packages/Create/core.py", line 7, in run
    raise Exception("Create failed")
Exception: Create failed'''

TOOL_JSON = '''{"@context": "https://schema.org", "@type": "Person", "name": "Jane Doe",
 "email": "jane.doe@example.com", "created_at": 1709294403.123456,
 "id": 1709294403123456, "Create": false, "Exception": null, "ip": "172.16.0.9"}'''

YAML = '''apiVersion: v1
kind: Secret
metadata:
  name: Create
  namespace: Exception
data:
  email: ops@example.net
  host: 10.0.0.12'''

TABLE = '''| Year | Revenue | Units | Phone |
|------|---------|-------|-------|
| 2021 | 1234567 | 4521 | 2125550100 |
| 2022 | 2345678 | 5310 | 2125550101 |'''


@pytest.fixture(scope="module")
def service() -> Iterator[SuggestionService]:
    with SuggestionService(load_policy().policy) as running:
        yield running


def found(service: SuggestionService, text: str) -> set[tuple[str, str]]:
    return {(text[s.start:s.end], s.entity) for s in service.suggest([text])[0]}


def names(spans: set[tuple[str, str]]) -> set[str]:
    return {value for value, entity in spans if entity in NAMES}


@pytest.mark.parametrize("text", [PYTHON, INDENTED, LOGS, TRACE, YAML])
def test_no_name_guesses_in_code_and_tool_output(service: SuggestionService, text: str) -> None:
    assert names(found(service, text)) == set()


@pytest.mark.parametrize(("text", "kept"), [
    (PYTHON, {("admin@corp-example.com", "EMAIL_ADDRESS"), ("10.20.30.40", "IP_ADDRESS"),
              ("hunter2hunter2", "SECRET"), ("jdoe", "USERNAME")}),
    (INDENTED, {("10.1.2.3", "IP_ADDRESS")}),
    (LOGS, {("192.168.1.20", "IP_ADDRESS"), ("mary.major@example.org", "EMAIL_ADDRESS")}),
    (TRACE, {("jdoe", "USERNAME")}),
    (TOOL_JSON, {("jane.doe@example.com", "EMAIL_ADDRESS"), ("172.16.0.9", "IP_ADDRESS")}),
    (YAML, {("ops@example.net", "EMAIL_ADDRESS"), ("10.0.0.12", "IP_ADDRESS")}),
])
def test_patterns_still_run_in_code(service: SuggestionService, text: str,
                                    kept: set[tuple[str, str]]) -> None:
    assert kept <= found(service, text)


@pytest.mark.parametrize("text", [PYTHON, INDENTED, LOGS, TRACE])
def test_log_calls_and_file_names_are_not_urls(service: SuggestionService, text: str) -> None:
    assert {value for value, entity in found(service, text) if entity == "URL"} == set()


def test_timestamps_and_clock_readings_are_not_numbers_of_people(
        service: SuggestionService) -> None:
    for text in (LOGS, TOOL_JSON):
        values = {value for value, _ in found(service, text)}
        assert not any("1709294403" in value for value in values)
        assert "03.000001" not in values


def test_json_keys_are_not_user_names_but_a_value_may_be_a_name(
        service: SuggestionService) -> None:
    spans = found(service, TOOL_JSON)
    assert not {value for value, entity in spans if entity == "USERNAME"}
    assert names(spans) <= {"Jane Doe"}


def test_a_table_column_label_is_no_name_and_its_figures_are_no_phones(
        service: SuggestionService) -> None:
    values = {value for value, _ in found(service, TABLE)}
    assert "Units" not in values
    assert not values & {"1234567", "2345678", "4521", "5310"}


def test_prose_keeps_its_names_and_numbers(service: SuggestionService) -> None:
    text = ("My name is Jane Smith, I live at 12 Main Street, Springfield. Email "
            "jane@example.com, card 4111 1111 1111 1111.")
    spans = found(service, text)
    assert "Jane Smith" in names(spans)
    assert ("4111 1111 1111 1111", "CREDIT_CARD") in spans


# --- the rules one by one, on findings made up for them ------------------------------------


def _guess(text: str, value: str, entity: str, recognizer: str = "SpacyRecognizer"
           ) -> Suggestion:
    start = text.index(value)
    return Suggestion(start, start + len(value), entity, 0.85, recognizer)


def _kept(text: str, *guesses: Suggestion) -> list[str]:
    return [text[s.start:s.end] for s in clean(text, list(guesses))]


def test_a_full_name_in_a_log_line_is_kept_a_keyword_is_not() -> None:
    text = "2024-03-01 12:00:03 WARN login failed for Mary Major (False)"
    assert _kept(text, _guess(text, "Mary Major", "PERSON"), _guess(text, "False", "PERSON"),
                 _guess(text, "WARN", "ORGANIZATION")) == ["Mary Major"]


def test_a_json_key_is_never_a_name() -> None:
    text = '{"Jane Doe": 1,\n "owner": "Jane Doe"}'
    key = _guess(text, "Jane Doe", "PERSON")
    value = Suggestion(text.rindex("Jane Doe"), text.rindex("Jane Doe") + 8, "PERSON", 0.85,
                       "SpacyRecognizer")
    assert [(s.start, s.end) for s in clean(text, [key, value])] == [(value.start, value.end)]


def test_a_microsecond_timestamp_is_no_card_anywhere() -> None:
    text = "The event 1709294403123456 was logged; my card is 4111111111111111."
    assert _kept(text, _guess(text, "1709294403123456", "CREDIT_CARD", "CreditCardRecognizer"),
                 _guess(text, "4111111111111111", "CREDIT_CARD", "CreditCardRecognizer")
                 ) == ["4111111111111111"]


def test_a_card_of_the_2_series_is_not_taken_for_a_timestamp() -> None:
    text = "Card: 2221015775397950, exp 09/27."
    assert _kept(text, _guess(text, "2221015775397950", "CREDIT_CARD", "CreditCardRecognizer")
                 ) == ["2221015775397950"]


def test_a_ten_digit_phone_in_prose_is_not_taken_for_a_timestamp() -> None:
    text = "Call me on 2125550100 tomorrow."
    assert _kept(text, _guess(text, "2125550100", "PHONE_NUMBER", "PhoneRecognizer")) == [
        "2125550100"]


def test_a_number_under_a_phone_column_stays_one_under_revenue_does_not() -> None:
    text = "| Revenue | Phone |\n|---|---|\n| 2125550199 | 2125550100 |\n"
    assert _kept(text, _guess(text, "2125550199", "PHONE_NUMBER", "PhoneRecognizer"),
                 _guess(text, "2125550100", "PHONE_NUMBER", "PhoneRecognizer")
                 ) == ["2125550100"]


def test_a_table_of_people_keeps_its_names() -> None:
    text = "| Name | Role |\n|---|---|\n| Jane Doe | Counsel |\n"
    assert _kept(text, _guess(text, "Name", "PERSON"), _guess(text, "Jane Doe", "PERSON")
                 ) == ["Jane Doe"]


def test_years_and_decorators_are_not_user_names() -> None:
    text = "```python\n@login_required\ndef f(): ...\n```\nAsk @jdoe, since ~2023, in /home/jdoe"
    handle = text.index("@jdoe")
    guesses = [_guess(text, "@login_required", "USERNAME", "ChatUsernameRecognizer"),
               Suggestion(handle, handle + 5, "USERNAME", 0.7, "ChatUsernameRecognizer"),
               _guess(text, "2023", "USERNAME", "ChatUsernameRecognizer"),
               _guess(text, "jdoe", "USERNAME", "ChatUsernameRecognizer")]
    guesses[-1] = Suggestion(text.rindex("jdoe"), len(text), "USERNAME", 0.75,
                             "ChatUsernameRecognizer")
    assert _kept(text, *guesses) == ["@jdoe", "jdoe"]


def test_uncased_script_is_never_a_name_to_a_model_that_reads_capitals() -> None:
    text = "Please read: 그것은 위험합니다 and call Jane."
    assert _kept(text, _guess(text, "그것은", "ORGANIZATION"), _guess(text, "Jane", "PERSON")
                 ) == ["Jane"]


def test_code_regions() -> None:
    text = "Run `x.y()` now.\n\n    indented = 1\n\nprose\n=SUM(A1:A3)\n"
    regions = code_map(text)
    assert regions.in_code(text.index("x.y"), text.index("x.y") + 3)
    assert regions.in_code(text.index("indented"), text.index("indented") + 8)
    assert regions.in_code(text.index("SUM"), text.index("SUM") + 3)
    assert not regions.in_code(text.index("prose"), text.index("prose") + 5)
    assert code_map("Just a plain sentence about Jane.").code == []


def test_a_name_form_in_prose_is_not_yaml() -> None:
    text = "Name: Jane Doe\nPhone: 555 0100\nThanks"
    assert code_map(text).code == []


# --- upstream markers ------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "markers"), [
    ("Hi [NAME], your account [REDACTED] was closed. Ask <PERSON_1>.",
     ["[NAME]", "[REDACTED]", "<PERSON_1>"]),
    ('Use =DATEDIF([ISSUE_DATE],[DUE_DATE],"d"); the column [ISSUE_DATE] holds dates.', []),
    ("Sum Table1[AMOUNT_DUE] per row[USER_ID].", []),
    ('```\nlog.warn("[WARNING] [REDACTED] failed")\n```\nbut [REDACTED] here', ["[REDACTED]"]),
    ("2024-03-01 12:00:01 [ERROR] worker died", []),
])
def test_markers_only_where_they_read_as_redaction(text: str, markers: list[str]) -> None:
    policy = load_policy().policy
    assert [text[s.start:s.end] for s in find_markers(text, policy.upstream_markers)] == markers
