"""The browser's page rows say which conversations hold an open batch conflict: the
two a merge left in conflict do, until a decision in the matter settles theirs."""

from __future__ import annotations

from pathlib import Path

from reviewer.domain.models import Status
from reviewer.ops.decisions import decide, undo
from reviewer.store import paging
from reviewer.store.database import Store
from tests.ops.test_batch_conflicts import conflicted_matter


def _conflicted(store: Store, flt: paging.PageFilter | None = None) -> dict[int, bool]:
    with store.reading() as conn:
        return {row.id: row.conflicted for row in paging.page(conn, flt or paging.PageFilter())}


def test_page_rows_carry_the_open_conflict_until_a_decision_settles_it(
        store: Store, tmp_path: Path) -> None:
    conv_ids, span_ids = conflicted_matter(store, tmp_path)
    assert _conflicted(store) == {conv_ids[0]: True, conv_ids[1]: True, conv_ids[2]: False}
    settled = decide(store, [span_ids[0]], Status.APPROVED, "lead", "PII")
    assert _conflicted(store) == {conv_ids[0]: False, conv_ids[1]: True, conv_ids[2]: False}
    assert _conflicted(store, paging.PageFilter(state="conflict")) == {conv_ids[1]: True}
    undo(store, [d.id for d in settled.decisions if d.id is not None], "lead")
    assert _conflicted(store)[conv_ids[0]]


def test_a_conversation_in_conflict_is_not_done_until_settled(
        store: Store, tmp_path: Path) -> None:
    conv_ids, span_ids = conflicted_matter(store, tmp_path)
    with store.reading() as conn:
        decided = {row.id for row in paging.page(conn, paging.PageFilter()) if not row.n_pending}
    assert conv_ids[0] in decided  # every span decided, and still in conflict
    done = set(_conflicted(store, paging.PageFilter(state="done")))
    assert done == decided - set(conv_ids[:2])
    decide(store, [span_ids[0]], Status.APPROVED, "lead", "PII")
    assert set(_conflicted(store, paging.PageFilter(state="done"))) == done | {conv_ids[0]}


def test_every_sort_and_a_backwards_page_carry_the_mark(store: Store, tmp_path: Path) -> None:
    conv_ids, _ = conflicted_matter(store, tmp_path)
    for sort in paging.SORT_COLUMNS:
        for descending in (False, True):
            with store.reading() as conn:
                rows = paging.page(conn, paging.PageFilter(), sort=sort, descending=descending)
            assert {r.id for r in rows if r.conflicted} == set(conv_ids[:2]), (sort, descending)
