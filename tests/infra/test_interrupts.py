"""Interrupts held back while a deferred block runs: recorded, the block's work stopped,
raised when it is left; raised where they arrive outside one."""

from __future__ import annotations

import pytest

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
