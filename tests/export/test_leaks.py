"""The leak scan's matcher: normalised, whole-token, one pass over many needles."""

from __future__ import annotations

from reviewer.export.leaks import Needles

NEEDLES = Needles([
    ("John Smith", "PERSON", "[PERSON-1]"),
    ("John", "PERSON", "[PERSON-2]"),
    ("john@example.com", "EMAIL_ADDRESS", "[EMAIL_ADDRESS-1]"),
    ("Al", "PERSON", "[PERSON-3]"),  # too short to scan for
])


def found(text: str) -> list[str]:
    return [text[h.start:h.end] for h in NEEDLES.find(text)]


def test_finds_case_width_and_invisible_variants_at_original_offsets() -> None:
    text = "JOHN SMITH, Ｊｏｈｎ and Jo\u200bhn wrote to john@example.com"
    assert found(text) == ["JOHN SMITH", "Ｊｏｈｎ", "Jo\u200bhn", "john@example.com"]


def test_prefers_the_longest_needle() -> None:
    (hit,) = NEEDLES.find("Mr John Smith.")
    assert (hit.start, hit.end, hit.token) == (3, 13, "[PERSON-1]")


def test_whole_tokens_only() -> None:
    assert found("Johnson and Johnsmith") == []
    assert found("mail:john@example.com;") == ["john@example.com"]


def test_edge_punctuation_of_a_span_is_not_part_of_the_needle() -> None:
    needles = Needles([("42 Elm Street.", "ADDRESS", "[ADDRESS-1]")])
    assert [h.token for h in needles.find("at 42 elm street, near")] == ["[ADDRESS-1]"]


def test_short_needles_are_not_scanned() -> None:
    assert len(NEEDLES) == 3
    assert found("Al and Alan") == []


def test_scrub_replaces_every_occurrence_with_its_token() -> None:
    assert NEEDLES.scrub("chat-john smith-john@example.com.json") == (
        "chat-[PERSON-1]-[EMAIL_ADDRESS-1].json"
    )


def test_redacted_or_rejected_occurrences_are_not_leaks() -> None:
    text = "John here. John again. John third."
    redacted, kept = [(0, 4)], [(11, 15)]
    leaks = NEEDLES.leaks(text, redacted, kept)
    assert [(h.start, h.end) for h in leaks] == [(23, 27)]


def test_partly_rejected_occurrence_is_a_leak_and_pieced_rejections_cover() -> None:
    text = "John Smith"
    assert [h.token for h in NEEDLES.leaks(text, [], [(0, 4)])] == ["[PERSON-1]"]
    assert NEEDLES.leaks(text, [], [(0, 5), (5, 10)]) == []


def test_many_needles_compile_into_one_scan() -> None:
    many = Needles((f"person{i:05d}", "PERSON", f"[PERSON-{i}]") for i in range(5000))
    hits = list(many.find("x person04999 y person00000 z person5"))
    assert [h.token for h in hits] == ["[PERSON-4999]", "[PERSON-0]"]


def test_no_needles_finds_nothing() -> None:
    assert list(Needles([]).find("anything")) == []
