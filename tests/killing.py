"""SIGKILL a child process at a random moment, round after round, without paying
Python's start (~1.3 s with the store and Qt imported) at every round.

A ``Zygote`` is one Python process that runs ``prelude`` once (imports, and
anything every round shares), then forks a child per round that runs ``body``
with that round's ``args``. The body calls ``ready()`` once it is set up; the
test then lets it run ``delay`` seconds and kills it. A key derived in the zygote
(``keys.derive_key`` is cached there) is not derived again by its children.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections import deque
from types import TracebackType

ZYGOTE = textwrap.dedent("""
    import functools, json, os, sys
    from reviewer.store import keys
    keys.derive_key = functools.lru_cache(keys.derive_key)

    def ready():
        print("ready", os.getpid(), flush=True)

    exec(sys.argv[1])
    print("started", flush=True)
    for line in sys.stdin:
        pid = os.fork()
        if pid == 0:
            try:
                exec(sys.argv[2], {**globals(), "args": json.loads(line)})
            finally:
                sys.stdout.flush()
                os._exit(0)
        sys.stdin.readline()  # killed: only now reaped, so its pid was never reused
        os.waitpid(pid, 0)
        print("ended", flush=True)
""")


# How long a line from the zygote may take (a busy machine; a round prints within
# seconds): past it the test fails and says what it last read, rather than hang CI.
LINE_DEADLINE = 120.0


class Zygote:
    def __init__(self, prelude: str, body: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", ZYGOTE, textwrap.dedent(prelude), textwrap.dedent(body)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        # Lines are read on a thread, so that waiting for one can have a deadline.
        self._lines: queue.Queue[str] = queue.Queue()
        self._last: deque[str] = deque(maxlen=5)
        self._reader = threading.Thread(target=self._read, name="zygote-lines", daemon=True)
        self._reader.start()
        assert self._line() == "started"

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put("")  # its end

    def __enter__(self) -> Zygote:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()  # the zygote's loop ends; its lines are the thread's
        try:
            self.process.wait(LINE_DEADLINE)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._reader.join(LINE_DEADLINE)  # it reads to the end of the pipe, then stops
        assert self.process.stdout is not None
        self.process.stdout.close()

    def run_and_kill(self, args: list[str], delay: float) -> list[str]:
        """Fork a child with ``args``, wait for its ``ready()``, let it run ``delay`` s,
        SIGKILL it; the words it printed after ``ready()``."""
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(args) + "\n")
        self.process.stdin.flush()
        started, pid = self._line().split()
        assert started == "ready"
        time.sleep(delay)
        os.kill(int(pid), signal.SIGKILL)  # ended already, it is a zombie until reaped
        self.process.stdin.write("killed\n")
        self.process.stdin.flush()
        words: list[str] = []
        while (line := self._line()) != "ended":
            words.extend(line.split())
        return words

    def _line(self) -> str:
        try:
            line = self._lines.get(timeout=LINE_DEADLINE)
        except queue.Empty:
            self.process.kill()
            raise AssertionError(f"the zygote said nothing for {LINE_DEADLINE:.0f} s; "
                                 f"its last lines: {list(self._last)}") from None
        assert line, "the zygote ended"
        self._last.append(line.strip())
        return line.strip()
