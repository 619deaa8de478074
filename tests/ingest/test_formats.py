"""OpenAI JSONL and batch, Claude, ShareGPT and CSV, each from a fixture."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from reviewer.domain.errors import BadInputError
from reviewer.domain.models import Conversation, Visibility

Parse = Callable[..., list[Conversation]]


def test_openai_chat_content_string_and_parts(parse: Parse) -> None:
    convs = parse("openai/chat.jsonl")
    assert [c.source_id for c in convs] == ["chat.jsonl:1", "chat.jsonl:2", "chatcmpl-9xYz",
                                            "chat.jsonl:4"]
    system, user, refusal = convs[1].messages
    assert system.role == "developer"
    assert system.visibility is Visibility.SYSTEM
    assert user.text == (
        "What does this payslip say about Aisha Khan?\n"
        "[image: https://files.example.com/payslips/aisha-khan-2024-03.png]\n"
        "[image: inline data]\n[audio: wav]\n[file: aisha_khan_contract.pdf]"
    )
    assert user.placeholders == 4
    assert refusal.text == "I can't read personal payroll data."


def test_openai_tool_call_arguments_are_reviewable_text(parse: Parse) -> None:
    conv = parse("openai/chat.jsonl")[2]
    calls = [m for m in conv.messages if m.content_type == "tool_call"]
    assert [c.author for c in calls] == ["send_email", "create_event"]
    assert calls[0].text == ("to: olivia.grant@example.org\nsubject: Tuesday\n"
                             "body: Hi Olivia, confirming Tuesday at 10.")
    assert all(c.visibility is Visibility.TOOL for c in calls)
    tool = [m for m in conv.messages if m.role == "tool"]
    assert [t.source_message_id for t in tool] == ["call_Ab12", "call_Cd34"]
    legacy = parse("openai/chat.jsonl")[3].messages
    assert legacy[1].author == "get_weather"
    assert "Kai Larsen" in legacy[1].text
    assert legacy[2].visibility is Visibility.TOOL


def test_openai_batch_requests_and_results(parse: Parse) -> None:
    requests = parse("openai/batch_requests.jsonl")
    assert [c.source_id for c in requests] == ["request-1", "request-2"]
    assert "Harriet Cole" in requests[0].messages[1].text
    results = parse("openai/batch_output.jsonl")
    assert results[0].messages[0].text == "Harriet Cole says the branch refused her deposit."
    (failure,) = results[1].messages  # the request failed: its error is the answer
    assert failure.text == "error:\n  code: server_error\n  message: failed"


def test_claude_blocks_attachments_and_senders(parse: Parse) -> None:
    first, second, empty = parse("claude/conversations.json")
    assert first.source_id == "0f5e2c1a-1111-4a2b-9c3d-000000000001"
    assert first.created_at == datetime(2024, 6, 1, 9, 15, 2, 123456, tzinfo=UTC)
    kinds = [(m.role, m.content_type, m.visibility) for m in first.messages]
    assert kinds == [
        ("user", "text", Visibility.VISIBLE),
        ("user", "attachment", Visibility.HIDDEN),
        ("user", "file", Visibility.VISIBLE),
        ("assistant", "thinking", Visibility.HIDDEN),
        ("assistant", "tool_use", Visibility.TOOL),
        ("assistant", "tool_result", Visibility.TOOL),
        ("assistant", "text", Visibility.VISIBLE),
    ]
    assert first.messages[1].author == "tenancy_agreement.txt"
    assert "Sofia Mendes" in first.messages[1].text
    assert first.messages[2].text == "[file: deposit_receipt.jpg]"
    assert first.messages[2].placeholders == 1
    assert first.messages[4].text == "query: Scotland tenancy deposit scheme 30 days Gareth Pryce"
    assert second.title is None
    assert second.messages[0].role == "user"
    assert second.messages[0].text == "My NHS number is 943 476 5919, is that valid?"
    assert empty.messages == ()
    assert empty.title == ""


def test_sharegpt_json_and_jsonl(parse: Parse) -> None:
    first, second = parse("sharegpt/sharegpt.json")
    assert first.source_id == "QWERTY1"
    assert second.source_id == "sharegpt.json:1"
    assert [m.role for m in first.messages] == ["system", "user", "assistant", "function_call",
                                                "observation"]
    assert [m.visibility for m in first.messages][3:] == [Visibility.TOOL, Visibility.TOOL]
    assert second.messages[0].text == "  leading and trailing spaces kept  \n"
    assert second.messages[2].role == "narrator"
    lines = parse("sharegpt/sharegpt.jsonl")
    assert [c.source_id for c in lines] == ["1017", "sharegpt.jsonl:2"]
    assert lines[1].messages[0].text == "role/content turns work too, says Zoë."


def test_csv_quoting_bom_grouping_and_times(parse: Parse) -> None:
    first, second = parse("csv/conversations.csv")
    assert first.source_id == "c-100"
    assert first.title == "Callback for O'Neil"
    assert [m.text for m in first.messages] == [
        "Call Mrs O'Neil on 020 7946 0321, please",
        "Noted. I'll call \"Mrs O'Neil\" at 3pm.\r\nShe asked about invoice #8812.",
        "Rows of one conversation may be apart, says Ruth Adeyemi.",
    ]
    assert first.messages[0].created_at == datetime(2024, 1, 5, 10, 0, tzinfo=UTC)
    assert second.messages[0].created_at == datetime(2024, 1, 5, 10, 0, tzinfo=UTC)
    minimal = parse("csv/minimal.csv")
    assert [m.role for m in minimal[0].messages] == ["user", "assistant"]


@pytest.mark.parametrize(("path", "message"), [
    ("bad/broken_line.jsonl", r"broken_line.jsonl, line 3: it is not valid JSON"),
    ("bad/bad_timestamp.csv", r"bad_timestamp.csv, line 3: timestamp 'not-a-time' is not a time"),
    ("bad/unknown_shape.json", r"unknown_shape.json: its shape is not one .*ChatGPT.*CSV"),
])
def test_bad_files_name_file_place_and_reason(parse: Parse, path: str, message: str) -> None:
    with pytest.raises(BadInputError, match=message):
        parse(path)


def test_forced_format_overrides_detection(parse: Parse) -> None:
    with pytest.raises(BadInputError, match=r'line 1: it has no "messages" list'):
        parse("sharegpt/sharegpt.jsonl", "openai-jsonl")
    assert len(parse("sharegpt/sharegpt.jsonl", "sharegpt")) == 2


@pytest.mark.parametrize(("path", "fmt", "message"), [
    ("claude/conversations.json", "chatgpt", 'record 1: it has no "mapping" tree'),
    ("chatgpt/conversations.json", "claude", 'record 1: it has no "chat_messages"'),
    ("chatgpt/conversations.json", "sharegpt", 'record 1: it has no "conversations" list'),
    ("openai/chat.jsonl", "openai-batch", 'line 1: it has no "custom_id"'),
    ("openai/batch_requests.jsonl", "openai-jsonl", 'line 1: it has no "messages" list'),
    ("csv/minimal.csv", "chatgpt", "it is not a JSON array"),
    ("chatgpt/conversations.json", "csv", "the CSV header lacks"),
])
def test_a_wrong_forced_format_is_refused_not_stored_empty(
        parse: Parse, path: str, fmt: str, message: str) -> None:
    with pytest.raises(BadInputError, match=message):
        parse(path, fmt)
