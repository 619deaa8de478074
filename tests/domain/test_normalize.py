"""The normalised view folds evasions and maps every span back exactly."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewer.domain.normalize import normalize


def _find(original: str, needle: str, *, casefold: bool = False) -> str:
    view = normalize(original, casefold=casefold)
    start = view.text.index(needle)
    begin, end = view.to_original(start, start + len(needle))
    return original[begin:end]


def test_ascii_is_identity() -> None:
    view = normalize("Mail jane@example.com")
    assert view.is_identity
    assert view.text == "Mail jane@example.com"
    assert view.to_original(5, 21) == (5, 21)


def test_ascii_casefold_keeps_offsets() -> None:
    view = normalize("Jane DOE", casefold=True)
    assert view.text == "jane doe"
    assert view.to_original(5, 8) == (5, 8)


def test_zero_width_inside_email_is_removed_and_mapped_back() -> None:
    original = "write to ja\u200bne@exa\u200dmple.com now"
    assert _find(original, "jane@example.com") == "ja\u200bne@exa\u200dmple.com"


def test_fullwidth_at_sign_folds() -> None:
    original = "jane＠example.com"
    view = normalize(original)
    assert view.text == "jane@example.com"
    assert view.to_original(0, len(view.text)) == (0, len(original))


def test_cyrillic_look_alikes_fold_to_latin() -> None:
    original = "contact Jоhn Smith\u0435"  # Cyrillic o and e
    assert normalize(original).text == "contact John Smithe"


def test_soft_hyphen_and_bidi_controls_are_removed() -> None:
    original = "Mar\u00adgaret \u202eand\u202c \u2066Lee\u2069"
    view = normalize(original)
    assert view.text == "Margaret and Lee"
    assert _find(original, "Margaret") == "Mar\u00adgaret"


def test_combining_marks_compose_and_map_to_whole_cluster() -> None:
    original = "Rene\u0301 Dupont"
    view = normalize(original)
    assert view.text == "René Dupont"
    assert view.to_original(0, 4) == (0, 5)


def test_expansion_maps_to_the_whole_source_character() -> None:
    original = "ﬁle no. ２３"
    view = normalize(original)
    assert view.text == "file no. 23"
    assert view.to_original(0, 1) == (0, 1)  # half of "ﬁ" maps to all of it
    assert original[slice(*view.to_original(9, 11))] == "２３"


def test_casefold_with_expansion() -> None:
    view = normalize("Straße", casefold=True)
    assert view.text == "strasse"
    assert view.to_original(4, 7) == (4, 6)


def test_empty_span_maps_to_a_position() -> None:
    view = normalize("a\u200bé")
    assert view.to_original(1, 1) == (2, 2)
    assert view.to_original(2, 2) == (3, 3)


def test_out_of_range_span_is_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        normalize("abc").to_original(2, 5)


@given(st.text(max_size=40))
def test_every_span_maps_inside_the_original_in_order(text: str) -> None:
    view = normalize(text, casefold=True)
    previous_end = 0
    for index in range(len(view.text)):
        begin, end = view.to_original(index, index + 1)
        assert 0 <= begin < end <= len(text)
        assert begin >= previous_end or begin == view.to_original(index - 1, index)[0]
        previous_end = end


def _per_character(text: str, casefold: bool) -> tuple[str, list[tuple[int, int]]]:
    """The normalised text and every character's original slice, folded one
    cluster at a time: what the compact view must agree with."""
    from reviewer.domain.normalize import _clusters, _fold

    pieces, slices = [], []
    for begin, end in _clusters(text):
        folded = _fold(text[begin:end], casefold)
        pieces.append(folded)
        slices.extend([(begin, end)] * len(folded))
    return "".join(pieces), slices


_EVASIVE = st.text(alphabet=st.sampled_from(
    [*"aeé ßﬁ\n１２ＡJ", "\u200b", "\u0301", "\u0308", "\u00ad", "а", "İ", "ς", "Σ", "한"]),
    max_size=60)


@given(_EVASIVE, st.booleans(), st.integers(min_value=1, max_value=8))
def test_compact_map_agrees_with_folding_each_character(
        text: str, casefold: bool, block: int) -> None:
    import reviewer.domain.normalize as module

    expected_text, slices = _per_character(text, casefold)
    saved, module.BLOCK = module.BLOCK, block  # many blocks, so their seams are tested too
    try:
        view = normalize(text, casefold=casefold)
    finally:
        module.BLOCK = saved
    assert view.text == expected_text
    assert [view.to_original(i, i + 1) for i in range(len(view.text))] == slices


def test_long_text_keeps_only_its_shifts() -> None:
    text = ("Grüße aus Köln, Straße 5\n" * 20_000) + "zero\u200bwidth"
    view = normalize(text)
    assert view.shifts is not None
    assert len(view.shifts.at) == 1  # only the zero-width space moves offsets
    assert text[slice(*view.to_original(view.text.index("zerowidth"), len(view.text)))] == \
        "zero\u200bwidth"
