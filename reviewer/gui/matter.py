"""Import, analysis and export from the window: each an optional operation (the
action is disabled with a tooltip when its module is not installed) run as a
visible background job."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from reviewer.gui.dialogs import ExportDialog
from reviewer.gui.jobs import JobBar
from reviewer.ops.stores import Store

OPTIONAL = {"import": ("importing", "Import"), "analyse": ("analysis", "Analysis"),
            "export": ("exporting", "Export")}


def feature_available(module: str) -> bool:
    """Whether an optional operation (import, analysis, export) is installed."""
    return importlib.util.find_spec(f"reviewer.ops.{module}") is not None


def unavailable_reason(action: str) -> str:
    """'' when the action can run, else the tooltip that says why not."""
    module, what = OPTIONAL[action]
    return "" if feature_available(module) else f"{what} is not available in this build yet"


def _optional(module: str, name: str) -> Any:
    return getattr(importlib.import_module(f"reviewer.ops.{module}"), name)


def summary(report: Any, line: int = -1) -> str:
    """One summary line of an operation's report, and the first refusal if any."""
    lines = getattr(report, "summary_lines", None)
    errors = getattr(report, "error_lines", None)
    text = str(lines()[line]) if callable(lines) and lines() else "Done."
    refused = errors() if callable(errors) else []
    return text + (f"  Refused: {refused[0]}" if refused else "")


class MatterActions(QObject):
    """What changes the matter as a whole. ``changed`` fires after an import or an
    analysis (the browser and the totals re-read); ``message`` carries the summary."""

    changed = Signal()
    message = Signal(str)

    def __init__(self, store: Store, reviewer: str, jobs: JobBar,
                 open_dialog: Callable[[Any], None], parent: QWidget) -> None:
        super().__init__(parent)
        self.store = store
        self.reviewer = reviewer
        self.jobs = jobs
        self.open_dialog = open_dialog
        self.parent_widget = parent

    def run_import(self) -> None:
        if unavailable_reason("import") or self.jobs.busy:
            return
        names, _ = QFileDialog.getOpenFileNames(self.parent_widget, "Import conversation files")
        if names:
            self.import_paths([Path(n) for n in names])

    def import_paths(self, paths: list[Path]) -> None:
        import_files = _optional("importing", "import_files")
        self.jobs.submit(
            "Importing",
            lambda p: import_files(self.store, paths, self.reviewer, progress=p),
            self._after_import)

    def _after_import(self, report: Any) -> None:
        self.message.emit(summary(report))
        self.changed.emit()
        if not unavailable_reason("analyse"):
            self.run_analysis()

    def run_analysis(self) -> None:
        if unavailable_reason("analyse") or self.jobs.busy:
            return
        analyze = _optional("analysis", "analyze")
        self.jobs.submit("Analysing", lambda p: analyze(self.store, self.reviewer, progress=p),
                         self._after_analysis)

    def _after_analysis(self, report: Any) -> None:
        self.message.emit(summary(report))
        self.changed.emit()

    def run_export(self) -> None:
        if unavailable_reason("export") or self.jobs.busy:
            return
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        dialog = ExportDialog(Path.home() / f"packet-{stamp}", self.parent_widget)
        dialog.accepted.connect(lambda: self.export_to(
            Path(dialog.out_dir.text()), dialog.prefix.text().strip() or "RR",
            dialog.allow_pending.isChecked(), dialog.active_only.isChecked()))
        self.open_dialog(dialog)

    def export_to(self, out_dir: Path, prefix: str = "RR", allow_pending: bool = False,
                  active_only: bool = False) -> None:
        export_packet = _optional("exporting", "export_packet")
        self.jobs.submit(
            "Exporting",
            lambda p: export_packet(self.store, out_dir, self.reviewer, prefix=prefix,
                                    allow_pending=allow_pending, active_only=active_only,
                                    progress=p),
            lambda report: self.message.emit(summary(report, 0)))
