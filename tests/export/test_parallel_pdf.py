"""PDF page bodies written by worker processes: the packet is the one an inline export
writes, and an error or a cancel leaves neither a folder nor a process behind."""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from reviewer.domain.errors import CancelledError, RefusedError
from reviewer.domain.models import Status
from reviewer.export import packet
from reviewer.export.bodies import Bodies, Place, WorkerLostError
from reviewer.export.packet import PacketWriter
from reviewer.export.pagelayout import Stamp, bates_number
from reviewer.export.records import RedactedConversation, RedactedMessage, Segment
from reviewer.ops.exporting import (
    YOUNG_COLLECTION_AFTER,
    WriteRefusedError,
    export_packet,
    verify_packet,
)
from tests.export.builders import add_chat, add_span

pypdf = pytest.importorskip("pypdf")

pytestmark = pytest.mark.usefixtures("qapp")

FILLER = "The tenant wrote to the landlord about the deposit and the boiler. " * 30


def mixed_store(store: Any, count: int = 9) -> None:
    """Standard-font conversations of one and several pages, and Cyrillic ones (Qt)."""
    for i in range(count):
        name = f"Person{i} Surname"
        text = f"Hi, I am {name}. " + (FILLER * (1 + i % 4))
        if i % 3 == 1:
            text += " Привет"
        conv_id, (m0,) = add_chat(store, f"c{i}", [text], title=f"Chat {i}")
        add_span(store, conv_id, m0, text, name, "PERSON")


def export(store: Any, out: Path, parallel_from: int, monkeypatch: pytest.MonkeyPatch,
           workers: int = 2, **kwargs: Any) -> Any:
    """Export with workers from ``parallel_from`` conversations on; two unless told (the
    most any machine starts: conversations alternate between them)."""
    monkeypatch.setattr(packet, "PARALLEL_FROM", parallel_from)
    monkeypatch.setattr(packet, "worker_count", lambda: workers)
    return export_packet(store, out, "tester", **kwargs)


def leftovers(parent: Path) -> list[str]:
    return [p.name for p in parent.iterdir() if not p.name.startswith("matter.db")]


def pdf_texts(folder: Path) -> dict[str, list[str]]:
    return {path.name: [page.extract_text() for page in pypdf.PdfReader(path).pages]
            for path in sorted((folder / "PDF").iterdir())}


def without_hashes(dat: Path) -> list[list[str]]:
    """The load file's rows, less the PDF hashes (Qt writes a creation date)."""
    return [line.split("\x14")[:-1] for line in dat.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_parallel_export_writes_the_inline_packet(store: Any, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    workers: int) -> None:
    mixed_store(store)
    inline = export(store, tmp_path / "inline", 10**9, monkeypatch)
    parallel = export(store, tmp_path / "parallel", 1, monkeypatch, workers)
    one, two = tmp_path / "inline", tmp_path / "parallel"
    assert verify_packet(two).ok
    assert (inline.pages, inline.conversations) == (parallel.pages, parallel.conversations)
    assert inline.pages > inline.conversations  # some conversations take several pages
    names = sorted(p.relative_to(one).as_posix() for p in one.rglob("*"))
    assert names == sorted(p.relative_to(two).as_posix() for p in two.rglob("*"))
    for same in ("conversations.jsonl", "redaction_log.csv", *[n for n in names
                                                               if n.startswith("TEXT/")]):
        assert (one / same).read_bytes() == (two / same).read_bytes(), same
    assert without_hashes(one / "DATA" / "RR.dat") == without_hashes(two / "DATA" / "RR.dat")
    texts = pdf_texts(one)
    assert texts == pdf_texts(two)
    assert sum("Привет" in " ".join(pages) for pages in texts.values()) == 3
    counts = [json.loads((p / "manifest.json").read_text())["counts"] for p in (one, two)]
    assert counts[0] == counts[1]
    if shutil.which("qpdf"):
        for pdf in (two / "PDF").iterdir():
            subprocess.run(["qpdf", "--check", str(pdf)], check=True, capture_output=True)


def test_the_facts_line_counts_redactions_though_workers_get_no_log(
        store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Workers are sent the conversation without its log rows (RedactedConversation.rendering),
    # so the count on every page must come with it.
    for i in range(3):
        text = f"Ann Lee{i} met Bo Kim{i}. " + FILLER
        conv_id, (m0,) = add_chat(store, f"r{i}", [text], title=f"Chat {i}")
        add_span(store, conv_id, m0, text, f"Ann Lee{i}", "PERSON")
        add_span(store, conv_id, m0, text, f"Bo Kim{i}", "PERSON",
                 status=Status.APPROVED if i else Status.REJECTED)
    export(store, tmp_path / "packet", 1, monkeypatch)
    firsts = [" ".join(pages[0].split()) for pages in pdf_texts(tmp_path / "packet").values()]
    assert sorted(text.count("2 redaction(s)") + 10 * text.count("1 redaction(s)")
                  for text in firsts) == [1, 1, 10]


@pytest.mark.parametrize("second_starts", [True, False])
def test_a_second_worker_joins_when_the_first_falls_behind(
        store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        second_starts: bool) -> None:
    """Conversations begun by the first worker are finished by it, the next ones are
    shared; a second that cannot start leaves the first to go on alone."""
    mixed_store(store)
    export(store, tmp_path / "inline", 10**9, monkeypatch)
    monkeypatch.setattr(packet, "IN_FLIGHT", 1)  # the main process waits for every answer
    monkeypatch.setattr(packet, "BEHIND_SECONDS", 0.0)
    monkeypatch.setattr(packet, "BEHIND_SHARE", 0.0)
    asked: list[int] = []
    add_worker = Bodies.add_worker

    def counted(self: Bodies) -> None:
        asked.append(self.workers)
        if self.workers and not second_starts:
            raise OSError("Resource temporarily unavailable")
        add_worker(self)

    monkeypatch.setattr(Bodies, "add_worker", counted)
    export(store, tmp_path / "grown", 1, monkeypatch, workers=1)
    assert asked == [0, 1]  # one at the start, one more once behind, asked once
    one, two = tmp_path / "inline", tmp_path / "grown"
    assert verify_packet(two).ok
    names = sorted(p.relative_to(one).as_posix() for p in one.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(two).as_posix() for p in two.rglob("*") if p.is_file())
    for same in ("conversations.jsonl", "redaction_log.csv",
                 *[n for n in names if n.startswith("TEXT/")]):
        assert (one / same).read_bytes() == (two / same).read_bytes(), same
    assert pdf_texts(one) == pdf_texts(two)
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize(("cores", "workers"), [(1, 0), (2, 1), (3, 2), (16, 2)])
def test_one_core_is_left_to_the_main_process(monkeypatch: pytest.MonkeyPatch, cores: int,
                                              workers: int) -> None:
    monkeypatch.setattr(packet.os, "sched_getaffinity", lambda pid: set(range(cores)),
                        raising=False)
    assert packet.worker_count() == workers


def test_one_core_writes_the_packet_without_workers(
        store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mixed_store(store, 3)
    monkeypatch.setattr(packet.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    monkeypatch.setattr(packet, "PARALLEL_FROM", 1)
    started: list[int] = []
    monkeypatch.setattr(Bodies, "start", lambda self, workers: started.append(workers))
    report = export_packet(store, tmp_path / "out", "tester")
    assert started == []
    assert report.conversations == 3
    assert verify_packet(tmp_path / "out").ok


def test_a_standard_font_export_loads_no_qt(tmp_path: Path) -> None:
    """Qt comes in only for a document the standard fonts cannot show (its import hook
    slows every later import, pickling included)."""
    script = f"""
import sys
from pathlib import Path
from reviewer.ops.stores import create_store
from reviewer.ops.exporting import export_packet
from tests.export.builders import add_chat, add_span
store = create_store(Path({str(tmp_path / "s.db")!r}), "correct horse battery staple", "t")
conv_id, (m0,) = add_chat(store, "c1", ["Hi, I am Ann Lee."])
add_span(store, conv_id, m0, "Hi, I am Ann Lee.", "Ann Lee", "PERSON")
export_packet(store, Path({str(tmp_path / "plain")!r}), "t")
print("plain", "PySide6" in sys.modules)
conv_id, (m0,) = add_chat(store, "c2", ["Привет, Ann Lee"])
add_span(store, conv_id, m0, "Привет, Ann Lee", "Ann Lee", "PERSON")
export_packet(store, Path({str(tmp_path / "cyrillic")!r}), "t")
print("cyrillic", "PySide6" in sys.modules)
"""
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
                         cwd=Path(__file__).resolve().parents[2], check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["plain", "False", "cyrillic", "True"]


def test_the_workers_import_no_qt_and_no_store(tmp_path: Path) -> None:
    if not Path("/proc/self/maps").exists():
        pytest.skip("reads /proc")
    bodies = Bodies(Place(tmp_path, Stamp("RR-000001", "RR", 1, "LEGEND")))
    bodies.start(1)
    try:
        (tmp_path / "PDF").mkdir()
        assert bodies.begin(1, _conversation()).result() is not None
        (child,) = multiprocessing.active_children()
        loaded = Path(f"/proc/{child.pid}/maps").read_text()
        assert "Qt" not in loaded
        assert "sqlalchemy" not in loaded
        assert "sqlcipher" not in loaded
    finally:
        bodies.stop()
    assert multiprocessing.active_children() == []


def test_the_workers_import_neither_the_models_nor_the_leak_scan() -> None:
    # Each module a worker imports is paid again at every export's start, on both workers.
    code = ("import sys, reviewer.export.bodies, reviewer.export.records; "
            "print(' '.join(sorted(m for m in sys.modules if m.startswith('reviewer'))))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    loaded = set(run.stdout.split())
    assert "reviewer.export.bodies" in loaded
    assert not loaded & {"reviewer.domain.models", "reviewer.export.redact",
                         "reviewer.export.leaks", "reviewer.domain.normalize"}


def test_the_records_carry_the_models_values() -> None:
    from reviewer.domain.models import Branch, Visibility
    from reviewer.export import records

    assert (records.ACTIVE, records.VISIBLE) == (Branch.ACTIVE, Visibility.VISIBLE)
    message = RedactedMessage(0, "user", None, Branch.ALTERNATE, Visibility.HIDDEN, "text",
                              0, ())
    assert message.labels == ["alternate branch", "hidden content"]
    assert RedactedMessage(0, "user", None, Branch.ACTIVE, Visibility.VISIBLE, "text", 0,
                           ()).labels == []


def test_a_worker_error_is_raised_as_itself_and_leaves_nothing(tmp_path: Path) -> None:
    writer = PacketWriter(tmp_path / "out", "RR", "LEGEND")
    writer.expect(packet.PARALLEL_FROM)
    # A file where a worker will write the third conversation's TEXT file (a page each).
    writer.folder.make_parent("TEXT/x")
    writer.folder.path("TEXT/RR-000003.txt").write_bytes(b"")
    with pytest.raises(FileExistsError):
        _add_and_drain(writer, 5)
    writer.discard()
    assert list(tmp_path.iterdir()) == []
    assert multiprocessing.active_children() == []


def test_a_worker_error_refuses_the_export_and_leaves_nothing(
        store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mixed_store(store, 6)
    number = PacketWriter._number

    def clash(self: PacketWriter, *args: Any) -> None:
        if self.conversations == 3:  # the worker will find the 4th one's TEXT file taken
            self.folder.make_parent("TEXT/x")
            self.folder.path(f"TEXT/{bates_number('RR', self.next_page)}.txt").write_bytes(b"")
        number(self, *args)

    monkeypatch.setattr(PacketWriter, "_number", clash)
    with pytest.raises(WriteRefusedError, match="Nothing was left behind"):
        export(store, tmp_path / "out", 1, monkeypatch)
    assert leftovers(tmp_path) == []
    assert multiprocessing.active_children() == []


def test_cancelling_with_bodies_in_flight_leaves_nothing(
        store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mixed_store(store, 9)

    def cancel(done: int, total: int | None, label: str) -> None:
        if done == 7:
            raise CancelledError("Export cancelled.")

    with pytest.raises(CancelledError):
        export(store, tmp_path / "out", 1, monkeypatch, progress=cancel)
    assert leftovers(tmp_path) == []
    assert multiprocessing.active_children() == []


def test_a_lost_worker_fails_the_export(tmp_path: Path) -> None:
    writer = PacketWriter(tmp_path / "out", "RR", "LEGEND")
    writer.expect(packet.PARALLEL_FROM)
    try:
        for child in multiprocessing.active_children():
            child.kill()
            child.join()
        with pytest.raises(WorkerLostError):
            _add_and_drain(writer, 3)
    finally:
        writer.discard()
    assert list(tmp_path.iterdir()) == []


def _add_and_drain(writer: PacketWriter, count: int) -> None:
    for _ in range(count):
        writer.add(_conversation())
    writer.drain()


def _conversation() -> RedactedConversation:
    body = (Segment("Hello "), Segment("[PERSON-1]", True), Segment(". " + FILLER))
    message = RedactedMessage(0, "user", None, "active", "visible", "text", 0, body)
    return RedactedConversation(1, "src-1", None, (Segment("Title"),), (message,), ())



def test_a_conversation_crosses_to_a_worker_whole() -> None:
    from reviewer.export.leaks import Hit
    from reviewer.export.records import LogRow
    from reviewer.export.redact import Leak

    body = (Segment("Hi "), Segment("[PERSON-1]", True), Segment(" there"))
    messages = (RedactedMessage(0, "user", "2024-05-01 10:00:00 UTC", "active", "visible",
                                "text", 0, body),
                RedactedMessage(1, "assistant", None, "alternate", "hidden", "code", 2, ()))
    log_row = LogRow(0, "user", 3, 13, "PERSON", "approved", "suggested", "", "ann",
                     "2024-05-01 10:00:00 UTC", "[PERSON-1]")
    conv = RedactedConversation(7, "SRC-1", "2024-05-01 09:00:00 UTC",
                                (Segment("T"), Segment("[PERSON-1]", True)), messages,
                                (log_row,), (Leak(7, 3, Hit(0, 3, "PERSON", "[PERSON-1]")),),
                                unanalysed=1, redactions=None, conflicts=(4,))
    for sent in (conv, conv.rendering()):
        assert pickle.loads(pickle.dumps(sent)) == sent
    # The compact pickle lists fields by place: a field added to either class must be
    # added to it too, or it would arrive as its default.
    _, conversation = conv.__reduce__()
    assert len(conversation) == len(RedactedConversation._fields)
    assert all(len(message) == len(RedactedMessage._fields)
               for message in conversation[4])


def test_an_export_leaves_garbage_collection_as_it_found_it(
        store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While it runs, the objects alive before are frozen and the youngest generation is
    collected less often; after, as before, whether it wrote a packet or refused."""
    mixed_store(store, 3)
    frozen, threshold = gc.get_freeze_count(), gc.get_threshold()
    during: list[int] = []

    def look(done: int, total: int | None, label: str) -> None:
        if label == "Exporting":
            during.append(gc.get_threshold()[0])

    export(store, tmp_path / "out", 2, monkeypatch, progress=look)
    assert set(during) == {YOUNG_COLLECTION_AFTER}
    assert (gc.get_freeze_count(), gc.get_threshold()) == (frozen, threshold)
    conv_id, (m0,) = add_chat(store, "pending", ["Hi, I am Pat Doe."])
    add_span(store, conv_id, m0, "Hi, I am Pat Doe.", "Pat Doe", "PERSON", Status.PENDING)
    with pytest.raises(RefusedError):
        export(store, tmp_path / "refused", 2, monkeypatch)
    assert (gc.get_freeze_count(), gc.get_threshold()) == (frozen, threshold)


def test_a_big_pdf_waits_in_a_temporary_file_and_ends_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reviewer.export import bodies

    def written(spool: int, name: str) -> tuple[bytes, bytes]:
        monkeypatch.setattr(bodies, "SPOOL", spool)
        writer = PacketWriter(tmp_path / name, "RR", "LEGEND")  # no workers: all here
        conv = _conversation()._replace(messages=_conversation().messages * 20)
        writer.add(conv)
        writer.drain()
        root = writer.folder.root
        assert sorted(p.name for p in (root / "PDF").iterdir()) == ["RR-000001.pdf"]
        assert writer.folder.entries["PDF/RR-000001.pdf"].bytes == (
            root / "PDF/RR-000001.pdf").stat().st_size
        return (root / "PDF/RR-000001.pdf").read_bytes(), (root / "TEXT/RR-000001.txt").read_bytes()

    in_memory = written(1 << 20, "a")
    spooled = written(1000, "b")
    assert spooled == in_memory
    assert len(in_memory[0]) > 1000
