"""Writing a packet: every rendering of every conversation, Bates-numbered, then
the audit log, then the signed manifest.

Bates numbers are page numbers, continuous across the packet; a
conversation's control id is the number of its first page, and its TEXT and
PDF files are named by it.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from reviewer.export import loadfile, log, manifest
from reviewer.export.folder import PacketFolder
from reviewer.export.leaks import Needles
from reviewer.export.pdf import Stamp, bates_number, render_pdf
from reviewer.export.redact import RedactedConversation
from reviewer.export.text import jsonl_record, render_text

CONVERSATIONS = "conversations.jsonl"
REDACTION_LOG = "redaction_log.csv"
AUDIT = "audit.jsonl"


@dataclass(frozen=True)
class Produced:
    """Where one conversation went: its control id and Bates range."""

    control_id: str
    end_bates: str
    pages: int


class PacketWriter:
    """Renders conversations into a :class:`PacketFolder` as they come."""

    def __init__(self, out_dir: Path, prefix: str, legend: str) -> None:
        self.folder = PacketFolder(out_dir)
        self.prefix = prefix
        self.legend = legend
        self.next_page = 1
        self.conversations = 0
        self.messages = 0
        self._streams = contextlib.ExitStack()
        try:
            self._jsonl = self._stream(CONVERSATIONS)
            self._log = self._stream(REDACTION_LOG, log.csv_rows([log.HEADER]))
            self._dat = self._stream(f"DATA/{prefix}.dat", loadfile.dat_header())
        except BaseException:
            self.discard()
            raise

    def _stream(self, relative: str, head: bytes = b"") -> IO[bytes]:
        handle = self._streams.enter_context(self.folder.open(relative))
        handle.write(head)
        return handle

    @property
    def pages(self) -> int:
        return self.next_page - 1

    def add(self, conv: RedactedConversation) -> Produced:
        control_id = bates_number(self.prefix, self.next_page)
        pdf_path = f"PDF/{control_id}.pdf"
        self.folder.make_parent(pdf_path)
        pages = render_pdf(
            conv, self.folder.path(pdf_path),
            Stamp(control_id, self.prefix, self.next_page, self.legend),
        )
        self.folder.add_existing(pdf_path)
        end = bates_number(self.prefix, self.next_page + pages - 1)
        text_path = f"TEXT/{control_id}.txt"
        bates = control_id if pages == 1 else f"{control_id} – {end}"
        self.folder.write(text_path, render_text(conv, control_id, bates, self.legend).encode())
        self._jsonl.write(jsonl_record(conv, control_id).encode("utf-8"))
        self._log.write(log.log_rows(control_id, conv.conversation_id, conv.source_id,
                                     conv.log))
        self._dat.write(loadfile.dat_row([
            control_id, end, control_id, conv.source_id, conv.title_text, conv.created or "",
            str(len(conv.messages)), str(conv.redaction_count), text_path, pdf_path,
            self.folder.entries[pdf_path].sha256,
        ]))
        self.next_page += pages
        self.conversations += 1
        self.messages += len(conv.messages)
        return Produced(control_id, end, pages)

    def write_audit(self, entries: Iterable[dict[str, Any]]) -> None:
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
        self._streams.close()
        data = manifest.manifest_bytes(
            fields, list(self.folder.entries.values()), manifest.public_key_b64(private_key)
        )
        self.folder.write(manifest.MANIFEST, data, listed=False)
        self.folder.write(manifest.SIGNATURE, manifest.sign(private_key, data), listed=False)
        return data

    def discard(self) -> None:
        """Remove everything written; never raises (a full disk fails the flush of the
        open streams again, and the folder must go all the same)."""
        with contextlib.suppress(OSError):
            self._streams.close()
        self.folder.discard()


def _holds_needle(path: Path, needles: Needles, vocabulary: frozenset[str]) -> bool:
    # Line by line: the normalised view of a whole log would cost memory in its size.
    with path.open(encoding="utf-8") as handle:
        return any(next(needles.find(line, vocabulary), None) for line in handle)
