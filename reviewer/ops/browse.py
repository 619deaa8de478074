"""What the conversation browser reads: filtered, sorted keyset pages and
full-text search over the store."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from reviewer.store import paging
from reviewer.store.conversations import ConversationSummary
from reviewer.store.database import Store

__all__ = ["BrowseQuery", "ConversationSummary", "Page", "fetch_page", "filter_choices"]

SORT_KEYS = tuple(paging.SORT_COLUMNS)


@dataclass(frozen=True)
class BrowseQuery:
    """The browser's order and filter. ``state``: None, "pending", "done" or
    "conflict" (an open batch conflict);
    ``search``: words for full-text search over messages and titles."""

    sort: str = "id"
    descending: bool = False
    state: str | None = None
    entity: str | None = None
    role: str | None = None
    search: str = ""

    def with_changes(self, **changes: Any) -> BrowseQuery:
        return replace(self, **changes)

    def filter(self) -> paging.PageFilter:
        return paging.PageFilter(self.state, self.entity, self.role,
                                 as_you_type(self.search) or None)


def as_you_type(words: str) -> str:
    """Search while typing: the last, unfinished word matches as a prefix
    (``lea`` finds "lease"); quoted phrases and explicit ``*`` are left alone."""
    words = words.rstrip()
    if words and words[-1].isalnum() and words.count('"') % 2 == 0:
        return words + "*"
    return words


@dataclass(frozen=True)
class Page:
    rows: list[ConversationSummary]
    complete: bool


def cursor_of(row: ConversationSummary, sort: str) -> tuple[Any, int]:
    """The keyset cursor that continues after ``row``."""
    return paging.sort_value(row, sort), row.id


def fetch_page(
    store: Store,
    query: BrowseQuery,
    after: ConversationSummary | None = None,
    *,
    limit: int = 100,
    backwards: bool = False,
) -> Page:
    """The rows after ``after`` in the query's order (before it when ``backwards``).

    A backwards page is returned in display order, so it can be put in front.
    """
    if query.sort not in SORT_KEYS:
        raise ValueError(f"unknown sort key {query.sort!r}")
    descending = query.descending != backwards
    cursor = cursor_of(after, query.sort) if after is not None else None
    with store.reading() as conn:
        rows = paging.page(conn, query.filter(), sort=query.sort, descending=descending,
                           after=cursor, limit=limit)
    complete = len(rows) < limit
    if backwards:
        rows.reverse()
    return Page(rows, complete)


# The roles the importers write. Listed, not read from the store: no index covers
# messages.role, and a scan would cost a full read of the matter.
ROLES = ("user", "assistant", "system", "tool", "developer")


def filter_choices(store: Store) -> tuple[list[str], list[str]]:
    """(entities in the store, roles) for the filter pickers."""
    with store.reading() as conn:
        return paging.entities(conn), list(ROLES)
