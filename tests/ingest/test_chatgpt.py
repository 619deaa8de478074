"""ChatGPT export: active branch, alternates, hidden content, placeholders, zip."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from reviewer.domain.errors import BadInputError
from reviewer.domain.models import Branch, Conversation, Visibility
from reviewer.ingest import chatgpt
from reviewer.store.rows import conversation_rows

Parse = Callable[..., list[Conversation]]


def by_source(convs: list[Conversation]) -> dict[str, Conversation]:
    return {c.source_id: c for c in convs}


def test_active_branch_first_then_alternates(parse: Parse) -> None:
    conv = by_source(parse("chatgpt/conversations.json"))["6605c1d2-0b1e-4f8e-9a55-1c2d3e4f5a60"]
    ids = [m.source_message_id for m in conv.messages]
    assert ids == ["ci-1", "mem-1", "u1", "a1", "u2", "a2", "a1-old", "u2-old"]
    assert [m.index for m in conv.messages] == list(range(8))
    assert [m.branch for m in conv.messages] == [Branch.ACTIVE] * 6 + [Branch.ALTERNATE] * 2
    assert conv.title == "Note to Priya about Hollis"


def test_hidden_context_is_kept_and_marked(parse: Parse) -> None:
    conv = by_source(parse("chatgpt/conversations.json"))["6605c1d2-0b1e-4f8e-9a55-1c2d3e4f5a60"]
    instructions, memory = conv.messages[0], conv.messages[1]
    assert instructions.content_type == "user_editable_context"
    assert instructions.visibility is Visibility.SYSTEM
    assert "Dana Whitfield" in instructions.text
    assert memory.content_type == "model_editable_context"
    assert "14 Canal Street" in memory.text


def test_image_and_file_pointers_become_counted_placeholders(parse: Parse) -> None:
    conv = by_source(parse("chatgpt/conversations.json"))["6605c1d2-0b1e-4f8e-9a55-1c2d3e4f5a60"]
    upload = conv.messages[4]
    assert upload.content_type == "multimodal_text"
    assert upload.text == (
        "[image: file-7Yx3NqAbC letter_signed.png]\n"
        "Here is the signed letter; add my mobile 07700 900456 at the end.\n"
        "[file: Dana_Whitfield_CV.pdf]"
    )
    assert upload.placeholders == 2


def test_tool_code_browsing_and_reasoning(parse: Parse) -> None:
    conv = by_source(parse("chatgpt/conversations.json"))["66f0aa10-3c3c-4e71-b0de-aa0000000002"]
    kinds = {m.source_message_id: (m.content_type, m.visibility) for m in conv.messages}
    assert kinds["th"] == ("thoughts", Visibility.HIDDEN)
    assert kinds["rr"] == ("reasoning_recap", Visibility.HIDDEN)
    assert kinds["code"] == ("code", Visibility.TOOL)
    assert kinds["out"] == ("execution_output", Visibility.TOOL)
    assert kinds["quote"] == ("tether_quote", Visibility.TOOL)
    assert kinds["disp"] == ("tether_browsing_display", Visibility.TOOL)
    assert kinds["canvas"] == ("code", Visibility.TOOL)
    assert kinds["err"] == ("system_error", Visibility.TOOL)
    assert kinds["a"] == ("text", Visibility.VISIBLE)
    texts = {m.source_message_id: m.text for m in conv.messages}
    assert "Evan Brooks" in texts["out"]
    assert "3 Wharf Road" in texts["disp"]
    assert "Director: Evan Brooks" in texts["quote"]
    assert conv.title is None
    assert conv.created_at is None


def test_missing_current_node_uses_newest_leaf_and_cycles_end(parse: Parse) -> None:
    conv = by_source(parse("chatgpt/conversations.json"))["c3-0000"]
    assert [(m.text, m.branch) for m in conv.messages] == [
        ("What is 2+2?", Branch.ACTIVE), ("Four.", Branch.ACTIVE),
        ("4", Branch.ALTERNATE), ("orphan one", Branch.ALTERNATE),
        ("orphan two", Branch.ALTERNATE),
    ]
    assert conv.title == ""


def test_text_is_exactly_as_in_source(parse: Parse) -> None:
    conv = parse("chatgpt/conversations.json")[0]
    assert conv.messages[3].text == (
        "Hi Priya,\n\nQuick update on the Hollis matter: the hearing moved to 12 April."
    )


def test_split_files_hold_the_same_conversations(parse: Parse) -> None:
    whole = parse("chatgpt/conversations.json")
    split = parse("chatgpt/conversations-000.json") + parse("chatgpt/conversations-001.json")
    assert [conversation_rows(c).content_hash for c in whole] == [
        conversation_rows(c).content_hash for c in split]


def export_zip(tmp_path: Path, fixtures: Path) -> Path:
    path = tmp_path / "chatgpt-export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(fixtures / "chatgpt/conversations.json", "conversations.json")
        archive.writestr("chat.html", "<html>the export's viewer</html>")
        archive.writestr("user.json", json.dumps({"email": "dana@example.com"}))
        archive.writestr("file-7Yx3NqAbC-letter_signed.png", b"\x89PNG\r\n\x1a\n")
        archive.writestr("dalle-generations/file-1.webp", b"RIFF")
    return path


def test_export_zip_is_read_in_place(tmp_path: Path, fixtures: Path, parse: Parse) -> None:
    convs = parse(export_zip(tmp_path, fixtures))
    assert [c.source_id for c in convs] == [c.source_id for c in
                                             parse("chatgpt/conversations.json")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chatgpt-export.zip"]


def test_record_errors_name_the_record(parse: Parse) -> None:
    with pytest.raises(BadInputError,
                       match=r"mapping_not_object.json, record 1: mapping is an array"):
        parse("bad/mapping_not_object.json")
    with pytest.raises(BadInputError,
                       match=r"truncated_conversations.json, record 2: .*not valid JSON"):
        parse("bad/truncated_conversations.json")


def test_active_path_survives_a_parent_cycle() -> None:
    nodes = {"a": {"parent": "b", "children": ["b"]}, "b": {"parent": "a", "children": ["a"]}}
    assert sorted(chatgpt.active_path(nodes, "a")) == ["a", "b"]
    assert sorted(chatgpt.tree_order(nodes)) == ["a", "b"]
