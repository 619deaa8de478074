"""A conversation's PDF and TEXT files, written by worker processes while the main
process goes on reading, redacting and numbering.

Each conversation is handled in two steps by the same worker. ``begin`` lays the
PDF out up to its page bodies, which need no Bates number
(``pdfwriter.write_body``), so they are made before the conversations ahead are
numbered; the page count tells the main process where the next conversation
starts. The bytes wait in memory (a big PDF's in a file under a temporary name).
``finish``, once the conversation is numbered, adds the PDF's stamps and trailer
and writes it under its control id, and writes the TEXT file. Creating files is the
costliest step of writing small ones (ext4 looks for a free inode that was not
freed just now, which after many deletions takes most of a millisecond), so the
main process does none, and a small PDF is one file made and written once. Every
file is hashed as it is written.

Questions go to a worker a few at a time (``BATCH``, fewer when their text is
large), and their answers come back together: a message costs the two processes
more than a small conversation's pickle does. A worker answers in the order it
was asked, so the next answers on its pipe are those of the oldest questions it
has not answered. Answers are small (a page count, two file entries): a worker
never waits for the main process to read, and the main process, which may wait
to send it large conversations, never waits for a worker that waits.

Workers are spawned, never forked: the GUI exports on a thread, and a fork copies
a process whose other threads may hold locks. They import the PDF writer and
what it needs, no Qt and no store, and end when the main process's end of their
pipe closes, however it ends. The main process runs no thread for them: helper
threads would take the interpreter lock from it at every system call. Without
workers (a small export, one core) the same steps run in the main process.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import select
import signal
from collections import deque
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnContext
from pathlib import Path
from typing import Any, Generic, NamedTuple, TypeVar, cast

from reviewer.export.folder import FileEntry, HashedFile, create_private, write_new
from reviewer.export.pagelayout import Stamp, shows, text_size
from reviewer.export.pdfwriter import Body, write_body, write_tail
from reviewer.export.records import RedactedConversation
from reviewer.export.text import render_text
from reviewer.infra.environment import drop_secrets

T = TypeVar("T")


class Finished(NamedTuple):
    """A conversation's files as written."""

    pdf: FileEntry | None  # None: Qt wrote it
    text: FileEntry


class Place(NamedTuple):
    """Where the conversations' files go, and what their text is checked against; a
    worker is given it once, when it starts."""

    root: Path  # the packet folder
    any_stamp: Stamp  # any page's stamp shows alike in the standard fonts: digits differ

    def partial(self, key: int) -> str:
        """The temporary name of the PDF of the ``key``-th conversation, relative to the root."""
        return f"PDF/.{key}.part"


class Numbered(NamedTuple):
    """What numbering decided for a conversation: its stamp and its files' names."""

    stamp: Stamp
    bates: str  # its Bates range, as the TEXT file's header gives it
    pdf: str
    text: str


# Bytes of a PDF kept in memory until its name is known; a bigger one goes on in a file
# under a temporary name, renamed once numbered.
SPOOL = 1 << 20


class _Spool:
    """A PDF's bytes before its name is known: in memory while small (one file made,
    under its name, at the end), in a temporary file past ``SPOOL`` bytes."""

    def __init__(self, partial: str) -> None:
        self.partial = partial
        self.parts: list[bytes] = []
        self.size = 0
        self.file: HashedFile | None = None

    def write(self, data: bytes) -> None:
        if self.file is not None:
            self.file.write(data)
            return
        self.parts.append(data)
        self.size += len(data)
        if self.size > SPOOL:
            self.file = HashedFile(create_private(Path(self.partial)))
            for part in self.parts:
                self.file.write(part)
            self.parts = []

    def finish(self, target: str, relative: str) -> FileEntry:
        """The file at ``target``, listed as ``relative``."""
        if self.file is None:
            return write_new(target, b"".join(self.parts), relative)
        self.file.handle.close()
        os.rename(self.partial, target)
        return self.file.entry(relative)


class Begun:
    """A conversation whose PDF bodies are written (unless Qt must render it)."""

    def __init__(self, key: int, conv: RedactedConversation, place: Place) -> None:
        self.conv = conv
        self.root = str(place.root)
        self.pdf: _Spool | None = None
        self.body: Body | None = None
        if shows(conv, place.any_stamp):
            self.pdf = _Spool(os.path.join(self.root, place.partial(key)))
            self.body = write_body(conv, self.pdf.write)

    def finish(self, numbered: Numbered) -> Finished:
        """The PDF's stamps and trailer, under its name; the TEXT file."""
        root = self.root
        pdf = None
        if self.pdf is not None and self.body is not None:
            write_tail(self.pdf.write, self.body, numbered.stamp)
            pdf = self.pdf.finish(os.path.join(root, numbered.pdf), numbered.pdf)
        text = render_text(self.conv, numbered.stamp.control_id, numbered.bates,
                           numbered.stamp.legend)
        return Finished(pdf, write_new(os.path.join(root, numbered.text), text.encode(),
                                       numbered.text))


class _Begin(NamedTuple):
    key: int
    conv: RedactedConversation

    @property
    def size(self) -> int:
        return text_size(self.conv)

    def run(self, place: Place, begun: dict[int, Begun]) -> int | None:
        """The PDF's page count (None: Qt must render it); the bodies stay here."""
        begun[self.key] = Begun(self.key, self.conv, place)
        body = begun[self.key].body
        return None if body is None else body.pages


class _Finish(NamedTuple):
    key: int
    numbered: Numbered

    @property
    def size(self) -> int:
        return 0  # no text to send

    def run(self, place: Place, begun: dict[int, Begun]) -> Finished:
        return begun.pop(self.key).finish(self.numbered)


class Job(Generic[T]):
    """An answer from a worker, or one given here already."""

    def __init__(self, worker: _Worker | None, value: Any = None) -> None:
        self._worker = worker  # None once answered
        self._value = value
        self._error: BaseException | None = None

    @property
    def ready(self) -> bool:
        if self._worker is not None:
            self._worker.collect(block=False)
        return self._worker is None

    def result(self) -> T:
        """The answer; waits for it. A worker's error is raised here, as it was raised."""
        while self._worker is not None:
            self._worker.collect(block=True)
        if self._error is not None:
            raise self._error
        return cast(T, self._value)

    def answer(self, value: Any, error: BaseException | None) -> None:
        self._worker, self._value, self._error = None, value, error


class Bodies:
    """Where conversations' files are written: here, or by worker processes once
    started. A conversation is finished where it was begun."""

    def __init__(self, place: Place) -> None:
        self.place = place
        self._workers: list[_Worker] = []
        self._begun = 0  # conversations sent to workers, which take them in turn
        self._owners: dict[int, _Worker] = {}  # key -> the worker that began it
        self._here: dict[int, Begun] = {}

    @property
    def workers(self) -> int:
        """Worker processes running (0: files are written here)."""
        return len(self._workers)

    def start(self, workers: int) -> None:
        """Start ``workers`` processes (more may join: ``add_worker``); none is left
        running if one cannot start."""
        try:
            for _ in range(workers):
                self.add_worker()
        except BaseException:
            self.stop()
            raise

    def add_worker(self) -> None:
        """Start one more process; it takes its turn from the next conversation begun."""
        drop_secrets()  # a spawned worker keeps the environment it starts with
        self._workers.append(_Worker(multiprocessing.get_context("spawn"), self.place))

    def begin(self, key: int, conv: RedactedConversation) -> Job[int | None]:
        """Begin the files of ``conv``; the answer is its PDF's page count, None for Qt."""
        return self._ask(key, _Begin(key, conv))

    def finish(self, key: int, numbered: Numbered) -> Job[Finished]:
        return self._ask(key, _Finish(key, numbered))

    def _ask(self, key: int, question: _Begin | _Finish) -> Job[Any]:
        if key in self._here or not self._workers:
            return Job(None, question.run(self.place, self._here))
        if isinstance(question, _Finish):  # where its PDF's bodies wait
            return self._owners.pop(key).ask(question)
        worker = self._owners[key] = self._workers[self._begun % len(self._workers)]
        self._begun += 1
        return worker.ask(question)

    def flush(self) -> None:
        """Send the questions waiting to make up a batch: no more are coming soon."""
        for worker in self._workers:
            worker.flush()

    def close(self) -> None:
        """Let the workers end; every job must have been answered."""
        for worker in self._workers:  # all told first: they end side by side
            worker.close()
        for worker in self._workers:
            worker.join()
        self._workers = []
        self._owners.clear()

    def stop(self) -> None:
        """End the workers now, whatever they are writing; never raises."""
        for worker in self._workers:
            worker.kill()
        self._workers = []
        self._owners.clear()
        self._here.clear()


# Questions sent to a worker in one message at most, and the characters of conversation
# text after which they go at once (a worker holds the conversations of a message).
BATCH = 4
BATCH_CHARS = 1 << 20


class WorkerLostError(RuntimeError):
    """A worker process ended without answering (killed, out of memory)."""


class _Worker:
    def __init__(self, context: SpawnContext, place: Place) -> None:
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child, place), daemon=True,
                                        name="packet-files")
        self._process.start()
        child.close()
        self._asked: deque[Job[Any]] = deque()  # sent or not, oldest first
        self._unsent: list[_Begin | _Finish] = []
        self._unsent_size = 0
        self._messages = 0  # sent and not answered yet
        # The connection's own poll builds a selector each time it is asked, and the
        # main process asks about every conversation it adds.
        self._poller = select.poll() if hasattr(select, "poll") else None
        if self._poller is not None:
            self._poller.register(self._conn.fileno(), select.POLLIN)

    def ask(self, question: _Begin | _Finish) -> Job[Any]:
        job: Job[Any] = Job(self)
        self._asked.append(job)
        self._unsent.append(question)
        self._unsent_size += question.size
        if len(self._unsent) >= BATCH or self._unsent_size >= BATCH_CHARS:
            self.flush()
        return job

    def flush(self) -> None:
        """Send the questions not sent yet."""
        if not self._unsent:
            return
        try:
            self._conn.send_bytes(_dumps(self._unsent))
        except (BrokenPipeError, ConnectionResetError):
            raise self._lost() from None
        self._unsent, self._unsent_size = [], 0
        self._messages += 1

    def collect(self, block: bool) -> None:
        """Give the oldest jobs sent their answers, if they have come (``block``: once
        they come; the questions not sent yet go first)."""
        if block:
            self.flush()
        elif not self._messages or not self._answered():
            return
        try:
            answers = pickle.loads(self._conn.recv_bytes())
        except (EOFError, ConnectionResetError):
            raise self._lost() from None
        self._messages -= 1
        for value, error in answers:
            self._asked.popleft().answer(value, error)

    def _answered(self) -> bool:
        """Whether an answer waits on the pipe (or the worker is gone)."""
        if self._poller is None:
            return self._conn.poll()
        return bool(self._poller.poll(0))

    def _lost(self) -> WorkerLostError:
        self._process.join(1)
        return WorkerLostError("A process writing the packet's files ended unexpectedly "
                               f"(exit code {self._process.exitcode}).")

    def close(self) -> None:
        self._conn.close()  # the worker reads the end of its pipe, and ends

    def join(self) -> None:
        self._process.join()

    def kill(self) -> None:
        self._process.kill()
        self._process.join()
        self._conn.close()


def _serve(conn: Connection, place: Place) -> None:
    """A worker's loop: a question in, its answer or its error out, until the pipe closes.
    Ctrl+C is the main process's to handle: it stops the workers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    begun: dict[int, Begun] = {}
    while True:
        try:
            questions = pickle.loads(conn.recv_bytes())
        except EOFError:
            if not begun:
                # Every file it wrote is closed: end without the interpreter's shutdown,
                # which the main process would wait for (30 ms) before sealing the packet.
                os._exit(0)
            return
        conn.send_bytes(_dumps_answers([_answer(question, place, begun)
                                        for question in questions]))


Answer = tuple[Any, BaseException | None]


def _answer(question: _Begin | _Finish, place: Place, begun: dict[int, Begun]) -> Answer:
    try:
        return question.run(place, begun), None
    except Exception as error:
        import traceback  # only now: a worker's start pays for every module it imports

        error.add_note(traceback.format_exc())  # the worker's traceback, for the log
        return None, error


def _dumps_answers(answers: list[Answer]) -> bytes:
    try:
        return _dumps(answers)
    except Exception:
        # An error that cannot cross still fails its job, as what it said.
        return _dumps([(value, error if error is None or _crosses(error)
                        else RuntimeError(f"{error!r} (it could not be sent)"))
                       for value, error in answers])


def _crosses(error: BaseException) -> bool:
    try:
        _dumps(error)
    except Exception:
        return False
    return True


def _dumps(value: Any) -> bytes:
    # Plain pickles both ways: what crosses is data, and multiprocessing's own pickler
    # copies its table of reducers for every message it sends.
    return pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
