"""Creating, opening and re-keying stores."""

from __future__ import annotations

from pathlib import Path

from reviewer.domain.errors import UsageError
from reviewer.store import audit, rekey
from reviewer.store.database import Store


def create_store(path: Path, passphrase: str, actor: str) -> Store:
    """A new empty store, with its ``init`` audit entry."""
    store = Store.create(path, passphrase)
    try:
        with store.transaction() as conn:
            audit.append(conn, actor, "init", {"store_id": store.store_id})
    except BaseException:
        store.close()  # else the file stays locked for the rest of the process
        raise
    return store


def open_store(path: Path, passphrase: str, *, readonly: bool = False) -> Store:
    store = Store.open(path, passphrase, readonly=readonly)
    if not readonly:
        rekey.remove_leftover(Path(path))
    return store


def change_passphrase(store: Store, new_passphrase: str, actor: str) -> None:
    """Re-encrypt under a new passphrase; closes ``store``."""
    if not new_passphrase:
        raise UsageError("The new passphrase is empty: choose a passphrase.")
    if store.check_passphrase(new_passphrase):
        raise UsageError("The new passphrase is the same as the old one.")
    rekey.rekey(store, new_passphrase, actor, {"store_id": store.store_id})
