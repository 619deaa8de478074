"""The lock page: Enter presses "Unlock…", which shows a focus ring; Enter in the
passphrase prompt unlocks; the padlock in the status bar is an SVG picture, not
a font glyph a bare system may lack."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from reviewer.gui.dialogs import PassphrasePrompt
from reviewer.gui.icons import icon
from reviewer.gui.window import MainWindow
from tests.conftest import PASSPHRASE

CTRL = Qt.KeyboardModifier.ControlModifier


def _lock(qtbot: Any, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.keyClick(window.view, Qt.Key.Key_L, CTRL)
    assert window.locked


def test_enter_on_the_lock_page_asks_and_enter_unlocks(qtbot: Any, window: MainWindow) -> None:
    _lock(qtbot, window)
    assert window.focusWidget() is window.unlock_button
    qtbot.keyClick(window.unlock_button, Qt.Key.Key_Return)
    prompt = window.dialog
    assert isinstance(prompt, PassphrasePrompt)
    qtbot.keyClicks(prompt.passphrase, PASSPHRASE)
    qtbot.keyClick(prompt.passphrase, Qt.Key.Key_Enter)  # the keypad's Enter too
    assert not window.locked
    assert window.stack.currentIndex() == 0


def test_the_unlock_button_shows_a_focus_ring(qtbot: Any, window: MainWindow) -> None:
    _lock(qtbot, window)
    button = window.unlock_button
    qtbot.waitUntil(button.hasFocus)
    page = window.stack.currentWidget()  # the ring is seen against the page
    focused = page.grab(button.geometry()).toImage()
    button.clearFocus()
    assert not button.hasFocus()
    plain = page.grab(button.geometry()).toImage()
    assert focused.size() == plain.size()
    edge = [(x, focused.height() // 2) for x in range(3)]  # the ring's band on the left
    assert any(focused.pixel(x, y) != plain.pixel(x, y) for x, y in edge)


def test_the_padlock_is_an_svg_picture(qtbot: Any, window: MainWindow) -> None:
    assert not window.lock_icon.pixmap().isNull()
    assert window.lock_label.text() == "unlocked"
    unlocked = window.lock_icon.pixmap().toImage()
    _lock(qtbot, window)
    assert window.lock_label.text() == "locked"
    assert window.lock_icon.pixmap().toImage() != unlocked
    for name in ("locked", "unlocked"):
        drawn = icon(name).pixmap(32, 32).toImage()
        assert not drawn.isNull()
        assert _ink(drawn) > 40  # drawn shapes, not an empty box
    texts = [window.lock_label.text(), window.totals_label.text(), window.who_label.text()]
    assert not any("\U0001f512" in text for text in texts)


def _ink(image: QImage) -> int:
    """Pixels painted with some opacity."""
    return sum(1 for x in range(image.width()) for y in range(image.height())
               if image.pixelColor(x, y).alpha() > 128)
