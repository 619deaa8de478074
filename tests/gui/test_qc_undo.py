"""Missed data marked with M in QC mode is one undoable command: Ctrl+Z takes the
span and the item's verdict back (the QC report is as before) and returns the walk
to the item; Ctrl+Shift+Z marks it again."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from reviewer.gui.dialogs import EntityDialog
from reviewer.gui.window import MainWindow
from reviewer.ops import qc
from reviewer.ops.audit import audit_entries
from reviewer.ops.qc import QcItem
from tests.export.builders import add_chat

NO = Qt.KeyboardModifier.NoModifier
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def _press(qtbot: Any, window: MainWindow, key: Qt.Key, mods: Any = NO) -> None:
    window.view.setFocus()
    qtbot.keyClick(window.view, key, mods)


def _verdict(window: MainWindow, item_id: int) -> str | None:
    return {i.id: i.verdict for i in qc.sample_items(window.store)}[item_id]


def _qc_spans(window: MainWindow) -> list[int]:
    with window.store.reading() as conn:
        return [int(r[0]) for r in conn.exec_driver_sql(
            "SELECT id FROM spans WHERE explanation LIKE '%\"found_by\": \"qc\"%'")]


def _walk_to_priya(qtbot: Any, window: MainWindow) -> QcItem:
    """QC mode on, at the elusion item whose message names Priya Raman."""
    window.command_actions["qc_mode"].trigger()
    while "Priya Raman" not in window.view.toPlainText():
        _press(qtbot, window, Qt.Key.Key_O)
    item = window.qc.current
    assert item is not None
    return item


def _mark_priya(qtbot: Any, window: MainWindow) -> None:
    window.view.setTextCursor(window.view.document().find("Priya Raman"))
    _press(qtbot, window, Qt.Key.Key_M)
    dialog = window.dialog
    assert isinstance(dialog, EntityDialog)
    dialog.entities.setCurrentText("PERSON")
    qtbot.keyClick(dialog.entities, Qt.Key.Key_Return)


def test_ctrl_z_takes_back_a_missed_span_and_ctrl_shift_z_marks_it_again(
        qtbot: Any, window: MainWindow) -> None:
    add_chat(window.store, "quiet-1", ["Ring Priya Raman on Sunday."])
    add_chat(window.store, "quiet-2", ["Nothing to see here."])
    qc.draw_sample(window.store, "elusion", 50, "lead", seed=2)
    item = _walk_to_priya(qtbot, window)
    before = qc.qc_report(window.store).as_dict()
    _mark_priya(qtbot, window)
    assert _verdict(window, item.id) == "missed"
    assert window.qc.current is not None
    assert window.qc.current.id != item.id  # the walk moved on
    assert len(_qc_spans(window)) == 1
    assert qc.qc_report(window.store).as_dict() != before

    _press(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert _qc_spans(window) == []
    assert _verdict(window, item.id) is None
    assert qc.qc_report(window.store).as_dict() == before
    assert audit_entries(window.store)[-1].action == "qc_missed_span_removed"
    assert window.qc.current is not None
    assert window.qc.current.id == item.id  # the walk is back at the item
    assert "Priya Raman" in window.view.toPlainText()
    assert not [s for s in window.session.spans.values() if s.explanation.get("found_by")]
    assert window.statusBar().currentMessage().startswith("Undid: missed PERSON span "
                                                          "“Priya Raman”")

    _press(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert _verdict(window, item.id) == "missed"
    assert len(_qc_spans(window)) == 1
    assert qc.qc_report(window.store).elusion.errors == 1
    assert window.statusBar().currentMessage().startswith("Redid: missed PERSON span")
    assert window.qc.current is not None
    assert window.qc.current.id != item.id  # and on again


def test_undo_after_the_walk_ended_returns_to_qc_mode_at_the_item(
        qtbot: Any, window: MainWindow) -> None:
    add_chat(window.store, "quiet-1", ["Ring Priya Raman on Sunday."])
    qc.draw_sample(window.store, "elusion", 50, "lead", seed=2)
    item = _walk_to_priya(qtbot, window)
    others = [i for i in qc.sample_items(window.store) if i.id != item.id and i.verdict is None]
    qc.record_verdicts(window.store, [i.id for i in others], "agree", "lead")
    _mark_priya(qtbot, window)  # the last item without a verdict: the walk ends
    assert not window.qc.active
    _press(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert window.qc.active
    assert window.qc.current is not None
    assert window.qc.current.id == item.id
    assert window.qc.takes_selection()  # M marks missed data for QC again
    _mark_priya(qtbot, window)
    assert _verdict(window, item.id) == "missed"
    assert not window.qc.active
