"""bench_analyze's bookkeeping: records become conversations and are found again."""

from __future__ import annotations

import argparse
from pathlib import Path

from benchmarks.bench_analyze import SETS, LabelledSet, chosen_sets, parse_args
from reviewer.ops.evaluation import GoldRecord


def labelled(raw: list[dict[str, object]]) -> LabelledSet:
    records = [GoldRecord(str(item["full_text"]), ()) for item in raw]
    return LabelledSet("t", Path("t.json"), records, raw)


def test_records_keep_their_conversation_and_role_and_are_placed() -> None:
    item = labelled([
        {"full_text": "a", "conversation": "x", "role": "system"},
        {"full_text": "b", "conversation": "x", "role": "user"},
        {"full_text": "c", "conversation": "y", "role": "tool"},
    ])
    conversations = item.conversations()
    assert [[t["from"] for t in c["conversations"]] for c in conversations] == [
        ["system", "human"], ["tool"]]
    assert item.place == {("t-00001", 0): 0, ("t-00001", 1): 1, ("t-00002", 0): 2}


def test_records_without_conversations_are_grouped_by_eight() -> None:
    item = labelled([{"full_text": str(n)} for n in range(10)])
    conversations = item.conversations()
    assert [len(c["conversations"]) for c in conversations] == [8, 2]
    assert conversations[0]["conversations"][1]["from"] == "gpt"
    assert item.place[("t-00002", 1)] == 9


def test_both_sets_run_by_default_and_extra_files_too() -> None:
    args: argparse.Namespace = parse_args(["more.json"])
    assert list(chosen_sets(args)) == [("dev", SETS["dev"]), ("chat", SETS["chat"]),
                                       ("more", Path("more.json"))]
    assert list(chosen_sets(parse_args(["--sets", "chat,/x/held_out.json"]))) == [
        ("chat", SETS["chat"]), ("held_out", Path("/x/held_out.json"))]
