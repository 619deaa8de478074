"""Import, analysis and export from the window, each run as a visible background job."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from reviewer.domain.changes import Changes
from reviewer.domain.errors import CancelledError, KnownError
from reviewer.domain.progress import Progress
from reviewer.gui.export_dialog import ExportChoice, ExportDialog, new_packet_folder
from reviewer.gui.jobs import JobBar
from reviewer.gui.settings import Settings
from reviewer.ops.exporting import export_packet
from reviewer.ops.importing import import_files
from reviewer.ops.stores import Store


def summary(report: Any, line: int = -1) -> str:
    """One summary line of an operation's report, and the first refusal if any."""
    lines = getattr(report, "summary_lines", None)
    errors = getattr(report, "error_lines", None)
    text = str(lines()[line]) if callable(lines) and lines() else "Done."
    refused = errors() if callable(errors) else []
    return text + (f"  Refused: {refused[0]}" if refused else "")


class MatterActions(QObject):
    """What changes the matter as a whole. ``changed`` fires after an import or an
    analysis (the browser and the totals re-read); ``applied`` carries the changes of
    an export the leak scan refused (the spans it added); ``message`` the summary."""

    changed = Signal()
    applied = Signal(object)
    message = Signal(str)

    def __init__(self, store: Store, reviewer: str, jobs: JobBar,
                 open_dialog: Callable[[Any], None], parent: QWidget,
                 settings: Settings | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.reviewer = reviewer
        self.jobs = jobs
        self.open_dialog = open_dialog
        self.parent_widget = parent
        self.settings = settings if settings is not None else Settings()
        self.held_refusal: tuple[ExportChoice, KnownError] | None = None

    def run_import(self) -> None:
        if self.jobs.busy:
            return
        names, _ = QFileDialog.getOpenFileNames(self.parent_widget, "Import conversation files")
        if names:
            self.import_paths([Path(n) for n in names])

    def import_paths(self, paths: list[Path]) -> None:
        self.jobs.submit(
            "Importing",
            lambda p: import_files(self.store, paths, self.reviewer, progress=p),
            self._after_import)

    def _after_import(self, report: Any) -> None:
        self.message.emit(summary(report))
        self.changed.emit()
        self.run_analysis()

    def run_analysis(self) -> None:
        if self.jobs.busy:
            return
        # Imported here, not with the window: it loads spaCy and the suggestion engine
        # (a second or more), which the window does not need to appear.
        from reviewer.ops.analysis import analyze

        self.jobs.submit("Analysing", lambda p: analyze(self.store, self.reviewer, progress=p),
                         self._after_analysis)

    def _after_analysis(self, report: Any) -> None:
        """What was analysed and how many spans it added (its first two lines; the policy's
        hash, its last, says nothing a reviewer acts on), and a warning before all."""
        lines = getattr(report, "summary_lines", None)
        warned = getattr(report, "warning_lines", None)
        said = " ".join(str(line) for line in lines()[:2]) if callable(lines) else ""
        warnings = warned() if callable(warned) else []
        self.message.emit(f"Warning: {warnings[0]}" if warnings else said or "Analysed.")
        self.changed.emit()

    def run_export(self) -> None:
        """Ctrl+E: the export dialog with the remembered choices, or, when an export was
        refused while the window was locked, with that refusal."""
        if self.jobs.busy:
            return
        choice, problem = self.held_refusal or (remembered_choice(self.settings), None)
        self.held_refusal = None
        self.open_export(choice, problem)

    def open_export(self, choice: ExportChoice, problem: KnownError | None = None) -> None:
        dialog = ExportDialog(choice, self.parent_widget)
        if problem is not None:
            dialog.show_problem(getattr(problem, "headline", None) or str(problem),
                                getattr(problem, "places", ()),
                                str(getattr(problem, "reason", "")),
                                getattr(problem, "total_places", None),
                                getattr(problem, "finished", None))
        dialog.accepted.connect(lambda: self._export_chosen(dialog.choice()))
        self.open_dialog(dialog)

    def _export_chosen(self, choice: ExportChoice) -> None:
        remember_choice(self.settings, choice)
        self.export(choice)

    def export_to(self, out_dir: Path, prefix: str = "RR", allow_pending: bool = False,
                  active_only: bool = False, only_finished: bool = False) -> None:
        self.export(ExportChoice(out_dir, prefix, only_finished, allow_pending, active_only))

    def export(self, choice: ExportChoice) -> None:
        """Write the packet in the background; a refusal or another error the user can fix
        comes back as the outcome and reopens the dialog with it."""
        def work(progress: Progress) -> Any:
            try:
                return export_packet(self.store, choice.out_dir, self.reviewer,
                                     progress=progress, **choice.export_options())
            except CancelledError:
                raise
            except KnownError as err:
                return err

        self.jobs.submit("Exporting", work, lambda outcome: self._exported(choice, outcome))

    def _exported(self, choice: ExportChoice, outcome: Any) -> None:
        locked = bool(getattr(self.parent_widget, "locked", False))
        changes = getattr(outcome, "changes", None)
        if isinstance(changes, Changes):
            self.applied.emit(changes)
        if not isinstance(outcome, KnownError):
            self.message.emit(f"Packet written to {outcome.out_dir}.")
            if not locked:
                self.open_dialog(packet_written(outcome, self.parent_widget))
        elif locked:
            # Titles must not show over the lock page: the refusal waits for the next Ctrl+E.
            self.held_refusal = (choice, outcome)
            self.message.emit("The export was refused; open Export again to see why.")
        else:
            self.open_export(choice, outcome)


def remembered_choice(settings: Settings) -> ExportChoice:
    """The last export's choices, with a new folder under the last packet's parent
    (the home folder when there is none, or it is gone)."""
    parent = Path(str(settings.get("export/parent_folder")) or Path.home())
    return ExportChoice(new_packet_folder(parent if parent.is_dir() else Path.home()),
                        str(settings.get("export/prefix")) or "RR",
                        bool(settings.get("export/only_finished")),
                        bool(settings.get("export/allow_pending")),
                        bool(settings.get("export/active_only")))


def remember_choice(settings: Settings, choice: ExportChoice) -> None:
    settings.set("export/parent_folder", str(choice.out_dir.parent))
    settings.set("export/prefix", choice.prefix)
    settings.set("export/only_finished", choice.only_finished)
    settings.set("export/allow_pending", choice.allow_pending)
    settings.set("export/active_only", choice.active_only)


def packet_written(report: Any, parent: QWidget) -> QMessageBox:
    """The export's summary (counts, control numbers, withheld, the manifest's hash),
    whole and selectable: too long for the status bar."""
    box = QMessageBox(QMessageBox.Icon.Information, "Packet written — Redaction Reviewer",
                      "The packet is written.", QMessageBox.StandardButton.Ok, parent)
    box.setInformativeText("\n".join(str(line) for line in report.summary_lines()))
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return box
