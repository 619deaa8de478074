"""Crash safety, tested the way SQLite is: kill a writer with SIGKILL at random
moments, reopen, and check that the file is sound and nothing acknowledged is lost."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import select

from reviewer.domain.errors import StoreOpenError
from reviewer.ops.audit import verify_audit
from reviewer.ops.stores import create_store, open_store
from reviewer.store.database import integrity_problems
from reviewer.store.schema import DecisionRow
from tests.conftest import PASSPHRASE
from tests.killing import Zygote
from tests.store.factory import add_conversation_with_spans

IMPORTS = """
from pathlib import Path
from reviewer.domain.models import Status
from reviewer.ops.decisions import decide
from reviewer.ops.stores import change_passphrase, open_store
"""

WRITER = """
    store = open_store(Path(args[0]), args[1])
    ready()
    n = 0
    while True:
        n += 1
        status = Status.APPROVED if n % 2 else Status.REJECTED
        made = decide(store, [1 + n % 20], status, "writer")
        print(made.decisions[0].id, flush=True)
"""

REKEYER = """
    store = open_store(Path(args[0]), args[1])
    ready()
    change_passphrase(store, args[2], "rekeyer")
    print("done", flush=True)
"""


@pytest.mark.slow
def test_killed_writer_loses_nothing_acknowledged(store_path: Path) -> None:
    rng = random.Random(20261129)
    with create_store(store_path, PASSPHRASE, "tester") as store:
        add_conversation_with_spans(store, n_spans=20)
    prelude = IMPORTS + f"open_store(Path({str(store_path)!r}), {PASSPHRASE!r}).close()\n"
    with Zygote(prelude, WRITER) as zygote:
        for _round in range(5):
            acknowledged = zygote.run_and_kill([str(store_path), PASSPHRASE],
                                               rng.uniform(0.2, 1.2))
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
    with Zygote(IMPORTS, REKEYER) as zygote:
        for round_no in range(6):
            old, new = passphrases[-1], f"rekeyed lantern orbit {round_no}"
            output = zygote.run_and_kill([str(store_path), old, new], rng.uniform(0.0, 1.5))
            old_ok, new_ok = _opens_with(store_path, old), _opens_with(store_path, new)
            assert old_ok != new_ok, f"round {round_no}: old={old_ok} new={new_ok}"
            if "done" in output:
                assert new_ok
            if new_ok:
                passphrases.append(new)
    with open_store(store_path, passphrases[-1]) as store:
        assert integrity_problems(store) == []
        assert verify_audit(store).ok
