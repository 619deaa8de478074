"""The leak scan's matcher: normalised, read like a person, one pass over many needles."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reviewer.export.leaks import Needles, name_parts, needle_text, vocabulary_of

NEEDLES = Needles([
    ("John Smith", "PERSON", "[PERSON-1]"),
    ("John", "PERSON", "[PERSON-2]"),
    ("john@example.com", "EMAIL_ADDRESS", "[EMAIL_ADDRESS-1]"),
    ("Al", "PERSON", "[PERSON-3]"),
    ("J", "PERSON", "[PERSON-4]"),  # too short to scan for
])


def found(text: str, needles: Needles = NEEDLES) -> list[str]:
    return [text[h.start:h.end] for h in needles.find(text)]


def tokens(text: str, needles: Needles = NEEDLES) -> list[str]:
    return [h.token for h in needles.find(text)]


def test_finds_case_width_and_invisible_variants_at_original_offsets() -> None:
    text = "JOHN SMITH, Ｊｏｈｎ and Jo\u200bhn wrote to john@example.com"
    assert found(text) == ["JOHN SMITH", "Ｊｏｈｎ", "Jo\u200bhn", "john@example.com"]


def test_prefers_the_longest_needle() -> None:
    (hit,) = NEEDLES.find("Mr John Smith.")
    assert (hit.start, hit.end, hit.token) == (3, 13, "[PERSON-1]")


def test_short_needles_do_not_continue_a_word() -> None:
    assert found("Johnson and Johnny") == []
    assert found("mail:john@example.com;") == ["john@example.com"]


def test_edge_punctuation_of_a_span_is_not_part_of_the_needle() -> None:
    needles = Needles([("42 Elm Street.", "ADDRESS", "[ADDRESS-1]")])
    assert tokens("at 42 elm street, near", needles) == ["[ADDRESS-1]"]


def test_single_characters_are_not_scanned_two_are() -> None:
    assert len(NEEDLES) == 5  # john smith, john, the e-mail, al, and smith (a name part)
    assert found("Al and Alan, J and Jo") == ["Al"]


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


# --- 1. inside longer tokens ------------------------------------------------------------------

GLUE = Needles([
    ("Jane Kowalski", "PERSON", "[PERSON-1]"),
    ("jane.k@example.org", "EMAIL_ADDRESS", "[EMAIL_ADDRESS-1]"),
])


def test_long_needles_match_glued_into_longer_tokens() -> None:
    assert found("user_jane.k@example.org", GLUE) == ["jane.k@example.org"]
    assert found("kowalski_notes.txt", GLUE) == ["kowalski"]
    assert found("see case_Kowalski and req_kowalski", GLUE) == ["Kowalski", "kowalski"]
    assert found("JaneKowalski", GLUE) == ["JaneKowalski"]
    assert found("the Kowalskis", GLUE) == ["Kowalski"]  # inside a word too


def test_long_needles_keep_digit_edges() -> None:
    needles = Needles([("42 Elm Street", "ADDRESS", "[ADDRESS-1]"),
                       ("Room 7", "ADDRESS", "[ADDRESS-2]")])
    assert found("142 elm street; room 71; flat42 Elm Street", needles) == ["42 Elm Street"]


# --- 2. short values ---------------------------------------------------------------------------

SHORT = Needles([
    ("Wu", "PERSON", "[PERSON-1]"),
    ("Ann", "PERSON", "[PERSON-2]"),
    ("123", "ID", "[ID-1]"),
])


def test_short_needles_match_at_word_and_digit_edges() -> None:
    assert found("case_wu, Wu2, Mr. Wu; Ann's", SHORT) == ["wu", "Wu", "Wu", "Ann"]
    assert found("ref 123, #123a, x123", SHORT) == ["123", "123", "123"]


def test_short_needles_do_not_match_inside_words_or_numbers() -> None:
    assert found("would wuhan planning Annie", SHORT) == []
    assert found("1234 and 91230 and 0123", SHORT) == []


def test_camel_case_edges_count_as_word_edges() -> None:
    assert found("caseWu WuCase aWuB", SHORT) == ["Wu", "Wu", "Wu"]
    assert found("caseWuAnn ÉtéWu", SHORT) == ["Wu", "Ann", "Wu"]
    assert found("casewu wucase Wucase", SHORT) == []


def test_overlapping_hits_merge_so_no_piece_survives() -> None:
    needles = Needles([("Lee", "PERSON", "[PERSON-1]"), ("Eeson", "PERSON", "[PERSON-2]")])
    assert needles.scrub("LeeSon wrote") == "[PERSON-1] wrote"


def test_camel_case_hits_keep_original_offsets_after_invisibles() -> None:
    text = "\u200bx\u200b caseWu"
    (hit,) = SHORT.find(text)
    assert (hit.start, hit.end) == (8, 10)


# --- 3. whitespace -----------------------------------------------------------------------------


def test_whitespace_inside_a_value_matches_any_whitespace() -> None:
    needles = Needles([("John\n Smith", "PERSON", "[PERSON-1]")])
    text = "John\nSmith, John\t\tSmith, John   Smith"
    assert tokens(text, needles) == ["[PERSON-1]"] * 3
    assert found(text, needles) == ["John\nSmith", "John\t\tSmith", "John   Smith"]


# --- 4. name parts -----------------------------------------------------------------------------


def test_name_parts_of_a_person_are_needles() -> None:
    text = "Smith wrote. Smith, John. Ms. Smith. Smith J."
    assert found(text) == ["Smith", "Smith", "John", "Smith", "Smith"]
    assert set(tokens(text)) == {"[PERSON-1]", "[PERSON-2]"}  # "John" was approved alone


def test_name_parts_drop_titles_particles_and_initials() -> None:
    parts = name_parts(needle_text("Dr. Mary-Jane van der Berg Jr."))
    assert parts == ["berg", "jane", "mary", "mary-jane"]
    assert name_parts(needle_text("Smith, J. R.")) == ["smith"]


def test_name_parts_only_for_persons() -> None:
    needles = Needles([("Elm Street", "ADDRESS", "[ADDRESS-1]")])
    assert found("street elm", needles) == []


# --- 5. numbers --------------------------------------------------------------------------------

NUMBERS = Needles([
    ("555-123-4567", "PHONE_NUMBER", "[PHONE_NUMBER-1]"),
    ("+44 20 7946 0958", "PHONE_NUMBER", "[PHONE_NUMBER-2]"),
    ("90210", "ZIP", "[ZIP-1]"),
])


def test_numbers_match_whatever_their_separators() -> None:
    for text in ["5551234567", "(555) 123 4567", "555.123.4567", "555 / 123-4567"]:
        assert tokens(text, NUMBERS) == ["[PHONE_NUMBER-1]"], text
    assert found("call +1 555 123 4567 now", NUMBERS) == ["555 123 4567"]


def test_a_country_code_needle_matches_the_national_number() -> None:
    assert found("ring 020 7946 0958", NUMBERS) == ["20 7946 0958"]
    assert tokens("+442079460958", NUMBERS) == ["[PHONE_NUMBER-2]"]


def test_long_numbers_match_inside_digit_runs_short_ones_need_group_edges() -> None:
    assert tokens("id 15551234567", NUMBERS) == ["[PHONE_NUMBER-1]"]
    assert found("90210-1234 and 90 210", NUMBERS) == ["90210", "90 210"]
    assert found("9902101 and 902105", NUMBERS) == []


# --- 6. vocabulary -----------------------------------------------------------------------------

FORMAT = vocabulary_of(["DATA/RR.dat", "redaction_log.csv", "PERSON", "approved"])


def test_vocabulary_words_are_not_hits() -> None:
    needles = Needles([("Data", "PERSON", "[PERSON-1]"), ("redact", "PERSON", "[PERSON-2]")])
    assert list(needles.find("DATA/RR.dat", FORMAT)) == []
    assert list(needles.find("redaction_log.csv", FORMAT)) == []
    assert needles.scrub("DATA/Data2.dat", FORMAT) == "DATA/[PERSON-1]2.dat"
    assert needles.scrub("redactor_log.csv", FORMAT) == "[PERSON-2]or_log.csv"


def test_message_text_is_scanned_without_vocabulary() -> None:
    needles = Needles([("Data", "PERSON", "[PERSON-1]")])
    assert [h.token for h in needles.leaks("DATA/RR.dat", [], [])] == ["[PERSON-1]"]


def test_a_needle_overlapping_a_vocabulary_word_is_still_found() -> None:
    needles = Needles([("log", "PERSON", "[PERSON-1]"), ("Logan", "PERSON", "[PERSON-2]")])
    assert needles.scrub("log logan", FORMAT) == "log [PERSON-2]"


# --- property: every variant of every approved value is found ---------------------------------

# Names are made of syllables starting with consonants the filler and glue words never
# use, so a needle can only occur where a value was put.
SYLLABLE = st.sampled_from([c + v for c in "kqxzjv" for v in "aeiou"])
FILLER = [
    "the", "report", "meeting", "notes", "planning", "would", "should", "please", "send", "file",
    "data", "case", "update", "phone", "call", "email", "person", "office", "tomorrow", "monday",
    "agenda", "draft", "final", "status", "open", "closed", "team", "client", "matter", "letter",
    "in", "on", "at", "to", "for", "with", "and", "or", "a", "an", "is", "was",
]
GLUE_WORDS = ["case", "notes", "file", "ref", "user"]
SEPARATORS = ["-", " ", ".", "", " - ", "/"]

Piece = tuple[str, list[tuple[int, int]]]  # text, ranges in it that must be found


@st.composite
def person(draw: Any) -> list[str]:
    return draw(st.lists(st.lists(SYLLABLE, min_size=1, max_size=3).map("".join),
                         min_size=2, max_size=3))


@st.composite
def values(draw: Any) -> list[tuple[str, str, Any]]:
    """(entity, approved text, material for variants)."""
    out: list[tuple[str, str, Any]] = []
    for kind in draw(st.lists(st.sampled_from(["PERSON", "EMAIL", "PHONE"]),
                              min_size=1, max_size=4)):
        if kind == "PERSON":
            parts = draw(person())
            out.append(("PERSON", " ".join(p.title() for p in parts), parts))
        elif kind == "EMAIL":
            local = ".".join(draw(person()))
            domain = draw(st.lists(SYLLABLE, min_size=2, max_size=3).map("".join))
            out.append(("EMAIL_ADDRESS", f"{local}@{domain}.org", None))
        else:
            groups = (draw(st.integers(200, 999)), draw(st.integers(200, 999)),
                      draw(st.integers(1000, 9999)))
            out.append(("PHONE_NUMBER", "{}-{}-{}".format(*groups), groups))
    return out


def whole(text: str) -> Piece:
    return text, [(0, len(text))]


def name_pieces(parts: list[str]) -> list[Piece]:
    names = [p.title() for p in parts]
    first, last = names[0], names[-1]
    spaced = [whole(space.join(names)) for space in (" ", "\n", "\t ", "  ", "")]
    return [*spaced, whole(last), whole(first.upper()),
            (f"{last}, {first}", [(0, len(last)), (len(last) + 2, len(last) + 2 + len(first))]),
            (f"Ms. {last}", [(4, 4 + len(last))]), (f"{last} {first[0]}.", [(0, len(last))])]


def phone_pieces(groups: tuple[int, int, int]) -> list[Piece]:
    a, b, c = groups
    pieces = [whole(f"{a}{sep}{b}{sep}{c}") for sep in SEPARATORS]
    national = f"{a} {b} {c}"
    return [*pieces, whole(f"({a}) {b}-{c}"), (f"+1 {national}", [(3, 3 + len(national))])]


def glued(draw: Any, piece: Piece) -> Piece:
    """``piece`` glued to a word, an underscore or digits on either side; letters meet a
    short value only at a camelCase edge, as a person would still read it."""
    text, ranges = piece
    word = draw(st.sampled_from(GLUE_WORDS))
    left = draw(st.sampled_from(["", "_", word + "_", word, "7"]))
    right = draw(st.sampled_from(["", "_", "_" + word, word.title(), "9"]))
    if left == word and not text[:1].isupper():
        left = ""
    if right == word.title() and not text[-1:].islower():
        right = ""
    return left + text + right, [(s + len(left), e + len(left)) for s, e in ranges]


@st.composite
def documents(draw: Any) -> tuple[list[tuple[str, str, str]], str, list[tuple[int, int]]]:
    """Approved items, a text of filler with variants of them, the ranges to be found."""
    chosen = draw(values())
    items = [(text, entity, f"[{entity}-{n}]") for n, (entity, text, _) in enumerate(chosen)]
    pieces: list[Piece] = []
    for entity, text, material in chosen:
        if entity == "PERSON":
            options = name_pieces(material)
        elif entity == "PHONE_NUMBER":
            options = phone_pieces(material)
        else:
            options = [whole(text), whole(text.upper())]
        for piece in draw(st.lists(st.sampled_from(options), min_size=1, max_size=4)):
            pieces.append(glued(draw, piece))
    text, ranges = "", []
    for piece, spans in draw(st.permutations(pieces)):
        filler = " ".join(draw(st.lists(st.sampled_from(FILLER), max_size=4)))
        text += filler + " "
        ranges += [(s + len(text), e + len(text)) for s, e in spans]
        text += piece + draw(st.sampled_from([" ", ", ", "\n", ". "]))
    return items, text, ranges


def digits_view(text: str) -> str:
    return re.sub(r"(?<=[0-9])[\s\-./()+]{1,3}(?=[0-9])", "", text)


def overlapping(items: list[tuple[str, str, str]]) -> bool:
    """Two values one of which holds the other (a part, or the whole without its spaces):
    which of them a glued occurrence belongs to is a matter of reading, not of the scan."""
    own = [secrets([item]) for item in items]
    return any(a in b for i, mine in enumerate(own) for j, theirs in enumerate(own) if i != j
               for a in mine for b in theirs)


def secrets(items: list[tuple[str, str, str]]) -> list[str]:
    texts = [needle_text(text) for text, _, _ in items]
    parts = [p for (text, entity, _) in items if entity == "PERSON"
             for p in name_parts(needle_text(text))]
    return [re.sub(r"\s", "", text) for text in texts + parts]


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=documents())
def test_every_variant_is_found_and_nothing_survives_the_scrub(
    document: tuple[list[tuple[str, str, str]], str, list[tuple[int, int]]],
) -> None:
    items, text, ranges = document
    assume(not overlapping(items))
    needles = Needles(items)
    hits = list(needles.find(text))
    covered = {i for hit in hits for i in range(hit.start, hit.end)}
    for start, end in ranges:
        missed = [i for i in range(start, end) if text[i].isalnum() and i not in covered]
        assert not missed, (text[start:end], [text[h.start:h.end] for h in hits])
    for hit in hits:
        assert any(s < hit.end and hit.start < e for s, e in ranges), text[hit.start:hit.end]
    scrubbed = needles.scrub(text)
    flat = re.sub(r"\s", "", needle_text(scrubbed))
    for secret in secrets(items):
        assert secret not in flat, (secret, scrubbed)
    for _, entity, _ in items:
        assert entity != "PHONE_NUMBER" or not any(
            re.sub(r"[^0-9]", "", t) in digits_view(scrubbed)
            for t, e, _ in items if e == entity)


def test_a_hit_a_redaction_only_touches_is_still_a_leak() -> None:
    needles = Needles([("Zelda Quarterfield", "PERSON", "[PERSON-1]")])
    text = "Then Zelda Quarterfield left."
    assert [(h.start, h.end) for h in needles.leaks(text, [(5, 10)], [])] == [(5, 23)]
    assert needles.leaks(text, [(5, 10)], [(10, 23)]) == []
    assert needles.leaks(text, [(5, 23)], []) == []
