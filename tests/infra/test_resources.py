"""Finding the shipped resources folder: checkout, override, or a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.domain.errors import KnownError
from reviewer.infra import resources
from reviewer.infra.resources import resource_path


def test_a_source_checkout_finds_its_resources_folder() -> None:
    checkout = Path(resources.__file__).resolve().parents[2]
    assert resource_path("policy.yaml") == checkout / "resources" / "policy.yaml"
    assert resource_path("demo", "matter").is_dir()


def test_the_override_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "demo").mkdir()
    monkeypatch.setenv(resources.ENV_OVERRIDE, str(tmp_path))
    assert resource_path("demo") == tmp_path / "demo"


def test_an_installed_copy_is_found_under_the_prefix(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    installed = tmp_path / resources.INSTALLED_SUBDIR / "demo"
    installed.mkdir(parents=True)
    monkeypatch.setattr(resources.sys, "prefix", str(tmp_path))
    # As installed: the package's grandparent folder is site-packages, not a checkout.
    module = tmp_path / "lib" / "reviewer" / "infra" / "resources.py"
    monkeypatch.setattr(resources, "__file__", str(module))
    assert resource_path("demo") == installed


def test_a_missing_resource_is_a_known_error_naming_the_places_looked(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(resources.ENV_OVERRIDE, str(tmp_path))
    with pytest.raises(KnownError, match="demo/absent is missing") as caught:
        resource_path("demo", "absent")
    assert str(tmp_path) in str(caught.value)
    assert resources.ENV_OVERRIDE in str(caught.value)
