"""Worker processes that never outlive the analysis that started them.

A worker holds conversation text. If the analysing process is killed (SIGKILL
included, where no clean-up of its own can run), its workers must end too,
and so must the forkserver they are forked from and the resource tracker.

Workers fork from a forkserver: a clean, single-threaded process (safe inside
the GUI's threads) that imports the detector's libraries once for all of them
(:func:`forkserver`), and can be started early (:func:`start_forkserver`), so that
it imports them on another core while this process opens the store.

The forkserver already ends when the last copy of its "alive" pipe's write end
closes, but every forked worker is handed a copy: a worker closes it at once
(:func:`release_forkserver`), so the forkserver ends with the analysing process
alone. A worker ends with its parent, the forkserver, or the analysing process
under ``spawn`` (:func:`end_with_parent`): at once on Linux
(``PR_SET_PDEATHSIG``), and elsewhere within :data:`POLL_SECONDS` by watching
its parent id. The resource tracker ends by itself once no process holds its
pipe.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import multiprocessing
import multiprocessing.forkserver
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from multiprocessing import resource_tracker
from multiprocessing.context import BaseContext

from reviewer.infra.environment import drop_secrets

PR_SET_PDEATHSIG = 1
POLL_SECONDS = 0.5
ENGINE = "reviewer.suggest.engine"  # spaCy, Presidio, ONNX Runtime
DEAF = "reviewer.suggest.server_start"  # first: the server ignores Ctrl+C from then on
# What the forkserver imports for local analysis's workers, and for a local cluster's.
ANALYSIS_PRELOAD = (DEAF, ENGINE)
CLUSTER_PRELOAD = (DEAF, "distributed", ENGINE)


def has_forkserver() -> bool:
    return "forkserver" in multiprocessing.get_all_start_methods()  # not on Windows


def forkserver(preload: Sequence[str]) -> BaseContext | None:
    """The forkserver's context, its server importing ``preload`` when it starts
    (one started already serves as it is); None where there is none."""
    if not has_forkserver():
        return None
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(preload))
    return context


def start_forkserver(preload: Sequence[str]) -> None:
    """Start the forkserver now, importing ``preload``: it does on another core while
    this process goes on, and workers started later fork at once. It starts without
    the secret environment variables, which its workers would inherit, and deaf to
    Ctrl+C from its first instruction (:func:`children_start_deaf`)."""
    if forkserver(preload) is not None:
        drop_secrets()
        with children_start_deaf():
            multiprocessing.forkserver.ensure_running()


@contextlib.contextmanager
def children_start_deaf() -> Iterator[None]:
    """Processes started in the block begin with Ctrl+C blocked; in this process one that
    comes meanwhile waits for the block's end (or another thread takes it), never lost.

    A terminal's Ctrl+C goes to the whole process group. Python's forkserver ignores
    it only after its own imports, and one arriving before printed the server's
    traceback. A blocked signal stays blocked across ``exec``; the server's first
    preload (``DEAF``) ignores it, which also drops one that came while it was blocked.
    The resource tracker unblocks the signal once it has started, so it starts first.
    """
    if (threading.current_thread() is not threading.main_thread()
            or not hasattr(signal, "pthread_sigmask")):
        yield
        return
    resource_tracker.ensure_running()
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def end_with_parent() -> None:
    """End this process (SIGKILL) when its parent process ends."""
    parent = os.getppid()
    _kill_on_parent_death()
    if parent == 1 or os.getppid() != parent:  # the parent ended before we watched
        _end()
    threading.Thread(target=_watch, args=(parent,), name="parent-watch", daemon=True).start()


def release_forkserver() -> None:
    """Close this process's copy of the forkserver's "alive" pipe (one is handed to
    each child the forkserver forks), so the forkserver ends with the process that
    started it rather than with the last of its children."""
    # CPython keeps the copy in a private attribute; nothing to do where it has none.
    server = getattr(multiprocessing.forkserver, "_forkserver", None)
    fd = getattr(server, "_forkserver_alive_fd", None)
    if isinstance(fd, int):
        with contextlib.suppress(OSError):
            os.close(fd)
        setattr(server, "_forkserver_alive_fd", None)  # noqa: B010  (private, see above)


def _kill_on_parent_death() -> None:
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(POLL_SECONDS)
    _end()


def _end() -> None:
    if hasattr(signal, "SIGKILL"):
        os.kill(os.getpid(), signal.SIGKILL)
    os._exit(1)
