"""Suite-wide fixtures: no network, no real user settings, offscreen Qt."""

from __future__ import annotations

import functools
import os
import signal
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reviewer.store import keys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""

PASSPHRASE = "correct horse battery staple"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Long tests first, then the GUI tests (one group, one worker), then the rest: under
    pytest-xdist (`make test`) both workers then end on short tests, not one worker on
    a long one while the other waits. A stable sort: a module's tests stay together."""
    def rank(item: pytest.Item) -> int:
        if item.get_closest_marker("slow") is not None:
            return 0
        return 1 if item.get_closest_marker("xdist_group") is not None else 2

    items.sort(key=rank)
# One salt for every store a test makes (in this process), so a passphrase's key is
# derived once per process (Argon2id at the store's real cost, about 0.35 s) and reused:
# at a store or two a test that was most of the suite's CPU time. Child processes derive
# keys the real way, from the salt in the file; tests/store/test_keys.py uses the real ones.
TEST_SALT = keys.MAGIC + bytes(range(keys.SALT_BYTES - len(keys.MAGIC)))
keys_new_salt, keys_derive_key = keys.new_salt, keys.derive_key  # the real ones


@functools.lru_cache(maxsize=32)
def _derived_once(passphrase: str, salt: bytes,
                  params: keys.KdfParams = keys.KDF_V1) -> bytes:
    return keys_derive_key(passphrase, salt, params)


@pytest.fixture(autouse=True)
def _one_key_derivation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keys, "new_salt", lambda: TEST_SALT)
    monkeypatch.setattr(keys, "derive_key", _derived_once)


class NetworkBlockedError(AssertionError):
    pass


def _refuse(*_args: Any, **_kwargs: Any) -> None:
    raise NetworkBlockedError("a test tried to open a network connection")


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs with outgoing sockets refused: the app must never phone home."""
    real_connect = socket.socket.connect

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        if self.family == socket.AF_UNIX:
            return real_connect(self, address)
        _refuse()
        return None

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect)
    monkeypatch.setattr(socket, "create_connection", _refuse)
    monkeypatch.setattr(socket, "getaddrinfo", _refuse)


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Settings and data folders point into a temporary home, never the user's."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.delenv("REVIEWER_PASSPHRASE", raising=False)
    monkeypatch.delenv("REVIEWER_NEW_PASSPHRASE", raising=False)
    monkeypatch.setenv("REVIEWER_NAME", "tester")


@pytest.fixture
def ctrl_c_as_in_a_terminal() -> Iterator[None]:
    """Ctrl+C handled by Python, as a terminal starts a program, for the test's duration:
    a shell without job control starts a background command (a test run among them)
    ignoring it, an ignored signal stays ignored in the processes started from it, and a
    handled one does not."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "matter.db"


@pytest.fixture
def store(store_path: Path) -> Iterator[Any]:
    """A fresh, open store (closed after the test)."""
    from reviewer.ops.stores import create_store

    opened = create_store(store_path, PASSPHRASE, "tester")
    yield opened
    opened.close()
