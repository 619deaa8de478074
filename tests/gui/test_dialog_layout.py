"""Dialogs that must not get in the way: the unlock dialog keeps its fields whole
after a wrong passphrase, the first start's name dialog says why it asks, and the
M entity dialog opens clear of the text it is about."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLabel

from reviewer.gui.app import opener
from reviewer.gui.dialogs import EntityDialog, NameDialog, UnlockDialog, clear_spot
from reviewer.gui.window import MainWindow
from reviewer.ops.stores import create_store
from tests.conftest import PASSPHRASE


def test_a_wrong_passphrase_leaves_the_fields_whole(qtbot: Any, tmp_path: Path) -> None:
    # A long path makes the error wrap over several lines.
    path = tmp_path / ("a-folder-with-a-rather-long-name-" * 3) / "matter.db"
    path.parent.mkdir()
    create_store(path, PASSPHRASE, "tester").close()
    dialog = UnlockDialog(opener("tester"), path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    fields = (dialog.path_edit, dialog.passphrase)
    before = [field.height() for field in fields]
    qtbot.keyClicks(dialog.passphrase, "not the passphrase")
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    assert "Wrong passphrase" in dialog.error.text()
    assert [field.height() for field in fields] == before
    for field in fields:
        assert field.height() >= field.sizeHint().height()
    error = dialog.error
    assert error.height() >= error.heightForWidth(error.width())  # every line shown
    assert error.geometry().top() > dialog.passphrase.geometry().bottom()
    dialog.close()


def test_the_name_dialog_is_titled_and_says_why(qtbot: Any) -> None:
    dialog = NameDialog("dana")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.windowTitle().startswith("Your name")
    words = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "audit log" in words
    assert "every decision" in words
    dialog.name.clear()
    assert not dialog.ok.isEnabled()  # no anonymous decisions
    qtbot.keyClicks(dialog.name, "Dana Whitfield")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    assert dialog.result() == NameDialog.DialogCode.Accepted


def test_the_entity_dialog_opens_clear_of_the_selection(qtbot: Any, window: MainWindow) -> None:
    view = window.view
    view.setFocus()
    found = view.document().find("my landlord is")
    assert not found.isNull()
    view.setTextCursor(found)
    qtbot.keyClick(view, Qt.Key.Key_M)
    dialog = window.dialog
    assert isinstance(dialog, EntityDialog)
    selected = view.selection_rect()
    on_screen = QRect(view.viewport().mapToGlobal(selected.topLeft()), selected.size())
    assert not dialog.frameGeometry().intersects(on_screen)
    assert "my landlord is" in " ".join(
        label.text() for label in dialog.findChildren(QLabel))
    dialog.reject()


AREA = QRect(0, 0, 1000, 700)
SIZE = QSize(300, 150)


def test_the_dialog_goes_below_then_above_then_beside_the_text() -> None:
    near_top = QRect(100, 100, 200, 20)
    assert clear_spot(SIZE, near_top, AREA) == QPoint(100, near_top.bottom() + 12)
    near_bottom = QRect(100, 600, 200, 20)
    above = clear_spot(SIZE, near_bottom, AREA)
    assert above is not None
    assert above.y() + SIZE.height() < near_bottom.top()
    tall = QRect(100, 50, 200, 600)  # a selection as tall as the window: beside it
    beside = clear_spot(SIZE, tall, AREA)
    assert beside is not None
    assert beside.x() > tall.right()
    for avoid in (near_top, near_bottom, tall):
        spot = clear_spot(SIZE, avoid, AREA)
        assert spot is not None
        placed = QRect(spot, SIZE)
        assert AREA.contains(placed)
        assert not placed.intersects(avoid)
    assert clear_spot(SIZE, QRect(0, 0, 1000, 700), AREA) is None  # no room anywhere
