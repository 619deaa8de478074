"""The top-level array reader: element by element at C speed, whatever the block
size, without reading more of the stream than it needs."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewer.domain.errors import BadInputError
from reviewer.ingest import jsonstream
from reviewer.ingest.guard import InputStream


def stream(data: bytes, name: str = "x.json") -> InputStream:
    return InputStream(io.BytesIO(data), name)


def elements(data: bytes, block: int, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    monkeypatch.setattr(jsonstream, "BLOCK", block)
    return [value for _, value in jsonstream.array_items(stream(data))]


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(JSON_VALUES, max_size=6), st.sampled_from([1, 2, 3, 5, 8, 64, 1 << 20]),
       st.sampled_from(["", " ", "\n  ", "\r\n\t"]))
def test_any_array_reads_as_the_whole_file_decodes(values: list[Any], block: int,
                                                   space: str) -> None:
    data = (space + "[" + space + ("," + space).join(
        json.dumps(v, ensure_ascii=False) for v in values) + space + "]" + space).encode()
    with pytest.MonkeyPatch.context() as patch:
        assert elements(data, block, patch) == json.loads(data)


def test_numbers_cut_by_a_block_end_are_read_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"[123456789, -0.5e10, true, \"\\u00e9\\ud83d\\ude00\", \"\xc3\xa9\xf0\x9f\x98\x80\"]"
    for block in range(1, 12):
        assert elements(data, block, monkeypatch) == [
            123456789, -0.5e10, True, "é😀", "é😀"]


def test_the_stream_is_read_only_as_far_as_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonstream, "BLOCK", 4096)
    record = {"mapping": {"a": {"message": {"text": "x" * 200}}}}
    source = stream(json.dumps([record] * 5000).encode())
    items = jsonstream.array_items(source)
    assert next(items) == (0, record)
    assert source.bytes_read <= 2 * 4096


def test_a_fault_is_reported_without_reading_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonstream, "BLOCK", 4096)
    good = json.dumps({"title": "t" * 100})
    data = ("[" + ",".join([good] * 3 + ['{"title": nope}'] + [good] * 5000) + "]").encode()
    source = stream(data, "bad.json")
    with pytest.raises(BadInputError,
                       match=r"bad\.json, record 4: it is not valid JSON \(Expecting value at "
                             r"character 11 of the record\)"):
        list(jsonstream.array_items(source))
    assert source.bytes_read <= 2 * 4096


def test_a_huge_element_costs_linear_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonstream, "BLOCK", 64)
    data = json.dumps([{"text": "y" * 200_000}]).encode()
    source = stream(data)
    calls = 0
    read = source.read

    def counting_read(size: int | None = -1) -> bytes:
        nonlocal calls
        calls += 1
        return read(size)

    monkeypatch.setattr(source, "read", counting_read)
    assert [v for _, v in jsonstream.array_items(source)] == [{"text": "y" * 200_000}]
    assert calls < 20


@pytest.mark.parametrize(("data", "reason"), [
    (b'{"mapping": {}}', r"x\.json: it is not a JSON array of conversations"),
    (b"[{}, {}", r"record 2: it is not valid JSON \(the file ends before the array is closed\)"),
    (b"[{}, {", r"record 2: it is not valid JSON \(Expecting property name"),
    (b"[{} {}]", r"record 1: it is not valid JSON \(expecting ',' or ']' after the record\)"),
    (b"[{}, ]", r"record 2: it is not valid JSON \(Expecting value at character 1"),
    (b"[{}] []", r"x\.json: it is not valid JSON \(there is more after the array\)"),
    (b'[{"n": NaN}]', r"record 1: it is not valid JSON \(NaN is not a JSON number\)"),
    (b'[{"n": Infinity}]', r"record 1: it is not valid JSON \(Infinity is not a JSON number\)"),
    (b'[{}, "\xff"]', r"record 2: it is not valid UTF-8 text"),
    (b'["a\x01b"]', r"record 1: it is not valid JSON \(Invalid control character at char"),
    (b'[{}, {"a": "b', r"record 2: it is not valid JSON \(Unterminated string starting at char"),
])
def test_faults_name_the_record(data: bytes, reason: str) -> None:
    with pytest.raises(BadInputError, match=reason):
        list(jsonstream.array_items(stream(data)))


def test_empty_array_has_no_elements() -> None:
    assert list(jsonstream.array_items(stream(b" [ ] \n"))) == []
