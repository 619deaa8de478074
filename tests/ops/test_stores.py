"""Creating and re-keying stores through ops: a weak new passphrase is refused
before anything is written, in one line that does not quote it."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.domain.errors import WeakPassphraseError
from reviewer.ops.stores import change_passphrase, create_store, open_store
from reviewer.store.database import Store
from tests.conftest import PASSPHRASE


def test_create_refuses_a_weak_passphrase_before_the_file_exists(store_path: Path) -> None:
    with pytest.raises(WeakPassphraseError) as refused:
        create_store(store_path, "Abcdefgh1234", "tester")
    assert str(refused.value) == ("Passphrase too weak: at least 12 characters, or 4+ words; "
                                  "it follows a sequence (abc, 123, qwerty).")
    assert refused.value.exit_code == 2
    assert not store_path.exists()


def test_change_refuses_a_weak_passphrase_and_the_old_one_still_opens(
        store: Store, store_path: Path) -> None:
    with pytest.raises(WeakPassphraseError, match="this one has 5 characters"):
        change_passphrase(store, "hello", "tester")
    store.close()
    open_store(store_path, PASSPHRASE).close()


def test_change_to_a_strong_passphrase(store: Store, store_path: Path) -> None:
    change_passphrase(store, "orbit canyon velvet mango", "tester")
    open_store(store_path, "orbit canyon velvet mango").close()
