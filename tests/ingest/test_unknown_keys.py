"""Free text under keys no importer reads is stored, in every format, at every
level of a record: the conversation, the message, its content, its metadata.
Ids, times, flags, model names and an app's machine labels are not."""

from __future__ import annotations

import json
from typing import Any

from reviewer.domain.models import BatchParts, Conversation, Visibility
from reviewer.ingest.reader import from_bytes


def parse(data: Any, name: str, *, lines: bool = False) -> list[Conversation]:
    raw = "".join(json.dumps(r) + "\n" for r in data) if lines else json.dumps(data)
    return list(from_bytes(name, raw.encode()).conversations())


def texts(conv: Conversation) -> list[str]:
    return [m.text for m in conv.messages]


def chatgpt_node(node_id: str, parent: str | None, children: list[str], message: Any,
                 **extra: Any) -> dict[str, Any]:
    return {"id": node_id, "parent": parent, "children": children, "message": message, **extra}


def chatgpt_message(node_id: str, role: str, content: dict[str, Any],
                    metadata: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"id": node_id, "author": {"role": role, "name": None, "metadata": {}},
            "create_time": 1700000000.0, "content": content, "status": "finished_successfully",
            "end_turn": True, "weight": 1.0, "metadata": metadata, "recipient": "all",
            "channel": None, **extra}


def test_chatgpt_metadata_content_and_conversation_text_is_kept() -> None:
    dalle_part = {"content_type": "image_asset_pointer", "asset_pointer": "file-service://file-a",
                  "size_bytes": 1, "width": 1024, "height": 1024,
                  "metadata": {"dalle": {"gen_id": "g1", "prompt": "Portrait of Ines Moreau",
                                         "seed": 1, "serialization_title": "DALL-E metadata"},
                               "sanitized": False}}
    common_meta = {"request_id": "r-1", "message_type": "next", "model_slug": "gpt-4o",
                   "parent_id": "u1", "timestamp_": "absolute", "citations": [],
                   "content_references": [], "is_complete": True, "turn_exchange_id": "t-1",
                   "deep_research_version": "standard", "system_hints": ["connector:x"]}
    mapping = {
        "root": chatgpt_node("root", None, ["u1"], None),
        "u1": chatgpt_node("u1", "root", ["d1"], chatgpt_message(
            "u1", "user", {"content_type": "text", "parts": ["Draw her"],
                           "note": "Content note on Ines"},
            {**common_meta, "targeted_reply": "the part about Ines Moreau"})),
        "d1": chatgpt_node("d1", "u1", ["a1"], chatgpt_message(
            "d1", "tool", {"content_type": "multimodal_text", "parts": [dalle_part]},
            common_meta)),
        "a1": chatgpt_node("a1", "d1", [], chatgpt_message(
            "a1", "assistant", {"content_type": "text", "parts": ["Here it is."]},
            {**common_meta, "async_task_title": "Reminder for Ines",
             "chatgpt_sdk": {"widget_state": json.dumps(
                 {"status": "completed", "plan": {"title": "Plan for Ines Moreau"}})}},
            memo="Message note on Ines"), label="Node note on Ines"),
    }
    conv = {"id": "c1", "title": "t", "mapping": mapping, "current_node": "a1",
            "default_model_slug": "auto", "gizmo_id": None, "memory_scope": "global_enabled",
            "folder_name": "Ines Moreau case"}
    (parsed,) = parse([conv], "conversations.json")
    assert texts(parsed) == [
        "Draw her\nContent note on Ines\nthe part about Ines Moreau",  # one value: itself
        "[image: file-a]\nmetadata:\n  dalle:\n    prompt: Portrait of Ines Moreau",
        "Here it is.\nNode note on Ines\nMessage note on Ines\n"
        "async_task_title: Reminder for Ines\nchatgpt_sdk:\n  widget_state:\n    plan:\n"
        "      title: Plan for Ines Moreau",
        "Ines Moreau case",
    ]
    last = parsed.messages[-1]
    assert (last.role, last.visibility, last.content_type) == ("system", Visibility.SYSTEM,
                                                               "text")


def test_chatgpt_text_already_stored_is_not_repeated() -> None:
    mapping = {"t1": chatgpt_node("t1", None, [], chatgpt_message(
        "t1", "tool", {"content_type": "text", "parts": ["Created text document 'Ines'"]},
        {"canvas": {"textdoc_id": "d", "textdoc_type": "document", "title": "Ines",
                    "version": 1, "create_source": "model"}}))}
    (parsed,) = parse([{"id": "c", "mapping": mapping, "current_node": "t1"}],
                      "conversations.json")
    assert texts(parsed) == ["Created text document 'Ines'"]


def test_chatgpt_metadata_that_is_not_an_object_is_kept() -> None:
    mapping = {"u": chatgpt_node("u", None, [], chatgpt_message(
        "u", "user", {"content_type": "text", "parts": ["hi"]}, {}))}
    mapping["u"]["message"]["metadata"] = "Note on Ines"
    (parsed,) = parse([{"id": "c", "mapping": mapping, "current_node": "u"}],
                      "conversations.json")
    assert texts(parsed) == ["hi\nNote on Ines"]


def test_claude_free_text_at_every_level_is_kept() -> None:
    text_block = {"type": "text", "text": "hi", "start_timestamp": None, "flags": None,
                  "citations": [{"uuid": "x", "details": {"type": "web", "url": "https://a"},
                                 "quote": "Quoted words of Ines"}]}
    message = {"uuid": "m1", "sender": "human", "text": "hi", "content": [text_block],
               "created_at": "2025-01-01T00:00:00Z", "label": "Message label for Ines",
               "attachments": [{"file_name": "a.txt", "file_size": 3, "file_type": "txt",
                                "extracted_content": "abc", "description": "About Ines"}],
               "files": []}
    conv = {"uuid": "c1", "name": "n", "summary": "", "chat_messages": [message],
            "account": {"uuid": "a"}, "is_starred": False, "project": {"name": "Ines project"}}
    (parsed,) = parse([conv], "conversations.json")
    assert texts(parsed) == [
        "hi\ncitations:\n  - quote: Quoted words of Ines",
        "[file: a.txt]\nabc\nAbout Ines",
        "Message label for Ines",
        "project:\n  name: Ines project",
    ]
    assert [m.visibility for m in parsed.messages[2:]] == [Visibility.HIDDEN, Visibility.SYSTEM]


def test_openai_chat_line_and_batch_bodies_keep_their_free_text() -> None:
    line = {"messages": [{"role": "user", "content": "hi"}],
            "metadata": {"note": "Labelled by Ines Moreau"}}
    (chat,) = parse([line], "chat.jsonl", lines=True)
    assert texts(chat) == ["hi", "metadata:\n  note: Labelled by Ines Moreau"]
    tools = [{"type": "function", "function": {"name": "find", "description": "Find a client"}}]
    request = {"custom_id": "r1", "method": "POST", "url": "/v1/chat/completions",
               "body": {"model": "gpt-4o", "max_tokens": 5, "tools": tools,
                        "user": "ines@example.com", "messages": [{"role": "user",
                                                                  "content": "hi"}]}}
    (batch,) = parse([request], "batch.jsonl", lines=True)
    assert batch.messages[0].content_type == "tool_definitions"
    assert "description: Find a client" in batch.messages[0].text
    assert texts(batch)[1:] == ["hi", "ines@example.com"]
    assert batch.batch == BatchParts(3, None)
    response = {"id": "b1", "custom_id": "r1", "error": None, "response": {
        "status_code": 200, "request_id": "q", "body": {
            "id": "x", "object": "chat.completion", "model": "gpt-4o",
            "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                         "message": {"role": "assistant", "content": "ok"}}],
            "usage": {"total_tokens": 3}, "summary_note": "Answer about Ines"}}}
    (answer,) = parse([response], "batch.jsonl", lines=True)
    assert texts(answer) == ["ok", "Answer about Ines"]
    assert answer.batch == BatchParts(None, 2)


def test_sharegpt_record_and_csv_columns_keep_their_free_text() -> None:
    record = {"id": "s1", "conversations": [{"from": "human", "value": "hi"}],
              "source": "Collected from Ines Moreau"}
    (conv,) = parse([record], "sharegpt.json")
    assert texts(conv) == ["hi", "Collected from Ines Moreau"]
    data = b"conversation_id,role,text,note\nc1,user,hello,Said by Ines\nc1,assistant,hi,\n"
    (rows,) = from_bytes("rows.csv", data).conversations()
    assert texts(rows) == ["hello\nSaid by Ines", "hi"]
