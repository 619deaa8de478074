"""Counts for ``reviewer stats`` and the status bar."""

from __future__ import annotations

from typing import Any

from reviewer.domain.models import Status
from reviewer.store import analysis, conversations, spans
from reviewer.store.database import Store

STATUSES = [str(s) for s in Status]


def store_stats(store: Store) -> dict[str, Any]:
    """The contract's ``stats --json`` object."""
    with store.reading() as conn:
        n_conv, n_msg = conversations.counts(conn)
        by_entity_raw = spans.totals(conn)
        analysed = analysis.summary(conn)  # upstream markers per type, pattern-only flag
    by_entity = {
        entity: {"total": sum(counts.values()), **{s: counts.get(s, 0) for s in STATUSES}}
        for entity, counts in sorted(by_entity_raw.items())
    }
    totals = {s: sum(e[s] for e in by_entity.values()) for s in STATUSES}
    return {
        "conversations": n_conv,
        "messages": n_msg,
        "spans": {"total": sum(totals.values()), **totals},
        "by_entity": by_entity,
        "analysis": analysed,
    }
