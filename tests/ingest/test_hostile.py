"""Hostile input: deep nesting, huge numbers, NUL, bad UTF-8, ZIP tricks and bombs.

Each must end as a BadInputError (exit 3) that names the file, quickly, and
never as a crash, a traceback or a hang.
"""

from __future__ import annotations

import io
import json
import stat
import zipfile
from pathlib import Path

import pytest

from reviewer.domain.errors import BadInputError
from reviewer.ingest import container, guard
from reviewer.ingest.guard import InputStream
from reviewer.ingest.reader import open_source


def parse_path(path: Path, fmt: str | None = None) -> list:
    with open_source(path, fmt) as source:
        return list(source.conversations())


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def read_all(data: bytes, size: int) -> bytes:
    stream = InputStream(io.BytesIO(data), "x.json")
    out = []
    while chunk := stream.read(size):
        out.append(chunk)
    return b"".join(out)


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 1 << 16])
def test_guard_passes_legal_json_at_any_chunking(size: int) -> None:
    tricky = '[[[[ "\\" {{{ \\\\' + "[" * 500 + "9" * 900
    data = json.dumps([{"text": tricky, "n": 12345, "deep": [[[[1]]]]}] * 3).encode()
    assert read_all(data, size) == data


@pytest.mark.parametrize("size", [1, 5, 1 << 16])
def test_guard_refuses_deep_nesting_at_any_chunking(size: int) -> None:
    data = b"[" * (guard.MAX_DEPTH + 1) + b"]" * (guard.MAX_DEPTH + 1)
    with pytest.raises(BadInputError, match="nested more than"):
        read_all(data, size)


@pytest.mark.parametrize("size", [1, 3, 1 << 16])
def test_guard_refuses_huge_numbers_at_any_chunking(size: int) -> None:
    with pytest.raises(BadInputError, match="number of more than"):
        read_all(b"[" + b"7" * (guard.MAX_DIGITS + 1) + b"]", size)


HOSTILE = {
    "deep.json": b"[" * 200_000 + b"]" * 200_000,
    "deep_record.json": b'[{"mapping": ' + b'{"a":' * 5000 + b"1" + b"}" * 5001 + b"]",
    "deep.jsonl": b'{"messages": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n",
    "bignum.json": b'[{"mapping": {}, "create_time": ' + b"9" * 100_000 + b"}]",
    "bigfloat.json": b'[{"mapping": {}, "create_time": 1e999999}]',
    "bignum.jsonl": b'{"messages": [], "id": ' + b"9" * 10_000 + b"}\n",
    "nul.json": b'[{"mapping": {}, "title": "a\x00b"}]',
    "nul_escape.json": b'[{"mapping": {}, "title": "a\\u0000b"}]',
    "surrogate.jsonl": b'{"messages": [{"role": "user", "content": "\\ud800"}]}\n',
    "bad_utf8.json": b'[{"mapping": {}, "title": "caf\xe9"}]',
    "bad_utf8.jsonl": b'{"messages": [{"role": "user", "content": "caf\xe9"}]}\n',
    "bad_utf8.csv": b"conversation_id,role,text\nc1,user,caf\xe9\n",
    "nul.csv": b"conversation_id,role,text\nc1,user,a\x00b\n",
    "empty.json": b"",
    "blank.json": b"  \n ",
    "not_array.json": b'{"mapping": {}}',
    "trailing.json": b'[{"mapping": {}}] [',
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_are_refused_with_a_sentence(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, name, HOSTILE[name])
    with pytest.raises(BadInputError) as caught:
        parse_path(path)
    message = str(caught.value)
    assert message.startswith(name)
    assert "Nothing from this file was imported" in message
    assert "\n" not in message


@pytest.mark.parametrize("fmt", ["chatgpt", "claude", "sharegpt", "openai-jsonl",
                                 "openai-batch", "csv"])
def test_forced_formats_refuse_deep_input(tmp_path: Path, fmt: str) -> None:
    path = write(tmp_path, "deep.json", b"[" * 50_000)
    with pytest.raises(BadInputError):
        parse_path(path, fmt)


def zip_with(tmp_path: Path, members: dict[str, bytes], *, link: str | None = None) -> Path:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        if link is not None:
            info = zipfile.ZipInfo(link)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return path


GOOD = b'[{"id": "c1", "mapping": {}}]'


@pytest.mark.parametrize(("members", "link", "reason"), [
    ({"conversations.json": GOOD, "../evil.json": b"x"}, None, "leaves the archive"),
    ({"conversations.json": GOOD, "/etc/evil": b"x"}, None, "leaves the archive"),
    ({"conversations.json": GOOD, "a\\..\\..\\evil": b"x"}, None, "leaves the archive"),
    ({"conversations.json": GOOD}, "images/link.png", "is a link"),
    ({"conversations.json": b"[" + b" " * (8 << 20) + b"]"}, None, "ZIP bomb"),
    ({"user.json": b"{}"}, None, "no conversations.json"),
])
def test_zip_tricks_are_refused(tmp_path: Path, members: dict[str, bytes], link: str | None,
                                reason: str) -> None:
    with pytest.raises(BadInputError, match=reason):
        parse_path(zip_with(tmp_path, members, link=link))


def test_zip_member_count_and_total_caps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = zip_with(tmp_path, {"conversations.json": GOOD, "a.png": b"1", "b.png": b"2"})
    monkeypatch.setattr(container, "MAX_MEMBERS", 2)
    with pytest.raises(BadInputError, match="more than 2 members"):
        parse_path(path)
    monkeypatch.setattr(container, "MAX_MEMBERS", 100)
    monkeypatch.setattr(container, "MAX_TOTAL", 10)
    with pytest.raises(BadInputError, match="expands to more than"):
        parse_path(path)


def test_zip_member_larger_than_declared_is_refused(tmp_path: Path) -> None:
    path = zip_with(tmp_path, {"conversations.json": GOOD})
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("conversations.json")
    entry_stream = InputStream(io.BytesIO(GOOD), "export.zip!conversations.json",
                               limit=info.file_size - 5)
    with pytest.raises(BadInputError, match="larger than its declared size"):
        entry_stream.read()


def test_corrupt_zip_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.zip", b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(BadInputError, match=r"broken\.zip"):
        parse_path(path)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="cannot be read"):
        parse_path(tmp_path / "nope.json")


GOOD_RECORD = b'{"mapping": {}, "title": "' + b"x" * 1000 + b'"}, '
PAST_THE_HEAD = GOOD_RECORD * 1200  # more than the 1 MiB head that is scanned


@pytest.mark.parametrize(("name", "tail", "reason"), [
    ("deep_late.json", b'{"mapping": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]",
     r"record 1201: it is nested too deeply"),
    ("bignum_late.json", b'{"mapping": {}, "create_time": ' + b"9" * 100_000 + b"}]",
     r"record 1201: it holds a number of more than 4300 digits"),
    ("nul_late.json", b'{"mapping": {}, "title": "a\x00b"}]', r"holds a NUL byte"),
])
def test_hostile_records_past_the_head_are_refused_too(tmp_path: Path, name: str, tail: bytes,
                                                       reason: str) -> None:
    path = write(tmp_path, name, b"[" + PAST_THE_HEAD + tail)
    with pytest.raises(BadInputError, match=reason) as caught:
        parse_path(path)
    assert str(caught.value).startswith(name)


def test_overlong_integers_in_json_lines_are_a_sentence(tmp_path: Path) -> None:
    path = write(tmp_path, "late.jsonl", b'{"messages": []}\n' * 70_000
                 + b'{"messages": [], "id": ' + b"9" * 10_000 + b"}\n")
    with pytest.raises(BadInputError, match=r"line 70001: it holds a number of more than"):
        parse_path(path)
