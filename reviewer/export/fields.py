"""What the packet shows of the fields that are not reviewed text.

Message text and titles are reviewed span by span. Every other field a source
file carries either comes from a closed vocabulary the tool knows, or is
replaced by an id the tool generates, because nobody reviews it:

- a role is produced as one of ``ROLES`` (``human`` is ``user``); any other role
  (a ShareGPT speaker's name) becomes ``participant-N``, numbered in order of
  appearance within the conversation;
- a content type is produced when the importers define it, else as ``other``;
- a source id is produced as it is only when it is machine-made (a UUID, a
  long hexadecimal key; never a string of digits, which may be a phone number),
  else as ``SRC-`` and ten hexadecimal digits
  of a keyed hash: the same id gives the same reference in every packet of the
  store, and a batch ``custom_id`` like ``req_<surname>`` never leaves;
- a value of the audit log (file names, folders, policy paths, free-text
  reasons) is produced when it is machine-made or made of words of the packet's
  own vocabulary, else by the same ``SRC-`` reference (an imported source id
  therefore reads the same there as in the packet).

Message authors and source message ids never reach the packet.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable
from typing import Any

from reviewer.export.leaks import vocabulary_of

ROLES = {
    "user": "user", "human": "user", "assistant": "assistant", "system": "system",
    "tool": "tool", "developer": "developer", "function": "function",
}
CONTENT_TYPES = frozenset({
    "text", "multimodal_text", "code", "execution_output", "system_error", "tether_quote",
    "tether_browsing_display", "user_editable_context", "model_editable_context",
    "reasoning_recap", "thoughts", "sonic_webpage", "thinking", "tool_use", "tool_result",
    "tool_call", "attachment", "file", "search_results", "summary", "tool_definitions",
})
OTHER_CONTENT = "other"
# Only what a machine makes: a UUID, or a hexadecimal key of 16 or more digits with a
# letter in it. A string of digits is not, however it is grouped: a phone number, a
# card or social security number, a date of birth keys some exports.
_MACHINE_ID = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|(?=[0-9]*[a-fA-F])[0-9a-fA-F]{16,128}"
)
# Times the tool writes (ISO 8601), and the SHA-256 and other hashes it records.
_MACHINE_VALUE = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}| UTC)?)?"
)

Reference = Callable[[str], str]


def reference(secret: bytes, prefix: str) -> Reference:
    """A function naming a text by ``prefix`` and ten hex digits of its keyed hash."""
    def name(text: str) -> str:
        digest = hmac.new(secret, text.encode("utf-8"), hashlib.sha256).hexdigest()
        return f"{prefix}-{digest[:10].upper()}"
    return name


def _plain(value: str, vocabulary: frozenset[str]) -> bool:
    if value in vocabulary or is_machine_id(value) or _MACHINE_VALUE.fullmatch(value):
        return True
    return vocabulary_of([value]) <= vocabulary


def packet_roles(roles: Iterable[str]) -> dict[str, str]:
    """Each role of one conversation -> what the packet shows for it."""
    shown: dict[str, str] = {}
    for role in roles:
        if role not in shown:
            known = ROLES.get(role.strip().lower())
            others = sum(1 for value in shown.values() if value.startswith("participant-"))
            shown[role] = known or f"participant-{others + 1}"
    return shown


def packet_content_type(content_type: str) -> str:
    return content_type if content_type in CONTENT_TYPES else OTHER_CONTENT


def is_machine_id(value: str) -> bool:
    return bool(_MACHINE_ID.fullmatch(value))


def packet_source_id(source_id: str, source_ref: Reference) -> str:
    return source_id if is_machine_id(source_id) else source_ref(source_id)


def audit_value(value: Any, vocabulary: frozenset[str], ref: Reference) -> Any:
    """An audit payload as the packet shows it: numbers, booleans, machine-made strings
    and strings of vocabulary words (``leak_scan``, ``openai-jsonl``, a reviewer's name
    given whole) as they are, every other string by reference."""
    if isinstance(value, str):
        return value if _plain(value, vocabulary) else ref(value)
    if isinstance(value, list):
        return [audit_value(v, vocabulary, ref) for v in value]
    if isinstance(value, dict):
        return {k: audit_value(v, vocabulary, ref) for k, v in value.items()}
    return value
