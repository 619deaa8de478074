"""Writing a packet: every rendering of every conversation, Bates-numbered, then
the audit log, then the signed manifest.

Bates numbers are page numbers, continuous across the packet; a
conversation's control id is the number of its first page, and its TEXT and
PDF files are named by it. A conversation is numbered when every one before it
is written. The page bodies of a standard-font PDF need no number, so in a big
export worker processes write them (``reviewer.export.bodies``) for the
conversations queued behind the one being written; the main process adds each
file's stamped tail in order.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewer.export import loadfile, log, manifest
from reviewer.export.bodies import Begun, Bodies, Job
from reviewer.export.folder import HashedFile, PacketFolder
from reviewer.export.leaks import Needles
from reviewer.export.pdf import Stamp, bates_number, render_qt
from reviewer.export.pdfwriter import write_tail
from reviewer.export.redact import RedactedConversation
from reviewer.export.text import jsonl_record, render_text

CONVERSATIONS = "conversations.jsonl"
REDACTION_LOG = "redaction_log.csv"
AUDIT = "audit.jsonl"
# Conversations from which workers pay for their start (a few tenths of a second).
PARALLEL_FROM = 200
WORKERS = 2  # the main process's own share of the work keeps more than two waiting
IN_FLIGHT = 64  # conversations queued at most: memory stays flat


@dataclass(frozen=True)
class _Queued:
    """A conversation waiting for its number, its files begun under temporary names."""

    conv: RedactedConversation
    job: Job
    pdf: str
    text: str


class PacketWriter:
    """Renders conversations into a :class:`PacketFolder` as they come.

    A big export starts worker processes: at once when told how many conversations
    will come (``expect``), else when that many have come."""

    def __init__(self, out_dir: Path, prefix: str, legend: str) -> None:
        self.folder = PacketFolder(out_dir)
        self.prefix = prefix
        self.legend = legend
        self.next_page = 1
        self.conversations = 0
        self.messages = 0
        self._bodies = Bodies()
        self._queue: deque[_Queued] = deque()
        self._added = 0
        # Any page's stamp shows alike in the standard fonts: its number is digits.
        self._any_stamp = Stamp(bates_number(prefix, 1), prefix, 1, legend)
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
        if (count >= PARALLEL_FROM and not self._bodies.parallel
                and (os.cpu_count() or 1) > 1):
            # A system that cannot start processes gets its packet all the same.
            with contextlib.suppress(OSError):
                self._bodies.start(WORKERS)

    @property
    def pages(self) -> int:
        return self.next_page - 1

    def add(self, conv: RedactedConversation) -> None:
        """Queue ``conv``; it is written once every conversation before it is."""
        self._added += 1
        self.expect(self._added)
        self._queue.append(self._queued(conv))
        while self._queue and (len(self._queue) > IN_FLIGHT or self._queue[0].job.ready):
            self._write(self._queue.popleft())

    def drain(self) -> None:
        """Write every conversation queued; the counters are final after it."""
        while self._queue:
            self._write(self._queue.popleft())
        self._bodies.close()

    def _queued(self, conv: RedactedConversation) -> _Queued:
        pdf, text = f"PDF/.{self._added}.part", f"TEXT/.{self._added}.part"
        for partial in (pdf, text):
            self.folder.make_parent(partial)
        begun = Begun(self.folder.path(pdf), self.folder.path(text), self._any_stamp)
        return _Queued(conv, self._bodies.submit(conv, begun), pdf, text)

    def _write(self, queued: _Queued) -> None:
        """Number the oldest conversation queued and write its files and records."""
        control_id = bates_number(self.prefix, self.next_page)
        pdf_path = f"PDF/{control_id}.pdf"
        pages = self._pdf(queued, pdf_path, Stamp(control_id, self.prefix, self.next_page,
                                                 self.legend))
        end = bates_number(self.prefix, self.next_page + pages - 1)
        text_path = f"TEXT/{control_id}.txt"
        bates = control_id if pages == 1 else f"{control_id} – {end}"
        with self.folder.resume(queued.text, text_path) as handle:
            handle.write(render_text(queued.conv, control_id, bates, self.legend).encode())
        self._records(queued.conv, control_id, end, text_path, pdf_path)
        self.next_page += pages

    def _records(self, conv: RedactedConversation, control_id: str, end: str, text_path: str,
                 pdf_path: str) -> None:
        """The conversation's line, log rows and load-file row."""
        self._jsonl.write(jsonl_record(conv, control_id).encode("utf-8"))
        self._log.write(log.log_rows(control_id, conv.conversation_id, conv.source_id,
                                     conv.log))
        self._dat.write(loadfile.dat_row([
            control_id, end, control_id, conv.source_id, conv.title_text, conv.created or "",
            str(len(conv.messages)), str(conv.redaction_count), text_path, pdf_path,
            self.folder.entries[pdf_path].sha256,
        ]))
        self.conversations += 1
        self.messages += len(conv.messages)

    def _pdf(self, queued: _Queued, pdf_path: str, stamp: Stamp) -> int:
        """Write the PDF at ``pdf_path``; returns its pages."""
        body = queued.job.result()  # a worker's error is raised here, as it was raised
        if body is None:  # the Qt path
            pages = render_qt(queued.conv, self.folder.path(pdf_path), stamp)
            self.folder.add_existing(pdf_path)
            return pages
        with self.folder.resume(queued.pdf, pdf_path) as handle:
            write_tail(handle.write, body, stamp)
        return body.pages

    def write_audit(self, entries: Iterable[dict[str, Any]]) -> None:
        self.drain()
        self._streams.close()  # the log is complete once every conversation is in
        with self.folder.open(AUDIT) as handle:
            for entry in entries:
                handle.write((json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
                             .encode("utf-8"))

    def unreviewed_leaks(self, needles: Needles, vocabulary: frozenset[str]) -> list[str]:
        """Files holding redacted text where no reviewed text belongs: the file names,
        the redaction log and the audit log. Everything in them was scrubbed field by
        field; this reads back what was actually written. Words of the packet's own
        ``vocabulary`` (folder names, entity and status names) are not redacted text."""
        found = [f"the file name {name}" for name in self.folder.entries
                 if next(needles.find(name, vocabulary), None)]
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
        with contextlib.suppress(OSError):
            self._streams.close()
        self.folder.discard()


def _holds_needle(path: Path, needles: Needles, vocabulary: frozenset[str]) -> bool:
    # Line by line: the normalised view of a whole log would cost memory in its size.
    with path.open(encoding="utf-8") as handle:
        return any(next(needles.find(line, vocabulary), None) for line in handle)
