"""The inspector says why a span was suggested in words; Details shows the raw facts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from reviewer.domain.models import Decision, Origin, Span, Status
from reviewer.gui.inspector import DETAILS_SETTING, SpanInspector
from reviewer.gui.settings import Settings
from reviewer.gui.window import MainWindow

POLICY_PATTERN = r"\bEMP-\d{6}\b"


def employee_id_span() -> Span:
    return Span(
        id=1, conversation_id=1, message_id=1, start=0, end=10, entity="ACCOUNT_NUMBER",
        score=0.8, recognizer="policy:employee_id", origin=Origin.SUGGESTED,
        status=Status.PENDING,
        explanation={"recognizer": "policy:employee_id", "pattern_name": "employee_id",
                     "pattern": POLICY_PATTERN, "original_score": 0.8, "score": 0.8,
                     "alternatives": [{"entity": "PHONE_NUMBER", "score": 0.4, "start": 4,
                                       "end": 10, "recognizer": "PhoneRecognizer"}]},
    )


def inspector_on(qtbot: Any, settings: Settings) -> SpanInspector:
    inspector = SpanInspector([("", "no reason")], settings)
    qtbot.addWidget(inspector)
    inspector.show()
    qtbot.waitExposed(inspector)
    inspector.show_span(employee_id_span(), "EMP-123456")
    return inspector


def test_the_reason_is_said_in_words_and_the_pattern_waits_behind_details(
        qtbot: Any, settings: Settings) -> None:
    inspector = inspector_on(qtbot, settings)
    said = inspector.why.text()
    assert "Account or reference number (your policy's pattern 'employee_id') · 0.80" in said
    assert "Also possible: Phone number (inside)." in said
    assert POLICY_PATTERN not in said
    assert inspector.fields["Entity"].text() == "Account or reference number (ACCOUNT_NUMBER)"
    assert not inspector.explanation.isVisible()
    inspector.details_button.setFocus()
    qtbot.keyClick(inspector.details_button, Qt.Key.Key_Space)
    assert inspector.explanation.isVisible()
    assert f"pattern: {POLICY_PATTERN}" in inspector.explanation.toPlainText()


def test_details_stay_open_in_the_next_inspector(qtbot: Any, settings: Settings) -> None:
    first = inspector_on(qtbot, settings)
    first.details_button.click()
    assert settings.get(DETAILS_SETTING) is True
    second = inspector_on(qtbot, settings)
    assert second.details_button.isChecked()
    assert second.explanation.isVisible()
    second.details_button.click()
    assert settings.get(DETAILS_SETTING) is False
    assert not second.explanation.isVisible()


def test_no_span_clears_the_reason(qtbot: Any, settings: Settings) -> None:
    inspector = inspector_on(qtbot, settings)
    inspector.show_span(None)
    assert inspector.why.text() == ""
    assert inspector.explanation.toPlainText() == ""


def test_tab_reaches_details_from_the_conversation(qtbot: Any, window: MainWindow,
                                                   settings: Settings) -> None:
    inspector = window.inspector
    assert "Name (pattern) · 0.85" in inspector.why.text()
    assert not inspector.explanation.isVisible()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.view.setFocus()
    for _ in range(6):
        if QApplication.focusWidget() is inspector.details_button:
            break
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is inspector.details_button
    qtbot.keyClick(inspector.details_button, Qt.Key.Key_Space)
    assert inspector.explanation.isVisible()
    assert "pattern: test" in inspector.explanation.toPlainText()
    assert settings.get(DETAILS_SETTING) is True


def test_after_an_entity_change_the_evidence_is_the_suggestions_and_the_change_is_said(
        qtbot: Any, settings: Settings) -> None:
    inspector = inspector_on(qtbot, settings)
    changed = replace(employee_id_span(), entity="PHONE_NUMBER")
    when = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
    history = [Decision(1, Status.PENDING, Status.PENDING, "Dana", when,
                        entity="PHONE_NUMBER", previous_entity="ACCOUNT_NUMBER")]
    inspector.show_span(changed, "EMP-123456", history)
    why = inspector.why.text()
    assert why.index("Account or reference number") < why.index(
        "Entity changed to Phone number by Dana")
    assert "Also possible: Phone number" in why  # the suggestion's alternative, as it was


def test_an_entity_change_undone_says_nothing_of_it(qtbot: Any, settings: Settings) -> None:
    inspector = inspector_on(qtbot, settings)
    when = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
    history = [Decision(1, Status.PENDING, Status.PENDING, "Dana", when,
                        entity="PHONE_NUMBER", previous_entity="ACCOUNT_NUMBER"),
               Decision(1, Status.PENDING, Status.PENDING, "Dana", when,
                        entity="ACCOUNT_NUMBER", previous_entity="PHONE_NUMBER", undo_of=1)]
    inspector.show_span(employee_id_span(), "EMP-123456", history)
    assert "Entity changed" not in inspector.why.text()
