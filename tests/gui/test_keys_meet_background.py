"""What a key decides is what the reviewer sees: a reason code, a Shift+A count, a
search's results and the status bar's totals arrive from the background or stay
behind from the span before, and none of them may turn a key into a decision the
reviewer did not look at (found by a reviewer's walk through the app)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from reviewer.domain.changes import StatusCounts
from reviewer.domain.models import Status
from reviewer.gui.browser_model import TITLE_COLUMN, display
from reviewer.gui.window import MainWindow
from reviewer.ops import review
from reviewer.ops.browse import BrowseQuery, fetch_page
from tests.export.builders import add_chat
from tests.gui.conftest import HeldRunner, started_window
from tests.gui.test_reason_keys import DIGITS, codes


@pytest.fixture
def held_window(qtbot: Any, store: Any, settings: Any, conversations: dict[str, int],
                held: HeldRunner) -> Iterator[MainWindow]:
    """The window with its background work held until the test delivers it (the
    counts and filter choices of the start are delivered)."""
    win = started_window(qtbot, store, settings, held)
    held.deliver()
    yield win
    win.close()


def status_of(window: MainWindow, span_id: int) -> Status:
    detail = review.span_detail_history(window.store, span_id)
    return detail[-1].status if detail else Status.PENDING


def open_title(window: MainWindow) -> str:
    assert window.session.detail is not None
    return window.session.detail.conversation.title or ""


# --- reason codes ----------------------------------------------------------------------------

def test_a_reason_code_goes_with_one_decision_only(qtbot: Any, window: MainWindow) -> None:
    code = codes(window)[1][0]
    first = window.session.current
    assert first is not None
    qtbot.keyClick(window.view, DIGITS[2])
    qtbot.keyClick(window.view, Qt.Key.Key_R)  # no event loop turn: the inspector lags
    second = window.session.current
    assert second is not None
    assert second.id != first.id
    assert window.inspector.reason_code() is None
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    history = review.span_detail_history(window.store, first.id)
    assert [(d.status, d.reason) for d in history] == [(Status.REJECTED, code)]
    assert [(d.status, d.reason) for d in review.span_detail_history(
        window.store, second.id)] == [(Status.APPROVED, None)]


def test_a_decided_spans_own_code_is_shown_when_it_is_current_again(
        qtbot: Any, window: MainWindow) -> None:
    code = codes(window)[0][0]
    qtbot.keyClick(window.view, DIGITS[1])
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    qtbot.keyClick(window.view, Qt.Key.Key_K)
    assert window.inspector.reason_code() == code


# --- Shift+A ---------------------------------------------------------------------------------

def test_a_same_text_count_that_comes_after_the_review_moved_on_decides_nothing(
        qtbot: Any, held_window: MainWindow, held: HeldRunner) -> None:
    window = held_window
    asked = window.session.current
    assert asked is not None
    qtbot.keyClick(window.view, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(window.view, Qt.Key.Key_N)  # before the count comes back
    moved = window.session.current
    held.deliver()
    assert window.dialog is None
    assert "moved on" in window.statusBar().currentMessage()
    assert status_of(window, asked.id) is Status.PENDING
    assert moved is not None
    assert status_of(window, moved.id) is Status.PENDING


def test_the_same_text_dialog_quotes_the_text_and_its_undo_names_it(
        qtbot: Any, held_window: MainWindow, held: HeldRunner) -> None:
    window = held_window
    qtbot.keyClick(window.view, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
    held.deliver()
    assert window.dialog is not None
    qtbot.keyClick(window.dialog, Qt.Key.Key_Return)
    assert "Maria Lopez" in window.session.undo_stack.text(0)


# --- searches ---------------------------------------------------------------------------------

def test_keys_after_esc_act_where_the_reviewer_is_not_where_a_search_lands(
        qtbot: Any, held_window: MainWindow, held: HeldRunner) -> None:
    window = held_window
    here = open_title(window)
    qtbot.keyClick(window.view, Qt.Key.Key_Slash)
    qtbot.keyClicks(window.search, "key")  # matches "Stack trace help" only
    qtbot.keyClick(window.search, Qt.Key.Key_Escape)
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    held.deliver()  # the search the field was about to run, for the list alone
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    assert open_title(window) == here
    assert window.model.query.search == "key"
    assert window.model.rowCount() == 1


def test_enter_in_the_search_opens_the_first_match_and_keys_wait_for_it(
        qtbot: Any, held_window: MainWindow, held: HeldRunner) -> None:
    window = held_window
    current = window.session.current
    assert current is not None
    qtbot.keyClick(window.view, Qt.Key.Key_Slash)
    qtbot.keyClicks(window.search, "key")
    qtbot.keyClick(window.search, Qt.Key.Key_Return)
    qtbot.keyClick(window.view, Qt.Key.Key_A)  # pressed before the result came
    assert "Searching" in window.statusBar().currentMessage()
    assert status_of(window, current.id) is Status.PENDING
    held.deliver()
    assert open_title(window) == "Stack trace help"
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    assert status_of(window, current.id) is Status.PENDING


def test_only_the_last_query_asked_is_shown(qtbot: Any, held_window: MainWindow,
                                            held: HeldRunner) -> None:
    window = held_window
    browser = window.browser
    browser.state_filter.setCurrentIndex(3)  # Conflicts: none here
    browser.state_filter.setCurrentIndex(0)  # All
    assert len(held.held) == 2
    held.held.reverse()  # the older query comes back last
    held.deliver()
    assert window.model.query.state is None
    assert window.model.rowCount() == 3
    assert not browser.no_matches.isVisible()


def test_a_failed_enter_search_does_not_hold_the_keys(
        qtbot: Any, held_window: MainWindow, held: HeldRunner,
        monkeypatch: pytest.MonkeyPatch) -> None:
    window = held_window

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise OSError("disk gone")

    monkeypatch.setattr(window.browser, "_fetch", broken)
    qtbot.keyClick(window.view, Qt.Key.Key_Slash)
    qtbot.keyClicks(window.search, "key")
    qtbot.keyClick(window.search, Qt.Key.Key_Return)
    assert window.browser.opening()
    held.deliver()
    assert not window.browser.opening()


def test_ctrl_z_in_the_search_field_undoes_typing_not_a_decision(
        qtbot: Any, window: MainWindow) -> None:
    decided = window.session.current
    assert decided is not None
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    qtbot.keyClick(window.view, Qt.Key.Key_Slash)
    qtbot.keyClicks(window.search, "mar")
    qtbot.keyClick(window.search, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert status_of(window, decided.id) is Status.APPROVED
    assert window.search.text() != "mar"


# --- totals, lock, folds ----------------------------------------------------------------------

def test_the_status_bar_totals_match_the_store_after_early_decisions(
        qtbot: Any, store: Any, settings: Any, conversations: dict[str, int]) -> None:
    class Late(HeldRunner):
        """Counts read the store at once and answer when delivered: decisions in between."""

        def _start(self, task: Any) -> None:
            if task.label == "Counting spans":
                result = task.work(task.report)
                task.work = lambda _p: result
            super()._start(task)

    late = Late()
    window = started_window(qtbot, store, settings, late)
    try:
        qtbot.keyClick(window.view, Qt.Key.Key_A)
        qtbot.keyClick(window.view, Qt.Key.Key_A)
        late.deliver()
        assert window.session.totals == StatusCounts.from_dict(review.status_totals(store))
        assert window.session.totals is not None
        assert window.session.totals.approved == 2
    finally:
        window.close()


def test_locking_clears_a_message_that_quotes_a_span(qtbot: Any, window: MainWindow) -> None:
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "Maria Lopez" in window.statusBar().currentMessage()
    qtbot.keyClick(window.view, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.locked
    assert window.statusBar().currentMessage() == ""


def test_folding_the_current_span_away_moves_to_one_the_reviewer_sees(
        qtbot: Any, window: MainWindow, conversations: dict[str, int]) -> None:
    window.session.open_conversation(conversations["branchy"])
    tool_email = [s for s in window.session.order
                  if window.session.spans[s].entity == "EMAIL_ADDRESS"]
    window.session.go_to(tool_email[0])
    qtbot.keyClick(window.view, Qt.Key.Key_H)
    current = window.session.current
    assert current is not None
    assert current.id != tool_email[0]
    assert current.id in window.view.marks
    assert "folded" in window.statusBar().currentMessage()
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    assert status_of(window, tool_email[0]) is Status.PENDING


# --- what the screen says ---------------------------------------------------------------------

def test_untitled_rows_are_told_apart_by_their_source_id(store: Any) -> None:
    for source in ("chat-a", "chat-b"):
        add_chat(store, source, ["Hello there."], title=None)
    rows = fetch_page(store, BrowseQuery(), None, limit=10).rows
    assert sorted(display(row, TITLE_COLUMN) for row in rows) == ["chat-a", "chat-b"]


def test_the_entity_dialog_quotes_the_span_it_changes(qtbot: Any, window: MainWindow) -> None:
    qtbot.keyClick(window.view, Qt.Key.Key_E)
    dialog = window.dialog
    assert dialog is not None
    assert any("Maria Lopez" in label.text() for label in dialog.findChildren(QLabel))
    dialog.reject()


def test_undo_with_nothing_to_undo_says_so(qtbot: Any, window: MainWindow) -> None:
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.statusBar().currentMessage() == "Nothing to undo in this session."
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert window.statusBar().currentMessage() == "Nothing to redo in this session."


# --- a second reviewer's walk -----------------------------------------------------------------

def test_an_undone_reason_code_does_not_go_with_the_next_decision(
        qtbot: Any, window: MainWindow) -> None:
    first = window.session.current
    assert first is not None
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    qtbot.keyClick(window.view, Qt.Key.Key_K)  # back to the decided span
    qtbot.keyClick(window.view, DIGITS[2])  # its decision gets the code at once
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.inspector.reason_code() is None
    qtbot.keyClick(window.view, Qt.Key.Key_R)
    assert review.span_detail_history(window.store, first.id)[-1].reason is None


def test_a_second_shift_a_while_the_first_is_open_asks_nothing_more(
        qtbot: Any, held_window: MainWindow, held: HeldRunner) -> None:
    window = held_window
    qtbot.keyClick(window.view, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(window.view, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
    assert len([t for t in held.held if t.label == "Finding the same text"]) == 1
    held.deliver()
    first = window.dialog
    assert first is not None
    qtbot.keyClick(first, Qt.Key.Key_Escape)
    qtbot.keyClick(window.view, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
    assert [t.label for t in held.held] == ["Finding the same text"]  # asked again
    held.deliver()
    assert window.dialog is not None
    window.dialog.reject()


def test_the_moved_on_message_quotes_the_span_asked_about(
        qtbot: Any, held_window: MainWindow, held: HeldRunner) -> None:
    window = held_window
    qtbot.keyClick(window.view, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(window.view, Qt.Key.Key_N)
    held.deliver()
    assert "“Maria Lopez”" in window.statusBar().currentMessage()


def test_a_row_clicked_while_an_enter_search_runs_is_not_replaced(
        qtbot: Any, held_window: MainWindow, held: HeldRunner) -> None:
    window = held_window
    qtbot.keyClick(window.view, Qt.Key.Key_Slash)
    qtbot.keyClicks(window.search, "key")
    qtbot.keyClick(window.search, Qt.Key.Key_Return)
    window.table.select_row(2)  # as a click on the third row does
    chosen = open_title(window)
    held.deliver()
    assert open_title(window) == chosen
    assert not window.browser.opening()


def test_arrow_keys_move_in_the_list_after_the_app_chose_the_row(
        qtbot: Any, window: MainWindow) -> None:
    window.table.setFocus()
    row = window.table.currentIndex().row()
    qtbot.keyClick(window.table, Qt.Key.Key_Down)
    assert window.table.currentIndex().row() == row + 1
