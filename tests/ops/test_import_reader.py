"""Reading import files, in this process or in a reader process: the same rows,
the same errors, and no reader left behind whatever happens."""

from __future__ import annotations

import json
import multiprocessing
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest

from reviewer.domain.errors import BadInputError, CancelledError
from reviewer.ops import import_reader, importing
from reviewer.ops.importing import import_files
from reviewer.store import conversations
from reviewer.store.database import Store

FIXTURES = Path(__file__).parents[1] / "ingest" / "fixtures"


def read_all(path: Path, child: bool) -> tuple[import_reader.SourceInfo, list[import_reader.Batch]]:
    with import_reader.read(path, None, child=child) as (info, batches):
        return info, list(batches)


def export_zip(tmp_path: Path) -> Path:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(FIXTURES / "chatgpt/conversations.json", "conversations.json")
        archive.write(FIXTURES / "claude/conversations.json", "claude/conversations.json")
    return path


@pytest.mark.parametrize("name", ["chatgpt/conversations.json", "openai/chat.jsonl",
                                  "csv/conversations.csv", "export.zip"])
def test_a_reader_process_reads_what_this_process_reads(name: str, tmp_path: Path) -> None:
    path = export_zip(tmp_path) if name == "export.zip" else FIXTURES / name
    here, there = read_all(path, child=False), read_all(path, child=True)
    assert there == here
    info, batches = there
    assert info.total_bytes == batches[-1].bytes_read
    assert sum(len(b.conversations) for b in batches) > 0


def test_bad_input_is_the_same_sentence_from_a_reader() -> None:
    path = FIXTURES / "bad/truncated_conversations.json"
    with pytest.raises(BadInputError) as here:
        read_all(path, child=False)
    with pytest.raises(BadInputError) as there:
        read_all(path, child=True)
    assert str(there.value) == str(here.value)
    assert "truncated_conversations.json, record 2" in str(there.value)


def test_a_reader_that_dies_is_an_error_not_a_hang() -> None:
    receiver, sender = multiprocessing.Pipe(duplex=False)
    sender.close()

    class Dead:
        exitcode = -9

        def join(self) -> None:
            pass

    with pytest.raises(import_reader.ReaderError, match=r"stopped \(exit code -9\)"):
        import_reader._receive(receiver, Dead(), "batch")
    receiver.close()


def test_a_reader_bug_reports_frames_but_not_its_message() -> None:
    receiver, sender = multiprocessing.Pipe(duplex=False)
    sender.send(("failed", ("KeyError", ['  File "chatgpt.py", line 9, in walk\n'])))
    with pytest.raises(import_reader.ReaderError) as caught:
        import_reader._receive(receiver, None, "batch")
    assert "KeyError" in str(caught.value)
    assert "chatgpt.py" in str(caught.value)
    sender.close()
    receiver.close()


def test_small_files_are_read_here_and_large_ones_by_a_reader(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = FIXTURES / "chatgpt/conversations.json"
    monkeypatch.setattr(import_reader.os, "cpu_count", lambda: 2)
    assert not import_reader.use_child(path)
    monkeypatch.setattr(import_reader, "CHILD_FROM", 1)
    assert import_reader.use_child(path)
    assert not import_reader.use_child(tmp_path / "missing.json")
    monkeypatch.setattr(import_reader.os, "cpu_count", lambda: 1)
    assert not import_reader.use_child(path)


def test_a_zip_counts_with_its_expanded_size(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("conversations.json", json.dumps([os.urandom(8).hex()] * 1000 + [
            {"title": os.urandom(16).hex()} for _ in range(40_000)]))
        archive.writestr("chat.html", "<html></html>" * 1000)
    monkeypatch.setattr(import_reader.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(import_reader, "CHILD_FROM", 1_000_000)
    assert path.stat().st_size < import_reader.CHILD_FROM
    assert import_reader.use_child(path)


@pytest.fixture
def through_a_reader(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every import reads through a reader process; the processes are collected."""
    started: list[Any] = []
    real_read = import_reader.read

    def read(path: Path, fmt: str | None = None, child: bool | None = None) -> Any:
        return real_read(path, fmt, child=True)

    real_start = multiprocessing.process.BaseProcess.start

    def start(self: Any) -> None:
        started.append(self)
        real_start(self)

    monkeypatch.setattr(import_reader, "read", read)
    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", start)
    return started


def test_an_import_through_a_reader_stores_everything(
        store: Store, through_a_reader: list[Any]) -> None:
    report = import_files(store, [FIXTURES / "chatgpt/conversations.json"], "tester")
    assert not report.failed
    assert report.files[0].conversations == 3
    with store.reading() as conn:
        assert conversations.counts(conn) == (3, report.files[0].messages)
    assert len(through_a_reader) == 1
    assert not through_a_reader[0].is_alive()


def test_cancelling_stops_the_reader_and_stores_nothing(
        store: Store, tmp_path: Path, through_a_reader: list[Any]) -> None:
    many = tmp_path / "many.csv"
    many.write_text("conversation_id,role,text\n" + "".join(
        f"c{i},user,message {i}\n" for i in range(2000)), encoding="utf-8")

    def cancel(done: int, total: int | None, label: str) -> None:
        raise CancelledError("cancelled")

    with pytest.raises(CancelledError):
        import_files(store, [many], "tester", progress=cancel)
    with store.reading() as conn:
        assert conversations.counts(conn) == (0, 0)
    assert [p.is_alive() for p in through_a_reader] == [False]


def test_search_index_catches_up_in_steps(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importing, "INDEX_EVERY", 1)
    calls: list[int] = []
    real = conversations.index_new_text
    monkeypatch.setattr(conversations, "index_new_text",
                        lambda conn: (calls.append(1), real(conn))[1])
    import_files(store, [FIXTURES / "csv/conversations.csv"], "tester")
    assert len(calls) >= 2
