"""Detection of JSON Lines whose first line is longer than the head read first."""

from __future__ import annotations

import io
import json
import random
import tracemalloc
from pathlib import Path

import pytest

from reviewer.domain.errors import BadInputError
from reviewer.ingest import detect, guard
from reviewer.ingest.guard import InputStream
from reviewer.ingest.jsonstream import iter_lines
from reviewer.ingest.reader import open_source

PAST_THE_HEAD = 30_000  # messages: a first line of about 1.5 MiB


def long_messages(count: int = PAST_THE_HEAD) -> list[dict[str, str]]:
    return [{"role": "user" if i % 2 == 0 else "assistant", "content": f"message {i} of Ada"}
            for i in range(count)]


def write_lines(tmp_path: Path, name: str, *records: object) -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def detected(path: Path) -> str:
    with open_source(path) as source:
        return source.format


def test_a_first_line_longer_than_the_head_is_detected_and_read(tmp_path: Path) -> None:
    path = write_lines(tmp_path, "long.jsonl", {"messages": long_messages()},
                       {"messages": long_messages(2)})
    assert path.stat().st_size > detect.HEAD
    with open_source(path) as source:
        assert source.format == "openai-jsonl"
        counts = [len(c.messages) for c in source.conversations()]
    assert counts == [PAST_THE_HEAD, 2]


def test_blank_lines_before_a_long_first_line(tmp_path: Path) -> None:
    path = tmp_path / "blank_first.jsonl"
    path.write_text("\n\n" + json.dumps({"messages": long_messages()}) + "\n", encoding="utf-8")
    assert detected(path) == "openai-jsonl"


def test_a_key_that_decides_late_in_a_long_line_counts(tmp_path: Path) -> None:
    request = {"body": {"messages": long_messages()}, "custom_id": "late-id"}
    path = write_lines(tmp_path, "batch.jsonl", request)
    assert detected(path) == "openai-batch"


def test_a_long_sharegpt_line_is_sharegpt(tmp_path: Path) -> None:
    turns = [{"from": "human", "value": m["content"]} for m in long_messages()]
    path = write_lines(tmp_path, "share.jsonl", {"id": "s1", "conversations": turns})
    assert detected(path) == "sharegpt"


def test_a_long_line_of_no_known_shape_is_refused_in_one_sentence(tmp_path: Path) -> None:
    path = write_lines(tmp_path, "other.jsonl", {"rows": long_messages()})
    with pytest.raises(BadInputError, match=r"^other\.jsonl: its shape is not one"):
        detected(path)


def test_a_long_line_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_bytes(b'{"rows": "' + b"x" * (detect.HEAD + 10) + b'" oops\n')
    with pytest.raises(BadInputError, match=r"^broken\.jsonl: its shape is not one"):
        detected(path)


def test_hostile_nesting_past_the_head_is_refused_by_the_guard(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    depth = guard.MAX_DEPTH + 1
    path.write_bytes(b'{"pad": "' + b"x" * detect.HEAD + b'", "messages": '
                     + b"[" * depth + b"]" * depth + b"}\n")
    with pytest.raises(BadInputError, match=r"^deep\.jsonl, near byte \d+: it is nested more"):
        detected(path)


def test_detection_streams_the_long_line(tmp_path: Path) -> None:
    path = write_lines(tmp_path, "long.jsonl", {"messages": long_messages(120_000)})
    tracemalloc.start()
    try:
        assert detected(path) == "openai-jsonl"
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert path.stat().st_size > 5 * detect.HEAD
    assert peak < 4 * detect.HEAD  # the head and its copies, never the line


def _claude_conversation() -> dict[str, object]:
    """One exported Claude conversation whose summary fills more than the head."""
    messages = [{"uuid": "m1", "sender": "human", "text": "Hi, I am Ilse Brandt."},
                {"uuid": "m2", "sender": "assistant", "text": "Hello Ilse.",
                 "parent_message_uuid": "m1"}]
    return {"uuid": "c1", "name": "Long summary",
            "summary": "Ilse Brandt asked about her visa. " * (detect.HEAD // 30),
            "chat_messages": messages, "current_leaf_message_uuid": "m2"}


@pytest.mark.parametrize("indent", [None, 2])
def test_one_claude_conversation_whose_messages_come_after_the_head(tmp_path: Path,
                                                                    indent: int | None) -> None:
    path = tmp_path / "conversation.json"
    path.write_text(json.dumps(_claude_conversation(), indent=indent), encoding="utf-8")
    assert path.stat().st_size > detect.HEAD
    with open_source(path) as source:
        assert source.format == "claude"
        (conv,) = list(source.conversations())
    assert [m.text for m in conv.messages if m.role != "system"] == [
        "Hi, I am Ilse Brandt.", "Hello Ilse."]


class _Trickle(io.BytesIO):
    """A stream that hands out a few bytes at a time, whatever is asked."""

    def __init__(self, data: bytes, seed: int) -> None:
        super().__init__(data)
        self.random = random.Random(seed)

    def read(self, size: int | None = -1) -> bytes:
        return super().read(self.random.randint(1, 7))


@pytest.mark.parametrize("seed", range(40))
def test_lines_split_the_same_at_any_chunking(seed: int) -> None:
    pick = random.Random(seed)
    data = b"".join(pick.choice([b"\n", b"ab", b"x" * pick.randint(0, 90), b"\r\n", b"\n\n"])
                    for _ in range(pick.randint(0, 60)))
    expected = data.split(b"\n")
    if expected[-1] == b"":
        expected.pop()
    got = list(iter_lines(InputStream(_Trickle(data, seed), "x.jsonl", structure=False)))
    assert got == list(enumerate(expected, start=1))
