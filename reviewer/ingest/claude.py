"""Claude data export: ``conversations.json``, an array of conversations with
``chat_messages``.

Each chat message becomes one stored message per ``content[]`` block (when it
has blocks; older exports have only ``text``), then one per attachment:

- ``text`` blocks: visible text;
- ``thinking`` blocks: ``hidden`` (the model's reasoning);
- ``tool_use``: ``tool``, text the ``input`` as JSON (keys in source order);
- ``tool_result``: ``tool``, the text of its content blocks joined by newlines;
- attachments: ``hidden``, content type ``attachment``, text their
  ``extracted_content``, author the file name; files without extracted text
  become a ``[file: NAME]`` placeholder.

``sender`` (``human``/``assistant``, any case) becomes role ``user`` or
``assistant``; times are ISO 8601. ``source_id`` is the conversation ``uuid``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from reviewer.domain.models import Conversation, Visibility
from reviewer.ingest import common
from reviewer.ingest.common import Builder, Where
from reviewer.ingest.errors import record
from reviewer.ingest.guard import InputStream
from reviewer.ingest.jsonstream import array_items

ROLES = {"human": "user", "assistant": "assistant"}
BLOCK_KINDS = {
    "text": ("text", Visibility.VISIBLE),
    "thinking": ("thinking", Visibility.HIDDEN),
    "tool_use": ("tool_use", Visibility.TOOL),
    "tool_result": ("tool_result", Visibility.TOOL),
}
RESULT_FIELDS = ("title", "url", "text")


def conversations(stream: InputStream) -> Iterator[Conversation]:
    for index, item in array_items(stream):
        yield parse_conversation(item, Where(stream.name, record(index)), index)


def parse_conversation(item: Any, where: Where, index: int) -> Conversation:
    conv = common.mapping(item, where, "the record")
    if "chat_messages" not in conv:
        raise where.error('it has no "chat_messages", so it is not a Claude conversation')
    builder = Builder()
    for raw in common.array(conv.get("chat_messages"), where, "chat_messages"):
        _add_chat_message(builder, common.mapping(raw, where, "a chat message"), where)
    source_id = common.ident(conv.get("uuid"), where, "uuid") or f"{where.file}:{index}"
    return builder.build(
        source_id, common.optional_text(conv.get("name"), where, "name"),
        created_at=common.timestamp(conv.get("created_at"), where, "created_at"),
        updated_at=common.timestamp(conv.get("updated_at"), where, "updated_at"),
    )


def _add_chat_message(builder: Builder, message: Mapping[str, Any], where: Where) -> None:
    sender = common.text(message.get("sender") or "unknown", where, "sender")
    shared: dict[str, Any] = {
        "created_at": common.timestamp(message.get("created_at"), where, "created_at"),
        "source_message_id": common.ident(message.get("uuid"), where, "uuid"),
    }
    role = ROLES.get(sender.lower(), sender)
    blocks = common.array(message.get("content"), where, "content")
    if blocks:
        for block in blocks:
            _add_block(builder, role, common.mapping(block, where, "a content block"), where,
                       shared)
    else:
        builder.add(role, common.text(message.get("text"), where, "text"), **shared)
    for attachment in common.array(message.get("attachments"), where, "attachments"):
        _add_attachment(builder, role, common.mapping(attachment, where, "an attachment"),
                        where, shared)
    for file in common.array(message.get("files"), where, "files"):
        _add_file(builder, role, common.mapping(file, where, "a file"), where, shared)


def _add_block(builder: Builder, role: str, block: Mapping[str, Any], where: Where,
               shared: dict[str, Any]) -> None:
    kind = str(block.get("type") or "text")
    content_type, visibility = BLOCK_KINDS.get(kind, (kind, Visibility.HIDDEN))
    author = common.optional_text(block.get("name"), where, "tool name")
    builder.add(role, block_text(kind, block, where), content_type=content_type,
                visibility=visibility, author=author, **shared)


def block_text(kind: str, block: Mapping[str, Any], where: Where) -> str:
    if kind == "thinking":
        return common.text(block.get("thinking"), where, "thinking")
    if kind == "tool_use":
        return common.canonical(block.get("input"), where, "tool input")
    if kind == "tool_result":
        return _result_text(block.get("content"), where)
    value = block.get("text")
    if value is None and kind not in BLOCK_KINDS:
        return common.canonical({k: v for k, v in block.items() if k != "type"}, where, kind)
    return common.text(value, where, "text")


def _result_text(content: Any, where: Where) -> str:
    if isinstance(content, str) or content is None:
        return common.text(content, where, "tool result")
    pieces: list[str] = []
    for item in common.array(content, where, "tool result"):
        if isinstance(item, str):
            pieces.append(common.text(item, where, "tool result"))
        elif isinstance(item, dict):
            pieces.extend(common.text(item[k], where, k) for k in RESULT_FIELDS
                          if isinstance(item.get(k), str) and item[k])
    return "\n".join(p for p in pieces if p)


def _add_attachment(builder: Builder, role: str, attachment: Mapping[str, Any], where: Where,
                    shared: dict[str, Any]) -> None:
    name = common.optional_text(attachment.get("file_name"), where, "file_name")
    extracted = common.text(attachment.get("extracted_content"), where, "extracted_content")
    if not extracted:
        _add_file(builder, role, attachment, where, shared)
        return
    builder.add(role, extracted, content_type="attachment", visibility=Visibility.HIDDEN,
                author=name, **shared)


def _add_file(builder: Builder, role: str, file: Mapping[str, Any], where: Where,
              shared: dict[str, Any]) -> None:
    name = file.get("file_name") or file.get("file_uuid") or "file"
    builder.add(role, common.text(f"[file: {name}]", where, "file name"), placeholders=1,
                content_type="file", **shared)
