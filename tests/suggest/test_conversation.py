"""Propagation across a conversation, name parts, rejected texts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reviewer.domain.models import Origin, Suggestion
from reviewer.suggest.conversation import Blocked, ConversationText, finish_conversation


def _person(text: str, value: str) -> Suggestion:
    start = text.index(value)
    return Suggestion(start, start + len(value), "PERSON", 0.85, "SpacyRecognizer")


def test_entities_and_name_parts_propagate_to_other_messages() -> None:
    first = "I am Margaret Thornbury."
    second = "Margaret said margaret thornbury and THORNBURY will sign; may Will come?"
    items = [ConversationText(first, [_person(first, "Margaret Thornbury")]),
             ConversationText(second)]
    _, found = finish_conversation(items)
    texts = [(second[s.start:s.end], s.origin) for s in found]
    assert ("Margaret", Origin.PROPAGATED) in texts
    assert ("margaret thornbury", Origin.PROPAGATED) in texts
    assert ("THORNBURY", Origin.PROPAGATED) in texts
    assert all(s.recognizer == "ConversationPropagation" for s in found)


def test_lower_case_name_parts_alone_are_not_names() -> None:
    first = "Contact Will Harper."
    second = "It will rain."
    items = [ConversationText(first, [_person(first, "Will Harper")]), ConversationText(second)]
    assert finish_conversation(items)[1] == []


def test_rejected_text_is_not_suggested_again() -> None:
    first = "Ask Jordan Lee."
    second = "Jordan Lee agreed."
    items = [ConversationText(first, [_person(first, "Jordan Lee")]),
             ConversationText(second, [_person(second, "Jordan Lee")])]
    assert finish_conversation(items, rejected=["jordan  LEE"]) == [[], []]


def test_stored_spans_are_not_overlapped_and_non_targets_get_nothing() -> None:
    first = "Ask Jordan Lee."
    second = "Jordan Lee agreed."
    items = [ConversationText(first, [], target=False),
             ConversationText(second, [], taken=[(0, 6)])]
    out = finish_conversation(items, known=[("Jordan Lee", "PERSON")])
    assert out == [[], []]


def test_propagation_can_be_switched_off() -> None:
    first = "I am Margaret Thornbury."
    items = [ConversationText(first, [_person(first, "Margaret Thornbury")]),
             ConversationText("Margaret Thornbury again")]
    assert finish_conversation(items, propagate=False)[1] == []


def test_a_capitalised_single_word_does_not_spread_to_the_lower_case_word() -> None:
    first = "Router said hello."
    second = "Restart the router, then call Router."
    items = [ConversationText(first, [_person(first, "Router")]), ConversationText(second)]
    found = finish_conversation(items)[1]
    assert [(second[s.start:s.end], s.start) for s in found] == [("Router", 30)]


def test_what_a_rejected_text_held_of_another_entity_is_still_suggested() -> None:
    text = " ip address 10.40.0.1 255.255.255.0\n ip helper-address 10.0.0.5"
    start = text.index("10.40")
    ips = [{"entity": "IP_ADDRESS", "score": 0.6, "recognizer": "IpRecognizer",
            "start": text.index(ip), "end": text.index(ip) + len(ip)}
           for ip in ("10.40.0.1", "10.0.0.5")]
    merged = Suggestion(start, len(text), "ADDRESS", 0.6, "StreetAddressRecognizer",
                        explanation={"alternatives": ips})
    (found,) = finish_conversation([ConversationText(text, [merged])],
                                   rejected=[text[start:]], propagate=False)
    assert [(text[s.start:s.end], s.entity) for s in found] == [
        ("10.40.0.1", "IP_ADDRESS"), ("10.0.0.5", "IP_ADDRESS")]


@given(st.lists(st.tuples(st.integers(0, 60), st.integers(1, 8)), max_size=12),
       st.lists(st.tuples(st.integers(0, 60), st.integers(1, 8)), max_size=12))
def test_blocked_spans_answer_as_a_plain_scan_would(
        spans: list[tuple[int, int]], asked: list[tuple[int, int]]) -> None:
    blocked = Blocked((start, start + size) for start, size in spans)
    held = [(start, start + size) for start, size in spans]
    for start, size in sorted(asked):
        end = start + size
        expected = any(a < end and start < b for a, b in held)
        assert blocked.overlaps(start, end) == expected
        if not expected:
            blocked.add(start, end)
            held.append((start, end))
