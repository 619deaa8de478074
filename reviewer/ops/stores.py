"""Creating, opening and re-keying stores."""

from __future__ import annotations

from pathlib import Path

from reviewer.domain.errors import UsageError, WeakPassphraseError
from reviewer.domain.passphrase import assess
from reviewer.store import audit, rekey
from reviewer.store.database import Store, read_only_error, read_only_reason


def create_store(path: Path, passphrase: str, actor: str) -> Store:
    """A new empty store, with its ``init`` audit entry. A weak passphrase is refused."""
    require_strong(passphrase)
    store = Store.create(path, passphrase)
    try:
        with store.transaction() as conn:
            audit.append(conn, actor, "init", {"store_id": store.store_id})
    except BaseException:
        store.close()  # else the file stays locked for the rest of the process
        raise
    return store


def open_store(path: Path, passphrase: str, *, readonly: bool = False) -> Store:
    """Unlock a store; ``readonly`` when the caller only reads. A store that cannot be
    written is refused unless ``readonly`` (``StoreReadOnlyError``, saying why)."""
    store = Store.open(path, passphrase, readonly=readonly)
    if not readonly:
        rekey.remove_leftover(Path(path))
    return store


def open_for_review(path: Path, passphrase: str) -> Store:
    """Unlock a store to review it: writable where it can be written, else read-only
    (``store.read_only`` says why, and every write is refused with it)."""
    return open_store(path, passphrase, readonly=bool(read_only_reason(Path(path))))


def change_passphrase(store: Store, new_passphrase: str, actor: str) -> None:
    """Re-encrypt under a new passphrase; closes ``store``."""
    if store.read_only:
        raise read_only_error(store.path, store.read_only)
    if not new_passphrase:
        raise UsageError("The new passphrase is empty: choose a passphrase.")
    if store.check_passphrase(new_passphrase):
        raise UsageError("The new passphrase is the same as the old one.")
    require_strong(new_passphrase)
    rekey.rekey(store, new_passphrase, actor, {"store_id": store.store_id})


def require_strong(new_passphrase: str) -> None:
    """Refuse a new passphrase that is too easy to guess, saying why in one line."""
    verdict = assess(new_passphrase)
    if not verdict.acceptable:
        raise WeakPassphraseError(verdict.refusal)
