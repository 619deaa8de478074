"""`evaluate` on labelled text: overlap counts whatever the label, the contract's shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewer.domain.errors import BadInputError
from reviewer.domain.models import Suggestion
from reviewer.ops.evaluation import GoldRecord, Tally, evaluate

GOLD = [
    {"full_text": "Mail jane.doe@example.com today",
     "spans": [{"entity_type": "EMAIL_ADDRESS", "entity_value": "jane.doe@example.com",
                "start_position": 5, "end_position": 25}]},
    {"full_text": "Nothing to see here.", "spans": []},
]


def test_a_gold_span_is_found_by_any_overlapping_suggestion() -> None:
    record = GoldRecord("Ann Lee, 12 Elm St", ((0, 7, "PERSON"), (9, 18, "ADDRESS")))
    tally = Tally()
    tally.add(record, [Suggestion(4, 12, "LOCATION", 0.5, "x"), Suggestion(14, 15, "X", 0.5, "y")])
    assert tally.recall() == 1.0
    assert tally.precision() == 1.0
    assert tally.per_entity()["PERSON"]["recall"] == 1.0
    assert tally.per_entity()["LOCATION"]["precision"] == 1.0


def test_misses_and_noise_are_counted() -> None:
    tally = Tally()
    tally.add(GoldRecord("Ann Lee", ((0, 3, "PERSON"), (4, 7, "PERSON"))),
              [Suggestion(0, 3, "PERSON", 0.9, "x")])
    tally.add(GoldRecord("nothing", ()), [Suggestion(0, 7, "ORGANIZATION", 0.9, "x")])
    assert tally.recall() == 0.5
    assert tally.precision() == 0.5


def test_evaluate_reports_the_contract_shape(tmp_path: Path) -> None:
    gold = tmp_path / "gold.json"
    gold.write_text(json.dumps(GOLD), encoding="utf-8")
    report = evaluate(gold)
    shape = report.as_dict()
    assert set(shape) == {"recall", "precision", "per_entity", "chars_per_second"}
    assert shape["recall"] == 1.0
    assert shape["per_entity"]["EMAIL_ADDRESS"]["recall"] == 1.0
    assert shape["chars_per_second"] > 0
    assert any(line.startswith("Recall 1.000") for line in report.summary_lines())


def test_unreadable_gold_is_bad_input(tmp_path: Path) -> None:
    gold = tmp_path / "gold.json"
    gold.write_text('[{"text": "no full_text"}]', encoding="utf-8")
    with pytest.raises(BadInputError, match="labelled file"):
        evaluate(gold)
