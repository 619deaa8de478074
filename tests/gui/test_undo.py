"""Undo and redo in the window: each performs in the command's ``redo``/``undo``,
moves to the span it changed and says what it did; a refused step leaves the
undo stack and the store agreeing; the counters shown are the store's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from reviewer.domain.changes import StatusCounts
from reviewer.domain.errors import RefusedError
from reviewer.domain.models import Origin, Status, Suggestion
from reviewer.gui import reviewing
from reviewer.gui.dialogs import EntityDialog
from reviewer.gui.export_dialog import ExportChoice
from reviewer.gui.window import MainWindow
from reviewer.ops import review
from reviewer.ops.audit import audit_entries
from reviewer.ops.refusals import LeakRefusedError
from reviewer.store import spans
from tests.gui.test_keys import CTRL, SHIFT, current_id, press, status_of


def _shown_totals(window: MainWindow) -> str:
    return window.totals_label.text()


def _row(window: MainWindow, conv_id: int) -> tuple[int, int, int]:
    row = window.model.rows[window.model.row_of[conv_id]]
    return row.n_pending, row.n_approved, row.n_rejected


def _store_row(window: MainWindow, conv_id: int) -> tuple[int, int, int]:
    with window.store.reading() as conn:
        return tuple(conn.exec_driver_sql(
            "SELECT sum(status = 'pending'), sum(status = 'approved'), "
            "sum(status = 'rejected') FROM spans WHERE conversation_id = ?", (conv_id,)).one())


def _caught_up(qtbot: Any, window: MainWindow) -> None:
    """Let the deferred part (inspector, browser rows) run."""
    qtbot.waitUntil(lambda: not window.session.later.isActive())


def test_undo_moves_to_the_span_and_says_what_it_undid(qtbot: Any, window: MainWindow) -> None:
    press(qtbot, window, Qt.Key.Key_A)
    assert current_id(window) == 2
    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert status_of(window, 1) is Status.PENDING
    assert current_id(window) == 1
    assert window.statusBar().currentMessage() == "Undid: approve of PERSON “Maria Lopez”"
    press(qtbot, window, Qt.Key.Key_J)
    press(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert status_of(window, 1) is Status.APPROVED
    assert current_id(window) == 1
    assert window.statusBar().currentMessage() == "Redid: approve of PERSON “Maria Lopez”"


def test_undo_of_a_manual_span_removes_it_and_the_counts_follow(
        qtbot: Any, window: MainWindow, conversations: dict[str, int]) -> None:
    lease = conversations["lease"]
    found = window.view.document().find("landlord")
    window.view.setTextCursor(found)
    press(qtbot, window, Qt.Key.Key_M)
    dialog = window.dialog
    assert isinstance(dialog, EntityDialog)
    dialog.entities.setCurrentText("PERSON")
    qtbot.keyClick(dialog.entities, Qt.Key.Key_Return)
    span = window.session.current
    assert span is not None
    assert (span.origin, span.status) == (Origin.MANUAL, Status.APPROVED)
    assert "8 pending" in _shown_totals(window)
    assert "1 approved" in _shown_totals(window)
    _caught_up(qtbot, window)
    assert _row(window, lease) == _store_row(window, lease) == (4, 1, 0)

    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert span.id not in window.session.spans
    # The reviewer stays where they were: the span after it in the text ("Tom Baker").
    assert window.session.current is not None
    assert window.session.detail is not None
    assert window.session.detail.texts[window.session.current.id] == "Tom Baker"
    assert all(s.origin is not Origin.MANUAL
               for s in review.conversation_detail(window.store, lease).spans)
    assert window.statusBar().currentMessage() == "Undid: manual PERSON span “landlord”"
    assert "8 pending" in _shown_totals(window)
    assert "0 approved" in _shown_totals(window)
    _caught_up(qtbot, window)
    assert _row(window, lease) == _store_row(window, lease) == (4, 0, 0)
    assert audit_entries(window.store)[-1].action == "manual_span_removed"

    press(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)  # redo makes it again
    again = window.session.current
    assert again is not None
    assert (again.origin, again.status) == (Origin.MANUAL, Status.APPROVED)
    assert review.span_detail(window.store, again.id).text == "landlord"
    _caught_up(qtbot, window)
    assert _row(window, lease) == _store_row(window, lease) == (4, 1, 0)


def test_a_refused_undo_leaves_stack_and_store_agreeing(
        qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    press(qtbot, window, Qt.Key.Key_A)
    stack = window.session.undo_stack

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise RefusedError("The store refused it.")

    monkeypatch.setattr(reviewing, "undo", refuse)
    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert status_of(window, 1) is Status.APPROVED  # the store still holds the decision
    assert (stack.count(), stack.index(), stack.canUndo()) == (0, 0, False)
    assert window.statusBar().currentMessage() == (
        "Could not undo approve of PERSON “Maria Lopez”: The store refused it. "
        "It is no longer on the undo list.")
    assert "7 pending" in _shown_totals(window)


def test_a_refused_redo_leaves_stack_and_store_agreeing(
        qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    press(qtbot, window, Qt.Key.Key_A)
    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    stack = window.session.undo_stack

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise RefusedError("The store refused it.")

    monkeypatch.setattr(reviewing, "decide", refuse)
    press(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert status_of(window, 1) is Status.PENDING
    assert (stack.count(), stack.index(), stack.canRedo()) == (0, 0, False)
    assert "Could not redo approve" in window.statusBar().currentMessage()
    assert "8 pending" in _shown_totals(window)


def test_a_refused_decision_is_not_on_the_undo_stack(
        qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise RefusedError("The store refused it.")

    monkeypatch.setattr(reviewing, "decide", refuse)
    press(qtbot, window, Qt.Key.Key_A)
    assert window.session.undo_stack.count() == 0
    assert window.statusBar().currentMessage() == "The store refused it."
    assert status_of(window, 1) is Status.PENDING


def test_spans_a_refused_export_added_are_counted_and_shown(
        qtbot: Any, window: MainWindow, conversations: dict[str, int], tmp_path: Path) -> None:
    lease = conversations["lease"]
    with window.store.transaction() as conn:  # what the leak refusal does
        counted = spans.watch(conn, [lease])
        message_id = review.conversation_detail(window.store, lease).conversation.messages[1].id
        ids = spans.add(conn, lease, message_id,
                        [Suggestion(0, 5, "PERSON", 1.0, "leak_scan", origin=Origin.PROPAGATED)],
                        None)
        changes = spans.changes(conn, counted, span_ids=ids)
    refusal = LeakRefusedError("Export refused: a leak.", ids)
    refusal.changes = changes
    window.matter._exported(ExportChoice(tmp_path / "packet", "RR", False, False, False),
                            refusal)
    assert window.dialog is not None
    window.dialog.reject()
    assert "9 pending" in _shown_totals(window)
    assert ids[0] in window.session.spans
    _caught_up(qtbot, window)
    assert _row(window, lease) == _store_row(window, lease) == (5, 0, 0)
    assert window.session.totals == StatusCounts.from_dict(review.status_totals(window.store))
