"""What an export reads from the store, and the replacement numbers it keeps there.

Conversations are read in keyset batches with their messages and spans, so an
export holds one batch in memory however large the store is. The
``[ENTITY-N]`` numbers live in ``replacements`` keyed by an HMAC of the
normalised text (never the text itself), so every packet from this store gives
the same text the same number.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import string
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    exists,
    func,
    insert,
    not_,
    or_,
    select,
    true,
)

from reviewer.domain.errors import RefusedError
from reviewer.domain.models import Branch, Conversation, Origin, Span, Status
from reviewer.domain.normalize import normalize
from reviewer.store import meta
from reviewer.store.conversations import _message
from reviewer.store.schema import (
    ConversationRow,
    DecisionRow,
    MessageRow,
    ReplacementRow,
    SpanRow,
)
from reviewer.store.spans import span_from_row
from reviewer.store.sql import driver, page_cache
from reviewer.store.times import from_db

IN_CHUNK = 500
SCAN_CACHE_KIB = 8192
_EDGES = string.whitespace + string.punctuation
# Domain separation: the replacement keys are derived from, never equal to, the signing key.
_REPLACEMENT_LABEL = b"reviewer/replacement-numbers/v1"
_REFERENCE_LABEL = b"reviewer/packet-references/v1"


class SpanText(NamedTuple):
    """A span with the text it covers and where it is, for the export's first pass."""

    span_id: int
    conversation_id: int
    source_id: str
    message_index: int | None
    entity: str
    status: Status
    text: str
    origin: Origin = Origin.SUGGESTED


def scan_cache(conn: Connection) -> contextlib.AbstractContextManager[None]:
    """A small page cache while ``conn`` reads the whole store once (an export):
    every page is read once, front to back, so a large cache would only fill up."""
    return page_cache(conn, SCAN_CACHE_KIB)


def signing_key(conn: Connection) -> bytes:
    """The store's Ed25519 private key, raw 32 bytes."""
    value = meta.get(conn, "signing_key")
    if not value:
        raise RefusedError("This store has no signing key, so it cannot sign a packet.")
    return base64.b64decode(value)


def reviewers(conn: Connection) -> list[str]:
    """Everyone who recorded a decision in this store, sorted."""
    query = select(DecisionRow.reviewer).distinct().order_by(DecisionRow.reviewer)
    return [row[0] for row in conn.execute(query).all()]


def policy_hashes(conn: Connection) -> list[str]:
    """The policies the stored messages were analysed under, sorted."""
    query = (
        select(MessageRow.analyzed_policy).distinct()
        .where(MessageRow.analyzed_policy.is_not(None)).order_by(MessageRow.analyzed_policy)
    )
    return [str(row[0]) for row in conn.execute(query).all()]


# Every span of the statuses asked and its covered text; straight to the driver, as the
# first pass of an export reads every decided span of the store and SQLAlchemy's row
# handling was most of its time.
_SPAN_TEXTS = """
SELECT spans.id, spans.conversation_id, conversations.source_id, messages.idx, spans.entity,
       spans.status,
       substr(coalesce(messages.text, conversations.title, ''), spans.start + 1,
              spans."end" - spans.start),
       spans.origin
FROM spans JOIN conversations ON conversations.id = spans.conversation_id
LEFT OUTER JOIN messages ON messages.id = spans.message_id
WHERE spans.status IN ({statuses}) AND spans.id > ? {scope}
ORDER BY spans.id LIMIT ?"""
_ACTIVE_SCOPE = f"AND (spans.message_id IS NULL OR messages.branch = '{Branch.ACTIVE}')"
_STATUSES = {str(s): s for s in Status}
_ORIGINS = {str(o): o for o in Origin}


def span_texts(
    conn: Connection, statuses: Sequence[Status], active_only: bool, page: int = 2000
) -> Iterator[SpanText]:
    """Every span with one of ``statuses`` and its covered text, in id order (keyset pages)."""
    query = _SPAN_TEXTS.format(statuses=", ".join("?" * len(statuses)),
                               scope=_ACTIVE_SCOPE if active_only else "")
    asked = [str(s) for s in statuses]
    raw = driver(conn)
    after = 0
    while True:
        rows = raw.execute(query, (*asked, after, page)).fetchall()
        for row in rows:
            yield SpanText(row[0], row[1], row[2], row[3], row[4], _STATUSES[row[5]],
                           row[6] or "", _ORIGINS[row[7]])
        if len(rows) < page:
            return
        after = rows[-1][0]


@dataclass(frozen=True)
class ExportItem:
    """One conversation as the export reads it: its messages (in scope), their spans,
    and which of its texts were never analysed under the policy in force (message
    ids; None for the title)."""

    conversation: Conversation
    spans: list[Span]
    unanalysed: frozenset[int | None]


@dataclass(frozen=True)
class Unfinished:
    """A conversation an export cannot produce as it is: pending spans, or text never
    analysed under the policy in force."""

    conversation_id: int
    title: str
    pending: int
    unanalysed: int


def _message_unanalysed(policy_hash: str) -> ColumnElement[bool]:
    """A message with text that was never analysed under ``policy_hash`` (an empty
    text has nothing to analyse)."""
    return and_(MessageRow.text != "", or_(MessageRow.analyzed_policy.is_(None),
                                           MessageRow.analyzed_policy != policy_hash))


def _title_unanalysed(policy_hash: str) -> ColumnElement[bool]:
    return and_(ConversationRow.title.is_not(None), ConversationRow.title != "",
                or_(ConversationRow.title_policy.is_(None),
                    ConversationRow.title_policy != policy_hash))


def _in_scope(active_only: bool) -> ColumnElement[bool]:
    return MessageRow.branch == str(Branch.ACTIVE) if active_only else true()


def _pending_here(active_only: bool) -> ColumnElement[bool]:
    """A pending span in the conversation of the row, within the export's scope."""
    in_scope: ColumnElement[bool] = true()
    if active_only:
        in_scope = SpanRow.message_id.is_(None) | exists().where(
            MessageRow.id == SpanRow.message_id, MessageRow.branch == str(Branch.ACTIVE))
    return exists().where(SpanRow.conversation_id == ConversationRow.id,
                          SpanRow.status == str(Status.PENDING), in_scope)


def finished(policy_hash: str, active_only: bool) -> ColumnElement[bool]:
    """A conversation with nothing pending and every text analysed under ``policy_hash``."""
    unanalysed_message = exists().where(
        MessageRow.conversation_id == ConversationRow.id, _message_unanalysed(policy_hash),
        _in_scope(active_only),
    )
    return not_(or_(_pending_here(active_only), unanalysed_message,
                    _title_unanalysed(policy_hash)))


def count_conversations(conn: Connection, active_only: bool,
                        finished_under: str | None = None) -> int:
    """How many conversations an export reads (only the finished ones under a policy hash)."""
    query = select(func.count()).select_from(ConversationRow)
    if finished_under is not None:
        query = query.where(finished(finished_under, active_only))
    return int(conn.execute(query).scalar_one())


def titles(conn: Connection, ids: Sequence[int]) -> dict[int, str]:
    """Conversation id -> title ("" when it has none)."""
    found: dict[int, str] = {}
    for i in range(0, len(ids), IN_CHUNK):
        query = select(ConversationRow.id, ConversationRow.title).where(
            ConversationRow.id.in_(ids[i:i + IN_CHUNK]))
        found.update((int(row[0]), row[1] or "") for row in conn.execute(query).all())
    return found


def unfinished(conn: Connection, policy_hash: str, active_only: bool) -> Iterator[Unfinished]:
    """Every conversation with pending spans or unanalysed text, in id order."""
    pending = dict(conn.execute(_pending_counts(active_only)).all())
    stale = dict(conn.execute(
        select(MessageRow.conversation_id, func.count())
        .where(_message_unanalysed(policy_hash), _in_scope(active_only))
        .group_by(MessageRow.conversation_id)
    ).all())
    stale_titles = {row[0] for row in conn.execute(
        select(ConversationRow.id).where(_title_unanalysed(policy_hash))).all()}
    ids = sorted({*pending, *stale, *stale_titles})
    for i in range(0, len(ids), IN_CHUNK):
        chunk = ids[i:i + IN_CHUNK]
        named = titles(conn, chunk)
        for conv_id in chunk:
            yield Unfinished(conv_id, named.get(conv_id, ""), int(pending.get(conv_id, 0)),
                             int(stale.get(conv_id, 0)) + (conv_id in stale_titles))


def _pending_counts(active_only: bool) -> Any:
    query = (
        select(SpanRow.conversation_id, func.count())
        .outerjoin(MessageRow, MessageRow.id == SpanRow.message_id)
        .where(SpanRow.status == str(Status.PENDING))
    )
    if active_only:
        query = query.where(
            SpanRow.message_id.is_(None) | (MessageRow.branch == str(Branch.ACTIVE)))
    return query.group_by(SpanRow.conversation_id)


def conversation_batches(
    conn: Connection, *, active_only: bool, unanalysed_under: str | None = None,
    finished_under: str | None = None, batch: int = 100,
) -> Iterator[list[ExportItem]]:
    """Conversations in id order with their messages, spans and the texts not analysed
    under ``unanalysed_under`` (none when None), ``batch`` at a time; with
    ``finished_under``, only the conversations finished under that policy hash."""
    after = 0
    while True:
        query = select(ConversationRow).where(ConversationRow.id > after)
        if finished_under is not None:
            query = query.where(finished(finished_under, active_only))
        rows = conn.execute(query.order_by(ConversationRow.id).limit(batch)).all()
        if not rows:
            return
        yield _assemble(conn, rows, active_only, unanalysed_under)
        after = rows[-1].id


def _assemble(
    conn: Connection, rows: Sequence[Any], active_only: bool, policy_hash: str | None
) -> list[ExportItem]:
    ids = [row.id for row in rows]
    msg_query = select(MessageRow).where(MessageRow.conversation_id.in_(ids))
    if active_only:
        msg_query = msg_query.where(MessageRow.branch == str(Branch.ACTIVE))
    messages: dict[int, list[Any]] = {i: [] for i in ids}
    unanalysed: dict[int, set[int | None]] = {i: set() for i in ids}
    for m in conn.execute(msg_query.order_by(MessageRow.conversation_id, MessageRow.idx)).all():
        messages[m.conversation_id].append(_message(m))
        if policy_hash is not None and m.text and m.analyzed_policy != policy_hash:
            unanalysed[m.conversation_id].add(m.id)
    if policy_hash is not None:
        for row in rows:
            if row.title and row.title_policy != policy_hash:
                unanalysed[row.id].add(None)
    kept = {m.id for msgs in messages.values() for m in msgs}
    spans: dict[int, list[Span]] = {i: [] for i in ids}
    span_query = select(SpanRow).where(SpanRow.conversation_id.in_(ids)).order_by(SpanRow.id)
    for s in conn.execute(span_query).all():
        if s.message_id is None or s.message_id in kept:
            spans[s.conversation_id].append(span_from_row(s._mapping))
    return [
        ExportItem(Conversation(
            source_id=row.source_id, title=row.title, messages=tuple(messages[row.id]),
            created_at=from_db(row.created_at), updated_at=from_db(row.updated_at), id=row.id,
        ), spans[row.id], frozenset(unanalysed[row.id]))
        for row in rows
    ]


def replacement_text(text: str) -> str:
    """What counts as "the same text" for a replacement number: normalised, case and
    runs of white space folded, punctuation at the edges dropped."""
    return " ".join(normalize(text, casefold=True).text.split()).strip(_EDGES)


def _text_key(secret: bytes, text: str) -> str:
    message = replacement_text(text).encode("utf-8")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def _secret(conn: Connection, label: bytes = _REPLACEMENT_LABEL) -> bytes:
    # Derived from the signing key rather than the store key: a passphrase change
    # re-keys the store, and the numbers must survive it.
    return hmac.new(signing_key(conn), label, hashlib.sha256).digest()


def reference_secret(conn: Connection) -> bytes:
    """The key of the references a packet shows for free-text fields (source ids, file
    names): stable for the store, never equal to the signing key."""
    return _secret(conn, _REFERENCE_LABEL)


def replacement_numbers(
    conn: Connection, pairs: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """(entity, text) -> its stable number; new pairs get the entity's next numbers.

    Texts that normalise alike (case, width, invisibles, runs of white space)
    share a number.

    Call inside a write transaction.
    """
    secret = _secret(conn)
    keyed = {pair: (pair[0], _text_key(secret, pair[1])) for pair in pairs}
    known = _known_numbers(conn, set(keyed.values()))
    # New numbers follow the order of ``pairs``: the first person met is the lowest N.
    new = [key for key in dict.fromkeys(keyed.values()) if key not in known]
    known.update(_number_new(conn, new))
    return {pair: known[entity_key] for pair, entity_key in keyed.items()}


def _known_numbers(conn: Connection, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    text_keys = sorted({key for _, key in wanted})
    found: dict[tuple[str, str], int] = {}
    for i in range(0, len(text_keys), IN_CHUNK):
        query = select(ReplacementRow.entity, ReplacementRow.text_key, ReplacementRow.number).where(
            ReplacementRow.text_key.in_(text_keys[i:i + IN_CHUNK])
        )
        for entity, key, number in conn.execute(query).all():
            if (entity, key) in wanted:
                found[(entity, key)] = int(number)
    return found


def _number_new(
    conn: Connection, new: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    if not new:
        return {}
    highest = dict(conn.execute(
        select(ReplacementRow.entity, func.max(ReplacementRow.number))
        .group_by(ReplacementRow.entity)
    ).all())
    numbered: dict[tuple[str, str], int] = {}
    for entity, key in new:
        highest[entity] = int(highest.get(entity) or 0) + 1
        numbered[(entity, key)] = highest[entity]
    conn.execute(insert(ReplacementRow), [
        {"entity": entity, "text_key": key, "number": number}
        for (entity, key), number in numbered.items()
    ])
    return numbered
