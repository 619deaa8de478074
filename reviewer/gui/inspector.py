"""The span inspector: what the current span is, why it was suggested, who decided
what, and the reason code the next decision will carry."""

from __future__ import annotations

import json
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from reviewer.domain.models import Decision, Span
from reviewer.gui import look


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

    def __init__(self, reasons: Sequence[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumWidth(330)
        self.fields: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setVerticalSpacing(8)
        # The covered text may be one long token (an e-mail address, a key): it wraps anywhere.
        self.text = _readonly_text(54)
        self.text.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        form.addRow("Text:", self.text)
        for name in ("Entity", "Status", "Score", "Recognizer", "Origin", "Reason"):
            label = QLabel("—")
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[name] = label
            form.addRow(f"{name}:", label)
        self.reason = QComboBox()
        self.reason.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.reason.setMinimumContentsLength(12)
        self.reason.setToolTip("The reason code recorded with your next decision")
        for code, label_text in reasons:
            self.reason.addItem(f"{code} — {label_text}" if code else label_text, code)
        form.addRow("Reason code:", self.reason)
        self.explanation = _readonly_text(120)
        self.history = _readonly_text(160)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        title = QLabel("<b>Span</b>")
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(QLabel("<b>Why it was suggested</b>"))
        layout.addWidget(self.explanation)
        layout.addWidget(QLabel("<b>Decision history</b>"))
        layout.addWidget(self.history)
        layout.addStretch(1)

    def show_span(self, span: Span | None, text: str = "",
                  history: Sequence[Decision] = ()) -> None:
        if span is None:
            for label in self.fields.values():
                label.setText("—")
            self.text.setPlainText("")
            self.explanation.setPlainText("")
            self.history.setPlainText("No span selected.")
            return
        self.text.setPlainText(look.escape_text(text))
        values = {
            "Entity": span.entity,
            "Status": look.label_text(span.entity, span.status),
            "Score": f"{span.score:.2f}", "Recognizer": span.recognizer,
            "Origin": span.origin.value, "Reason": span.reason or "—",
        }
        for name, value in values.items():
            self.fields[name].setText(value)
        self.explanation.setPlainText(_explain(span))
        lines = [history_line(d) for d in history] or ["Not decided yet."]
        self.history.setPlainText("\n".join(lines))

    def reason_code(self) -> str | None:
        code = self.reason.currentData()
        return str(code) if code else None


def _explain(span: Span) -> str:
    """One ``key: value`` line per fact; nested values compact."""
    if not span.explanation:
        return "No explanation recorded."
    lines = []
    for key, value in sorted(span.explanation.items()):
        shown = value if isinstance(value, str | int | float) else json.dumps(
            value, ensure_ascii=False, sort_keys=True)
        text = str(shown)
        lines.append(f"{key}: {text if len(text) <= 160 else text[:159] + '…'}")
    return "\n".join(lines)


def _readonly_text(height: int) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setReadOnly(True)
    box.setMaximumHeight(height)
    box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return box
