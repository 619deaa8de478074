"""FTS5 search: phrases, prefixes, titles, safe escaping, keyset paging."""

from __future__ import annotations

import pytest

from reviewer.domain.models import Conversation, Message
from reviewer.store import conversations, search
from reviewer.store.database import Store
from tests.store import fts


def add(store: Store, source_id: str, title: str | None, *texts: str) -> int:
    conv = Conversation(source_id, title, tuple(
        Message(index=i, role="user", text=t) for i, t in enumerate(texts)))
    with store.transaction() as conn:
        conv_id = conversations.add_conversation(conn, conv, None)
    assert conv_id is not None
    return conv_id


@pytest.fixture
def filled(store: Store) -> list[int]:
    return [
        add(store, "a", "Letter to Priya", "Dana lives at 14 Canal Street.", "Nothing here."),
        add(store, "b", None, "The canal is long; Street Fighter is a game."),
        add(store, "c", "Street names", "Whitfield and Whitby are places", "Café Müller"),
        add(store, "d", "AND OR NOT", 'She said "NEAR(x y)" and title:foo -bar ^baz'),
    ]


@pytest.mark.parametrize(("typed", "query"), [
    ("dana", '"dana"'),
    ("Dana Whitfield", '"Dana" "Whitfield"'),
    ('"canal street"', '"canal street"'),
    ("whit*", '"whit"*'),
    ('"dana wh"*', '"dana wh"*'),
    ('say "hi', '"say" "hi"'),
    ('a"b', '"a" "b"'),
    ("   ", None),
    ('""', None),
    ("*", None),
    ("NEAR(a", '"NEAR(a"'),
])
def test_fts_query_quotes_everything(typed: str, query: str | None) -> None:
    assert search.fts_query(typed) == query


def test_phrase_prefix_and_words(store: Store, filled: list[int]) -> None:
    a, b, c, _d = filled
    with store.reading() as conn:
        ids = lambda q: [h.conversation_id for h in fts.search_conversations(conn, q)]  # noqa: E731
        assert ids('"canal street"') == [a]
        assert ids("canal street") == [a, b]  # all words in one message or the title
        assert ids("whit*") == [c]
        assert ids("whitfield") == [c]
        assert ids("cafe muller") == [c]
        assert ids("priya") == [a]


def test_title_and_message_hits_are_told_apart(store: Store, filled: list[int]) -> None:
    a, _, c, _ = filled
    with store.reading() as conn:
        street = {h.conversation_id: h for h in fts.search_conversations(conn, "street")}
    assert street[c].in_title
    assert street[c].message_hits == 0
    assert not street[a].in_title
    assert street[a].message_hits == 1
    assert street[a].first_message_index == 0


@pytest.mark.parametrize("typed", ["NEAR(x y)", "title:foo", "-bar", "^baz", "AND", "OR NOT",
                                   '"', "(", ")", "a OR", "{x}", "x:", "'", "\\", "*bar"])
def test_fts_syntax_is_never_interpreted(store: Store, filled: list[int], typed: str) -> None:
    with store.reading() as conn:
        fts.search_conversations(conn, typed)
        fts.search_messages(conn, typed)
        fts.count_conversations(conn, typed)


def test_operators_are_plain_words(store: Store, filled: list[int]) -> None:
    d = filled[3]
    with store.reading() as conn:
        assert [h.conversation_id for h in fts.search_conversations(conn, "title:foo")] == [d]
        assert [h.conversation_id for h in fts.search_conversations(conn, "OR NOT")] == [d]


def test_conversations_page_by_key(store: Store) -> None:
    ids = [add(store, f"s{i}", None, f"needle number {i}") for i in range(7)]
    with store.reading() as conn:
        seen, after = [], 0
        while page := fts.search_conversations(conn, "needle", after=after, limit=3):
            seen += [h.conversation_id for h in page]
            after = page[-1].conversation_id
        assert fts.count_conversations(conn, "needle") == 7
    assert seen == ids


def test_messages_page_in_reading_order_with_snippets(store: Store) -> None:
    first = add(store, "m1", None, "alpha needle", "beta", "gamma needle")
    second = add(store, "m2", None, "needle again")
    with store.reading() as conn:
        hits, after = [], (0, -1, 0)
        while page := fts.search_messages(conn, "needle", after=after, limit=2):
            hits += page
            after = page[-1].key
        only = fts.search_messages(conn, "needle", conversation_id=second)
    assert [(h.conversation_id, h.message_index) for h in hits] == [
        (first, 0), (first, 2), (second, 0)]
    assert hits[0].snippet == "alpha [needle]"
    assert [h.conversation_id for h in only] == [second]
