"""`SuggestionService.suggest_batches`: each batch's suggestions as `suggest` gives them,
in order, with the next batch already taken (and detected by the workers) while the
caller stores this one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reviewer.domain.policy import Policy
from reviewer.suggest.service import MIN_CHUNK, SuggestionService

PATTERN_ONLY = Policy(spacy_model="no_such_pipeline_xx", chat_model="none")


def _texts(batch: int, count: int) -> list[str]:
    return [f"Batch {batch} text {i}: mail dana{i}@example.org or call +1 212 555 01{i % 100:02d}."
            for i in range(count)]


BATCHES = [
    _texts(1, 2 * MIN_CHUNK + 5),                    # enough for the workers
    _texts(2, 40) + _texts(1, 10),                    # ten texts the first batch detects
    _texts(1, 7),                                     # all of them known: no chunk of its own
    [],                                               # an empty batch
    _texts(3, 3),
]


@pytest.fixture(scope="module")
def expected() -> list[list[list[tuple[int, int, str]]]]:
    with SuggestionService(PATTERN_ONLY, workers=1) as service:
        return [[[(s.start, s.end, s.entity) for s in found] for found in service.suggest(batch)]
                for batch in BATCHES]


def _spans(found: list[list[object]]) -> list[list[tuple[int, int, str]]]:
    return [[(s.start, s.end, s.entity) for s in text] for text in found]  # type: ignore[attr-defined]


@pytest.mark.parametrize("workers", [1, 2])
def test_each_batch_gets_what_suggest_gives_in_order(
        workers: int, expected: list[list[list[tuple[int, int, str]]]]) -> None:
    with SuggestionService(PATTERN_ONLY, workers=workers) as service:
        got = [_spans(found) for found in service.suggest_batches(BATCHES)]
        assert got == expected
        # Texts met again, in the cache or still being detected for an earlier batch.
        assert service.cache_hits == 10 + 7


def test_the_next_batch_is_taken_before_this_one_is_handed_back() -> None:
    events: list[str] = []

    def batches() -> Iterator[list[str]]:
        for number, batch in enumerate(BATCHES[:2], 1):
            events.append(f"taken {number}")
            yield batch

    with SuggestionService(PATTERN_ONLY, workers=2) as service:
        for number, _found in enumerate(service.suggest_batches(batches()), 1):
            events.append(f"handed back {number}")
    assert events == ["taken 1", "taken 2", "handed back 1", "handed back 2"]


def test_a_cancel_between_chunks_stops_the_batches() -> None:
    calls: list[int] = []

    def cancel_at_the_third_chunk() -> None:
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt

    handed: list[int] = []

    def consume(service: SuggestionService) -> None:
        for found in service.suggest_batches(BATCHES, cancel_at_the_third_chunk):
            handed.append(len(found))

    with SuggestionService(PATTERN_ONLY, workers=2) as service, \
            pytest.raises(KeyboardInterrupt):
        consume(service)
    assert len(calls) == 3
    assert handed in ([], [len(BATCHES[0])])


def test_a_small_first_batch_does_not_keep_a_long_run_off_the_workers() -> None:
    batches = [_texts(1, 3), _texts(2, 2 * MIN_CHUNK), _texts(3, 2 * MIN_CHUNK)]
    with SuggestionService(PATTERN_ONLY, workers=2) as service:
        for _found in service.suggest_batches(batches, expected=sum(map(len, batches))):
            pass
        assert service.worker_seconds > 0
        assert service._detector is None  # no model of its own in this process


def test_an_interrupt_while_the_caller_holds_a_batch_is_raised_not_lost() -> None:
    from reviewer.infra import interrupts

    chunks: list[int] = []

    def interrupt_at_the_last_chunk() -> None:
        chunks.append(1)
        if len(chunks) == 2:  # 2 * MIN_CHUNK + 5 texts: a chunk for each worker, 35 and 34
            interrupts.deliver(KeyboardInterrupt())

    with SuggestionService(PATTERN_ONLY, workers=2) as service, \
            pytest.raises(KeyboardInterrupt):
        service.suggest(BATCHES[0], interrupt_at_the_last_chunk)
    assert len(chunks) == 2
    assert not interrupts.requested()


def test_batches_handed_back_are_let_go() -> None:
    import gc

    from reviewer.suggest import service as module

    alive: list[int] = []
    # Each batch repeats a text of the one before, which may still be detecting it.
    batches = [_texts(n, 2) + _texts(n - 1, 1) for n in range(1, 12)]
    with SuggestionService(PATTERN_ONLY, workers=2) as service:
        for _found in service.suggest_batches([_texts(0, 2 * MIN_CHUNK), *batches]):
            gc.collect()
            alive.append(sum(isinstance(o, module._Plan) for o in gc.get_objects()))
    assert max(alive) <= 2 * module.IN_FLIGHT * 2


def test_nothing_to_detect_loads_no_model() -> None:
    with SuggestionService(PATTERN_ONLY, workers=1) as service:
        assert service.suggest([]) == []
        assert service._detector is None


@pytest.mark.parametrize(("workers", "chunks"), [(1, 1), (2, 2), (3, 3)])
def test_a_batch_goes_out_as_one_chunk_for_each_worker(workers: int, chunks: int) -> None:
    from reviewer.suggest.service import _Plan

    texts = _texts(9, 4 * MIN_CHUNK + 1)
    with SuggestionService(PATTERN_ONLY, workers=workers) as service:
        cut = list(_Plan(service, texts, []).chunks())
    assert len(cut) == chunks
    assert [piece for _, pieces in cut for piece in pieces] == texts
