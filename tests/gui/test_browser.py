"""The browser model: Qt's model tester, keyset window growing both ways, jump to
the ends, sorting and filtering in SQL."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView

from reviewer.domain.changes import ConversationCounts, StatusCounts
from reviewer.gui import browser_model as browser
from reviewer.gui.browser_model import BrowserModel, BrowserView
from reviewer.ops import browse
from reviewer.ops.browse import BrowseQuery
from tests.ops.review_builders import add_many


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(browser, "PAGE_ROWS", 4)


def _model(store: Any) -> BrowserModel:
    model = BrowserModel(lambda q, after, n, back: browse.fetch_page(
        store, q, after, limit=n, backwards=back))
    model.jump_to_start()
    return model


def test_model_passes_the_model_tester(qtmodeltester: Any, store: Any,
                                       small_pages: None) -> None:
    add_many(store, 10)
    model = _model(store)
    qtmodeltester.check(model)
    model.fetchMore(QModelIndex())
    model.jump_to_end()
    model.fetch_before()
    qtmodeltester.check(model)


def test_window_grows_down_and_up(store: Any, small_pages: None) -> None:
    ids = add_many(store, 10)
    model = _model(store)
    assert [r.id for r in model.rows] == ids[:4]
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert [r.id for r in model.rows] == ids
    model.jump_to_end()
    assert [r.id for r in model.rows] == ids[-4:]
    assert not model.canFetchMore(QModelIndex())
    assert model.fetch_before() == 4
    assert [r.id for r in model.rows] == ids[-8:]


def test_view_jumps_to_the_last_row_with_ctrl_end(qtbot: Any, store: Any,
                                                  small_pages: None) -> None:
    ids = add_many(store, 10)
    view = BrowserView()
    qtbot.addWidget(view)
    view.setModel(_model(store))
    view.show()
    view.select_row(0)
    qtbot.keyClick(view, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    model = view.browser_model()
    assert model.conversation_at(view.currentIndex().row()) == ids[-1]
    index = view.moveCursor(QAbstractItemView.CursorAction.MoveHome,
                            Qt.KeyboardModifier.NoModifier)
    assert model.conversation_at(index.row()) == ids[0]
    view.close()


def test_header_click_sorts_in_sql(store: Any) -> None:
    ids = add_many(store, 3)
    model = _model(store)
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert [r.id for r in model.rows] == ids[::-1]
    assert model.query.descending


def test_data_reads_only_the_window(store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    add_many(store, 3)
    model = _model(store)

    def no_sql(*_a: Any, **_k: Any) -> Any:
        raise AssertionError("data() touched the store")

    monkeypatch.setattr(model, "fetch", no_sql)
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                         browser.ProgressRole, browser.ConflictRole,
                         browser.ConversationIdRole):
                model.data(model.index(row, column), role)
    assert model.data(model.index(0, browser.STATE_COLUMN)) == "● 1 left"


def test_progress_says_conflict_over_done_and_left_and_follows_the_counts() -> None:
    row = browse.ConversationSummary(7, "c7", "t", None, 1, 0, 1, 1, conflicted=True)
    assert browser.state_text(row) == "⚑ conflict"
    assert browser.state_text(replace(row, n_pending=2)) == "⚑ conflict"
    assert browser.state_text(replace(row, conflicted=False)) == "✓ done"
    model = BrowserModel(lambda q, after, n, back: browse.Page([row], True))
    model.jump_to_start()
    model.update_counts([ConversationCounts(7, StatusCounts(0, 2, 0))])  # settled
    assert model.data(model.index(0, browser.STATE_COLUMN)) == "✓ done"
    model.update_counts([ConversationCounts(7, StatusCounts(1, 1, 0), conflicted=True)])
    assert model.data(model.index(0, browser.STATE_COLUMN)) == "⚑ conflict"
    assert "⚑ conflict" in model.headerData(browser.STATE_COLUMN, Qt.Orientation.Horizontal,
                                            Qt.ItemDataRole.ToolTipRole)


def test_filters_reach_the_query(window: Any) -> None:
    window.state_filter.setCurrentIndex(2)
    window.apply_filters()
    assert window.model.query == BrowseQuery(state="done", search="")
    assert window.model.rowCount() == 0
    window.state_filter.setCurrentIndex(1)
    window.apply_filters()
    assert window.model.rowCount() == 3


def test_header_sort_in_the_window_runs_through_the_task_runner(window: Any) -> None:
    window.model.sort(0, Qt.SortOrder.DescendingOrder)
    assert [r.id for r in window.model.rows] == [3, 2, 1]
    assert window.model.query.descending
