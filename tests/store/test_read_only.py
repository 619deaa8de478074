"""Stores that cannot be written: a read-only file or folder opens for reading,
writes are refused naming the cause, and nothing is written beside the store."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reviewer.domain.errors import StoreOpenError, StoreReadOnlyError
from reviewer.ops.stores import change_passphrase, create_store, open_for_review, open_store
from reviewer.store import meta
from reviewer.store.database import Store
from reviewer.store.migrations import CURRENT_VERSION
from tests.conftest import PASSPHRASE
from tests.store.readonly import unwritable

HOLD_WAL = """
import os, sys
from pathlib import Path
from reviewer.ops.stores import open_store
from reviewer.store import meta
store = open_store(Path(sys.argv[1]), sys.argv[2])
with store.transaction() as conn:
    meta.put(conn, "probe", "after the last checkpoint")
os._exit(0)  # no close: the change stays in the -wal file
"""


@pytest.fixture
def closed(store: Store, store_path: Path) -> Path:
    with store.transaction() as conn:
        meta.put(conn, "probe", "stored")
    store.close()
    return store_path


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("where", ["file", "folder"])
def test_opening_to_write_is_refused_naming_the_cause(closed: Path, where: str) -> None:
    target = closed if where == "file" else closed.parent
    with unwritable(target), pytest.raises(StoreReadOnlyError) as refused:
        open_store(closed, PASSPHRASE)
    message = str(refused.value)
    assert message.startswith(f"{closed} is read-only: ")
    assert ("its folder" in message) == (where == "folder")
    assert "\n" not in message
    assert refused.value.exit_code == 4


@pytest.mark.parametrize("where", ["file", "folder"])
def test_a_read_only_store_reads_and_refuses_every_write(closed: Path, where: str) -> None:
    target = closed if where == "file" else closed.parent
    with unwritable(target):
        store = open_for_review(closed, PASSPHRASE)
        try:
            assert store.read_only
            with store.reading() as conn:
                assert meta.get(conn, "probe") == "stored"
            with pytest.raises(StoreReadOnlyError, match="is read-only"), store.transaction():
                pass
            with pytest.raises(StoreReadOnlyError, match="is read-only"):
                change_passphrase(store, "brand new quiet lantern", "tester")
        finally:
            store.close()
        assert _files(closed.parent) == [closed.name]  # no -wal, -shm or journal left


def test_a_writable_store_opens_for_review_writable(closed: Path) -> None:
    with open_for_review(closed, PASSPHRASE) as store:
        assert store.read_only == ""
        with store.transaction() as conn:
            meta.put(conn, "probe", "changed")


def test_wrong_passphrase_is_still_said_on_a_read_only_store(closed: Path) -> None:
    with unwritable(closed), pytest.raises(StoreOpenError, match="Wrong passphrase"):
        open_store(closed, "not the passphrase at all", readonly=True)


def test_creating_in_a_read_only_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "sealed"
    folder.mkdir()
    with unwritable(folder), pytest.raises(StoreReadOnlyError) as refused:
        create_store(folder / "new.db", PASSPHRASE, "tester")
    assert str(refused.value).startswith(f"{folder} is read-only: ")
    assert _files(folder) == []


def test_an_older_schema_is_not_upgraded_where_nothing_can_be_written(closed: Path) -> None:
    with open_store(closed, PASSPHRASE) as store, store.transaction() as conn:
        meta.put(conn, "schema_version", str(CURRENT_VERSION - 1))
    with unwritable(closed), pytest.raises(StoreReadOnlyError, match="needs a schema upgrade"):
        open_store(closed, PASSPHRASE, readonly=True)


def test_unsaved_changes_are_read_from_the_wal(closed: Path) -> None:
    """A store left with changes in its -wal (and -shm) file reads them read-only."""
    subprocess.run([sys.executable, "-c", HOLD_WAL, str(closed), PASSPHRASE], check=True)
    assert Path(f"{closed}-wal").stat().st_size > 0
    with (unwritable(closed.parent), open_store(closed, PASSPHRASE, readonly=True) as store,
          store.reading() as conn):
        assert meta.get(conn, "probe") == "after the last checkpoint"


def test_a_wal_without_its_shm_where_nothing_can_be_written_is_named(closed: Path,
                                                                      tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-c", HOLD_WAL, str(closed), PASSPHRASE], check=True)
    copy = tmp_path / "copy"
    copy.mkdir()
    for suffix in ("", "-wal"):
        shutil.copy(f"{closed}{suffix}", copy / f"{closed.name}{suffix}")
    with unwritable(copy), pytest.raises(StoreReadOnlyError) as refused:
        open_store(copy / closed.name, PASSPHRASE, readonly=True)
    assert f"{closed.name}-wal" in str(refused.value)
    assert "copy the store with its -wal file to a writable folder" in str(refused.value)


def test_an_unreadable_store_says_so(closed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def denied(_path: Path) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("reviewer.store.keys.read_salt", denied)
    with pytest.raises(StoreOpenError, match="cannot be read: permission denied"):
        open_store(closed, PASSPHRASE, readonly=True)
