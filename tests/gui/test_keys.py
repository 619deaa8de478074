"""Every binding of the key map, driven by real key events on the main window."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication, QMenu

from reviewer.domain.models import Status
from reviewer.gui.dialogs import ConfirmDialog, EntityDialog, KeyReference, PassphrasePrompt
from reviewer.gui.keymap import BY_ID, COMMANDS, KeyMap, reason_number
from reviewer.gui.window import MainWindow
from reviewer.ops import review
from reviewer.ops.audit import audit_entries
from tests.conftest import PASSPHRASE

NO = Qt.KeyboardModifier.NoModifier
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def press(qtbot: Any, window: MainWindow, key: Qt.Key, mods: Any = NO, text: str = "") -> None:
    target = QApplication.focusWidget() or window.view
    qtbot.keyClick(target, key, mods)


def status_of(window: MainWindow, span_id: int) -> Status:
    return review.spans_by_id(window.store, [span_id])[0].status


def current_id(window: MainWindow) -> int:
    assert window.session.current is not None
    return window.session.current.id


def test_first_pending_span_is_current_after_start(window: MainWindow) -> None:
    assert current_id(window) == 1
    assert window.view.hasFocus() or QApplication.focusWidget() is None


def test_a_approves_and_moves_to_next_pending(qtbot: Any, window: MainWindow) -> None:
    press(qtbot, window, Qt.Key.Key_A)
    assert status_of(window, 1) is Status.APPROVED
    assert current_id(window) == 2
    assert "■" in window.view.toPlainText()


def test_r_rejects(qtbot: Any, window: MainWindow) -> None:
    press(qtbot, window, Qt.Key.Key_R)
    assert status_of(window, 1) is Status.REJECTED
    assert "○ PERSON · keep" in window.view.toPlainText()


def test_j_and_k_move_between_spans(qtbot: Any, window: MainWindow) -> None:
    press(qtbot, window, Qt.Key.Key_J)
    assert current_id(window) == 2
    press(qtbot, window, Qt.Key.Key_K)
    assert current_id(window) == 1


def test_n_and_p_move_between_conversations(qtbot: Any, window: MainWindow,
                                            conversations: dict[str, int]) -> None:
    press(qtbot, window, Qt.Key.Key_N)
    assert window.session.detail is not None
    assert window.session.detail.conversation.id == conversations["code"]
    press(qtbot, window, Qt.Key.Key_P)
    assert window.session.detail.conversation.id == conversations["lease"]


def test_g_goes_to_the_next_pending_anywhere(qtbot: Any, window: MainWindow,
                                             conversations: dict[str, int]) -> None:
    for _ in range(4):
        press(qtbot, window, Qt.Key.Key_G)
    assert window.session.detail is not None
    assert window.session.detail.conversation.id == conversations["code"]


def test_shift_a_shows_the_count_and_needs_enter(qtbot: Any, window: MainWindow) -> None:
    press(qtbot, window, Qt.Key.Key_A, SHIFT)
    dialog = window.dialog
    assert isinstance(dialog, ConfirmDialog)
    assert "Approve 3 pending PERSON" in dialog.findChildren(type(window.heading))[0].text()
    assert status_of(window, 1) is Status.PENDING
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    same = [s for s in review.spans_by_id(window.store, [1, 3, 5])]
    assert [s.status for s in same] == [Status.APPROVED] * 3
    assert window.dialog is None


def test_shift_r_rejects_the_same_text_everywhere_in_one_action(
        qtbot: Any, window: MainWindow) -> None:
    """A false positive a repeated text (a system prompt) put in many conversations."""
    press(qtbot, window, Qt.Key.Key_R, SHIFT)
    dialog = window.dialog
    assert isinstance(dialog, ConfirmDialog)
    assert "Reject 3 pending PERSON" in dialog.findChildren(type(window.heading))[0].text()
    assert status_of(window, 1) is Status.PENDING
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    same = review.spans_by_id(window.store, [1, 3, 5])
    assert [s.status for s in same] == [Status.REJECTED] * 3
    assert window.dialog is None
    press(qtbot, window, Qt.Key.Key_Z, CTRL)  # one action, one undo
    assert [s.status for s in review.spans_by_id(window.store, [1, 3, 5])] == [
        Status.PENDING] * 3


def test_shift_a_escape_cancels(qtbot: Any, window: MainWindow) -> None:
    press(qtbot, window, Qt.Key.Key_A, SHIFT)
    assert window.dialog is not None
    qtbot.keyClick(window.dialog, Qt.Key.Key_Escape)
    assert status_of(window, 1) is Status.PENDING


def _select(window: MainWindow, word: str) -> None:
    found = window.view.document().find(word)
    assert not found.isNull()
    window.view.setTextCursor(found)


def test_m_makes_a_manual_span_from_the_selection(qtbot: Any, window: MainWindow) -> None:
    _select(window, "landlord")
    press(qtbot, window, Qt.Key.Key_M)
    dialog = window.dialog
    assert isinstance(dialog, EntityDialog)
    dialog.entities.setCurrentText("PERSON")
    qtbot.keyClick(dialog.entities, Qt.Key.Key_Return)
    span = window.session.current
    assert span is not None
    assert span.status is Status.APPROVED
    assert review.span_detail(window.store, span.id).text == "landlord"


def test_m_without_selection_says_what_to_do(qtbot: Any, window: MainWindow) -> None:
    cursor = window.view.textCursor()
    cursor.clearSelection()
    window.view.setTextCursor(cursor)
    press(qtbot, window, Qt.Key.Key_M)
    assert window.dialog is None
    assert "Select text" in window.statusBar().currentMessage()


def test_e_changes_the_entity(qtbot: Any, window: MainWindow) -> None:
    press(qtbot, window, Qt.Key.Key_E)
    dialog = window.dialog
    assert isinstance(dialog, EntityDialog)
    dialog.entities.setCurrentText("LOCATION")
    qtbot.keyClick(dialog.entities, Qt.Key.Key_Return)
    assert review.spans_by_id(window.store, [1])[0].entity == "LOCATION"
    assert "LOCATION · pending" in window.view.toPlainText()


def test_ctrl_z_and_ctrl_shift_z_undo_and_redo(qtbot: Any, window: MainWindow) -> None:
    press(qtbot, window, Qt.Key.Key_A)
    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert status_of(window, 1) is Status.PENDING
    press(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert status_of(window, 1) is Status.APPROVED
    actions = [e.action for e in audit_entries(window.store)]
    assert actions.count("undo") == 1
    assert actions.count("decide") == 2


def test_slash_searches_and_letters_type_in_the_field(qtbot: Any, window: MainWindow) -> None:
    window.activateWindow()
    press(qtbot, window, Qt.Key.Key_Slash)
    assert window.search.hasFocus()
    qtbot.keyClicks(window.search, "stack")
    assert window.search.text() == "stack"
    assert status_of(window, 1) is Status.PENDING  # the "a" typed, nothing approved
    qtbot.keyClick(window.search, Qt.Key.Key_Return)
    assert [r.title for r in window.model.rows] == ["Stack trace help"]
    qtbot.keyClick(window.search, Qt.Key.Key_Escape)
    assert not window.search.hasFocus()


def reference(dialog: KeyReference) -> dict[str, str]:
    """The ``?`` table as key -> what it does."""
    table = dialog.table
    cells = [(table.item(row, 0), table.item(row, 1)) for row in range(table.rowCount())]
    return {key.text(): text.text() for key, text in cells if key and text}


def test_question_mark_shows_the_reference(qtbot: Any, window: MainWindow) -> None:
    press(qtbot, window, Qt.Key.Key_Question, SHIFT)
    dialog = window.dialog
    assert isinstance(dialog, KeyReference)
    shown = reference(dialog)
    for command in COMMANDS:  # every command with a key, but the reason digits
        if command.key and reason_number(command) is None:
            assert shown[window.keymap.key_for(command.id)] == command.help
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert window.dialog is None


def test_h_folds_hidden_content(qtbot: Any, window: MainWindow,
                                conversations: dict[str, int]) -> None:
    window.session.open_conversation(conversations["branchy"])
    assert "You help tenants." in window.view.toPlainText()
    press(qtbot, window, Qt.Key.Key_H)
    assert "You help tenants." not in window.view.toPlainText()
    assert "folded" in window.view.toPlainText()
    press(qtbot, window, Qt.Key.Key_H)
    assert "You help tenants." in window.view.toPlainText()


@pytest.mark.parametrize(("key", "handler"), [(Qt.Key.Key_I, "run_import"),
                                              (Qt.Key.Key_E, "run_export")])
def test_ctrl_i_and_ctrl_e_reach_import_and_export(qtbot: Any, window: MainWindow,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   key: Qt.Key, handler: str) -> None:
    called: list[str] = []
    monkeypatch.setattr(window.matter, handler, lambda: called.append(handler))
    press(qtbot, window, key, CTRL)
    assert called == [handler]


def test_ctrl_l_locks_and_the_passphrase_unlocks(qtbot: Any, window: MainWindow) -> None:
    press(qtbot, window, Qt.Key.Key_L, CTRL)
    assert window.locked
    assert window.stack.currentIndex() == 1
    assert window.view.toPlainText() == ""
    press(qtbot, window, Qt.Key.Key_A)
    assert status_of(window, 1) is Status.PENDING
    window.ask_unlock()
    prompt = window.dialog
    assert isinstance(prompt, PassphrasePrompt)
    qtbot.keyClicks(prompt.passphrase, "wrong")
    qtbot.keyClick(prompt.passphrase, Qt.Key.Key_Return)
    assert window.locked
    assert "Wrong passphrase" in prompt.error.text()
    prompt.passphrase.setText(PASSPHRASE)
    qtbot.keyClick(prompt.passphrase, Qt.Key.Key_Return)
    assert not window.locked
    assert "Maria Lopez" in window.view.toPlainText()
    actions = [e.action for e in audit_entries(window.store)]
    assert actions.count("review_session_start") == 2
    assert actions.count("review_session_end") == 1


def test_idle_timer_locks(window: MainWindow) -> None:
    assert window.idle.isActive()
    assert window.idle.interval() == 10 * 60_000
    window.idle.timeout.emit()
    assert window.locked


def test_ctrl_q_quits(qtbot: Any, window: MainWindow) -> None:
    press(qtbot, window, Qt.Key.Key_Q, CTRL)
    assert not window.isVisible()
    assert [e.action for e in audit_entries(window.store)][-1] == "review_session_end"


def test_menus_are_made_from_the_registry(window: MainWindow) -> None:
    """Each command with a menu is there, under its label and with its key; a menu
    action runs the same handler as the key."""
    menus = {m.title(): m for m in window.menuBar().findChildren(QMenu)}
    for command in COMMANDS:
        if command.menu is None or reason_number(command) is not None:
            continue
        action = window.command_actions[command.id]
        assert action.text() == command.label
        assert action in menus[command.menu].actions()
        assert action.shortcut().toString() == window.keymap.key_for(command.id)
    window.command_actions["next_span"].trigger()
    assert current_id(window) == 2


def test_a_rebound_key_shows_in_the_menu_and_the_reference(
        qtbot: Any, store: Any, settings: Any, conversations: dict[str, int]) -> None:
    from reviewer.gui.tasks import SyncRunner

    settings.set_key("approve", "Y")
    win = MainWindow(store, "tester", settings, SyncRunner(), None)
    qtbot.addWidget(win)
    assert win.command_actions["approve"].shortcut().toString() == "Y"
    assert reference(KeyReference(win.keymap, win.reasons, win))["Y"] == BY_ID["approve"].help
    win.close()


def test_user_override_rebinds_a_command(qtbot: Any, store: Any, settings: Any,
                                         conversations: dict[str, int]) -> None:
    from reviewer.gui.tasks import SyncRunner

    settings.set_key("approve", "Y")
    win = MainWindow(store, "tester", settings, SyncRunner(), None)
    qtbot.addWidget(win)
    win.show()
    win.start()
    qtbot.keyClick(win.view, Qt.Key.Key_A)
    assert status_of(win, 1) is Status.PENDING
    qtbot.keyClick(win.view, Qt.Key.Key_Y)
    assert status_of(win, 1) is Status.APPROVED
    win.close()


def test_keymap_insert_mode_ignores_letters_but_not_ctrl() -> None:
    keys = KeyMap()
    assert keys.command_for(Qt.Key.Key_A, NO, "a", insert_mode=True) is None
    assert keys.command_for(Qt.Key.Key_L, CTRL, "", insert_mode=True) == "lock"
    assert keys.command_for(Qt.Key.Key_Escape, NO, "", insert_mode=True) == "leave_field"
    assert KeyMap({"approve": "shift+y"}).key_for("approve") == "Shift+Y"


def test_current_span_is_scrolled_into_view(window: MainWindow) -> None:
    span = window.session.current
    assert span is not None
    mark = window.view.marks[span.id]
    rect = window.view.cursorRect(QTextCursor(mark.text))
    assert window.view.viewport().rect().intersects(rect)


def test_an_empty_store_opens_and_keys_say_what_to_do(qtbot: Any, store: Any,
                                                      settings: Any) -> None:
    from reviewer.gui.tasks import SyncRunner

    win = MainWindow(store, "tester", settings, SyncRunner(), None)
    qtbot.addWidget(win)
    win.show()
    win.start()
    for key in (Qt.Key.Key_A, Qt.Key.Key_J, Qt.Key.Key_G, Qt.Key.Key_N, Qt.Key.Key_E):
        qtbot.keyClick(win.view, key)
    assert win.session.current is None
    assert win.statusBar().currentMessage()
    win.close()


def test_the_reference_fits_a_short_screen_and_scrolls_instead(
        qtbot: Any, window: MainWindow) -> None:
    press(qtbot, window, Qt.Key.Key_Question, SHIFT)
    dialog = window.dialog
    assert isinstance(dialog, KeyReference)
    screen = dialog.screen().availableGeometry()
    assert screen.height() < 860  # the offscreen test screen is 800 x 600
    assert dialog.frameGeometry().height() <= screen.height()
    dialog.reject()
