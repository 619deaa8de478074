"""The suggestion service: normalise, detect (cached, batched, in workers), map back.

Texts are analysed in their normalised view (``reviewer.domain.normalize``)
so zero-width characters, fullwidth forms and look-alike letters hide nothing;
every span is mapped back to exact offsets of the original text. Results are
cached by the hash of the normalised text, so repeated boilerplate (system
prompts, signatures) is analysed once.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import time
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import replace
from types import TracebackType
from typing import Any

from reviewer.domain.models import Suggestion
from reviewer.domain.normalize import NormalizedText, normalize
from reviewer.domain.policy import Policy
from reviewer.suggest.engine import Detector, pipeline_installed
from reviewer.suggest.markers import find_markers, outside

CACHE_LIMIT = 50_000
PIECE = 100_000
MIN_CHUNK = 32
# Touches every recognizer once, so their lazily compiled patterns are ready.
WARM_UP_TEXT = (
    "Jane Doe wrote from jane@example.com about https://example.com/a, 12 Main Street, "
    "192.168.0.1, 4111 1111 1111 1111, 00:1A:2B:3C:4D:5E, +1 212 555 0100, 2024-01-02, "
    "GB33BUKB20201555555555, SSN 123-45-6789, born 01/02/1980."
)

_worker_detector: Detector | None = None


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def _start_context() -> multiprocessing.context.BaseContext:
    """Workers fork from a clean single-threaded server that has Presidio and spaCy
    imported: safe inside the GUI's threads, and no re-import per worker.
    (Windows and macOS default to spawn, which is always safe.)"""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["reviewer.suggest.engine"])
    return context


def _init_worker(policy: Policy) -> None:
    global _worker_detector  # one detector per worker process, built once
    _worker_detector = Detector(policy)


def _detect_in_worker(texts: list[str]) -> tuple[list[list[Suggestion]], float]:
    """Suggestions for a chunk, and the CPU seconds the worker spent on it."""
    assert _worker_detector is not None
    started = time.process_time()
    found = _worker_detector.detect(texts)
    return found, time.process_time() - started


class SuggestionService:
    """Suggestions for texts under one policy; ``workers`` processes detect."""

    def __init__(self, policy: Policy, workers: int = 1) -> None:
        self.policy = policy
        self.workers = max(1, workers)
        self.pattern_only = not pipeline_installed(policy.spacy_model)
        self.cache: dict[str, list[Suggestion]] = {}
        self.cache_hits = 0
        self.worker_seconds = 0.0  # CPU the worker processes spent detecting
        self._detector: Detector | None = None
        self._pool: Executor | None = None

    def __enter__(self) -> SuggestionService:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def warm_up(self) -> None:
        """Load the pipeline now (in every worker), so the first batch is not slow."""
        if self.workers == 1:
            self._local().detect([WARM_UP_TEXT])
        else:
            list(self._executor().map(_detect_in_worker, [[WARM_UP_TEXT]] * self.workers))

    def suggest(self, texts: Sequence[str]) -> list[list[Suggestion]]:
        """Suggestions per text (markers included), offsets into the original texts."""
        views = [normalize(text) for text in texts]
        keys = [hashlib.sha256(view.text.encode("utf-8")).hexdigest() for view in views]
        self._fill_cache(views, keys)
        return [self._for_text(view, self.cache[key])
                for view, key in zip(views, keys, strict=True)]

    def _fill_cache(self, views: Sequence[NormalizedText], keys: Sequence[str]) -> None:
        todo: dict[str, str] = {}
        for view, key in zip(views, keys, strict=True):
            if key in self.cache or key in todo:
                self.cache_hits += 1
            else:
                todo[key] = view.text
        if len(self.cache) + len(todo) > CACHE_LIMIT:
            self.cache.clear()
        results = self._detect(list(todo.values()))
        self.cache.update(zip(todo.keys(), results, strict=True))

    def _detect(self, texts: list[str]) -> list[list[Suggestion]]:
        """Detect in pieces no longer than PIECE (a pasted book would exhaust the NER)."""
        pieces = [(owner, offset, piece) for owner, text in enumerate(texts)
                  for offset, piece in split_long(text)]
        found = self._detect_pieces([piece for _, _, piece in pieces])
        out: list[list[Suggestion]] = [[] for _ in texts]
        for (owner, offset, _), suggestions in zip(pieces, found, strict=True):
            out[owner].extend(_shift(s, offset) for s in suggestions)
        return out

    def _detect_pieces(self, texts: list[str]) -> list[list[Suggestion]]:
        if not texts:
            return []
        if self.workers == 1 or len(texts) < 2 * MIN_CHUNK:
            return self._local().detect(texts)
        # A few chunks per worker: large enough for efficient NER batches, enough
        # of them to even out the load.
        size = max(MIN_CHUNK, -(-len(texts) // (2 * self.workers)))
        chunks = [texts[i:i + size] for i in range(0, len(texts), size)]
        out: list[list[Suggestion]] = []
        for found, seconds in self._executor().map(_detect_in_worker, chunks):
            out.extend(found)
            self.worker_seconds += seconds
        return out

    def _local(self) -> Detector:
        if self._detector is None:
            self._detector = Detector(self.policy)
        return self._detector

    def _executor(self) -> Executor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=_start_context(),
                                             initializer=_init_worker, initargs=(self.policy,))
        return self._pool

    def _for_text(self, view: NormalizedText, found: list[Suggestion]) -> list[Suggestion]:
        markers = find_markers(view.original, self.policy.upstream_markers)
        mapped = [_to_original(view, s) for s in found]
        return sorted([*markers, *outside(mapped, markers)], key=lambda s: s.start)


def split_long(text: str, limit: int = PIECE) -> list[tuple[int, str]]:
    """(offset, piece) of a text cut at line ends into pieces of at most ``limit``."""
    pieces = []
    start = 0
    while len(text) - start > limit:
        cut = text.rfind("\n", start + limit // 2, start + limit)
        end = cut + 1 if cut >= 0 else start + limit
        pieces.append((start, text[start:end]))
        start = end
    pieces.append((start, text[start:]))
    return pieces


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
    if view.is_identity:
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
