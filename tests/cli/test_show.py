"""``reviewer show``: the contract's JSON shape, the readable form, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewer.cli import main
from tests.conftest import PASSPHRASE

FIXTURES = Path(__file__).parents[1] / "ingest" / "fixtures"
MESSAGE_KEYS = {"index", "role", "author", "branch", "visibility", "content_type", "text"}


@pytest.fixture
def matter(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
           capsys: pytest.CaptureFixture[str]) -> str:
    monkeypatch.setenv("REVIEWER_PASSPHRASE", PASSPHRASE)
    store = str(tmp_path / "m.db")
    assert main(["init", store]) == 0
    assert main(["import", store, str(FIXTURES / "chatgpt/conversations.json"),
                 str(FIXTURES / "openai/batch_requests.jsonl")]) == 0
    capsys.readouterr()
    return store


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_shape(matter: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", matter, "--json")
    assert code == 0
    shown = json.loads(out)["conversations"]
    code, stats, _ = run(capsys, "stats", matter, "--json")
    assert len(shown) == json.loads(stats)["conversations"] == 5
    assert sum(len(c["messages"]) for c in shown) == json.loads(stats)["messages"]
    for conv in shown:
        assert {"id", "source_id", "title"} <= set(conv)
        assert isinstance(conv["id"], str)
        indexes = [m["index"] for m in conv["messages"]]
        assert indexes == sorted(indexes)
        assert all(set(m) == MESSAGE_KEYS for m in conv["messages"])
    batch = next(c for c in shown if c["source_id"] == "request-1")
    assert "Harriet Cole (DOB 03/07/1981)" in batch["messages"][1]["text"]


def test_one_conversation_and_the_readable_form(matter: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    everything = json.loads(run(capsys, "show", matter, "--json")[1])["conversations"]
    chosen = next(c for c in everything if any(m["branch"] == "alternate"
                                               for m in c["messages"]))
    one = json.loads(run(capsys, "show", matter, "--conversation", chosen["id"], "--json")[1])
    assert one == {"conversations": [chosen]}
    code, out, _ = run(capsys, "show", matter, "--conversation", chosen["id"])
    assert code == 0
    assert out.startswith(f"=== conversation {chosen['id']}  source {chosen['source_id']}")
    assert "alternate" in out
    for message in chosen["messages"]:
        assert f"[{message['index']}] {message['role']}" in out
        assert all(f"    {line}" in out for line in message["text"].split("\n"))


def test_empty_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("REVIEWER_PASSPHRASE", PASSPHRASE)
    store = str(tmp_path / "e.db")
    main(["init", store])
    capsys.readouterr()
    code, out, _ = run(capsys, "show", store, "--json")
    assert (code, json.loads(out)) == (0, {"conversations": []})


@pytest.mark.parametrize(("given", "exit_code", "said"), [
    ("4242", 1, "holds no conversation 4242"),
    ("request-1", 2, "not a conversation id"),
])
def test_bad_conversation_ids(matter: str, capsys: pytest.CaptureFixture[str], given: str,
                              exit_code: int, said: str) -> None:
    code, out, err = run(capsys, "show", matter, "--conversation", given)
    assert code == exit_code
    assert out == ""
    assert said in err
    assert err.count("\n") == 1
