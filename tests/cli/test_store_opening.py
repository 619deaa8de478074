"""Opening stores from the command line: read-only places named as such (exit 4)
while reading still works, passphrase strength at init and passwd (exit 2), and
decide's reason codes (exit 2). Every refusal is one line on stderr."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.ops.stores import create_store
from reviewer.suggest.policy import load_policy
from tests.conftest import PASSPHRASE
from tests.store.factory import add_conversation_with_spans
from tests.store.readonly import unwritable


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv("REVIEWER_PASSPHRASE", PASSPHRASE)
    return monkeypatch


@pytest.fixture
def matter(store_path: Path) -> Path:
    """A closed store with one conversation of three pending spans (ids 1-3)."""
    with create_store(store_path, PASSPHRASE, "tester") as store:
        add_conversation_with_spans(store)
    return store_path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _one_line(err: str) -> str:
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


def _statuses(capsys: pytest.CaptureFixture[str], store: Path) -> list[str]:
    code, out, _ = _run(capsys, "spans", str(store), "--json")
    assert code == 0
    return [span["status"] for span in json.loads(out)]


# --- read-only places ----------------------------------------------------------------------------


@pytest.mark.usefixtures("env")
@pytest.mark.parametrize("where", ["file", "folder"])
def test_reads_work_and_writes_are_refused_as_read_only(
        matter: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str) -> None:
    store = str(matter)
    with unwritable(matter if where == "file" else matter.parent):
        for reading in (["stats", "--json"], ["spans"], ["show"], ["audit", "--verify"]):
            code, _, err = _run(capsys, reading[0], store, *reading[1:])
            assert code == 0, err
        for writing in (["decide", store, "--approve", "1"],
                        ["export", store, str(tmp_path / "packet"), "--allow-pending"],
                        ["passwd", store], ["import", store, str(tmp_path / "none.json")],
                        ["analyze", store]):
            code, _, err = _run(capsys, *writing)
            assert code == 4, (writing, err)
            assert _one_line(err).startswith(f"reviewer: {store} is read-only: ")
        assert _statuses(capsys, matter) == ["pending"] * 3
    assert not (tmp_path / "packet").exists()


@pytest.mark.usefixtures("env")
def test_init_in_a_read_only_folder_is_refused(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "sealed"
    folder.mkdir()
    with unwritable(folder):
        code, _, err = _run(capsys, "init", str(folder / "new.db"))
    assert code == 4
    assert _one_line(err).startswith(f"reviewer: {folder} is read-only: ")


DRIVE = textwrap.dedent("""
    set -e
    mount -t tmpfs -o size=16m tmpfs "$1"
    cp "$2" "$1/matter.db"
    mount -o remount,ro "$1"
    "$3" -m reviewer.cli stats "$1/matter.db" >/dev/null && echo "stats 0"
    "$3" -m reviewer.cli decide "$1/matter.db" --approve 1 || echo "decide $?"
""")


def test_a_write_blocked_drive(matter: Path, tmp_path: Path) -> None:
    """A drive mounted read-only, in a private mount namespace (root only)."""
    unshare = shutil.which("unshare")
    if sys.platform != "linux" or os.geteuid() != 0 or unshare is None or subprocess.run(
            [unshare, "-m", "true"], capture_output=True, check=False).returncode != 0:
        pytest.skip("needs root and mount namespaces to mount a read-only drive")
    mount_point = tmp_path / "drive"
    mount_point.mkdir()
    result = subprocess.run(
        [unshare, "-m", "sh", "-c", DRIVE, "drive", str(mount_point), str(matter),
         sys.executable],
        capture_output=True, text=True, check=False,
        env={**os.environ, "REVIEWER_PASSPHRASE": PASSPHRASE},
    )
    assert result.stdout.split("\n")[:2] == ["stats 0", "decide 4"], result.stdout + result.stderr
    assert _one_line(result.stderr) == (
        f"reviewer: {mount_point}/matter.db is read-only: it is on a drive mounted read-only "
        "(write-blocked); nothing was changed. It can still be read (stats, spans, show, "
        "audit, and reviewed in the app without deciding): to change it, copy it to a "
        "writable folder.\n")


# --- passphrase strength -------------------------------------------------------------------------


@pytest.mark.parametrize("weak", [" ", "x", "password1234", "abcdefghijkl"])
def test_init_refuses_a_weak_passphrase(env: pytest.MonkeyPatch, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str], weak: str) -> None:
    env.setenv("REVIEWER_PASSPHRASE", weak)
    store = tmp_path / "m.db"
    code, _, err = _run(capsys, "init", str(store))
    assert code == 2
    assert _one_line(err).startswith(
        "reviewer: Passphrase too weak: at least 12 characters, or 4+ words; ")
    assert not store.exists()


def test_passwd_refuses_a_weak_passphrase_and_keeps_the_old(
        env: pytest.MonkeyPatch, matter: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env.setenv("REVIEWER_NEW_PASSPHRASE", "letmein12345")
    code, _, err = _run(capsys, "passwd", str(matter))
    assert code == 2
    assert "it is built on a common password or word" in _one_line(err)
    assert "letmein" not in err
    assert _run(capsys, "stats", str(matter))[0] == 0


# --- reason codes --------------------------------------------------------------------------------


@pytest.mark.usefixtures("env")
def test_decide_refuses_a_reason_the_policy_does_not_have(
        matter: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "decide", str(matter), "--approve", "--reason", "BECAUSE", "1")
    assert code == 2
    codes = ", ".join(reason.code for reason in load_policy().policy.reason_codes)
    assert "NOT_PII, " in codes
    assert _one_line(err) == (f"reviewer: Unknown reason code 'BECAUSE': the policy in force has "
                              f"{codes}. Nothing was recorded.\n")
    assert _statuses(capsys, matter) == ["pending"] * 3
    _, out, _ = _run(capsys, "audit", str(matter), "--json")
    assert [e["action"] for e in json.loads(out)] == ["init"]


@pytest.mark.usefixtures("env")
def test_decide_records_a_policy_reason(matter: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "decide", str(matter), "--reject", "--reason", "NOT_PII", "2")
    assert code == 0, err
    assert _statuses(capsys, matter) == ["pending", "rejected", "pending"]
    _, out, _ = _run(capsys, "audit", str(matter), "--json")
    assert json.loads(out)[-1]["payload"]["reason"] == "NOT_PII"
