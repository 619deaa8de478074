"""Changing the passphrase so that a crash at any moment leaves the old or the
new passphrase working, never neither.

The store is copied, encrypted under the new key and a new salt, into a
sibling file with ``sqlcipher_export``; the ``passwd`` audit entry is written
into the copy; the copy is fsynced and renamed over the original in one
atomic step. Until the rename the original is untouched (its WAL is folded
back first, so no stale WAL can meet the new file).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from reviewer.store import audit, keys
from reviewer.store.database import Store, keyed_engine

SUFFIX = ".rekey-tmp"


def temp_path(path: Path) -> Path:
    return path.with_name(path.name + SUFFIX)


def remove_leftover(path: Path) -> None:
    """Remove the copy an interrupted rekey left behind (it never replaced the store)."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(str(temp_path(path)) + suffix).unlink(missing_ok=True)


def rekey(store: Store, new_passphrase: str, actor: str, payload: dict[str, Any]) -> None:
    """Re-encrypt ``store`` under ``new_passphrase``; the store is closed afterwards."""
    path = store.path
    salt = keys.new_salt()
    key = keys.derive_key(new_passphrase, salt)
    pragma_key = keys.sqlcipher_key(key, salt)
    tmp = temp_path(path)
    remove_leftover(path)
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        store.reader.dispose()
        raw = store.engine.raw_connection()  # autocommit: the driver's transactions are off
        try:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            raw.execute("PRAGMA journal_mode = DELETE")
            raw.execute(f"ATTACH DATABASE ? AS rekey KEY \"{pragma_key}\"", (str(tmp),))
            raw.execute("SELECT sqlcipher_export('rekey')")
            raw.execute("DETACH DATABASE rekey")
        finally:
            raw.close()
        _finish_copy(tmp, pragma_key, actor, payload)
        store.close()
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except BaseException:
        remove_leftover(path)
        raise


def _finish_copy(tmp: Path, pragma_key: str, actor: str, payload: dict[str, Any]) -> None:
    engine = keyed_engine(tmp, pragma_key, "BEGIN IMMEDIATE")
    try:
        with engine.begin() as conn:
            audit.append(conn, actor, "passwd", payload)
    finally:
        engine.dispose()
    with open(tmp, "rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
