"""Helpers for the ingest tests: the fixture folder and a one-call parser."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from reviewer.domain.models import Conversation
from reviewer.ingest.reader import open_source

FIXTURES = Path(__file__).parent / "fixtures"

Parse = Callable[..., list[Conversation]]


def parse_path(path: Path, fmt: str | None = None) -> list[Conversation]:
    with open_source(path, fmt) as source:
        return list(source.conversations())


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def parse() -> Parse:
    """parse(relative_or_absolute_path, fmt=None) -> every conversation in it."""

    def run(path: Path | str, fmt: str | None = None) -> list[Conversation]:
        return parse_path(FIXTURES / path, fmt)

    return run
