"""show: every stored message of every conversation, in order, as stored, page by page."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.domain.errors import RefusedError, UsageError
from reviewer.ingest.reader import open_source
from reviewer.ops import showing
from reviewer.ops.importing import import_files
from reviewer.store.database import Store

FIXTURES = Path(__file__).parents[1] / "ingest" / "fixtures"
CHATGPT = FIXTURES / "chatgpt/conversations.json"


def shown(store: Store, only: str | None = None) -> list[dict]:
    with showing.show(store, only) as items:
        return [{**c.fields, "messages": list(c.messages)} for c in items]


def test_every_message_as_parsed_in_order(store: Store) -> None:
    import_files(store, [CHATGPT], "tester")
    with open_source(CHATGPT) as source:
        parsed = list(source.conversations())
    result = shown(store)
    assert [c["source_id"] for c in result] == [c.source_id for c in parsed]
    assert [c["title"] for c in result] == [c.title for c in parsed]
    for got, conv in zip(result, parsed, strict=True):
        assert [(m["index"], m["role"], m["author"], m["branch"], m["visibility"],
                 m["content_type"], m["text"]) for m in got["messages"]] == [
            (m.index, m.role, m.author, str(m.branch), str(m.visibility), m.content_type, m.text)
            for m in conv.messages]
    assert any(m["branch"] == "alternate" for c in result for m in c["messages"])


def test_small_pages_show_the_same(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    import_files(store, [CHATGPT, FIXTURES / "claude/conversations.json"], "tester")
    whole = shown(store)
    monkeypatch.setattr(showing, "PAGE", 1)
    monkeypatch.setattr(showing, "MESSAGE_PAGE", 2)
    assert shown(store) == whole
    assert len(whole) == 6


def test_one_conversation_by_its_id(store: Store) -> None:
    import_files(store, [CHATGPT], "tester")
    second = shown(store)[1]
    assert shown(store, second["id"]) == [second]


def test_an_unknown_or_malformed_id_is_a_sentence(store: Store) -> None:
    with pytest.raises(RefusedError, match="no conversation 99"):
        shown(store, "99")
    with pytest.raises(UsageError, match="not a conversation id"):
        shown(store, "request-1")
