"""Opening, creating and closing the encrypted store.

One :class:`Store` per unlocked store file. It holds the raw key (never the
passphrase), an exclusive advisory lock on the file for as long as it is open,
and a SQLAlchemy engine whose connections are keyed with the raw key.

Durability: WAL journal with ``synchronous=FULL``, so every committed
transaction is fsynced to the WAL before ``commit`` returns: a decision the
screen shows survives a crash of the app *and* a power loss. Writes are short
transactions, so the fsync per commit costs milliseconds at human pace.

Read-only stores: a store on a write-blocked drive, in a folder that cannot be
written (SQLite writes its -wal and -shm files beside the store) or in a file
that cannot be written opens for reading only (``read_only`` says why), through
a URI that writes nothing beside it; every write transaction on it is refused
with that reason, and opening it to write is refused before the passphrase is
even derived.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import URL, Connection, Engine, create_engine, event, text
from sqlalchemy import exc as sqlalchemy_exc

from reviewer.domain.errors import StoreOpenError, StoreReadOnlyError
from reviewer.store import keys, migrations

# What SQLite says of a file whose pages no longer decrypt or parse.
DAMAGE_SIGNS = ("database disk image is malformed", "file is not a database")

if sys.platform != "win32":
    import fcntl

_OPEN_FILES: set[tuple[int, int]] = set()
_OPEN_LOCK = threading.Lock()

READING_PRAGMAS = (
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
    "PRAGMA temp_store = MEMORY",
)
CONNECTION_PRAGMAS = ("PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL", *READING_PRAGMAS)
DRIVE_READ_ONLY = "it is on a drive mounted read-only (write-blocked)"


def read_only_reason(path: Path) -> str:
    """Why the store file at ``path`` cannot be written, in words ('' when it can)."""
    folder = path.parent
    problem = _folder_problem(folder)
    if problem == DRIVE_READ_ONLY:
        return problem
    if problem:
        return f"its folder {folder} does not allow writing, and SQLite writes its journal there"
    if not _writable(path):
        return "its permissions or attributes do not allow writing"
    return ""


def _folder_problem(folder: Path) -> str:
    if hasattr(os, "statvfs"):
        with contextlib.suppress(OSError):
            if os.statvfs(folder).f_flag & os.ST_RDONLY:
                return DRIVE_READ_ONLY
    return "" if _writable(folder) else "its permissions do not allow writing"


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK, effective_ids=os.access in os.supports_effective_ids)


def read_only_error(path: Path, reason: str) -> StoreReadOnlyError:
    return StoreReadOnlyError(
        f"{path} is read-only: {reason}; nothing was changed. It can still be read (stats, "
        "spans, show, audit, and reviewed in the app without deciding): to change it, copy it "
        "to a writable folder."
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
        self.fd = -1
        try:
            self.fd = os.open(path, os.O_RDONLY)
        except OSError as err:
            self.release()
            raise unreadable_error(path, err) from None
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
    path: Path, pragma_key: str, begin: str, cache_kib: int = WRITER_CACHE_KIB,
    *, read_only: bool = False,
) -> Engine:
    """An engine whose transactions start with ``begin`` (IMMEDIATE for writers).

    The driver's own implicit transactions are switched off so that SQLAlchemy's
    ``begin`` event decides: a writer takes the write lock up front and never
    fails half-way with SQLITE_BUSY on a lock upgrade. A ``read_only`` engine
    opens the file through :func:`read_only_uri` and sets nothing that writes.
    """
    if read_only:
        uri, query = read_only_uri(path)
        url = URL.create("sqlite+pysqlcipher", password=pragma_key, database=uri,
                         query={**query, "uri": "true"})
    else:
        url = URL.create("sqlite+pysqlcipher", password=pragma_key, database=str(path))
    pragmas = READING_PRAGMAS if read_only else CONNECTION_PRAGMAS
    # Bound parameters are message and span text: keep them out of error messages and logs.
    engine = create_engine(url, hide_parameters=True)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        for pragma in pragmas:
            cursor.execute(pragma)
        cursor.execute(f"PRAGMA cache_size = -{cache_kib}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql(begin)

    return engine


def read_only_uri(path: Path) -> tuple[str, dict[str, str]]:
    """The URI and its parameters that read the store without writing beside it.

    Changes still in a -wal file must be read from it (``mode=ro``, which needs
    the -shm file too, or SQLite cannot open it); without one the file is
    ``immutable`` while it is open: no journal, no -shm, and the shared lock
    keeps this program's writers out meanwhile.
    """
    wal = Path(f"{path}-wal")
    pending = wal.exists() and wal.stat().st_size > 0
    return path.resolve().as_uri(), {"mode": "ro"} if pending else {"immutable": "1"}


def _connect(path: Path, read_only: bool) -> Any:
    if not read_only:
        return sqlcipher3.connect(str(path))
    uri, query = read_only_uri(path)
    return sqlcipher3.connect(uri + "?" + "&".join(f"{k}={v}" for k, v in query.items()),
                              uri=True)


def _check_key(path: Path, pragma_key: str, read_only: str) -> None:
    """Fail with 'wrong passphrase' before anything can write to the file."""
    conn = _connect(path, bool(read_only))
    try:
        # SQLCipher would log the failed HMAC check to stderr; the user gets our sentence.
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f'PRAGMA key = "{pragma_key}"')
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError as err:
        raise _open_error(path, err, read_only) from None
    finally:
        conn.close()


def _open_error(path: Path, err: Exception, read_only: str) -> StoreOpenError:
    """What a failed first read means. Only SQLITE_NOTADB (the first page does not
    decrypt) is a wrong passphrase; the others are about the file and its place."""
    name = str(getattr(err, "sqlite_errorname", ""))
    if name == "SQLITE_NOTADB":
        # SQLCipher cannot tell a wrong key from a damaged first page: both fail to decrypt.
        return StoreOpenError(f"Wrong passphrase for {path}, or the file is damaged: the store "
                              "was not changed. Try again, or restore it from a backup.")
    if read_only and Path(f"{path}-wal").exists():
        return StoreReadOnlyError(
            f"{path} is read-only: {read_only}; and its latest changes are still in "
            f"{path.name}-wal, which SQLite cannot read there without {path.name}-shm: copy "
            "the store with its -wal file to a writable folder and open it there."
        )
    return StoreOpenError(
        f"{path} cannot be opened ({err}): check that it and its folder can be read and "
        "written, then try again."
    )


def unreadable_error(path: Path, err: OSError) -> StoreOpenError:
    why = "permission denied" if err.errno in (errno.EACCES, errno.EPERM) else err.strerror
    return StoreOpenError(f"{path} cannot be read: {why}. Check the file's permissions.")


class Store:
    """An unlocked store. Use :meth:`create` or :meth:`open`; close when done."""

    def __init__(self, path: Path, key: bytes, salt: bytes, lock: FileLock,
                 read_only: str = "") -> None:
        self.path = path
        self.key = key
        self.salt = salt
        self._lock: FileLock | None = lock
        #: why the store cannot be written ('' when it can); writes are refused with it
        self.read_only = read_only
        pragma_key = keys.sqlcipher_key(key, salt)
        writes = "BEGIN" if read_only else "BEGIN IMMEDIATE"
        self.engine = keyed_engine(path, pragma_key, writes, read_only=bool(read_only))
        self.reader = keyed_engine(path, pragma_key, "BEGIN", READER_CACHE_KIB,
                                   read_only=bool(read_only))
        self.store_id = ""

    @classmethod
    def create(cls, path: Path, passphrase: str) -> Store:
        """Create an empty store file (mode 0600) and its schema. Refuses an existing path."""
        path = Path(path)
        if path.exists() or path.is_symlink():
            raise StoreOpenError(f"{path} already exists: choose a new file name.")
        if not path.parent.is_dir():
            raise StoreOpenError(f"The folder {path.parent} does not exist.")
        _check_folder_writable(path.parent)
        salt = keys.new_salt()
        key = keys.derive_key(passphrase, salt)
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except OSError as err:
            if err.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise
            raise _folder_error(path.parent, "its permissions do not allow writing") from None
        try:
            store = cls(path, key, salt, FileLock(path, exclusive=True))
            try:
                store_id = str(uuid.uuid4())
                with store.transaction() as conn:
                    migrations.initialise(conn, store_id)
                store.store_id = store_id
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
        """Unlock the store at ``path``. ``readonly``: the caller only reads (a shared
        lock); a store that cannot be written opens only so, else it is refused."""
        path = Path(path)
        try:
            salt = keys.read_salt(path)
        except OSError as err:
            raise unreadable_error(path, err) from None
        reason = read_only_reason(path)
        if reason and not readonly:
            raise read_only_error(path, reason)
        lock = FileLock(path, exclusive=not readonly)
        try:
            key = keys.derive_key(passphrase, salt)
            return cls._open_keyed(path, key, salt, lock, reason)
        except BaseException:
            lock.release()
            raise

    @classmethod
    def _open_keyed(cls, path: Path, key: bytes, salt: bytes, lock: FileLock,
                    read_only: str) -> Store:
        _check_key(path, keys.sqlcipher_key(key, salt), read_only)
        store = cls(path, key, salt, lock, read_only)
        try:
            store.store_id = _current_schema(store)
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
        """A short write transaction, committed (and fsynced) on exit; refused, with
        the reason, on a store that cannot be written."""
        if self.read_only:
            raise read_only_error(self.path, self.read_only)
        with self._damage_said(), self.engine.begin() as conn:
            yield conn

    @contextlib.contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read-only snapshot; ends (and releases it) on exit."""
        with self._damage_said(), self.reader.connect() as conn:
            yield conn

    @contextlib.contextmanager
    def _damage_said(self) -> Iterator[None]:
        """A page that no longer decrypts or parses is the store's damage, said as such
        (exit 4, like any store that cannot be opened), not an internal error."""
        try:
            yield
        except (sqlalchemy_exc.DatabaseError, sqlcipher3.dbapi2.DatabaseError) as err:
            # Through SQLAlchemy the driver's error is its ``orig``; raw cursors raise it.
            detail = str(getattr(err, "orig", None) or err)
            if not any(sign in detail for sign in DAMAGE_SIGNS):
                raise
            raise StoreOpenError(f"{self.path} is damaged ({detail.splitlines()[0]}): "
                                 "nothing was changed; restore it from a backup.") from err

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


def _current_schema(store: Store) -> str:
    """Upgrade the schema where the store can be written; return the store id."""
    if not store.read_only:
        with store.transaction() as conn:
            migrations.upgrade(conn, store.path)
            return migrations.store_id(conn, store.path)
    with store.reading() as conn:
        if migrations.schema_version(conn, store.path) < migrations.CURRENT_VERSION:
            raise StoreReadOnlyError(
                f"{store.path} is read-only: {store.read_only}; and it needs a schema upgrade "
                "before this version can read it: copy it to a writable folder and open it there."
            )
        return migrations.store_id(conn, store.path)


def _check_folder_writable(folder: Path) -> None:
    problem = _folder_problem(folder)
    if problem:
        raise _folder_error(folder, problem)


def _folder_error(folder: Path, problem: str) -> StoreReadOnlyError:
    return StoreReadOnlyError(
        f"{folder} is read-only: {problem}; nothing was created. Choose a writable folder "
        "for the new store."
    )


def integrity_problems(store: Store) -> list[str]:
    """``PRAGMA integrity_check`` and ``cipher_integrity_check`` findings (empty = sound);
    a check that cannot even run on the file is a finding too."""
    problems: list[str] = []
    for pragma, sound in (("integrity_check", "ok"), ("cipher_integrity_check", None)):
        try:
            with store.reading() as conn:
                rows = [str(r[0]) for r in conn.execute(text(f"PRAGMA {pragma}"))]
        except (sqlalchemy_exc.DBAPIError, StoreOpenError) as err:
            rows = [f"{pragma} could not run ({getattr(err, 'orig', None) or err})"]
        problems += [r for r in rows if r != sound]
    return problems
