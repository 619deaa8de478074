"""Ctrl+C and SIGTERM held back while the analysing process waits on its workers.

Python raises KeyboardInterrupt (and the CLI's SIGTERM handler its own error) wherever
the main thread happens to be. Inside ``concurrent.futures`` that can be between a
lock's acquire and the ``with`` that would release it, and the pool's shutdown then
waits on that lock for ever (an ``analyze`` stopped with Ctrl+C under load hung so).
While a :func:`deferred` block runs, an interrupt is therefore only recorded: the
block's ``stop`` ends the workers at once (the wait in progress fails promptly, at a
point Python chose), and the interrupt is raised when the block is left. Outside such
a block, or in another thread's block, it is raised where it arrives, as before.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

_stops: list[Callable[[], None]] = []
_pending: list[BaseException] = []


def deliver(interrupt: BaseException) -> None:
    """What a signal handler calls: raise ``interrupt`` now, or, inside a deferred
    block, record it and stop that block's work."""
    if not _stops:
        raise interrupt
    if not _pending:
        _pending.append(interrupt)
    for stop in list(_stops):
        stop()


def requested() -> bool:
    """Whether an interrupt is held back: a deferred block should leave now."""
    return bool(_pending)


@contextlib.contextmanager
def deferred(stop: Callable[[], None]) -> Iterator[None]:
    """Hold interrupts back while the block runs (main thread only); ``stop`` is called
    when one arrives and must end the block's work without blocking."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _stops.append(stop)
    try:
        yield
    finally:
        _stops.remove(stop)
        if not _stops and _pending:
            raise _pending.pop() from None
