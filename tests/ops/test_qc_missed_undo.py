"""Undoing missed data found by QC: the manual span goes with its decisions and the
``missed`` verdict it brought, audited, and the QC report is as it was before."""

from __future__ import annotations

import pytest

from reviewer.domain.errors import RefusedError
from reviewer.ops.audit import audit_entries, verify_audit
from reviewer.ops.qc import (
    add_missed_span,
    draw_sample,
    qc_report,
    record_verdicts,
    remove_missed_span,
    sample_items,
)
from reviewer.ops.review import add_manual_span, status_totals
from reviewer.store.database import Store
from tests.ops.test_qc import build_matter


@pytest.fixture
def matter(store: Store) -> Store:
    build_matter(store)
    return store


def _verdicts(store: Store) -> dict[int, str | None]:
    return {i.id: i.verdict for i in sample_items(store)}


def test_undoing_a_missed_span_takes_back_the_span_and_its_verdict(matter: Store) -> None:
    first, second = draw_sample(matter, "elusion", 2, "qc", seed=5).items
    record_verdicts(matter, [first.id], "agree", "qc")  # an earlier verdict counts again
    before = (qc_report(matter).as_dict(), _verdicts(matter), status_totals(matter))
    made = [add_missed_span(matter, item.id, 0, 7, "PERSON", "qc").spans[0]
            for item in (first, second)]
    assert _verdicts(matter) == {first.id: "missed", second.id: "missed"}
    assert qc_report(matter).elusion.errors == 2

    for span in made:
        changes = remove_missed_span(matter, span.id, "qc")
        assert [s.id for s in changes.removed] == [span.id]
    assert (qc_report(matter).as_dict(), _verdicts(matter), status_totals(matter)) == before
    with matter.reading() as conn:
        for table, column in (("spans", "id"), ("decisions", "span_id")):
            assert conn.exec_driver_sql(
                f"SELECT count(*) FROM {table} WHERE {column} IN (?, ?)",
                (made[0].id, made[1].id)).scalar_one() == 0
    entry = audit_entries(matter)[-1]
    assert entry.action == "qc_missed_span_removed"
    assert (entry.payload["item_id"], entry.payload["span_id"]) == (second.id, made[1].id)
    assert verify_audit(matter).ok


def test_marked_again_after_the_undo_it_counts_once(matter: Store) -> None:
    (item,) = draw_sample(matter, "elusion", 1, "qc", seed=6).items
    span = add_missed_span(matter, item.id, 0, 7, "PERSON", "qc").spans[0]
    remove_missed_span(matter, span.id, "qc")
    add_missed_span(matter, item.id, 0, 7, "PERSON", "qc")  # the redo
    report = qc_report(matter)
    assert (report.elusion.sampled, report.elusion.reviewed, report.elusion.errors) == (1, 1, 1)


def test_only_a_span_qc_marked_as_missed_is_removed_so(matter: Store) -> None:
    with matter.reading() as conn:
        conv_id, message_id = conn.exec_driver_sql(
            "SELECT conversation_id, id FROM messages ORDER BY id LIMIT 1").one()
        suggested = conn.exec_driver_sql("SELECT min(id) FROM spans").scalar_one()
    manual = add_manual_span(matter, conv_id, message_id, 0, 3, "PERSON", "tester").spans[0]
    for span_id in (manual.id, suggested):
        with pytest.raises(RefusedError, match="not marked as missed by QC"):
            remove_missed_span(matter, span_id, "qc")
