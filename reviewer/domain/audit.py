"""The audit chain as pure functions: hashing an entry and checking a chain.

hash = SHA-256( prev_hash || canonical JSON of {seq, time, actor, action, payload} ).
The first entry's prev_hash is 64 zeros.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from reviewer.domain.models import AuditEntry, canonical_json

GENESIS_HASH = "0" * 64


def entry_hash(
    prev_hash: str, seq: int, time: str, actor: str, action: str, payload: dict[str, Any]
) -> str:
    body = canonical_json(
        {"seq": seq, "time": time, "actor": actor, "action": action, "payload": payload}
    )
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def make_entry(
    prev: AuditEntry | None, time: str, actor: str, action: str, payload: dict[str, Any]
) -> AuditEntry:
    seq = prev.seq + 1 if prev else 1
    prev_hash = prev.hash if prev else GENESIS_HASH
    digest = entry_hash(prev_hash, seq, time, actor, action, payload)
    return AuditEntry(seq, time, actor, action, payload, prev_hash, digest)


@dataclass(frozen=True)
class ChainReport:
    """The result of checking a chain: ``ok`` or the first bad entry and why."""

    ok: bool
    count: int
    head_seq: int
    head_hash: str
    bad_seq: int | None = None
    problem: str | None = None


def verify_chain(
    entries: Iterable[AuditEntry], head: tuple[int, str] | None = None
) -> ChainReport:
    """Check sequence, links and hashes; ``head`` is the (seq, hash) the store recorded."""
    expected_seq, prev_hash, count = 1, GENESIS_HASH, 0
    for entry in entries:
        problem = _entry_problem(entry, expected_seq, prev_hash)
        if problem:
            return ChainReport(False, count, expected_seq - 1, prev_hash, entry.seq, problem)
        expected_seq, prev_hash, count = entry.seq + 1, entry.hash, count + 1
    head_seq = expected_seq - 1
    if head is not None and head != (head_seq, prev_hash):
        return ChainReport(
            False, count, head_seq, prev_hash, head_seq + 1,
            f"the chain ends at entry {head_seq} but the store recorded entry {head[0]} as its "
            "head: entries were removed from the end",
        )
    return ChainReport(True, count, head_seq, prev_hash)


def _entry_problem(entry: AuditEntry, expected_seq: int, prev_hash: str) -> str | None:
    if entry.seq != expected_seq:
        return f"entry {entry.seq} stands where entry {expected_seq} should (deleted or reordered)"
    if entry.prev_hash != prev_hash:
        return f"entry {entry.seq} does not link to the entry before it (inserted or reordered)"
    recomputed = entry_hash(
        entry.prev_hash, entry.seq, entry.time, entry.actor, entry.action, entry.payload
    )
    if recomputed != entry.hash:
        return f"entry {entry.seq} was altered: its hash does not match its content"
    return None
