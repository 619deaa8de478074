"""The unlock dialog: open or create, passphrase focused, Enter unlocks, errors in place."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from reviewer.gui.app import opener
from reviewer.gui.dialogs import UnlockDialog, passphrase_strength
from reviewer.ops.stores import create_store
from tests.conftest import PASSPHRASE


def _existing(path: Path) -> Path:
    create_store(path, PASSPHRASE, "tester").close()
    return path


def _dialog(qtbot: Any, path: Path | None, hint: str | None = None) -> UnlockDialog:
    dialog = UnlockDialog(opener("tester"), path, hint)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_enter_unlocks_an_existing_store(qtbot: Any, store_path: Path) -> None:
    dialog = _dialog(qtbot, _existing(store_path))
    assert not dialog.create_mode
    assert dialog.focusWidget() is dialog.passphrase
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    assert dialog.result() == UnlockDialog.DialogCode.Accepted
    assert dialog.store is not None
    assert dialog.passphrase.text() == ""
    dialog.store.close()


def test_wrong_passphrase_is_said_in_the_dialog(qtbot: Any, store_path: Path) -> None:
    dialog = _dialog(qtbot, _existing(store_path))
    qtbot.keyClicks(dialog.passphrase, "not it")
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.store is None
    assert "Wrong passphrase" in dialog.error.text()
    dialog.close()


def test_create_needs_the_passphrase_twice(qtbot: Any, tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    dialog = _dialog(qtbot, path)
    assert dialog.create_mode
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    assert dialog.strength.text() == "Strong."
    dialog.repeat.setText(PASSPHRASE + "x")
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    assert "differ" in dialog.error.text()
    assert not path.exists()
    dialog.repeat.setText(PASSPHRASE)
    qtbot.keyClick(dialog.repeat, Qt.Key.Key_Return)
    assert dialog.store is not None
    assert path.exists()
    dialog.store.close()


def test_demo_hint_is_shown(qtbot: Any, store_path: Path) -> None:
    dialog = _dialog(qtbot, _existing(store_path), hint="demo words")
    assert "demo words" in dialog.hint.text()
    dialog.close()


def test_strength_hint_words() -> None:
    assert passphrase_strength("short").startswith("Too weak: at least 12 characters")
    assert passphrase_strength("Abcdefgh1234").startswith("Too weak")  # a sequence
    assert passphrase_strength("abcdefghijkl").startswith("Too weak")
    assert passphrase_strength("Zebra lantern 7 quietly") == "Good."
    assert passphrase_strength("orbit canyon velvet") == "Fair: longer is better."


def test_create_refuses_a_weak_passphrase_in_the_dialog(qtbot: Any, tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    dialog = _dialog(qtbot, path)
    qtbot.keyClicks(dialog.passphrase, "password1234")
    dialog.repeat.setText("password1234")
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    assert dialog.error.text().startswith("Passphrase too weak: at least 12 characters")
    assert dialog.store is None
    assert not path.exists()
    dialog.close()
