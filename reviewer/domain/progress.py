"""How long operations report progress and learn of cancellation.

An operation calls ``progress(done, total, label)`` between units of work
(``total`` None when unknown). To cancel, the callback raises
:class:`reviewer.domain.errors.CancelledError`; operations only call it at
points where stopping loses nothing that was committed.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def __call__(self, done: int, total: int | None, label: str) -> None: ...


def no_progress(done: int, total: int | None, label: str) -> None:
    """The default callback: report nothing, never cancel."""
