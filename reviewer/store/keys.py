"""Key derivation and store-file recognition.

The passphrase becomes a raw 256-bit SQLCipher key through Argon2id
(RFC 9106; 128 MiB memory, 3 passes, 4 lanes: about 0.4 s here), once per
unlock. Connections then use the raw key, so SQLCipher's own PBKDF2 is skipped.

The Argon2 salt is the 16-byte SQLCipher salt at the start of the file: a
4-byte magic ``RRv1`` followed by 12 random bytes. The magic lets us tell a
store (wrong passphrase) from any other file (random bytes, plain SQLite)
without revealing anything about the key.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from reviewer.domain.errors import StoreOpenError

MAGIC = b"RRv1"
SALT_BYTES = 16
SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True)
class KdfParams:
    algorithm: str = "argon2id"
    memory_kib: int = 131072
    iterations: int = 3
    lanes: int = 4
    key_bytes: int = 32

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


KDF_V1 = KdfParams()


def new_salt() -> bytes:
    return MAGIC + os.urandom(SALT_BYTES - len(MAGIC))


def derive_key(passphrase: str, salt: bytes, params: KdfParams = KDF_V1) -> bytes:
    if not passphrase:
        raise StoreOpenError("The passphrase is empty: give the store's passphrase.")
    kdf = Argon2id(
        salt=salt,
        length=params.key_bytes,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    )
    return kdf.derive(passphrase.encode("utf-8"))


def sqlcipher_key(key: bytes, salt: bytes) -> str:
    """The ``PRAGMA key`` value for a raw key with an explicit salt."""
    return f"x'{key.hex()}{salt.hex()}'"


def read_salt(path: Path) -> bytes:
    """Return the store's salt, or say clearly what the file is instead."""
    if not path.exists():
        raise StoreOpenError(
            f"No store at {path}: check the path, or create one with 'reviewer init'."
        )
    if path.is_dir():
        raise StoreOpenError(f"{path} is a folder, not a store file.")
    with path.open("rb") as handle:
        head = handle.read(SALT_BYTES)
    if head == SQLITE_HEADER:
        raise StoreOpenError(
            f"{path} is a plain (unencrypted) SQLite database, not a Redaction Reviewer store."
        )
    if len(head) < SALT_BYTES or not head.startswith(MAGIC):
        raise StoreOpenError(
            f"{path} is not a Redaction Reviewer store (the file is not an encrypted store)."
        )
    return head
