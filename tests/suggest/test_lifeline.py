"""The workers' forkserver starts deaf to Ctrl+C, and a Ctrl+C meanwhile is not lost
(``lifeline.children_start_deaf``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

import pytest

from reviewer.suggest import lifeline

pytestmark = pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="POSIX signals")

# What a new process can do with a Ctrl+C before running a line of its own.
READ_OWN_MASK = ("import signal; "
                 "print(signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, set()))")


def _child_blocks_ctrl_c() -> bool:
    run = subprocess.run([sys.executable, "-c", READ_OWN_MASK], capture_output=True,
                         text=True, check=True)
    return run.stdout.strip() == "True"


def test_a_process_started_in_the_block_cannot_be_interrupted_until_it_says() -> None:
    mask = signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # xdist blocks it
    try:
        with lifeline.children_start_deaf():
            assert _child_blocks_ctrl_c()
        assert not _child_blocks_ctrl_c()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def test_a_ctrl_c_in_the_block_is_handled_after_it() -> None:
    got: list[float] = []

    def handler(signum: int, frame: FrameType | None) -> None:
        got.append(time.monotonic())

    previous = signal.signal(signal.SIGINT, handler)
    mask = signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    try:
        with lifeline.children_start_deaf():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)
            held = list(got)
            left = time.monotonic()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        signal.signal(signal.SIGINT, previous)
    assert len(got) == 1  # handled once: not lost
    if _threads() == 1:  # nothing else could take it: it waited for the block's end
        assert held == []
        assert got[0] >= left


def _threads() -> int:
    tasks = Path("/proc/self/task")
    return len(list(tasks.iterdir())) if tasks.exists() else 2
