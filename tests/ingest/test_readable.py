"""Readable tool input: every string of the data appears verbatim in the text,
keys in order, nested values indented, nothing escaped."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewer.ingest.common import Where, arguments, readable

WHERE = Where("chat.jsonl", "line 1")
# Text as the importers accept it: no NUL, no lone surrogates.
TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"))
DATA = st.recursive(st.none() | st.booleans() | st.integers() | TEXT,
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(TEXT, inner, max_size=4), max_leaves=25)


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


@settings(max_examples=200, deadline=None)
@given(DATA)
def test_every_string_is_in_the_text_verbatim(value: Any) -> None:
    shown = readable(value, WHERE, "tool input")
    assert all(s in shown for s in strings(value))
    assert arguments(json.dumps(value), WHERE, "arguments") == (
        shown if isinstance(value, dict | list) else json.dumps(value))


def test_layout() -> None:
    value = {"query": "R. A. Carucci", "filters": {"site": ["a.org", "b.org"], "max": 5},
             "people": [{"name": "Ilse \"I.\" Brandt", "tags": []}, None], "empty": {}}
    assert readable(value, WHERE, "x") == (
        "query: R. A. Carucci\nfilters:\n  site:\n    - a.org\n    - b.org\n  max: 5\n"
        'people:\n  - name: Ilse "I." Brandt\n    tags: []\n  - null\nempty: {}')
