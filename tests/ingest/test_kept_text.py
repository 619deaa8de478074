"""Free text the importers once dropped as metadata is kept: a batch line's
error, text under keys that usually hold machine data (``data``, ``detail``,
``format``), people's handles, metadata that only looked like a repeat, and a
CSV conversation's later titles. Machine data under those keys stays out."""

from __future__ import annotations

import json
from typing import Any

import pytest

from reviewer.domain.models import BatchParts, Conversation, Visibility
from reviewer.ingest import common
from reviewer.ingest.reader import from_bytes


def parse(data: Any, name: str, *, lines: bool = False) -> list[Conversation]:
    raw = "".join(json.dumps(r) + "\n" for r in data) if lines else json.dumps(data)
    return list(from_bytes(name, raw.encode()).conversations())


def texts(conv: Conversation) -> list[str]:
    return [m.text for m in conv.messages]


def everything(convs: list[Conversation]) -> str:
    return "\n".join([*(c.title or "" for c in convs), *(m.text for c in convs
                                                         for m in c.messages)])


# 1. An OpenAI batch error line


def test_a_batch_error_is_kept_as_the_response_half() -> None:
    line = {"id": "b1", "custom_id": "err-1", "response": None,
            "error": {"code": "bad", "message": "Request for Mortimer Sallow failed"}}
    (conv,) = parse([line], "batch.jsonl", lines=True)
    assert conv.source_id == "err-1"
    assert texts(conv) == ["error:\n  code: bad\n  message: Request for Mortimer Sallow failed"]
    assert conv.messages[0].visibility is Visibility.SYSTEM
    assert conv.batch == BatchParts(None, 1)


def test_a_batch_line_without_error_adds_nothing() -> None:
    line = {"id": "b1", "custom_id": "ok-1", "error": None, "response": {
        "status_code": 200, "request_id": "q", "body": {"choices": [
            {"index": 0, "message": {"role": "assistant", "content": "fine"}}]}}}
    (conv,) = parse([line], "batch.jsonl", lines=True)
    assert texts(conv) == ["fine"]


# 2. Keys that usually hold machine data


TEXTS = ["Applicant Quentin Ashdown SSN 123-45-6789", "Ticket from Quentin Ashdown",
         "Ashdown", "Zoë", "john.smith", "q.ashdown@example.com", "McDonald",
         "hello\nworld", "555-123-4567", "4111111111111111", "123-45-6789",
         "GB29NWBK60161331926819"]
MACHINE = ["png", "auto", "high", "image/png", "application/vnd.ms-excel",
           "text/plain; charset=utf-8",
           "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk",
           "AAAA", "sk-abc_123-XYZ", "R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==",
           "data:image/png;base64,AAAA", "2024-05-01T10:00:00Z", "5.3",
           "\n".join(["QUFB" * 16] * 3)]


@pytest.mark.parametrize("value", TEXTS)
def test_text_under_a_data_key_is_kept(value: str) -> None:
    where = common.Where("f", "line 1")
    for key in ("data", "detail", "format", "file_data", "media_type", "mime_type"):
        assert common.loose_text({key: value, "type": "x"}, where, "a block") == value


@pytest.mark.parametrize("value", MACHINE)
def test_machine_data_under_a_data_key_is_not(value: str) -> None:
    where = common.Where("f", "line 1")
    for key in ("data", "detail", "format", "file_data", "media_type", "mime_type"):
        assert common.loose_text({key: value, "type": "x"}, where, "a block") == ""


def test_openai_text_under_data_keys_at_any_depth_is_kept() -> None:
    line = {"messages": [{"role": "user", "content": "hello",
                          "data": "Applicant Quentin Ashdown SSN 123-45-6789"},
                         {"role": "user", "content": [
                             {"type": "image_url", "image_url": {"url": "https://x/a.png",
                                                                 "detail": "high"}},
                             {"type": "note", "detail": {"format": "Form of Quentin Ashdown"}}]}],
            "detail": "Ticket from Quentin Ashdown"}
    (conv,) = parse([line], "chat.jsonl", lines=True)
    assert texts(conv) == ["hello\nApplicant Quentin Ashdown SSN 123-45-6789",
                           "[image: https://x/a.png]\ndetail:\n  format: Form of Quentin Ashdown",
                           "Ticket from Quentin Ashdown"]


def test_claude_document_source_text_is_kept_and_image_data_is_not() -> None:
    message = {"uuid": "m", "sender": "human", "text": "", "content": [
        {"type": "text", "text": "hi"},
        {"type": "document", "source": {"data": "Doc about Isadora Quince"}},
        {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                     "data": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB"}}]}
    (conv,) = parse([{"uuid": "c", "name": "t", "chat_messages": [message]}],
                    "conversations.json")
    assert texts(conv) == ["hi", "source:\n  data: Doc about Isadora Quince"]
    assert conv.messages[1].content_type == "document"


def test_chatgpt_and_sharegpt_text_under_data_keys_is_kept() -> None:
    part = {"content_type": "image_asset_pointer", "asset_pointer": "file-service://file-a",
            "format": "png", "metadata": {"detail": "Scan of Quentin's passport"}}
    message = {"id": "u", "author": {"role": "user"}, "metadata": {
        "data": "Case file of Quentin Ashdown", "format": "auto"},
        "content": {"content_type": "multimodal_text", "parts": [part, "look"]}}
    conv = {"id": "c", "title": "t", "current_node": "u",
            "mapping": {"u": {"id": "u", "parent": None, "children": [], "message": message}}}
    (parsed,) = parse([conv], "conversations.json")
    assert texts(parsed) == ["[image: file-a]\nlook\nmetadata:\n  detail: Scan of Quentin's "
                             "passport\nCase file of Quentin Ashdown"]
    record = {"id": "s", "conversations": [{"from": "human", "value": "hi",
                                            "data": "Said by Quentin Ashdown"}],
              "detail": "Collected from Quentin"}
    (shared,) = parse([record], "sharegpt.json")
    assert texts(shared) == ["hi\nSaid by Quentin Ashdown", "Collected from Quentin"]


# 3. People's handles are not machine labels


@pytest.mark.parametrize("handle", ["john.smith", "h.oyelaran", "jane_doe", "Jane.Doe",
                                    "mary.o_neil"])
def test_a_handle_is_text(handle: str) -> None:
    assert not common.is_label(handle)


@pytest.mark.parametrize("label", ["standard", "gpt-4o", "connector:x", "absolute",
                                   "sediment://file_00ab", "connectors://drive", "o1",
                                   "gpt_4_turbo"])
def test_a_label_is_not(label: str) -> None:
    assert common.is_label(label)


def test_claude_handles_are_kept_and_labels_are_not() -> None:
    message = {"uuid": "m", "sender": "human", "text": "hi there", "handle": "john.smith",
               "mode": "standard", "note_detail": {"detail": "Patient Harriet Oyelaran"}}
    conv = {"uuid": "c", "name": "labels", "chat_messages": [message], "owner": "h.oyelaran",
            "tier": "gpt-4o"}
    (parsed,) = parse([conv], "conversations.json")
    assert texts(parsed) == ["hi there",
                             "handle: john.smith\nnote_detail:\n  detail: Patient Harriet Oyelaran",
                             "h.oyelaran"]


# 4. ChatGPT metadata skipped as a repeat only when it is one


def chatgpt(nodes: list[tuple[str, str, dict[str, Any], dict[str, Any]]]) -> Conversation:
    mapping: dict[str, Any] = {}
    parent = None
    for node_id, role, content, metadata in nodes:
        mapping[node_id] = {"id": node_id, "parent": parent, "children": [], "message": {
            "id": node_id, "author": {"role": role}, "content": content, "metadata": metadata}}
        if parent:
            mapping[parent]["children"].append(node_id)
        parent = node_id
    (conv,) = parse([{"id": "c", "title": "meta", "mapping": mapping, "current_node": parent}],
                    "conversations.json")
    return conv


def test_chatgpt_profile_and_code_output_not_stored_elsewhere_are_kept() -> None:
    conv = chatgpt([
        ("u", "user", {"content_type": "text", "parts": ["hi"]},
         {"user_context_message_data": {"about_user_message": "I am Winston Clarke, 45, diabetic",
                                        "about_model_message": "Call me Win"}}),
        ("a", "assistant", {"content_type": "text", "parts": ["ok"]},
         {"aggregate_result": {"status": "success", "run_id": "r",
                               "messages": [{"message_type": "stream",
                                             "text": "stdout: Beatrix Kiddo, 1970"}],
                               "code": "print(1)"}})])
    assert texts(conv) == [
        "hi\nuser_context_message_data:\n  about_user_message: I am Winston Clarke, 45, diabetic"
        "\n  about_model_message: Call me Win",
        "ok\naggregate_result:\n  messages:\n    - text: stdout: Beatrix Kiddo, 1970\n"
        "  code: print(1)",
    ]


def test_chatgpt_repeats_of_stored_text_are_still_skipped() -> None:
    conv = chatgpt([
        ("p", "user", {"content_type": "user_editable_context",
                       "user_profile": "The user provided:\nI am  Winston Clarke,\n45",
                       "user_instructions": "Call me Win"},
         {"is_user_system_message": True, "user_context_message_data": {
             "about_user_message": "I am Winston Clarke, 45",
             "about_model_message": "Call me Win"}}),
        ("c", "assistant", {"content_type": "code", "language": "python", "text": "print(1)"}, {}),
        ("o", "tool", {"content_type": "execution_output", "text": "Beatrix Kiddo,\n1970"},
         {"aggregate_result": {"status": "success", "code": "print(1)",
                               "messages": [{"message_type": "stream",
                                             "text": "Beatrix Kiddo, 1970"}],
                               "jupyter_messages": [{"msg_type": "status",
                                                     "parent_header": {"version": "5.3"},
                                                     "content": {"execution_state": "busy"}}]}}),
        ("s", "assistant", {"content_type": "text", "parts": ["Found it ([Kiddo](https://k.io))"]},
         {"citations": [], "content_references": [
             {"matched_text": "([Kiddo](https://k.io))", "alt": "([Kiddo](https://k.io))",
              "type": "grouped_webpages"}]}),
    ])
    assert texts(conv) == ["The user provided:\nI am  Winston Clarke,\n45\nCall me Win",
                           "print(1)", "Beatrix Kiddo,\n1970", "Found it ([Kiddo](https://k.io))"]


@pytest.mark.parametrize("key", ["alt", "source", "kwargs", "command", "evidence_text",
                                 "matched_text", "search_display_string",
                                 "searched_display_string", "jupyter_messages",
                                 "about_user_message", "about_model_message",
                                 "aggregate_result"])
def test_every_repeat_key_is_kept_when_its_text_is_new(key: str) -> None:
    conv = chatgpt([("u", "user", {"content_type": "text", "parts": ["hi"]},
                     {key: "Note on Beatrix Kiddo"})])
    assert texts(conv) == ["hi\nNote on Beatrix Kiddo"]


# 5. CSV: later titles of one conversation


@pytest.mark.parametrize("scattered", [False, True])
def test_csv_later_differing_titles_are_kept(scattered: bool) -> None:
    rows = ["q1,user,hi,Title A Leopold", "q1,assistant,yo,Title B Marchbanks",
            "q1,user,again,Title A Leopold", "q1,user,more,", "q1,user,last,Title C Fenn"]
    if scattered:
        rows.insert(1, "q2,user,other,")
    data = ("conversation_id,role,text,title\n" + "\n".join(rows) + "\n").encode()
    conv = next(iter(from_bytes("titles.csv", data).conversations()))
    assert conv.title == "Title A Leopold"
    assert texts(conv) == ["hi", "yo", "again", "more", "last",
                           "title: Title B Marchbanks\ntitle: Title C Fenn"]
    assert (conv.messages[-1].role, conv.messages[-1].visibility) == ("system",
                                                                      Visibility.SYSTEM)


def test_csv_one_title_adds_no_message() -> None:
    data = b"conversation_id,role,text,title\nq1,user,hi,T\nq1,assistant,yo,T\n"
    (conv,) = from_bytes("titles.csv", data).conversations()
    assert (conv.title, texts(conv)) == ("T", ["hi", "yo"])
