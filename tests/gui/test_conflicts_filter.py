"""Batch conflicts in the review window: the browser's Conflicts filter lists the
conversations with an open conflict, their rows' progress says so, a conversation
opens at its conflicting span, the inspector says what the batch and the matter
decided, C goes to the next conflict, and A settles it (Ctrl+Z opens it again)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from reviewer.gui.browser_model import BAR_COLOURS, STATE_COLUMN
from reviewer.gui.browser_pane import STATES
from reviewer.gui.settings import Settings
from reviewer.gui.window import MainWindow
from reviewer.ops import batches
from reviewer.store.database import Store
from tests.gui.conftest import started_window
from tests.ops.test_batch_conflicts import conflicted_matter

CTRL = Qt.KeyboardModifier.ControlModifier
CONFLICTS = [label for label, state in STATES].index("Conflicts")


@pytest.fixture
def conflicted(store: Store, tmp_path: Path) -> tuple[list[int], list[int]]:
    return conflicted_matter(store, tmp_path)


@pytest.fixture
def window(qtbot: Any, store: Store, settings: Settings,
           conflicted: tuple[list[int], list[int]]) -> Iterator[MainWindow]:
    win = started_window(qtbot, store, settings, size=(1024, 700))
    yield win
    win.close()


def _press(qtbot: Any, window: MainWindow, key: Qt.Key, mods: Any = Qt.KeyboardModifier.NoModifier
           ) -> None:
    window.view.setFocus()
    qtbot.keyClick(window.view, key, mods)


def _current(window: MainWindow) -> int:
    assert window.session.current is not None
    return window.session.current.id


def _rows(window: MainWindow) -> list[int]:
    return [row.id for row in window.model.rows]


def _progress(window: MainWindow) -> list[str]:
    model = window.model
    return [model.data(model.index(row, STATE_COLUMN)) for row in range(model.rowCount())]


def test_the_progress_column_shows_an_open_conflict_until_a_decision_settles_it(
        qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    # Both conflicted conversations are all decided, yet not done: a lead must settle them.
    assert _progress(window) == ["⚑ conflict", "⚑ conflict", "● 1 left"]

    def no_reread(*_args: Any) -> Any:
        raise AssertionError("the browser re-read its rows")

    monkeypatch.setattr(window.model, "fetch", no_reread)
    _press(qtbot, window, Qt.Key.Key_C)
    _press(qtbot, window, Qt.Key.Key_A)  # settles the first conversation's conflict
    window.session.catch_up()
    assert _progress(window) == ["✓ done", "⚑ conflict", "● 1 left"]
    _press(qtbot, window, Qt.Key.Key_Z, CTRL)  # opens it again
    window.session.catch_up()
    assert _progress(window) == ["⚑ conflict", "⚑ conflict", "● 1 left"]


def _bar_colour(window: MainWindow, row: int) -> str:
    """The colour of the row's progress bar, as drawn (its decided part starts left)."""
    view = window.table
    cell = view.visualRect(window.model.index(row, STATE_COLUMN))
    image = view.viewport().grab().toImage()
    ratio = image.devicePixelRatio()
    x, y = cell.left() + 8, cell.bottom() - 4
    return str(image.pixelColor(int(x * ratio), int(y * ratio)).name())


def test_the_bar_of_a_conflicted_conversation_is_amber_not_the_green_of_done(
        qtbot: Any, window: MainWindow) -> None:
    assert [_bar_colour(window, row) for row in range(2)] == [BAR_COLOURS["conflict"]] * 2
    _press(qtbot, window, Qt.Key.Key_C)
    _press(qtbot, window, Qt.Key.Key_A)  # settles the first conversation's conflict
    window.session.catch_up()
    assert _bar_colour(window, 0) == BAR_COLOURS["done"]
    assert _bar_colour(window, 1) == BAR_COLOURS["conflict"]


def test_the_conflicts_filter_lists_conflicted_conversations_opening_at_the_conflict(
        qtbot: Any, window: MainWindow, conflicted: tuple[list[int], list[int]]) -> None:
    conv_ids, span_ids = conflicted
    assert _current(window) == span_ids[2]  # the first pending span, as ever
    assert window.inspector.conflict.isHidden()
    window.state_filter.setCurrentIndex(CONFLICTS)
    assert _rows(window) == conv_ids[:2]
    assert _current(window) == span_ids[0]  # the first row opened at its conflict
    window.session.catch_up()
    assert not window.inspector.conflict.isHidden()
    assert window.inspector.conflict.text() == (
        "Conflict: Batch 1 (alice) decided approve [PII]; the matter kept reject. "
        "A or R here settles it.")
    _press(qtbot, window, Qt.Key.Key_N)  # the next conversation of the filter
    assert _current(window) == span_ids[1]


def test_c_goes_to_the_next_conflict_and_a_settles_it_undoably(
        qtbot: Any, window: MainWindow, conflicted: tuple[list[int], list[int]]) -> None:
    conv_ids, span_ids = conflicted
    _press(qtbot, window, Qt.Key.Key_C)
    assert _current(window) == span_ids[0]
    _press(qtbot, window, Qt.Key.Key_C)
    assert _current(window) == span_ids[1]
    _press(qtbot, window, Qt.Key.Key_A)  # the lead takes the batch's decision
    assert batches.conflict_span_ids(window.store) == [span_ids[0]]
    window.state_filter.setCurrentIndex(CONFLICTS)
    assert _rows(window) == conv_ids[:1]
    _press(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert batches.conflict_span_ids(window.store) == span_ids[:2]
    assert _current(window) == span_ids[1]
    window.session.catch_up()
    assert window.inspector.conflict.text().startswith("Conflict: Batch 1 (alice)")
    _press(qtbot, window, Qt.Key.Key_R)  # the lead keeps the matter's reject
    _press(qtbot, window, Qt.Key.Key_C)
    assert _current(window) == span_ids[0]
    _press(qtbot, window, Qt.Key.Key_A)
    assert batches.conflict_span_ids(window.store) == []
    _press(qtbot, window, Qt.Key.Key_C)
    assert window.statusBar().currentMessage() == "No open batch conflict in this store."
    window.apply_filters()
    assert _rows(window) == []
    assert window.browser.no_matches.isVisibleTo(window)
