"""A store that cannot be written opens in the app for reading: the status bar
says so for as long as it is open, and a decision is refused in one line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from reviewer.domain.models import Status
from reviewer.gui.app import opener
from reviewer.gui.settings import Settings
from reviewer.gui.window import MainWindow
from reviewer.ops.stores import create_store
from tests.conftest import PASSPHRASE
from tests.gui.conftest import fill, started_window
from tests.store.readonly import unwritable


@pytest.fixture
def read_only_window(qtbot: Any, store_path: Path, settings: Settings) -> Iterator[MainWindow]:
    with create_store(store_path, PASSPHRASE, "tester") as store:
        fill(store)
    with unwritable(store_path):
        opened = opener("tester")(store_path, PASSPHRASE, False)  # as the unlock dialog does
        win = started_window(qtbot, opened, settings)
        yield win
        win.close()
        opened.close()


def test_the_status_bar_says_read_only(read_only_window: MainWindow) -> None:
    texts = [label.text() for label in read_only_window.statusBar().findChildren(QLabel)]
    assert "<b>Read-only store</b>: reading only, no decisions" in texts


def test_a_decision_is_refused_in_one_line(qtbot: Any, read_only_window: MainWindow) -> None:
    session = read_only_window.session
    span = session.current
    assert span is not None
    assert span.status is Status.PENDING
    qtbot.keyClick(read_only_window, Qt.Key.Key_A)
    message = read_only_window.statusBar().currentMessage()
    assert message.startswith(f"{read_only_window.store.path} is read-only: ")
    assert "\n" not in message
    assert session.spans[span.id].status is Status.PENDING
    assert session.decided == 0
