"""Quality control: reproducible samples, verdicts that change no span, missed data
found in elusion messages, and the report's bounds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewer.domain.errors import RefusedError, UsageError
from reviewer.domain.models import Conversation, Message, Status
from reviewer.domain.qc_stats import exact_upper, more_needed
from reviewer.ops.decisions import decide
from reviewer.ops.policies import current_policy
from reviewer.ops.qc import (
    DrawnSample,
    add_missed_span,
    draw_sample,
    qc_report,
    record_verdicts,
    sample_items,
)
from reviewer.ops.stores import create_store
from reviewer.store import audit, conversations
from reviewer.store.database import Store
from tests.conftest import PASSPHRASE
from tests.store.factory import add_conversation_with_spans


def build_matter(store: Store) -> None:
    """Ten conversations of six PERSON spans (four of each decided), and twelve
    span-less messages of which ten are analysed under the policy in force."""
    for n in range(10):
        add_conversation_with_spans(store, f"c{n}", n_spans=6)
    with store.reading() as conn:
        span_ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM spans ORDER BY id")]
    decide(store, span_ids[0::3], Status.APPROVED, "tester")
    decide(store, span_ids[1::3], Status.REJECTED, "tester")
    messages = tuple(Message(index=i, role="user", text=f"Nothing personal, part {i}.")
                     for i in range(12))
    with store.transaction() as conn:
        conversations.add_conversation(conn, Conversation("quiet", "Quiet", messages), None)
        conn.exec_driver_sql(
            "UPDATE messages SET analyzed_policy = ? WHERE id IN (SELECT m.id FROM messages m "
            "JOIN conversations c ON c.id = m.conversation_id WHERE c.source_id = 'quiet' "
            "AND m.idx < 10)", (current_policy(store).hash,))


@pytest.fixture
def matter(store: Store) -> Store:
    build_matter(store)
    return store


def _ids(drawn: DrawnSample) -> list[int | None]:
    return [i.span_id if i.kind == "decision" else i.message_id for i in drawn.items]


def test_the_same_seed_on_the_same_store_draws_the_same_spans(
        matter: Store, tmp_path: Path) -> None:
    twin = create_store(tmp_path / "twin.db", PASSPHRASE, "tester")
    try:
        build_matter(twin)
        first = draw_sample(matter, "decisions", 8, "qc", seed=42)
        assert _ids(first) == _ids(draw_sample(twin, "decisions", 8, "qc", seed=42))
    finally:
        twin.close()
    assert len(first.items) == 8
    assert first.sample.population == 40
    with matter.reading() as conn:
        statuses: dict[int | None, str] = {
            row[0]: row[1] for row in conn.exec_driver_sql("SELECT id, status FROM spans")}
    assert all(statuses[i.span_id] in ("approved", "rejected") for i in first.items)
    assert [i.status for i in first.items] == [statuses[i.span_id] for i in first.items]


def test_upstream_markers_are_not_reviewers_decisions_and_are_not_drawn(matter: Store) -> None:
    with matter.transaction() as conn:
        conn.exec_driver_sql("UPDATE spans SET origin = 'upstream' WHERE id <= 12 "
                             "AND status = 'approved'")
        upstream = {r[0] for r in conn.exec_driver_sql(
            "SELECT id FROM spans WHERE origin = 'upstream'")}
    drawn = draw_sample(matter, "decisions", 100, "qc", seed=6)
    assert len(upstream) == 4
    assert drawn.sample.population == len(drawn.items) == 40 - 4
    assert not upstream & set(_ids(drawn))


def test_a_seed_asked_again_shows_its_sample_and_draws_nothing_new(matter: Store) -> None:
    first = draw_sample(matter, "decisions", 5, "qc", seed=7)
    with matter.reading() as conn:
        head = audit.head(conn)
    again = draw_sample(matter, "decisions", 5, "qc", seed=7)
    assert again.again
    assert again.items == first.items
    with matter.reading() as conn:
        assert audit.head(conn) == head
    with pytest.raises(RefusedError, match="another seed"):
        draw_sample(matter, "decisions", 6, "qc", seed=7)


def test_later_samples_never_repeat_an_item_and_stop_at_the_population(matter: Store) -> None:
    first = draw_sample(matter, "decisions", 30, "qc", seed=1)
    second = draw_sample(matter, "decisions", 30, "qc", seed=2)
    assert len(second.items) == 10
    assert second.sample.population == 10
    assert not set(_ids(first)) & set(_ids(second))
    assert len(sample_items(matter)) == 40
    with pytest.raises(RefusedError, match="Nothing to sample"):
        draw_sample(matter, "decisions", 1, "qc", seed=3)


def test_the_draw_is_audited_with_its_seed_kind_and_size(matter: Store) -> None:
    drawn = draw_sample(matter, "elusion", 4, "Quality Lead")
    with matter.reading() as conn:
        entry = audit.head(conn)
    assert entry is not None
    assert entry.action == "qc_sample"
    assert entry.actor == "Quality Lead"
    assert entry.payload["seed"] == int(drawn.sample.seed)
    assert (entry.payload["kind"], entry.payload["size"], entry.payload["drawn"]) == (
        "elusion", 4, 4)
    assert entry.payload["item_ids"] == [i.id for i in drawn.items]


def test_elusion_draws_only_analysed_messages_without_a_span(matter: Store) -> None:
    drawn = draw_sample(matter, "elusion", 50, "qc", seed=3)
    assert drawn.sample.population == len(drawn.items) == 10
    with matter.reading() as conn:
        quiet = {r[0] for r in conn.exec_driver_sql(
            "SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id "
            "WHERE c.source_id = 'quiet' AND m.idx < 10")}
    assert set(_ids(drawn)) == quiet
    assert all(i.kind == "elusion" and i.span_id is None for i in drawn.items)
    assert drawn.items[0].as_dict() == {"id": str(drawn.items[0].id), "kind": "elusion",
                                        "message_id": str(drawn.items[0].message_id)}


def test_a_disagreement_is_recorded_and_listed_and_changes_no_span(matter: Store) -> None:
    items = draw_sample(matter, "decisions", 10, "qc", seed=5).items
    with matter.reading() as conn:
        before = conn.exec_driver_sql("SELECT id, status, reason FROM spans ORDER BY id").all()
    record_verdicts(matter, [i.id for i in items[:8]], "agree", "qc")
    record_verdicts(matter, [items[8].id], "disagree", "qc", reason="a place, not a person")
    with matter.reading() as conn:
        assert conn.exec_driver_sql(
            "SELECT id, status, reason FROM spans ORDER BY id").all() == before
        assert audit.head(conn).action == "qc_verdict"  # type: ignore[union-attr]
    report = qc_report(matter)
    assert report.as_dict()["decisions"] == {
        "sampled": 10, "reviewed": 9, "disagreed": 1, "rate": 1 / 9,
        "upper_95": exact_upper(1, 9)}
    assert [i.id for i in report.disagreed] == [items[8].id]
    assert any("a place, not a person" in line for line in report.summary_lines())
    # A QC reviewer may change their mind: the latest verdict counts.
    record_verdicts(matter, [items[8].id], "agree", "qc")
    assert qc_report(matter).decisions.errors == 0


def test_a_wrong_kind_of_verdict_is_refused_whole(matter: Store) -> None:
    decisions = draw_sample(matter, "decisions", 2, "qc", seed=9).items
    elusion = draw_sample(matter, "elusion", 3, "qc", seed=9).items
    with pytest.raises(RefusedError, match="--missed is for elusion items"):
        record_verdicts(matter, [elusion[0].id, decisions[0].id], "missed", "qc")
    with pytest.raises(RefusedError, match="No QC sample holds item 999"):
        record_verdicts(matter, [999], "agree", "qc")
    with pytest.raises(UsageError):
        record_verdicts(matter, [decisions[0].id], "maybe", "qc")
    assert all(i.verdict is None for i in sample_items(matter))
    # On an elusion message, agreeing is "nothing missed", disagreeing is "missed".
    record_verdicts(matter, [elusion[0].id], "agree", "qc")
    record_verdicts(matter, [elusion[1].id], "disagree", "qc")
    record_verdicts(matter, [elusion[2].id], "missed", "qc")
    assert [i.verdict for i in sample_items(matter) if i.kind == "elusion"] == [
        "agree", "missed", "missed"]
    assert qc_report(matter).elusion.errors == 2


def test_missed_data_becomes_a_manual_span_flagged_as_found_by_qc(matter: Store) -> None:
    (item,) = draw_sample(matter, "elusion", 1, "qc", seed=11).items
    changes = add_missed_span(matter, item.id, 0, 7, "PERSON", "Quality Lead")
    (span,) = changes.spans
    assert (span.message_id, span.start, span.end, span.status) == (
        item.message_id, 0, 7, Status.APPROVED)
    assert span.explanation["found_by"] == "qc"
    (after,) = sample_items(matter)
    assert after.verdict == "missed"
    with matter.reading() as conn:
        entry = audit.head(conn)
        verdict_span = conn.exec_driver_sql("SELECT span_id FROM qc_verdicts").scalar_one()
    assert entry is not None
    assert entry.action == "qc_missed_span"
    assert entry.payload["span_id"] == span.id == verdict_span
    decided = draw_sample(matter, "decisions", 1, "qc", seed=11).items[0]
    with pytest.raises(RefusedError, match="is a decision"):
        add_missed_span(matter, decided.id, 0, 3, "PERSON", "qc")


def test_the_report_bounds_and_the_sample_still_needed(matter: Store) -> None:
    assert qc_report(matter).summary_lines()[0].startswith("No QC sample yet")
    items = draw_sample(matter, "elusion", 10, "qc", seed=4).items
    record_verdicts(matter, [i.id for i in items], "agree", "qc")
    report = qc_report(matter, target=0.05)
    assert report.as_dict()["elusion"] == {"sampled": 10, "reviewed": 10, "missed": 0,
                                           "rate": 0.0, "upper_95": exact_upper(0, 10)}
    assert report.as_dict()["decisions"]["upper_95"] == 1.0  # nothing drawn, nothing known
    needed = more_needed(0, 10, 0.05)
    assert f"sample {needed} more" in "\n".join(report.summary_lines())
    assert report.manifest()["samples"][0]["seed"] == "4"
    with pytest.raises(UsageError, match="--target"):
        qc_report(matter, target=5)


@pytest.mark.usefixtures("qapp")
def test_the_packet_manifest_carries_the_qc_figures_and_still_verifies(
        store: Store, tmp_path: Path) -> None:
    from reviewer.ops.exporting import export_packet, verify_packet
    from tests.ops.test_exporting import SECRET_NAME, decided_store, packet_bytes

    decided_store(store)
    export_packet(store, tmp_path / "before", "tester")
    assert "qc" not in json.loads((tmp_path / "before" / "manifest.json").read_bytes())

    items = draw_sample(store, "decisions", 4, "qc", seed=8).items
    record_verdicts(store, [i.id for i in items[:3]], "agree", "qc")
    record_verdicts(store, [items[3].id], "disagree", "qc", reason=f"{SECRET_NAME} is a client")
    export_packet(store, tmp_path / "after", "tester")
    manifest = json.loads((tmp_path / "after" / "manifest.json").read_bytes())
    assert manifest["qc"]["decisions"] == qc_report(store).as_dict()["decisions"]
    assert manifest["qc"]["decisions"]["disagreed"] == 1
    assert manifest["qc"]["elusion"]["sampled"] == 0
    assert [s["seed"] for s in manifest["qc"]["samples"]] == ["8"]
    assert verify_packet(tmp_path / "after").ok
    assert SECRET_NAME.encode() not in packet_bytes(tmp_path / "after")


def test_a_sample_larger_than_any_matter_is_a_usage_error(matter: Store) -> None:
    with pytest.raises(UsageError, match="at most"):
        draw_sample(matter, "decisions", 10**23, "qa")


def test_a_report_before_any_verdict_gives_no_rate(matter: Store) -> None:
    draw_sample(matter, "decisions", 2, "qa", seed=5)
    line = qc_report(matter).summary_lines()[0]
    assert "none reviewed yet" in line
    assert "%" not in line
