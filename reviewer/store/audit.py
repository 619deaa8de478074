"""The audit log inside the store: appending links and reading the chain back.

Every mutation appends in the same transaction as the change it records, so
the log and the data never disagree. The head (seq, hash) is also kept in
``meta``, which catches entries removed from the end of the chain.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from reviewer.domain.audit import ChainReport, make_entry, verify_chain
from reviewer.domain.models import AuditEntry
from reviewer.store import meta
from reviewer.store.schema import AuditRow
from reviewer.store.sql import driver

PAGE = 1000


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


AUDIT_COLUMNS = "seq, time, actor, action, payload, prev_hash, hash"


def head(conn: Connection) -> AuditEntry | None:
    row = driver(conn).execute(
        f"SELECT {AUDIT_COLUMNS} FROM audit ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    seq, time, actor, action, payload, prev_hash, digest = row
    return AuditEntry(seq, time, actor, action, json.loads(payload), prev_hash, digest)


def append(conn: Connection, actor: str, action: str, payload: dict[str, Any]) -> AuditEntry:
    """Append one entry; call inside the transaction that makes the change.

    Appending runs with every decision, so it speaks to the driver directly.
    """
    entry = make_entry(head(conn), now_iso(), actor, action, payload)
    raw = driver(conn)
    raw.execute(f"INSERT INTO audit ({AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", (
        entry.seq, entry.time, entry.actor, entry.action,
        json.dumps(entry.payload, sort_keys=True, ensure_ascii=False),
        entry.prev_hash, entry.hash,
    ))
    raw.execute(meta.UPSERT, ("audit_head", f"{entry.seq}:{entry.hash}"))
    return entry


def entries(conn: Connection, after: int = 0) -> Iterator[AuditEntry]:
    """Every entry in sequence order, read in keyset pages."""
    while True:
        rows = conn.execute(
            select(AuditRow).where(AuditRow.seq > after).order_by(AuditRow.seq).limit(PAGE)
        ).all()
        yield from (_entry(r) for r in rows)
        if len(rows) < PAGE:
            return
        after = rows[-1].seq


def verify(conn: Connection) -> ChainReport:
    recorded = meta.get(conn, "audit_head")
    head_pair = None
    if recorded:
        seq, digest = recorded.split(":", 1)
        head_pair = (int(seq), digest)
    return verify_chain(entries(conn), head_pair)


def _entry(row: Any) -> AuditEntry:
    return AuditEntry(
        seq=row.seq, time=row.time, actor=row.actor, action=row.action,
        payload=json.loads(row.payload), prev_hash=row.prev_hash, hash=row.hash,
    )
