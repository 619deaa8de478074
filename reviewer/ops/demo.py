"""`reviewer demo`: build a review store from the synthetic matter in ``resources/demo``.

The store is built under a temporary name and moved into place only when the
import (and, unless the app is to do it, the analysis) is complete, so a store at
the demo path always holds the whole matter: re-running reuses it (and the
reviewer's decisions in it), and ``fresh`` replaces it only once the new one is
ready. The app opens on the store at once and analyses it in the background
(seconds to import, tens of seconds to analyse); what an interrupted analysis
left undone is done on the next start.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from reviewer.domain.errors import BadInputError, StoreOpenError
from reviewer.domain.progress import Progress
from reviewer.infra.resources import resource_path
from reviewer.ops.policies import current_policy
from reviewer.ops.stores import Store, create_store, open_store
from reviewer.store import analysis as stored

# Shown on screen by `reviewer demo`: the demo matter is synthetic, so its key is no secret.
DEMO_PASSPHRASE = "demo matter: synthetic people only"

APP_NAME = "redaction-reviewer"
MATTER_SUFFIXES = frozenset({".json", ".jsonl", ".csv", ".zip"})
STORE_SUFFIXES = ("", "-journal", "-wal", "-shm")


def default_demo_path() -> Path:
    return platformdirs.user_data_path(APP_NAME) / "demo.db"


def demo_files() -> list[Path]:
    """Every conversation file of the demo matter, in a stable order."""
    root = resource_path("demo", "matter")
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in MATTER_SUFFIXES)


def build_demo(
    path: Path | None, actor: str, fresh: bool = False, progress: Progress | None = None,
    analyse: bool = True,
) -> Path:
    """The demo store at ``path`` (default: the user data folder), built if needed; with
    ``analyse``, also analysed to the end (else the app analyses it in the background)."""
    target = Path(path) if path is not None else default_demo_path()
    if target.exists() or target.is_symlink():
        # Also when fresh: a file the demo passphrase cannot open is not ours to replace.
        _check_is_demo(target)
        if not fresh:
            if analyse:
                _finish_analysis(target, actor, progress)
            return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".building")
    _remove_store_files(partial)
    try:
        _build(partial, actor, progress, analyse)
    except BaseException:
        _remove_store_files(partial)
        raise
    _remove_store_files(target)
    os.replace(partial, target)
    return target


def open_demo(path: Path) -> Store:
    """The demo store, opened with the passphrase everyone is shown."""
    return open_store(path, DEMO_PASSPHRASE)


def unanalysed(store: Store) -> int:
    """How many conversations wait for analysis under the store's policy."""
    loaded = current_policy(store)
    with store.reading() as conn:
        conversations, _ = stored.count_stale(conn, loaded.hash)
    return conversations


def _build(path: Path, actor: str, progress: Progress | None, analyse: bool) -> None:
    from reviewer.ops.importing import import_files

    store = create_store(path, DEMO_PASSPHRASE, actor)
    try:
        report = import_files(store, demo_files(), actor, fmt=None, progress=progress)
        if report.failed:
            # A shipped file that does not import is a bug: no half-built demo store.
            raise BadInputError("The demo matter did not import whole: "
                                + " ".join(report.error_lines()))
        if analyse:
            _analyse(store, actor, progress)
    finally:
        store.close()


def _finish_analysis(path: Path, actor: str, progress: Progress | None) -> None:
    """What an analysis in the app left undone; a finished store is not even opened
    for writing."""
    with open_store(path, DEMO_PASSPHRASE, readonly=True) as store:
        if not unanalysed(store):
            return
    with open_demo(path) as store:
        _analyse(store, actor, progress)


def _analyse(store: Store, actor: str, progress: Progress | None) -> None:
    # Imported here: analysis loads spaCy and Presidio (seconds), which reopening needs not.
    from reviewer.ops.analysis import analyze

    analyze(store, actor, policy_path=None, workers=None, progress=progress)


def _check_is_demo(path: Path) -> None:
    try:
        open_store(path, DEMO_PASSPHRASE, readonly=True).close()
    except StoreOpenError as err:
        if "passphrase" not in str(err).lower():
            raise
        raise StoreOpenError(
            f"{path} exists but is not a demo store (the demo passphrase does not open it); "
            "it was left alone: give another path with --store."
        ) from None


def _remove_store_files(path: Path) -> None:
    for suffix in STORE_SUFFIXES:
        Path(str(path) + suffix).unlink(missing_ok=True)
