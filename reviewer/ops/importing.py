"""Importing conversation files into a store.

Each file is one transaction: its source row, its conversations and messages
(made searchable batch by batch) and one ``import`` audit entry commit
together, or, when the file fails anywhere, nothing of it does. A
conversation whose content hash is already in the store is counted as
already present and not stored again, so importing twice is harmless. An
OpenAI batch record completes the conversation its other half began
(``reviewer.store.pairing``); the audit entry lists each completion. Large
files are parsed by a reader process while this one stores (``import_reader``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewer.domain.changes import Changes
from reviewer.domain.errors import BadInputError
from reviewer.domain.models import Provenance
from reviewer.domain.progress import Progress, no_progress
from reviewer.ingest.container import skipped_members
from reviewer.ops import import_reader
from reviewer.ops.import_reader import ReadConversation, SourceInfo
from reviewer.store import audit, conversations, pairing
from reviewer.store.database import Store
from reviewer.store.pairing import Completion, Outcome
from reviewer.store.sql import page_cache
from reviewer.store.times import utc_now

# Messages made searchable together: FTS5 indexes big batches much faster than
# small ones, and indexing along the way overlaps with a reader process.
INDEX_EVERY = 20_000
# The writer's page cache during an import (KiB): it is full after the first
# 20 MB or so of a ChatGPT export, so memory is flat whatever the file's size
# (64 MiB went on growing up to 200 MB exports); inserts and indexing cost
# about 8% more CPU.
IMPORT_CACHE_KIB = 16_384

NAMED_MEMBERS = 5  # of an export ZIP's other files, named in the summary


@dataclass
class FileResult:
    """What one file brought: counts of what was stored and what was already there."""

    path: Path
    format: str = ""
    conversations: int = 0
    messages: int = 0
    alternates: int = 0
    hidden: int = 0
    placeholders: int = 0
    already_present: int = 0
    error: str | None = None
    source_ids: list[str] = field(default_factory=list)
    completed: list[Completion] = field(default_factory=list)
    unpaired: list[str] = field(default_factory=list)
    not_read: list[str] = field(default_factory=list)  # an export ZIP's other files

    def count(self, conv: ReadConversation) -> None:
        self.source_ids.append(conv.source_id)
        self.conversations += 1
        self._count_messages(conv)

    def count_completion(self, conv: ReadConversation, completion: Completion) -> None:
        """A batch record that completed a stored conversation: its messages
        count, not a conversation (the record's messages are the ones added)."""
        self.completed.append(completion)
        self._count_messages(conv)

    def _count_messages(self, conv: ReadConversation) -> None:
        self.messages += len(conv.rows.messages)
        self.alternates += conv.alternates
        self.hidden += conv.hidden
        self.placeholders += conv.placeholders

    def pairing_lines(self) -> list[str]:
        """What became of batch halves: completions, and halves kept apart."""
        lines = []
        if self.completed:
            exported = sum(c.exported_before for c in self.completed)
            lines.append(
                f"{self.path.name}: completed "
                f"{_plural(len(self.completed), 'batch conversation')} stored before (request "
                "and response are one conversation); the added messages are not yet analysed"
                + (f"; {exported} of them {'was' if exported == 1 else 'were'} stored "
                   "when an earlier packet was exported, "
                   "the next export holds them whole once they are analysed and reviewed"
                   if exported else ""))
        if self.unpaired:
            named = ", ".join(self.unpaired[:5]) + (", …" if len(self.unpaired) > 5 else "")
            lines.append(
                f"{self.path.name}: {_plural(len(self.unpaired), 'batch record')} stored on "
                "their own: more than one stored conversation with the same custom_id could "
                f"take them ({named})")
        return lines

    def counts(self) -> dict[str, int]:
        return {
            "conversations": self.conversations, "messages": self.messages,
            "alternates": self.alternates, "hidden": self.hidden,
            "placeholders": self.placeholders, "already_present": self.already_present,
        }


@dataclass
class ImportReport:
    """The outcome of one ``import``: stored files and refused ones."""

    files: list[FileResult] = field(default_factory=list)

    @property
    def imported(self) -> list[FileResult]:
        return [f for f in self.files if f.error is None]

    @property
    def refused(self) -> list[FileResult]:
        return [f for f in self.files if f.error is not None]

    @property
    def failed(self) -> bool:
        return bool(self.refused)

    def totals(self) -> dict[str, int]:
        keys = FileResult(Path()).counts()
        return {k: sum(f.counts()[k] for f in self.imported) for k in keys}

    def summary_lines(self) -> list[str]:
        lines = [f"{f.path.name} [{f.format}]: {_describe(f.counts())}" for f in self.imported]
        lines += [line for f in self.imported for line in f.pairing_lines()]
        lines += [_not_read(f) for f in self.imported if f.not_read]
        lines.append(f"Imported {_describe(self.totals())}; "
                     f"{_plural(len(self.imported), 'file')} stored, {len(self.refused)} refused.")
        return lines

    def error_lines(self) -> list[str]:
        return [f.error for f in self.refused if f.error]

    @property
    def changes(self) -> Changes:
        """New conversations and messages, no spans: a view re-reads the rows it shows."""
        stored = any(f.conversations or f.completed for f in self.imported)
        return Changes(many_conversations=stored)


def _not_read(result: FileResult) -> str:
    """An export ZIP's files that hold no conversations (account data, feedback, images),
    named, so that nothing is left out without a word."""
    data = [n for n in result.not_read if n.lower().endswith((".json", ".jsonl", ".csv",
                                                                ".txt", ".html"))]
    named = data[:NAMED_MEMBERS]
    others = len(result.not_read) - len(named)
    shown = ", ".join(named) + (f" and {_plural(others, 'other file')}" if others else "")
    if not named:
        shown = _plural(others, "file")
    return (f"{result.path.name}: not read: {shown} (only conversations*.json files hold "
            "conversations).")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _describe(counts: dict[str, int]) -> str:
    """``hidden`` counts every message a user did not see as chat: system, tool, hidden."""
    return (f"{_plural(counts['conversations'], 'conversation')} "
            f"({_plural(counts['messages'], 'message')}, "
            f"{_plural(counts['alternates'], 'alternate')}, {counts['hidden']} hidden, "
            f"{_plural(counts['placeholders'], 'placeholder')}), "
            f"{counts['already_present']} already present")


def import_files(
    store: Store,
    paths: Sequence[Path],
    actor: str,
    fmt: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import every path; a bad file is refused and reported, the others are stored."""
    report = ImportReport()
    for path in paths:
        result = FileResult(Path(path))
        try:
            import_file(store, Path(path), actor, fmt, progress or no_progress, result)
        except BadInputError as err:
            result = FileResult(Path(path), error=str(err))
        report.files.append(result)
    return report


def import_file(store: Store, path: Path, actor: str, fmt: str | None, progress: Progress,
                result: FileResult) -> None:
    """Import one file in one transaction, filling ``result``."""
    with import_reader.read(path, fmt) as (info, batches), store.transaction() as conn, \
            page_cache(conn, IMPORT_CACHE_KIB):
        provenance = Provenance(path.name, info.file_size, info.sha256, info.format)
        imported_at = utc_now()
        source_row = conversations.add_source(conn, provenance, actor, imported_at)
        indexed = 0  # result.messages when the text was last made searchable
        last_export = pairing.last_export(conn)
        for batch in batches:
            for conv in batch.conversations:
                if conv.rows.batch is not None:
                    outcome = pairing.add_record(conn, conv.rows, source_row, imported_at,
                                                 last_export)
                    _count_batch_record(result, conv, outcome)
                elif conversations.add_rows(conn, conv.rows, source_row, imported_at) is None:
                    result.already_present += 1
                else:
                    result.count(conv)
            if result.messages - indexed >= INDEX_EVERY:
                conversations.index_new_text(conn)
                indexed = result.messages
            progress(batch.bytes_read, info.total_bytes, path.name)
        conversations.index_new_text(conn)
        result.format = info.format
        result.not_read = skipped_members(path)
        audit.append(conn, actor, "import", _audit_payload(provenance, info, result))


def _count_batch_record(result: FileResult, conv: ReadConversation, outcome: Outcome) -> None:
    if outcome.completion is not None:
        result.count_completion(conv, outcome.completion)
    elif outcome.stored is not None:
        result.count(conv)
        if outcome.unpaired:
            result.unpaired.append(conv.source_id)
    else:
        result.already_present += 1


def _audit_payload(provenance: Provenance, info: SourceInfo,
                   result: FileResult) -> dict[str, Any]:
    return {
        "file_name": provenance.file_name, "file_size": provenance.file_size,
        "sha256": provenance.file_sha256, "format": info.format,
        "entries": info.entries, **result.counts(),
        "source_ids": result.source_ids,
        **({"completed": [c.as_dict() for c in result.completed]} if result.completed else {}),
        **({"unpaired": result.unpaired} if result.unpaired else {}),
    }
