"""Plain-text and JSON Lines renderings of a redacted conversation."""

from __future__ import annotations

import json
from typing import Any

from reviewer.export.records import RedactedConversation, RedactedMessage

RULE = "-" * 72


def message_heading(message: RedactedMessage) -> str:
    """``[3] USER · 2024-05-01 10:00:00 UTC · alternate branch``: one line, all labels."""
    parts = [f"[{message.index}] {message.role.upper()}"]
    if message.time:
        parts.append(message.time)
    parts += message.labels
    return " · ".join(parts)


def withheld_note(message: RedactedMessage) -> str | None:
    if message.placeholders <= 0:
        return None
    return f"[withheld: {message.placeholders} non-text part(s) not produced]"


def render_text(conv: RedactedConversation, control_id: str, bates: str, legend: str) -> str:
    lines = [
        legend,
        f"Control ID: {control_id}    Bates: {bates}",
        f"Title: {conv.title_text}",
        f"Source ID: {conv.source_id}",
    ]
    if conv.created:
        lines.append(f"Created: {conv.created}")
    for message in conv.messages:
        lines += ["", RULE, message_heading(message), RULE, message.text]
        note = withheld_note(message)
        if note:
            lines.append(note)
    return "\n".join(lines) + "\n"


def jsonl_record(conv: RedactedConversation, control_id: str) -> str:
    record: dict[str, Any] = {
        "control_id": control_id,
        "conversation_id": str(conv.conversation_id),
        "source_id": conv.source_id,
        "title": conv.title_text,
        "created_at": conv.created,
        "messages": [_message_record(m) for m in conv.messages],
    }
    return json.dumps(record, ensure_ascii=False) + "\n"


def _message_record(message: RedactedMessage) -> dict[str, Any]:
    record: dict[str, Any] = {
        "index": message.index, "role": message.role, "text": message.text,
        "created_at": message.time, "branch": message.branch,
        "visibility": message.visibility, "content_type": message.content_type,
    }
    if message.placeholders:
        record["withheld_parts"] = message.placeholders
    return record
