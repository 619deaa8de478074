"""Rejecting a merged span in the window shows what the reject revealed under it,
and undo takes it away again."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from reviewer.domain.changes import StatusCounts
from reviewer.domain.models import Status
from reviewer.gui.tasks import SyncRunner
from reviewer.gui.window import MainWindow
from tests.gui.test_keys import CTRL, SHIFT, current_id, press, status_of
from tests.ops.review_builders import add_merged_address


def test_r_on_a_merged_span_moves_to_what_it_revealed_and_undo_withdraws_it(
        qtbot: Any, store: Any, settings: Any) -> None:
    _, span_id = add_merged_address(store)
    window = MainWindow(store, "tester", settings, SyncRunner(), None)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()  # keys go where the focus is: not to an earlier test's window
    qtbot.waitUntil(window.isActiveWindow)
    window.start()
    assert current_id(window) == span_id
    assert window.session.totals == StatusCounts(pending=1)
    press(qtbot, window, Qt.Key.Key_R)
    assert status_of(window, span_id) is Status.REJECTED
    assert window.session.current is not None
    assert window.session.current.entity == "IP_ADDRESS"
    assert len(window.session.order) == 4
    assert window.session.totals == StatusCounts(pending=3, rejected=1)
    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert status_of(window, span_id) is Status.PENDING
    assert window.session.order == [span_id]
    assert current_id(window) == span_id
    assert window.session.totals == StatusCounts(pending=1)
    press(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert status_of(window, span_id) is Status.REJECTED
    assert len(window.session.order) == 4
    assert window.session.totals == StatusCounts(pending=3, rejected=1)
    window.close()
