"""Tampering with the audit log through raw SQL on the decrypted store is caught."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from reviewer.domain.audit import entry_hash
from reviewer.domain.models import Status
from reviewer.ops.audit import verify_audit
from reviewer.ops.decisions import decide
from reviewer.store.database import Store
from tests.store.factory import add_conversation_with_spans


@pytest.fixture
def busy_store(store: Store) -> Store:
    """A store with an audit chain of 1 (init) + 4 decisions = 5 entries."""
    add_conversation_with_spans(store, n_spans=4)
    for span_id in (1, 2, 3, 4):
        decide(store, [span_id], Status.APPROVED, "tester")
    assert verify_audit(store).ok
    return store


def _sql(store: Store, *statements: str) -> None:
    with store.transaction() as conn:
        for statement in statements:
            conn.execute(text(statement))


def test_intact_chain_verifies(busy_store: Store) -> None:
    report = verify_audit(busy_store)
    assert report.ok
    assert report.count == 5


def test_edited_entry(busy_store: Store) -> None:
    _sql(busy_store, "UPDATE audit SET actor = 'mallory' WHERE seq = 3")
    report = verify_audit(busy_store)
    assert not report.ok
    assert report.bad_seq == 3


def test_edited_payload(busy_store: Store) -> None:
    _sql(busy_store, """UPDATE audit SET payload = '{"span_ids": [9]}' WHERE seq = 2""")
    assert verify_audit(busy_store).bad_seq == 2


def test_deleted_entry(busy_store: Store) -> None:
    _sql(busy_store, "DELETE FROM audit WHERE seq = 2")
    report = verify_audit(busy_store)
    assert not report.ok
    assert report.bad_seq == 3


def test_deleted_last_entry(busy_store: Store) -> None:
    _sql(busy_store, "DELETE FROM audit WHERE seq = 5")
    report = verify_audit(busy_store)
    assert not report.ok
    assert report.bad_seq == 5


def test_reordered_entries(busy_store: Store) -> None:
    _sql(
        busy_store,
        "UPDATE audit SET seq = -1 WHERE seq = 2",
        "UPDATE audit SET seq = 2 WHERE seq = 3",
        "UPDATE audit SET seq = 3 WHERE seq = -1",
    )
    report = verify_audit(busy_store)
    assert not report.ok
    assert report.bad_seq == 2


def test_inserted_entry_with_forged_hash(busy_store: Store) -> None:
    with busy_store.transaction() as conn:
        prev = conn.execute(text("SELECT hash FROM audit WHERE seq = 2")).scalar_one()
        for seq in (5, 4, 3):
            conn.execute(text(f"UPDATE audit SET seq = {seq + 1} WHERE seq = {seq}"))
        payload = {"span_ids": [1]}
        forged = entry_hash(prev, 3, "2026-01-01T00:00:00+00:00", "mallory", "decide", payload)
        conn.execute(
            text("INSERT INTO audit VALUES (3, '2026-01-01T00:00:00+00:00', 'mallory', 'decide',"
                 " :payload, :prev, :hash)"),
            {"payload": json.dumps(payload), "prev": prev, "hash": forged},
        )
    report = verify_audit(busy_store)
    assert not report.ok
    assert report.bad_seq == 4
