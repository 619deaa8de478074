"""Keys 1 … 9: the policy's reason codes, in order, for the current span's decision
(as picking one in the inspector); listed with their digits in ``?``, the Review
menu and the inspector."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from reviewer.domain.models import Status
from reviewer.gui.dialogs import KeyReference
from reviewer.gui.keymap import REASON_KEYS, numbered_reasons
from reviewer.gui.window import MainWindow
from reviewer.ops import review
from reviewer.ops.audit import audit_entries
from tests.gui.conftest import OFFSCREEN_NOISE
from tests.gui.test_keys import reference

DIGITS = [getattr(Qt.Key, f"Key_{n}") for n in range(10)]


def codes(window: MainWindow) -> list[tuple[str, str]]:
    numbered = numbered_reasons(window.reasons)
    assert 2 <= len(numbered) < REASON_KEYS  # the test policy leaves a digit unused
    return numbered


def test_each_digit_chooses_the_policys_code_of_its_number(
        qtbot: Any, window: MainWindow) -> None:
    for number, (code, label) in enumerate(codes(window), 1):
        qtbot.keyClick(window.view, DIGITS[number])
        assert window.inspector.reason_code() == code
        assert code in window.statusBar().currentMessage()
        assert label in window.statusBar().currentMessage()


def test_the_decision_records_the_reason_the_digit_chose(
        qtbot: Any, window: MainWindow) -> None:
    code = codes(window)[1][0]
    qtbot.keyClick(window.view, DIGITS[2])
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    span = review.spans_by_id(window.store, [1])[0]
    assert (span.status, span.reason) == (Status.APPROVED, code)
    decided = [e for e in audit_entries(window.store) if e.action == "decide"]
    assert [e.payload["reason"] for e in decided] == [code]


def test_a_digit_past_the_codes_says_so_and_records_nothing(
        qtbot: Any, window: MainWindow) -> None:
    before = len(audit_entries(window.store))
    qtbot.keyClick(window.view, DIGITS[len(codes(window)) + 1])
    assert window.inspector.reason_code() is None
    assert f"No reason code {len(codes(window)) + 1}" in window.statusBar().currentMessage()
    assert len(audit_entries(window.store)) == before


def test_digits_type_digits_in_the_search(qtbot: Any, window: MainWindow) -> None:
    qtbot.keyClick(window.view, Qt.Key.Key_Slash)
    assert window.focusWidget() is window.search
    for number in (1, 2):
        qtbot.keyClick(window.search, DIGITS[number])
    assert window.search.text() == "12"
    assert window.inspector.reason_code() is None


def test_the_reference_names_the_codes_in_force(qtbot: Any, window: MainWindow) -> None:
    dialog = KeyReference(window.keymap, window.reasons, window)
    shown = reference(dialog)
    for number, (code, label) in enumerate(codes(window), 1):
        assert code in shown[str(number)]
        assert label in shown[str(number)]
    assert str(len(codes(window)) + 1) not in shown
    dialog.close()


def test_the_inspector_and_the_menu_number_the_codes(window: MainWindow) -> None:
    picker = window.inspector.reason
    listed = [picker.itemText(i) for i in range(picker.count())]
    menu = window.menus["Review/Reason code"]
    for number, (code, _label) in enumerate(codes(window), 1):
        assert f"{number}  {code} — " in "\n".join(listed)
        assert menu.actions()[number - 1].text().startswith(code)
        assert menu.actions()[number - 1].shortcut().toString() == str(number)
    assert len(menu.actions()) == len(codes(window))


# The offscreen platform says so when the picker's list opens: the test platform talking.
@pytest.mark.qt_log_ignore(OFFSCREEN_NOISE, r"This plugin does not support raise\(\)",
                           "This plugin does not support grabbing the keyboard")
def test_a_reason_picked_with_the_mouse_hands_the_keys_back(
        qtbot: Any, window: MainWindow) -> None:
    picker = window.inspector.reason
    picker.setFocus()
    assert window.focusWidget() is picker
    picker.showPopup()
    picker.setCurrentIndex(2)
    picker.hidePopup()
    picker.activated.emit(2)  # what a click on the open list's second code sends
    assert window.focusWidget() is window.view
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    assert review.spans_by_id(window.store, [1])[0].reason == codes(window)[1][0]


def test_arrow_keys_on_the_closed_picker_step_through_the_codes(
        qtbot: Any, window: MainWindow) -> None:
    picker = window.inspector.reason
    picker.setFocus()
    qtbot.keyClick(picker, Qt.Key.Key_Down)
    qtbot.keyClick(picker, Qt.Key.Key_Down)
    assert window.focusWidget() is picker
    assert picker.currentIndex() == 2


def test_a_digit_on_a_decided_span_gives_its_decision_that_reason_and_undo_restores(
        qtbot: Any, window: MainWindow) -> None:
    (first, _), (second, _) = codes(window)[:2]
    qtbot.keyClick(window.view, DIGITS[1])
    qtbot.keyClick(window.view, Qt.Key.Key_A)  # span 1 approved with the first code
    window.session.go_to(1)
    qtbot.keyClick(window.view, DIGITS[2])
    span = review.spans_by_id(window.store, [1])[0]
    assert (span.status, span.reason) == (Status.APPROVED, second)
    assert "recorded for this span" in window.statusBar().currentMessage()
    assert window.session.current is not None
    assert window.session.current.reason == second
    entry = [e for e in audit_entries(window.store) if e.action == "set_reason"][-1]
    assert (entry.payload["reason"], entry.payload["previous_reason"]) == (second, first)
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    span = review.spans_by_id(window.store, [1])[0]
    assert (span.status, span.reason) == (Status.APPROVED, first)
