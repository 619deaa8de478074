"""Every content type an importer stores is one the packet names as it is.

The packet shows a content type outside its vocabulary as ``other`` (a type is
free text in some exports); the importers' own types must never fall there.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from reviewer.export.fields import CONTENT_TYPES
from reviewer.ops.importing import import_files
from reviewer.store.database import Store
from reviewer.store.schema import MessageRow
from tests.ingest.test_free_text_rule import fixture_files


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_stored_content_type_is_in_the_packet_vocabulary(path: Path, store: Store) -> None:
    report = import_files(store, [path], "tester")
    assert not report.failed, report.error_lines()
    with store.reading() as conn:
        stored = set(conn.execute(select(MessageRow.content_type)).scalars())
    assert stored, path
    assert stored <= CONTENT_TYPES, sorted(stored - CONTENT_TYPES)
