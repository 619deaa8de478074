"""The context enhancer's token lookup: bisection gives Presidio's answer at every offset."""

from __future__ import annotations

import pytest
import spacy
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer

from reviewer.suggest.engine import ContextOnlyWhereUseful


@pytest.mark.parametrize("text", [
    "Call Dana at +1 212 555 0142,  or mail dana@example.org.\n\nThanks!",
    "  leading blanks, a tab\tand ünïcödé 😀 words  ",
    "x",
])
def test_every_offset_finds_the_token_presidio_finds(text: str) -> None:
    doc = spacy.blank("en")(text)
    starts = [token.idx for token in doc]
    enhancer = ContextOnlyWhereUseful()
    for start in range(len(text) + 2):
        try:
            expected: int | ValueError = LemmaContextAwareEnhancer._find_index_of_match_token(
                "word", start, doc, starts)
        except ValueError as err:
            expected = err
        if isinstance(expected, ValueError):
            with pytest.raises(ValueError, match="Did not find word"):
                enhancer._find_index_of_match_token("word", start, doc, starts)
        else:
            assert enhancer._find_index_of_match_token("word", start, doc, starts) == expected
