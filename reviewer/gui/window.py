"""The main window: browser | conversation | inspector, the status bar, the
key dispatcher, locking, and the background tasks (import, analysis, export,
counting, search)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from PySide6.QtCore import QEvent, QObject, QRect, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from reviewer import __version__
from reviewer.domain.changes import Changes, StatusCounts
from reviewer.domain.models import Span, Status
from reviewer.gui import icons, look
from reviewer.gui.browser_pane import BrowserPane
from reviewer.gui.conversation import ConversationView
from reviewer.gui.dialogs import (
    AboutDialog,
    ConfirmDialog,
    EntityDialog,
    KeyReference,
    PassphrasePrompt,
    place_clear_of,
)
from reviewer.gui.inspector import SpanInspector
from reviewer.gui.jobs import JobBar
from reviewer.gui.keymap import (
    BY_ID,
    COMMANDS,
    MENUS,
    Command,
    KeyMap,
    describe,
    numbered_reasons,
)
from reviewer.gui.matter import MatterActions
from reviewer.gui.qc_mode import QcMode
from reviewer.gui.reviewing import ReviewSession
from reviewer.gui.settings import Settings, WindowState
from reviewer.gui.tasks import TaskRunner
from reviewer.ops import batches, browse, policies, review
from reviewer.ops.stores import Store


def is_text_field(widget: QWidget | None) -> bool:
    """Insert mode: the focus is somewhere the user types text."""
    if isinstance(widget, QLineEdit | QAbstractSpinBox):
        return True
    if isinstance(widget, QComboBox):
        return widget.isEditable()
    if isinstance(widget, QTextEdit | QPlainTextEdit):
        return not widget.isReadOnly()
    return False


class MainWindow(QMainWindow):
    def __init__(self, store: Store, reviewer: str, settings: Settings, runner: TaskRunner,
                 state: WindowState | None = None) -> None:
        super().__init__()
        self.store = store
        self.settings = settings
        self.runner = runner
        self.state = state
        self.keymap = KeyMap(settings.key_overrides())
        self.policy = policies.policy_for_review(store)  # the store's policy in force
        self.entities = review.entity_names(self.policy)
        self.reasons = review.reason_codes(self.policy)
        self.locked = False
        self.dialog: QDialog | None = None
        self.same_text_asked = False  # a Shift+A / Shift+R count or its question is open
        self.jobs = JobBar(runner)
        batch = batches.batch_title(store)  # a review batch says which of which matter
        name = f"{store.path.name} ({batch})" if batch else store.path.name
        self.setWindowTitle(f"{name} — Redaction Reviewer")
        self._build()
        self.session = ReviewSession(store, reviewer, self.view, self.inspector, self)
        self.matter = MatterActions(store, reviewer, self.jobs, self._open_dialog, self,
                                    settings=settings)
        self.qc = QcMode(store, reviewer, self.session, self._open_dialog, self)
        self._connect()
        # The registry's handlers, bound to this window once.
        self.handlers = {command.id: self._bind(command) for command in COMMANDS}
        self._build_menus()
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.timeout.connect(self.lock)
        self._restart_idle()
        QApplication.instance().installEventFilter(self)  # type: ignore[union-attr]
        self._restore()

    # --- layout -------------------------------------------------------------------------------
    def _build(self) -> None:
        self.browser = BrowserPane(self.store, self.jobs)
        # The pane's parts, by the names the commands and tests use.
        self.model, self.table, self.search = (self.browser.model, self.browser.table,
                                               self.browser.search)
        self.state_filter = self.browser.state_filter
        self.view = ConversationView()
        self.view.collapsed = bool(self.settings.get("view/collapse_hidden"))
        self.idle_minutes = int(self.settings.get("lock/idle_minutes"))
        self.heading = QLabel("")
        self.heading.setWordWrap(True)
        self.heading.setContentsMargins(14, 10, 14, 4)
        self.inspector = SpanInspector(self.reasons, self.settings)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        panes = (self.browser, _column(self.heading, self.view), self.inspector)
        for pane, (widget, (_share, least)) in enumerate(zip(panes, PANES, strict=True)):
            self.splitter.addWidget(widget)
            widget.setMinimumWidth(least)
            # Every pane stretches: a resized window keeps the panes' proportions.
            self.splitter.setStretchFactor(pane, 1)
        self.splitter.setChildrenCollapsible(False)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.splitter)
        self.stack.addWidget(self._lock_page())
        self.setCentralWidget(self.stack)
        self._build_status()
        # The panes keep their designed shares at any window size until the reviewer
        # drags a handle (or a saved layout is restored).
        self.panes_placed = False
        self.splitter.splitterMoved.connect(lambda _pos, _index: self._panes_dragged())
        self._fit_to_screen(1540, 900)

    def _fit_to_screen(self, width: int, height: int) -> None:
        """The preferred size, shrunk to the screen's free area on small displays."""
        screen = self.screen()
        if screen is not None:
            free = screen.availableGeometry()
            width, height = min(width, free.width()), min(height, free.height())
        self.resize(width, height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if not self.panes_placed:
            self.splitter.setSizes(pane_widths(event.size().width()))

    def _panes_dragged(self) -> None:
        self.panes_placed = True

    def _lock_page(self) -> QWidget:
        page = QWidget()
        padlock = QLabel()
        padlock.setPixmap(icons.pixmap("locked", 56, page))
        text = QLabel("<p style='font-size:16pt'>Locked</p>"
                      "<p>The review is hidden until the passphrase is entered again.<br>"
                      "Enter unlocks.</p>")
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.unlock_button = QPushButton("Unlock…")
        self.unlock_button.setStyleSheet(look.PRIMARY_BUTTON)
        # Enter presses it (a push button outside a dialog takes Enter only as a default).
        self.unlock_button.setDefault(True)
        self.unlock_button.setAutoDefault(True)
        self.unlock_button.clicked.connect(self.ask_unlock)
        page.setFocusProxy(self.unlock_button)
        layout = QVBoxLayout(page)
        layout.setSpacing(14)
        layout.addStretch(1)
        layout.addWidget(padlock, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(text)
        layout.addWidget(self.unlock_button, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(2)
        return page

    def _build_status(self) -> None:
        self.totals_label = QLabel("counting spans…")
        self.pace_label = QLabel("")
        self.who_label = QLabel("")
        self.store_label = QLabel(self.store.path.name)
        self.store_label.setToolTip(str(self.store.path))
        self.lock_label = QLabel("")
        self.lock_icon = QLabel()  # an SVG padlock: a font may lack the glyph
        bar = self.statusBar()
        bar.addWidget(self.totals_label)
        bar.addWidget(self.pace_label)
        if self.store.read_only:  # for as long as it is open: no decision can be recorded
            note = QLabel("<b>Read-only store</b>: reading only, no decisions")
            note.setToolTip(f"{self.store.path} is read-only: {self.store.read_only}.")
            bar.addPermanentWidget(note)
        bar.addPermanentWidget(self.jobs)
        for label in (self.who_label, self.store_label, self.lock_icon, self.lock_label):
            bar.addPermanentWidget(label)
        self.lock_icon.setStyleSheet("padding: 0 0 0 8px;")
        self.lock_label.setStyleSheet("padding: 0 8px 0 2px;")

    def _build_menus(self) -> None:
        """The menus, generated from the command registry: each command under its menu
        with its label, its key from the key map, its help as the tooltip."""
        self.menus: dict[str, QMenu] = {}
        for title in MENUS:  # in this order, before any submenu
            self._menu(title)
        self.command_actions: dict[str, QAction] = {}
        for command in COMMANDS:
            named = describe(command, self.reasons)
            if command.menu is not None and named is not None:
                self.command_actions[command.id] = self._menu_action(command, *named)
        self.about_action = self.command_actions["about"]

    def _menu(self, path: str) -> QMenu:
        """The menu at ``path`` ("Review/Reason code"), made on first use."""
        if path not in self.menus:
            parent, _, title = path.rpartition("/")
            menu = self._menu(parent).addMenu(title) if parent else self.menuBar().addMenu(title)
            menu.setToolTipsVisible(True)
            self.menus[path] = menu
        return self.menus[path]

    def _menu_action(self, command: Command, label: str, help_text: str) -> QAction:
        assert command.menu is not None
        action = self._menu(command.menu).addAction(label)
        action.setToolTip(help_text)
        # Shown in the menu; the key dispatcher acts on the key, so it never fires twice.
        action.setShortcut(self.keymap.key_for(command.id))
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(self.handlers[command.id])
        return action

    def _bind(self, command: Command) -> Callable[[], None]:
        """A command's handler on this window. The path is checked now (a misspelt one
        fails as the window is made) and followed when the command runs, so a part
        replaced later (the session's undo stack, a test's stand-in) is the one called."""
        _attribute(self, command.handler)
        return lambda: _attribute(self, command.handler)(*command.args)

    def _connect(self) -> None:
        self.browser.conversation_chosen.connect(self._row_chosen)
        self.browser.searched.connect(self.view.highlight)
        self.browser.searched.connect(self._searched)
        # A reason picked with the mouse hands the keys back: A / R act in the conversation.
        self.inspector.reason.picked.connect(lambda _index: self.view.setFocus())
        self.search.returnPressed.connect(self.leave_field)  # Enter: search, then review
        self.session.message.connect(lambda text: self.statusBar().showMessage(text, 6000))
        self.qc.message.connect(lambda text: self.statusBar().showMessage(text, 15000))
        self.session.counts_changed.connect(self._show_counts)
        self.session.rows_changed.connect(self.model.update_counts)
        self.session.conversation_opened.connect(self._conversation_opened)
        for source in (self.jobs, self.matter):
            source.message.connect(lambda text: self.statusBar().showMessage(text, 15000))
        self.matter.changed.connect(self._matter_changed)
        self.matter.applied.connect(self._apply_changes)

    def _restore(self) -> None:
        if self.state is None:
            return
        geometry, split = self.state.load("geometry"), self.state.load("splitter")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if split is not None:
            self.splitter.restoreState(split)
            self.panes_placed = True

    # --- start, lock, quit --------------------------------------------------------------------
    def start(self) -> None:
        """After unlocking: first page, first pending span current, counts in the background."""
        self.session.begin()
        self.model.jump_to_start()
        first = review.first_pending_span(self.store)
        if first is not None:
            self.session.open_conversation(first.conversation_id, first.id)
        elif self.model.rowCount():
            self.table.select_row(0)
        self.view.setFocus()
        self._show_counts()
        self._count_totals()
        self.jobs.submit("Reading filters", lambda _p: browse.filter_choices(self.store),
                     self.browser.set_choices, quiet=True)

    def lock(self) -> None:
        if self.locked:
            return
        self.locked = True
        if self.dialog is not None:
            self.dialog.reject()
        self.session.end()
        self.view.clear_view()
        self.inspector.show_span(None)
        self.statusBar().clearMessage()  # it may quote a span ("Undid: … “Dana Whitfield”")
        self.stack.setCurrentIndex(1)
        self.unlock_button.setFocus()
        self._show_counts()

    def ask_unlock(self) -> None:
        prompt = PassphrasePrompt(self.store.check_passphrase, self)
        prompt.accepted.connect(self.unlocked)
        self._open_dialog(prompt)

    def unlocked(self) -> None:
        self.locked = False
        self.stack.setCurrentIndex(0)
        self.session.begin()
        conv = self.session.detail.conversation.id if self.session.detail else None
        if conv is not None:
            self.session.open_conversation(conv, self.session.current.id
                                           if self.session.current else None)
        self.view.setFocus()
        self._restart_idle()
        self._show_counts()

    def closeEvent(self, event: QCloseEvent) -> None:
        QApplication.instance().removeEventFilter(self)  # type: ignore[union-attr]
        self.idle.stop()
        self.browser.stop()
        self.runner.wait()
        if not self.locked:
            self.session.end()
        if self.state is not None:
            self.state.save("geometry", self.saveGeometry())
            self.state.save("splitter", self.splitter.saveState())
        self.statusBar().showMessage(self.session.summary())
        super().closeEvent(event)

    # --- keys ---------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress):
            self._restart_idle()
        if kind != QEvent.Type.KeyPress or not isinstance(watched, QWidget):
            return False
        if watched.window() is not self or not isinstance(event, QKeyEvent):
            return False
        command = self.keymap.command_for(event.key(), event.modifiers(), event.text(),
                                          self.typing(watched))
        if command is None or (self.locked and command not in ("quit", "lock")):
            return False
        if BY_ID[command].decides and not self.reviewing():
            self.statusBar().showMessage(
                "Decision keys act in the conversation: Esc returns there.", 5000)
            return True
        if BY_ID[command].decides and self.browser.opening():
            self.statusBar().showMessage(
                "Searching: the first match opens in a moment, then the keys act on it.", 4000)
            return True
        if command not in ("search", "help", "about"):
            self.browser.hold()  # no search result replaces what the reviewer acts on
        self.run_command(command)
        return True

    def typing(self, receiver: QWidget) -> bool:
        """Insert mode: the key goes to a text field. Asked of the widget the key was
        sent to and of this window's focus widget, not only of the application's: under
        X11 keys reach the window's focus widget while Qt may count no widget focused
        (another window active), and letters typed into the search then decided spans."""
        return any(is_text_field(widget) for widget in
                   (receiver, self.focusWidget(), QApplication.focusWidget()))

    def reviewing(self) -> bool:
        """Decision keys act only while the conversation or the browser has the keys."""
        return self.focusWidget() in (self.view, self.table)

    def run_command(self, command_id: str) -> None:
        self.handlers[command_id]()

    def quit(self) -> None:
        self.close()

    def _restart_idle(self) -> None:
        if self.idle_minutes > 0 and not self.locked:
            self.idle.start(self.idle_minutes * 60_000)

    # --- commands that need the window --------------------------------------------------------
    def step_conversation(self, delta: int) -> None:
        if not self.browser.step(delta):
            self.statusBar().showMessage("No more conversations this way.", 4000)

    def confirm_same(self, status: Status) -> None:
        """Shift+A / Shift+R: count the same-text pending spans store-wide (in the
        background), then ask; Enter decides them all as one undoable decision. Shift+R
        rejects a false positive that a repeated text (a system prompt) put in every
        conversation, in one action."""
        span = self.session.current
        if span is None:
            return
        if self.same_text_asked:  # one count or one question at a time
            self.statusBar().showMessage("Still finding the same text: one moment.", 3000)
            return
        self.same_text_asked = True
        described = self.session.describe(span)
        self.jobs.submit("Finding the same text",
                         lambda _p: review.same_text_pending(self.store, span.id),
                         lambda ids: self._ask_same(span, described, ids, status),
                         failed_too=self._same_text_done)

    def _same_text_done(self) -> None:
        self.same_text_asked = False

    def _ask_same(self, span: Span, described: str, ids: list[int], status: Status) -> None:
        verb = "Approve" if status is Status.APPROVED else "Reject"
        if self.locked:
            self._same_text_done()
            return
        current = self.session.current
        if current is None or current.id != span.id:
            # The count came back after the reviewer moved on: the spans it found are
            # not the text on screen, and nothing is asked or decided.
            self._same_text_done()
            self.statusBar().showMessage(
                f"Shift+{verb[0]} was for {described}, and the review has moved on: "
                f"press Shift+{verb[0]} again on the span to {verb.lower()}.", 8000)
            return
        if not ids:
            self._same_text_done()
            self.statusBar().showMessage(
                f"No pending span with this text to {verb.lower()}.", 4000)
            return
        detail = self.session.detail
        text = look.escape_text(detail.texts.get(span.id, "") if detail else "")
        dialog = ConfirmDialog(
            f"{verb} the same text everywhere",
            f"{verb} {len(ids)} pending {span.entity} span(s) with the text “{text}” "
            f"across the whole store?\n\nEnter {verb.lower()}s; Esc cancels.",
            f"{verb} {len(ids)}", self)
        dialog.accepted.connect(lambda: self.session.decide_all(ids, status, described))
        dialog.finished.connect(lambda _result: self._same_text_done())
        self._open_dialog(dialog)

    def ask_manual_span(self) -> None:
        where = self.view.source_selection()
        if where is None:
            self.statusBar().showMessage(
                "Select text within one message first, then press M.", 5000)
            return
        selected = look.escape_text(self.view.textCursor().selectedText())
        dialog = EntityDialog("New manual span", self.entities, parent=self, subject=selected)
        marking = self.qc if self.qc.takes_selection() else self.session  # QC: missed data
        dialog.accepted.connect(lambda: marking.add_manual(where, dialog.entity()))
        found = self.view.selection_rect()  # the reviewer still sees what is being marked
        place_clear_of(dialog, QRect(self.view.viewport().mapToGlobal(found.topLeft()),
                                     found.size()), self.frameGeometry())
        self._open_dialog(dialog)

    def ask_entity(self) -> None:
        span = self.session.current
        if span is None:
            return
        choices = list(dict.fromkeys([*self.entities, span.entity]))
        text = self.session.detail.texts.get(span.id, "") if self.session.detail else ""
        dialog = EntityDialog("Change entity", choices, span.entity, self,
                              subject=look.escape_text(text))
        dialog.accepted.connect(lambda: self.session.change_entity(dialog.entity(), span))
        self._open_dialog(dialog)

    def undo(self) -> None:
        if self.session.undo_stack.canUndo():
            self.session.undo_stack.undo()
        else:
            self.statusBar().showMessage("Nothing to undo in this session.", 4000)

    def redo(self) -> None:
        if self.session.undo_stack.canRedo():
            self.session.undo_stack.redo()
        else:
            self.statusBar().showMessage("Nothing to redo in this session.", 4000)

    def show_keys(self) -> None:
        self._open_dialog(KeyReference(self.keymap, self.reasons, self))

    def toggle_hidden(self) -> None:
        self.view.set_collapsed(not self.view.collapsed)
        self.session.keep_visible(set(self.view.marks))

    def choose_reason(self, number: int) -> None:
        """1 … 9: the policy's reason code of that number, picked in the inspector for the
        current span's decision; a decided span's decision gets it at once (undoable);
        past the codes, a status line only."""
        numbered = numbered_reasons(self.reasons)
        if number > len(numbered):
            self.statusBar().showMessage(
                f"No reason code {number}: this policy has {len(numbered)} "
                f"(keys 1–{len(numbered)}, listed under ?). Nothing was recorded.", 6000)
            return
        code, label = numbered[number - 1]
        self.inspector.choose_reason(code)
        if self.session.set_reason(code):  # a decided span: its decision now carries it
            self.statusBar().showMessage(
                f"{code} ({label}) recorded for this span; Ctrl+Z undoes.", 6000)
            return
        self.statusBar().showMessage(
            f"{code} ({label}) goes with this span's A or R.", 6000)

    def show_about(self) -> None:
        self._open_dialog(AboutDialog(__version__, self))

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def leave_field(self) -> None:
        self.view.setFocus()

    def _open_dialog(self, dialog: QDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: self._dialog_closed(dialog))
        self.dialog = dialog
        dialog.open()

    def _dialog_closed(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        if not self.locked:
            self.view.setFocus()

    # --- browser ------------------------------------------------------------------------------
    def apply_filters(self) -> None:
        self.browser.apply_filters()

    def _row_chosen(self, conv_id: int) -> None:
        if self.locked:
            return
        if self.session.detail is None or self.session.detail.conversation.id != conv_id:
            # Under the conflicts filter a conversation opens at its first conflict.
            first = (batches.first_conflict_in(self.store, conv_id)
                     if self.model.query.state == "conflict" else None)
            self.session.open_conversation(conv_id, first)
            self.view.highlight(self.model.query.search)

    def _conversation_opened(self, conv_id: int) -> None:
        self._show_heading()
        self.browser.show_conversation(conv_id)

    def _show_heading(self, note: str = "") -> None:
        """The open conversation's title, and its size or, in red, ``note``."""
        detail = self.session.detail
        if detail is None:
            return
        conv = detail.conversation
        below = (f"<span style='color:#b3261e'>{_html(note)}</span>" if note else
                 f"<span style='color:#5f6773'>{_html(conv.source_id)} · "
                 f"{len(conv.messages)} messages · {len(detail.spans)} spans</span>")
        self.heading.setText(
            f"<span style='font-size:13pt; font-weight:600'>"
            f"{_html(look.escape_text(conv.title or '(untitled)'))}</span><br>{below}")

    def _searched(self, words: str) -> None:
        """A search that found nothing leaves the conversation under review on screen:
        its heading says it is not a result."""
        if self.browser.found_nothing():
            shown = f"“{words.strip()}”" if words.strip() else "these filters"
            self._show_heading(f"Not a search result: nothing matches {shown}.")
        else:
            self._show_heading()

    # --- status bar ---------------------------------------------------------------------------
    def _matter_changed(self) -> None:
        self.model.jump_to_start()
        self._count_totals()

    def _count_totals(self) -> None:
        """The status bar's totals, counted in the background. A decision applied while
        they were counted may be in the count or not: they are counted again then."""
        applied = self.session.changes_applied
        self.jobs.submit("Counting spans", lambda _p: review.status_totals(self.store),
                         lambda totals: self._set_totals(totals, applied), quiet=True)

    def _apply_changes(self, changes: Changes) -> None:
        """A job's changes (the spans a refused export's leak scan added); a locked
        window shows no conversation, so it counts afresh instead."""
        if self.locked:
            self._matter_changed()
        else:
            self.session.apply_changes(changes)

    def _set_totals(self, totals: dict[str, int], applied: int) -> None:
        if applied != self.session.changes_applied:
            self._count_totals()
            return
        self.session.totals = StatusCounts.from_dict(totals)
        self._show_counts()

    def _show_counts(self) -> None:
        totals = self.session.totals
        if totals is not None:
            self.totals_label.setText(
                f"◇ {totals.pending:,} pending   ■ {totals.approved:,} approved   "
                f"○ {totals.rejected:,} rejected")
        self.pace_label.setText(f"   pace {self.session.pace():.0f} spans/hour")
        self.who_label.setText(f"reviewer: {self.session.reviewer}")
        self.lock_label.setText("locked" if self.locked else "unlocked")
        self.lock_icon.setPixmap(icons.pixmap("locked" if self.locked else "unlocked", 16,
                                              self.lock_icon))

# Browser, conversation, inspector: (share of the window's width, least width). The
# conversation under review is the widest pane from 1024 px up, never narrower than a
# comfortable reading measure; the browser keeps its counts, the inspector its fields.
PANES = ((0.30, 300), (0.48, 400), (0.22, 300))


def pane_widths(total: int) -> list[int]:
    """The three panes' widths in a window ``total`` px wide: each its share but no
    less than its least width; the conversation takes what the others leave."""
    browser, inspector = (max(least, int(share * total)) for share, least in PANES[::2])
    conversation = total - browser - inspector
    if conversation < PANES[1][1]:  # narrow: the browser gives way first
        browser = max(PANES[0][1], browser - (PANES[1][1] - conversation))
        conversation = total - browser - inspector
    return [browser, max(conversation, PANES[1][1]), inspector]


def _column(*widgets: QWidget) -> QWidget:
    pane = QWidget()
    layout = QVBoxLayout(pane)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    for widget in widgets:
        layout.addWidget(widget, 1 if isinstance(widget, ConversationView) else 0)
    return pane


def _attribute(owner: object, path: str) -> Callable[..., None]:
    """``owner.a.b`` for the path "a.b"."""
    found: Any = owner
    for name in path.split("."):
        found = getattr(found, name)
    assert callable(found), path
    return cast("Callable[..., None]", found)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
