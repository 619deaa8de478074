"""Opening, creating and refusing store files."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from reviewer.domain.errors import StoreOpenError
from reviewer.ops.stores import create_store, open_store
from reviewer.store import meta
from reviewer.store.database import Store, integrity_problems
from reviewer.store.migrations import CURRENT_VERSION
from tests.conftest import PASSPHRASE


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_store_is_encrypted_and_private(store: Store, store_path: Path) -> None:
    head = store_path.read_bytes()[:16]
    assert head.startswith(b"RRv1")
    assert b"SQLite format 3" not in store_path.read_bytes()
    assert stat.S_IMODE(store_path.stat().st_mode) == 0o600
    for suffix in ("-wal", "-shm"):
        side = Path(str(store_path) + suffix)
        if side.exists():
            assert stat.S_IMODE(side.stat().st_mode) == 0o600
    assert integrity_problems(store) == []


def test_plaintext_never_reaches_the_file(store: Store, store_path: Path) -> None:
    with store.transaction() as conn:
        meta.put(conn, "probe", "Jane Plaintext-Marker")
    store.close()
    raw = store_path.read_bytes()
    assert b"Plaintext-Marker" not in raw


def test_reopen_with_right_passphrase(store: Store, store_path: Path) -> None:
    store_id = store.store_id
    store.close()
    with open_store(store_path, PASSPHRASE) as again:
        assert again.store_id == store_id


def test_wrong_passphrase_leaves_file_unchanged(store: Store, store_path: Path) -> None:
    store.close()
    before = _digest(store_path)
    with pytest.raises(StoreOpenError, match="Wrong passphrase"):
        open_store(store_path, "not the passphrase")
    assert _digest(store_path) == before
    assert not Path(str(store_path) + "-wal").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (os.urandom(8192), "not a Redaction Reviewer store"),
        (b"", "not a Redaction Reviewer store"),
    ],
)
def test_foreign_files_are_named(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "other.db"
    path.write_bytes(content)
    with pytest.raises(StoreOpenError, match=message):
        open_store(path, PASSPHRASE)


def test_plain_sqlite_is_named(tmp_path: Path) -> None:
    path = tmp_path / "plain.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (a)")
    conn.close()
    with pytest.raises(StoreOpenError, match="plain \\(unencrypted\\) SQLite"):
        open_store(path, PASSPHRASE)


def test_missing_store_is_named(tmp_path: Path) -> None:
    with pytest.raises(StoreOpenError, match="No store at"):
        open_store(tmp_path / "absent.db", PASSPHRASE)


def test_init_refuses_existing_path(store: Store, store_path: Path) -> None:
    with pytest.raises(StoreOpenError, match="already exists"):
        create_store(store_path, PASSPHRASE, "tester")


def test_second_open_in_process_is_refused(store: Store, store_path: Path) -> None:
    with pytest.raises(StoreOpenError, match="already open"):
        open_store(store_path, PASSPHRASE)


def test_newer_schema_is_refused(store: Store, store_path: Path) -> None:
    with store.transaction() as conn:
        meta.put(conn, "schema_version", str(CURRENT_VERSION + 1))
    store.close()
    with pytest.raises(StoreOpenError, match="newer Redaction Reviewer"):
        open_store(store_path, PASSPHRASE)


HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from reviewer.ops.stores import open_store
    store = open_store(Path(sys.argv[1]), sys.argv[2])
    print("ready", flush=True)
    time.sleep(60)
""")


def test_store_in_use_by_another_process(store: Store, store_path: Path) -> None:
    store.close()
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(store_path), PASSPHRASE],
        stdout=subprocess.PIPE, text=True,
    ) as child:
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready"
            with pytest.raises(StoreOpenError, match="in use by another process"):
                open_store(store_path, PASSPHRASE)
            with pytest.raises(StoreOpenError, match="in use by another process"):
                open_store(store_path, PASSPHRASE, readonly=True)
        finally:
            child.kill()
    open_store(store_path, PASSPHRASE).close()
