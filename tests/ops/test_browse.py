"""Keyset pages of the browser: order, filters, full-text search, no gaps or repeats."""

from __future__ import annotations

from typing import Any

import pytest

from reviewer.domain.models import Status
from reviewer.ops import browse
from reviewer.ops.browse import BrowseQuery
from reviewer.ops.decisions import decide
from tests.ops.review_builders import add_chat, add_many


def _all_pages(store: Any, query: BrowseQuery, limit: int = 3) -> list[int]:
    seen: list[int] = []
    after = None
    while True:
        page = browse.fetch_page(store, query, after, limit=limit)
        seen += [r.id for r in page.rows]
        if page.complete:
            return seen
        after = page.rows[-1]


def test_pages_cover_every_row_once_in_order(store: Any) -> None:
    ids = add_many(store, 10)
    assert _all_pages(store, BrowseQuery()) == ids
    assert _all_pages(store, BrowseQuery(descending=True)) == ids[::-1]


@pytest.mark.parametrize("sort", browse.SORT_KEYS)
@pytest.mark.parametrize("descending", [False, True])
def test_every_sort_key_pages_without_gaps(store: Any, sort: str, descending: bool) -> None:
    ids = add_many(store, 7)
    add_chat(store, "untitled-ish", [("user", "x")], title="")
    decide(store, [1, 2], Status.APPROVED, "tester")
    got = _all_pages(store, BrowseQuery(sort=sort, descending=descending), limit=2)
    assert sorted(got) == sorted([*ids, ids[-1] + 1])
    assert len(got) == len(set(got))


def test_backwards_page_ends_at_the_last_row(store: Any) -> None:
    ids = add_many(store, 5)
    page = browse.fetch_page(store, BrowseQuery(), None, limit=2, backwards=True)
    assert [r.id for r in page.rows] == ids[-2:]
    before = browse.fetch_page(store, BrowseQuery(), page.rows[0], limit=2, backwards=True)
    assert [r.id for r in before.rows] == ids[-4:-2]


def test_filters_state_entity_role(store: Any) -> None:
    a = add_chat(store, "a", [("user", "Call Bob at 555-0100")], [(0, "555-0100", "PHONE_NUMBER")])
    b = add_chat(store, "b", [("assistant", "Bob said hi")], [(0, "Bob", "PERSON")])
    c = add_chat(store, "c", [("user", "nothing here")])
    decide(store, [2], Status.REJECTED, "tester")
    assert _all_pages(store, BrowseQuery(state="pending")) == [a]
    assert _all_pages(store, BrowseQuery(state="done")) == [b, c]
    assert _all_pages(store, BrowseQuery(entity="PERSON")) == [b]
    assert _all_pages(store, BrowseQuery(role="assistant")) == [b]


def test_search_finds_messages_and_titles(store: Any) -> None:
    a = add_chat(store, "a", [("user", "The lease ends in March")])
    b = add_chat(store, "b", [("user", "hello")], title="Leasehold question")
    add_chat(store, "c", [("user", "unrelated")])
    assert _all_pages(store, BrowseQuery(search="lease")) == [a, b]
    assert _all_pages(store, BrowseQuery(search='"march')) == [a]
    assert _all_pages(store, BrowseQuery(search="   ")) == [a, b, a + 2]


def test_search_as_you_type_prefixes_the_last_word() -> None:
    assert browse.as_you_type("lea") == "lea*"
    assert browse.as_you_type('"canal st') == '"canal st'
    assert browse.as_you_type("x*") == "x*"


def test_filter_choices_list_the_entities_in_use(store: Any) -> None:
    add_chat(store, "a", [("user", "Call Bob at 555-0100")],
             [(0, "555-0100", "PHONE_NUMBER"), (0, "Bob", "PERSON")])
    add_chat(store, "b", [("user", "Bob again")], [(0, "Bob", "PERSON")])
    entities, roles = browse.filter_choices(store)
    assert entities == ["PERSON", "PHONE_NUMBER"]
    assert "assistant" in roles


def test_totals_count_every_status(store: Any) -> None:
    from reviewer.ops.review import status_totals

    add_many(store, 3)
    decide(store, [1], Status.APPROVED, "tester")
    decide(store, [2], Status.REJECTED, "tester")
    assert status_totals(store) == {"pending": 1, "approved": 1, "rejected": 1}
