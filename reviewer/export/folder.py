"""The packet folder on disk: private, complete or absent.

Files are written into a hidden sibling of OUT_DIR and the folder is renamed
into place only when everything is written and signed, so a crash or an error
never leaves a folder named OUT_DIR. Files are 0600 and folders 0700 whatever
the umask; every file's SHA-256 and size are recorded as it is written, so no
file is read back to list it (but those Qt writes).

The hidden folder is locked (``flock``) while it is written. A process killed
mid-export leaves it behind unlocked, and the next export into the same parent
folder removes it; a folder still locked belongs to an export under way and is
left alone.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import hashlib
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO, NamedTuple

from reviewer.domain.errors import RefusedError, UsageError
from reviewer.infra.files import BLOCK, file_digest

FILE_MODE = 0o600
DIR_MODE = 0o700
TEMP_MARK = ".incomplete-"
_AT_FDCWD, _RENAME_NOREPLACE = -100, 1
try:
    _LIBC: ctypes.CDLL | None = ctypes.CDLL(None, use_errno=True)
except OSError:  # no C library to ask: plain renames
    _LIBC = None
_LEFTOVER = re.compile(r"\..+" + re.escape(TEMP_MARK) + r"[0-9a-f]{8}(\.new)?")
_NASCENT_TRIES = 5


class FileEntry(NamedTuple):
    """A file of the packet as the manifest lists it."""

    path: str
    sha256: str
    bytes: int


def create_private(target: Path) -> IO[bytes]:
    """A new file, 0600 whatever the umask, open for writing; never an existing one."""
    return os.fdopen(_created(target), "wb")


def _created(target: str | Path) -> int:
    """A new file's descriptor, 0600 whatever the umask; never an existing file."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    except BaseException:
        os.close(fd)
        raise
    return fd


def write_new(target: str, data: bytes, relative: str) -> FileEntry:
    """Write ``data`` as a new private file at ``target`` in one go; its entry as
    ``relative``."""
    fd = _created(target)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
    return FileEntry(relative, hashlib.sha256(data).hexdigest(), len(data))


class HashedFile:
    """An open file whose SHA-256 and size follow every byte read or written."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.handle.write(data)

    def read_all(self) -> None:
        """Read (and hash) to the end of the file."""
        for block in iter(lambda: self.handle.read(BLOCK), b""):
            self.digest.update(block)
            self.size += len(block)

    def entry(self, relative: str) -> FileEntry:
        return FileEntry(relative, self.digest.hexdigest(), self.size)


class PacketFolder:
    """A packet being written. ``commit`` renames it to OUT_DIR; ``discard`` removes it."""

    def __init__(self, out_dir: Path) -> None:
        out_dir = Path(out_dir)
        check_target(out_dir)
        self.out_dir = out_dir
        self.root = out_dir.with_name(f".{out_dir.name}{TEMP_MARK}{secrets.token_hex(4)}")
        self._lock: int | None = _made_locked(self.root)
        self.entries: dict[str, FileEntry] = {}
        self._made: set[str] = set()  # folders made, asked of the disk no more

    def path(self, relative: str) -> Path:
        return self.root / relative  # relative paths are POSIX ones, as in the manifest

    def make_parent(self, relative: str) -> None:
        wanted = relative.rpartition("/")[0]
        if wanted in self._made:
            return
        parent = self.root
        for part in PurePosixPath(wanted).parts:
            parent = parent / part
            if not parent.is_dir():
                os.mkdir(parent, DIR_MODE)
                os.chmod(parent, DIR_MODE)
        self._made.add(wanted)

    @contextlib.contextmanager
    def open(self, relative: str) -> Iterator[HashedFile]:
        """A new private file for writing; listed when closed."""
        self.make_parent(relative)
        with create_private(self.path(relative)) as handle:
            hashed = HashedFile(handle)
            yield hashed
        self.entries[relative] = hashed.entry(relative)

    def write(self, relative: str, data: bytes, *, listed: bool = True) -> None:
        with self.open(relative) as handle:
            handle.write(data)
        if not listed:
            del self.entries[relative]

    def add_existing(self, relative: str) -> None:
        """List a file written into the folder by someone else (the PDF renderer)."""
        target = self.path(relative)
        os.chmod(target, FILE_MODE)
        digest, size = file_digest(target)
        self.entries[relative] = FileEntry(relative, digest, size)

    def flush(self) -> None:
        """Make everything written durable before the export is recorded."""
        # One flush of everything written beats an fsync per file (thousands of them).
        if hasattr(os, "sync"):
            os.sync()

    def commit(self) -> Path:
        """Make the packet appear under its name in one step, never over anything."""
        taken = RefusedError(f"{self.out_dir} appeared while the packet was written; "
                             "nothing was replaced. Choose a new folder name.")
        if self.out_dir.exists() or self.out_dir.is_symlink():
            raise taken
        try:
            _rename_new(self.root, self.out_dir)
        except FileExistsError:
            raise taken from None
        _fsync_dir(self.out_dir.parent)
        self.release()
        return self.out_dir

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        self.release()

    def release(self) -> None:
        """Give up the lock (after the rename or the discard)."""
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None


def remove_leftovers(parent: Path) -> int:
    """Remove the hidden folders that killed exports left in ``parent``; returns how many."""
    removed = 0
    with contextlib.suppress(OSError):
        for entry in os.scandir(parent):
            if entry.is_dir(follow_symlinks=False) and _LEFTOVER.fullmatch(entry.name):
                removed += _remove_unlocked(Path(entry.path))
    return removed


def _remove_unlocked(folder: Path) -> int:
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return 0
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return 0  # an export under way in another process
    try:
        shutil.rmtree(folder, ignore_errors=True)
    finally:
        os.close(fd)
    return 0 if folder.exists() else 1


def _rename_new(source: Path, target: Path) -> None:
    """Rename ``source`` to ``target`` unless ``target`` exists (an empty folder made in
    the instant after the check would otherwise be replaced): Linux's renameat2 with
    RENAME_NOREPLACE where the C library has it, a plain rename elsewhere."""
    call = getattr(_LIBC, "renameat2", None) if _LIBC is not None else None
    if call is None:
        os.rename(source, target)
        return
    if call(_AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(target),
            _RENAME_NOREPLACE) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(target))


def check_target(out_dir: Path) -> None:
    """Refuse a packet folder that exists, or whose parent does not."""
    if out_dir.exists() or out_dir.is_symlink():
        raise UsageError(f"{out_dir} already exists: give a new folder name for the packet.")
    if not out_dir.parent.is_dir():
        raise UsageError(f"The folder {out_dir.parent} does not exist.")


def _made_locked(root: Path) -> int:
    """Make ``root`` private and locked.

    It is made under a ``.new`` name and renamed once locked, so a folder under its
    final name is always locked by its export. A process killed between the two steps
    leaves an empty ``.new`` folder, which the next export's ``remove_leftovers`` takes
    like any other: if that happens to a live export in the instant before it locks
    (another export cleaning the same parent), its folder is gone, and it makes a new
    one rather than fail."""
    nascent = root.with_name(root.name + ".new")
    for _ in range(_NASCENT_TRIES):
        os.mkdir(nascent, DIR_MODE)
        try:
            os.chmod(nascent, DIR_MODE)
            fd = os.open(nascent, os.O_RDONLY | os.O_DIRECTORY)
        except FileNotFoundError:
            continue  # removed by another export's cleaning before it was opened
        except BaseException:
            shutil.rmtree(nascent, ignore_errors=True)
            raise
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # a cleaner holds it for an instant at most
            os.rename(nascent, root)
        except FileNotFoundError:
            os.close(fd)
            continue  # removed by another export's cleaning before it was locked
        except BaseException:
            os.close(fd)
            shutil.rmtree(nascent, ignore_errors=True)
            raise
        return fd
    raise OSError(errno.EBUSY, "the packet's working folder kept being removed", str(root))


def write_problem(err: OSError, where: Path) -> str:
    """The sentence for a packet that could not be written to ``where``."""
    advice = "choose another folder"
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        why, advice = f"the disk holding {where} is full", "free space or choose another folder"
    elif err.errno == errno.EROFS:
        why = f"{where} is on a read-only disk"
    elif err.errno in (errno.EACCES, errno.EPERM):
        why = f"this user may not write to {where}"
    else:
        why = f"writing to {where} failed ({err.strerror or err})"
    return f"Export failed: {why}. Nothing was left behind; {advice}, then export again."


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can fsync a folder
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
