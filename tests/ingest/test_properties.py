"""Property tests: whatever bytes arrive, a parser stores conversations or
raises the import error; it never crashes, hangs or raises anything else."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewer.domain.errors import BadInputError
from reviewer.ingest import guard
from reviewer.ingest.guard import InputStream
from reviewer.ingest.reader import FORMATS, from_bytes

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = sorted(p for p in FIXTURES.rglob("*") if p.is_file() and "bad" not in p.parts)
SETTINGS = settings(max_examples=int(os.environ.get("REVIEWER_FUZZ_EXAMPLES", "60")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def outcome(data: bytes, fmt: str | None) -> None:
    """Parse completely; only success or BadInputError is allowed."""
    try:
        for conv in from_bytes("input.dat", data, fmt).conversations():
            for message in conv.messages:
                message.text.encode("utf-8")
    except BadInputError as err:
        message = str(err)
    else:
        return
    assert message.startswith("input.dat")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["mapping", "messages", "conversations", "chat_messages", "content",
                         "parts", "text", "role", "from", "value", "id", "custom_id", "body",
                         "current_node", "parent", "children", "message", "author", "title",
                         "create_time", "sender", "type", "tool_calls", "function",
                         "arguments", "attachments", "metadata", "content_type"]) | st.text(),
        inner, max_size=5),
    max_leaves=30,
)


@SETTINGS
@given(data=st.binary(max_size=2000), fmt=st.sampled_from([None, *FORMATS]))
def test_arbitrary_bytes(data: bytes, fmt: str | None) -> None:
    outcome(data, fmt)


@SETTINGS
@given(values=st.lists(json_values, max_size=4), fmt=st.sampled_from([None, *FORMATS]),
       lines=st.booleans())
def test_arbitrary_json_shapes(values: list[Any], fmt: str | None, lines: bool) -> None:
    if lines:
        data = "\n".join(json.dumps(v) for v in values).encode()
    else:
        data = json.dumps(values).encode()
    outcome(data, fmt)


def mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    for kind, where, chunk in edits:
        at = where % (len(data) + 1)
        if kind == 0:
            data = data[:at] + data[at + 1:]
        elif kind == 1:
            data = data[:at] + chunk + data[at:]
        elif kind == 2:
            data = data[:at]
        else:
            data = data[:at] + chunk + data[at + len(chunk):]
    return data


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: str(p.relative_to(FIXTURES)))
@SETTINGS
@given(edits=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 1 << 20),
                                st.sampled_from([b"[", b"]", b"{", b"}", b'"', b"\\", b",",
                                                 b"\x00", b"\xff", b"9" * 500, b"\n", b":",
                                                 b"null", b"\xe2\x82"])),
                      min_size=1, max_size=6),
       fmt=st.sampled_from([None, *FORMATS]))
def test_mutated_fixtures(sample: Path, edits: list[tuple[int, int, bytes]],
                          fmt: str | None) -> None:
    outcome(mutate(sample.read_bytes(), edits), fmt)


def depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    return 0


tricky_text = st.text(alphabet='[]{}"\\ab1 \n\u00e9', max_size=12)
nested_values = st.recursive(
    st.none() | st.integers(-(10**30), 10**30) | tricky_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(tricky_text, inner, max_size=3),
    max_leaves=12,
)


@SETTINGS
@given(value=nested_values, wrap=st.integers(0, guard.MAX_DEPTH + 3),
       chunk=st.integers(1, 70))
def test_guard_refuses_exactly_what_is_too_deep(value: Any, wrap: int, chunk: int) -> None:
    """The C-speed scan agrees with a real parse about depth, at any chunking."""
    for _ in range(wrap):
        value = [value]
    data = json.dumps(value).encode()
    stream = InputStream(io.BytesIO(data), "x.json")
    try:
        while stream.read(chunk):
            pass
    except BadInputError:
        assert depth(value) > guard.MAX_DEPTH
    else:
        assert depth(value) <= guard.MAX_DEPTH
