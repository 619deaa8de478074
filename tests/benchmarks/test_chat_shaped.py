"""The hand-written chat-shaped labelled set is well-formed and is what its generator writes."""

from __future__ import annotations

import importlib.util
import itertools
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

DATA = Path(__file__).resolve().parents[2] / "benchmarks" / "data"
ENTITIES = {"PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "ADDRESS", "LOCATION", "ZIP_CODE",
            "ORGANIZATION", "DATE_TIME", "AGE", "CREDIT_CARD", "ACCOUNT_NUMBER", "ID_NUMBER",
            "IP_ADDRESS", "URL", "USERNAME", "SECRET", "IBAN_CODE", "US_SSN"}


def records() -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = json.loads(
        (DATA / "chat_shaped.json").read_text(encoding="utf-8"))
    return loaded


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_chat_shaped",
                                                  DATA / "make_chat_shaped.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def test_every_span_is_the_slice_it_names_inside_its_text() -> None:
    for record in records():
        check_record(record)


def check_record(record: dict[str, Any]) -> None:
    text = record["full_text"]
    spans = sorted(record["spans"], key=lambda s: s["start_position"])
    for span in spans:
        assert 0 <= span["start_position"] < span["end_position"] <= len(text)
        assert text[span["start_position"]:span["end_position"]] == span["entity_value"]
        assert span["entity_value"] == span["entity_value"].strip()
        assert span["entity_type"] in ENTITIES
    for before, after in itertools.pairwise(spans):
        assert before["end_position"] <= after["start_position"]


def test_the_set_is_large_enough_and_holds_negatives() -> None:
    loaded = records()
    assert len(loaded) >= 300
    assert sum(len(r["spans"]) for r in loaded) >= 400
    assert sum(not r["spans"] for r in loaded) >= 60


def test_the_generator_writes_exactly_the_committed_file() -> None:
    module = generator()
    written = module.conversations(module.random.Random(module.SEED))
    assert written == records()
