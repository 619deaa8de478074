"""What the suggestion service still has to analyse, and recording that it did.

A message (or a conversation title) is analysed under a policy hash; work is
selected by conversation in keyset pages, so a run that was stopped continues
where it left off. Re-analysis replaces only pending machine spans that no
reviewer ever touched; decided, manual and upstream spans stay as they are.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    case,
    delete,
    exists,
    func,
    or_,
    select,
    update,
)

from reviewer.domain.models import Origin, Status, Suggestion
from reviewer.store import meta, spans
from reviewer.store.schema import ConversationRow, DecisionRow, MessageRow, SpanRow
from reviewer.store.sql import driver

REPLACEABLE = (str(Origin.SUGGESTED), str(Origin.PROPAGATED))


@dataclass
class TextToAnalyse:
    """A message (``message_id`` None: the title) and whether it needs analysis."""

    message_id: int | None
    text: str
    pending: bool


@dataclass
class ConversationWork:
    """One conversation's texts, its stored spans and the texts reviewers rejected.

    ``spans`` maps a message id (None: the title) to (start, end, entity, status,
    replaceable) of its stored spans; replaceable ones go when the text is re-analysed.
    """

    conversation_id: int
    texts: list[TextToAnalyse]
    spans: dict[int | None, list[tuple[int, int, str, str, bool]]] = field(default_factory=dict)
    rejected: set[str] = field(default_factory=set)

    def kept(self, message_id: int | None) -> list[tuple[int, int]]:
        """Spans of a text that re-analysis keeps: new spans must not overlap them."""
        return [(s[0], s[1]) for s in self.spans.get(message_id, []) if not s[4]]


@dataclass(frozen=True)
class AnalysedText:
    """The final suggestions for one text of one conversation."""

    conversation_id: int
    message_id: int | None
    suggestions: Sequence[Suggestion]
    language: str | None = None
    names_searched: bool | None = None


def _message_stale(policy_hash: str) -> ColumnElement[bool]:
    return or_(MessageRow.analyzed_policy.is_(None), MessageRow.analyzed_policy != policy_hash)


def _conversation_stale(policy_hash: str) -> ColumnElement[bool]:
    title_stale = and_(
        ConversationRow.title.is_not(None), ConversationRow.title != "",
        or_(ConversationRow.title_policy.is_(None), ConversationRow.title_policy != policy_hash),
    )
    message_stale = exists().where(
        MessageRow.conversation_id == ConversationRow.id, _message_stale(policy_hash)
    )
    return or_(title_stale, message_stale)


def count_stale(conn: Connection, policy_hash: str) -> tuple[int, int]:
    """(conversations, messages) not yet analysed under ``policy_hash``."""
    conversations = conn.execute(
        select(func.count()).select_from(ConversationRow).where(_conversation_stale(policy_hash))
    ).scalar_one()
    messages = conn.execute(
        select(func.count()).select_from(MessageRow).where(_message_stale(policy_hash))
    ).scalar_one()
    return int(conversations), int(messages)


def stale_conversations(conn: Connection, policy_hash: str, after: int, limit: int) -> list[int]:
    """Ids of conversations with something not analysed under ``policy_hash`` (keyset page)."""
    query = (
        select(ConversationRow.id)
        .where(ConversationRow.id > after, _conversation_stale(policy_hash))
        .order_by(ConversationRow.id).limit(limit)
    )
    return [int(row[0]) for row in conn.execute(query).all()]


def load_work(conn: Connection, conversation_id: int, policy_hash: str) -> ConversationWork:
    """Everything the analysis of one conversation needs."""
    conv = conn.execute(
        select(ConversationRow.title, ConversationRow.title_policy)
        .where(ConversationRow.id == conversation_id)
    ).one()
    texts = []
    if conv.title:
        texts.append(TextToAnalyse(None, conv.title, conv.title_policy != policy_hash))
    rows = conn.execute(
        select(MessageRow.id, MessageRow.text, MessageRow.analyzed_policy)
        .where(MessageRow.conversation_id == conversation_id)
        .order_by(MessageRow.idx, MessageRow.id)
    ).all()
    texts.extend(TextToAnalyse(r.id, r.text, r.analyzed_policy != policy_hash) for r in rows)
    work = ConversationWork(conversation_id, texts)
    _attach_spans(conn, work)
    return work


def _attach_spans(conn: Connection, work: ConversationWork) -> None:
    text_of = {t.message_id: t.text for t in work.texts}
    rows = conn.execute(
        select(SpanRow.message_id, SpanRow.start, SpanRow.end, SpanRow.entity, SpanRow.status,
               _replaceable().label("replaceable"))
        .where(SpanRow.conversation_id == work.conversation_id)
    ).all()
    for row in rows:
        work.spans.setdefault(row.message_id, []).append(
            (row.start, row.end, row.entity, row.status, bool(row.replaceable)))
        if row.status == str(Status.REJECTED) and row.message_id in text_of:
            work.rejected.add(text_of[row.message_id][row.start:row.end])


def _replaceable() -> ColumnElement[bool]:
    """Pending machine spans that no reviewer ever touched."""
    return and_(
        SpanRow.status == str(Status.PENDING), SpanRow.origin.in_(REPLACEABLE),
        ~exists().where(DecisionRow.span_id == SpanRow.id),
    )


def _of_text(conversation_id: int, message_id: int | None) -> ColumnElement[bool]:
    return and_(
        SpanRow.conversation_id == conversation_id,
        SpanRow.message_id.is_(None) if message_id is None else SpanRow.message_id == message_id,
    )


def save_batch(conn: Connection, results: Sequence[AnalysedText], policy_hash: str,
               actor: str) -> tuple[Counter[str], int]:
    """Store a batch's suggestions, replacing untouched pending ones; mark texts analysed.

    Returns the spans added per origin and how many old suggestions were replaced.
    A few set-wise statements per batch, not several per text: the analysing
    process stores while the workers wait for its next batch.
    """
    raw = driver(conn)
    texts = _TextSets(results)
    replaced = sum(int(raw.execute(f"DELETE FROM spans WHERE {where} AND {_REPLACEABLE_SQL}",
                                   chunk).rowcount or 0)
                   for where, chunk in texts.wheres())
    kept: dict[tuple[int, int | None], list[tuple[int, int]]] = defaultdict(list)
    for where, chunk in texts.wheres():
        for conv_id, message_id, start, end in raw.execute(
                f'SELECT conversation_id, message_id, start, "end" FROM spans WHERE {where}',
                chunk):
            kept[(conv_id, message_id)].append((start, end))
    added: Counter[str] = Counter()
    for result in results:
        held = kept.get((result.conversation_id, result.message_id), [])
        fresh = [s for s in result.suggestions
                 if not any(a < s.end and s.start < b for a, b in held)]
        spans.add(conn, result.conversation_id, result.message_id, fresh, policy_hash,
                  decided_by=actor)
        added.update(str(s.origin) for s in fresh)
    raw.executemany(
        "UPDATE messages SET analyzed_policy = ?, language = ?, names_searched = ? WHERE id = ?",
        [(policy_hash, r.language, r.names_searched, r.message_id)
         for r in results if r.message_id is not None])
    raw.executemany("UPDATE conversations SET title_policy = ? WHERE id = ?",
                    [(policy_hash, conv_id) for conv_id in texts.titles])
    return added, replaced


# ``_replaceable()`` in SQL, for the driver's statements on a batch's texts.
_REPLACEABLE_SQL = (
    f"status = '{Status.PENDING}' AND origin IN ({', '.join(repr(o) for o in REPLACEABLE)}) "
    "AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.span_id = spans.id)")
IDS_PER_STATEMENT = 500


class _TextSets:
    """A batch's texts as id lists: its messages, and the conversations whose title it holds."""

    def __init__(self, results: Sequence[AnalysedText]) -> None:
        self.messages = [r.message_id for r in results if r.message_id is not None]
        self.titles = [r.conversation_id for r in results if r.message_id is None]

    def wheres(self) -> Iterator[tuple[str, list[int]]]:
        """(condition, ids) that select the spans of these texts, a chunk of ids at a time."""
        for condition, ids in (("message_id IN ({})", self.messages),
                               ("message_id IS NULL AND conversation_id IN ({})", self.titles)):
            for at in range(0, len(ids), IDS_PER_STATEMENT):
                chunk = ids[at:at + IDS_PER_STATEMENT]
                yield condition.format(", ".join("?" * len(chunk))), chunk


def clear_replaceable(conn: Connection, conversation_id: int, message_id: int | None) -> int:
    """Delete the pending machine spans of one text that no reviewer ever touched."""
    where = and_(_of_text(conversation_id, message_id), _replaceable())
    return int(conn.execute(delete(SpanRow).where(where)).rowcount or 0)


def mark_analyzed(conn: Connection, conversation_id: int, message_ids: Sequence[int | None],
                  policy_hash: str) -> None:
    """Record that these texts were analysed under ``policy_hash``."""
    ids = [m for m in message_ids if m is not None]
    if ids:
        conn.execute(update(MessageRow).where(MessageRow.id.in_(ids))
                     .values(analyzed_policy=policy_hash))
    if None in message_ids:
        conn.execute(update(ConversationRow).where(ConversationRow.id == conversation_id)
                     .values(title_policy=policy_hash))


def marker_counts(conn: Connection) -> dict[str, int]:
    """Spans from upstream redaction markers, per marker type, for ``stats``."""
    query = (
        select(SpanRow.recognizer, func.count()).where(SpanRow.origin == str(Origin.UPSTREAM))
        .group_by(SpanRow.recognizer)
    )
    return {str(name).removeprefix("upstream:"): int(n) for name, n in conn.execute(query).all()}


PATTERN_ONLY_KEY = "analysis_pattern_only"


def record_pattern_only(conn: Connection, pattern_only: bool) -> None:
    """Remember whether the last analysis ran without a spaCy pipeline."""
    meta.put(conn, PATTERN_ONLY_KEY, "1" if pattern_only else "0")


def summary(conn: Connection) -> dict[str, Any]:
    """Extra ``stats`` fields: upstream markers per type, whether the last analysis
    ran on patterns only (None: never analysed), and analysed messages per language."""
    flag = meta.get(conn, PATTERN_ONLY_KEY)
    return {"upstream_markers": marker_counts(conn),
            "pattern_only": None if flag is None else flag == "1",
            "languages": language_counts(conn)}


def language_counts(conn: Connection) -> dict[str, dict[str, int]]:
    """Per language code: the analysed messages, and those where names were not
    looked for (no pipeline reads the language: a reviewer reads them by eye)."""
    unsearched = func.sum(case((MessageRow.names_searched.is_(False), 1), else_=0))
    query = (
        select(MessageRow.language, func.count(), unsearched)
        .where(MessageRow.language.is_not(None)).group_by(MessageRow.language)
        .order_by(MessageRow.language)
    )
    return {str(language): {"messages": int(n), "names_not_searched": int(off or 0)}
            for language, n, off in conn.execute(query).all()}


def unsearched_languages(conn: Connection, conversation_id: int) -> dict[int, str]:
    """Message id -> language code of the conversation's messages where names were
    not looked for."""
    query = select(MessageRow.id, MessageRow.language).where(
        MessageRow.conversation_id == conversation_id, MessageRow.names_searched.is_(False))
    return {int(row.id): str(row.language or "und") for row in conn.execute(query).all()}


def custom_policy(conn: Connection) -> tuple[str, str] | None:
    """(where it was read from, YAML text) of the custom policy this store is
    analysed under; None when it is the shipped one."""
    text = meta.get(conn, "custom_policy_text")
    return (meta.get(conn, "custom_policy_source") or "policy", text) if text else None


def set_custom_policy(conn: Connection, source: str, text: str) -> None:
    """Record the custom policy in force (an empty text: the shipped one)."""
    meta.put_many(conn, {"custom_policy_source": source, "custom_policy_text": text})
