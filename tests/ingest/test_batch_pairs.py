"""OpenAI batch: a request and its response (one custom_id) are one conversation,
whichever file is imported first, with what was reviewed on the first half kept."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reviewer.domain.models import Origin, Status, Suggestion
from reviewer.ops import showing
from reviewer.ops.decisions import decide
from reviewer.ops.importing import import_files
from reviewer.store import analysis, audit, spans
from reviewer.store.database import Store

FIXTURES = Path(__file__).parent / "fixtures" / "openai"
REQUESTS = FIXTURES / "batch_requests.jsonl"
RESPONSES = FIXTURES / "batch_output.jsonl"
PROMPT = "Complaint from Harriet Cole (DOB 03/07/1981)"
ANSWER = "Harriet Cole says the branch refused her deposit."
FAILURE = "error:\n  code: server_error\n  message: failed"


def conversations(store: Store) -> list[dict[str, Any]]:
    with showing.show(store) as shown:
        return [{**c.fields, "messages": list(c.messages)} for c in shown]


def by_source(store: Store) -> dict[str, list[tuple[str, str]]]:
    return {c["source_id"]: [(m["role"], m["text"]) for m in c["messages"]]
            for c in conversations(store)}


def import_ok(store: Store, *paths: Path) -> Any:
    report = import_files(store, list(paths), "tester")
    assert not report.failed, report.error_lines()
    return report


def test_requests_then_responses_are_one_conversation(store: Store) -> None:
    import_ok(store, REQUESTS)
    report = import_ok(store, RESPONSES)
    shown = by_source(store)
    assert list(shown) == ["request-1", "request-2"]
    roles = [role for role, _ in shown["request-1"]]
    assert roles == ["system", "user", "assistant"]
    assert PROMPT in shown["request-1"][1][1]
    assert shown["request-1"][2][1] == ANSWER
    # its request failed: the error is its answer, text to review
    assert shown["request-2"][1:] == [("system", FAILURE)]
    result = report.files[0]
    assert (result.conversations, result.messages, result.already_present) == (0, 2, 0)
    assert "completed 2 batch conversations" in " ".join(report.summary_lines())
    with store.reading() as conn:
        entry = list(audit.entries(conn))[-1]
    assert entry.action == "import"
    assert entry.payload["completed"] == [{
        "conversation_id": str(i), "source_id": f"request-{i}", "added": "response",
        "messages": 1, "exported_before": False} for i in (1, 2)]


def test_either_order_gives_the_same_conversation(store: Store, tmp_path: Path) -> None:
    from reviewer.ops.stores import create_store
    from tests.conftest import PASSPHRASE

    import_ok(store, REQUESTS, RESPONSES)
    other = create_store(tmp_path / "other.db", PASSPHRASE, "tester")
    try:
        import_ok(other, RESPONSES)
        import_ok(other, REQUESTS)
        assert by_source(other) == by_source(store)
        hashes = [_hashes(s) for s in (store, other)]
        assert hashes[0] == hashes[1]
    finally:
        other.close()


def _hashes(store: Store) -> list[tuple[str, str, int]]:
    with store.reading() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(
            "SELECT source_id, content_hash, n_messages FROM conversations ORDER BY source_id")]


@pytest.mark.parametrize("first", [REQUESTS, RESPONSES])
def test_importing_either_file_again_changes_nothing(store: Store, first: Path) -> None:
    second = RESPONSES if first == REQUESTS else REQUESTS
    import_ok(store, first, second)
    before = (by_source(store), _hashes(store))
    for path in (first, second):
        report = import_ok(store, path)
        assert report.totals()["conversations"] == 0
        assert report.totals()["messages"] == 0
        assert not report.files[0].completed
        assert (by_source(store), _hashes(store)) == before


def test_one_file_with_both_halves(store: Store, tmp_path: Path) -> None:
    both = tmp_path / "both.jsonl"
    both.write_bytes(RESPONSES.read_bytes() + REQUESTS.read_bytes())
    import_ok(store, both)
    assert [r for r, _ in by_source(store)["request-1"]] == ["system", "user", "assistant"]


def _span_on(store: Store, source_id: str, text: str) -> tuple[int, int]:
    """A decided manual span on ``text`` in the conversation's message holding it."""
    conv = next(c for c in conversations(store) if c["source_id"] == source_id)
    with store.transaction() as conn:
        row = conn.exec_driver_sql(
            "SELECT id, text FROM messages WHERE conversation_id = ? AND instr(text, ?) > 0",
            (int(conv["id"]), text)).one()
        start = row[1].index(text)
        span_id = spans.add(conn, int(conv["id"]), row[0], [Suggestion(
            start, start + len(text), "PERSON", 1.0, "manual", origin=Origin.MANUAL)], None)[0]
        conn.exec_driver_sql("UPDATE messages SET analyzed_policy = 'p' WHERE conversation_id = ?",
                             (int(conv["id"]),))
    decide(store, [span_id], Status.APPROVED, "tester", None)
    return span_id, int(conv["id"])


@pytest.mark.parametrize("first", [REQUESTS, RESPONSES])
def test_spans_and_decisions_on_the_first_half_stay(store: Store, first: Path) -> None:
    second = RESPONSES if first == REQUESTS else REQUESTS
    import_ok(store, first)
    span_id, conv_id = _span_on(store, "request-1", "Harriet Cole")
    with store.reading() as conn:
        # request-2 only: its prompt, or the error that came instead of an answer
        assert analysis.count_stale(conn, "p")[0] == 1
    import_ok(store, second)
    with store.reading() as conn:
        span = spans.get(conn, span_id)
        text = conn.exec_driver_sql("SELECT text FROM messages WHERE id = ?",
                                    (span.message_id,)).scalar_one()
        stale = analysis.count_stale(conn, "p")
        unanalysed = conn.exec_driver_sql(
            "SELECT count(*) FROM messages WHERE conversation_id = ? AND analyzed_policy IS NULL",
            (conv_id,)).scalar_one()
    assert span.status is Status.APPROVED
    assert span.conversation_id == conv_id
    assert text[span.start:span.end] == "Harriet Cole"
    assert stale[0] == 2  # the completed conversation is pending again, with request-2
    assert unanalysed == (1 if first == REQUESTS else 2)
    assert [r for r, _ in by_source(store)["request-1"]] == ["system", "user", "assistant"]


def test_an_earlier_export_is_named(store: Store) -> None:
    import_ok(store, REQUESTS)
    with store.transaction() as conn:
        audit.append(conn, "tester", "export", {"packet_id": "test"})
    report = import_ok(store, RESPONSES)
    assert report.files[0].completed[0].exported_before
    assert "earlier packet was exported" in " ".join(report.summary_lines())


def test_a_different_answer_is_kept_apart(store: Store, tmp_path: Path) -> None:
    import_ok(store, REQUESTS, RESPONSES)
    rerun = tmp_path / "rerun.jsonl"
    line = json.loads(RESPONSES.read_text(encoding="utf-8").splitlines()[0])
    line["response"]["body"]["choices"][0]["message"]["content"] = "Another answer, Ms Cole."
    rerun.write_text(json.dumps(line) + "\n", encoding="utf-8")
    report = import_ok(store, rerun)
    assert report.totals()["conversations"] == 1
    texts = [m for c in conversations(store) if c["source_id"] == "request-1"
             for m in c["messages"]]
    assert [m["text"] for m in texts].count(ANSWER) == 1
    assert "Another answer, Ms Cole." in [m["text"] for m in texts]


def test_a_bad_response_file_changes_nothing(store: Store, tmp_path: Path) -> None:
    import_ok(store, REQUESTS)
    before = (by_source(store), _hashes(store))
    bad = tmp_path / "bad_output.jsonl"
    bad.write_bytes(RESPONSES.read_bytes() + b'{"custom_id": "request-3", "response": 7}\n')
    report = import_files(store, [bad], "tester")
    assert report.failed
    assert report.error_lines()[0].startswith("bad_output.jsonl, line 3:")
    assert (by_source(store), _hashes(store)) == before


def test_a_line_with_both_halves_completes_a_stored_request(store: Store, tmp_path: Path) -> None:
    import_ok(store, REQUESTS)
    request = json.loads(REQUESTS.read_text(encoding="utf-8").splitlines()[0])
    answer = json.loads(RESPONSES.read_text(encoding="utf-8").splitlines()[0])
    whole = tmp_path / "whole.jsonl"
    whole.write_text(json.dumps({**request, "response": answer["response"]}) + "\n",
                     encoding="utf-8")
    report = import_ok(store, whole)
    assert report.files[0].completed[0].added == "response"
    assert [r for r, _ in by_source(store)["request-1"]] == ["system", "user", "assistant"]
    before = by_source(store)["request-1"]
    assert import_ok(store, RESPONSES).totals()["messages"] == 1  # request-2's error
    assert by_source(store)["request-1"] == before


def test_two_waiting_requests_with_one_custom_id_are_not_guessed(store: Store,
                                                                 tmp_path: Path) -> None:
    import_ok(store, REQUESTS)
    other = tmp_path / "other_batch.jsonl"
    line = json.loads(REQUESTS.read_text(encoding="utf-8").splitlines()[0])
    line["body"]["messages"][1]["content"] = "Another batch's prompt about Tom Price."
    other.write_text(json.dumps(line) + "\n", encoding="utf-8")
    import_ok(store, other)
    report = import_ok(store, RESPONSES)
    assert report.files[0].unpaired == ["request-1"]
    assert "stored on their own" in " ".join(report.summary_lines())
    assert sum(c["source_id"] == "request-1" for c in conversations(store)) == 3
