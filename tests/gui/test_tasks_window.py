"""Import and export from the window, through the task runner (synchronous here)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QMessageBox

from reviewer.gui.export_dialog import ExportDialog
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


def refused_dialog(window: MainWindow) -> ExportDialog:
    """The export dialog a refusal reopened (the status bar says why when it did not)."""
    dialog = window.dialog
    assert isinstance(dialog, ExportDialog), window.statusBar().currentMessage()
    assert dialog.isVisible()
    return dialog


def test_export_refuses_pending_then_writes_with_allow_pending(
        window: MainWindow, tmp_path: Path, conversations: dict[str, int]) -> None:
    window.matter.export_to(tmp_path / "refused")
    assert not (tmp_path / "refused").exists()
    refused = refused_dialog(window)
    assert "pending" in refused.problem.text().lower()
    rows = [[refused.places.topLevelItem(n).text(c) for c in range(3)]
            for n in range(refused.places.topLevelItemCount())]
    lease = next(row for row in rows if row[0] == f"#{conversations['lease']}")
    assert lease[1] == "Lease dispute"
    assert "pending" in lease[2]
    assert not any("lease-1" in text for row in rows for text in row)  # numbers, not source ids
    refused.reject()
    window.matter.export_to(tmp_path / "packet", "TST", allow_pending=True)
    assert (tmp_path / "packet" / "manifest.json").exists(), window.statusBar().currentMessage()
    assert "written" in window.statusBar().currentMessage()
    written = window.dialog
    assert isinstance(written, QMessageBox)
    assert "TST-000001" in written.informativeText()
    written.accept()
    assert window.dialog is None


def test_ctrl_e_opens_the_export_dialog(window: MainWindow) -> None:
    window.matter.run_export()
    assert isinstance(window.dialog, ExportDialog)
    window.dialog.reject()
    assert window.dialog is None


class _Analysed:
    def __init__(self, warnings: list[str]) -> None:
        self.warnings = warnings

    def summary_lines(self) -> list[str]:
        return ["Analysed 4 texts in 2 conversations in 1.2 s (1 worker).",
                "Added 3 spans (3 suggested).", "Policy /p.yaml, hash 0123456789ab."]

    def warning_lines(self) -> list[str]:
        return self.warnings


def test_the_end_of_an_analysis_says_what_it_added_or_what_it_could_not_do(
        window: MainWindow) -> None:
    messages: list[str] = []
    window.matter.message.connect(messages.append)
    window.matter._after_analysis(_Analysed([]))
    window.matter._after_analysis(_Analysed(["the spaCy pipeline x is not installed"]))
    assert messages == [
        "Analysed 4 texts in 2 conversations in 1.2 s (1 worker). Added 3 spans (3 suggested).",
        "Warning: the spaCy pipeline x is not installed"]
