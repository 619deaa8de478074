"""The core commands through ``reviewer.cli.main``: output, JSON shapes, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reviewer import __version__
from reviewer.cli import build_parser, main
from reviewer.ops.stores import create_store
from tests.conftest import PASSPHRASE
from tests.export.builders import add_chat, add_span


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv("REVIEWER_PASSPHRASE", PASSPHRASE)
    return monkeypatch


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--version")
    assert code == 0
    assert __version__ in out


def test_init_stats_audit(env: pytest.MonkeyPatch, tmp_path: Path,
                          capsys: pytest.CaptureFixture[str]) -> None:
    store = str(tmp_path / "m.db")
    assert _run(capsys, "init", store)[0] == 0
    code, out, _ = _run(capsys, "stats", store, "--json")
    assert code == 0
    stats = json.loads(out)
    assert stats["conversations"] == 0
    assert stats["spans"] == {"total": 0, "pending": 0, "approved": 0, "rejected": 0}
    assert stats["by_entity"] == {}
    code, out, _ = _run(capsys, "audit", store, "--json")
    entries = json.loads(out)
    assert [e["action"] for e in entries] == ["init"]
    assert entries[0]["actor"] == "tester"
    assert _run(capsys, "audit", store, "--verify")[0] == 0


def test_reviewer_flag_names_the_actor(env: pytest.MonkeyPatch, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    store = str(tmp_path / "m.db")
    _run(capsys, "init", store, "--reviewer", "Ada Reviewer")
    _, out, _ = _run(capsys, "audit", store, "--json")
    assert json.loads(out)[0]["actor"] == "Ada Reviewer"


def test_init_refuses_existing(env: pytest.MonkeyPatch, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "m.db"
    store.write_bytes(b"x")
    code, _, err = _run(capsys, "init", str(store))
    assert code == 4
    assert err.count("\n") == 1
    assert "already exists" in err


def test_passphrase_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                         capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    store = str(tmp_path / "m.db")
    assert _run(capsys, "init", store, "--passphrase-file", str(secret))[0] == 0
    assert _run(capsys, "stats", store, "--passphrase-file", str(secret))[0] == 0


def test_no_passphrase_without_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    code, _, err = _run(capsys, "init", str(tmp_path / "m.db"))
    assert code == 2
    assert "REVIEWER_PASSPHRASE" in err


def test_passwd_then_old_fails(env: pytest.MonkeyPatch, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    store = str(tmp_path / "m.db")
    _run(capsys, "init", store)
    env.setenv("REVIEWER_NEW_PASSPHRASE", "brand new quiet lantern")
    code, out, err = _run(capsys, "passwd", store)
    assert code == 0, err
    assert PASSPHRASE not in out + err
    assert _run(capsys, "stats", store)[0] == 4
    env.setenv("REVIEWER_PASSPHRASE", "brand new quiet lantern")
    code, out, _ = _run(capsys, "audit", store, "--json")
    assert [e["action"] for e in json.loads(out)] == ["init", "passwd"]
    assert _run(capsys, "audit", store, "--verify")[0] == 0


def test_usage_error_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, "decide", "x.db")[0] == 2


@pytest.mark.parametrize("content", [b"random bytes" * 100, b"SQLite format 3\x00" + b"\0" * 100])
def test_bad_store_exit_4_one_line_no_traceback(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.db"
    path.write_bytes(content)
    result = subprocess.run(
        [sys.executable, "-m", "reviewer.cli", "stats", str(path)],
        capture_output=True, text=True, env={"REVIEWER_PASSPHRASE": PASSPHRASE, "PATH": "/usr/bin"},
        check=False,
    )
    assert result.returncode == 4
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert PASSPHRASE not in result.stderr + result.stdout


def test_wrong_passphrase_exit_4(env: pytest.MonkeyPatch, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    store = str(tmp_path / "m.db")
    _run(capsys, "init", store)
    env.setenv("REVIEWER_PASSPHRASE", "wrong")
    code, _, err = _run(capsys, "stats", store)
    assert code == 4
    assert "Wrong passphrase" in err


def test_passphrase_is_out_of_the_environment_while_a_command_runs(
        env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import os

    from reviewer import cli

    store = str(tmp_path / "m.db")
    _run(capsys, "init", store)
    seen: dict[str, object] = {}

    def stats(args: object) -> int:
        seen["environment"] = dict(os.environ)
        seen["passphrase"] = cli.read_passphrase(args)  # type: ignore[arg-type]
        return 0

    env.setattr(cli, "cmd_stats", stats)
    assert _run(capsys, "stats", store)[0] == 0
    assert "REVIEWER_PASSPHRASE" not in seen["environment"]  # type: ignore[operator]
    assert seen["passphrase"] == PASSPHRASE
    assert os.environ["REVIEWER_PASSPHRASE"] == PASSPHRASE  # the caller's, given back


@pytest.mark.parametrize("argv", [["export"], ["frobnicate"], ["stats", "--nope", "x.db"],
                                  ["qc", "sample"], ["batch", "split", "s.db"]])
def test_a_usage_error_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str],
                                               argv: list[str]) -> None:
    with pytest.raises(SystemExit) as ended:
        build_parser().parse_args(argv)
    assert ended.value.code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("reviewer")
    assert "--help" in err


def test_help_still_prints_the_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as ended:
        build_parser().parse_args(["export", "--help"])
    assert ended.value.code == 0
    assert "usage: reviewer export" in capsys.readouterr().out


def _one_person_store(tmp_path: Path) -> Path:
    store = create_store(tmp_path / "m.db", PASSPHRASE, "tester")
    conv_id, (m0,) = add_chat(store, "c1", ["Hi, I am Ann Lee."])
    add_span(store, conv_id, m0, "Hi, I am Ann Lee.", "Ann Lee", "PERSON")
    store.close()
    return tmp_path / "m.db"


def test_spans_entity_filter_reads_the_name_in_any_case(
        env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _one_person_store(tmp_path)
    code, out, _ = _run(capsys, "spans", str(path), "--entity", "person", "--json")
    assert code == 0
    assert [span["entity"] for span in json.loads(out)] == ["PERSON"]


def test_spans_refuses_an_entity_nobody_names(
        env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _one_person_store(tmp_path)
    code, out, err = _run(capsys, "spans", str(path), "--entity", "persn")
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1
    assert "PERSN" in err
    assert "PERSON" in err
    # An entity the policy names lists nothing when no span has it: that is an answer.
    code, out, _ = _run(capsys, "spans", str(path), "--entity", "iban_code", "--json")
    assert (code, json.loads(out)) == (0, [])


def _damaged_store(tmp_path: Path) -> Path:
    """A store of some pages, one byte flipped near its end (a page of conversations)."""
    path = tmp_path / "m.db"
    store = create_store(path, PASSPHRASE, "tester")
    for i in range(200):
        add_chat(store, f"c{i}", [f"Message {i} " + "about the boiler and the deposit. " * 20])
    store.close()
    data = bytearray(path.read_bytes())
    data[len(data) - 300] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


def test_a_damaged_store_is_said_so_in_one_line_exit_4(
        env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(_damaged_store(tmp_path))
    code, _, err = _run(capsys, "show", path, "--json")
    assert code == 4
    assert err.count("\n") == 1
    assert "is damaged" in err
    assert "restore it from a backup" in err


def test_audit_verify_does_not_pass_a_damaged_store(
        env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "audit", str(_damaged_store(tmp_path)), "--verify")
    assert code in (1, 4)
    assert "Audit chain intact" not in out
    assert "damaged" in err


def test_passwd_without_a_new_passphrase_names_its_variable(
        env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, "init", str(tmp_path / "m.db"))[0] == 0
    env.setattr("sys.stdin.isatty", lambda: False)
    env.delenv("REVIEWER_NEW_PASSPHRASE", raising=False)
    code, _, err = _run(capsys, "passwd", str(tmp_path / "m.db"))
    assert code == 2
    assert err == ("reviewer: No new passphrase: set REVIEWER_NEW_PASSPHRASE, or run in a "
                   "terminal.\n")
