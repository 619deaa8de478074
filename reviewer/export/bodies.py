"""A conversation's files begun by worker processes while the main process goes on
reading, redacting and numbering: its PDF up to the page bodies, and its TEXT
file, empty.

A body needs no Bates number (``pdfwriter.write_body``), so it can be laid out
before the conversations ahead of it are paginated; the main process finishes
each file in order once its first page is known, and renames it. Even the empty
TEXT file is made here: creating a file costs the kernel far more than writing a
few kilobytes into one (ext4 looks for a free inode that was not freed just
now, which after many deletions takes most of a millisecond). Jobs go to the workers in
turn and each worker answers in the order it was given them, so the next answer
on a worker's pipe is that of its oldest job.

Workers are spawned, never forked: the GUI exports on a thread, and a fork copies
a process whose other threads may hold locks. They import the PDF writer and
what it needs, no Qt and no store, and end when the main process's end of their
pipe closes, however it ends. The main process runs no thread for them: helper
threads would take the interpreter lock from it at every system call.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
import traceback
import types
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnContext
from pathlib import Path

from reviewer.export.folder import create_private
from reviewer.export.pagelayout import Stamp, shows
from reviewer.export.pdfwriter import Body, write_body
from reviewer.export.redact import RedactedConversation


@dataclass(frozen=True)
class Begun:
    """Where a conversation's files are begun, and what to check its text against."""

    pdf: Path
    text: Path
    stamp: Stamp  # any page's stamp: its number shows alike


def begin_files(conv: RedactedConversation, begun: Begun) -> Body | None:
    """Make the TEXT file, empty, and write the PDF's page bodies; None (and no PDF)
    when the standard fonts cannot show ``conv``: Qt renders it, in the main process."""
    create_private(begun.text).close()
    if not shows(conv, begun.stamp):
        return None
    with create_private(begun.pdf) as handle:
        return write_body(conv, handle.write)


class WorkerLostError(RuntimeError):
    """A worker process ended without answering (killed, out of memory)."""


class Job:
    """Files being begun by a worker, or begun already."""

    def __init__(self, worker: _Worker | None, body: Body | None = None) -> None:
        self._worker = worker  # None once answered
        self._body = body

    @property
    def ready(self) -> bool:
        return self._worker is None or self._worker.answered

    def result(self) -> Body | None:
        """What ``begin_files`` returned; waits for it. Only a worker's oldest job may ask."""
        if self._worker is not None:
            self._body = self._worker.receive()
            self._worker = None
        return self._body


class Bodies:
    """Where page bodies are written: here, or by worker processes once started."""

    def __init__(self) -> None:
        self._workers: list[_Worker] = []
        self._turn = 0

    @property
    def parallel(self) -> bool:
        return bool(self._workers)

    def start(self, workers: int) -> None:
        """Start ``workers`` processes; none is left running if one cannot start."""
        context = multiprocessing.get_context("spawn")
        try:
            with _main_hidden():
                for _ in range(workers):
                    self._workers.append(_Worker(context))
        except BaseException:
            self.stop()
            raise

    def submit(self, conv: RedactedConversation, begun: Begun) -> Job:
        """Have the files of ``conv`` begun: here and now if not started."""
        if not self._workers:
            return Job(None, begin_files(conv, begun))
        worker = self._workers[self._turn % len(self._workers)]
        self._turn += 1
        worker.send(conv, begun)
        return Job(worker)

    def close(self) -> None:
        """Let the workers end; every job must have been received."""
        for worker in self._workers:
            worker.close()
        self._workers = []

    def stop(self) -> None:
        """End the workers now, whatever they are writing; never raises."""
        for worker in self._workers:
            worker.kill()
        self._workers = []


class _Worker:
    def __init__(self, context: SpawnContext) -> None:
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child,), daemon=True,
                                        name="pdf-bodies")
        self._process.start()
        child.close()

    def send(self, conv: RedactedConversation, begun: Begun) -> None:
        self._conn.send((conv, begun))

    @property
    def answered(self) -> bool:
        return self._conn.poll()

    def receive(self) -> Body | None:
        try:
            body, error = self._conn.recv()
        except EOFError:
            raise WorkerLostError("A process writing PDF pages ended unexpectedly "
                                  f"(exit code {self._process.exitcode}).") from None
        if error is not None:
            raise error
        result: Body | None = body
        return result

    def close(self) -> None:
        self._conn.close()  # the worker reads the end of its pipe, and ends
        self._process.join()

    def kill(self) -> None:
        self._process.kill()
        self._process.join()
        self._conn.close()


def _serve(conn: Connection) -> None:
    """A worker's loop: a job in, its bodies or its error out, until the pipe closes."""
    while True:
        try:
            conv, begun = conn.recv()
        except EOFError:
            return
        try:
            answer: tuple[Body | None, BaseException | None] = (begin_files(conv, begun), None)
        except Exception as error:
            error.add_note(traceback.format_exc())  # the worker's traceback, for the log
            answer = (None, error)
        _answer(conn, answer)


def _answer(conn: Connection, answer: tuple[Body | None, BaseException | None]) -> None:
    try:
        conn.send(answer)
    except Exception as unpicklable:
        # An error that cannot cross still fails the job, as what it said.
        conn.send((None, RuntimeError(f"{answer[1]!r} ({unpicklable})")))


@contextlib.contextmanager
def _main_hidden() -> Iterator[None]:
    """A spawned process runs its parent's main script again (the CLI's, a benchmark's)
    to find what it defines, importing Qt and the store into every worker; the
    workers need nothing of it."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main
