"""The pure audit chain: hashing and verification."""

from __future__ import annotations

from dataclasses import replace

from reviewer.domain.audit import GENESIS_HASH, make_entry, verify_chain
from reviewer.domain.models import AuditEntry


def _chain(n: int) -> list[AuditEntry]:
    entries: list[AuditEntry] = []
    for i in range(n):
        entries.append(make_entry(entries[-1] if entries else None, f"t{i}", "ann", "decide",
                                  {"span_ids": [i]}))
    return entries


def test_chain_links_from_genesis() -> None:
    chain = _chain(3)
    assert chain[0].prev_hash == GENESIS_HASH
    assert [e.seq for e in chain] == [1, 2, 3]
    assert chain[1].prev_hash == chain[0].hash
    report = verify_chain(chain, (3, chain[-1].hash))
    assert report.ok
    assert report.count == 3


def test_edited_payload_is_named() -> None:
    chain = _chain(4)
    chain[2] = replace(chain[2], payload={"span_ids": [99]})
    report = verify_chain(chain)
    assert not report.ok
    assert report.bad_seq == 3
    assert "altered" in (report.problem or "")


def test_deleted_entry_is_named() -> None:
    chain = _chain(4)
    del chain[1]
    report = verify_chain(chain)
    assert not report.ok
    assert report.bad_seq == 3


def test_reordered_entries_are_named() -> None:
    chain = _chain(4)
    chain[1], chain[2] = chain[2], chain[1]
    report = verify_chain(chain)
    assert not report.ok
    assert report.bad_seq == 3


def test_removed_tail_is_caught_by_recorded_head() -> None:
    chain = _chain(4)
    report = verify_chain(chain[:3], (4, chain[3].hash))
    assert not report.ok
    assert "removed from the end" in (report.problem or "")
