"""Opening, creating and closing the encrypted store.

One :class:`Store` per unlocked store file. It holds the raw key (never the
passphrase), an exclusive advisory lock on the file for as long as it is open,
and a SQLAlchemy engine whose connections are keyed with the raw key.

Durability: WAL journal with ``synchronous=FULL``, so every committed
transaction is fsynced to the WAL before ``commit`` returns: a decision the
screen shows survives a crash of the app *and* a power loss. Writes are short
transactions, so the fsync per commit costs milliseconds at human pace.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import URL, Connection, Engine, create_engine, event, text

from reviewer.domain.errors import StoreOpenError
from reviewer.store import keys

if sys.platform != "win32":
    import fcntl

_OPEN_FILES: set[tuple[int, int]] = set()
_OPEN_LOCK = threading.Lock()

CONNECTION_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
    "PRAGMA synchronous = FULL",
    "PRAGMA temp_store = MEMORY",
)


class FileLock:
    """An exclusive (writer) or shared (reader) advisory lock on the store file.

    Kept in a process-wide registry too: closing any descriptor of a SQLite file
    drops the process's POSIX locks on it, so a second open in-process is refused
    before the file is touched.
    """

    def __init__(self, path: Path, exclusive: bool) -> None:
        stat = path.stat()
        self.ident = (stat.st_dev, stat.st_ino)
        with _OPEN_LOCK:
            if self.ident in _OPEN_FILES:
                raise StoreOpenError(f"{path} is already open in this program.")
            _OPEN_FILES.add(self.ident)
        self.fd = os.open(path, os.O_RDONLY)
        if sys.platform != "win32":
            mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
            try:
                fcntl.flock(self.fd, mode | fcntl.LOCK_NB)
            except OSError:
                self.release()
                raise StoreOpenError(
                    f"{path} is in use by another process: close the other Redaction "
                    "Reviewer window or command first."
                ) from None

    def release(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        with _OPEN_LOCK:
            _OPEN_FILES.discard(self.ident)


# Decrypted pages live only in SQLite's page cache (the OS cache holds ciphertext),
# so the cache does the work the OS page cache does for a plain file. Readers get
# room for a large matter's working set; it fills only as pages are read. Single
# pass scans (export) shrink it for their duration.
WRITER_CACHE_KIB = 65536
READER_CACHE_KIB = 262144


def keyed_engine(
    path: Path, pragma_key: str, begin: str, cache_kib: int = WRITER_CACHE_KIB
) -> Engine:
    """An engine whose transactions start with ``begin`` (IMMEDIATE for writers).

    The driver's own implicit transactions are switched off so that SQLAlchemy's
    ``begin`` event decides: a writer takes the write lock up front and never
    fails half-way with SQLITE_BUSY on a lock upgrade.
    """
    url = URL.create("sqlite+pysqlcipher", password=pragma_key, database=str(path))
    # Bound parameters are message and span text: keep them out of error messages and logs.
    engine = create_engine(url, hide_parameters=True)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        for pragma in CONNECTION_PRAGMAS:
            cursor.execute(pragma)
        cursor.execute(f"PRAGMA cache_size = -{cache_kib}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql(begin)

    return engine


def _check_key(path: Path, pragma_key: str) -> None:
    """Fail with 'wrong passphrase' before anything can write to the file."""
    conn = sqlcipher3.connect(str(path))
    try:
        # SQLCipher would log the failed HMAC check to stderr; the user gets our sentence.
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f'PRAGMA key = "{pragma_key}"')
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError:
        raise StoreOpenError(
            f"Wrong passphrase for {path}: the store was not changed. Try again."
        ) from None
    finally:
        conn.close()


class Store:
    """An unlocked store. Use :meth:`create` or :meth:`open`; close when done."""

    def __init__(self, path: Path, key: bytes, salt: bytes, lock: FileLock) -> None:
        self.path = path
        self.key = key
        self.salt = salt
        self._lock: FileLock | None = lock
        pragma_key = keys.sqlcipher_key(key, salt)
        self.engine = keyed_engine(path, pragma_key, "BEGIN IMMEDIATE")
        self.reader = keyed_engine(path, pragma_key, "BEGIN", READER_CACHE_KIB)
        self.store_id = ""

    @classmethod
    def create(cls, path: Path, passphrase: str) -> Store:
        """Create an empty store file (mode 0600) and its schema. Refuses an existing path."""
        from reviewer.store import migrations  # late: migrations imports this module

        path = Path(path)
        if path.exists() or path.is_symlink():
            raise StoreOpenError(f"{path} already exists: choose a new file name.")
        if not path.parent.is_dir():
            raise StoreOpenError(f"The folder {path.parent} does not exist.")
        salt = keys.new_salt()
        key = keys.derive_key(passphrase, salt)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        try:
            store = cls(path, key, salt, FileLock(path, exclusive=True))
            try:
                store.store_id = migrations.initialise(store, str(uuid.uuid4()))
            except BaseException:
                store.close()  # release the lock and its registry entry before unlinking
                raise
        except BaseException:
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
            raise
        return store

    @classmethod
    def open(cls, path: Path, passphrase: str, *, readonly: bool = False) -> Store:
        path = Path(path)
        salt = keys.read_salt(path)
        lock = FileLock(path, exclusive=not readonly)
        try:
            key = keys.derive_key(passphrase, salt)
            return cls._open_keyed(path, key, salt, lock)
        except BaseException:
            lock.release()
            raise

    @classmethod
    def _open_keyed(cls, path: Path, key: bytes, salt: bytes, lock: FileLock) -> Store:
        from reviewer.store import migrations

        _check_key(path, keys.sqlcipher_key(key, salt))
        store = cls(path, key, salt, lock)
        try:
            store.store_id = migrations.upgrade(store)
        except BaseException:
            store.engine.dispose()
            store.reader.dispose()
            raise
        return store

    def check_passphrase(self, passphrase: str) -> bool:
        """True when ``passphrase`` unlocks this store (used to unlock the GUI)."""
        try:
            return keys.derive_key(passphrase, self.salt) == self.key
        except StoreOpenError:
            return False

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A short write transaction, committed (and fsynced) on exit."""
        with self.engine.begin() as conn:
            yield conn

    @contextlib.contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read-only snapshot; ends (and releases it) on exit."""
        with self.reader.connect() as conn:
            yield conn

    def close(self) -> None:
        self.engine.dispose()
        self.reader.dispose()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def integrity_problems(store: Store) -> list[str]:
    """``PRAGMA integrity_check`` and ``cipher_integrity_check`` findings (empty = sound)."""
    with store.reading() as conn:
        rows = [r[0] for r in conn.execute(text("PRAGMA integrity_check"))]
        cipher = [r[0] for r in conn.execute(text("PRAGMA cipher_integrity_check"))]
    problems = [r for r in rows if r != "ok"]
    return problems + cipher
