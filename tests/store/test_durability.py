"""Crash safety, tested the way SQLite is: kill a writer with SIGKILL at random
moments, reopen, and check that the file is sound and nothing acknowledged is lost."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from reviewer.domain.errors import StoreOpenError
from reviewer.ops.audit import verify_audit
from reviewer.ops.stores import create_store, open_store
from reviewer.store.database import integrity_problems
from reviewer.store.schema import DecisionRow
from tests.conftest import PASSPHRASE
from tests.store.factory import add_conversation_with_spans

WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from reviewer.domain.models import Status
    from reviewer.ops.decisions import decide
    from reviewer.ops.stores import open_store
    store = open_store(Path(sys.argv[1]), sys.argv[2])
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        status = Status.APPROVED if n % 2 else Status.REJECTED
        made = decide(store, [1 + n % 20], status, "writer")
        print(made.decisions[0].id, flush=True)
""")

REKEYER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from reviewer.ops.stores import change_passphrase, open_store
    store = open_store(Path(sys.argv[1]), sys.argv[2])
    print("ready", flush=True)
    change_passphrase(store, sys.argv[3], "rekeyer")
    print("done", flush=True)
""")


def _run_and_kill(script: str, args: list[str], delay: float) -> list[str]:
    """Start ``script``, wait for 'ready', let it run ``delay`` s, SIGKILL it; its output."""
    with subprocess.Popen(
        [sys.executable, "-c", script, *args], stdout=subprocess.PIPE, text=True
    ) as child:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate()
    return out.split()


@pytest.mark.slow
def test_killed_writer_loses_nothing_acknowledged(store_path: Path) -> None:
    rng = random.Random(20261129)
    with create_store(store_path, PASSPHRASE, "tester") as store:
        add_conversation_with_spans(store, n_spans=20)
    for _round in range(5):
        acknowledged = _run_and_kill(WRITER, [str(store_path), PASSPHRASE], rng.uniform(0.2, 1.2))
        ids = [int(x) for x in acknowledged if x.isdigit()]
        with open_store(store_path, PASSPHRASE) as store:
            assert integrity_problems(store) == []
            report = verify_audit(store)
            assert report.ok, report.problem
            with store.reading() as conn:
                stored = set(conn.execute(select(DecisionRow.id)).scalars())
            assert set(ids) <= stored


def _opens_with(path: Path, passphrase: str) -> bool:
    try:
        open_store(path, passphrase).close()
    except StoreOpenError:
        return False
    return True


@pytest.mark.slow
def test_killed_passwd_leaves_old_or_new(store_path: Path) -> None:
    rng = random.Random(7)
    passphrases = [PASSPHRASE]
    with create_store(store_path, PASSPHRASE, "tester") as store:
        add_conversation_with_spans(store, n_spans=50)
    for round_no in range(6):
        old, new = passphrases[-1], f"rekeyed lantern orbit {round_no}"
        output = _run_and_kill(REKEYER, [str(store_path), old, new], rng.uniform(0.0, 1.5))
        old_ok, new_ok = _opens_with(store_path, old), _opens_with(store_path, new)
        assert old_ok != new_ok, f"round {round_no}: old={old_ok} new={new_ok}"
        if "done" in output:
            assert new_ok
        if new_ok:
            passphrases.append(new)
    with open_store(store_path, passphrases[-1]) as store:
        assert integrity_problems(store) == []
        assert verify_audit(store).ok
