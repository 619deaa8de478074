"""The main window at 1024×700 and 1920×1080: the conversation keeps a reading
width, the browser's counts and progress stay in view, status chips never wrap,
and the current span keeps three lines of context above and below whichever key
moved it. docs/screenshots/make.py pictures the same layouts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication

from reviewer.gui.browser_model import COLUMNS, STATE_COLUMN, TITLE_COLUMN
from reviewer.gui.conversation import ConversationView
from reviewer.gui.settings import Settings
from reviewer.gui.window import MainWindow
from tests.gui.conftest import fill, started_window
from tests.ops.review_builders import add_chat

# (width, height, least conversation width)
SIZES = [(1024, 700, 400), (1920, 1080, 800)]
COUNT_COLUMNS = [i for i, (_h, _s, field) in enumerate(COLUMNS)
                 if field in ("n_pending", "n_approved", "n_rejected")]
CONTEXT_LINES = 3


def long_chat(store: Any) -> int:
    """A conversation several screens tall, with a span in every message."""
    texts = [("user" if i % 2 == 0 else "assistant",
              f"Note {i}: the landlord wrote again about the lease and the repairs, "
              f"and Maria Lopez answered the same day with the photos.\n"
              f"Second line of note {i}, so each message takes some room.")
             for i in range(40)]
    return add_chat(store, "long-1", texts, [(i, "Maria Lopez", "PERSON") for i in range(40)],
                    title="A very long lease thread with many messages about the repairs")


@pytest.fixture
def sized(request: pytest.FixtureRequest, qtbot: Any, store: Any,
          settings: Settings) -> Iterator[tuple[MainWindow, int]]:
    """The main window at one of SIZES on the long conversation; its least width."""
    width, height, least = request.param
    fill(store)
    conv = long_chat(store)
    win = started_window(qtbot, store, settings, size=(width, height))
    win.session.open_conversation(conv)
    QApplication.processEvents()
    assert (win.width(), win.height()) == (width, height)
    yield win, least
    win.close()


@pytest.mark.parametrize("sized", SIZES, indirect=True, ids=["1024x700", "1920x1080"])
def test_the_conversation_keeps_a_reading_width(sized: tuple[MainWindow, int]) -> None:
    window, least = sized
    assert window.view.width() >= least
    browser, conversation, inspector = window.splitter.sizes()
    assert conversation > max(browser, inspector)


@pytest.mark.parametrize("sized", SIZES, indirect=True, ids=["1024x700", "1920x1080"])
def test_counts_and_progress_stay_in_the_browser_viewport(
        sized: tuple[MainWindow, int]) -> None:
    table = sized[0].table
    inside = table.viewport().width()
    for column in [TITLE_COLUMN, *COUNT_COLUMNS, STATE_COLUMN]:
        assert not table.isColumnHidden(column)
        left = table.columnViewportPosition(column)
        assert left >= 0
        assert left + table.columnWidth(column) <= inside, COLUMNS[column][0]
    assert table.columnWidth(TITLE_COLUMN) >= 80  # an elided title still says something
    assert table.horizontalScrollBar().maximum() == 0  # nothing to scroll sideways to


@pytest.mark.parametrize("sized", SIZES, indirect=True, ids=["1024x700", "1920x1080"])
def test_the_inspector_shows_every_line_of_its_fields(
        qtbot: Any, sized: tuple[MainWindow, int]) -> None:
    window = sized[0]
    inspector = window.inspector
    for step in range(4):
        if step % 2:  # a status line that wraps in a narrow inspector, then a short one
            window.session.change_entity("EMAIL_ADDRESS")
        qtbot.keyClick(window.view, Qt.Key.Key_J)
        qtbot.keyClick(window.view, Qt.Key.Key_K)
        QApplication.processEvents()
        for label in [*inspector.fields.values(), inspector.why]:
            assert label.height() >= label.heightForWidth(label.width()), label.text()


@pytest.mark.parametrize("sized", SIZES, indirect=True, ids=["1024x700", "1920x1080"])
def test_status_chips_are_on_one_line(sized: tuple[MainWindow, int]) -> None:
    view = sized[0].view
    assert view.marks
    for mark in view.marks.values():
        label = mark.label
        first = _line_of(view.document(), label.selectionStart())
        last = _line_of(view.document(), label.selectionEnd() - 1)
        assert first == last, label.selectedText()


def _line_of(doc: QTextDocument, position: int) -> tuple[int, int]:
    block = doc.findBlock(position)
    line = block.layout().lineForTextPosition(position - block.position())
    return block.blockNumber(), line.lineNumber()


MOVES = [(Qt.Key.Key_J, "J"), (Qt.Key.Key_J, "J"), (Qt.Key.Key_K, "K"), (Qt.Key.Key_G, "G"),
         (Qt.Key.Key_A, "A"), (Qt.Key.Key_R, "R"), (Qt.Key.Key_G, "G")]


@pytest.mark.parametrize("sized", SIZES, indirect=True, ids=["1024x700", "1920x1080"])
def test_the_current_span_keeps_three_lines_of_context(qtbot: Any,
                                                       sized: tuple[MainWindow, int]) -> None:
    window = sized[0]
    view = window.view
    view.setFocus()
    _assert_context(view, "open")
    for _ in range(12):  # well past the first screen
        qtbot.keyClick(view, Qt.Key.Key_J)
        _assert_context(view, "J")
    for key, name in MOVES:
        qtbot.keyClick(view, key)
        _assert_context(view, name)
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    _assert_context(view, "undo")


def _assert_context(view: ConversationView, after: str) -> None:
    QApplication.processEvents()
    rect = view.current_rect()
    assert not rect.isNull(), after
    room = CONTEXT_LINES * view.fontMetrics().lineSpacing()
    bar = view.verticalScrollBar()
    assert rect.top() >= room or bar.value() == bar.minimum(), after
    assert (rect.bottom() <= view.viewport().height() - room
            or bar.value() == bar.maximum()), after
