"""``run_gui`` as the CLI calls it: identity, unlock, window, session, summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QDialog

from reviewer.gui import app as app_module
from reviewer.gui.dialogs import NameDialog, UnlockDialog
from reviewer.gui.settings import Settings
from reviewer.ops.audit import audit_entries
from reviewer.ops.stores import create_store, open_store
from tests.conftest import PASSPHRASE


def test_explicit_reviewer_wins(settings: Settings) -> None:
    assert app_module.reviewer_identity(settings, "alice") == "alice"


def test_reviewer_is_asked_once_and_remembered(settings: Settings,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def answer(dialog: NameDialog) -> int:
        asked.append(dialog.name.text())
        dialog.name.setText("Dana Whitfield")
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(NameDialog, "exec", answer)
    assert app_module.reviewer_identity(settings, None) == "Dana Whitfield"
    assert app_module.reviewer_identity(settings, None) == "Dana Whitfield"
    assert len(asked) == 1


def test_run_gui_unlocks_opens_the_window_and_records_the_session(
        qapp: QApplication, store_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    create_store(store_path, PASSPHRASE, "tester").close()
    seen: dict[str, Any] = {}

    def unlock(dialog: UnlockDialog) -> int:
        seen["hint"] = dialog.hint.text()
        dialog.passphrase.setText(PASSPHRASE)
        dialog.try_unlock()
        return dialog.result()

    def run_window(_app: QApplication) -> int:
        # The window run_gui opened: an earlier test's closed window may still exist.
        window = next(w for w in qapp.topLevelWidgets()
                      if type(w).__name__ == "MainWindow" and w.isVisible())
        seen["title"] = window.windowTitle()
        window.close()
        return 0

    monkeypatch.setattr(UnlockDialog, "exec", unlock)
    monkeypatch.setattr(QApplication, "exec", run_window)
    assert app_module.run_gui(store_path, reviewer="alice", passphrase_hint="demo words") == 0
    assert "demo words" in seen["hint"]
    assert seen["title"].startswith("matter.db")
    assert "Session of alice" in capsys.readouterr().err
    with open_store(store_path, PASSPHRASE) as store:
        actions = [e.action for e in audit_entries(store)]
    assert actions[-2:] == ["review_session_start", "review_session_end"]


def test_cancelling_the_unlock_dialog_exits_cleanly(store_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(UnlockDialog, "exec", lambda _d: QDialog.DialogCode.Rejected.value)
    assert app_module.run_gui(store_path, reviewer="alice") == 0
