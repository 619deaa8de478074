"""``reviewer batch split|merge|conflicts`` and ``spans --status conflict`` through
``reviewer.cli.main``: the round trip a lead and two reviewers make, exit codes,
one-line refusals, and the batch passphrase read from the environment or a file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.ops.stores import create_store
from tests.conftest import PASSPHRASE
from tests.ops.review_builders import add_chat

BATCH_PASSPHRASE = "violet anchor meadow tram"


@pytest.fixture
def matter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "m.store"
    store = create_store(path, PASSPHRASE, "lead")
    try:
        for i in range(3):
            add_chat(store, f"c{i}", [("user", f"I am Ada Lovelace, ticket {i}.")],
                     [(0, "Ada Lovelace", "PERSON")])
    finally:
        store.close()
    monkeypatch.setenv("REVIEWER_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("REVIEWER_BATCH_PASSPHRASE", BATCH_PASSPHRASE)
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _in_batch(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
              *argv: str) -> tuple[int, str, str]:
    with monkeypatch.context() as m:
        m.setenv("REVIEWER_PASSPHRASE", BATCH_PASSPHRASE)
        return _run(capsys, *argv)


def test_split_decide_in_a_batch_merge_twice_and_list_the_conflict(
        matter: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "out"
    code, out, _ = _run(capsys, "batch", "split", str(matter), str(out_dir), "--size", "2",
                        "--json")
    assert code == 0
    assert [(b["number"], b["conversations"]) for b in json.loads(out)["batches"]] == [
        (1, 2), (2, 1)]
    first = out_dir / "m-batch-001.store"
    assert sorted(p.name for p in out_dir.iterdir()) == ["m-batch-001.store",
                                                        "m-batch-002.store"]
    assert _in_batch(monkeypatch, capsys, "decide", str(first), "--approve", "1",
                     "--reviewer", "alice")[0] == 0
    assert _in_batch(monkeypatch, capsys, "decide", str(first), "--approve", "2",
                     "--reviewer", "alice")[0] == 0
    assert _run(capsys, "decide", str(matter), "--reject", "2")[0] == 0

    code, out, _ = _run(capsys, "batch", "merge", str(matter), str(first), "--json")
    assert code == 0
    merged = json.loads(out)
    assert merged["conflicts"] == {"count": 1, "span_ids": ["2"]}
    assert merged["batches"][0]["decided"] == 1
    code, out, _ = _run(capsys, "batch", "merge", str(matter), str(first))
    assert code == 0
    assert "already merged" in out
    code, out, _ = _run(capsys, "batch", "merge", str(matter), str(first), "--json")
    again = json.loads(out)
    assert again["audit_seq"] is None
    assert [b["already_merged"] for b in again["batches"]] == [True]

    code, out, _ = _run(capsys, "spans", str(matter), "--json")
    statuses = {s["id"]: s["status"] for s in json.loads(out)}
    assert statuses == {"1": "approved", "2": "rejected", "3": "pending"}
    code, out, _ = _run(capsys, "spans", str(matter), "--status", "conflict", "--json")
    assert [s["id"] for s in json.loads(out)] == ["2"]
    code, out, _ = _run(capsys, "batch", "conflicts", str(matter), "--json")
    (conflict,) = json.loads(out)
    assert conflict["batch"]["status"] == "approved"
    assert conflict["batch"]["reviewer"] == "alice"
    assert conflict["matter"]["status"] == "rejected"
    code, out, _ = _run(capsys, "audit", str(matter), "--json")
    actions = [e["action"] for e in json.loads(out)]
    assert actions[-3:] == ["batch_split", "decide", "batch_merge"]


def test_a_batch_cannot_export_and_a_foreign_batch_is_refused_in_one_line(
        matter: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, "batch", "split", str(matter), str(tmp_path / "out"), "--size", "5")[0] == 0
    batch = tmp_path / "out" / "m-batch-001.store"
    code, _, err = _in_batch(monkeypatch, capsys, "export", str(batch), str(tmp_path / "pk"),
                             "--allow-pending")
    assert code == 1
    assert "cannot export" in err
    assert err.count("\n") == 1
    other = tmp_path / "other.store"
    create_store(other, PASSPHRASE, "lead").close()
    code, _, err = _run(capsys, "batch", "merge", str(other), str(batch))
    assert code == 1
    assert "another matter" in err
    assert err.count("\n") == 1


def test_the_batch_passphrase_from_a_file_and_a_wrong_one(
        matter: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("REVIEWER_BATCH_PASSPHRASE")
    secret = tmp_path / "batch.pass"
    secret.write_text(BATCH_PASSPHRASE + "\n")
    out_dir = tmp_path / "out"
    assert _run(capsys, "batch", "split", str(matter), str(out_dir), "--size", "5",
                "--batch-passphrase-file", str(secret))[0] == 0
    secret.write_text("a different long passphrase\n")
    code, _, err = _run(capsys, "batch", "merge", str(matter), str(out_dir / "m-batch-001.store"),
                        "--batch-passphrase-file", str(secret))
    assert code == 4
    assert "Wrong passphrase" in err
