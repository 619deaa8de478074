"""`reviewer demo`: the synthetic matter imports whole, and the demo store is built once."""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from reviewer.domain.errors import BadInputError, CancelledError, StoreOpenError
from reviewer.infra.resources import resource_path
from reviewer.ops import analysis, importing
from reviewer.ops.demo import DEMO_PASSPHRASE, build_demo, default_demo_path, demo_files
from reviewer.ops.importing import FileResult, ImportReport, import_files
from reviewer.ops.stats import store_stats
from reviewer.ops.stores import create_store, open_store
from tests.conftest import PASSPHRASE

FORMATS = {"chatgpt", "claude", "openai", "sharegpt", "csv"}


def _digest(path: Path) -> str:
    return _sha(path.read_bytes())


def _content(path: Path) -> object:
    """A file's bytes; for a ZIP its members', since deflate output varies with zlib builds."""
    if path.suffix != ".zip":
        return _digest(path)
    with zipfile.ZipFile(path) as archive:
        return [(info.filename, info.date_time, _sha(archive.read(info)))
                for info in archive.infolist()]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def generator(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """make_demo.py loaded from the resources folder, as a module."""
    folder = resource_path("demo")
    monkeypatch.syspath_prepend(str(folder))
    spec = importlib.util.spec_from_file_location("make_demo", folder / "make_demo.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module
    for name in ("people", "scenarios"):
        sys.modules.pop(name, None)


# --- the matter ---------------------------------------------------------------------------------


def test_the_matter_has_a_file_for_every_format() -> None:
    files = demo_files()
    assert {f.parent.name for f in files} == FORMATS
    assert {f.suffix for f in files} == {".json", ".jsonl", ".csv", ".zip"}
    assert sum(f.stat().st_size for f in files) < 1_000_000


def test_the_committed_files_are_what_the_generator_writes(
        generator: ModuleType, tmp_path: Path) -> None:
    assert generator.write_all(tmp_path) >= 60
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = resource_path("demo", "matter")
    assert written == sorted(f.relative_to(committed) for f in demo_files())
    for relative in written:
        assert _content(tmp_path / relative) == _content(committed / relative), relative


def test_every_key_in_the_matter_is_marked_as_fake(generator: ModuleType) -> None:
    text = "\n".join(f.read_text("utf-8") for f in demo_files() if f.suffix != ".zip")
    shapes = r"(sk-(?:proj|ant)-\S+|sk_(?:live|test)_\S+|AKIA\w+|ghp_\w+|xox[bp]-\S+|AIza\S+)"
    found = re.findall(shapes, text)
    assert len(found) >= 7
    # A key is either marked as fake or masked, as a provider's error message masks it.
    real_looking = [k for k in found if "EXAMPLE" not in k and "****" not in k]
    assert real_looking == []


# --- importing it -------------------------------------------------------------------------------


def test_every_demo_file_imports_without_error(store: Any) -> None:
    formats = set()
    for path in demo_files():
        report = import_files(store, [path], "tester", fmt=None, progress=None)
        assert report.error_lines() == []
        assert report.totals()["conversations"] > 0, path
        formats |= {f.format for f in report.imported}
    assert formats == {"chatgpt", "claude", "openai-jsonl", "openai-batch", "sharegpt", "csv"}
    assert store_stats(store)["conversations"] >= 60


# --- building the store -------------------------------------------------------------------------


@pytest.fixture
def fake_steps(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Import and analysis replaced by recorders: the build logic alone, fast."""
    calls: list[str] = []

    def fake_import(*_args: object, **_kwargs: object) -> ImportReport:
        calls.append("import")
        return ImportReport()

    monkeypatch.setattr(importing, "import_files", fake_import)
    monkeypatch.setattr(analysis, "analyze", lambda *_a, **_k: calls.append("analyze"))
    return calls


def test_the_default_store_is_in_the_user_data_folder(fake_steps: list[str]) -> None:
    path = build_demo(None, "tester")
    assert path == default_demo_path()
    assert "redaction-reviewer" in path.parts
    assert path.exists()
    assert fake_steps == ["import", "analyze"]


def test_an_existing_demo_store_is_reused_as_is(fake_steps: list[str], tmp_path: Path) -> None:
    target = tmp_path / "demo.db"
    build_demo(target, "tester")
    before = _digest(target)
    assert build_demo(target, "tester") == target
    assert fake_steps == ["import", "analyze"]
    assert _digest(target) == before


def test_fresh_rebuilds_the_demo_store(fake_steps: list[str], tmp_path: Path) -> None:
    target = tmp_path / "demo.db"
    build_demo(target, "tester")
    with open_store(target, DEMO_PASSPHRASE) as store:
        first_id = store.store_id
    build_demo(target, "tester", fresh=True)
    with open_store(target, DEMO_PASSPHRASE) as store:
        assert store.store_id != first_id
    assert fake_steps == ["import", "analyze"] * 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.db"]


@pytest.mark.parametrize("fresh", [False, True])
def test_a_store_that_is_not_a_demo_store_is_left_alone(
        fake_steps: list[str], store_path: Path, fresh: bool) -> None:
    create_store(store_path, PASSPHRASE, "tester").close()
    before = _digest(store_path)
    with pytest.raises(StoreOpenError, match="not a demo store"):
        build_demo(store_path, "tester", fresh=fresh)
    assert _digest(store_path) == before
    assert fake_steps == []


def test_a_failed_build_leaves_no_store_behind(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def cancel(*_args: object, **_kwargs: object) -> None:
        raise CancelledError("Cancelled.")

    monkeypatch.setattr(importing, "import_files", lambda *_a, **_k: ImportReport())
    monkeypatch.setattr(analysis, "analyze", cancel)
    with pytest.raises(CancelledError):
        build_demo(tmp_path / "demo.db", "tester")
    assert list(tmp_path.iterdir()) == []


def test_a_demo_file_that_does_not_import_stops_the_build(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    refused = FileResult(Path("conversations.json"), error="conversations.json: record 3: bad")
    monkeypatch.setattr(importing, "import_files", lambda *_a, **_k: ImportReport([refused]))
    with pytest.raises(BadInputError, match=r"did not import whole.*record 3"):
        build_demo(tmp_path / "demo.db", "tester")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow  # the whole analysis: 25 to 40 s on a shared two-core machine
def test_the_demo_builds_analyses_and_is_reused(tmp_path: Path) -> None:
    progress: list[str] = []
    target = build_demo(tmp_path / "demo.db", "tester",
                        progress=lambda done, total, label: progress.append(label))
    with open_store(target, DEMO_PASSPHRASE) as store:
        stats = store_stats(store)
    assert stats["conversations"] >= 60
    entities = {e for e, counts in stats["by_entity"].items() if counts["total"]}
    expected = {"PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "IP_ADDRESS", "CREDIT_CARD"}
    assert expected <= entities
    assert len(entities) >= 12
    assert progress
    before = _digest(target)
    assert build_demo(target, "tester") == target
    assert _digest(target) == before
