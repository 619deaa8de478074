"""QC mode in the review window: O and X give verdicts on sampled decisions, M on a
sampled span-less message marks missed data as a manual span found by QC, and the
report opens from the Review menu."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from reviewer.domain.models import Status
from reviewer.gui.dialogs import EntityDialog
from reviewer.gui.qc_mode import ReportDialog
from reviewer.gui.window import MainWindow
from reviewer.ops import qc, review
from reviewer.ops.decisions import decide
from tests.export.builders import add_chat


def _press(qtbot: Any, window: MainWindow, key: Qt.Key) -> None:
    window.view.setFocus()
    qtbot.keyClick(window.view, key)


def _verdicts(window: MainWindow) -> dict[int, str | None]:
    return {item.id: item.verdict for item in qc.sample_items(window.store)}


def test_o_and_x_record_verdicts_and_change_no_span(qtbot: Any, window: MainWindow) -> None:
    decide(window.store, [1, 2], Status.APPROVED, "tester")
    first, second = qc.draw_sample(window.store, "decisions", 2, "lead", seed=1).items
    _press(qtbot, window, Qt.Key.Key_O)  # not in QC mode yet: nothing recorded
    assert _verdicts(window) == {first.id: None, second.id: None}
    window.command_actions["qc_mode"].trigger()
    assert window.qc.active
    assert window.session.current is not None
    assert window.session.current.id == first.span_id
    assert f"QC item {first.id}" in window.statusBar().currentMessage()
    _press(qtbot, window, Qt.Key.Key_O)
    assert window.session.current.id == second.span_id
    _press(qtbot, window, Qt.Key.Key_X)
    assert _verdicts(window) == {first.id: "agree", second.id: "disagree"}
    assert [s.status for s in review.spans_by_id(window.store, [1, 2])] == [Status.APPROVED] * 2
    assert not window.qc.active  # every item has its verdict
    window.command_actions["qc_report"].trigger()
    assert isinstance(window.dialog, ReportDialog)
    assert "1 disagreed with" in window.dialog.text.text()
    window.dialog.reject()


def test_m_on_an_elusion_message_marks_missed_data_found_by_qc(
        qtbot: Any, window: MainWindow) -> None:
    add_chat(window.store, "quiet-1", ["Ring Priya Raman on Sunday."])
    drawn = qc.draw_sample(window.store, "elusion", 50, "lead", seed=2).items
    window.command_actions["qc_mode"].trigger()
    item = window.qc.current
    assert item is not None
    assert item.kind == "elusion"
    while "Priya Raman" not in window.view.toPlainText():  # walk to the message with a name
        _press(qtbot, window, Qt.Key.Key_O)
        item = window.qc.current
        assert item is not None
    assert window.view.textCursor().block().text().startswith("Ring Priya Raman")  # shown
    assert not window.view.textCursor().hasSelection()
    found = window.view.document().find("Priya Raman")
    window.view.setTextCursor(found)
    _press(qtbot, window, Qt.Key.Key_M)
    dialog = window.dialog
    assert isinstance(dialog, EntityDialog)
    dialog.entities.setCurrentText("PERSON")
    qtbot.keyClick(dialog.entities, Qt.Key.Key_Return)
    assert _verdicts(window)[item.id] == "missed"
    spans = [s for s in window.session.spans.values() if s.explanation.get("found_by") == "qc"]
    assert len(spans) == 1
    assert spans[0].status is Status.APPROVED
    assert review.span_detail(window.store, spans[0].id).text == "Priya Raman"
    assert len(drawn) == len(_verdicts(window))
