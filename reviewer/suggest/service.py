"""The suggestion service: detect (cached, in pieces, in workers), map back.

Texts are analysed in their normalised view (``reviewer.domain.normalize``)
so zero-width characters, fullwidth forms and look-alike letters hide nothing;
every span is mapped back to exact offsets of the original text. Results are
cached by the hash of the text, so repeated boilerplate (system prompts,
signatures) is analysed once.

Memory follows the piece, not the text: a long text is cut at line ends into
pieces of at most :data:`PIECE` characters, pieces go to the detector in chunks
of at most :data:`CHUNK_CHARS` characters with a few chunks per worker in flight,
and each piece is normalised, detected and mapped back where it is detected. A
pasted book is analysed like the many messages it could have been.

Workers start without the secret environment variables and end with the
process that started them (``reviewer.suggest.lifeline``); an error or an
interrupt leaving the service stops them at once.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import replace
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

from reviewer.domain.models import Suggestion
from reviewer.domain.normalize import NormalizedText, normalize
from reviewer.domain.policy import Policy
from reviewer.infra import interrupts
from reviewer.infra.environment import drop_secrets
from reviewer.suggest import lifeline
from reviewer.suggest.language import pipeline_installed
from reviewer.suggest.markers import find_markers, outside

if TYPE_CHECKING:  # spaCy and Presidio load where detection runs, not before
    from reviewer.suggest.engine import Detector

CACHE_LIMIT = 50_000
# Characters of a piece: its NER document's memory grows with it.
PIECE = 10_000
MIN_CHUNK = 32
# A chunk's NER documents are alive together in a worker: this bounds its memory.
CHUNK_CHARS = 400_000
IN_FLIGHT = 2  # chunks per worker sent ahead: one detecting, one waiting
HASH_BLOCK = 1 << 20
# Touches every recognizer once, so their lazily compiled patterns are ready.
WARM_UP_TEXT = (
    "Jane Doe wrote from jane@example.com about https://example.com/a, 12 Main Street, "
    "192.168.0.1, 4111 1111 1111 1111, 00:1A:2B:3C:4D:5E, +1 212 555 0100, 2024-01-02, "
    "GB33BUKB20201555555555, SSN 123-45-6789, born 01/02/1980."
)

Found = list[list[Suggestion]]
Place = tuple[int, int]  # (index of the text, offset of the piece in it)
Chunk = tuple[list[Place], list[str]]

_worker_detector: Detector | None = None


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def _start_context() -> multiprocessing.context.BaseContext:
    """Workers fork from a server that has Presidio and spaCy imported
    (``lifeline.forkserver``); spawned where there is none, which is always safe."""
    return lifeline.forkserver(lifeline.ANALYSIS_PRELOAD) or multiprocessing.get_context("spawn")


def _init_worker(policy: Policy) -> None:
    lifeline.end_with_parent()
    lifeline.release_forkserver()
    # Ctrl+C reaches the whole process group: the analysing process handles it
    # and stops the workers, which must not print tracebacks of their own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from reviewer.suggest.engine import Detector  # the forkserver has it imported

    global _worker_detector  # one detector per worker process, built once
    _worker_detector = Detector(policy)


def _detect_in_worker(pieces: list[str]) -> tuple[Found, float]:
    """Suggestions for a chunk, and the CPU seconds the worker spent on it."""
    assert _worker_detector is not None
    started = time.process_time()
    found = detect_pieces(_worker_detector, pieces)
    return found, time.process_time() - started


def detect_pieces(detector: Detector, pieces: Sequence[str]) -> Found:
    """Suggestions per piece at the piece's own offsets, found in its normalised view."""
    if not pieces:
        return []
    views = [normalize(piece) for piece in pieces]
    found = detector.detect([view.text for view in views])
    return [[_to_original(view, s) for s in suggestions]
            for view, suggestions in zip(views, found, strict=True)]


def _nothing() -> None:
    """No progress to report."""


class ChunkRunner(Protocol):
    """Detects chunks somewhere else than in this machine's worker processes
    (``reviewer.suggest.cluster``), with detectors built from the same policy."""

    workers: int

    def warm_up(self) -> None: ...

    def run(self, chunks: Iterator[Chunk]) -> Iterator[tuple[list[Place], Found, float]]:
        """(places, suggestions per piece, CPU seconds) of each chunk, in order."""
        ...

    def close(self, stop: bool = False) -> None: ...


class SuggestionService:
    """Suggestions for texts under one policy; ``workers`` processes detect, or
    the ``runner``'s workers (a cluster), which then do all the detecting."""

    def __init__(self, policy: Policy, workers: int = 1, runner: ChunkRunner | None = None
                 ) -> None:
        self.policy = policy
        self.runner = runner
        self.workers = runner.workers if runner is not None else max(1, workers)
        self.pattern_only = not pipeline_installed(policy.spacy_model)
        self.cache: dict[str, list[Suggestion]] = {}
        self.cache_hits = 0
        self.worker_seconds = 0.0  # CPU the worker processes spent detecting
        self._detector: Detector | None = None
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> SuggestionService:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close(stop=error is not None)

    def close(self, stop: bool = False) -> None:
        """Let the workers end; ``stop``: end them now, whatever they are detecting
        (an interrupt, a cancel or an error must not wait for a long chunk)."""
        if self.runner is not None:
            self.runner.close(stop)
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if stop:
            _kill_workers(pool)
        pool.shutdown(cancel_futures=True)

    def warm_up(self) -> None:
        """Load the pipeline now (in every worker), so the first batch is not slow."""
        if self.runner is not None:
            self.runner.warm_up()
        elif self.workers == 1:
            self._local().detect([WARM_UP_TEXT])
        else:
            list(self._executor().map(_detect_in_worker, [[WARM_UP_TEXT]] * self.workers))

    def suggest(self, texts: Sequence[str],
                progress: Callable[[], None] = _nothing) -> list[list[Suggestion]]:
        """Suggestions per text (markers included), offsets into the original texts.
        ``progress`` is called as each chunk is done (it may raise to cancel)."""
        with contextlib.closing(self.suggest_batches([texts], progress)) as batches:
            return next(batches)

    def suggest_batches(self, batches: Iterable[Sequence[str]],
                        progress: Callable[[], None] = _nothing, expected: int = 0
                        ) -> Generator[list[list[Suggestion]], None, None]:
        """``suggest`` for each batch of texts, in order. The next batches are taken
        (as far as the chunks in flight reach: IN_FLIGHT per worker), and their chunks
        go to the workers, while the caller handles this one (stores it), so the
        workers do not wait for the caller between batches. ``expected``: how many texts the
        batches hold in all, if known; with the first batch's it decides whether the
        work is too little to start the workers for. Close the iterator when leaving
        it early (``contextlib.closing``): until then an interrupt is held back, as
        while the workers detect (``infra.interrupts``), and it is raised there."""
        batches = iter(batches)
        first = next(batches, None)
        if first is None:
            return
        plans: deque[_Plan] = deque()
        owners: deque[_Plan] = deque()  # the plan of each chunk sent, in order

        def chunks() -> Iterator[Chunk]:
            for texts in itertools.chain([first], batches):
                plan = _Plan(self, texts, plans)
                plans.append(plan)
                # One chunk ahead, so the last is known as it goes: the batch is
                # handed back as soon as its last suggestions are.
                ahead = plan.chunks()
                chunk = next(ahead, ([], []))  # all cached: an empty chunk keeps the order
                while True:
                    following = next(ahead, None)
                    owners.append(plan)
                    plan.outstanding += 1
                    plan.all_sent = following is None
                    yield chunk
                    if following is None:
                        break
                    chunk = following

        with contextlib.closing(self._runs(chunks(), max(_pieces(first), expected))) as runs:
            for places, found in runs:
                owners.popleft().take(places, found)
                progress()
                while plans and plans[0].complete:
                    yield plans.popleft().suggestions()

    def _runs(self, chunks: Iterator[Chunk], pieces: int
              ) -> Generator[tuple[list[Place], Found], None, None]:
        """Where the chunks are detected: on the runner's cluster, else here for one
        worker or little work before the workers are started, else in the worker
        processes (once started, they take every batch: a detector of its own would
        cost this process a second model load, and the workers would wait for it)."""
        if self.runner is not None:
            return self._run_remote(chunks, self.runner)
        if self.workers == 1 or (self._pool is None and pieces < 2 * MIN_CHUNK):
            return self._run_here(chunks)
        return self._run_pooled(chunks)

    def _run_remote(self, chunks: Iterator[Chunk], runner: ChunkRunner
                    ) -> Generator[tuple[list[Place], Found], None, None]:
        for places, found, seconds in runner.run(chunks):
            self.worker_seconds += seconds
            yield places, found

    def _run_here(self, chunks: Iterator[Chunk]
                  ) -> Generator[tuple[list[Place], Found], None, None]:
        for places, pieces in chunks:
            yield places, detect_pieces(self._local(), pieces) if pieces else []

    def _run_pooled(self, chunks: Iterator[Chunk]
                    ) -> Generator[tuple[list[Place], Found], None, None]:
        """(places, suggestions per piece) of each chunk, in order; a few chunks per
        worker in flight, so only those are held beside the texts."""
        pending: deque[tuple[list[Place], Future[tuple[Found, float]]]] = deque()
        # Ctrl+C or SIGTERM while the pool is in use ends its workers and is raised
        # when the pool's calls are left, never inside one (see infra.interrupts).
        with interrupts.deferred(self._kill_now):
            for places, pieces in chunks:
                if interrupts.requested():
                    return  # leaving the block raises it
                pending.append((places, self._executor().submit(_detect_in_worker, pieces)))
                if len(pending) >= IN_FLIGHT * self.workers:
                    yield self._collect(*pending.popleft())
            while pending and not interrupts.requested():
                yield self._collect(*pending.popleft())

    def _kill_now(self) -> None:
        if self._pool is not None:
            _kill_workers(self._pool)

    def _collect(self, places: list[Place], future: Future[tuple[Found, float]]
                 ) -> tuple[list[Place], Found]:
        found, seconds = future.result()
        self.worker_seconds += seconds
        return places, found

    def _local(self) -> Detector:
        """This process's own detector (one worker, or little work): spaCy and Presidio
        are imported here, so a process whose workers detect never loads them."""
        if self._detector is None:
            from reviewer.suggest.engine import Detector

            self._detector = Detector(self.policy)
        return self._detector

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            drop_secrets()  # the forkserver and the workers keep the environment they start with
            self._pool = ProcessPoolExecutor(self.workers, mp_context=_start_context(),
                                             initializer=_init_worker, initargs=(self.policy,))
        return self._pool

    def _for_text(self, text: str, found: list[Suggestion]) -> list[Suggestion]:
        markers = find_markers(text, self.policy.upstream_markers)
        return sorted([*markers, *outside(found, markers)], key=lambda s: s.start)


class _Plan:
    """One batch of ``suggest_batches``: its texts' keys, those the cache or an earlier
    batch still being detected holds, and the suggestions detected for the rest."""

    def __init__(self, service: SuggestionService, texts: Sequence[str],
                 earlier: Iterable[_Plan]) -> None:
        self.service = service
        self.texts = texts
        self.keys = [_key(text) for text in texts]
        self.found: dict[str, list[Suggestion]] = {}
        # key -> what the earlier batch detecting it will have detected (filled by then)
        self.borrowed: dict[str, dict[str, list[Suggestion]]] = {}
        self.todo: dict[str, str] = {}
        self.detected: dict[str, list[Suggestion]] = {}
        in_flight = {key: plan.detected for plan in earlier for key in plan.todo}
        for text, key in zip(texts, self.keys, strict=True):
            if key in service.cache:
                self.found[key] = service.cache[key]
            elif key in in_flight:
                self.borrowed[key] = in_flight[key]
            elif key not in self.todo:
                self.todo[key] = text
                continue
            service.cache_hits += 1
        self.out: Found = [[] for _ in self.todo]
        self.outstanding = 0  # chunks sent whose suggestions are not back
        self.all_sent = False

    def chunks(self) -> Iterator[Chunk]:
        """Its texts to detect, in chunks: one for each worker, as large as that makes
        them, since detection costs less per text in larger chunks (the chat-PII
        model batches windows of like length). The next batches' chunks even out the
        load as they go to whichever worker is free. On the dev set, a chunk for each
        worker rather than two: one worker's CPU for detection 17.4 -> 16.1 s, two
        workers on a local cluster 19.3 -> 18.6 s (the cluster's run 13.5 -> 12.6 s).
        Two workers of this machine on the chat set's 545 texts balanced no better
        with two chunks each (7.7-8.1 s against 8.0-8.2 s: within the noise)."""
        todo = list(self.todo.values())
        size = max(MIN_CHUNK, -(-_pieces(todo) // self.service.workers))
        return _chunks(todo, size)

    def take(self, places: list[Place], found: Found) -> None:
        for (owner, offset), suggestions in zip(places, found, strict=True):
            self.out[owner].extend(_shift(s, offset) for s in suggestions)
        self.outstanding -= 1

    @property
    def complete(self) -> bool:
        return self.all_sent and not self.outstanding

    def suggestions(self) -> list[list[Suggestion]]:
        """Per text, its suggestions; what was detected goes into the cache (a full
        cache is cleared first)."""
        self.detected.update(zip(self.todo, self.out, strict=True))
        cache = self.service.cache
        if len(cache) + len(self.detected) > CACHE_LIMIT:
            cache.clear()
        cache.update(self.detected)
        found = self.found | self.detected | {key: detected[key]
                                              for key, detected in self.borrowed.items()}
        return [self.service._for_text(text, found[key])
                for text, key in zip(self.texts, self.keys, strict=True)]


def _pieces(texts: Sequence[str]) -> int:
    """How many pieces of at most PIECE characters the texts are cut into."""
    return sum(-(-len(text) // PIECE) or 1 for text in texts)


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    """End the pool's worker processes now. (CPython 3.14 has ``kill_workers``;
    before it the processes are only in a private attribute.)"""
    processes = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        process.kill()


def _key(text: str) -> str:
    """The cache key of a text, hashed a block at a time (no copy of a long text)."""
    digest = hashlib.sha256()
    for start in range(0, len(text), HASH_BLOCK):
        digest.update(text[start:start + HASH_BLOCK].encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _chunks(texts: Sequence[str], size: int) -> Iterator[Chunk]:
    """(places, pieces) of at most ``size`` pieces and about CHUNK_CHARS characters,
    cut as they are needed."""
    places: list[Place] = []
    pieces: list[str] = []
    chars = 0
    for owner, text in enumerate(texts):
        for offset, piece in split_long(text):
            if pieces and (len(pieces) == size or chars + len(piece) > CHUNK_CHARS):
                yield places, pieces
                places, pieces, chars = [], [], 0
            places.append((owner, offset))
            pieces.append(piece)
            chars += len(piece)
    if pieces:
        yield places, pieces


def split_long(text: str, limit: int = PIECE) -> Iterator[tuple[int, str]]:
    """(offset, piece) of a text cut into pieces of at most ``limit``: at a line end,
    else (a line longer than half a piece) after a space, so a word stays whole."""
    start = 0
    while len(text) - start > limit:
        cut = text.rfind("\n", start + limit // 2, start + limit)
        if cut < 0:
            cut = text.rfind(" ", start + limit // 2, start + limit)
        end = cut + 1 if cut >= 0 else start + limit
        yield start, text[start:end]
        start = end
    yield start, text[start:]


def _shift(s: Suggestion, offset: int) -> Suggestion:
    if not offset:
        return s
    explanation = dict(s.explanation)
    if "alternatives" in explanation:
        explanation["alternatives"] = [
            {**a, "start": a["start"] + offset, "end": a["end"] + offset}
            for a in explanation["alternatives"]]
    return replace(s, start=s.start + offset, end=s.end + offset, explanation=explanation)


def _to_original(view: NormalizedText, s: Suggestion) -> Suggestion:
    if view.text is view.original:
        return s
    start, end = view.to_original(s.start, s.end)
    explanation: dict[str, Any] = dict(s.explanation)
    if view.original[start:end] != view.text[s.start:s.end]:
        explanation["normalized_text"] = view.text[s.start:s.end]
    if "alternatives" in explanation:
        explanation["alternatives"] = [_alternative(view, a) for a in explanation["alternatives"]]
    return replace(s, start=start, end=end, explanation=explanation)


def _alternative(view: NormalizedText, alternative: dict[str, Any]) -> dict[str, Any]:
    start, end = view.to_original(alternative["start"], alternative["end"])
    return {**alternative, "start": start, "end": end}
