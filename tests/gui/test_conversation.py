"""The conversation view: labels, visible invisibles, status shapes, selection
mapping back to source offsets, and decisions durable before they show."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from reviewer.domain.models import Status
from reviewer.gui import look
from reviewer.gui.conversation import ConversationView
from reviewer.gui.window import MainWindow
from reviewer.ops import review
from tests.ops.review_builders import add_chat


@pytest.fixture
def view(qtbot: Any) -> ConversationView:
    widget = ConversationView()
    qtbot.addWidget(widget)
    return widget


def test_roles_visibility_and_branches_are_labelled(view: ConversationView, store: Any,
                                                    conversations: dict[str, int]) -> None:
    view.show_conversation(review.conversation_detail(store, conversations["branchy"]))
    text = view.toPlainText()
    for label in ("SYSTEM", "hidden · system", "alternate branch", "hidden · tool", "TITLE"):
        assert label in text
    assert "⟨ZWSP⟩ kept my deposit" in text


def test_status_is_told_by_words_not_colour(view: ConversationView, store: Any,
                                            conversations: dict[str, int]) -> None:
    detail = review.conversation_detail(store, conversations["lease"])
    view.show_conversation(detail)
    first, second = detail.spans[0], detail.spans[1]
    view.update_span(_with(first, Status.APPROVED))
    view.update_span(_with(second, Status.REJECTED))
    text = view.toPlainText()
    assert "■ PERSON · redact" in text
    assert "○ PERSON · keep" in text
    assert "◇ EMAIL_ADDRESS · pending" in text
    assert "Maria Lopez" in text  # approved text stays readable


def _with(span: Any, status: Status) -> Any:
    import dataclasses

    return dataclasses.replace(span, status=status)


def test_label_edits_keep_every_span_in_place(view: ConversationView, store: Any) -> None:
    conv = add_chat(store, "tight", [("user", "AnnBo Cy")],
                    [(0, "Ann", "PERSON"), (0, "Bo", "PERSON"), (0, "Cy", "PERSON")])
    detail = review.conversation_detail(store, conv)
    view.show_conversation(detail)
    for span in detail.spans:
        view.update_span(_with(span, Status.APPROVED))
        view.update_span(_with(span, Status.REJECTED))
    assert [view.marks[s.id].text.selectedText() for s in detail.spans] == ["Ann", "Bo", "Cy"]


def test_selection_maps_back_to_source_offsets(view: ConversationView, store: Any,
                                               conversations: dict[str, int]) -> None:
    detail = review.conversation_detail(store, conversations["branchy"])
    view.show_conversation(detail)
    message = detail.conversation.messages[1]
    found = view.document().find("kept my")
    view.setTextCursor(found)
    where = view.source_selection()
    assert where is not None
    assert where.message_id == message.id
    assert message.text[where.start:where.end] == "kept my"
    across = view.document().find("⟨ZWSP⟩ kept")
    view.setTextCursor(across)
    where = view.source_selection()
    assert where is not None
    assert message.text[where.start:where.end] == "\u200b kept"


def test_selection_across_messages_is_refused(view: ConversationView, store: Any,
                                              conversations: dict[str, int]) -> None:
    view.show_conversation(review.conversation_detail(store, conversations["lease"]))
    cursor = QTextCursor(view.document())
    cursor.setPosition(view.document().find("Hi").position())
    cursor.setPosition(view.document().find("Hello").position(), QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    assert view.source_selection() is None


def test_current_span_has_a_focus_mark(view: ConversationView, store: Any,
                                       conversations: dict[str, int]) -> None:
    detail = review.conversation_detail(store, conversations["lease"])
    view.show_conversation(detail)
    view.set_current(detail.spans[2].id)
    marked = [sel.cursor.selectedText() for sel in view.extraSelections()]
    assert "Maria Lopez" in marked
    assert any("PERSON" in m for m in marked)


def test_a_decision_is_in_the_store_when_the_screen_shows_it(
        qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[Status, Status]] = []
    real = window.view.update_span

    def checking(span: Any) -> None:
        stored = review.spans_by_id(window.store, [span.id])[0]
        seen.append((span.status, stored.status))
        real(span)

    monkeypatch.setattr(window.view, "update_span", checking)
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    qtbot.keyClick(window.view, Qt.Key.Key_R)
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert seen == [(Status.APPROVED, Status.APPROVED), (Status.REJECTED, Status.REJECTED),
                    (Status.PENDING, Status.PENDING)]


def test_status_bar_counts_follow_decisions(qtbot: Any, window: MainWindow) -> None:
    assert "8 pending" in window.totals_label.text()
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    assert "7 pending" in window.totals_label.text()
    assert "1 approved" in window.totals_label.text()
    assert "reviewer: tester" in window.who_label.text()
    qtbot.waitUntil(lambda: window.model.rows[0].n_approved == 1)
    assert window.inspector.text.toPlainText() == "Tom Baker"


def test_focus_mark_survives_a_label_change(view: ConversationView, store: Any,
                                            conversations: dict[str, int]) -> None:
    import dataclasses

    detail = review.conversation_detail(store, conversations["lease"])
    view.show_conversation(detail)
    span = detail.spans[0]
    view.set_current(span.id)
    view.update_span(dataclasses.replace(span, entity="LOCATION"))
    marked = [sel.cursor.selectedText() for sel in view.extraSelections()]
    assert look.chip_text("LOCATION", Status.PENDING) in marked  # "◇ LOCATION · pending"


def _analysed_in(store: Any, conv_id: int, languages: list[tuple[str, bool]]) -> None:
    """Record the analysis of each message: its language, whether names were looked for."""
    from reviewer.store import analysis, conversations

    with store.transaction() as conn:
        messages = conversations.get_conversation(conn, conv_id).messages
        analysis.save_batch(conn, [
            analysis.AnalysedText(conv_id, m.id, [], language, searched)
            for m, (language, searched) in zip(messages, languages, strict=True)], "h", "t")


def test_a_message_whose_names_were_not_searched_says_so(view: ConversationView,
                                                         store: Any) -> None:
    conv = add_chat(store, "mixed", [
        ("user", "Can you translate this for Jane Doe?"),
        ("assistant", "그것은 위험합니다. 그래서 리스크가 큽니다. 메일: minsu.kim@example.org"),
        ("user", "Thanks!")],
        [(1, "minsu.kim@example.org", "EMAIL_ADDRESS")])
    _analysed_in(store, conv, [("en", True), ("ko", False), ("und", True)])
    view.show_conversation(review.conversation_detail(store, conv))
    lines = view.toPlainText().splitlines()
    marked = [line for line in lines if "names may be missed" in line]
    assert len(marked) == 1
    assert marked[0].startswith("ASSISTANT")
    assert marked[0].strip().endswith("names may be missed: Korean, no language model")
    view.set_collapsed(True)  # a folded message keeps its note
    assert view.toPlainText().count("names may be missed: Korean, no language model") == 1
