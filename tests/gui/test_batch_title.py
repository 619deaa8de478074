"""The window of a review batch says which batch of which matter it is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reviewer.gui.settings import Settings
from reviewer.gui.tasks import SyncRunner
from reviewer.gui.window import MainWindow
from reviewer.ops import batches
from reviewer.ops.stores import open_store
from tests.gui.conftest import fill

BATCH_PASSPHRASE = "violet anchor meadow tram"


def test_a_batch_window_names_its_batch_and_matter(qtbot: Any, store: Any, settings: Settings,
                                                   tmp_path: Path) -> None:
    fill(store)
    report = batches.split(store, tmp_path / "out", 2, BATCH_PASSPHRASE, "lead")
    batch = open_store(report.batches[1].path, BATCH_PASSPHRASE)
    try:
        win = MainWindow(batch, "alice", settings, SyncRunner(), None)
        qtbot.addWidget(win)
        assert win.windowTitle() == (f"matter-batch-002.store (batch 2 of 2 of matter "
                                     f"{store.path.name}) — Redaction Reviewer")
        win.close()
    finally:
        batch.close()


def test_a_matter_window_title_is_its_file_name(window: MainWindow) -> None:
    assert window.windowTitle() == f"{window.store.path.name} — Redaction Reviewer"
