"""Allow and deny lists, address blocks and deterministic overlap resolution."""

from __future__ import annotations

from reviewer.domain.models import Suggestion
from reviewer.domain.policy import DenyTerm, Policy
from reviewer.suggest.shaping import resolve, shape


def _s(start: int, end: int, entity: str, score: float, name: str = "r") -> Suggestion:
    return Suggestion(start=start, end=end, entity=entity, score=score, recognizer=name)


def test_overlaps_become_their_union_with_the_best_entity_and_alternatives() -> None:
    found = [_s(0, 5, "LOCATION", 0.6), _s(3, 10, "PERSON", 0.85), _s(8, 12, "ORGANIZATION", 0.5),
             _s(20, 25, "EMAIL_ADDRESS", 1.0)]
    merged = resolve(found)
    assert [(s.start, s.end, s.entity) for s in merged] == [(0, 12, "PERSON"), (20, 25,
                                                                             "EMAIL_ADDRESS")]
    alternatives = merged[0].explanation["alternatives"]
    assert {a["entity"] for a in alternatives} == {"LOCATION", "ORGANIZATION"}


def test_resolution_does_not_depend_on_input_order() -> None:
    found = [_s(0, 5, "LOCATION", 0.6, "b"), _s(0, 5, "PERSON", 0.6, "a"), _s(4, 8, "X", 0.6)]
    assert resolve(found) == resolve(list(reversed(found)))
    assert resolve(found)[0].entity == "LOCATION"  # longest, then by name, among equal scores


def test_allow_list_drops_and_deny_list_adds() -> None:
    policy = Policy(allow=("ACME Support",), allow_patterns=(r"ticket-\d+",),
                    deny=(DenyTerm("Project Nightingale", "ORGANIZATION"),))
    text = "ACME Support on project nightingale, ticket-42"
    found = [_s(0, 12, "ORGANIZATION", 0.9), _s(37, 46, "ACCOUNT_NUMBER", 0.9)]
    shaped = shape(text, found, policy)
    assert [(text[s.start:s.end], s.entity) for s in shaped] == [
        ("project nightingale", "ORGANIZATION")]


def test_a_street_line_grows_into_its_address_block() -> None:
    text = "Send to:\n12 Main Street\nApt. 4\nSpringfield\n\nUSA 62704\n\nThanks."
    street = text.index("12")
    found = [Suggestion(street, street + 14, "ADDRESS", 0.6, "StreetAddressRecognizer",
                        explanation={"pattern_name": "street_number_first"})]
    shaped = shape(text, found, Policy())
    block = next(s for s in shaped if s.entity == "ADDRESS")
    assert text[block.start:block.end] == "12 Main Street\nApt. 4\nSpringfield\n\nUSA 62704"


def test_an_address_block_stops_at_phone_and_mail_lines() -> None:
    text = "615 Magnolia Terrace\nApt 14C\nEast Pellham, GA 30388\n(404) 555-0101\nmail@x.org"
    found = [Suggestion(0, 20, "ADDRESS", 0.6, "StreetAddressRecognizer",
                        explanation={"pattern_name": "street_number_first"})]
    block = shape(text, found, Policy())[0]
    assert text[block.start:block.end] == "615 Magnolia Terrace\nApt 14C\nEast Pellham, GA 30388"
