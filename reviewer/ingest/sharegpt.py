"""ShareGPT: ``{"id", "conversations": [{"from", "value"}, ...]}`` as a JSON
array or as JSON Lines.

Any ``from`` is accepted: ``human``/``user`` become role ``user``, ``gpt``
and other assistant names become ``assistant``, others (``system``,
``function_call``, ``observation``, ...) are kept as they are, with system
and tool roles marked as such. ``role``/``content`` turns are read too. A
top-level ``system`` prompt and the ``tools`` the model was offered (function
definitions, a JSON array or the JSON text of one) come first, as role
``system`` (content types ``text`` and ``tool_definitions``, visibility
``system``); definitions and ``function_call`` turns are stored as readable
``key: value`` lines (:func:`reviewer.ingest.common.readable`). Free text under
turn keys the format does not define (``{"from": "human", "text": ...}``) is
read (:func:`reviewer.ingest.common.extra_text`), never dropped; so is free text
under the record's other keys, as a last ``system`` message of readable lines.
``source_id``: ``id``, else ``FILE:INDEX`` (array, 0-based) or ``FILE:LINE``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from reviewer.domain.models import Conversation, Visibility
from reviewer.ingest import common
from reviewer.ingest.common import Builder, Where
from reviewer.ingest.errors import line, record
from reviewer.ingest.guard import InputStream
from reviewer.ingest.jsonstream import array_items, jsonl_records

ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant",
         "chatgpt": "assistant", "bard": "assistant", "bing": "assistant", "model": "assistant"}
CALL_ROLES = frozenset({"function_call", "tool_call", "tool_calls"})
# A turn's keys this format defines; free text under any other is read, not dropped.
TURN_KEYS = frozenset({"from", "value", "role", "content", "weight", "loss"})
RECORD_KEYS = frozenset({"id", "conversations", "system", "tools", "title"})


def json_conversations(stream: InputStream) -> Iterator[Conversation]:
    for index, item in array_items(stream):
        yield parse_conversation(item, Where(stream.name, record(index)),
                                 f"{stream.name}:{index}")


def jsonl_conversations(stream: InputStream) -> Iterator[Conversation]:
    for number, item in jsonl_records(stream):
        yield parse_conversation(item, Where(stream.name, line(number)),
                                 f"{stream.name}:{number}")


def parse_conversation(item: Any, where: Where, fallback_id: str) -> Conversation:
    conv = common.mapping(item, where, "the record")
    if "conversations" not in conv:
        raise where.error('it has no "conversations" list')
    builder = Builder()
    builder.add("system", common.text(conv.get("system"), where, "system"),
                visibility=Visibility.SYSTEM)
    builder.add_tool_definitions(conv.get("tools"), where)
    for raw in common.array(conv["conversations"], where, "conversations"):
        turn = common.mapping(raw, where, "a turn")
        speaker = common.text(turn.get("from", turn.get("role")) or "unknown", where, "from")
        role = ROLES.get(speaker.lower(), speaker)
        value = turn.get("value", turn.get("content"))
        body = (common.arguments(value, where, "value") if role.lower() in CALL_ROLES
                else common.text(value, where, "value"))
        extra = common.extra_text(turn, TURN_KEYS, where, "a turn")
        body = common.lines(body, extra)
        builder.add(role, body, visibility=common.role_visibility(role),
                    author=speaker if speaker != role else None)
    builder.add("system", common.extra_text(conv, RECORD_KEYS, where, "the record"),
                visibility=Visibility.SYSTEM)
    source_id = common.ident(conv.get("id"), where, "id") or fallback_id
    return builder.build(source_id, common.optional_text(conv.get("title"), where, "title"))
