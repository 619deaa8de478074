"""The conversation view: every message in order, with its role, time and
visibility; hidden content and alternate branches labelled (and collapsible);
spans marked by entity and status; the current span in focus.

The document is built once per conversation. A decision then restyles one span
and rewrites its label in place (QTextCursors follow the edits), so a keystroke
repaints in well under a frame whatever the conversation's length. Every
character of source text carries its message id and source offset as format
properties, which is how a selection maps back to ``[start, end)`` for ``M``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import QTextEdit, QWidget

from reviewer.domain.models import Branch, Message, Span, Visibility
from reviewer.gui import look
from reviewer.ops.review import ConversationDetail

PROP_KIND = QTextFormat.Property.UserProperty + 1
PROP_MESSAGE = QTextFormat.Property.UserProperty + 2
PROP_ORIGIN = QTextFormat.Property.UserProperty + 3
KIND_TEXT, KIND_ESCAPE, KIND_LABEL, KIND_HEADER = 1, 2, 3, 4
TITLE_KEY = -1
LABEL_GAP = "\u2009"  # fixed thin space: label edits never touch the span before it
CONTEXT_LINES = 3  # lines of text kept in view above and below the current span


@dataclass
class SpanMark:
    span: Span
    text: QTextCursor
    label: QTextCursor


@dataclass(frozen=True)
class SourceSelection:
    message_id: int | None
    start: int
    end: int


def is_folded(message: Message) -> bool:
    """Content a reviewer may fold away: hidden, system and tool output, other branches."""
    return message.visibility is not Visibility.VISIBLE or message.branch is Branch.ALTERNATE


def header_text(message: Message) -> str:
    parts = [message.role.upper()]
    if message.author:
        parts.append(message.author)
    parts.append(_when(message.created_at))
    if message.visibility is not Visibility.VISIBLE:
        parts.append(f"hidden · {message.visibility.value}")
    if message.branch is Branch.ALTERNATE:
        parts.append("alternate branch")
    if message.content_type not in ("text", ""):
        parts.append(message.content_type)
    return "  ·  ".join(p for p in parts if p)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else "no time"


class ConversationView(QTextEdit):
    """Read-only rendering of one conversation with live span marks."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse |
                                     Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.document().setUndoRedoEnabled(False)
        self.document().setDocumentMargin(18)
        self.detail: ConversationDetail | None = None
        self.marks: dict[int, SpanMark] = {}
        self.current: int | None = None
        self.collapsed = False
        self.hits: list[QTextEdit.ExtraSelection] = []

    # --- building ---------------------------------------------------------------------------
    def show_conversation(self, detail: ConversationDetail | None) -> None:
        self.detail = detail
        self.current = None
        self._rebuild()

    def set_collapsed(self, collapsed: bool) -> None:
        self.collapsed = collapsed
        self._rebuild()

    def clear_view(self) -> None:
        self.show_conversation(None)

    def _rebuild(self) -> None:
        self.marks = {}
        doc = QTextDocument(self)
        doc.setUndoRedoEnabled(False)
        doc.setDocumentMargin(18)
        doc.setDefaultFont(self.font())
        if self.detail is not None:
            _Builder(doc, self.detail, self.collapsed, self.marks).build()
        self.setDocument(doc)
        self._refresh_extra()

    # --- live updates -----------------------------------------------------------------------
    def update_span(self, span: Span) -> None:
        """Restyle one span after a decision or entity change (no rebuild)."""
        mark = self.marks.get(span.id)
        if mark is None:
            return
        mark.span = span
        _style(mark, self.font().pointSizeF())
        # Other marks' cursors follow the edit; the focus mark on this span's own label
        # was replaced with the label, so it is drawn again.
        if span.id == self.current:
            self._refresh_extra()
        # A longer or shorter label may rewrap the lines above the current span.
        self.keep_in_view(self.current_rect())

    def set_current(self, span_id: int | None) -> None:
        """Put the focus mark on a span and scroll it into view (expanding folds)."""
        if span_id is not None and span_id not in self.marks and self.collapsed:
            self.set_collapsed(False)
        self.current = span_id if span_id in self.marks else None
        self._refresh_extra()
        if self.current is not None:
            cursor = QTextCursor(self.marks[self.current].text)
            cursor.clearSelection()
            self.setTextCursor(cursor)
            self.keep_in_view(self.current_rect())

    def context_height(self) -> int:
        """The room kept around the current span: CONTEXT_LINES lines of body text."""
        return CONTEXT_LINES * self.fontMetrics().lineSpacing() * 5 // 4  # line height 125%

    def current_rect(self) -> QRect:
        """The current span and its label, in viewport coordinates (empty when none)."""
        mark = self.marks.get(self.current) if self.current is not None else None
        if mark is None:
            return QRect()
        return self._cursor_rect(mark.text).united(self._cursor_rect(mark.label))

    def selection_rect(self) -> QRect:
        """The selected text, in viewport coordinates: what a dialog must not cover."""
        return self._cursor_rect(self.textCursor())

    def _cursor_rect(self, cursor: QTextCursor) -> QRect:
        start, end = QTextCursor(cursor), QTextCursor(cursor)
        start.setPosition(cursor.selectionStart())
        end.setPosition(cursor.selectionEnd())
        return self.cursorRect(start).united(self.cursorRect(end))

    def keep_in_view(self, rect: QRect) -> None:
        """Scroll so ``rect`` has the context height of text above and below it; a span
        taller than the view keeps its first line in view with the context above."""
        if rect.isNull():
            return
        bar, room = self.verticalScrollBar(), self.context_height()
        height = self.viewport().height()
        if rect.top() < room or rect.height() + 2 * room > height:
            delta = rect.top() - room
        elif rect.bottom() > height - room:
            delta = rect.bottom() - (height - room)
        else:
            return
        bar.setValue(bar.value() + delta)

    def highlight(self, words: str) -> None:
        """Mark full-text search hits."""
        self.hits = []
        for word in words.split():
            found = self.document().find(word.strip('"'))
            while not found.isNull():
                if found.charFormat().intProperty(PROP_KIND) in (KIND_TEXT, KIND_ESCAPE):
                    hit = QTextEdit.ExtraSelection()  # in the text, not a chip or header
                    hit.cursor = found
                    hit.format = look.hit_format()
                    self.hits.append(hit)
                found = self.document().find(word.strip('"'), found)
        self._refresh_extra()

    def _refresh_extra(self) -> None:
        extra = list(self.hits)
        mark = self.marks.get(self.current) if self.current is not None else None
        if mark is not None:
            for cursor in (mark.text, mark.label):
                focus = QTextEdit.ExtraSelection()
                focus.cursor = cursor
                focus.format = look.current_format()
                extra.append(focus)
        self.setExtraSelections(extra)

    # --- selection back to source offsets ---------------------------------------------------
    def source_selection(self) -> SourceSelection | None:
        """The selected text as (message, start, end) in source offsets; None when the
        selection is empty or crosses a message boundary or a label."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        first = _source_at(self.document(), cursor.selectionStart())
        last = _source_at(self.document(), cursor.selectionEnd() - 1)
        if first is None or last is None or first[0] != last[0]:
            return None
        message = None if first[0] == TITLE_KEY else first[0]
        return SourceSelection(message, first[1], last[2])


def _source_at(doc: QTextDocument, pos: int) -> tuple[int, int, int] | None:
    """(message key, source start, source end) of the character at ``pos``."""
    block = doc.findBlock(pos)
    fragments = []
    it = block.begin()
    while not it.atEnd():
        fragments.append(it.fragment())
        it += 1
    for frag in fragments:
        if frag.position() <= pos < frag.position() + frag.length():
            fmt = frag.charFormat()
            kind = fmt.intProperty(PROP_KIND)
            key, origin = fmt.intProperty(PROP_MESSAGE), fmt.intProperty(PROP_ORIGIN)
            if kind == KIND_ESCAPE:
                return key, origin, origin + 1
            if kind != KIND_TEXT:
                return None
            run_start = next(
                f.position() for f in fragments
                if f.charFormat().intProperty(PROP_KIND) == KIND_TEXT
                and f.charFormat().intProperty(PROP_MESSAGE) == key
                and f.charFormat().intProperty(PROP_ORIGIN) == origin
            )
            offset = origin + pos - run_start
            return key, offset, offset + 1
    return None


def _style(mark: SpanMark, base_size: float) -> None:
    span = mark.span
    mark.text.mergeCharFormat(look.span_format(span.entity, span.status))
    label = look.chip_text(span.entity, span.status)
    fmt = look.label_format(span.entity, span.status, base_size)
    fmt.setProperty(PROP_KIND, KIND_LABEL)
    mark.label.insertText(label, fmt)
    end = mark.label.position()
    mark.label.setPosition(end - len(label))
    mark.label.setPosition(end, QTextCursor.MoveMode.KeepAnchor)


class _Builder:
    """Writes a conversation into a document and records a SpanMark per span."""

    def __init__(self, doc: QTextDocument, detail: ConversationDetail, collapsed: bool,
                 marks: dict[int, SpanMark]) -> None:
        self.doc = doc
        self.detail = detail
        self.collapsed = collapsed
        self.marks = marks
        self.cursor = QTextCursor(doc)
        self.base = doc.defaultFont().pointSizeF()
        self.by_message: dict[int, list[Span]] = {}
        for span in detail.spans:
            key = TITLE_KEY if span.message_id is None else span.message_id
            self.by_message.setdefault(key, []).append(span)

    def build(self) -> None:
        conv = self.detail.conversation
        self._header(f"TITLE  ·  {conv.source_id}", first=True)
        self._source(TITLE_KEY, conv.title or "", False)
        for message in conv.messages:
            self._message(message)

    def _message(self, message: Message) -> None:
        folded = is_folded(message)
        assert message.id is not None
        if folded and self.collapsed:
            n = len(self.by_message.get(message.id, []))
            self._header(f"▸ {header_text(message)}  ·  folded, {n} span(s) — H to expand",
                         note=self._note(message))
            return
        self._header(("▾ " if folded else "") + header_text(message), note=self._note(message))
        self._source(message.id, message.text, folded)

    def _note(self, message: Message) -> str:
        """What the reviewer must read by eye: no language model of this language read it
        (the chat-PII model, trained on English chats, may have found some names)."""
        language = self.detail.unsearched.get(message.id) if message.id is not None else None
        return f"names may be missed: {language}, no language model" if language else ""

    def _header(self, text: str, first: bool = False, note: str = "") -> None:
        block = QTextBlockFormat()
        block.setTopMargin(4 if first else 16)
        block.setBottomMargin(4)
        if not first:
            self.cursor.insertBlock(block)
        else:
            self.cursor.setBlockFormat(block)
        fmt = QTextCharFormat()
        fmt.setFontPointSize(max(self.base * 0.82, 7.0))
        fmt.setFontWeight(QFont.Weight.DemiBold)
        fmt.setFontLetterSpacing(104)
        fmt.setForeground(QColor("#5f6773"))
        fmt.setProperty(PROP_KIND, KIND_HEADER)
        self.cursor.insertText(text, fmt)
        if note:
            self.cursor.insertText("  ", fmt)
            self.cursor.insertText(f" {note} ", _note_format(fmt))

    def _source(self, key: int, text: str, folded: bool) -> None:
        block = QTextBlockFormat()
        block.setLeftMargin(14)
        block.setLineHeight(125, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
        if folded:
            block.setBackground(QColor("#f1f3f6"))
        self.cursor.insertBlock(block)
        pos = 0
        for span in self.by_message.get(key, []):
            start, end = max(span.start, pos), max(span.end, pos)
            self._runs(key, text, pos, start, block)
            self._span(key, text, span, start, end, block)
            pos = end
        self._runs(key, text, pos, len(text), block)

    def _span(self, key: int, text: str, span: Span, start: int, end: int,
              block: QTextBlockFormat) -> None:
        # Cursors are made after the text around them exists: a cursor sitting exactly
        # where text is inserted would grow over it.
        begin = self.cursor.position()
        self._runs(key, text, start, end, block)
        finish = self.cursor.position()
        gap = QTextCharFormat()
        gap.setProperty(PROP_KIND, KIND_LABEL)
        self.cursor.insertText(LABEL_GAP + LABEL_GAP, gap)
        text_cursor = QTextCursor(self.doc)
        text_cursor.setPosition(begin)
        text_cursor.setPosition(finish, QTextCursor.MoveMode.KeepAnchor)
        label = QTextCursor(self.doc)
        label.setPosition(finish + len(LABEL_GAP))
        mark = SpanMark(span, text_cursor, label)
        _style(mark, self.base)
        self.cursor.movePosition(QTextCursor.MoveOperation.End)
        self.marks[span.id] = mark

    def _runs(self, key: int, text: str, start: int, end: int, block: QTextBlockFormat) -> None:
        """Source text ``[start, end)``: newlines become blocks, invisibles become names."""
        run_start = start
        for i in range(start, end + 1):
            char = text[i] if i < end else ""
            if i < end and char != "\n" and char not in look.INVISIBLE_NAMES:
                continue
            if i > run_start:
                self.cursor.insertText(text[run_start:i], _text_format(key, run_start))
            if char == "\n":
                self.cursor.insertBlock(block)
            elif char:
                self.cursor.insertText(f"⟨{look.INVISIBLE_NAMES[char]}⟩", _escape_format(key, i))
            run_start = i + 1


def _note_format(header: QTextCharFormat) -> QTextCharFormat:
    """A header's warning: amber, so a message to read by eye stands out."""
    fmt = QTextCharFormat(header)
    fmt.setForeground(QColor("#7a4b00"))
    fmt.setBackground(QColor("#fff1c7"))
    return fmt


def _text_format(key: int, origin: int) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor("#1d2127"))
    fmt.setProperty(PROP_KIND, KIND_TEXT)
    fmt.setProperty(PROP_MESSAGE, key)
    fmt.setProperty(PROP_ORIGIN, origin)
    return fmt


def _escape_format(key: int, origin: int) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor("#b3261e"))
    fmt.setBackground(QColor("#fdecea"))
    fmt.setFontItalic(True)
    fmt.setProperty(PROP_KIND, KIND_ESCAPE)
    fmt.setProperty(PROP_MESSAGE, key)
    fmt.setProperty(PROP_ORIGIN, origin)
    return fmt
