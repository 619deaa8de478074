"""Listing spans for ``reviewer spans`` and scripts."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

from reviewer.domain.errors import UsageError
from reviewer.domain.models import Span, Status
from reviewer.ops.policies import current_policy
from reviewer.store import conversations, paging, spans
from reviewer.store.database import Store

BATCH = 500


def list_spans(
    store: Store,
    status: Status | None = None,
    entity: str | None = None,
    with_text: bool = False,
) -> Generator[dict[str, Any], None, None]:
    """The contract's span objects, in id order, read in batches."""
    with store.reading() as conn:
        batch: list[Span] = []
        for span in spans.iterate(conn, status=status, entity=entity):
            batch.append(span)
            if len(batch) == BATCH:
                yield from _describe(conn, batch, with_text)
                batch = []
        yield from _describe(conn, batch, with_text)


def check_entity(store: Store, entity: str) -> None:
    """Refuse an entity that neither the store's spans nor the policy in force name: a
    mistyped filter would list nothing and look like a matter without such spans."""
    with store.reading() as conn:
        in_use = paging.entities(conn)
    named = [rule.name for rule in current_policy(store).policy.entities]
    if entity in in_use or entity in named:
        return
    listed = ", ".join(in_use) if in_use else "none yet"
    raise UsageError(f"No entity {entity} in this store or its policy. The spans' entities: "
                     f"{listed}.")


def _describe(conn: Any, batch: list[Span], with_text: bool) -> Iterator[dict[str, Any]]:
    if not batch:
        return
    places = spans.span_locations(conn, [s.id for s in batch])
    texts = _source_texts(conn, batch) if with_text else {}
    for span in batch:
        source_id, message_index = places[span.id]
        item: dict[str, Any] = {
            "id": str(span.id), "conversation_id": str(span.conversation_id),
            "source_id": source_id,
            "message_id": None if span.message_id is None else str(span.message_id),
            "message_index": message_index, "start": span.start, "end": span.end,
            "entity": span.entity, "score": round(span.score, 4),
            "status": str(span.status), "origin": str(span.origin),
        }
        if with_text:
            item["text"] = texts[span.id]
        yield item


def _source_texts(conn: Any, batch: list[Span]) -> dict[int, str]:
    message_ids = {s.message_id for s in batch if s.message_id is not None}
    by_message = {m.id: m.text for m in conversations.get_messages(conn, message_ids)}
    titles = conversations.titles(conn, {s.conversation_id for s in batch if s.message_id is None})
    out = {}
    for s in batch:
        source = by_message[s.message_id] if s.message_id is not None else titles[s.conversation_id]
        out[s.id] = (source or "")[s.start:s.end]
    return out
