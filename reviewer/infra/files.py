"""File digests, read in blocks: the import's source hash and the packet's file list."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import IO

BLOCK = 1 << 20


def stream_digest(handle: IO[bytes]) -> tuple[str, int]:
    """(SHA-256 hex, size) of what is left to read in ``handle``."""
    digest, size = hashlib.sha256(), 0
    while block := handle.read(BLOCK):
        digest.update(block)
        size += len(block)
    return digest.hexdigest(), size


def file_digest(path: Path) -> tuple[str, int]:
    """(SHA-256 hex, size) of a file; OSError when it cannot be read."""
    with path.open("rb") as handle:
        return stream_digest(handle)
