"""Reading an import file into rows ready to store, here or in a reader process.

Parsing, checking and hashing a large export is CPU work that the store's
inserts, encryption and indexing need not wait for. A file of at least
:data:`CHILD_FROM` bytes (on a machine with more than one core) is therefore
read by a child process, which sends its conversations as rows
(:mod:`reviewer.store.rows`) in batches over a pipe while this process stores
the ones before. The pipe holds a few batches (1 MiB), so the reader parses on
while this process indexes or commits, and waits when it is further ahead:
memory stays flat. Smaller files are read in this process: starting the child
(about 0.2 s) costs more than it saves.

The child is started with ``spawn`` (a fresh interpreter, safe in the GUI's
threads, and not the forkserver that analysis keeps preloaded with spaCy). It
imports only the ingest layer and the row builders, never the store. A fault in
the file reaches the caller as the same one-line :class:`BadInputError` either
way; a fault in the reader itself as :class:`ReaderError`, with frames but
never the message (which could quote the file).
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

if sys.platform != "win32":
    import fcntl

from reviewer.domain.errors import BadInputError
from reviewer.domain.models import Branch, Conversation, Visibility
from reviewer.infra.environment import drop_secrets
from reviewer.ingest.reader import SourceFile, open_source, parse_size, source_digest
from reviewer.store.rows import ConversationRows, conversation_rows

BATCH = 50
CHILD_FROM = 8 << 20
PIPE_BYTES = 1 << 20


@dataclass(frozen=True)
class ReadConversation:
    """One conversation as rows, with what it adds to the import summary."""

    source_id: str
    rows: ConversationRows
    alternates: int
    hidden: int
    placeholders: int


@dataclass(frozen=True)
class Batch:
    """Conversations in file order, and how many bytes of the file are read so far."""

    conversations: list[ReadConversation]
    bytes_read: int


@dataclass(frozen=True)
class SourceInfo:
    """What the file is: its size and SHA-256, its format(s), the entries read
    (for a ZIP) and how many bytes of them there are to read."""

    file_size: int
    sha256: str
    format: str
    entries: list[str]
    total_bytes: int


class ReaderError(RuntimeError):
    """The reader process failed for a reason other than the file's content."""


def read_conversation(conv: Conversation) -> ReadConversation:
    messages = conv.messages
    return ReadConversation(
        conv.source_id, conversation_rows(conv),
        alternates=sum(m.branch is Branch.ALTERNATE for m in messages),
        hidden=sum(m.visibility is not Visibility.VISIBLE for m in messages),
        placeholders=sum(m.placeholders for m in messages),
    )


def _info(source: SourceFile) -> SourceInfo:
    digest, size = source_digest(source.path)
    return SourceInfo(size, digest, source.format, [e.name for e in source.entries],
                      source.total_bytes)


def _batches(source: SourceFile) -> Iterator[Batch]:
    batch: list[ReadConversation] = []
    for conv in source.conversations():
        batch.append(read_conversation(conv))
        if len(batch) == BATCH:
            yield Batch(batch, source.bytes_read)
            batch = []
    yield Batch(batch, source.total_bytes)


def use_child(path: Path) -> bool:
    """True when ``path`` holds enough to parse (a ZIP counts expanded), and the
    machine has the cores, for a reader process."""
    return (os.cpu_count() or 1) > 1 and parse_size(path) >= CHILD_FROM


@contextlib.contextmanager
def read(path: Path, fmt: str | None = None,
         child: bool | None = None) -> Iterator[tuple[SourceInfo, Iterator[Batch]]]:
    """(what the file is, its batches); ``child`` None decides by size and cores."""
    if not (use_child(path) if child is None else child):
        with open_source(path, fmt) as source:
            yield _info(source), _batches(source)
        return
    drop_secrets()  # the reader keeps the environment it starts with
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    _widen(receiver)
    process = context.Process(target=_reader_main, args=(str(path), fmt, sender),
                              name="reviewer-import-reader", daemon=True)
    process.start()
    sender.close()  # so a reader that dies is an EOF here, not a hang
    try:
        yield _receive(receiver, process, "info"), _received_batches(receiver, process)
    finally:
        receiver.close()
        if process.is_alive():
            process.terminate()
        process.join()


def _widen(pipe: Connection) -> None:
    """Let the pipe hold a few batches (Linux; elsewhere it keeps its size), so
    the reader parses on while this process indexes or commits."""
    if sys.platform != "win32" and hasattr(fcntl, "F_SETPIPE_SZ"):
        with contextlib.suppress(OSError):  # capped by /proc/sys/fs/pipe-max-size
            fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def _received_batches(receiver: Connection, process: BaseProcess) -> Iterator[Batch]:
    while (batch := _receive(receiver, process, "batch")) is not None:
        yield batch


def _receive(receiver: Connection, process: BaseProcess, expected: str) -> Any:
    try:
        kind, payload = receiver.recv()
    except EOFError:
        process.join()
        raise ReaderError(f"the import reader stopped (exit code {process.exitcode})") from None
    if kind == "bad-input":
        raise BadInputError(payload)
    if kind == "failed":
        raise ReaderError(f"the import reader failed ({payload[0]})\n{''.join(payload[1])}")
    if kind == "done":
        return None
    if kind != expected:
        raise ReaderError(f"the import reader sent {kind!r} where {expected!r} was due")
    return payload


def _reader_main(path: str, fmt: str | None, sender: Connection) -> None:
    """The reader process: everything it learns goes down the pipe, in order.

    The cyclic garbage collector is off: parsed JSON and the rows built from it
    hold no reference cycles, so it would only walk the fresh objects of every
    conversation again and again (about a tenth of the reader's time), and
    the process ends with the file.
    """
    gc.disable()
    # Ctrl+C reaches the whole process group: the importing process handles it
    # and ends this one, which must not print a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with open_source(Path(path), fmt) as source:
            sender.send(("info", _info(source)))
            for batch in _batches(source):
                sender.send(("batch", batch))
        sender.send(("done", None))
    except BadInputError as err:
        sender.send(("bad-input", str(err)))
    except BrokenPipeError:
        pass  # the importing process stopped listening: nothing left to do
    except Exception as err:  # a bug: its frames, never its message (it may quote the file)
        sender.send(("failed", (type(err).__name__, traceback.format_tb(err.__traceback__))))
    finally:
        sender.close()
