"""Interrupts held back while a deferred block runs: recorded, the block's work stopped,
raised when it is left; raised where they arrive outside one."""

from __future__ import annotations

import _imp
import signal
import time
import weakref
from collections.abc import Callable

import pytest

from reviewer.cli import _signals_raise
from reviewer.infra import interrupts


def test_outside_a_deferred_block_an_interrupt_is_raised_where_it_arrives() -> None:
    with pytest.raises(KeyboardInterrupt):
        interrupts.deliver(KeyboardInterrupt())


def _press_twice(stopped: list[str], seen: list[bool]) -> None:
    with interrupts.deferred(lambda: stopped.append("stop")):
        interrupts.deliver(KeyboardInterrupt())
        seen.append(interrupts.requested())
        interrupts.deliver(KeyboardInterrupt())  # a second press: recorded once
        seen.append(True)  # the block ran on to its end


def test_inside_one_it_stops_the_work_and_is_raised_on_leaving() -> None:
    stopped: list[str] = []
    seen: list[bool] = []
    with pytest.raises(KeyboardInterrupt):
        _press_twice(stopped, seen)
    assert seen == [True, True]
    assert stopped == ["stop", "stop"]
    assert not interrupts.requested()


def _broken_by_the_stop() -> None:
    with interrupts.deferred(lambda: None):
        interrupts.deliver(KeyboardInterrupt())
        raise RuntimeError("the pool broke because its workers were stopped")


def test_the_interrupt_replaces_the_error_the_stopped_work_raised() -> None:
    with pytest.raises(KeyboardInterrupt):
        _broken_by_the_stop()


def test_while_an_import_holds_its_lock_the_signal_comes_again_once_it_is_free() -> None:
    # Raised inside importlib's code after it took the global import lock and before the
    # ``try`` that releases it, the interrupt left the lock held and every later import
    # waiting for ever.
    got: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: got.append(signum))
    try:
        _imp.acquire_lock()
        try:
            interrupts.deliver(KeyboardInterrupt(), signal.SIGINT)  # not raised
            time.sleep(0.1)
            assert got == []  # nor sent again while the lock is held
        finally:
            _imp.release_lock()
        _wait_for(lambda: bool(got))
        assert got == [signal.SIGINT]
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.mark.usefixtures("ctrl_c_as_in_a_terminal")
def test_an_interrupt_a_callback_swallowed_is_raised_again(
        capsys: pytest.CaptureFixture[str]) -> None:
    # Python ignores what a weakref callback or a finaliser raises (and prints its
    # traceback): a Ctrl+C that arrived there was lost.
    with pytest.raises(KeyboardInterrupt):
        _swallow_an_interrupt()
    assert "Exception ignored" not in capsys.readouterr().err


def _swallow_an_interrupt() -> None:
    class Thing:
        pass

    def swallowing(ref: object) -> None:
        raise KeyboardInterrupt

    with _signals_raise():
        thing = Thing()
        ref = weakref.ref(thing, swallowing)
        del thing  # the callback raises; Python hands it to the hook
        assert ref() is None
        _wait_for(lambda: False)


def _wait_for(done: Callable[[], bool], seconds: float = 10.0) -> None:
    ends = time.monotonic() + seconds
    while not done() and time.monotonic() < ends:
        time.sleep(0.01)
