"""The span inspector: what the current span is, why it was suggested (in plain
sentences, with the recognizer's raw facts behind a Details toggle), who decided
what, and the reason code the next decision will carry."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QKeyEvent, QTextOption, QWheelEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from reviewer.domain.explain import entity_words, explain
from reviewer.domain.models import Decision, Origin, Span
from reviewer.gui import look
from reviewer.gui.keymap import numbered_reasons
from reviewer.gui.settings import Settings

DETAILS_SETTING = "view/explanation_details"


def history_line(d: Decision) -> str:
    when = d.decided_at.strftime("%Y-%m-%d %H:%M")
    if d.entity != d.previous_entity:
        what = f"entity {d.previous_entity} → {d.entity}"
    else:
        what = f"{d.previous_status.value} → {d.status.value}"
    undo = "  (undo)" if d.undo_of is not None else ""
    reason = f"  [{d.reason}]" if d.reason else ""
    return f"{when}  {d.reviewer}: {what}{reason}{undo}"


class SpanInspector(QWidget):
    """Read-only facts about the current span plus the reason-code picker."""

    def __init__(self, reasons: Sequence[tuple[str, str]], settings: Settings | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setMinimumWidth(330)
        self.fields: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setVerticalSpacing(8)
        # The covered text may be one long token (an e-mail address, a key): it wraps anywhere.
        self.text = _readonly_text(54)
        self.text.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        form.addRow("Text:", self.text)
        for name in ("Entity", "Status", "Origin", "Reason"):
            label = QLabel("—")
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[name] = label
            form.addRow(f"{name}:", label)
        self.reason = ReasonPicker()
        self.reason.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.reason.setMinimumContentsLength(12)
        self.reason.setToolTip("The reason code recorded with your next decision; "
                               "keys 1 … 9 choose it")
        numbers = {code: n for n, (code, _label) in enumerate(numbered_reasons(reasons), 1)}
        for code, label_text in reasons:
            self.reason.addItem(_reason_text(numbers.get(code), code, label_text), code)
        form.addRow("Reason code:", self.reason)
        # An open batch conflict on the span: what the batch decided against the matter.
        self.conflict = QLabel("")
        self.conflict.setWordWrap(True)
        self.conflict.setTextFormat(Qt.TextFormat.PlainText)
        self.conflict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.conflict.setStyleSheet(look.CONFLICT_NOTE)
        self.conflict.hide()
        self.why = QLabel("")
        self.why.setWordWrap(True)
        self.why.setTextFormat(Qt.TextFormat.RichText)
        self.why.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details_button = _details_button()
        # Patterns are long and unbroken: they wrap anywhere, in a fixed-width font.
        self.explanation = _readonly_text(240)
        self.explanation.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        fixed.setPointSizeF(self.font().pointSizeF())  # as large as the rest of the pane
        self.explanation.setFont(fixed)
        self.history = _readonly_text(160)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        title = QLabel("<b>Span</b>")
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.conflict)
        layout.addSpacing(6)
        layout.addWidget(QLabel("<b>Why it was suggested</b>"))
        layout.addWidget(self.why)
        layout.addWidget(self.details_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.explanation)
        layout.addSpacing(6)
        layout.addWidget(QLabel("<b>Decision history</b>"))
        layout.addWidget(self.history)
        layout.addStretch(1)
        shown = bool(settings.get(DETAILS_SETTING)) if settings is not None else False
        self.details_button.setChecked(shown)
        self._show_details(shown)
        self.details_button.toggled.connect(self._details_toggled)

    def _details_toggled(self, shown: bool) -> None:
        self._show_details(shown)
        if self.settings is not None:
            self.settings.set(DETAILS_SETTING, shown)

    def _show_details(self, shown: bool) -> None:
        self.details_button.setArrowType(
            Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.explanation.setVisible(shown)

    def show_span(self, span: Span | None, text: str = "",
                  history: Sequence[Decision] = (), conflicts: Sequence[str] = ()) -> None:
        """Show ``span`` with its covered text, its decisions and ``conflicts``, the
        sentences of its open batch conflicts."""
        self.conflict.setText("\n".join(f"Conflict: {note}" for note in conflicts))
        self.conflict.setVisible(bool(conflicts))
        if span is None:
            for label in self.fields.values():
                label.setText("—")
            self.text.setPlainText("")
            self.why.setText("")
            self.explanation.setPlainText("")
            self.history.setPlainText("No span selected.")
            return
        self.text.setPlainText(look.escape_text(text))
        values = {
            "Entity": f"{entity_words(span.entity)} ({span.entity})",
            "Status": look.label_text(span.entity, span.status),
            "Origin": span.origin.value, "Reason": span.reason or "—",
        }
        for name, value in values.items():
            self.fields[name].setText(value)
        explained = explain(_as_suggested(span, history))
        sentences = list(explained.sentences)
        if span.origin is not Origin.MANUAL:
            sentences += _entity_changes(span, history)
        self.why.setText(_paragraphs(sentences))
        self.explanation.setPlainText("\n".join(explained.details))
        lines = [history_line(d) for d in history] or ["Not decided yet."]
        self.history.setPlainText("\n".join(lines))
        # A wrapped label (status, why) may need more lines for its new text; setText
        # alone left the form at the old height and the second line clipped (1024 px).
        layout = self.layout()
        if layout is not None:
            layout.invalidate()
            layout.activate()

    def reason_code(self) -> str | None:
        code = self.reason.currentData()
        return str(code) if code else None

    def choose_reason(self, code: str) -> None:
        """Pick a reason code as the reviewer would in the list (keys 1 … 9)."""
        self.reason.setCurrentIndex(self.reason.findData(code))

    def reset_reason(self, span: Span | None) -> None:
        """The picker for a span just made current: its own decision's code, else none
        (a code picked for one span never goes with the next one's decision)."""
        index = self.reason.findData(span.reason if span is not None and span.reason else "")
        self.reason.setCurrentIndex(index if index >= 0 else max(self.reason.findData(""), 0))


def _as_suggested(span: Span, history: Sequence[Decision]) -> Span:
    """The span with the entity it was suggested as: the evidence (a recognizer, its
    score, its alternatives) is about that entity, not one a reviewer chose since."""
    changes = [d for d in history if d.entity != d.previous_entity and d.previous_entity]
    return replace(span, entity=changes[0].previous_entity or span.entity) if changes else span


def _entity_changes(span: Span, history: Sequence[Decision]) -> list[str]:
    changes = [d for d in history if d.entity != d.previous_entity and d.previous_entity]
    if not changes or changes[0].previous_entity == span.entity:
        return []
    last = changes[-1]
    return [f"Entity changed to {entity_words(span.entity)} by {last.reviewer} "
            f"({last.decided_at:%Y-%m-%d %H:%M})."]


class ReasonPicker(QComboBox):
    """The reason-code list. ``picked`` fires when a code is chosen from its open list
    (the window then hands the keys back to the conversation), not when arrow keys
    or the wheel step through the codes of the closed list, which go on stepping."""

    picked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._listed = False  # the open list was shown since the last key or wheel step
        self.activated.connect(self._activated)

    def showPopup(self) -> None:
        self._listed = True
        super().showPopup()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        self._listed = False
        super().keyPressEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        self._listed = False
        super().wheelEvent(event)

    def _activated(self, index: int) -> None:
        if self._listed:
            self._listed = False
            self.picked.emit(index)


def _reason_text(number: int | None, code: str, label: str) -> str:
    """A reason as the picker lists it: with the digit key that chooses it."""
    if not code:
        return label
    return f"{number}  {code} — {label}" if number is not None else f"{code} — {label}"


def _paragraphs(sentences: Sequence[str]) -> str:
    """One paragraph per sentence, a little apart, so a reviewer reads them one by one."""
    return "".join(f"<p style='margin:0 0 5px 0'>{html.escape(sentence, quote=False)}</p>"
                   for sentence in sentences)


def _details_button() -> QToolButton:
    """The Details toggle: reached with Tab, flipped with Space. (No Alt mnemonic: the
    window's keys are declared in the key map, and nothing else binds one.)"""
    button = QToolButton()
    button.setText("Details")
    button.setCheckable(True)
    button.setAutoRaise(True)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    button.setToolTip("Show the recognizer, its pattern and its raw scores")
    return button


def _readonly_text(height: int) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setReadOnly(True)
    box.setMaximumHeight(height)
    box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return box
