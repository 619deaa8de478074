"""The review window's commands, held as data: one registry.

Each :class:`Command` names its id (what a user rebinds under ``[keys]`` in the
settings: ``approve=Y``), its default key (the contract's), the window method
that performs it, its menu and label, and the line the keyboard reference
shows. The window binds the handlers once and builds its menus, the ``?``
reference and the key dispatch from this registry alone. Two modes, as in
qutebrowser: in ``normal`` mode every binding acts; in ``insert`` mode (a text
field has the keys) only bindings with Ctrl or Esc act, so letters and digits
type themselves, and undo and redo are the field's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from reviewer.domain.models import Status

MENUS = ("File", "Review", "Go", "Help")
REASON_KEYS = 9  # 1 … 9: the policy's reason codes, in order


@dataclass(frozen=True)
class Command:
    """One command. ``handler`` is a dotted attribute path on the window (``lock``,
    ``session.step``) called with ``args``; ``menu`` is a menu title, a submenu after a
    slash (``Review/Reason code``), or None for a key-only command; ``key`` is "" for a
    command reached from its menu only;
    ``decides`` marks a command that records a decision or opens one: it acts only
    while the reviewer is reviewing (the conversation or the browser has the keys)."""

    id: str
    key: str
    handler: str
    menu: str | None
    label: str
    help: str
    args: tuple[object, ...] = ()
    decides: bool = False


def _reason(number: int) -> Command:
    """A digit key: the policy's reason code of that number, for the current span's
    decision (as picking it in the inspector). Named by ``describe``."""
    return Command(f"reason_{number}", str(number), "choose_reason", "Review/Reason code",
                   f"Reason code {number}", f"reason code {number} for the current span",
                   (number,))


COMMANDS: tuple[Command, ...] = (
    Command("approve", "A", "session.decide_current", "Review", "Approve (redact)",
            "approve (redact) the current span, go to the next pending span",
            (Status.APPROVED,), decides=True),
    Command("reject", "R", "session.decide_current", "Review", "Reject (keep the text)",
            "reject (keep the text), go to the next pending span",
            (Status.REJECTED,), decides=True),
    Command("next_span", "J", "session.step", "Go", "Next span", "next span", (+1,)),
    Command("previous_span", "K", "session.step", "Go", "Previous span", "previous span",
            (-1,)),
    Command("next_conversation", "N", "step_conversation", "Go", "Next conversation",
            "next conversation", (+1,)),
    Command("previous_conversation", "P", "step_conversation", "Go",
            "Previous conversation", "previous conversation", (-1,)),
    Command("next_pending", "G", "session.next_pending", "Go", "Next pending span",
            "the next pending span anywhere"),
    Command("next_conflict", "C", "session.next_conflict", "Go", "Next conflict",
            "the next span a batch merge left in conflict (the batch decided otherwise); "
            "A or R settles it"),
    Command("approve_same", "Shift+A", "confirm_same", "Review",
            "Approve the same text everywhere…",
            "approve every pending span with the same text and entity, store-wide "
            "(shows the count first)", (Status.APPROVED,), decides=True),
    Command("reject_same", "Shift+R", "confirm_same", "Review",
            "Reject the same text everywhere…",
            "reject every pending span with the same text and entity, store-wide "
            "(shows the count first)", (Status.REJECTED,), decides=True),
    *(_reason(number) for number in range(1, REASON_KEYS + 1)),
    Command("manual_span", "M", "ask_manual_span", "Review", "Manual span…",
            "the selected text becomes a manual span", decides=True),
    Command("change_entity", "E", "ask_entity", "Review", "Change entity…",
            "change the entity of the current span", decides=True),
    Command("qc_mode", "", "qc.toggle", "Review", "Quality control mode",
            "walk the QC sample (reviewer qc sample), or leave QC mode"),
    Command("qc_agree", "O", "qc.agree", "Review", "QC: agree",
            "in QC mode: agree with the decision, or nothing was missed in the message",
            decides=True),
    Command("qc_disagree", "X", "qc.disagree", "Review", "QC: disagree",
            "in QC mode: disagree with the decision (no span changes), or the message had "
            "missed data (M marks it)", decides=True),
    Command("qc_report", "", "qc.show_report", "Review", "QC report…",
            "the QC disagreement and elusion rates with their 95% bounds"),
    Command("toggle_hidden", "H", "toggle_hidden", "Go", "Fold hidden content",
            "collapse or expand hidden content and alternate branches"),
    Command("undo", "Ctrl+Z", "undo", "Review", "Undo",
            "undo the last decision"),
    Command("redo", "Ctrl+Shift+Z", "redo", "Review", "Redo",
            "redo the last undone decision"),
    Command("search", "/", "focus_search", "Go", "Search conversations",
            "search conversations"),
    Command("leave_field", "Esc", "leave_field", None, "Leave the field",
            "leave a text field (search, note) and return to reviewing"),
    Command("help", "?", "show_keys", "Help", "Keyboard reference", "keyboard reference"),
    Command("about", "", "show_about", "Help", "About Redaction Reviewer…",
            "the version and the models behind the suggestions"),
    Command("import", "Ctrl+I", "matter.run_import", "File", "Import…",
            "import conversation files"),
    Command("analyze", "", "matter.run_analysis", "File", "Analyse…",
            "analyse what is not yet analysed"),
    Command("export", "Ctrl+E", "matter.run_export", "File", "Export…", "export a packet"),
    Command("lock", "Ctrl+L", "lock", "File", "Lock", "lock the window"),
    Command("quit", "Ctrl+Q", "quit", "File", "Quit", "quit"),
)

BY_ID: dict[str, Command] = {c.id: c for c in COMMANDS}

_INSERT_MODE_SAFE = Qt.KeyboardModifier.ControlModifier
# Ctrl bindings a text field keeps in insert mode: Ctrl+Z there undoes typing, never
# a decision the reviewer cannot see from the field.
FIELD_KEYS = frozenset({"undo", "redo"})


def numbered_reasons(reasons: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The reason codes the keys 1 … 9 set, in the policy's order: ``reasons`` as
    ``ops.review.reason_codes`` gives them, without the "no reason" entry."""
    return [(code, label) for code, label in reasons if code][:REASON_KEYS]


def reason_number(command: Command) -> int | None:
    """The digit of a reason-code command (``reason_3`` -> 3), else None."""
    if command.handler != "choose_reason":
        return None
    number = command.args[0]
    assert isinstance(number, int)
    return number


def describe(command: Command, reasons: Sequence[tuple[str, str]]) -> tuple[str, str] | None:
    """(menu label, reference line) of a command, a reason key's naming its code of
    ``reasons`` (as ``ops.review.reason_codes`` gives them); None for a digit past them."""
    number = reason_number(command)
    if number is None:
        return command.label, command.help
    numbered = numbered_reasons(reasons)
    if number > len(numbered):
        return None
    code, label = numbered[number - 1]
    return (f"{code} — {label}",
            f"reason {code}: {label}")


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
        self.by_key = {key: command_id for command_id, key in self.keys.items() if key}

    def key_for(self, command_id: str) -> str:
        """The key bound to a command ("" for a command reached from its menu only)."""
        return self.keys[command_id]

    def command_for(self, key: int, modifiers: Qt.KeyboardModifier, text: str,
                    insert_mode: bool) -> str | None:
        """The command bound to a key press, or None (also for letters in insert mode)."""
        if insert_mode and not (modifiers & _INSERT_MODE_SAFE) and key != Qt.Key.Key_Escape:
            return None
        for candidate in _sequences(key, modifiers, text):
            found = self.by_key.get(candidate)
            if found is not None:
                return None if insert_mode and found in FIELD_KEYS else found
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
