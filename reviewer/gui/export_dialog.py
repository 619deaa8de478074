"""The export dialog: where the packet goes, its control-number prefix and what it
produces; a refusal reopens it with the user's choices, the sentence, the
conversations it names by number and title, and the way out where there is one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reviewer.gui import look
from reviewer.ops.refusals import RefusedPlace


@dataclass(frozen=True)
class ExportChoice:
    """What the export dialog asks: the packet's new folder and the options as ticked."""

    out_dir: Path
    prefix: str = "RR"
    only_finished: bool = False
    allow_pending: bool = False
    active_only: bool = False

    def export_options(self) -> dict[str, Any]:
        """The keyword arguments of ``export_packet``. With only-finished nothing pending
        goes out, so allow-pending, though remembered as ticked, does not apply."""
        return {"prefix": self.prefix, "only_finished": self.only_finished,
                "allow_pending": self.allow_pending and not self.only_finished,
                "active_only": self.active_only}


def new_packet_folder(parent: Path, now: datetime | None = None) -> Path:
    """A folder name under ``parent`` that does not exist yet: packet-YYYYMMDD-HHMMSS."""
    stamp = (now or datetime.now().astimezone()).strftime("%Y%m%d-%H%M%S")
    folder, n = parent / f"packet-{stamp}", 1
    while folder.exists() or folder.is_symlink():
        n += 1
        folder = parent / f"packet-{stamp}-{n}"
    return folder


def place_row(place: RefusedPlace) -> tuple[str, str, str]:
    """A refused place as the list shows it: number, one-line title, what was found."""
    title = " ".join(look.escape_text(place.title).split()) or "(untitled)"
    return f"#{place.conversation_id}", title, f"{place.count:,} {place.what}"


SHOWN_PLACES = 50
SHOWN_ROWS = 10
MIN_ROWS = 4
TITLE_BAR_ROOM = 60  # the window frame and some air, around the dialog on a short screen
WAY_OUT_REASONS = frozenset({"pending", "unanalysed", "leak_scan"})
ONLY_FINISHED_HELP = ("Conversations with pending spans or text never analysed are withheld; "
                      "the manifest counts them.")
NO_EFFECT_HELP = ("No effect while only finished conversations are produced: nothing pending "
                  "goes out.")


class ExportDialog(QDialog):
    """Where and how to write a packet: a new folder, the control-number prefix, and what
    may go out. A refused export comes back here: its sentence, the conversations it
    names (by number and title), and the way out where there is one."""

    def __init__(self, choice: ExportChoice, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export a packet — Redaction Reviewer")
        self.out_dir = QLineEdit(str(choice.out_dir))
        self.prefix = QLineEdit(choice.prefix)
        self.prefix.setMaximumWidth(160)
        self.only_finished = _option("Produce &only finished conversations (nothing pending)",
                                     choice.only_finished)
        self.allow_pending = _option("Allo&w pending spans (they are redacted; the manifest "
                                     "says how many)", choice.allow_pending)
        self.active_only = _option("&Active branch only (leave alternate branches out)",
                                   choice.active_only)
        self.reason = ""  # of the refusal shown, if any
        self._build_problem()
        self._layout()
        self.only_finished.toggled.connect(self._sync_options)
        self._sync_options()
        self._select_folder_name()
        self._fit(680)

    def _build_problem(self) -> None:
        self.problem = QLabel("")
        self.problem.setObjectName("error")
        self.problem.setWordWrap(True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)  # it may quote a title
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem.setStyleSheet("color: #b3261e;")
        self.places = _places_list()
        self.more = QLabel("")
        self.more.setStyleSheet("color: #5f6773;")
        self.way_out = QPushButton("Export only the finished conversations")
        self.way_out.setAutoDefault(False)
        self.way_out.clicked.connect(self._export_only_finished)
        self.panel = _refusal_panel(self.problem, self.places, self.more, self.way_out)

    def _layout(self) -> None:
        choose = QPushButton("&Choose…")
        choose.setAutoDefault(False)
        choose.clicked.connect(self._choose)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.go = buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.try_export)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetNoConstraint)  # see _fit
        layout.setContentsMargins(20, 16, 20, 14)
        layout.setSpacing(14)
        layout.addLayout(self._where(choose))
        layout.addLayout(_stacked(self.only_finished, _note(ONLY_FINISHED_HELP),
                                  self.allow_pending, self.active_only))
        layout.addWidget(self.panel)
        layout.addStretch(1)
        layout.addWidget(buttons)
        # Only now is the button in the dialog: a default set earlier is not the dialog's,
        # and Qt would make the first auto-default button (Cancel) the default instead.
        self.go.setDefault(True)
        self.setMinimumWidth(600)
        self._order_focus(choose)

    def _where(self, choose: QPushButton) -> QFormLayout:
        row = QHBoxLayout()
        row.addWidget(self.out_dir, 1)
        row.addWidget(choose)
        folder = QLabel("New &folder:")
        folder.setBuddy(self.out_dir)
        form = QFormLayout()
        form.addRow(folder, row)
        form.addRow("Control-number &prefix:", self.prefix)
        return form

    def _order_focus(self, choose: QPushButton) -> None:
        """Top to bottom, Export then Cancel last; the folder's name first."""
        for first, second in pairwise((self.out_dir, choose, self.prefix, self.only_finished,
                                       self.allow_pending, self.active_only, self.way_out,
                                       self.places, self.go, self.cancel)):
            self.setTabOrder(first, second)
        self.out_dir.setFocus()

    def choice(self) -> ExportChoice:
        return ExportChoice(Path(self.out_dir.text().strip()).expanduser(),
                            self.prefix.text().strip() or "RR", self.only_finished.isChecked(),
                            self.allow_pending.isChecked(), self.active_only.isChecked())

    def show_problem(self, sentence: str, places: Sequence[RefusedPlace] = (),
                     reason: str = "", total: int | None = None,
                     finished: int | None = None) -> None:
        """A refusal or another error, in the dialog: the sentence, the first places it
        names (of ``total``), and the only-finished way out where it applies and is not
        taken yet: not when no conversation is finished (``finished`` 0), where it
        would produce an empty packet."""
        self.problem.setText(sentence)
        self.places.clear()
        for place in places[:SHOWN_PLACES]:
            self.places.addTopLevelItem(_place_item(place))
        hidden = (len(places) if total is None else total) - min(len(places), SHOWN_PLACES)
        self.more.setText(f"and {hidden:,} more conversation(s)" if hidden > 0 else "")
        self.places.setVisible(bool(places))
        self.more.setVisible(hidden > 0)
        self.reason = reason if finished != 0 else ""
        self._sync_options()
        self.panel.show()
        width = max(self.width(), 760 if places else 680)
        self._fit_places(min(len(places), SHOWN_ROWS), width)
        self._fit(width)

    def _fit_places(self, rows: int, width: int) -> None:
        """As tall as its rows (it scrolls for more), fewer on a screen too short for
        them, but never under MIN_ROWS."""
        row = self.places.sizeHintForRow(0) if rows else 0
        frame = 2 * self.places.frameWidth() + self.places.header().sizeHint().height()
        self.places.setFixedHeight(frame + rows * row)
        room = self.screen().availableGeometry().height() - TITLE_BAR_ROOM
        while rows > MIN_ROWS and self._height_for(width) > room:
            rows -= 1
            self.places.setFixedHeight(frame + rows * row)

    def _fit(self, width: int) -> None:
        # The height for this width. Qt's own minimum would be the height at the narrowest
        # width, where the sentences wrap onto the most lines: too tall, with a gap.
        height = self._height_for(width)
        self.setMinimumHeight(height)
        self.resize(width, height)

    def _height_for(self, width: int) -> int:
        # The panel's size is cached until a posted event says its list changed: measure
        # what was just changed, not what was there before.
        self.panel.updateGeometry()
        return self.heightForWidth(width)

    def _select_folder_name(self) -> None:
        """Typing replaces the new folder's name and keeps where it goes."""
        text = self.out_dir.text()
        name = Path(text).name
        if name and text.endswith(name):
            self.out_dir.setSelection(len(text) - len(name), len(name))

    def try_export(self) -> None:
        if not self.out_dir.text().strip():
            self.show_problem("Choose a new folder for the packet.")
            self.out_dir.setFocus()
            return
        self.accept()

    def _export_only_finished(self) -> None:
        self.only_finished.setChecked(True)
        self.try_export()

    def _sync_options(self) -> None:
        """Allow-pending has no effect with only-finished, which is also the way out of a
        refusal for something unfinished: offered while it is not ticked."""
        finished = self.only_finished.isChecked()
        self.allow_pending.setEnabled(not finished)
        self.allow_pending.setToolTip(NO_EFFECT_HELP if finished else "")
        self.way_out.setVisible(self.reason in WAY_OUT_REASONS and not finished)

    def _choose(self) -> None:
        start = str(Path(self.out_dir.text()).parent)
        name = QFileDialog.getExistingDirectory(self, "Folder for the packet", start)
        if name:
            self.out_dir.setText(str(Path(name) / Path(self.out_dir.text()).name))


def _place_item(place: RefusedPlace) -> QTreeWidgetItem:
    item = QTreeWidgetItem(list(place_row(place)))
    item.setTextAlignment(0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    item.setToolTip(1, item.text(1))
    return item


def _option(text: str, checked: bool) -> QCheckBox:
    box = QCheckBox(text)
    box.setChecked(checked)
    return box


def _places_list() -> QTreeWidget:
    """Number, title (elided to fit) and what was found, one conversation a row."""
    places = QTreeWidget()
    places.setHeaderLabels(["#", "Conversation", "Found"])
    places.headerItem().setTextAlignment(0, Qt.AlignmentFlag.AlignRight)
    places.setRootIsDecorated(False)
    places.setUniformRowHeights(True)
    places.setAlternatingRowColors(True)
    places.setTextElideMode(Qt.TextElideMode.ElideRight)
    places.setStyleSheet("QTreeView::item { padding: 1px 6px; }")
    header = places.header()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
    for column in (0, 2):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    return places


def _stacked(*widgets: QWidget) -> QVBoxLayout:
    layout = QVBoxLayout()
    layout.setSpacing(6)
    for widget in widgets:
        layout.addWidget(widget)
    return layout


def _note(text: str) -> QLabel:
    note = QLabel(text)
    note.setWordWrap(True)
    note.setStyleSheet("color: #5f6773; margin-left: 24px;")
    return note


def _refusal_panel(problem: QLabel, places: QTreeWidget, more: QLabel,
                   way_out: QPushButton) -> QFrame:
    panel = QFrame()
    panel.setObjectName("refusal")
    panel.setStyleSheet("QFrame#refusal { background: #fdf3f2; border: 1px solid #f0c9c4; "
                        "border-radius: 6px; }")
    layout = QVBoxLayout(panel)
    layout.setContentsMargins(12, 10, 12, 10)
    layout.setSpacing(8)
    layout.addWidget(problem)
    layout.addWidget(places)
    layout.addWidget(more)
    layout.addWidget(way_out, 0, Qt.AlignmentFlag.AlignLeft)
    panel.hide()
    return panel
