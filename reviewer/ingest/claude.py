"""Claude data export: ``conversations.json``, an array of conversations with
``chat_messages``, or one exported conversation (a single object, as browser
exporters and the conversation API write it).

A conversation's ``summary`` (2025 exports), when not empty, is its first
message: role ``system``, visibility ``system``, content type ``summary``.
Then each chat message becomes one stored message per ``content[]`` block
(when it has blocks; older exports have only ``text``), then one per
attachment and per file:

- ``text`` blocks: visible text;
- ``thinking`` blocks: ``hidden`` (the model's reasoning), then the
  ``summaries`` the app showed of it;
- ``tool_use``: ``tool``, the ``input`` as readable ``key: value`` lines
  (:func:`reviewer.ingest.common.readable`), never escaped JSON;
- ``tool_result``: ``tool``, the text of its content blocks joined by newlines;
- blocks that carry only metadata (``token_budget``) are skipped; a block of
  any other kind is read for its free text (``hidden``, its kind as content
  type), and skipped only when it holds no text at all;
- attachments and files with ``extracted_content``: ``hidden``, content type
  ``attachment``, text a ``[file: NAME]`` line and the extracted text, author
  the file name; those without become a ``[file: NAME]`` placeholder.

When the conversation names ``current_leaf_message_uuid`` and its messages
link by ``parent_message_uuid`` (a conversation exported with its edits and
retries), the path from the root to that leaf is the active branch, stored
first; every other message follows as ``alternate``, in file order.

``sender`` (``human``/``assistant``, any case) becomes role ``user`` or
``assistant``; times are ISO 8601. ``source_id`` is the conversation ``uuid``.

No other free text is dropped: strings under keys this module does not read
follow as readable ``key: value`` lines, unless they are metadata
(:data:`SKIP`: ids, times, kinds, flags, the app's status lines and asset
addresses, keys ending in ``_id``; under ``data``, ``media_type`` and the like
only machine data, so a ``document`` block's ``source.data`` text is kept),
machine labels (one lowercase word, but not a handle such as ``john.smith``:
see :mod:`reviewer.ingest.common`), or
already in the text stored from the same place: a block's after the block's
text, an attachment's after its text, a chat message's as a ``hidden``
message after its blocks, and the conversation's as its last message (role
``system``, visibility ``system``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from reviewer.domain.models import Branch, Conversation, Visibility
from reviewer.ingest import common
from reviewer.ingest.common import Builder, Where
from reviewer.ingest.errors import InputError, record
from reviewer.ingest.guard import InputStream
from reviewer.ingest.jsonstream import DECODER, array_items

ROLES = {"human": "user", "assistant": "assistant"}
BLOCK_KINDS = {
    "text": ("text", Visibility.VISIBLE),
    "thinking": ("thinking", Visibility.HIDDEN),
    "tool_use": ("tool_use", Visibility.TOOL),
    "tool_result": ("tool_result", Visibility.TOOL),
}
# Blocks the app writes with nothing but timestamps, budgets or sealed data.
METADATA_BLOCKS = frozenset({"token_budget", "redacted_thinking"})
RESULT_FIELDS = ("title", "url", "text")
# Keys whose values are read, or are metadata of what holds them.
CONVERSATION_KEYS = frozenset({
    "uuid", "name", "summary", "created_at", "updated_at", "chat_messages",
    "current_leaf_message_uuid", "account", "settings", "is_starred", "model", "project_uuid",
    "is_temporary", "platform",
})
MESSAGE_KEYS = frozenset({"uuid", "text", "content", "sender", "created_at", "updated_at",
                          "attachments", "files", "parent_message_uuid", "index", "truncated",
                          "stop_reason", "input_mode"})
BLOCK_KEYS = {
    "text": frozenset({"type", "text"}),
    "thinking": frozenset({"type", "thinking"}),  # summaries: checked against the text
    "tool_use": frozenset({"type", "name", "input"}),
    "tool_result": frozenset({"type", "name"}),  # content: checked against the text
}
ATTACHMENT_KEYS = frozenset({"file_name", "extracted_content", "file_uuid"})
# Metadata wherever it sits: ids, times, kinds, flags, the app's status lines,
# rendering hints and asset addresses, where a citation points.
SKIP = common.LOOSE_METADATA | {
    "sender", "file_type", "file_kind", "file_size", "thumbnail_url", "preview_url",
    "thumbnail_asset", "preview_asset", "document_asset", "current_leaf_message_uuid",
    "parent_message_uuid", "model", "stop_reason", "paprika_mode", "site_domain", "favicon_url",
    "site_name", "message", "signature", "cut_off", "truncated", "integration_name",
    "integration_icon_url", "icon_name", "display_content", "approval_key", "approval_options",
    "is_error", "is_missing", "flags", "details", "prompt_context_metadata",
}
_WHITESPACE = re.compile(r"[ \t\n\r]*")


def conversations(stream: InputStream) -> Iterator[Conversation]:
    for index, item in array_items(stream):
        yield parse_conversation(item, Where(stream.name, record(index)), index)


def single_conversation(stream: InputStream) -> Iterator[Conversation]:
    """The conversation of a file that holds one conversation object (or several
    one after another, as JSON Lines), read whole: such files hold one chat."""
    chunks = []
    while chunk := stream.read(1 << 20):
        chunks.append(chunk)
    try:
        text = b"".join(chunks).decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(stream.name, "", "it is not valid UTF-8 text") from None
    index, pos = 0, _WHITESPACE.match(text).end()  # type: ignore[union-attr]
    while pos < len(text):
        where = Where(stream.name, record(index))
        try:
            value, pos = DECODER.raw_decode(text, pos)
        except RecursionError:
            raise where.error("it is nested too deeply") from None
        except ValueError as err:
            detail = str(err).splitlines()[0].rstrip(".") if str(err).strip() else "truncated"
            raise where.error(f"it is not valid JSON ({detail})") from None
        yield parse_conversation(value, where, index)
        index += 1
        pos = _WHITESPACE.match(text, pos).end()  # type: ignore[union-attr]


def parse_conversation(item: Any, where: Where, index: int) -> Conversation:
    conv = common.mapping(item, where, "the record")
    if "chat_messages" not in conv:
        raise where.error('it has no "chat_messages", so it is not a Claude conversation')
    builder = Builder()
    summary = common.text(conv.get("summary"), where, "summary")
    builder.add("system", summary, content_type="summary", visibility=Visibility.SYSTEM)
    raws = common.array(conv.get("chat_messages"), where, "chat_messages")
    messages = [common.mapping(raw, where, "a chat message") for raw in raws]
    for message, branch in branches(messages, conv.get("current_leaf_message_uuid")):
        _add_chat_message(builder, message, branch, where)
    if not CONVERSATION_KEYS.issuperset(conv.keys()):
        builder.add("system", _extra(conv, CONVERSATION_KEYS, where, "the conversation"),
                    visibility=Visibility.SYSTEM)
    source_id = common.ident(conv.get("uuid"), where, "uuid") or f"{where.file}:{index}"
    return builder.build(
        source_id, common.optional_text(conv.get("name"), where, "name"),
        created_at=common.timestamp(conv.get("created_at"), where, "created_at"),
        updated_at=common.timestamp(conv.get("updated_at"), where, "updated_at"),
    )


def branches(messages: list[Mapping[str, Any]],
             leaf: Any) -> list[tuple[Mapping[str, Any], Branch]]:
    """Messages in stored order with their branch: the path to ``leaf`` first
    (cycle-safe), then the rest; all active, in file order, when ``leaf`` names
    no message that links to its parent."""
    by_id = {m["uuid"]: m for m in messages if isinstance(m.get("uuid"), str)}
    if not isinstance(leaf, str) or "parent_message_uuid" not in by_id.get(leaf, {}):
        return [(m, Branch.ACTIVE) for m in messages]  # no tree to walk
    path: list[Mapping[str, Any]] = []
    seen: set[str] = set()
    current: Any = leaf
    while isinstance(current, str) and current in by_id and current not in seen:
        seen.add(current)
        path.append(by_id[current])
        current = by_id[current].get("parent_message_uuid")
    path.reverse()
    chosen = {id(m) for m in path}
    return [(m, Branch.ACTIVE) for m in path] + [
        (m, Branch.ALTERNATE) for m in messages if id(m) not in chosen]


def _add_chat_message(builder: Builder, message: Mapping[str, Any], branch: Branch,
                      where: Where) -> None:
    sender = common.text(message.get("sender") or "unknown", where, "sender")
    shared: dict[str, Any] = {
        "created_at": common.timestamp(message.get("created_at"), where, "created_at"),
        "source_message_id": common.ident(message.get("uuid"), where, "uuid"),
        "branch": branch,
    }
    role = ROLES.get(sender.lower(), sender)
    first = len(builder.messages)
    blocks = common.array(message.get("content"), where, "content")
    if blocks:
        for block in blocks:
            _add_block(builder, role, common.mapping(block, where, "a content block"), where,
                       shared)
    else:
        builder.add(role, common.text(message.get("text"), where, "text"), **shared)
    for key in ("attachments", "files"):
        for attachment in common.array(message.get(key), where, key):
            _add_attachment(builder, role, common.mapping(attachment, where, f"an item of {key}"),
                            where, shared)
    if not MESSAGE_KEYS.issuperset(message.keys()):
        seen = "\n".join(m.text for m in builder.messages[first:])
        builder.add(role, _extra(message, MESSAGE_KEYS, where, "a chat message", seen),
                    visibility=Visibility.HIDDEN, **shared)


def _extra(record: Mapping[str, Any], known: frozenset[str], where: Where, what: str,
           seen: str = "") -> str:
    return common.extra_text(record, known, where, what, SKIP, seen, labels=True)


def _add_block(builder: Builder, role: str, block: Mapping[str, Any], where: Where,
               shared: dict[str, Any]) -> None:
    kind = common.text(block.get("type") or "text", where, "block type")
    if kind in METADATA_BLOCKS:
        return
    content_type, visibility = BLOCK_KINDS.get(kind, (kind, Visibility.HIDDEN))
    author = common.optional_text(block.get("name"), where, "tool name")
    body = block_text(kind, block, where)
    known = BLOCK_KEYS.get(kind)
    if known is not None and not known.issuperset(block.keys()):
        extra = _extra(block, known, where, f"a {kind} block", body)
        body = common.lines(body, extra)
    builder.add(role, body, content_type=content_type, visibility=visibility, author=author,
                **shared)


def block_text(kind: str, block: Mapping[str, Any], where: Where) -> str:
    if kind == "thinking":
        return _thinking_text(block, where)
    if kind == "tool_use":
        return common.readable(block.get("input"), where, "tool input")
    if kind == "tool_result":
        return _result_text(block.get("content"), where)
    if kind == "text" and "text" in block:
        return common.text(block["text"], where, "text")
    # A kind no export documents, or a text block without "text": its free text.
    return common.loose_text(block, where, f"a {kind} block")


def _thinking_text(block: Mapping[str, Any], where: Where) -> str:
    pieces = [common.text(block.get("thinking"), where, "thinking")]
    for summary in common.array(block.get("summaries"), where, "summaries"):
        if isinstance(summary, dict):
            pieces.append(common.text(summary.get("summary"), where, "thinking summary"))
        else:
            pieces.append(common.text(summary, where, "thinking summary"))
    return common.lines(*pieces)


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
    return common.lines(*pieces)


def _add_attachment(builder: Builder, role: str, attachment: Mapping[str, Any], where: Where,
                    shared: dict[str, Any]) -> None:
    """An attachment or a file: its extracted text under its name, else a placeholder."""
    name = common.optional_text(attachment.get("file_name"), where, "file_name")
    extracted = common.text(attachment.get("extracted_content"), where, "extracted_content")
    label = name or common.ident(attachment.get("file_uuid"), where, "file_uuid") or "file"
    body = f"[file: {label}]\n{extracted}" if extracted else f"[file: {label}]"
    if not ATTACHMENT_KEYS.issuperset(attachment.keys()):
        extra = _extra(attachment, ATTACHMENT_KEYS, where, "an attachment", body)
        body = common.lines(body, extra)
    if not extracted:
        builder.add(role, body, placeholders=1, content_type="file", **shared)
        return
    builder.add(role, body, content_type="attachment", visibility=Visibility.HIDDEN,
                author=name, **shared)
