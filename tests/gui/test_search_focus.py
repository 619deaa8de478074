"""Typing a search, a key at a time, with each search's results landing between
keys: the letters type into the field and never decide anything (issue 14, 1)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from reviewer.gui.window import MainWindow
from reviewer.ops import review
from reviewer.ops.audit import audit_entries
from tests.gui.conftest import HeldRunner, started_window


@pytest.fixture
def slow_window(qtbot: Any, store: Any, settings: Any, conversations: dict[str, int],
                held: HeldRunner) -> Iterator[MainWindow]:
    """The window on the second conversation ("Stack trace help"), so a search for a
    word of the first opens another conversation than the one under review."""
    win = started_window(qtbot, store, settings, held)
    held.deliver()
    qtbot.keyClick(win.view, Qt.Key.Key_N)
    assert win.session.detail is not None
    assert win.session.detail.conversation.id == conversations["code"]
    yield win
    win.close()


def type_slowly(qtbot: Any, window: MainWindow, held: HeldRunner, word: str) -> None:
    """Each letter where Qt delivers keys (the window's focus widget), then the search
    for what the field holds runs and its results land before the next letter."""
    for letter in word:
        target = window.focusWidget() or window.view
        qtbot.keyClick(target, letter)
        qtbot.waitUntil(lambda: bool(held.held))  # the search, once typing pauses
        held.deliver()
        assert window.model.query.search == window.search.text()


def decisions_recorded(window: MainWindow) -> list[str]:
    return [e.action for e in audit_entries(window.store) if e.action == "decide"]


def start_search(qtbot: Any, window: MainWindow) -> dict[str, int]:
    qtbot.keyClick(window.view, Qt.Key.Key_Slash)
    assert window.focusWidget() is window.search
    return review.status_totals(window.store)


@pytest.mark.parametrize("word", ["dark", "deposit", "landlord"])
def test_slow_typing_with_results_between_keys_decides_nothing(
        qtbot: Any, slow_window: MainWindow, held: HeldRunner,
        conversations: dict[str, int], word: str) -> None:
    window = slow_window
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    totals = start_search(qtbot, window)
    type_slowly(qtbot, window, held, word)
    assert window.search.text() == word
    assert window.search.hasFocus()
    assert window.dialog is None  # "e" of "deposit" opened no entity dialog
    assert review.status_totals(window.store) == totals
    assert decisions_recorded(window) == []


def test_results_that_open_a_conversation_leave_the_keys_in_the_field(
        qtbot: Any, slow_window: MainWindow, held: HeldRunner,
        conversations: dict[str, int]) -> None:
    window = slow_window
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    start_search(qtbot, window)
    type_slowly(qtbot, window, held, "d")
    assert window.session.detail is not None
    assert window.session.detail.conversation.id == conversations["lease"]  # a result
    assert window.focusWidget() is window.search


def test_letters_type_even_when_qt_names_no_focus_widget(
        qtbot: Any, slow_window: MainWindow, held: HeldRunner) -> None:
    """Under X11 keys can reach the window while Qt counts another window active (or
    none): QApplication.focusWidget() is then not the field the keys go to. Insert mode
    follows the widget the key is sent to."""
    window = slow_window
    totals = start_search(qtbot, window)
    elsewhere = QWidget()
    qtbot.addWidget(elsewhere)
    elsewhere.show()
    elsewhere.activateWindow()
    qtbot.waitUntil(elsewhere.isActiveWindow)
    assert QApplication.focusWidget() is not window.search
    type_slowly(qtbot, window, held, "deposit")
    elsewhere.close()
    assert window.search.text() == "deposit"
    assert window.dialog is None
    assert review.status_totals(window.store) == totals
    assert decisions_recorded(window) == []


def test_esc_and_enter_leave_the_field_and_keys_decide_again(
        qtbot: Any, slow_window: MainWindow, held: HeldRunner) -> None:
    window = slow_window
    start_search(qtbot, window)
    type_slowly(qtbot, window, held, "stack")
    qtbot.keyClick(window.search, Qt.Key.Key_Return)
    held.deliver()
    assert window.focusWidget() is window.view
    qtbot.keyClick(window.view, Qt.Key.Key_Slash)
    qtbot.keyClick(window.search, Qt.Key.Key_Escape)
    assert window.focusWidget() is window.view
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    assert decisions_recorded(window) == ["decide"]


def test_a_decision_key_outside_the_review_says_where_keys_act(
        qtbot: Any, slow_window: MainWindow) -> None:
    """A decision key acts only from the conversation or the browser: elsewhere (the
    inspector's reason picker) it records nothing and says how to get back."""
    window = slow_window
    window.inspector.details_button.setFocus()
    qtbot.keyClick(window.inspector.details_button, Qt.Key.Key_A)
    assert decisions_recorded(window) == []
    assert "Esc" in window.statusBar().currentMessage()
