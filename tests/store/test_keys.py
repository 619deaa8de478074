"""Key derivation as stores use it, without the suite's one-salt cache (conftest):
Argon2id at the stated cost, a fresh salt per store, wrong passphrases refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from reviewer.domain.errors import StoreOpenError
from reviewer.ops.stores import create_store, open_store
from reviewer.store import keys
from tests import conftest
from tests.conftest import PASSPHRASE


@pytest.fixture
def real_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keys, "new_salt", conftest.keys_new_salt)
    monkeypatch.setattr(keys, "derive_key", conftest.keys_derive_key)


@pytest.mark.usefixtures("real_keys")
def test_the_key_is_argon2id_at_the_stated_cost_of_passphrase_and_salt() -> None:
    salt = keys.new_salt()
    assert salt.startswith(keys.MAGIC)
    assert len(salt) == keys.SALT_BYTES
    assert keys.new_salt() != salt
    expected = Argon2id(salt=salt, length=32, iterations=3, lanes=4,
                        memory_cost=131072).derive(PASSPHRASE.encode("utf-8"))
    assert keys.derive_key(PASSPHRASE, salt) == expected
    assert keys.derive_key(PASSPHRASE + " ", salt) != expected
    assert keys.derive_key(PASSPHRASE, keys.new_salt()) != expected


@pytest.mark.usefixtures("real_keys")
def test_each_store_gets_its_own_salt_and_opens_only_with_its_passphrase(
        tmp_path: Path) -> None:
    for name in ("a.db", "b.db"):
        create_store(tmp_path / name, PASSPHRASE, "tester").close()
    assert keys.read_salt(tmp_path / "a.db") != keys.read_salt(tmp_path / "b.db")
    open_store(tmp_path / "a.db", PASSPHRASE).close()
    with pytest.raises(StoreOpenError):
        open_store(tmp_path / "a.db", "another strong passphrase here")
