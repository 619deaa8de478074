"""The rule behind the importers: every string in a record is known metadata
(ids, times, flags, kinds, model names), text a reviewer sees, or a reason to
refuse the file. Each fixture is imported into a store, and each of its string
leaves that is not metadata must be found in a stored message text or title.

Metadata is named per format by key (``"id"``) or by key under its parent
(``"author.name"``); the lists are short on purpose: a key added here is a
decision that its values are never anyone's text.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from reviewer.ingest.reader import open_source
from reviewer.ops.importing import import_files
from reviewer.store.database import Store
from reviewer.store.schema import ConversationRow, MessageRow

FIXTURES = Path(__file__).parent / "fixtures"
IDS_AND_TIMES = frozenset({
    "id", "uuid", "created_at", "updated_at", "create_time", "update_time", "timestamp",
    "start_timestamp", "stop_timestamp", "conversation_id", "type",
})
METADATA: dict[str, frozenset[str]] = {
    "chatgpt": IDS_AND_TIMES | {
        "parent", "children", "current_node", "content_type", "role", "status", "recipient",
        "author.name", "model_slug", "default_model_slug", "request_id", "parent_id",
        "message_type", "timestamp_", "language", "asset_pointer", "mime_type", "domain",
        "attribution", "alt", "matched_text", "memory_scope", "textdoc_id", "textdoc_type",
        "create_source", "source_analysis_msg_id", "search_display_string",
        "searched_display_string", "finish_details.type", "content_url", "thumbnail_url",
        "ref_type", "citation_format_type", "citation_format.name", "evidence_text",
        # Repeats of the user profile and instructions, which are stored from content.
        "about_user_message", "about_model_message",
    },
    "claude": IDS_AND_TIMES | {
        "sender", "file_type", "file_kind", "file_uuid", "thumbnail_url", "preview_url",
        "current_leaf_message_uuid", "parent_message_uuid", "model", "stop_reason",
        "paprika_mode", "site_domain", "favicon_url", "site_name", "details.url",
        "prompt_context_metadata.url", "account.uuid",
        # A tool's name ("web_search") is the message's author, chosen by its maker.
        "content.name",
        # The app's status line while a tool runs ("Searching the web").
        "message",
    },
    # A message's or function's name is its author: never in the packet.
    "openai-jsonl": IDS_AND_TIMES | {"role", "tool_call_id", "detail", "format", "data",
                                     "file_data", "function.name",
                                     "function_call.name", "messages.name"},
    "openai-batch": IDS_AND_TIMES | {"custom_id", "method", "url", "model", "role", "object",
                                     "request_id", "finish_reason", "system_fingerprint",
                                     "error.code", "error.message", "function.name"},
    "sharegpt": IDS_AND_TIMES | {"from", "role"},
    "csv": IDS_AND_TIMES | {"role"},
}


def fixture_files() -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*") if p.is_file() and p.parent.name != "bad")


def records(path: Path) -> Iterator[Any]:
    text = path.read_bytes().decode("utf-8-sig")  # newlines as they are
    if path.suffix == ".csv":
        yield from csv.DictReader(io.StringIO(text, newline=""))
        return
    try:
        value = json.loads(text)
    except ValueError:
        yield from (json.loads(line) for line in text.splitlines() if line.strip())
        return
    yield from value if isinstance(value, list) else [value]


def leaves(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """(keys leading to it, value) for every string in ``value``; list indices skipped.

    A string that is JSON text of an object or array (tool arguments, tool
    definitions, a canvas document) is walked as that data: its strings are
    the text, whatever layout the importer gives them. Inline binary data
    (``data:`` addresses) is not text.
    """
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, str(key)))
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item, path)
    elif isinstance(value, str) and value.strip() and not value.startswith("data:"):
        data = _json_data(value)
        if data is None:
            yield path, value
        else:
            yield from leaves(data, path)


def _json_data(value: str) -> Any:
    if not value.lstrip().startswith(("{", "[")):
        return None
    try:
        data = json.loads(value)
    except ValueError:
        return None
    return data if isinstance(data, dict | list) else None


def is_metadata(path: tuple[str, ...], metadata: frozenset[str]) -> bool:
    return bool(path) and (path[-1] in metadata or ".".join(path[-2:]) in metadata)


def stored_text(store: Store) -> str:
    with store.reading() as conn:
        texts = conn.execute(select(MessageRow.text)).scalars().all()
        titles = conn.execute(select(ConversationRow.title)).scalars().all()
    return "\n".join([*texts, *(t for t in titles if t)])


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_free_text_leaf_is_stored(path: Path, store: Store) -> None:
    with open_source(path) as source:
        fmt = source.format
    report = import_files(store, [path], "tester")
    assert not report.failed, report.error_lines()
    stored = stored_text(store)
    missing = [(".".join(keys), value[:60]) for record in records(path)
               for keys, value in leaves(record)
               if not is_metadata(keys, METADATA[fmt]) and value not in stored]
    assert not missing, f"{fmt} text not stored: {missing}"
