"""Review batches: split a matter into batch stores, review in them, merge back
with the chain of custody; foreign and tampered batches refused, conflicts listed."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.domain.errors import RefusedError, UsageError
from reviewer.domain.models import Status
from reviewer.ops import batches
from reviewer.ops.analysis import analyze
from reviewer.ops.audit import audit_entries, verify_audit
from reviewer.ops.decisions import change_entity, decide, undo
from reviewer.ops.exporting import export_packet
from reviewer.ops.review import add_manual_span, conversation_detail
from reviewer.ops.stores import create_store, open_store
from reviewer.store import spans
from reviewer.store.database import Store
from tests.conftest import PASSPHRASE
from tests.ops.review_builders import add_chat, add_merged_address

BATCH_PASSPHRASE = "violet anchor meadow tram"


def _matter(store: Store, n: int = 5) -> list[int]:
    return [add_chat(store, f"c{i}", [("user", f"I am Ada Lovelace, ticket {i}."),
                                      ("assistant", "Noted, thank you.")],
                     [(0, "Ada Lovelace", "PERSON")]) for i in range(n)]


def _span_of(store: Store, conv_id: int) -> int:
    with store.reading() as conn:
        return spans.for_conversation(conn, conv_id)[0].id


@pytest.fixture
def split_two(store: Store, tmp_path: Path) -> tuple[list[int], list[Path]]:
    conv_ids = _matter(store, 5)
    report = batches.split(store, tmp_path / "out", 3, BATCH_PASSPHRASE, "lead")
    return conv_ids, [b.path for b in report.batches]


def _in_batch(path: Path) -> Store:
    return open_store(path, BATCH_PASSPHRASE)


def test_split_writes_batches_of_n_conversations_with_spans_policy_and_genesis(
        store: Store, split_two: tuple[list[int], list[Path]]) -> None:
    conv_ids, paths = split_two
    assert [p.name for p in paths] == ["matter-batch-001.store", "matter-batch-002.store"]
    assert not [p for p in paths[0].parent.iterdir() if p.name.endswith(".partial")]
    matter_head = audit_entries(store)[-2]  # the head the split started from
    for path, expected in zip(paths, (conv_ids[:3], conv_ids[3:]), strict=True):
        batch = _in_batch(path)
        try:
            with batch.reading() as conn:
                held = [int(r[0]) for r in conn.exec_driver_sql(
                    "SELECT id FROM conversations ORDER BY id")]
                span_ids = [s.id for c in held for s in spans.for_conversation(conn, c)]
                signing = conn.exec_driver_sql(
                    "SELECT count(*) FROM meta WHERE key = 'signing_key'").scalar_one()
            assert held == expected
            assert span_ids == [_span_of(store, c) for c in expected]  # the matter's ids
            assert signing == 0
            assert conversation_detail(batch, held[0]).conversation.messages[0].text.startswith(
                "I am Ada")
            genesis = audit_entries(batch)[0]
            assert genesis.action == "batch_genesis"
            assert genesis.payload["matter_store_id"] == store.store_id
            assert genesis.payload["matter_audit_head"] == {"seq": matter_head.seq,
                                                            "hash": matter_head.hash}
            assert batches.batch_title(batch).startswith(
                f"batch {paths.index(path) + 1} of 2 of matter")
        finally:
            batch.close()
    split_entry = audit_entries(store)[-1]
    assert split_entry.action == "batch_split"
    assert [b["file"] for b in split_entry.payload["batches"]] == [p.name for p in paths]
    assert [b["conversations"] for b in split_entry.payload["batches"]] == [3, 2]


def test_split_refuses_an_existing_batch_file_and_a_weak_passphrase(
        store: Store, tmp_path: Path) -> None:
    _matter(store, 2)
    out = tmp_path / "out"
    out.mkdir()
    (out / "matter-batch-001.store").write_text("mine")
    with pytest.raises(UsageError, match="already exists"):
        batches.split(store, out, 5, BATCH_PASSPHRASE, "lead")
    with pytest.raises(UsageError):
        batches.split(store, tmp_path / "other", 5, "short", "lead")
    assert audit_entries(store)[-1].action != "batch_split"


def test_split_by_pending_deals_heavy_conversations_apart(store: Store, tmp_path: Path) -> None:
    busy = [add_chat(store, f"b{i}", [("user", "Ada Lovelace and Ada Lovelace")],
                     [(0, "Ada Lovelace", "PERSON")] * 2) for i in range(2)]
    quiet = [add_chat(store, f"q{i}", [("user", "nothing here")]) for i in range(2)]
    report = batches.split(store, tmp_path / "out", 2, BATCH_PASSPHRASE, "lead", by="pending")
    assert len(report.batches) == 2
    assert all(b.conversations == 2 for b in report.batches)
    assert [b.spans for b in report.batches] == [2, 2]
    assert len(busy) == len(quiet) == 2


def test_a_batch_store_cannot_export(split_two: tuple[list[int], list[Path]],
                                     tmp_path: Path) -> None:
    batch = _in_batch(split_two[1][0])
    try:
        with pytest.raises(RefusedError, match="cannot export"):
            export_packet(batch, tmp_path / "packet", "tester", allow_pending=True)
    finally:
        batch.close()
    assert not (tmp_path / "packet").exists()


def test_merge_brings_decisions_manual_spans_and_entity_changes_back_once(
        store: Store, split_two: tuple[list[int], list[Path]]) -> None:
    conv_ids, paths = split_two
    first, second = _span_of(store, conv_ids[0]), _span_of(store, conv_ids[1])
    batch = _in_batch(paths[0])
    try:
        decide(batch, [first], Status.APPROVED, "alice", "PII")
        change_entity(batch, second, "ORGANIZATION", "alice")
        decide(batch, [second], Status.REJECTED, "alice")
        detail = conversation_detail(batch, conv_ids[2])
        message = detail.conversation.messages[1]
        add_manual_span(batch, conv_ids[2], message.id, 0, 5, "PERSON", "alice")
        assert verify_audit(batch).ok
    finally:
        batch.close()

    report = batches.merge(store, [paths[0], paths[1], paths[0]], BATCH_PASSPHRASE, "lead")
    assert report.conflict_span_ids == []
    assert [(m.decided, m.new_spans) for m in report.batches] == [(2, 1), (0, 0)]
    with store.reading() as conn:
        a, b = spans.get(conn, first), spans.get(conn, second)
        manual = [s for s in spans.for_conversation(conn, conv_ids[2]) if s.origin == "manual"]
        history = spans.history(conn, second)
    assert (a.status, a.reason, a.decided_by) == (Status.APPROVED, "PII", "alice")
    assert (b.status, b.entity) == (Status.REJECTED, "ORGANIZATION")
    assert [d.reviewer for d in history] == ["alice", "alice"]
    assert len(manual) == 1
    assert manual[0].status is Status.APPROVED
    assert manual[0].decided_by == "alice"
    entry = audit_entries(store)[-1]
    assert entry.action == "batch_merge"
    heads = {b["number"]: b["audit_head"] for b in entry.payload["batches"]}
    batch = _in_batch(paths[0])
    try:
        head = audit_entries(batch)[-1]
    finally:
        batch.close()
    assert heads[1] == {"seq": head.seq, "hash": head.hash}
    assert verify_audit(store).ok

    before = _snapshot(store)
    again = batches.merge(store, [paths[0], paths[1]], BATCH_PASSPHRASE, "lead")
    assert again.audit_seq is None
    assert all(m.already_merged for m in again.batches)
    assert _snapshot(store) == before


def _snapshot(store: Store) -> tuple[object, ...]:
    with store.reading() as conn:
        return tuple(tuple(conn.exec_driver_sql(f"SELECT * FROM {t} ORDER BY 1").all())
                     for t in ("spans", "decisions", "audit", "batch_spans", "batch_conflicts"))


def test_later_work_in_a_merged_batch_merges_without_a_conflict(
        store: Store, split_two: tuple[list[int], list[Path]]) -> None:
    conv_ids, paths = split_two
    first = _span_of(store, conv_ids[0])
    for status in (Status.APPROVED, Status.REJECTED):
        batch = _in_batch(paths[0])
        try:
            decide(batch, [first], status, "alice")
        finally:
            batch.close()
        report = batches.merge(store, [paths[0]], BATCH_PASSPHRASE, "lead")
        assert report.conflict_span_ids == []
        with store.reading() as conn:
            assert spans.get(conn, first).status is status


def test_a_span_changed_in_the_matter_since_the_split_is_a_conflict(
        store: Store, split_two: tuple[list[int], list[Path]]) -> None:
    conv_ids, paths = split_two
    first = _span_of(store, conv_ids[0])
    decide(store, [first], Status.REJECTED, "lead")
    batch = _in_batch(paths[0])
    try:
        decide(batch, [first], Status.APPROVED, "alice")
    finally:
        batch.close()
    report = batches.merge(store, [paths[0]], BATCH_PASSPHRASE, "lead")
    assert report.conflict_span_ids == [first]
    with store.reading() as conn:
        assert spans.get(conn, first).status is Status.REJECTED  # the matter's kept
    listed = batches.conflicts(store)
    assert [(c.span_id, c.batch_state[0], c.batch_reviewer) for c in listed] == [
        (first, "approved", "alice")]
    assert audit_entries(store)[-1].payload["batches"][0]["conflict_span_ids"] == [first]
    decide(store, [first], Status.APPROVED, "lead")  # the lead settles it
    assert batches.conflicts(store) == []
    batch = _in_batch(paths[0])
    try:  # later work in the batch does not raise the settled conflict again
        decide(batch, [_span_of(store, conv_ids[1])], Status.APPROVED, "alice")
    finally:
        batch.close()
    report = batches.merge(store, [paths[0]], BATCH_PASSPHRASE, "lead")
    assert report.conflict_span_ids == []
    assert batches.conflicts(store) == []


def test_two_batches_that_disagree_on_a_span_are_a_conflict(
        store: Store, tmp_path: Path) -> None:
    conv_ids = _matter(store, 2)
    first = _span_of(store, conv_ids[0])
    one = batches.split(store, tmp_path / "one", 5, BATCH_PASSPHRASE, "lead").batches[0].path
    two = batches.split(store, tmp_path / "two", 5, BATCH_PASSPHRASE, "lead").batches[0].path
    for path, status, who in ((one, Status.APPROVED, "alice"), (two, Status.REJECTED, "bob")):
        batch = _in_batch(path)
        try:
            decide(batch, [first], status, who)
        finally:
            batch.close()
    report = batches.merge(store, [one, two], BATCH_PASSPHRASE, "lead")
    assert report.conflict_span_ids == [first]
    with store.reading() as conn:
        assert spans.get(conn, first).decided_by == "alice"
    assert [c.batch_reviewer for c in batches.conflicts(store)] == ["bob"]


def test_a_batch_of_another_matter_is_refused_and_nothing_changes(
        store: Store, split_two: tuple[list[int], list[Path]], tmp_path: Path) -> None:
    other = create_store(tmp_path / "other.db", PASSPHRASE, "lead")
    try:
        before = _snapshot(other)
        with pytest.raises(RefusedError, match="another matter"):
            batches.merge(other, [split_two[1][0]], BATCH_PASSPHRASE, "lead")
        assert _snapshot(other) == before
    finally:
        other.close()


def test_a_batch_with_a_tampered_audit_chain_is_refused(
        store: Store, split_two: tuple[list[int], list[Path]]) -> None:
    conv_ids, paths = split_two
    batch = _in_batch(paths[0])
    try:
        decide(batch, [_span_of(store, conv_ids[0])], Status.APPROVED, "alice")
        with batch.transaction() as conn:
            conn.exec_driver_sql(
                "UPDATE audit SET actor = 'mallory' WHERE action = 'decide'")
    finally:
        batch.close()
    before = _snapshot(store)
    with pytest.raises(RefusedError, match="audit chain is broken"):
        batches.merge(store, [paths[0]], BATCH_PASSPHRASE, "lead")
    assert _snapshot(store) == before


def test_a_batch_with_a_forged_genesis_is_refused(
        store: Store, split_two: tuple[list[int], list[Path]]) -> None:
    batch = _in_batch(split_two[1][0])
    try:
        with batch.transaction() as conn:
            conn.exec_driver_sql(
                "UPDATE meta SET value = replace(value, '\"number\": 1', '\"number\": 7') "
                "WHERE key = 'batch'")
            conn.exec_driver_sql(
                "UPDATE meta SET value = replace(value, substr(value, instr(value, "
                "'batch_id') + 12, 8), 'deadbeef') WHERE key = 'batch'")
    finally:
        batch.close()
    with pytest.raises(RefusedError):
        batches.merge(store, [split_two[1][0]], BATCH_PASSPHRASE, "lead")


def test_a_decision_written_into_a_batch_outside_the_app_is_refused(
        store: Store, split_two: tuple[list[int], list[Path]]) -> None:
    conv_ids, paths = split_two
    span_id = _span_of(store, conv_ids[0])
    batch = _in_batch(paths[0])
    try:
        with batch.transaction() as conn:
            spans.decide(conn, span_id, Status.REJECTED, "mallory")  # no audit entry
    finally:
        batch.close()
    before = _snapshot(store)
    with pytest.raises(RefusedError, match="in no entry of its audit chain"):
        batches.merge(store, [paths[0]], BATCH_PASSPHRASE, "lead")
    assert _snapshot(store) == before


def test_a_reject_that_reveals_spans_and_its_undo_merge_back(store: Store, tmp_path: Path) -> None:
    conv_id, span_id = add_merged_address(store)
    path = batches.split(store, tmp_path / "out", 5, BATCH_PASSPHRASE, "lead").batches[0].path
    batch = _in_batch(path)
    try:
        made = decide(batch, [span_id], Status.REJECTED, "alice")
    finally:
        batch.close()
    report = batches.merge(store, [path], BATCH_PASSPHRASE, "lead")
    assert report.conflict_span_ids == []
    assert [(m.decided, m.new_spans) for m in report.batches] == [(1, 3)]
    with store.reading() as conn:
        held = spans.for_conversation(conn, conv_id)
    assert [(s.entity, s.status) for s in held] == [
        ("ADDRESS", Status.REJECTED), *[("IP_ADDRESS", Status.PENDING)] * 3]
    assert all(s.explanation["revealed_by"]["span_id"] == span_id for s in held[1:])
    batch = _in_batch(path)
    try:
        undo(batch, [d.id for d in made.decisions if d.id is not None], "alice")
    finally:
        batch.close()
    report = batches.merge(store, [path], BATCH_PASSPHRASE, "lead")
    assert report.conflict_span_ids == []
    assert [(m.decided, m.removed) for m in report.batches] == [(1, 3)]
    with store.reading() as conn:
        assert [(s.id, s.status) for s in spans.for_conversation(conn, conv_id)] == [
            (span_id, Status.PENDING)]


def test_a_split_stopped_before_it_is_audited_leaves_no_batch_file(
        store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _matter(store, 4)

    def stopped(*_args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(batches, "_record_split", stopped)
    with pytest.raises(KeyboardInterrupt):
        batches.split(store, tmp_path / "out", 2, BATCH_PASSPHRASE, "lead")
    assert list((tmp_path / "out").iterdir()) == []
    assert audit_entries(store)[-1].action != "batch_split"


def test_a_batch_is_not_split_again_nor_merged_into(
        split_two: tuple[list[int], list[Path]], tmp_path: Path) -> None:
    batch = _in_batch(split_two[1][0])
    try:
        with pytest.raises(RefusedError, match="cannot be split again"):
            batches.split(batch, tmp_path / "again", 1, BATCH_PASSPHRASE, "alice")
        with pytest.raises(RefusedError, match="cannot take a merge"):
            batches.merge(batch, [split_two[1][1]], BATCH_PASSPHRASE, "alice")
    finally:
        batch.close()


def test_two_batches_that_agree_bring_one_set_of_revealed_spans(
        store: Store, tmp_path: Path) -> None:
    conv_id, span_id = add_merged_address(store)
    paths = [batches.split(store, tmp_path / name, 5, BATCH_PASSPHRASE, "lead").batches[0].path
             for name in ("one", "two")]
    for path, who in zip(paths, ("alice", "bob"), strict=True):
        batch = _in_batch(path)
        try:
            decide(batch, [span_id], Status.REJECTED, who)
        finally:
            batch.close()
    report = batches.merge(store, paths, BATCH_PASSPHRASE, "lead")
    assert report.conflict_span_ids == []
    assert [(m.decided, m.new_spans) for m in report.batches] == [(1, 3), (0, 0)]
    with store.reading() as conn:
        held = spans.for_conversation(conn, conv_id)
    assert [(s.entity, s.status) for s in held] == [
        ("ADDRESS", Status.REJECTED), *[("IP_ADDRESS", Status.PENDING)] * 3]


def test_spans_of_a_conversation_imported_into_a_batch_are_left_out(
        store: Store, split_two: tuple[list[int], list[Path]]) -> None:
    conv_ids, paths = split_two
    batch = _in_batch(paths[0])
    try:
        extra = add_chat(batch, "stray", [("user", "Call Grace Hopper.")],
                         [(0, "Grace Hopper", "PERSON")])
        assert extra not in conv_ids[:3]
        decide(batch, [_span_of(store, conv_ids[0])], Status.APPROVED, "alice")
    finally:
        batch.close()
    report = batches.merge(store, [paths[0]], BATCH_PASSPHRASE, "lead")
    assert [(m.decided, m.new_spans, m.left_out) for m in report.batches] == [(1, 0, 1)]
    with store.reading() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM spans").scalar_one() == 5


def test_a_batch_store_cannot_be_analysed(split_two: tuple[list[int], list[Path]]) -> None:
    _, paths = split_two
    batch = _in_batch(paths[0])
    try:
        with pytest.raises(RefusedError, match="cannot be analysed"):
            analyze(batch, "reviewer")
    finally:
        batch.close()


# A batch changed with SQL, outside the app ({span} is the first conversation's span);
# whether the batch's reviewer decided that span first; what the refusal says.
TAMPERED = {
    # Rows deleted and made again: the id comes back on other text.
    "moved": (["UPDATE spans SET start = start + 3, end = end + 3, status = 'approved' "
               "WHERE id = {span}"], False, "not where the matter issued it"),
    "deleted": (["DELETE FROM spans WHERE id = {span}"], False, "no review removes"),
    "status without a decision": (["UPDATE spans SET status = 'rejected' WHERE id = {span}"],
                                  False, "no decision in the batch made it so"),
    "decision's status": (["UPDATE decisions SET status = 'approved' WHERE span_id = {span}",
                           "UPDATE spans SET status = 'approved' WHERE id = {span}"],
                          True, "not what its audit entry records"),
    "decision's reviewer": (["UPDATE decisions SET reviewer = 'mallory' WHERE span_id = {span}",
                             "UPDATE spans SET status = 'approved' WHERE id = {span}"],
                            True, "not what its audit entry records"),
}


@pytest.mark.parametrize("case", list(TAMPERED))
def test_a_batch_changed_outside_the_app_is_refused_and_nothing_merges(
        store: Store, split_two: tuple[list[int], list[Path]], case: str) -> None:
    statements, decided, said = TAMPERED[case]
    conv_ids, paths = split_two
    span_id = _span_of(store, conv_ids[0])
    batch = _in_batch(paths[0])
    try:
        if decided:
            decide(batch, [span_id], Status.REJECTED, "alice")
        with batch.transaction() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement.format(span=span_id))
    finally:
        batch.close()
    before = _snapshot(store)
    with pytest.raises(RefusedError, match=said):
        batches.merge(store, [paths[0]], BATCH_PASSPHRASE, "lead")
    assert _snapshot(store) == before


def test_a_copy_of_the_matter_from_before_the_split_is_named_when_it_refuses(
        tmp_path: Path) -> None:
    matter = create_store(tmp_path / "matter.db", PASSPHRASE, "lead")
    _matter(matter, 3)
    matter.close()
    (tmp_path / "early.db").write_bytes((tmp_path / "matter.db").read_bytes())
    matter = open_store(tmp_path / "matter.db", PASSPHRASE)
    try:
        report = batches.split(matter, tmp_path / "out", 3, BATCH_PASSPHRASE, "lead")
    finally:
        matter.close()
    early = open_store(tmp_path / "early.db", PASSPHRASE)
    try:
        with pytest.raises(RefusedError, match=r"which early\.db never issued"):
            batches.merge(early, [report.batches[0].path], BATCH_PASSPHRASE, "lead")
    finally:
        early.close()
