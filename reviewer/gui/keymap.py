"""The review window's commands and their keys, held as data.

``COMMANDS`` is the registry: command id -> (default key, what it does). The
contract's keys are the defaults; a user overrides any command id in the
settings (``[keys] approve=Y``). Two modes, as in qutebrowser: in ``normal``
mode every binding acts; in ``insert`` mode (a text field has focus) only
bindings with Ctrl or Esc act, so letter keys type letters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence


@dataclass(frozen=True)
class Command:
    id: str
    key: str
    help: str


COMMANDS: tuple[Command, ...] = (
    Command("approve", "A", "approve (redact) the current span, go to the next pending span"),
    Command("reject", "R", "reject (keep the text), go to the next pending span"),
    Command("next_span", "J", "next span"),
    Command("previous_span", "K", "previous span"),
    Command("next_conversation", "N", "next conversation"),
    Command("previous_conversation", "P", "previous conversation"),
    Command("next_pending", "G", "the next pending span anywhere"),
    Command("approve_same", "Shift+A",
            "approve every pending span with the same text and entity, store-wide"),
    Command("reject_same", "Shift+R",
            "reject every pending span with the same text and entity, store-wide"),
    Command("manual_span", "M", "the selected text becomes a manual span"),
    Command("change_entity", "E", "change the entity of the current span"),
    Command("toggle_hidden", "H", "collapse or expand hidden content and alternate branches"),
    Command("undo", "Ctrl+Z", "undo the last decision"),
    Command("redo", "Ctrl+Shift+Z", "redo the last undone decision"),
    Command("search", "/", "search conversations"),
    Command("leave_field", "Esc", "leave a text field (search, note) and return to reviewing"),
    Command("help", "?", "keyboard reference"),
    Command("import", "Ctrl+I", "import conversation files"),
    Command("export", "Ctrl+E", "export a packet"),
    Command("lock", "Ctrl+L", "lock the window"),
    Command("quit", "Ctrl+Q", "quit"),
)

BY_ID: dict[str, Command] = {c.id: c for c in COMMANDS}

_INSERT_MODE_SAFE = Qt.KeyboardModifier.ControlModifier


def normalized(key: str) -> str:
    """A key as QKeySequence writes it (``shift+a`` -> ``Shift+A``)."""
    return QKeySequence(key).toString(QKeySequence.SequenceFormat.PortableText)


class KeyMap:
    """Effective bindings: the defaults with the user's overrides per command id."""

    def __init__(self, overrides: Mapping[str, str] | None = None) -> None:
        self.keys: dict[str, str] = {c.id: normalized(c.key) for c in COMMANDS}
        for command_id, key in (overrides or {}).items():
            if command_id in self.keys and key:
                self.keys[command_id] = normalized(key)
        self.by_key = {key: command_id for command_id, key in self.keys.items()}

    def key_for(self, command_id: str) -> str:
        return self.keys[command_id]

    def command_for(self, key: int, modifiers: Qt.KeyboardModifier, text: str,
                    insert_mode: bool) -> str | None:
        """The command bound to a key press, or None (also for letters in insert mode)."""
        if insert_mode and not (modifiers & _INSERT_MODE_SAFE) and key != Qt.Key.Key_Escape:
            return None
        for candidate in _sequences(key, modifiers, text):
            found = self.by_key.get(candidate)
            if found is not None:
                return found
        return None


def _sequences(key: int, modifiers: Qt.KeyboardModifier, text: str) -> list[str]:
    """The ways a press can be written: with its modifiers, and as the character it typed
    (``?`` is Shift+/ on many layouts; the binding names the character)."""
    mods = modifiers & ~Qt.KeyboardModifier.KeypadModifier
    combined = QKeySequence(_combination(key, mods)).toString(
        QKeySequence.SequenceFormat.PortableText)
    found = [combined]
    if text and text.isprintable() and not (mods & Qt.KeyboardModifier.ControlModifier):
        found.append(normalized(text) if not text.isalpha() else combined)
    return found


def _combination(key: int, modifiers: Qt.KeyboardModifier) -> int:
    """The int form of a key combination, which QKeySequence accepts."""
    return int(modifiers.value) | int(key)
