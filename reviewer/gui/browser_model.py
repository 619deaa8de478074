"""The conversation browser: a table model over a keyset window of the store.

The model holds a window of summary rows (ids and counters), fetched a page at
a time in SQL order, never the whole matter. ``fetchMore`` extends the window
downwards; scrolling to its top extends it upwards; Ctrl+End re-anchors it at
the last row with one backwards page. ``data`` reads the window only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import cache
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QPainter, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from reviewer.domain.changes import ConversationCounts
from reviewer.ops.browse import BrowseQuery, ConversationSummary, Page

ConversationIdRole = Qt.ItemDataRole.UserRole
ProgressRole = Qt.ItemDataRole.UserRole + 1
ConflictRole = Qt.ItemDataRole.UserRole + 2
# The progress bar: decided spans in blue, all decided in green, or in amber while a
# span a batch merge left in conflict is still to settle (all decided is not done).
BAR_COLOURS = {"decided": "#5b7fb8", "done": "#3c8d5a", "conflict": "#c4841d"}

PAGE_ROWS = 100
ROW_HEIGHT = 26

# (header, sort key, summary field)
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("#", "id", "id"),
    ("Title", "title", "title"),
    ("Started", "created", "created_at"),
    ("Msgs", "messages", "n_messages"),
    ("◇", "pending", "n_pending"),
    ("■", "approved", "n_approved"),
    ("○", "rejected", "n_rejected"),
    ("Progress", "pending", "n_pending"),
    ("Source id", "source", "source_id"),
)
HEADER_TIPS = ("Conversation number in this store", "Title", "When the conversation started",
               "Messages", "Pending spans", "Approved spans (redacted)",
               "Rejected spans (kept)", "Decided spans of all spans; ⚑ conflict: a span a "
               "batch merge left in conflict is still to settle (C goes to the next)",
               "The conversation's id in its source file")
WIDTHS = (48, 200, 88, 50, 38, 38, 38, 80, 120)
STATE_COLUMN = 7
TITLE_COLUMN = 1  # takes the room the others leave, elided at its end
# The columns a narrow pane hides, first to go first (source id, started, messages, #):
# the title, the three counts and the progress always stay in view.
OPTIONAL_COLUMNS = (8, 2, 3, 0)
TITLE_ROOM = 150  # the title's width below which an optional column gives way
ROW_FLAGS = (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
             | Qt.ItemFlag.ItemNeverHasChildren)
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
NUMERIC = {"id", "n_messages", "n_pending", "n_approved", "n_rejected"}


@cache
def untitled_font() -> QFont:
    """An untitled row's source id, standing in for its title, is in italics (made
    once, when the first is shown: a font needs the application)."""
    font = QFont()
    font.setItalic(True)
    return font

Fetcher = Callable[[BrowseQuery, ConversationSummary | None, int, bool], Page]
AnyIndex = QModelIndex | QPersistentModelIndex


def state_text(row: ConversationSummary) -> str:
    total = row.n_pending + row.n_approved + row.n_rejected
    if total == 0:
        return "no spans"
    if row.conflicted:  # all decided is not done while a lead must still settle a span
        return "⚑ conflict"
    if row.n_pending == 0:
        return "✓ done"
    return f"● {row.n_pending} left"


def display(row: ConversationSummary, column: int) -> str:
    field = COLUMNS[column][2]
    if column == STATE_COLUMN:
        return state_text(row)
    value = getattr(row, field)
    if field == "created_at":
        return (value or "")[:10]
    if field == "title" and not (value or "").strip():
        # Untitled rows must still be told apart where the source id column is hidden
        # and a title shows its first ten characters: the source id, in italics
        # (``untitled_font``), stands in; the tooltip says "(untitled)".
        return row.source_id
    return "" if value is None else str(value)


class BrowserModel(QAbstractTableModel):
    """A window of browser rows in the query's order; ``fetch`` reads one keyset page."""

    def __init__(self, fetch: Fetcher, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fetch = fetch
        self.query = BrowseQuery()
        self.rows: list[ConversationSummary] = []
        self.row_of: dict[int, int] = {}
        self.complete_after = True
        self.complete_before = True
        # Set by the window: a new order or filter runs there, off the main thread.
        self.query_runner: Callable[[BrowseQuery], None] | None = None

    # --- Qt model interface ---------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.title or '(untitled)'}\n{row.source_id}"
        if (role == Qt.ItemDataRole.FontRole and column == TITLE_COLUMN
                and not (row.title or "").strip()):
            return untitled_font()
        if role == Qt.ItemDataRole.TextAlignmentRole and COLUMNS[column][2] in NUMERIC:
            return RIGHT
        if role == ConversationIdRole:
            return row.id
        if role == ProgressRole:
            return _progress(row)
        if role == ConflictRole:
            return row.conflicted
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        if role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS[section]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        return ROW_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def canFetchMore(self, parent: AnyIndex) -> bool:
        return not parent.isValid() and not self.complete_after

    def fetchMore(self, parent: AnyIndex) -> None:
        if parent.isValid() or self.complete_after:
            return
        page = self.fetch(self.query, self.rows[-1] if self.rows else None, PAGE_ROWS, False)
        self.complete_after = page.complete
        if page.rows:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
            self.rows.extend(page.rows)
            self._reindex()
            self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        query = self.query.with_changes(sort=COLUMNS[column][1],
                                        descending=order == Qt.SortOrder.DescendingOrder)
        if query == self.query:
            return  # the view re-announces its indicator (setModel, setSortingEnabled)
        if self.query_runner is not None:
            self.query_runner(query)
        else:
            self.set_query(query)

    # --- the window -------------------------------------------------------------------------
    def set_query(self, query: BrowseQuery) -> None:
        """Show the first page of ``query`` (sort and filter happen in SQL)."""
        self.query = query
        self.jump_to_start()

    def show_page(self, page: Page) -> None:
        """Show a first page fetched elsewhere (a background search)."""
        self._replace(page.rows, complete_before=True, complete_after=page.complete)

    def jump_to_start(self) -> None:
        page = self.fetch(self.query, None, PAGE_ROWS, False)
        self._replace(page.rows, complete_before=True, complete_after=page.complete)

    def jump_to_end(self) -> None:
        """Anchor the window at the last row: one backwards page, whatever the matter's size."""
        page = self.fetch(self.query, None, PAGE_ROWS, True)
        self._replace(page.rows, complete_before=page.complete, complete_after=True)

    def fetch_before(self) -> int:
        """Extend the window upwards by one page; returns how many rows were put in front."""
        if self.complete_before or not self.rows:
            return 0
        page = self.fetch(self.query, self.rows[0], PAGE_ROWS, True)
        self.complete_before = page.complete
        if not page.rows:
            return 0
        self.beginInsertRows(QModelIndex(), 0, len(page.rows) - 1)
        self.rows[:0] = page.rows
        self._reindex()
        self.endInsertRows()
        return len(page.rows)

    def update_counts(self, counted: Iterable[ConversationCounts]) -> None:
        """The store's counters and conflict mark of conversations an operation touched,
        for the rows in the window (a dictionary look-up each: the window re-reads nothing)."""
        for fresh in counted:
            at = self.row_of.get(fresh.conversation_id)
            if at is not None:
                counts = fresh.counts
                self.rows[at] = replace(self.rows[at], n_pending=counts.pending,
                                        n_approved=counts.approved, n_rejected=counts.rejected,
                                        conflicted=fresh.conflicted)
                self.dataChanged.emit(self.index(at, 0), self.index(at, len(COLUMNS) - 1))

    def conversation_at(self, row: int) -> int | None:
        return self.rows[row].id if 0 <= row < len(self.rows) else None

    def _replace(self, rows: list[ConversationSummary], *, complete_before: bool,
                 complete_after: bool) -> None:
        self.beginResetModel()
        self.rows = rows
        self.complete_before = complete_before
        self.complete_after = complete_after
        self._reindex()
        self.endResetModel()

    def _reindex(self) -> None:
        self.row_of = {row.id: i for i, row in enumerate(self.rows)}


def _progress(row: ConversationSummary) -> float | None:
    total = row.n_pending + row.n_approved + row.n_rejected
    return None if total == 0 else (total - row.n_pending) / total


class ProgressDelegate(QStyledItemDelegate):
    """The state column: a thin bar of decided / all spans under the state text."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        super().paint(painter, option, index)
        share = index.data(ProgressRole)
        if share is None:
            return
        rect: QRect = option.rect.adjusted(6, option.rect.height() - 6, -6, -3)
        painter.save()
        painter.fillRect(rect, QColor("#e3e6ea"))
        done = QRect(rect.left(), rect.top(), int(rect.width() * share), rect.height())
        state = ("conflict" if index.data(ConflictRole) else "done" if share >= 1
                 else "decided")
        painter.fillRect(done, QColor(BAR_COLOURS[state]))
        painter.restore()


class BrowserView(QTableView):
    """The browser table: fixed row heights, sorting in SQL, a window that grows both ways."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setSortingEnabled(True)
        self.verticalHeader().hide()
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        self.setItemDelegateForColumn(STATE_COLUMN, ProgressDelegate(self))
        self.verticalScrollBar().valueChanged.connect(self._maybe_extend_up)

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        header = self.horizontalHeader()
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(TITLE_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        for column, width in enumerate(WIDTHS):
            self.setColumnWidth(column, width)
        self.fit_columns()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_columns()

    def fit_columns(self) -> None:
        """Hide the optional columns a narrow pane has no room for, so the counts and
        the progress never scroll out of view."""
        room = self.viewport().width() - sum(WIDTHS) + WIDTHS[TITLE_COLUMN]
        hidden = set()
        for column in OPTIONAL_COLUMNS:
            if room >= TITLE_ROOM:
                break
            hidden.add(column)
            room += WIDTHS[column]
        for column in range(len(WIDTHS)):
            self.setColumnHidden(column, column in hidden)

    def browser_model(self) -> BrowserModel:
        model = self.model()
        assert isinstance(model, BrowserModel)
        return model

    def moveCursor(self, action: QAbstractItemView.CursorAction,
                   modifiers: Qt.KeyboardModifier) -> QModelIndex:
        model = self.browser_model()
        if action == QAbstractItemView.CursorAction.MoveEnd and not model.complete_after:
            model.jump_to_end()
            return model.index(model.rowCount() - 1, 0)
        if action == QAbstractItemView.CursorAction.MoveHome and not model.complete_before:
            model.jump_to_start()
            return model.index(0, 0)
        return super().moveCursor(action, modifiers)

    def select_row(self, row: int) -> None:
        # The title's cell, which never hides (the "#" column does in a narrow pane, and
        # Up and Down did nothing from a current cell in a hidden column).
        index = self.model().index(row, TITLE_COLUMN)
        self.selectionModel().setCurrentIndex(
            index, self.selectionModel().SelectionFlag.ClearAndSelect |
            self.selectionModel().SelectionFlag.Rows)
        self.scrollTo(index)

    def _maybe_extend_up(self, value: int) -> None:
        bar = self.verticalScrollBar()
        # A reset passes through value 0 before the range is laid out: not a scroll.
        if value == bar.minimum() and bar.maximum() > bar.minimum():
            added = self.browser_model().fetch_before()
            if added:
                bar.setValue(added)
