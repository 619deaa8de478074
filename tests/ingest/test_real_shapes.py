"""What real exports carry beyond plain turns: web-search results, summaries,
files' text, tool definitions and inputs, single conversations, text parts of
unknown shape. Each fixture copies the field names and nesting of a real one."""

from __future__ import annotations

import json
from typing import Any

import pytest

from reviewer.domain.errors import BadInputError
from reviewer.domain.models import Branch, Conversation, Message, Visibility
from reviewer.ingest.reader import from_bytes
from tests.ingest.conftest import Parse


def by_type(conv: Conversation, content_type: str) -> list[Message]:
    return [m for m in conv.messages if m.content_type == content_type]


def claude_export(blocks: list[Any], **conv: Any) -> bytes:
    message = {"uuid": "m1", "sender": "assistant", "text": "", "content": blocks}
    return json.dumps([{"uuid": "c1", "name": "t", "chat_messages": [message], **conv}]).encode()


def read(data: bytes, name: str = "conversations.json") -> list[Message]:
    return [m for c in from_bytes(name, data).conversations() for m in c.messages]


# 1. ChatGPT web-search results in message metadata


def test_chatgpt_search_results_follow_their_message(parse: Parse) -> None:
    (conv,) = parse("chatgpt/search.json")
    results = by_type(conv, "search_results")
    assert [(m.source_message_id, m.role, m.visibility) for m in results] == [
        ("t1", "tool", Visibility.TOOL), ("a1", "assistant", Visibility.TOOL)]
    tool_output, cited = results
    assert tool_output.index == 6  # after the tool message, which has only the app's status
    status = conv.messages[5]
    assert (status.source_message_id, status.text) == (
        "t1", "search_display_string: Searching the web…\n"
        "searched_display_string: Searched the web")  # stored nowhere else, so kept
    assert "Rosa A. Carucci chairs the employment section" in tool_output.text
    assert tool_output.text.endswith("\n\nR. A. Carucci Halvorsen Pike")  # the query
    assert conv.messages[cited.index - 1].source_message_id == "a1"
    for expected in ("Halvorsen & Pike | Our people: Rosa Carucci",  # supporting website
                     "direct line 617-555-0142",
                     "Plaintiff Rosa Carucci, of 41 Beacon Hill Terrace",  # fallback item
                     "https://www.bostonbar.org/members/carucci",  # sources footnote
                     "Rosa Carucci speaking at the Boston Bar gala"):  # an image
        assert expected in cited.text
    assert cited.text.count("500+ connections") == 1  # each result once


def test_chatgpt_reasoning_context_and_canvas_are_kept(parse: Parse) -> None:
    (conv,) = parse("chatgpt/search.json")
    kinds = {m.content_type: m for m in conv.messages}
    assert "Role: paralegal at Whitfield Law" in kinds["user_editable_context"].text
    assert "search the web for her firm profile" in kinds["thoughts"].text
    assert kinds["reasoning_recap"].text == "Thought for 6 seconds about Carucci"
    query, canvas = by_type(conv, "code")
    assert canvas.text == ('name: carucci_note\ntype: document\ncontent: Note on Rosa Carucci'
                           '\n\nSenior Counsel, "Halvorsen & Pike"; 617-555-0142.')
    assert query.text == (
        "search_query:\n  - q: R. A. Carucci Halvorsen Pike\nresponse_length: short")


# 2, 3, 4 and 9: Claude summary, metadata-only blocks, files' text, tool input


def test_claude_2025_export(parse: Parse) -> None:
    (conv,) = parse("claude/conversations_2025.json")
    summary = conv.messages[0]
    assert (summary.role, summary.content_type, summary.visibility) == (
        "system", "summary", Visibility.SYSTEM)
    assert "Dana Whitfield of Whitfield Law" in summary.text
    assert [m.content_type for m in conv.messages] == [
        "summary", "text", "attachment", "file", "thinking", "tool_use", "tool_result", "text"]
    cv = conv.messages[2]
    assert cv.text.startswith("[file: Carucci_CV_2025.pdf]\nROSA A. CARUCCI\n41 Beacon Hill")
    assert (cv.author, cv.placeholders) == ("Carucci_CV_2025.pdf", 0)
    assert conv.messages[3].text == "[file: carucci_badge_photo.jpg]"
    assert conv.messages[4].text.endswith("\nConfirming Rosa Carucci's title")
    assert conv.messages[5].text == (
        "query: R. A. Carucci Halvorsen Pike\noptions:\n  max_results: 5\n  sites:\n"
        '    - linkedin.com\n    - bostonbar.org\n  note: Look for "Rosa" first\nthen the firm')


def test_claude_empty_summary_adds_nothing(parse: Parse) -> None:
    (conv,) = parse("claude/single_conversation.json")
    assert "summary" not in {m.content_type for m in conv.messages}


@pytest.mark.parametrize("block", [
    {"type": "token_budget", "start_timestamp": None, "stop_timestamp": None},
    {"type": "token_budget"},
    {"type": "redacted_thinking", "data": "EuYBCkQYAiJA"},
    {"type": "future_marker", "start_timestamp": "2025-03-11T10:00:00Z", "flags": None,
     "budget": 4096},
])
def test_claude_blocks_without_text_store_nothing(block: dict[str, Any]) -> None:
    assert read(claude_export([block, {"type": "text", "text": "hello"}])) == [
        Message(0, "assistant", "hello", source_message_id="m1")]


def test_claude_block_of_unknown_kind_is_read_for_its_text() -> None:
    voice = {"type": "voice_note", "start_timestamp": None, "transcript": "Call Ilse Brandt."}
    other = {"type": "text", "value": "Hi from Tobias Reyes", "citations": []}
    nested = {"type": "form", "fields": {"name": "Marisol Okafor", "city": "Lagos"}}
    texts = [(m.content_type, m.visibility, m.text)
             for m in read(claude_export([voice, other, nested]))]
    assert texts == [("voice_note", Visibility.HIDDEN, "Call Ilse Brandt."),
                     ("text", Visibility.VISIBLE, "Hi from Tobias Reyes"),
                     ("form", Visibility.HIDDEN, "fields:\n  name: Marisol Okafor\n  city: Lagos")]


def test_claude_summary_that_is_not_text_is_refused() -> None:
    with pytest.raises(BadInputError, match=r"record 1: summary is an object, not text"):
        read(claude_export([], summary={"text": "x"}))


# 6. One exported Claude conversation


def test_single_claude_conversation_with_its_branches(parse: Parse) -> None:
    (conv,) = parse("claude/single_conversation.json")
    assert conv.source_id == "4e5f6a7b-8c9d-4e0f-9a1b-2c3d4e5f6a7b"
    assert [(m.branch, m.text[:20]) for m in conv.messages] == [
        (Branch.ACTIVE, "Write to Gareth Pryc"),
        (Branch.ACTIVE, "[file: tenancy.txt]\n"),
        (Branch.ACTIVE, "Make it firmer, and "),
        (Branch.ACTIVE, "Dear Mr Pryce, Sofia"),
        (Branch.ALTERNATE, "Dear Mr Pryce, (firs"),
    ]


def test_single_claude_conversation_on_one_line_and_bad_json() -> None:
    conv = {"uuid": "c9", "name": "n", "chat_messages": [
        {"uuid": "m", "sender": "human", "text": "Ring Ilse Brandt"}]}
    assert [m.text for m in read(json.dumps(conv).encode(), "chat.json")] == ["Ring Ilse Brandt"]
    data = json.dumps(conv, indent=2).encode()[:-30]
    with pytest.raises(BadInputError, match=r"^chat.json, record 1: it is not valid JSON"):
        read(data, "chat.json")


def test_an_object_that_is_no_conversation_keeps_the_generic_refusal() -> None:
    with pytest.raises(BadInputError, match="its shape is not one that can be imported"):
        read(b'{\n  "uuid": "x",\n  "messages_of_mine": []\n}', "x.json")


# 5. ShareGPT tools and system


def test_sharegpt_system_and_tools_come_first(parse: Parse) -> None:
    first, second = parse("sharegpt/tools.jsonl")
    head = [(m.role, m.content_type, m.visibility) for m in first.messages[:2]]
    assert head == [("system", "text", Visibility.SYSTEM),
                    ("system", "tool_definitions", Visibility.SYSTEM)]
    assert first.messages[0].text.endswith("The branch manager is Ilse Brandt.")
    assert "    description: Full name, e.g. Lucas Ferreira" in first.messages[1].text
    assert first.messages[3].text == (
        "name: lookup_customer\narguments:\n  name: Marisol Okafor\n  last4: 9921")
    assert second.messages[0].text == first.messages[1].text  # a list, not JSON text


# 8 and 9: text parts of another shape, readable tool-call arguments


def test_value_text_parts_are_read(parse: Parse) -> None:
    first, second = parse("openai/value_parts.jsonl")
    assert [m.text for m in first.messages] == [
        "You are Quill, the drafting assistant of Brennan & Hale LLP.",
        "Summarise the deposition of Henrietta Vance, 12 May.\n"
        "She lives at 9 Orchard Lane, Dover.",
        "Henrietta Vance testified that she saw the collision.",
    ]
    call = by_type(second, "tool_call")[0]
    assert call.text == (
        'to: rafael.ortiz@example.com\nsubject: Minutes\nbody: Hi Rafael,\nthe minutes of '
        '"Tuesday" are attached.\ncc:\n  - Henrietta Vance <hvance@example.org>\noptions:\n'
        "  priority: high\n  retries: 2")
    assert second.messages[-1].text == "sent to Rafael Ortiz"


@pytest.mark.parametrize(("arguments", "text"), [
    ('{"city": "Oslo"', '{"city": "Oslo"'),  # broken JSON stays as the model wrote it
    ("Oslo, please", "Oslo, please"),
    ('"Oslo"', '"Oslo"'),
    ({"city": "Oslo"}, "city: Oslo"),
    ('{"n": NaN}', '{"n": NaN}'),
    ("[]", ""),
])
def test_tool_call_arguments(arguments: Any, text: str) -> None:
    call = {"id": "c", "type": "function", "function": {"name": "f", "arguments": arguments}}
    line = {"messages": [{"role": "assistant", "content": None, "tool_calls": [call]}]}
    assert [m.text for m in read(json.dumps(line).encode(), "chat.jsonl")] == (
        [text] if text else [])


def test_a_part_without_any_text_is_a_placeholder() -> None:
    line = {"messages": [{"role": "user", "content": [{"type": "image_file",
                                                       "image_file": {"file_id": "file-1"}}]}]}
    (message,) = read(json.dumps(line).encode(), "chat.jsonl")
    assert (message.text, message.placeholders) == ("[image_file]", 1)


@pytest.mark.parametrize("depth", [40, 900, 990, 5000])
def test_deep_tool_arguments_stay_small(depth: int) -> None:
    arguments = '{"a": ' * depth + '"Ilse Brandt"' + "}" * depth
    call = {"id": "c", "type": "function", "function": {"name": "f", "arguments": arguments}}
    line = {"messages": [{"role": "assistant", "content": None, "tool_calls": [call]}]}
    (message,) = read(json.dumps(line).encode(), "chat.jsonl")
    assert "Ilse Brandt" in message.text
    assert len(message.text) < 2 * len(arguments) + 600  # indentation stops at 16 levels


def test_openai_chat_tools_come_first(parse: Parse) -> None:
    (conv,) = parse("openai/tools.jsonl")
    tools = conv.messages[0]
    assert (tools.role, tools.content_type, tools.visibility) == (
        "system", "tool_definitions", Visibility.SYSTEM)
    assert tools.text.startswith("- type: function\n  function:\n    name: book_meeting\n")
    assert "description: Book a meeting with a client of Brennan & Hale." in tools.text
    assert by_type(conv, "tool_call")[0].text == "attendee: Henrietta Vance\nwhen: Friday 15:00"


def test_free_text_under_keys_no_format_defines_is_read() -> None:
    audio = {"id": "audio_1", "data": "UklGRiQAAABXQVZF" * 8, "expires_at": 1735900000,
             "transcript": "Hello Ilse, your meeting is at 3."}
    line = {"messages": [{"role": "user", "text": "Hi, I am Ilse Brandt."},
                         {"role": "assistant", "content": None, "refusal": None, "audio": audio,
                          "annotations": []}]}
    assert [m.text for m in read(json.dumps(line).encode(), "chat.jsonl")] == [
        "Hi, I am Ilse Brandt.", "audio:\n  transcript: Hello Ilse, your meeting is at 3."]
    record = {"conversations": [{"from": "human", "text": "Ring Tobias Reyes", "weight": 0},
                                {"from": "gpt", "value": "Done.", "weight": 1}]}
    assert [m.text for m in read(json.dumps(record).encode(), "sharegpt.jsonl")] == [
        "Ring Tobias Reyes", "Done."]


def test_a_leaf_without_parent_links_keeps_every_message_active() -> None:
    messages = [{"uuid": f"m{i}", "sender": "human", "text": f"turn {i}"} for i in range(3)]
    conv = {"uuid": "c", "chat_messages": messages, "current_leaf_message_uuid": "m2"}
    stored = read(json.dumps(conv).encode(), "chat.json")
    assert [(m.text, m.branch) for m in stored] == [(f"turn {i}", Branch.ACTIVE) for i in range(3)]


def test_chatgpt_2023_browsing_citations(parse: Parse) -> None:
    (conv,) = parse("chatgpt/browsing_2023.json")
    results = by_type(conv, "search_results")
    assert [m.source_message_id for m in results] == ["d", "a"]
    assert results[0].text == (
        "김민준 변호사 - 법무법인 한결\nhttps://hankyul.example.kr/people/kim-minjun\n"
        "김민준 변호사는 서울 서초구 서초대로 219에서 근무합니다.\n\n김민준 변호사 법무법인 한결")
    assert results[1].text == (
        "김민준 변호사 - 법무법인 한결\nhttps://hankyul.example.kr/people/kim-minjun")
