"""Odd ChatGPT shapes that once reached a set or dict lookup: arrays where ids
and content types belong, NUL characters in any text piece. Each is refused
with an import error or read, never a TypeError."""

from __future__ import annotations

import json
from typing import Any

import pytest

from reviewer.domain.errors import BadInputError
from reviewer.ingest.reader import from_bytes


def export(message: dict[str, Any], children: list[Any] | None = None) -> bytes:
    node = {"id": "n", "parent": None, "children": children or [], "message": message}
    return json.dumps([{"id": "c", "title": "t", "mapping": {"n": node},
                        "current_node": "n"}]).encode()


def read(data: bytes) -> list[str]:
    return [m.text for c in from_bytes("conversations.json", data).conversations()
            for m in c.messages]


def test_unhashable_child_ids_and_attachment_ids_are_read() -> None:
    message = {"id": "m", "author": {"role": "user"},
               "content": {"content_type": "text", "parts": ["hello"]},
               "metadata": {"attachments": [{"id": ["x"], "name": "notes.pdf"}]}}
    assert read(export(message, children=[["n"], {"a": 1}])) == ["hello\n[file: notes.pdf]"]


def test_an_array_content_type_is_refused() -> None:
    message = {"id": "m", "author": {"role": "user"},
               "content": {"content_type": ["text"], "parts": ["hello"]}}
    with pytest.raises(BadInputError, match=r"record 1: content_type is an array, not text"):
        read(export(message))


@pytest.mark.parametrize("content", [
    {"content_type": "text", "parts": ["fine", "bad \\u0000 part"]},
    {"content_type": "code", "text": "bad \\u0000 code"},
    {"content_type": "multimodal_text", "parts": [{"text": "bad \\u0000 text"}]},
])
def test_nul_in_any_piece_is_refused(content: dict[str, Any]) -> None:
    data = export({"id": "m", "author": {"role": "user"}, "content": content})
    data = data.replace(b"\\\\u", b"\\u")
    with pytest.raises(BadInputError, match=r"conversations.json, record 1: .*NUL"):
        read(data)
