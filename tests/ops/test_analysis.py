"""`analyze` end to end on a store: spans, propagation, markers, resumption, re-analysis.

Every test here runs with outgoing sockets refused (tests/conftest.py), so a
whole analysis is shown to need no network.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from reviewer.domain.errors import CancelledError
from reviewer.domain.models import Conversation, Message, Origin, Status, Suggestion
from reviewer.ops import analysis as ops_analysis
from reviewer.ops.analysis import analyze
from reviewer.ops.decisions import decide
from reviewer.ops.stats import store_stats
from reviewer.store import analysis as stored_analysis
from reviewer.store import audit, conversations, spans
from reviewer.store.database import Store

POLICY = Path(__file__).resolve().parents[2] / "resources" / "policy.yaml"

MESSAGES = (
    "Hi, I'm Margaret Thornbury. Write to mar\u200bgaret.thornbury＠example.com please.",
    "Thanks Margaret! Noted.",
    "[REDACTED] lives at 221 Baker Street, London. Her key is "
    "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z and <PERSON_1> knows.",
    "Thornbury will call later.",
)


def _add(store: Store, source_id: str = "c1", messages: tuple[str, ...] = MESSAGES) -> int:
    conv = Conversation(source_id, "Margaret Thornbury's address",
                        tuple(Message(i, "user", t) for i, t in enumerate(messages)))
    with store.transaction() as conn:
        conv_id = conversations.add_conversation(conn, conv, None)
    assert conv_id is not None
    return conv_id


def _texts(store: Store, conv_id: int) -> list[tuple[int | None, str, str, Origin, Status]]:
    with store.reading() as conn:
        conv = conversations.get_conversation(conn, conv_id)
        text_of: dict[int | None, str] = {m.id: m.text for m in conv.messages}
        text_of[None] = conv.title or ""
        found = spans.for_conversation(conn, conv_id)
    index = {m.id: m.index for m in conv.messages}
    return [(index.get(s.message_id), text_of[s.message_id][s.start:s.end], s.entity, s.origin,
             s.status) for s in found]


@pytest.fixture
def analysed(store: Store) -> tuple[Store, int]:
    conv_id = _add(store)
    report = analyze(store, "tester", policy_path=POLICY, workers=1)
    assert report.texts == len(MESSAGES) + 1
    return store, conv_id


def test_whole_analysis_finds_chat_pii_at_exact_offsets(analysed: tuple[Store, int]) -> None:
    store, conv_id = analysed
    found = {(index, text) for index, text, *_ in _texts(store, conv_id)}
    assert (0, "Margaret Thornbury") in found
    assert (0, "mar\u200bgaret.thornbury＠example.com") in found
    assert (2, "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z") in found
    assert any(index == 2 and text.startswith("221 Baker Street") for index, text in found)
    assert any(index is None and text.startswith("Margaret Thornbury") for index, text in found)


def test_name_parts_are_suggested_where_they_stand_alone(analysed: tuple[Store, int]) -> None:
    store, conv_id = analysed
    rows = _texts(store, conv_id)
    assert any(r[0] == 3 and r[1] == "Thornbury" for r in rows)


def test_stored_entities_propagate_with_their_origin(store: Store) -> None:
    conv_id = _add(store, "p", ("Project Bluefin starts in May.",
                                "the project bluefin budget is fixed."))
    with store.transaction() as conn:
        first = conversations.get_conversation(conn, conv_id).messages[0]
        spans.add(conn, conv_id, first.id, [Suggestion(
            0, 15, "ORGANIZATION", 1.0, "reviewer", origin=Origin.MANUAL)], None)
    analyze(store, "tester", policy_path=POLICY, workers=1)
    rows = _texts(store, conv_id)
    assert (1, "project bluefin", "ORGANIZATION", Origin.PROPAGATED, Status.PENDING) in rows
    assert [r for r in rows if r[0] == 0 and "Bluefin" in r[1]] == [
        (0, "Project Bluefin", "ORGANIZATION", Origin.MANUAL, Status.PENDING)]


def test_upstream_markers_are_approved_spans_and_counted(analysed: tuple[Store, int]) -> None:
    store, conv_id = analysed
    markers = [r for r in _texts(store, conv_id) if r[3] is Origin.UPSTREAM]
    assert [(r[1], r[2], r[4]) for r in markers] == [
        ("[REDACTED]", "REDACTED", Status.APPROVED), ("<PERSON_1>", "PERSON", Status.APPROVED)]
    extra = store_stats(store)["analysis"]
    assert extra == {"upstream_markers": {"bracketed": 1, "angle_entity": 1},
                     "pattern_only": False,
                     "languages": {"en": {"messages": 1, "names_not_searched": 0},
                                   "und": {"messages": 3, "names_not_searched": 0}}}


def test_each_message_keeps_its_language_and_whether_names_were_looked_for(
        store: Store) -> None:
    korean = "그것은 위험합니다. 그래서 리스크가 큽니다. 메일은 minsu.kim@example.org 입니다."
    conv_id = _add(store, "ko", ("Could you please translate this for me and the team?", korean))
    analyze(store, "tester", policy_path=POLICY, workers=1)
    rows = _texts(store, conv_id)
    assert [r[1:3] for r in rows if r[0] == 1] == [("minsu.kim@example.org", "EMAIL_ADDRESS")]
    with store.reading() as conn:
        messages = conversations.get_conversation(conn, conv_id).messages
        assert stored_analysis.unsearched_languages(conn, conv_id) == {messages[1].id: "ko"}
    assert store_stats(store)["analysis"]["languages"] == {
        "en": {"messages": 1, "names_not_searched": 0},
        "ko": {"messages": 1, "names_not_searched": 1}}


def test_no_two_spans_of_a_text_overlap(analysed: tuple[Store, int]) -> None:
    store, conv_id = analysed
    with store.reading() as conn:
        found = spans.for_conversation(conn, conv_id)
    by_text: dict[int | None, list[tuple[int, int]]] = {}
    for s in found:
        by_text.setdefault(s.message_id, []).append((s.start, s.end))
    for intervals in by_text.values():
        intervals.sort()
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(intervals))


def test_audit_names_the_policy_hash_and_the_chain_holds(analysed: tuple[Store, int]) -> None:
    store, _ = analysed
    with store.reading() as conn:
        entries = [e for e in audit.entries(conn) if e.action == "analyze"]
        assert audit.verify(conn).ok
    assert len(entries) == 1
    assert len(entries[0].payload["policy_hash"]) == 64


def test_rerun_is_incremental(analysed: tuple[Store, int]) -> None:
    store, _ = analysed
    again = analyze(store, "tester", policy_path=POLICY, workers=1)
    assert (again.texts, sum(again.spans.values())) == (0, 0)
    conv_id = _add(store, "c2", ("My name is Priya Raman, phone +44 20 7946 0958.",))
    third = analyze(store, "tester", policy_path=POLICY, workers=1)
    assert third.conversations == 1
    assert third.texts == 2
    assert any(r[1] == "Priya Raman" for r in _texts(store, conv_id))


def test_policy_change_keeps_decisions_and_honours_rejections(
        analysed: tuple[Store, int], tmp_path: Path) -> None:
    store, conv_id = analysed
    with store.reading() as conn:
        found = spans.for_conversation(conn, conv_id)
    before = _texts(store, conv_id)
    person = next(s for s, row in zip(found, before, strict=True) if row[1] == "Margaret Thornbury"
                  and s.message_id is not None)
    secret = next(s for s in found if s.entity == "SECRET")
    decide(store, [person.id], Status.REJECTED, "tester", "NOT_PII")
    decide(store, [secret.id], Status.APPROVED, "tester", "CREDENTIAL")
    changed = tmp_path / "policy.yaml"
    changed.write_text(POLICY.read_text(encoding="utf-8").replace(
        "default_threshold: 0.4", "default_threshold: 0.45"), encoding="utf-8")
    report = analyze(store, "tester", policy_path=changed, workers=1)
    assert report.texts == len(MESSAGES) + 1
    assert report.replaced > 0
    with store.reading() as conn:
        assert spans.get(conn, person.id).status is Status.REJECTED
        assert spans.get(conn, secret.id).status is Status.APPROVED
        after = spans.for_conversation(conn, conv_id)
    rows = _texts(store, conv_id)
    pending_names = [r for r in rows if r[1] == "Margaret Thornbury" and r[4] is Status.PENDING]
    assert pending_names == []  # rejected text is not suggested again
    assert len([s for s in after if s.entity == "SECRET"]) == 1  # no duplicate of a decided span
    assert len([r for r in rows if r[3] is Origin.UPSTREAM]) == 2
    with store.reading() as conn:
        counts = conversations.get_conversation(conn, conv_id)  # counters checked below
    assert counts.id == conv_id
    _assert_counters(store, conv_id)


def _assert_counters(store: Store, conv_id: int) -> None:
    with store.reading() as conn:
        found = spans.for_conversation(conn, conv_id)
        row: Any = conn.exec_driver_sql(
            "SELECT n_pending, n_approved, n_rejected FROM conversations WHERE id = ?",
            (conv_id,)).one()
    actual = tuple(sum(s.status is st for s in found)
                   for st in (Status.PENDING, Status.APPROVED, Status.REJECTED))
    assert tuple(row) == actual


def test_cancelled_run_keeps_committed_batches_and_resumes(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ops_analysis, "BATCH_CONVERSATIONS", 1)
    for i in range(3):
        _add(store, f"c{i}", (f"Message {i} from Olusegun Adebayo{i}",))

    def cancel_after_first_batch(done: int, total: int | None, label: str) -> None:
        if done:  # progress is also reported within a batch, where a cancel stops it
            raise CancelledError("cancelled")

    with pytest.raises(CancelledError):
        analyze(store, "tester", policy_path=POLICY, workers=1, progress=cancel_after_first_batch)
    rest = analyze(store, "tester", policy_path=POLICY, workers=1)
    assert rest.conversations == 2


@pytest.mark.slow
def test_two_workers_store_the_same_spans(store: Store, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ops_analysis, "BATCH_CONVERSATIONS", 200)
    messages = tuple(f"Ticket {i}: Ana Lucia Ferreira at +1 415 555 01{i % 90 + 10}, "
                     f"ana{i}@example.org" for i in range(110))
    conv_id = _add(store, "big", messages)
    report = analyze(store, "tester", policy_path=POLICY, workers=2)
    assert report.workers == 2
    rows = _texts(store, conv_id)
    assert sum(1 for r in rows if r[2] == "EMAIL_ADDRESS") == 110


def test_summary_and_warning_lines(analysed: tuple[Store, int]) -> None:
    store, _ = analysed
    report = analyze(store, "tester", policy_path=POLICY, workers=1)
    assert report.summary_lines()[0].startswith("Analysed 0 texts")
    assert report.warning_lines() == []
    report.pattern_only = True
    assert "patterns only" in report.warning_lines()[0]
