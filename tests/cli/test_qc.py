"""``reviewer qc sample|decide|report`` through ``reviewer.cli.main``: the contract's
JSON shapes, the seed, verdicts and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.domain.qc_stats import exact_upper
from reviewer.ops.stores import create_store
from tests.conftest import PASSPHRASE
from tests.ops.test_qc import build_matter


@pytest.fixture
def matter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("REVIEWER_PASSPHRASE", PASSPHRASE)
    path = tmp_path / "matter.db"
    store = create_store(path, PASSPHRASE, "tester")
    try:
        build_matter(store)
    finally:
        store.close()
    return str(path)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_sample_decide_report_round_trip(matter: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "qc", "sample", matter, "--size", "5", "--seed", "42", "--json")
    assert code == 0
    assert "seed 42" in err
    items = json.loads(out)["items"]
    assert len(items) == 5
    assert all(set(i) == {"id", "kind", "span_id"} and i["kind"] == "decision" for i in items)
    assert all(isinstance(i["id"], str) and isinstance(i["span_id"], str) for i in items)
    # The same seed again: the same items, and nothing new drawn.
    assert json.loads(_run(capsys, "qc", "sample", matter, "--size", "5", "--seed", "42",
                           "--json")[1])["items"] == items

    ids = [i["id"] for i in items]
    assert _run(capsys, "qc", "decide", matter, "--agree", *ids[:4])[0] == 0
    code, out, _ = _run(capsys, "qc", "decide", matter, "--disagree", ids[4],
                        "--reason", "not a name")
    assert (code, out.strip()) == (0, "Recorded: 1 decision disagree.")

    code, out, _ = _run(capsys, "qc", "report", matter, "--json")
    assert code == 0
    report = json.loads(out)
    assert report["decisions"] == {"sampled": 5, "reviewed": 5, "disagreed": 1, "rate": 0.2,
                                   "upper_95": exact_upper(1, 5)}
    assert report["elusion"] == {"sampled": 0, "reviewed": 0, "missed": 0, "rate": 0.0,
                                 "upper_95": 1.0}
    code, out, _ = _run(capsys, "qc", "report", matter)
    assert "1 disagreed with" in out
    assert "not a name" in out
    assert "more (all agreed) to show < 1.00% at 95%" in out

    code, out, _ = _run(capsys, "audit", matter, "--json")
    actions = [e["action"] for e in json.loads(out)]
    assert actions[-3:] == ["qc_sample", "qc_verdict", "qc_verdict"]
    assert _run(capsys, "audit", matter, "--verify")[0] == 0


def test_elusion_sample_without_a_seed_prints_the_one_chosen(
        matter: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "qc", "sample", matter, "--size", "3", "--kind", "elusion")
    assert code == 0
    assert "seed " in out
    item_id = out.splitlines()[1].split()[0]
    code, out, _ = _run(capsys, "qc", "decide", matter, "--missed", item_id)
    assert (code, out.strip()) == (0, "Recorded: 1 elusion missed.")
    report = json.loads(_run(capsys, "qc", "report", matter, "--json")[1])
    assert report["elusion"]["missed"] == report["elusion"]["reviewed"] == 1


def test_refusals_and_usage_errors_exit_as_the_contract_says(
        matter: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = _run(capsys, "qc", "sample", matter, "--size", "2", "--seed", "1", "--json")[1]
    decision_id = json.loads(out)["items"][0]["id"]
    code, _, err = _run(capsys, "qc", "decide", matter, "--missed", decision_id)
    assert code == 1
    assert err.count("\n") == 1
    assert "--missed is for elusion items" in err
    code, _, err = _run(capsys, "qc", "decide", matter, "--agree", "12345")
    assert code == 1
    assert "No QC sample holds item 12345" in err
    assert _run(capsys, "qc", "decide", matter, "--agree", "x")[0] == 2
    assert _run(capsys, "qc", "decide", matter, decision_id)[0] == 2  # no verdict
    assert _run(capsys, "qc", "sample", matter, "--size", "0")[0] == 2
    assert _run(capsys, "qc", "sample", matter, "--size", "3", "--seed", "1")[0] == 1
    assert _run(capsys, "qc", "report", matter, "--target", "2")[0] == 2
