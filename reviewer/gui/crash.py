"""Crash reports: an error the reviewer did not cause is a bug. It is written to a
report in the user log folder (frames, exception types, versions and time only)
and the window says one sentence naming the report. ``crash_reports`` installs the
same handling as ``sys.excepthook``, where PySide6 sends exceptions raised in slots."""

from __future__ import annotations

import platform
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import platformdirs
import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QApplication, QMessageBox

from reviewer import __version__
from reviewer.domain.errors import KnownError

LOG_APP_NAME = "redaction-reviewer"
Hook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


def log_folder() -> Path:
    return platformdirs.user_log_path(LOG_APP_NAME)


def scrubbed_traceback(err: BaseException) -> str:
    """Frames and exception types only: a message may quote span text or a passphrase."""
    chain: list[BaseException] = []
    current: BaseException | None = err
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__)
    parts: list[str] = []
    for exc in reversed(chain):
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(exc.__traceback__))
        kind = type(exc)
        parts.append(f"{kind.__module__}.{kind.__qualname__} (message withheld)\n\n")
    return "".join(parts)


def write_report(err: BaseException, folder: Path | None = None) -> Path:
    folder = folder or log_folder()
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    path = folder / f"crash-{now:%Y%m%dT%H%M%S%fZ}.txt"
    header = (f"Redaction Reviewer {__version__}\n"
              f"Time: {now.isoformat()}\n"
              f"Python: {sys.version.splitlines()[0]}\n"
              f"Qt: {qVersion()} (PySide6 {PySide6.__version__})\n"
              f"Platform: {platform.platform()}\n\n")
    path.write_text(header + scrubbed_traceback(err), encoding="utf-8")
    return path


def describe(err: BaseException) -> str:
    """One line for the window: a KnownError's own sentence, or where the bug report is."""
    if isinstance(err, KnownError):
        return str(err)
    try:
        path = write_report(err)
    except OSError as failure:
        return ("Something went wrong inside the app, and the crash report could not be "
                f"written ({type(failure).__name__}); please restart it.")
    return f"Something went wrong inside the app; please send the crash report {path}."


@contextmanager
def crash_reports() -> Iterator[None]:
    """While open, an uncaught error on the main thread becomes a message box."""
    previous: Hook = sys.excepthook

    def hook(kind: type[BaseException], err: BaseException,
             tb: TracebackType | None) -> None:
        if not isinstance(err, Exception) or QApplication.instance() is None:
            previous(kind, err, tb)
            return
        QMessageBox.critical(QApplication.activeWindow(), "Redaction Reviewer",
                             describe(err.with_traceback(tb)))

    sys.excepthook = hook
    try:
        yield
    finally:
        sys.excepthook = previous
