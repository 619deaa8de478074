"""The review window's use cases beyond deciding: reading a conversation with
its spans, moving between pending spans, finding same-text spans for bulk
approval, manual spans, reason codes, totals, and review sessions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from reviewer.domain.changes import Changes
from reviewer.domain.errors import RefusedError
from reviewer.domain.models import Conversation, Decision, Origin, Span, Status, Suggestion
from reviewer.domain.policy import Policy
from reviewer.store import analysis, audit, conversations, paging, spans
from reviewer.store.database import Store
from reviewer.suggest.language import language_name

DEFAULT_REASONS: tuple[tuple[str, str], ...] = (
    ("", "no reason"),
    ("PII", "personal data"),
    ("CONFIDENTIAL", "confidential business information"),
    ("PRIVILEGED", "attorney-client privilege"),
    ("NOT_PII", "not personal data"),
    ("PUBLIC", "public figure or public information"),
)

DEFAULT_ENTITIES: tuple[str, ...] = (
    "PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "LOCATION", "ADDRESS", "DATE_TIME",
    "CREDIT_CARD", "IBAN_CODE", "US_SSN", "IP_ADDRESS", "URL", "API_KEY",
    "MEDICAL", "ORGANIZATION", "OTHER",
)


@dataclass(frozen=True)
class ConversationDetail:
    """One conversation as the review window shows it: messages, spans in reading
    order (title spans first) and the text each span covers."""

    conversation: Conversation
    spans: tuple[Span, ...]
    texts: dict[int, str]
    # Message id -> the language (a name: "Korean") of messages where the analysis
    # looked for no names: no pipeline reads that language.
    unsearched: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SpanDetail:
    span: Span
    text: str
    history: tuple[Decision, ...]


def conversation_detail(store: Store, conv_id: int) -> ConversationDetail:
    with store.reading() as conn:
        conv = conversations.get_conversation(conn, conv_id)
        found = spans.for_conversation(conn, conv_id)
        unsearched = analysis.unsearched_languages(conn, conv_id)
    texts = {m.id: m.text for m in conv.messages}
    return ConversationDetail(conv, tuple(found),
                              {s.id: covered_text(conv, s, texts) for s in found},
                              {m: language_name(code) for m, code in unsearched.items()})


def covered_text(conv: Conversation, span: Span,
                 texts: dict[int | None, str] | None = None) -> str:
    """The text ``span`` covers; ``texts`` (message id -> text) spares a search."""
    if span.message_id is None:
        return (conv.title or "")[span.start:span.end]
    if texts is None:
        texts = {m.id: m.text for m in conv.messages}
    return texts[span.message_id][span.start:span.end]


def span_detail(store: Store, span_id: int) -> SpanDetail:
    with store.reading() as conn:
        span = spans.get(conn, span_id)
        history = spans.history(conn, span_id)
        conv = conversations.get_conversation(conn, span.conversation_id)
    return SpanDetail(span, covered_text(conv, span), tuple(history))


def span_detail_history(store: Store, span_id: int) -> list[Decision]:
    """The decision history of one span (who, when, what), oldest first."""
    with store.reading() as conn:
        return spans.history(conn, span_id)


def spans_by_id(store: Store, span_ids: Sequence[int]) -> list[Span]:
    with store.reading() as conn:
        return [spans.get(conn, sid) for sid in span_ids]


def first_pending_span(store: Store) -> Span | None:
    """The first pending span of the store (the one that is current after unlocking)."""
    return next_pending_span(store, None)


def next_pending_span(store: Store, after: Span | None) -> Span | None:
    """The next pending span in reading order: later in the same conversation, else the
    first of the next conversation with pending spans, wrapping around the store."""
    with store.reading() as conn:
        if after is not None:
            ids = paging.pending_in(conn, after.conversation_id)
            later = _after_in_order(conn, ids, after)
            if later is not None:
                return later
        conv_id = paging.next_pending_conversation(conn, after.conversation_id if after else 0)
        if conv_id is None:
            return None
        return spans.get(conn, paging.pending_in(conn, conv_id)[0])


def _after_in_order(conn: Any, ids: list[int], after: Span) -> Span | None:
    key = _order_key(after)
    for sid in ids:
        candidate = spans.get(conn, sid)
        if _order_key(candidate) > key:
            return candidate
    return None


def _order_key(span: Span) -> tuple[int, int, int, int]:
    message = -1 if span.message_id is None else span.message_id
    return (message, span.start, span.end, span.id)


def same_text_pending(store: Store, span_id: int) -> list[int]:
    """Every pending span store-wide with the same text and entity as ``span_id``
    (itself included when pending): what ``Shift+A`` approves."""
    detail = span_detail(store, span_id)
    with store.reading() as conn:
        return paging.pending_with_text(conn, detail.span.entity, detail.text)


def add_manual_span(
    store: Store, conv_id: int, message_id: int | None, start: int, end: int,
    entity: str, reviewer: str,
) -> Changes:
    """A reviewer's own span over ``[start, end)``, approved at once: one transaction
    with its audit entry. The changes hold the span and its approving decision."""
    if end <= start:
        raise RefusedError("Select some text first: a manual span cannot be empty.")
    with store.transaction() as conn:
        counted = spans.watch(conn, [conv_id])
        suggestion = Suggestion(start=start, end=end, entity=entity, score=1.0,
                                recognizer="reviewer", origin=Origin.MANUAL)
        (span_id,) = spans.add(conn, conv_id, message_id, [suggestion], None)
        made = spans.decide(conn, span_id, Status.APPROVED, reviewer, "MANUAL")
        audit.append(conn, reviewer, "manual_span", {
            "span_id": span_id, "conversation_id": conv_id, "message_id": message_id,
            "start": start, "end": end, "entity": entity, "decision_id": made.id,
        })
        return spans.changes(conn, counted, decisions=[made], span_ids=[span_id])


def remove_manual_span(store: Store, span_id: int, reviewer: str) -> Changes:
    """Undo the making of a manual span: the span goes, with its decisions, in one
    transaction with its audit entry. Only a manual span can be removed."""
    with store.transaction() as conn:
        span = spans.get(conn, span_id)
        if span.origin is not Origin.MANUAL:
            raise RefusedError(f"Span {span_id} is not a manual span: it can only be decided.")
        counted = spans.watch(conn, [span.conversation_id])
        decision_ids = [d.id for d in spans.history(conn, span_id)]
        spans.withdraw(conn, span)
        audit.append(conn, reviewer, "manual_span_removed", {
            "span_id": span_id, "conversation_id": span.conversation_id,
            "message_id": span.message_id, "start": span.start, "end": span.end,
            "entity": span.entity, "status": str(span.status), "decision_ids": decision_ids,
        })
        return spans.changes(conn, counted, removed=[span])


def status_totals(store: Store) -> dict[str, int]:
    """pending / approved / rejected over the store (reads every conversation row:
    run it in the background on big stores)."""
    with store.reading() as conn:
        return paging.status_totals(conn)


def start_session(store: Store, reviewer: str) -> datetime:
    """Record the start of a review session (unlock) in the audit log (a read-only
    store records nothing: no decision can be made in it either)."""
    started = datetime.now(UTC)
    if store.read_only:
        return started
    with store.transaction() as conn:
        audit.append(conn, reviewer, "review_session_start",
                     {"reviewer": reviewer, "started_at": started.isoformat()})
    return started


def end_session(store: Store, reviewer: str, started: datetime, decisions: int) -> None:
    """Record the end of a review session (lock or quit) with its number of decisions."""
    if store.read_only:
        return
    with store.transaction() as conn:
        audit.append(conn, reviewer, "review_session_end", {
            "reviewer": reviewer, "started_at": started.isoformat(),
            "ended_at": datetime.now(UTC).isoformat(), "decisions": decisions,
        })


def reason_codes(policy: Policy | None) -> list[tuple[str, str]]:
    """(code, label) pairs from the policy's ``reason_codes``; defaults when it has none."""
    if policy is None or not policy.reason_codes:
        return list(DEFAULT_REASONS)
    return [("", "no reason"), *((r.code, r.label) for r in policy.reason_codes)]


def entity_names(policy: Policy | None) -> list[str]:
    """Entities a reviewer can pick for a manual span or an entity change."""
    names = [rule.name for rule in policy.entities if rule.enabled] if policy else []
    return names or list(DEFAULT_ENTITIES)
