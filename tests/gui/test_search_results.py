"""What a search shows: "No matches" in the browser when nothing matches (and the
conversation still on screen said not to be a result); hits marked in the text only,
never inside a span's status chip."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from reviewer.gui.conversation import KIND_ESCAPE, KIND_TEXT, PROP_KIND
from reviewer.gui.window import MainWindow


def search(qtbot: Any, window: MainWindow, words: str) -> None:
    qtbot.keyClick(window.view, Qt.Key.Key_Slash)
    window.search.clear()
    qtbot.keyClicks(window.search, words)
    qtbot.keyClick(window.search, Qt.Key.Key_Return)


def test_a_search_without_results_says_no_matches(qtbot: Any, window: MainWindow) -> None:
    search(qtbot, window, "zebra")
    assert window.model.rowCount() == 0
    assert not window.browser.no_matches.isHidden()
    assert window.browser.no_matches.text() == "No matches for “zebra”."
    assert "Not a search result: nothing matches “zebra”" in window.heading.text()
    search(qtbot, window, "stack")
    assert window.browser.no_matches.isHidden()
    assert "Not a search result" not in window.heading.text()
    assert "Stack trace help" in window.heading.text()


def test_no_search_no_filter_shows_no_note(window: MainWindow) -> None:
    assert window.browser.no_matches.isHidden()
    assert "Not a search result" not in window.heading.text()


def hit_kinds(window: MainWindow) -> list[int]:
    return [hit.cursor.charFormat().intProperty(PROP_KIND) for hit in window.view.hits]


def test_highlighting_marks_text_not_status_chips(qtbot: Any, window: MainWindow) -> None:
    assert "PERSON · pending" in window.view.toPlainText()
    window.view.highlight("pending")  # only in the chips
    assert window.view.hits == []
    qtbot.keyClick(window.view, Qt.Key.Key_A)  # a chip now reads "PERSON · redact"
    window.view.highlight("d")
    assert window.view.hits  # "landlord", "dispute" …
    assert set(hit_kinds(window)) <= {KIND_TEXT, KIND_ESCAPE}
    window.view.highlight("Lopez")
    assert len(window.view.hits) == 2
