"""Writing a packet: every rendering of every conversation, Bates-numbered, then
the audit log, then the signed manifest.

Bates numbers are page numbers, continuous across the packet; a
conversation's control id is the number of its first page, and its TEXT and
PDF files are named by it. A conversation is numbered when every one before it
is numbered. The page bodies of a standard-font PDF need no number, so in a big
export worker processes write them (``reviewer.export.bodies``) for the
conversations queued behind the one being numbered, and finish each
conversation's PDF and TEXT files once it is; the main process writes the
records (JSONL, log, load file) in order.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from reviewer.export import loadfile, log, manifest
from reviewer.export.bodies import Bodies, Finished, Job, Numbered, Place
from reviewer.export.folder import HashedFile, PacketFolder
from reviewer.export.leaks import Needles
from reviewer.export.pagelayout import Stamp, bates_number
from reviewer.export.records import RedactedConversation
from reviewer.export.text import jsonl_record

CONVERSATIONS = "conversations.jsonl"
REDACTION_LOG = "redaction_log.csv"
AUDIT = "audit.jsonl"
# Conversations from which workers pay for their start (a few tenths of a second).
PARALLEL_FROM = 200
# Worker processes at most: the main process reads, redacts and scans a conversation in
# about the time one worker writes its files, so a second only takes up the slack.
MAX_WORKERS = 2
# When the main process has waited for the workers this share of the time since the first
# conversation (and this long), the workers are behind, and another starts while fewer
# than MAX_WORKERS run: on a disk where creating a file costs most of a millisecond (see
# ``bodies``), one worker kept the main process waiting two fifths of the time.
BEHIND_SHARE = 0.15
BEHIND_SECONDS = 0.2
IN_FLIGHT = 64  # conversations queued at most: memory stays flat
READ_BACK_BLOCK = 1 << 16  # characters of a log scanned at once when it is read back
T = TypeVar("T")


class _Queued(NamedTuple):
    """A conversation waiting for its number, its PDF's bodies being written."""

    key: int
    conv: RedactedConversation
    pages: Job[int | None]  # the PDF's, once its bodies are written; None: Qt renders it


class _Numbered(NamedTuple):
    """A numbered conversation whose files are being finished."""

    conv: RedactedConversation
    control_id: str
    end: str
    text_path: str
    pdf_path: str
    files: Job[Finished]


def worker_count() -> int:
    """Workers to start with, for the cores this process may run on: one core is left to
    the main process. On two cores, one: with a second the three processes shared two
    cores, each ran slower, and the export took a tenth longer (bench_export, 2,000
    conversations, on a tmpfs). A second joins if the first falls behind."""
    if hasattr(os, "sched_getaffinity"):
        cores = len(os.sched_getaffinity(0))
    else:  # pragma: no cover - macOS and Windows have no affinity mask
        cores = os.cpu_count() or 1
    return max(0, min(MAX_WORKERS, cores - 1))


class PacketWriter:
    """Renders conversations into a :class:`PacketFolder` as they come.

    A big export starts worker processes: at once when told how many conversations
    will come (``expect``), else when that many have come; another joins while they
    fall behind (``BEHIND_SHARE``)."""

    def __init__(self, out_dir: Path, prefix: str, legend: str) -> None:
        self.folder = PacketFolder(out_dir)
        self.prefix = prefix
        self.legend = legend
        self.next_page = 1
        self.conversations = 0
        self.messages = 0
        # Any page's stamp shows alike in the standard fonts: its number is digits.
        any_stamp = Stamp(bates_number(prefix, 1), prefix, 1, legend)
        self._bodies = Bodies(Place(self.folder.root, any_stamp))
        self._queue: deque[_Queued] = deque()
        self._numbered: deque[_Numbered] = deque()
        self._added = 0
        self._inline = False  # set when workers could not start: not tried again
        self._first_workers = worker_count()
        self._since = 0.0  # when the first conversation came
        self._waited = 0.0  # seconds the main process waited for the workers since
        self._may_add = True  # cleared when another worker could not start
        self._streams = contextlib.ExitStack()
        try:
            self._jsonl = self._stream(CONVERSATIONS)
            self._log = self._stream(REDACTION_LOG, log.csv_rows([log.HEADER]))
            self._dat = self._stream(f"DATA/{prefix}.dat", loadfile.dat_header())
        except BaseException:
            self.discard()
            raise

    def _stream(self, relative: str, head: bytes = b"") -> HashedFile:
        handle = self._streams.enter_context(self.folder.open(relative))
        handle.write(head)
        return handle

    def expect(self, count: int) -> None:
        """``count`` conversations will come: start the workers now if that is many."""
        if (count >= PARALLEL_FROM and not self._bodies.workers and not self._inline
                and self._first_workers):
            try:
                self._bodies.start(self._first_workers)
            except OSError:  # a system that cannot start processes gets its packet all the same
                self._inline = True

    @property
    def pages(self) -> int:
        return self.next_page - 1

    def add(self, conv: RedactedConversation) -> None:
        """Queue ``conv``; it is numbered once every conversation before it is."""
        if not self._added:
            self._since = time.perf_counter()
        self._added += 1
        self.expect(self._added)
        for kind in ("PDF/", "TEXT/"):
            self.folder.make_parent(kind)
        self._queue.append(_Queued(self._added, conv,
                                   self._bodies.begin(self._added, conv.rendering())))
        self._advance(IN_FLIGHT)

    def drain(self) -> None:
        """Write every conversation queued; the counters are final after it."""
        self._advance(0)
        self._bodies.close()

    def _advance(self, waiting: int) -> None:
        """Number and record, in order, what is ready, and what is more than ``waiting``."""
        while self._queue and (len(self._queue) > waiting or self._queue[0].pages.ready):
            queued = self._queue.popleft()
            self._number(queued, self._answer(queued.pages, waiting))
        while self._numbered and (len(self._numbered) > waiting
                                  or self._numbered[0].files.ready):
            numbered = self._numbered.popleft()
            self._record(numbered, self._answer(numbered.files, waiting))

    def _answer(self, job: Job[T], waiting: int) -> T:
        """The job's answer. Waiting for it while conversations still come, the main
        process adds a worker once the workers are behind (``BEHIND_SHARE``)."""
        if not waiting or job.ready:
            return job.result()
        began = time.perf_counter()
        answer = job.result()
        self._waited += time.perf_counter() - began
        if (self._waited > max(BEHIND_SECONDS, BEHIND_SHARE * (began - self._since))
                and 0 < self._bodies.workers < MAX_WORKERS and self._may_add):
            try:
                self._bodies.add_worker()
            except OSError:  # the workers running go on alone
                self._may_add = False
        return answer

    def _number(self, queued: _Queued, pages: int | None) -> None:
        """Give the oldest conversation its pages (None: Qt renders it), and have its
        files finished."""
        control_id = bates_number(self.prefix, self.next_page)
        stamp = Stamp(control_id, self.prefix, self.next_page, self.legend)
        pdf_path, text_path = f"PDF/{control_id}.pdf", f"TEXT/{control_id}.txt"
        pages = self._pages(queued, pdf_path, stamp, pages)
        end = bates_number(self.prefix, self.next_page + pages - 1)
        bates = control_id if pages == 1 else f"{control_id} – {end}"
        files = self._bodies.finish(queued.key, Numbered(stamp, bates, pdf_path, text_path))
        self._numbered.append(_Numbered(queued.conv, control_id, end, text_path, pdf_path,
                                        files))
        self.next_page += pages
        self.conversations += 1
        self.messages += len(queued.conv.messages)

    def _pages(self, queued: _Queued, pdf_path: str, stamp: Stamp, pages: int | None) -> int:
        if pages is not None:
            return pages
        # Qt is loaded only for a document the standard fonts cannot show: importing it
        # costs a tenth of a second, and its import hook slows every later import,
        # pickling included (pickle looks up each class it writes by importing its module).
        from reviewer.export.pdf import render_qt

        pages = render_qt(queued.conv, self.folder.path(pdf_path), stamp)
        self.folder.add_existing(pdf_path)
        return pages

    def _record(self, numbered: _Numbered, finished: Finished) -> None:
        """List the conversation's files; write its line, log rows and load-file row."""
        for entry in (finished.pdf, finished.text):
            if entry is not None:
                self.folder.entries[entry.path] = entry
        conv, control_id = numbered.conv, numbered.control_id
        self._jsonl.write(jsonl_record(conv, control_id).encode("utf-8"))
        self._log.write(log.log_rows(control_id, conv.conversation_id, conv.source_id,
                                     conv.log))
        self._dat.write(loadfile.dat_row([
            control_id, numbered.end, control_id, conv.source_id, conv.title_text,
            conv.created or "", str(len(conv.messages)), str(conv.redaction_count),
            numbered.text_path, numbered.pdf_path,
            self.folder.entries[numbered.pdf_path].sha256,
        ]))

    def write_audit(self, entries: Iterable[dict[str, Any]]) -> None:
        """Write the audit log (while the workers finish the last conversations), then
        close the others: the redaction log is complete once every conversation is in."""
        self._bodies.flush()
        with self.folder.open(AUDIT) as handle:
            for entry in entries:
                handle.write((json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
                             .encode("utf-8"))
        self.drain()
        self._streams.close()

    def unreviewed_leaks(self, needles: Needles, vocabulary: frozenset[str]) -> list[str]:
        """Files holding redacted text where no reviewed text belongs: the file names,
        the redaction log and the audit log (the renderings of conversations were
        scanned as they were made). Everything in them was scrubbed field by field;
        this reads back what was actually written. Words of the packet's own
        ``vocabulary`` (folder names, entity and status names) are not redacted text."""
        names = [f"{name}\n" for name in self.folder.entries]
        found = [f"the file name {name.rstrip()}" for block in _blocks(names)
                 for name in _holding(block, needles, vocabulary, blank=False)]
        for relative in (REDACTION_LOG, AUDIT):
            if relative in self.folder.entries and _holds_needle(self.folder.path(relative),
                                                                 needles, vocabulary):
                found.append(relative)
        return found

    def seal(self, fields: dict[str, Any], private_key: bytes) -> bytes:
        """Close the streams, write the manifest and its signature; returns the manifest."""
        self.drain()
        self._streams.close()
        data = manifest.manifest_bytes(
            fields, list(self.folder.entries.values()), manifest.public_key_b64(private_key)
        )
        self.folder.write(manifest.MANIFEST, data, listed=False)
        self.folder.write(manifest.SIGNATURE, manifest.sign(private_key, data), listed=False)
        return data

    def discard(self) -> None:
        """Stop the workers and remove everything written; never raises (a full disk
        fails the flush of the open streams again, and the folder must go all the same)."""
        self._bodies.stop()  # first: no worker may write into the folder as it goes
        self._queue.clear()
        self._numbered.clear()
        with contextlib.suppress(OSError):
            self._streams.close()
        self.folder.discard()


# What the tool writes into its own logs and nobody typed: ids, digests, times, and the
# offsets, indices and counts of a few digits. An approved age ("34") or a two-letter
# value ("DD") is found inside them, and the read-back would refuse every export.
# Each starts with a hex digit, taken first so that the search skips other characters
# at once (a quarter of the read-back's time went to trying every character).
GENERATED = re.compile(
    r"[0-9a-fA-F](?:"
    r"[0-9a-fA-F]{7}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}"  # a UUID
    r"|(?<![0-9A-Za-z].)[0-9a-fA-F]{15,}(?![0-9A-Za-z])"  # a digest
    r"|(?<=[0-9])[0-9]{3}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}"  # a time
    r"(?::[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?"
    r"|(?<=[0-9])(?<![0-9A-Za-z].)[0-9]{0,3}(?![0-9A-Za-z]))")  # an offset, index or count


def _holds_needle(path: Path, needles: Needles, vocabulary: frozenset[str]) -> bool:
    # A block of lines at a time: the normalised view of a whole log would cost memory in
    # its size.
    with path.open(encoding="utf-8") as handle:
        while lines := handle.readlines(READ_BACK_BLOCK):
            if next(_holding(lines, needles, vocabulary, blank=True), None) is not None:
                return True
    return False


def _blocks(lines: list[str]) -> Iterator[list[str]]:
    block: list[str] = []
    size = 0
    for line in lines:
        block.append(line)
        size += len(line)
        if size >= READ_BACK_BLOCK:
            yield block
            block, size = [], 0
    yield block


def _holding(lines: list[str], needles: Needles, vocabulary: frozenset[str],
             blank: bool) -> Iterator[str]:
    """The ``lines`` (each ended by a line end) that hold a needle, with what the tool
    generated blanked first when ``blank``. They are searched together, each followed by
    a blank line so that no generated value joins the next; only when together they hold
    one is each searched alone, since a match may run from one line into the next."""
    def holds(text: str) -> bool:
        return next(needles.find(_unwritten(text) if blank else text, vocabulary),
                    None) is not None

    if holds("\n".join(lines)):
        yield from (line for line in lines if holds(line))


def _unwritten(text: str) -> str:
    """``text`` with what the tool generated blanked (a space stands for each)."""
    return GENERATED.sub(" ", text)
