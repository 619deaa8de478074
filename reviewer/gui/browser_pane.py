"""The browser pane: search field, filter pickers and the conversation table.

Order, filters and search run in SQL through the job runner (off the main
thread); the first page lands in the model. Choosing a row announces the
conversation; showing a conversation chosen elsewhere (G, A across
conversations) selects its row without announcing it again.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from reviewer.gui.browser_model import BrowserModel, BrowserView
from reviewer.gui.jobs import JobBar
from reviewer.ops import browse
from reviewer.ops.browse import BrowseQuery, Page
from reviewer.ops.stores import Store

# Short labels: the three pickers share a third of a 1024-pixel window.
STATES = (("All", None), ("Pending", "pending"), ("Done", "done"),
          ("Conflicts", "conflict"))
FILTER_TIPS = ("Which conversations: all, those with pending spans, those done (nothing "
               "pending, no conflict open), or those with a span a batch merge left in "
               "conflict (C goes to the next one)",
               "Only conversations with a span of this entity",
               "Only conversations with a message of this role")
SEARCH_DELAY_MS = 250


class BrowserPane(QWidget):
    conversation_chosen = Signal(int)
    searched = Signal(str)

    def __init__(self, store: Store, jobs: JobBar, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.jobs = jobs
        self.model = BrowserModel(self._fetch, self)
        self.model.query_runner = self.run_query
        self.table = BrowserView()
        self.table.setModel(self.model)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search conversations  ( / )")
        self.search.setClearButtonEnabled(True)
        self.state_filter = _combo([label for label, _ in STATES])
        self.entity_filter = _combo(["Any entity"])
        self.role_filter = _combo(["Any role"])
        # Said where the rows would be: a search or filter that finds nothing.
        self.no_matches = QLabel("No matches")
        self.no_matches.setWordWrap(True)
        self.no_matches.setTextFormat(Qt.TextFormat.PlainText)
        self.no_matches.setContentsMargins(6, 10, 6, 10)
        self.no_matches.hide()
        self._syncing = False
        # Queries run in the background and may come back out of order: only the last
        # one asked is shown. ``_opens``: the query whose first row opens when it comes
        # back (None: the conversation under review stays). ``_awaited``: an Enter
        # search is running, which decision keys wait for (``opening``).
        self._asked = 0
        self._opens: int | None = None
        self._awaited = False
        self._shown: int | None = None  # the conversation under review
        self._opening_first = False  # a query's result is selecting its first row
        self._layout()
        self._connect()

    def _layout(self) -> None:
        filters = QHBoxLayout()
        filters.setSpacing(6)
        for combo, tip in zip((self.state_filter, self.entity_filter, self.role_filter),
                              FILTER_TIPS, strict=True):
            # Each shares the row (none pushes the others out), narrower than its longest
            # entry; the list that opens is as wide as its entries.
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(4)
            combo.setToolTip(tip)
            filters.addWidget(combo, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 0, 0)
        layout.addWidget(self.search)
        layout.addLayout(filters)
        layout.addWidget(self.no_matches)
        layout.addWidget(self.table, 1)

    def _connect(self) -> None:
        self.table.selectionModel().currentRowChanged.connect(self._row_chosen)
        self.model.modelReset.connect(self._show_match_state)
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _t: self.search_timer.start())
        self.search.returnPressed.connect(self._search_entered)
        for combo in (self.state_filter, self.entity_filter, self.role_filter):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filters())

    def _fetch(self, query: BrowseQuery, after: Any, limit: int, backwards: bool) -> Page:
        return browse.fetch_page(self.store, query, after, limit=limit, backwards=backwards)

    def current_query(self) -> BrowseQuery:
        return self.model.query.with_changes(
            state=STATES[self.state_filter.currentIndex()][1], search=self.search.text(),
            entity=self.entity_filter.currentData(), role=self.role_filter.currentData())

    def apply_filters(self) -> None:
        self.search_timer.stop()
        self.run_query(self.current_query())

    def _search_entered(self) -> None:
        """Enter in the search: the first match opens, and decision keys wait for it."""
        self._awaited = True
        self.apply_filters()

    def run_query(self, query: BrowseQuery, opens: bool = True) -> None:
        """Show the rows of ``query``; with ``opens`` its first row opens when they come."""
        self._asked += 1
        asked = self._asked
        self._opens = asked if opens else None
        self.jobs.submit("Searching", lambda _p: self._fetch(query, None, 100, False),
                         lambda page: self._show_results(query, page, asked), quiet=True,
                         failed_too=lambda: self._failed(asked))

    def hold(self) -> None:
        """The reviewer acts on the conversation on screen (a key, Esc out of the
        search): a query still running only lists its rows, and one the search field
        was still waiting to run runs now, for the list alone."""
        self._opens = None
        self._awaited = False
        if self.search_timer.isActive():
            self.search_timer.stop()
            self.run_query(self.current_query(), opens=False)

    def opening(self) -> bool:
        """An Enter search is running: its first match is about to open."""
        return self._awaited

    def _failed(self, asked: int) -> None:
        if asked == self._asked:
            self._opens, self._awaited = None, False

    def _show_results(self, query: BrowseQuery, page: Page, asked: int) -> None:
        if asked != self._asked:
            return  # a later query was asked: its rows are the ones to show
        opens = self._opens == asked
        self._opens, self._awaited = None, False
        self.model.query = query
        self.model.show_page(page)
        self.searched.emit(query.search)
        if not self.model.rowCount():
            return
        if opens:
            self._opening_first = True
            try:
                self.table.select_row(0)
            finally:
                self._opening_first = False
        elif self._shown is not None:
            self.show_conversation(self._shown)

    def found_nothing(self) -> bool:
        """The rows shown are a search's or a filter's, and there are none."""
        query = self.model.query
        narrowed = bool(query.search.strip()) or any((query.state, query.entity, query.role))
        return narrowed and self.model.rowCount() == 0

    def _show_match_state(self) -> None:
        words = self.model.query.search.strip()
        self.no_matches.setText(f"No matches for “{words}”." if words else
                                "No matches: no conversation passes these filters.")
        self.no_matches.setVisible(self.found_nothing())

    def _row_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        conv_id = self.model.conversation_at(current.row())
        if conv_id is not None and not self._syncing:
            if not self._opening_first:
                self.hold()  # a row the reviewer chose (a click) is what they act on now
            self.conversation_chosen.emit(conv_id)

    def show_conversation(self, conv_id: int) -> None:
        """Select the row of a conversation opened elsewhere, if it is in the window."""
        self._shown = conv_id
        row = self.model.row_of.get(conv_id)
        if row is not None and self.table.currentIndex().row() != row:
            self._syncing = True
            self.table.select_row(row)
            self._syncing = False

    def step(self, delta: int) -> bool:
        """N / P: the next or previous row, growing the window as needed."""
        target = self.table.currentIndex().row() + delta
        if target >= self.model.rowCount() and self.model.canFetchMore(QModelIndex()):
            self.model.fetchMore(QModelIndex())
        if target < 0 and self.model.fetch_before():
            target = self.table.currentIndex().row() + delta
        if not 0 <= target < self.model.rowCount():
            return False
        self.table.select_row(target)
        return True

    def set_choices(self, choices: tuple[list[str], list[str]]) -> None:
        entities, roles = choices
        for combo, values in ((self.entity_filter, entities), (self.role_filter, roles)):
            combo.blockSignals(True)
            for value in values:
                combo.addItem(value, value)
            combo.blockSignals(False)

    def stop(self) -> None:
        self.search_timer.stop()


def _combo(items: list[str]) -> QComboBox:
    combo = QComboBox()
    for item in items:
        combo.addItem(item, None)
    combo.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
    return combo
