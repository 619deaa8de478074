"""Deciding spans: approve, reject, change entity, a decided span's reason, undo. Each decision is
committed together with its audit entry before the call returns.

Overlapping suggestions are merged into one span whose explanation keeps the
others as ``alternatives`` (an address over two IP addresses). Rejecting the
span says only that it is not of its entity: the alternatives of another
entity become pending spans of their own ("revealed"), in the same transaction
and audit entry, so nothing under a rejected span goes unreviewed. Undoing the
reject withdraws the revealed spans that no live decision holds.

A decision on a span that a batch merge left in conflict settles the conflict
(``store.schema.OPEN_CONFLICT``); its audit entry names the conflicts settled,
and an undo's entry those it opened again.

Each operation returns its :class:`~reviewer.domain.changes.Changes`, read back
by the store in the operation's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reviewer.domain.changes import Changes
from reviewer.domain.errors import RefusedError, UsageError
from reviewer.domain.models import Decision, Span, Status, Suggestion
from reviewer.ops.policies import current_policy
from reviewer.ops.review import reason_codes
from reviewer.store import audit, spans
from reviewer.store.batches import open_conflict_ids
from reviewer.store.database import Store
from reviewer.suggest.shaping import beneath


def decide(
    store: Store,
    span_ids: Sequence[int],
    status: Status,
    reviewer: str,
    reason: str | None = None,
) -> Changes:
    """Record one decision for each span, in one transaction with one audit entry."""
    if status is Status.PENDING:
        raise RefusedError("A decision is approve or reject; use undo to return a span to pending.")
    with store.transaction() as conn:
        counted = spans.watch(conn, spans.conversations_of(conn, span_ids))
        conflicted = open_conflict_ids(conn, span_ids)
        made: list[Decision] = []
        revealed: list[int] = []
        for span_id in span_ids:
            before = spans.get(conn, span_id) if status is Status.REJECTED else None
            decision = spans.decide(conn, span_id, status, reviewer, reason)
            made.append(decision)
            if before is not None and before.status is not Status.REJECTED:
                revealed.extend(_reveal(conn, before, decision))
        entry: dict[str, Any] = {
            "status": str(status), "reason": reason, "span_ids": list(span_ids),
            "decision_ids": [d.id for d in made],
        }
        if revealed:
            entry["revealed_span_ids"] = revealed
        entry.update(_conflicts_touched(conn, span_ids, conflicted))
        audit.append(conn, reviewer, "decide", entry)
        return spans.changes(conn, counted, decisions=made, span_ids=[*span_ids, *revealed])


def _conflicts_touched(conn: Any, span_ids: Sequence[int], before: set[int]) -> dict[str, Any]:
    """For the audit entry of a decision on ``span_ids``: the batch conflicts it settled
    (open ``before`` it, not after), and those its undo opened again."""
    after = open_conflict_ids(conn, span_ids)
    touched: dict[str, Any] = {}
    if before - after:
        touched["settled_conflict_ids"] = sorted(before - after)
    if after - before:
        touched["reopened_conflict_ids"] = sorted(after - before)
    return touched


def require_reason_code(store: Store, reason: str | None) -> None:
    """Refuse a reason that is not one of the reason codes of the policy in force
    (the codes the review window offers), listing them."""
    if reason is None:
        return
    codes = [code for code, _label in reason_codes(current_policy(store).policy) if code]
    if reason not in codes:
        raise UsageError(f"Unknown reason code {reason!r}: the policy in force has "
                         f"{', '.join(codes)}. Nothing was recorded.")


def _reveal(conn: Any, rejected: Span, decision: Decision) -> list[int]:
    """Store the alternatives of another entity under ``rejected`` as pending spans,
    except where another span of the text already lies."""
    found = revealed_suggestions(rejected)
    if not found:
        return []
    others = [s for s in spans.for_conversation(conn, rejected.conversation_id)
              if s.message_id == rejected.message_id and s.id != rejected.id]
    found = [s for s in found if not any(o.start < s.end and s.start < o.end for o in others)]
    return spans.reveal(conn, rejected, decision, found) if found else []


def revealed_suggestions(rejected: Span) -> list[Suggestion]:
    """What rejecting ``rejected`` reveals: its alternatives of another entity,
    their overlaps resolved as the suggestion service resolves them."""
    return beneath(rejected.entity, rejected.start, rejected.end, rejected.explanation,
                   f"under a rejected {rejected.entity} span")


def change_entity(store: Store, span_id: int, entity: str, reviewer: str) -> Changes:
    with store.transaction() as conn:
        before = spans.watch(conn, spans.conversations_of(conn, [span_id]))
        conflicted = open_conflict_ids(conn, [span_id])
        made = spans.change_entity(conn, span_id, entity, reviewer)
        audit.append(conn, reviewer, "change_entity", {
            "span_id": span_id, "entity": entity, "previous_entity": made.previous_entity,
            "decision_id": made.id, **_conflicts_touched(conn, [span_id], conflicted),
        })
        return spans.changes(conn, before, decisions=[made], span_ids=[span_id])


def set_reason(store: Store, span_id: int, reason: str, reviewer: str) -> Changes:
    """Give a decided span another reason code (keys 1 … 9 on a decided span): a
    decision of the same status with the new reason, audited with the one it replaces.
    A pending span has no decision yet: its reason goes with its approve or reject."""
    require_reason_code(store, reason)
    with store.transaction() as conn:
        span = spans.get(conn, span_id)
        if span.status is Status.PENDING:
            raise RefusedError("This span is pending: the reason chosen is recorded with its "
                               "decision (A or R).")
        counted = spans.watch(conn, [span.conversation_id])
        conflicted = open_conflict_ids(conn, [span_id])
        made = spans.decide(conn, span_id, span.status, reviewer, reason)
        audit.append(conn, reviewer, "set_reason", {
            "span_id": span_id, "reason": reason, "previous_reason": span.reason,
            "decision_id": made.id, **_conflicts_touched(conn, [span_id], conflicted),
        })
        return spans.changes(conn, counted, decisions=[made], span_ids=[span_id])


def undo(store: Store, decision_ids: Sequence[int], reviewer: str) -> Changes:
    """Put each decided span back as it was before the given decisions (latest first)."""
    with store.transaction() as conn:
        undone = [spans.decision(conn, decision_id) for decision_id in decision_ids]
        span_ids = [d.span_id for d in undone]
        before = spans.watch(conn, spans.conversations_of(conn, span_ids))
        conflicted = open_conflict_ids(conn, span_ids)
        made: list[Decision] = []
        withdrawn: list[Span] = []
        for was in reversed(undone):
            made.extend(_revert(conn, was, reviewer))
            if was.status is Status.REJECTED:
                withdrawn.extend(_withdraw_revealed(conn, was))
        entry: dict[str, Any] = {"undone": list(decision_ids),
                                 "decision_ids": [d.id for d in made]}
        if withdrawn:
            entry["withdrawn_span_ids"] = [s.id for s in withdrawn]
        entry.update(_conflicts_touched(conn, span_ids, conflicted))
        audit.append(conn, reviewer, "undo", entry)
        gone = {s.id for s in withdrawn}
        return spans.changes(conn, before, decisions=made, removed=withdrawn,
                             span_ids=[d.span_id for d in undone if d.span_id not in gone])


def _revert(conn: Any, was: Decision, reviewer: str) -> list[Decision]:
    """The decisions that put ``was``'s span back as it was before ``was``."""
    made = []
    if was.entity != was.previous_entity and was.previous_entity is not None:
        made.append(spans.change_entity(conn, was.span_id, was.previous_entity, reviewer,
                                        undo_of=was.id))
    if was.status is not was.previous_status:
        made.append(spans.decide(conn, was.span_id, was.previous_status, reviewer,
                                 undo_of=was.id))
    elif was.status is not Status.PENDING and was.entity == was.previous_entity:
        # The same status again: a reason changed (set_reason); the earlier one comes back.
        made.append(spans.decide(conn, was.span_id, was.status, reviewer,
                                 _reason_before(conn, was), undo_of=was.id))
    return made


def _reason_before(conn: Any, was: Decision) -> str | None:
    """The reason the span's status carried before ``was``: that of the last decision
    of its status (not an entity change) recorded before it."""
    earlier = [d for d in spans.history(conn, was.span_id)
               if d.id is not None and was.id is not None and d.id < was.id
               and d.entity == d.previous_entity]
    return earlier[-1].reason if earlier else None


def _withdraw_revealed(conn: Any, rejected: Decision) -> list[Span]:
    """Remove the spans ``rejected`` revealed, unless a reviewer's decision stands on
    one (it is decided, or its entity changed): that decision is kept, and the span."""
    assert rejected.id is not None
    parent = spans.get(conn, rejected.span_id)
    if not parent.explanation.get("alternatives"):
        return []
    withdrawn = []
    for span in spans.revealed_by(conn, parent.conversation_id, rejected.id):
        first = spans.history(conn, span.id)[0]
        if span.status is Status.PENDING and span.entity == first.entity:
            spans.withdraw(conn, span)
            withdrawn.append(span)
    return withdrawn
