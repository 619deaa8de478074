"""Ctrl+C while a command is still loading the app: exit code 130 and the one line
on stderr that a Ctrl+C later gives, not the traceback of an import (``reviewer.launch``)."""

from __future__ import annotations

import importlib.abc
import sys
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType

import pytest

from reviewer import launch


class _InterruptedImport(importlib.abc.MetaPathFinder):
    """Ctrl+C as the command loads the CLI."""

    def find_spec(self, name: str, path: object, target: ModuleType | None = None) -> None:
        if name == "reviewer.cli":
            raise KeyboardInterrupt


def test_ctrl_c_while_the_app_loads_is_one_line_and_exit_130(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delitem(sys.modules, "reviewer.cli", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_InterruptedImport(), *sys.meta_path])
    assert launch.main() == 130
    assert capsys.readouterr().err == launch.INTERRUPTED


def test_the_installed_command_starts_through_the_launcher() -> None:
    # Only Python's own start-up (a few tens of milliseconds) lies before its handler.
    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "reviewer"]
    assert script.value == "reviewer.launch:main"
    bundle = Path(__file__).resolve().parents[2] / "packaging" / "reviewer_main.py"
    assert "from reviewer.launch import main" in bundle.read_text(encoding="utf-8")
