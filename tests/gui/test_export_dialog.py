"""The export dialog: remembered choices, only-finished, refusals shown in the dialog
by conversation number and title, and its keys. ``export_packet`` is replaced by a
recorder here; tests/gui/test_tasks_window.py runs the real one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QMessageBox

from reviewer.domain.errors import UsageError
from reviewer.domain.models import Status
from reviewer.gui.export_dialog import ExportChoice, ExportDialog, new_packet_folder
from reviewer.gui.matter import remembered_choice
from reviewer.gui.settings import Settings
from reviewer.gui.window import MainWindow
from reviewer.ops import review
from reviewer.ops.decisions import decide
from reviewer.ops.refusals import (
    ConflictRefusedError,
    LeakRefusedError,
    PendingRefusedError,
    RefusedPlace,
    UnanalysedRefusedError,
)
from tests.export.builders import mark_all_analysed


@dataclass(frozen=True)
class Report:
    """What the window reads of an ExportReport."""

    out_dir: Path
    withheld: int = 0

    def summary_lines(self) -> list[str]:
        return [f"Packet P1 written to {self.out_dir}.",
                "2 conversation(s), 5 message(s), 3 page(s): RR-000001 – RR-000003.",
                f"{self.withheld} unfinished conversation(s) withheld."]


class FakeExport:
    """Stands in for export_packet: records each call's arguments; each call succeeds
    (withholding ``outcomes``' number) or raises the error ``outcomes`` holds next."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.outcomes: list[Exception | int] = []

    def __call__(self, store: Any, out_dir: Path, actor: str, **options: Any) -> Report:
        self.calls.append({"out_dir": out_dir, **options})
        outcome = self.outcomes.pop(0) if self.outcomes else 0
        if isinstance(outcome, Exception):
            raise outcome
        return Report(out_dir, withheld=outcome)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeExport:
    export = FakeExport()
    monkeypatch.setattr("reviewer.gui.matter.export_packet", export)
    return export


def open_dialog(window: MainWindow) -> ExportDialog:
    window.matter.run_export()
    dialog = window.dialog
    assert isinstance(dialog, ExportDialog)
    assert dialog.isVisible()
    return dialog


def press(qtbot: Any, widget: Any, key: Qt.Key, text: str = "") -> None:
    widget.setFocus()
    if text:
        qtbot.keyClicks(widget, text)
    else:
        qtbot.keyClick(widget, key)
    QApplication.processEvents()


def tick(qtbot: Any, box: QCheckBox) -> None:
    """A click on the box itself (a wide check box's middle may be past its label)."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def refusal(count: int, total: int | None = None, kind: type[PendingRefusedError] =
            PendingRefusedError, title: Callable[[int], str] = str) -> PendingRefusedError:
    places = [RefusedPlace(100 + n, title(n), n + 1, "pending span(s)") for n in range(count)]
    return kind(f"Export refused: pending spans in {total or count} conversation(s).",
                count, places, total)


def test_choices_are_remembered_for_the_next_dialog(qtbot: Any, window: MainWindow,
                                                   tmp_path: Path, fake: FakeExport) -> None:
    (tmp_path / "packets").mkdir()
    dialog = open_dialog(window)
    dialog.out_dir.setText(str(tmp_path / "packets" / "first"))
    dialog.prefix.setText("ACME")
    for box in (dialog.only_finished, dialog.active_only):
        tick(qtbot, box)
    press(qtbot, dialog.prefix, Qt.Key.Key_Return)
    assert fake.calls[0]["out_dir"] == tmp_path / "packets" / "first"
    assert isinstance(window.dialog, QMessageBox)
    window.dialog.accept()
    again = open_dialog(window)
    folder = Path(again.out_dir.text())
    assert folder.parent == tmp_path / "packets"
    assert folder.name.startswith("packet-")
    assert again.prefix.text() == "ACME"
    assert again.only_finished.isChecked()
    assert again.active_only.isChecked()
    assert not again.allow_pending.isChecked()
    again.reject()
    # Declared settings, in the window's settings file: a new Settings object reads them.
    assert remembered_choice(Settings(Path(window.settings.qsettings.fileName()))).prefix == "ACME"


def test_a_new_folder_name_each_time(tmp_path: Path) -> None:
    now = datetime(2026, 12, 1, 9, 30, 0)
    first = new_packet_folder(tmp_path, now)
    first.mkdir()
    second = new_packet_folder(tmp_path, now)
    assert first.name == "packet-20261201-093000"
    assert second.name == "packet-20261201-093000-2"


def test_only_finished_reaches_the_export_and_disables_allow_pending(
        qtbot: Any, window: MainWindow, tmp_path: Path, fake: FakeExport) -> None:
    dialog = open_dialog(window)
    dialog.out_dir.setText(str(tmp_path / "packet"))
    tick(qtbot, dialog.allow_pending)
    tick(qtbot, dialog.only_finished)
    assert not dialog.allow_pending.isEnabled()
    assert "only finished" in dialog.allow_pending.toolTip()
    fake.outcomes.append(4)
    press(qtbot, dialog.out_dir, Qt.Key.Key_Return)
    [made] = fake.calls
    assert made["only_finished"] is True
    assert made["allow_pending"] is False  # it has no effect; the export gets what applies
    assert window.statusBar().currentMessage() == f"Packet written to {tmp_path / 'packet'}."
    written = window.dialog
    assert isinstance(written, QMessageBox)
    assert "RR-000001 – RR-000003" in written.informativeText()
    assert "4 unfinished conversation(s) withheld" in written.informativeText()
    press(qtbot, written, Qt.Key.Key_Return)
    assert window.dialog is None
    # Ticked as the user left it, so unticking only-finished brings it back.
    assert remembered_choice(window.settings).allow_pending


def test_a_refusal_reopens_the_dialog_with_numbers_and_titles(
        qtbot: Any, window: MainWindow, tmp_path: Path, fake: FakeExport) -> None:
    fake.outcomes.append(refusal(60, 3120, title=lambda n: f"Lease dispute {n}"))
    dialog = open_dialog(window)
    dialog.out_dir.setText(str(tmp_path / "packet"))
    dialog.prefix.setText("TST")
    press(qtbot, dialog.out_dir, Qt.Key.Key_Return)
    shown = window.dialog
    assert isinstance(shown, ExportDialog)
    assert shown.isVisible()
    assert shown.out_dir.text() == str(tmp_path / "packet")
    assert shown.prefix.text() == "TST"
    assert shown.problem.text() == "Export refused: pending spans in 3120 conversation(s)."
    first = shown.places.topLevelItem(0)
    assert [first.text(c) for c in range(3)] == ["#100", "Lease dispute 0", "1 pending span(s)"]
    assert shown.places.topLevelItemCount() == 50
    assert shown.more.text() == "and 3,070 more conversation(s)"
    assert window.statusBar().currentMessage() == ""
    shown.reject()


def test_the_way_out_exports_only_the_finished(qtbot: Any, window: MainWindow, tmp_path: Path,
                                              fake: FakeExport) -> None:
    fake.outcomes.append(refusal(2, kind=UnanalysedRefusedError))
    window.matter.export_to(tmp_path / "packet")
    dialog = window.dialog
    assert isinstance(dialog, ExportDialog)
    assert dialog.way_out.isVisible()
    qtbot.mouseClick(dialog.way_out, Qt.MouseButton.LeftButton)
    assert [c["only_finished"] for c in fake.calls] == [False, True]
    assert "written" in window.statusBar().currentMessage()
    written = window.dialog
    assert isinstance(written, QMessageBox)
    written.reject()


def test_no_way_out_when_only_finished_was_on_or_the_error_is_another(
        window: MainWindow, tmp_path: Path, fake: FakeExport) -> None:
    leak = LeakRefusedError("Export refused: the leak scan found 1 place(s).", [5],
                            [RefusedPlace(3, "Lease dispute", 1, "leak(s) found")])
    fake.outcomes += [leak, UsageError(f"{tmp_path} already exists: give a new folder name.")]
    window.matter.export_to(tmp_path / "packet", only_finished=True)
    first = window.dialog
    assert isinstance(first, ExportDialog)
    assert first.places.topLevelItemCount() == 1
    assert not first.way_out.isVisible()
    first.reject()
    window.matter.export_to(tmp_path)
    second = window.dialog
    assert isinstance(second, ExportDialog)
    assert "already exists" in second.problem.text()
    assert not second.places.isVisible()
    assert not second.way_out.isVisible()
    second.reject()


def test_no_way_out_when_no_conversation_is_finished(
        window: MainWindow, tmp_path: Path, fake: FakeExport) -> None:
    # Producing only the finished ones would be an empty, signed packet.
    refusal = PendingRefusedError("Export refused: 3 pending span(s) in 2 conversation(s).", 3,
                                  [RefusedPlace(1, "Lease dispute", 2, "pending span(s)")],
                                  2, finished=0)
    fake.outcomes.append(refusal)
    window.matter.export_to(tmp_path / "packet")
    dialog = window.dialog
    assert isinstance(dialog, ExportDialog)
    assert dialog.places.topLevelItemCount() == 1
    assert not dialog.way_out.isVisible()
    dialog.reject()


def test_a_kept_value_refusal_lists_its_conversations_and_offers_no_way_out(
        window: MainWindow, tmp_path: Path, fake: FakeExport) -> None:
    # Producing only the finished conversations would not settle it: the value must
    # be decided one way.
    conflict = ConflictRefusedError(
        "Export refused: 1 rejected span(s) in 1 conversation(s) keep text that is "
        "redacted elsewhere.", [7], [RefusedPlace(3, "Lease dispute", 1, "kept span(s)")],
        headline="Export refused: 1 rejected span(s) keep text that is redacted elsewhere.")
    fake.outcomes.append(conflict)
    window.matter.export_to(tmp_path / "packet")
    dialog = window.dialog
    assert isinstance(dialog, ExportDialog)
    assert "redacted elsewhere" in dialog.problem.text()
    assert dialog.places.topLevelItemCount() == 1
    assert not dialog.way_out.isVisible()
    dialog.reject()


def test_long_titles_are_one_line_and_elided_with_the_full_title_as_tooltip(
        window: MainWindow) -> None:
    long_title = "Question about\nthe lease " + "and the deposit " * 20
    dialog = ExportDialog(ExportChoice(Path("/tmp/p")), window)
    dialog.show_problem("Export refused.", [RefusedPlace(7, long_title, 3, "pending span(s)")],
                        "pending")
    item = dialog.places.topLevelItem(0)
    assert "\n" not in item.text(1)
    assert item.text(1).startswith("Question about the lease and the deposit")
    assert item.toolTip(1) == item.text(1)
    assert dialog.places.textElideMode() == Qt.TextElideMode.ElideRight
    dialog.close()


def test_enter_exports_and_escape_cancels(qtbot: Any, window: MainWindow, tmp_path: Path,
                                          fake: FakeExport) -> None:
    dialog = open_dialog(window)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.out_dir, timeout=2000)
    press(qtbot, dialog.out_dir, Qt.Key.Key_Escape)
    assert window.dialog is None
    assert fake.calls == []
    dialog = open_dialog(window)
    dialog.out_dir.setText(str(tmp_path / "by-enter"))
    press(qtbot, dialog.active_only, Qt.Key.Key_Return)
    assert [c["out_dir"] for c in fake.calls] == [tmp_path / "by-enter"]
    written = window.dialog
    assert isinstance(written, QMessageBox)
    press(qtbot, written, Qt.Key.Key_Escape)
    assert window.dialog is None


def test_enter_with_no_folder_says_so_in_the_dialog(qtbot: Any, window: MainWindow,
                                                    fake: FakeExport) -> None:
    dialog = open_dialog(window)
    dialog.out_dir.clear()
    press(qtbot, dialog.out_dir, Qt.Key.Key_Return)
    assert window.dialog is dialog
    assert dialog.problem.text() == "Choose a new folder for the packet."
    assert fake.calls == []
    dialog.reject()


def test_letter_keys_type_in_the_dialog_and_do_not_review(qtbot: Any, window: MainWindow,
                                                          fake: FakeExport) -> None:
    before = review.status_totals(window.store)
    dialog = open_dialog(window)
    dialog.prefix.clear()
    press(qtbot, dialog.prefix, Qt.Key.Key_A, "ARJ")
    assert dialog.prefix.text() == "ARJ"
    press(qtbot, dialog.only_finished, Qt.Key.Key_A, "a")
    assert review.status_totals(window.store) == before
    assert window.session.current is None or window.session.current.status is Status.PENDING
    dialog.reject()


def test_a_refusal_while_locked_waits_for_the_next_export(qtbot: Any, window: MainWindow,
                                                         tmp_path: Path, fake: FakeExport) -> None:
    fake.outcomes.append(refusal(3, title=lambda n: f"Private title {n}"))
    window.lock()
    window.matter.export_to(tmp_path / "packet", "TST")
    assert window.dialog is None
    assert "open Export again" in window.statusBar().currentMessage()
    window.unlocked()
    dialog = open_dialog(window)
    assert dialog.places.topLevelItem(0).text(1) == "Private title 0"
    assert dialog.prefix.text() == "TST"
    dialog.reject()
    assert window.matter.held_refusal is None
    open_dialog(window).reject()  # once shown, the next export starts afresh


def test_only_finished_withholds_the_unfinished_with_the_real_export(
        window: MainWindow, tmp_path: Path, conversations: dict[str, int]) -> None:
    # Every fixture conversation holds pending spans; one is finished here: the other
    # two are withheld, and counted (with none finished the export refuses, above).
    detail = review.conversation_detail(window.store, conversations["code"])
    decide(window.store, [s.id for s in detail.spans], Status.APPROVED, "tester")
    mark_all_analysed(window.store, conversations["code"],
                      [m.id for m in detail.conversation.messages if m.id is not None])
    window.matter.export_to(tmp_path / "packet", only_finished=True)
    written = window.dialog
    assert not isinstance(written, ExportDialog), written.problem.text()
    assert (tmp_path / "packet" / "manifest.json").exists(), window.statusBar().currentMessage()
    assert isinstance(written, QMessageBox)
    assert "2 unfinished conversation(s) withheld" in written.informativeText()
    written.accept()


def test_a_parent_folder_that_is_gone_gives_way_to_home(tmp_path: Path) -> None:
    settings = Settings(tmp_path / "settings.ini")
    settings.set("export/parent_folder", str(tmp_path / "removed"))
    assert remembered_choice(settings).out_dir.parent == Path.home()
    settings.set("export/parent_folder", str(tmp_path))
    assert remembered_choice(settings).out_dir.parent == tmp_path


def test_ticking_only_finished_takes_the_way_out_offer_away(
        qtbot: Any, window: MainWindow) -> None:
    dialog = ExportDialog(ExportChoice(Path("/tmp/p")), window)
    dialog.show_problem("Export refused.", [RefusedPlace(7, "Lease", 3, "pending span(s)")],
                        "pending")
    dialog.show()
    assert dialog.way_out.isVisible()
    tick(qtbot, dialog.only_finished)
    assert not dialog.way_out.isVisible()
    tick(qtbot, dialog.only_finished)
    assert dialog.way_out.isVisible()
    dialog.close()


def test_tab_walks_the_fields_top_to_bottom_then_the_buttons(
        qtbot: Any, window: MainWindow) -> None:
    dialog = open_dialog(window)
    dialog.show_problem("Export refused.", [RefusedPlace(7, "Lease", 3, "pending span(s)")],
                        "pending")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.out_dir, timeout=2000)
    walked = []
    for _ in range(10):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        walked.append(QApplication.focusWidget())
    assert walked[1:] == [dialog.prefix, dialog.only_finished, dialog.allow_pending,
                          dialog.active_only, dialog.way_out, dialog.places, dialog.go,
                          dialog.cancel, dialog.out_dir]
    dialog.reject()
