"""Import and export from the window, through the task runner (synchronous here)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex

from reviewer.gui.dialogs import ExportDialog
from reviewer.gui.window import MainWindow


def test_import_adds_conversations_and_refreshes(window: MainWindow, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    analysed: list[bool] = []
    monkeypatch.setattr(window.matter, "run_analysis", lambda: analysed.append(True))
    csv = tmp_path / "chats.csv"
    csv.write_text("conversation_id,role,text\nz1,user,Hello there\nz1,assistant,Hi\n",
                   encoding="utf-8")
    window.matter.import_paths([csv])
    while window.model.canFetchMore(QModelIndex()):
        window.model.fetchMore(QModelIndex())
    assert "z1" in [r.source_id for r in window.model.rows]
    assert "Imported" in window.statusBar().currentMessage()
    assert analysed == [True]
    assert not window.jobs.busy
    assert not window.jobs.isVisible()


def test_export_refuses_pending_then_writes_with_allow_pending(window: MainWindow,
                                                               tmp_path: Path) -> None:
    window.matter.export_to(tmp_path / "refused")
    assert not (tmp_path / "refused").exists()
    assert "pending" in window.statusBar().currentMessage().lower()
    # The fixture repeats names outside spans: the export's leak scan refuses once and
    # turns those places into pending spans, which allow_pending then lets out redacted.
    window.matter.export_to(tmp_path / "first", "TST", allow_pending=True)
    assert "leak scan" in window.statusBar().currentMessage()
    window.matter.export_to(tmp_path / "packet", "TST", allow_pending=True)
    assert (tmp_path / "packet" / "manifest.json").exists(), window.statusBar().currentMessage()
    assert "written" in window.statusBar().currentMessage()


def test_ctrl_e_opens_the_export_dialog(window: MainWindow) -> None:
    window.matter.run_export()
    assert isinstance(window.dialog, ExportDialog)
    window.dialog.reject()
    assert window.dialog is None
