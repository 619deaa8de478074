"""What a path holds: one plain file, or the conversation files of an export ZIP.

A ZIP is read in place, never extracted. It is refused whole when any member
name is absolute, climbs with ``..`` or is a link, and when it looks like a
bomb: more than :data:`MAX_MEMBERS` members, more than :data:`MAX_TOTAL`
bytes declared, or a large member expanding more than :data:`MAX_RATIO`
times. Declared sizes are enforced while reading (``InputStream.limit``).
From the archive, only ``conversations.json`` and ``conversations-NNN.json``
(in any folder) are imported: the rest of an export is images, settings and
account data, which the import's summary names as not read (:func:`skipped_members`).

An entry's name, used in error messages and in ``FILE:INDEX``/``FILE:LINE``
source ids, is the file's name, or ``ARCHIVE!MEMBER`` for a ZIP member.
"""

from __future__ import annotations

import contextlib
import re
import stat
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO, cast

from reviewer.ingest.errors import InputError

MAX_MEMBERS = 100_000
MAX_TOTAL = 16 << 30
MAX_RATIO = 200
RATIO_FLOOR = 1 << 20
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
CONVERSATION_FILE = re.compile(r"conversations(-\d+)?\.jsonl?", re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    """One file to parse: its display name, its size, how to open it."""

    name: str
    size: int
    open: Callable[[], BinaryIO]
    limit: int | None = None


def _unreadable(path: Path, err: OSError) -> InputError:
    return InputError(path.name, "", f"it cannot be read ({err.strerror or err})")


@contextlib.contextmanager
def open_entries(path: Path) -> Iterator[list[Entry]]:
    """The entries of ``path``, readable until the context ends."""
    try:
        with path.open("rb") as probe:
            magic = probe.read(4)
        size = path.stat().st_size
    except OSError as err:
        raise _unreadable(path, err) from None
    if magic not in ZIP_MAGIC:
        yield [Entry(path.name, size, lambda: path.open("rb"))]
        return
    try:
        with zipfile.ZipFile(path) as archive:
            yield zip_entries(path.name, archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as err:
        raise InputError(path.name, "", f"it is not a readable ZIP archive ({err})") from None


def zip_entries(name: str, archive: zipfile.ZipFile) -> list[Entry]:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise InputError(name, "", f"the ZIP holds more than {MAX_MEMBERS} members")
    for info in infos:
        check_member(name, info)
    if sum(i.file_size for i in infos) > MAX_TOTAL:
        raise InputError(name, "", f"the ZIP expands to more than {MAX_TOTAL >> 30} GiB")
    chosen = sorted((i for i in infos if not i.is_dir() and _wanted(i.filename)),
                    key=lambda i: i.filename)
    if not chosen:
        raise InputError(name, "", "the ZIP holds no conversations.json")
    return [Entry(f"{name}!{i.filename}", i.file_size, _opener(name, archive, i), i.file_size)
            for i in chosen]


def skipped_members(path: Path) -> list[str]:
    """The files of an export ZIP that are not imported (all but its conversation files),
    for the import's summary; [] for a plain file or one that cannot be read."""
    try:
        with path.open("rb") as probe:
            if probe.read(4) not in ZIP_MAGIC:
                return []
        with zipfile.ZipFile(path) as archive:
            return sorted(i.filename for i in archive.infolist()
                          if not i.is_dir() and not _wanted(i.filename))
    except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError):
        return []


def _wanted(member: str) -> bool:
    return CONVERSATION_FILE.fullmatch(PurePosixPath(member).name) is not None


def check_member(name: str, info: zipfile.ZipInfo) -> None:
    """Refuse path tricks, links and bomb-like compression in one member."""
    member = info.filename
    parts = PurePosixPath(member.replace("\\", "/")).parts
    if member.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", member) or ".." in parts:
        raise InputError(name, f"member {member!r}", "its path leaves the archive")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise InputError(name, f"member {member!r}", "it is a link")
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
        raise InputError(name, f"member {member!r}",
                         f"it expands {ratio:.0f} times, which only a ZIP bomb does")


def _opener(name: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Callable[[], BinaryIO]:
    def open_member() -> BinaryIO:
        try:
            return cast(BinaryIO, archive.open(info))
        except (RuntimeError, NotImplementedError, zipfile.BadZipFile) as err:
            raise InputError(name, f"member {info.filename!r}",
                             f"it cannot be read ({err})") from None
    return open_member
