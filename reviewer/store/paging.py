"""Queries behind the review window: filtered keyset pages of the browser,
pending-span navigation, same-text spans for bulk approval.

Every page is a keyset query ordered by (sort column, id), never OFFSET, so the
cost of a page does not grow with the matter. NULL sorts first, as in SQLite.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    exists,
    func,
    literal,
    or_,
    select,
    text,
    union,
)

from reviewer.domain.models import Status
from reviewer.store.conversations import ConversationSummary
from reviewer.store.schema import CONFLICTED_CONVERSATIONS, ConversationRow, MessageRow, SpanRow
from reviewer.store.search import fts_query

SORT_COLUMNS: dict[str, Any] = {
    "id": ConversationRow.id,
    "source": ConversationRow.source_id,
    "title": ConversationRow.title,
    "created": ConversationRow.created_at,
    "messages": ConversationRow.n_messages,
    "pending": ConversationRow.n_pending,
    "approved": ConversationRow.n_approved,
    "rejected": ConversationRow.n_rejected,
}

SUMMARY_COLUMNS = (
    ConversationRow.id, ConversationRow.source_id, ConversationRow.title,
    ConversationRow.created_at, ConversationRow.n_messages, ConversationRow.n_pending,
    ConversationRow.n_approved, ConversationRow.n_rejected,
    # Uncorrelated, so SQLite lists the conflicted conversations once per page (the
    # conflicts are few) and each row costs one probe of that list.
    ConversationRow.id.in_(text(CONFLICTED_CONVERSATIONS)),
)


@dataclass(frozen=True)
class PageFilter:
    """What the browser shows: ``state`` is None, "pending", "done" (nothing pending
    and no conflict open) or "conflict" (a span a batch merge left in conflict, not
    yet settled)."""

    state: str | None = None
    entity: str | None = None
    role: str | None = None
    match: str | None = None


def _pending_count() -> Any:
    """``n_pending`` as an expression SQLite will not look up in its index.

    Given ``n_pending > 0 ORDER BY id LIMIT k``, the planner otherwise walks the
    pending index over the whole matter and sorts; through the primary key it stops
    after k rows.
    """
    return ConversationRow.n_pending + 0


def _filter_clauses(flt: PageFilter) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if flt.state == "pending":
        clauses.append(_pending_count() > 0)
    elif flt.state == "done":  # all decided is not done while a lead must settle a span
        clauses.append(_pending_count() == 0)
        clauses.append(~ConversationRow.id.in_(text(CONFLICTED_CONVERSATIONS)))
    elif flt.state == "conflict":
        clauses.append(ConversationRow.id.in_(text(CONFLICTED_CONVERSATIONS)))
    if flt.entity:
        clauses.append(exists().where(
            SpanRow.conversation_id == ConversationRow.id, SpanRow.entity == flt.entity
        ))
    if flt.role:
        clauses.append(exists().where(
            MessageRow.conversation_id == ConversationRow.id, MessageRow.role == flt.role
        ))
    query = fts_query(flt.match or "")
    if query is not None:
        clauses.append(ConversationRow.id.in_(_fts_hits(query)))
    return clauses


def _fts_hits(query: str) -> Any:
    in_messages = select(MessageRow.conversation_id).where(MessageRow.id.in_(
        select(text("rowid")).select_from(text("message_fts"))
        .where(text("message_fts MATCH :q").bindparams(q=query))
    ))
    in_titles = select(text("rowid")).select_from(text("title_fts")).where(
        text("title_fts MATCH :qt").bindparams(qt=query)
    )
    return union(in_messages, in_titles)


def _after(column: Any, value: Any, last_id: int, descending: bool) -> ColumnElement[bool]:
    """Rows after (value, last_id) in (column, id) order, with NULL lowest."""
    if column is ConversationRow.id:
        return column < last_id if descending else column > last_id
    tie = and_(column == value, ConversationRow.id < last_id if descending else
               ConversationRow.id > last_id)
    if value is None:
        null_tie = and_(column.is_(None), ConversationRow.id < last_id if descending else
                        ConversationRow.id > last_id)
        return null_tie if descending else or_(null_tie, column.is_not(None))
    if descending:
        return or_(column < value, column.is_(None), tie)
    return or_(column > value, tie)


def page(
    conn: Connection,
    flt: PageFilter,
    *,
    sort: str = "id",
    descending: bool = False,
    after: tuple[Any, int] | None = None,
    limit: int = 100,
) -> list[ConversationSummary]:
    """One keyset page: the rows after ``after`` = (sort value, id) of the previous page."""
    column = SORT_COLUMNS[sort]
    query = select(*SUMMARY_COLUMNS).where(*_filter_clauses(flt))
    if after is not None:
        query = query.where(_after(column, after[0], after[1], descending))
    if descending:
        order = [column.desc(), ConversationRow.id.desc()]
    else:
        order = [column, ConversationRow.id]
    if column is ConversationRow.id:
        order = order[1:]
    rows = conn.execute(query.order_by(*order).limit(limit)).all()
    return [ConversationSummary(*row[:-1], conflicted=bool(row[-1])) for row in rows]


def sort_value(row: ConversationSummary, sort: str) -> Any:
    """The value of ``row`` in the sort column (the keyset cursor's first half)."""
    field = {"created": "created_at", "messages": "n_messages", "pending": "n_pending",
             "approved": "n_approved", "rejected": "n_rejected", "source": "source_id"}
    return getattr(row, field.get(sort, sort))


def pending_in(conn: Connection, conv_id: int) -> list[int]:
    """Pending span ids of one conversation in reading order (title first)."""
    query = (
        # ``status || ''`` keeps SQLite on the conversation index: the status index would
        # walk every pending span of the matter to find this conversation's few.
        select(SpanRow.id).where(SpanRow.conversation_id == conv_id,
                                 SpanRow.status + "" == str(Status.PENDING))
        .order_by(SpanRow.message_id.is_not(None), SpanRow.message_id, SpanRow.start)
    )
    return [int(r[0]) for r in conn.execute(query).all()]


def next_pending_conversation(conn: Connection, after_id: int) -> int | None:
    """The first conversation with pending spans after ``after_id``, wrapping around."""
    for clause in (ConversationRow.id > after_id, ConversationRow.id <= after_id):
        found = conn.execute(
            select(ConversationRow.id).where(clause, _pending_count() > 0)
            .order_by(ConversationRow.id).limit(1)
        ).scalar_one_or_none()
        if found is not None:
            return int(found)
    return None


def span_text_expr() -> Any:
    """The covered text of a span, in SQL (substr counts code points, as Python does)."""
    source = func.coalesce(MessageRow.text, ConversationRow.title, literal(""))
    return func.substr(source, SpanRow.start + 1, SpanRow.end - SpanRow.start)


def pending_with_text(conn: Connection, entity: str, covered: str) -> list[int]:
    """Every pending span store-wide with this entity whose covered text is ``covered``."""
    query = (
        select(SpanRow.id)
        .join(ConversationRow, ConversationRow.id == SpanRow.conversation_id)
        .outerjoin(MessageRow, MessageRow.id == SpanRow.message_id)
        .where(SpanRow.entity == entity, SpanRow.status == str(Status.PENDING),
               SpanRow.end - SpanRow.start == len(covered), span_text_expr() == covered)
        .order_by(SpanRow.id)
    )
    return [int(r[0]) for r in conn.execute(query).all()]


def status_totals(conn: Connection) -> dict[str, int]:
    """Spans per status over the whole store, counted on the status index alone (a
    fraction of the pages a scan of the conversations would read)."""
    return {
        str(status): int(conn.execute(
            select(func.count()).select_from(SpanRow).where(SpanRow.status == str(status))
        ).scalar_one())
        for status in Status
    }


ENTITY_SKIP_SCAN = text("""
WITH RECURSIVE e(entity) AS (
  SELECT min(entity) FROM spans
  UNION ALL
  SELECT (SELECT min(entity) FROM spans WHERE entity > e.entity) FROM e
   WHERE e.entity IS NOT NULL
)
SELECT entity FROM e WHERE entity IS NOT NULL
""")


def entities(conn: Connection) -> list[str]:
    """The entities in use: one index probe per distinct entity, whatever the matter's size."""
    return [str(r[0]) for r in conn.execute(ENTITY_SKIP_SCAN).all()]
