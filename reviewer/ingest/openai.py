"""OpenAI chat JSON Lines: fine-tuning style ``{"messages": [...]}`` lines and
Batch API lines (requests ``{"custom_id", "body": {"messages"}}`` and
results ``{"custom_id", "response": {"body": {"choices"}}}``). A batch line is
half a conversation, marked with the :class:`BatchParts` it holds; the store
makes a request and its response (one ``custom_id``) one conversation.

``content`` is a string or a list of parts (``text``, ``refusal``,
``image_url``, ``input_audio``, ``file``); parts are joined with a newline,
pointers become counted placeholders. A part of another kind, or a text part
without ``text`` (``{"type": "text", "value": ...}``), is read for its free
text (:func:`reviewer.ingest.common.loose_text`); only a part with no text at
all becomes a ``[kind]`` placeholder. Free text under message keys the format
does not define (an audio answer's ``transcript``) follows the content. Each
``tool_calls`` entry (and a legacy ``function_call``) becomes its own message,
role of its sender, content type ``tool_call``, visibility ``tool``, author
the function name, text the ``arguments`` as readable ``key: value`` lines
(JSON that does not parse is kept as the model wrote it). ``source_id``:
``custom_id`` for batch lines, else ``id`` when the line has one, else
``FILE:LINE``. A chat line's ``tools`` (or legacy ``functions``), the function
definitions the model was offered, come first as a system message of readable
lines (content type ``tool_definitions``); so do a batch request body's.

Free text elsewhere in a line is not dropped either: a chat line's other keys,
and a batch request body's other parameters (``metadata``, ``user``,
``stop``, a ``response_format`` schema, the ``input`` of a request to another
endpoint) follow its messages as a ``system`` message of readable lines; a
batch response's other fields follow its answer as a ``hidden`` assistant
message. A batch line's ``error`` (a request that failed, ``"response": null``)
is the response half: a ``system`` message of readable lines
(``error:``, ``code: …``, ``message: …``), never an empty conversation. Ids,
model names and sampling parameters are metadata, and so are token
log-probabilities (the answer's own words again).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from reviewer.domain.models import BatchParts, Conversation, Visibility
from reviewer.ingest import common
from reviewer.ingest.common import Builder, Where
from reviewer.ingest.errors import line
from reviewer.ingest.guard import InputStream
from reviewer.ingest.jsonstream import jsonl_records

# A message's keys this format defines; free text under any other key (an
# audio answer's transcript, a look-alike's "text") is read, not dropped.
MESSAGE_KEYS = frozenset({"role", "content", "name", "refusal", "tool_calls", "function_call",
                          "tool_call_id", "weight"})
LINE_KEYS = frozenset({"messages", "tools", "functions", "id", "parallel_tool_calls"})
# "error" is not here: a failed request's error message is text to review.
BATCH_KEYS = frozenset({"custom_id", "method", "url", "body", "response", "id"})
# A request body's keys: read, or parameters that hold no one's text.
BODY_KEYS = frozenset({
    "messages", "tools", "functions", "model", "max_tokens", "max_completion_tokens",
    "temperature", "top_p", "n", "seed", "stream", "stream_options", "logprobs", "top_logprobs",
    "logit_bias", "presence_penalty", "frequency_penalty", "reasoning_effort", "service_tier",
    "store", "parallel_tool_calls", "tool_choice", "function_call", "modalities", "audio",
    "verbosity",
})
RESPONSE_KEYS = frozenset({"status_code", "request_id", "body"})
RESPONSE_BODY_KEYS = frozenset({"id", "object", "created", "model", "choices", "usage",
                                "system_fingerprint", "service_tier"})
CHOICE_KEYS = frozenset({"index", "message", "logprobs", "finish_reason"})


def chat_conversations(stream: InputStream) -> Iterator[Conversation]:
    for number, value in jsonl_records(stream):
        where = Where(stream.name, line(number))
        item = common.mapping(value, where, "the line")
        if "messages" not in item:
            raise where.error('it has no "messages" list')
        builder = Builder()
        builder.add_tool_definitions(item.get("tools", item.get("functions")), where)
        add_messages(builder, common.array(item["messages"], where, "messages"), where)
        builder.add("system", common.extra_text(item, LINE_KEYS, where, "the line"),
                    visibility=Visibility.SYSTEM)
        source_id = common.ident(item.get("id"), where, "id") or f"{stream.name}:{number}"
        yield builder.build(source_id, None)


def batch_conversations(stream: InputStream) -> Iterator[Conversation]:
    for number, value in jsonl_records(stream):
        where = Where(stream.name, line(number))
        item = common.mapping(value, where, "the line")
        source_id = common.ident(item.get("custom_id"), where, "custom_id")
        if source_id is None or not ("body" in item or "response" in item):
            raise where.error('it has no "custom_id" with a "body" or a "response"')
        builder = Builder()
        request = response = None
        line_extra = common.extra_text(item, BATCH_KEYS, where, "the line")
        if "body" in item:
            body = common.mapping(item["body"], where, "body")
            builder.add_tool_definitions(body.get("tools", body.get("functions")), where)
            add_messages(builder, common.array(body.get("messages"), where, "messages"), where)
            extra = common.extra_text(body, BODY_KEYS, where, "the request body")
            builder.add("system", common.lines(extra, line_extra),
                        visibility=Visibility.SYSTEM)
            line_extra = ""
            request = len(builder.messages)
        if item.get("response") is not None:  # null: the request failed, nothing answered
            _add_response(builder, item["response"], line_extra, where)
            response = len(builder.messages) - (request or 0)
        elif line_extra:
            builder.add("system", line_extra, visibility=Visibility.SYSTEM)
            response = len(builder.messages) - (request or 0)
        yield builder.build(source_id, None, batch=BatchParts(request, response))


def _add_response(builder: Builder, response: Any, line_extra: str, where: Where) -> None:
    outer = common.mapping(response, where, "response")
    body = common.mapping(outer.get("body") or {}, where, "response body")
    choices = common.array(body.get("choices"), where, "choices")
    messages = [c.get("message") for c in choices if isinstance(c, dict) and c.get("message")]
    add_messages(builder, messages, where)
    pieces = [common.extra_text(outer, RESPONSE_KEYS, where, "the response"),
              common.extra_text(body, RESPONSE_BODY_KEYS, where, "the response body"),
              *(common.extra_text(c, CHOICE_KEYS, where, "a choice")
                for c in choices if isinstance(c, dict)),
              line_extra]
    builder.add("assistant", common.lines(*pieces), visibility=Visibility.HIDDEN)


def add_messages(builder: Builder, messages: list[Any], where: Where) -> None:
    for raw in messages:
        message = common.mapping(raw, where, "a message")
        role = common.text(message.get("role") or "unknown", where, "role")
        body, placeholders = content_text(message.get("content"), where)
        refusal = message.get("refusal")
        refusal = common.text(refusal, where, "refusal") if isinstance(refusal, str) else ""
        extra = common.extra_text(message, MESSAGE_KEYS, where, "a message")
        body = common.lines(body, refusal, extra)
        builder.add(role, body, placeholders=placeholders, visibility=common.role_visibility(role),
                    author=common.optional_text(message.get("name"), where, "name"),
                    source_message_id=common.ident(message.get("tool_call_id"), where,
                                                   "tool_call_id"))
        for call in _calls(message, where):
            _add_call(builder, role, call, where)


def _calls(message: Mapping[str, Any], where: Where) -> list[Mapping[str, Any]]:
    calls = [common.mapping(c, where, "a tool call")
             for c in common.array(message.get("tool_calls"), where, "tool_calls")]
    if isinstance(message.get("function_call"), dict):
        calls.append({"function": message["function_call"]})
    return calls


def _add_call(builder: Builder, role: str, call: Mapping[str, Any], where: Where) -> None:
    function = common.obj(call.get("function")) or call
    builder.add(role, common.arguments(function.get("arguments"), where, "tool call arguments"),
                content_type="tool_call", visibility=Visibility.TOOL,
                author=common.optional_text(function.get("name"), where, "function name"),
                source_message_id=common.ident(call.get("id"), where, "tool call id"))


def content_text(content: Any, where: Where) -> tuple[str, int]:
    """Text of a string or a list of content parts, and the placeholder count."""
    if content is None or isinstance(content, str):
        return common.text(content, where, "content"), 0
    pieces: list[str] = []
    count = 0
    for part in common.array(content, where, "content"):
        piece, is_placeholder = _part(common.mapping(part, where, "a content part"), where)
        if piece:
            pieces.append(piece)
            count += is_placeholder
    return "\n".join(pieces), count


def _part(part: Mapping[str, Any], where: Where) -> tuple[str, bool]:
    kind = part.get("type")
    if "text" in part and kind in (None, "text", "input_text", "output_text"):
        return common.text(part["text"], where, "text part"), False
    if kind in (None, "text", "input_text", "output_text"):
        # Text where no known format puts it ({"type": "text", "value": ...}): read, never lost.
        return common.loose_text(part, where, "a text part"), False
    if kind == "refusal":
        return common.text(part.get("refusal"), where, "refusal"), False
    if kind == "image_url":
        url = part.get("image_url")
        url = url.get("url") if isinstance(url, dict) else url
        shown = "inline data" if isinstance(url, str) and url.startswith("data:") else url
        return common.text(f"[image: {shown}]", where, "image url"), True
    if kind == "input_audio":
        audio = common.obj(part.get("input_audio"))
        return f"[audio: {audio.get('format') or 'inline data'}]", True
    if kind == "file":
        file = common.obj(part.get("file"))
        name = file.get("filename") or file.get("file_id") or "inline data"
        return common.text(f"[file: {name}]", where, "file name"), True
    loose = common.loose_text(part, where, f"a {kind} part")
    if loose:
        return loose, False
    return common.text(f"[{kind}]", where, "content part type"), True
