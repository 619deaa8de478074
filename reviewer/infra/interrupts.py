"""Ctrl+C and SIGTERM held back while the analysing process waits on its workers.

Python raises KeyboardInterrupt (and the CLI's SIGTERM handler its own error) wherever
the main thread happens to be. Inside ``concurrent.futures`` that can be between a
lock's acquire and the ``with`` that would release it, and the pool's shutdown then
waits on that lock for ever (an ``analyze`` stopped with Ctrl+C under load hung so).
While a :func:`deferred` block runs, an interrupt is therefore only recorded: the
block's ``stop`` ends the workers at once (the wait in progress fails promptly, at a
point Python chose), and the interrupt is raised when the block is left. Outside such
a block, or in another thread's block, it is raised where it arrives, as before.

Where it arrives may be inside the import system's own code: a module lock's clean-up
callback takes the global import lock before the ``try`` that releases it. Raised
there, the exception is a callback's, which Python ignores (it prints its traceback),
and the lock stays held: the next import waits for ever (``analyze`` hung so, stopped
while it imported). While that lock is held an interrupt is not raised, and one that a
callback swallowed is not lost (:func:`lost_ones_again`): either way its signal comes
again (:func:`again`) once no import holds the lock.
"""

from __future__ import annotations

import _imp
import contextlib
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator

_stops: list[Callable[[], None]] = []
_pending: list[BaseException] = []
_hooked: list[bool] = []  # set while the unraisable hook runs: not a place to raise
RETRY_SECONDS = 0.005  # how often a signal sent again looks whether it may come


def deliver(interrupt: BaseException, signum: int | None = None) -> None:
    """What a signal handler calls (``signum``: its signal): raise ``interrupt`` now, or,
    inside a deferred block, record it and stop that block's work. While an import
    holds the import system's lock (or the hook of lost ones runs), the signal comes
    again once it may be raised."""
    if not _stops:
        if signum is not None and (_hooked or _imp.lock_held()):
            again(signum)
            return
        raise interrupt
    if not _pending:
        _pending.append(interrupt)
    for stop in list(_stops):
        stop()


def again(signum: int) -> None:
    """Send ``signum`` to this process again in a moment, once no thread holds the
    import lock."""
    def send() -> None:
        time.sleep(RETRY_SECONDS)
        while _imp.lock_held():
            time.sleep(RETRY_SECONDS)
        signal.raise_signal(signum)

    threading.Thread(target=send, name="interrupt-again", daemon=True).start()


@contextlib.contextmanager
def lost_ones_again(signals: dict[type[BaseException], int]) -> Iterator[None]:
    """While the block runs, an interrupt of ``signals`` that Python ignores (raised in a
    weakref callback or a finaliser: it would print its traceback and drop it) has
    its signal sent again (:func:`again`)."""
    ignoring = sys.unraisablehook

    def hook(unraisable: sys.UnraisableHookArgs) -> None:
        _hooked.append(True)  # a signal sent again now would be raised in here, and lost
        try:
            error = unraisable.exc_value
            signum = None if error is None else signals.get(type(error))
            if signum is None:
                ignoring(unraisable)
            else:
                again(signum)
        finally:
            _hooked.pop()

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = ignoring


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
