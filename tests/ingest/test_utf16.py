"""UTF-16 files (Excel's "Unicode text", PowerShell's default), with a byte-order
mark or without, are refused in one sentence that names UTF-16 and says to
re-save as UTF-8, whatever the format and however the bytes are read; nothing
of them is stored."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from reviewer.domain.errors import BadInputError
from reviewer.ingest.guard import InputStream
from reviewer.ingest.reader import open_source
from reviewer.ops.importing import import_files
from reviewer.store.database import Store

REASON = r"it is UTF-16 text, .*re-save it as UTF-8"
CHATGPT = json.dumps([{"id": "c", "title": "Ines Moreau", "mapping": {}}])
CLAUDE = json.dumps([{"uuid": "c", "name": "Ines", "chat_messages": []}])
LINES = json.dumps({"messages": [{"role": "user", "content": "Ines Moreau"}]}) + "\n"
CSV = "conversation_id,role,text\nc1,user,Ines Moreau\n"
FILES = [("conversations.json", CHATGPT), ("claude.json", CLAUDE), ("chat.jsonl", LINES),
         ("chat.csv", CSV)]
ENCODINGS = ["utf-16", "utf-16-le", "utf-16-be"]  # "utf-16": with a byte-order mark


def write(tmp_path: Path, name: str, text: str, encoding: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize(("name", "text"), FILES)
def test_utf16_is_refused_by_name(tmp_path: Path, name: str, text: str, encoding: str) -> None:
    path = write(tmp_path, name, text, encoding)
    with pytest.raises(BadInputError, match=f"^{name}: {REASON}") as caught, \
            open_source(path) as source:
        list(source.conversations())
    assert "NUL" not in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_utf16_is_refused_with_a_format_forced(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path, "chat.csv", CSV, encoding)
    with pytest.raises(BadInputError, match=REASON), open_source(path, "csv") as source:
        list(source.conversations())


@pytest.mark.parametrize("size", [1, 3, 1 << 16])
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_utf16_is_told_at_any_chunking(size: int, encoding: str) -> None:
    stream = InputStream(io.BytesIO(LINES.encode(encoding)), "chat.jsonl")
    with pytest.raises(BadInputError, match=REASON):
        read_all(stream, size)


def read_all(stream: InputStream, size: int) -> None:
    while stream.read(size):
        pass


@pytest.mark.parametrize("size", [1, 2, 5])
def test_a_utf8_mark_is_dropped_at_any_chunking(size: int) -> None:
    stream = InputStream(io.BytesIO(b"\xef\xbb\xbf" + LINES.encode()), "chat.jsonl")
    chunks = []
    while chunk := stream.read(size):
        assert len(chunk) <= size
        chunks.append(chunk)
    assert b"".join(chunks) == LINES.encode()


def test_a_nul_byte_in_utf8_text_is_still_a_nul_byte() -> None:
    stream = InputStream(io.BytesIO(b'{"messages": []}\n{"a\x00": 1}\n'), "chat.jsonl")
    with pytest.raises(BadInputError, match="holds a NUL byte"):
        stream.read()


def test_nothing_of_a_utf16_file_is_stored(tmp_path: Path, store: Store) -> None:
    path = write(tmp_path, "chat.csv", CSV, "utf-16")
    report = import_files(store, [path], "tester")
    assert report.failed
    assert "UTF-16" in report.error_lines()[0]
    with store.reading() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM conversations").scalar_one() == 0
