"""Every user setting, declared once (key, type, default, meaning), read and
written through QSettings. Window geometry lives in a separate store
(:class:`WindowState`) so resetting preferences never loses a layout and vice versa."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "RedactionReviewer"
APPLICATION = "reviewer"


@dataclass(frozen=True)
class Setting:
    key: str
    type: type
    default: Any
    meaning: str


DECLARED: dict[str, Setting] = {s.key: s for s in (
    Setting("reviewer/name", str, "",
            "The reviewer's name recorded with every decision (asked once when not given)."),
    Setting("lock/idle_minutes", int, 10,
            "Lock the window after this many idle minutes (0: never)."),
    Setting("view/collapse_hidden", bool, False,
            "Start with hidden content (system, tool output) and alternate branches collapsed."),
    Setting("view/explanation_details", bool, False,
            "Show the raw facts (recognizer, pattern, scores) under 'Why it was suggested'."),
    Setting("store/last_path", str, "", "The store opened last, offered by the unlock dialog."),
    Setting("export/parent_folder", str, "",
            "Where the last packet was written; the export dialog offers a new folder there "
            "(empty: the home folder)."),
    Setting("export/prefix", str, "RR", "The control-number (Bates) prefix of the last export."),
    Setting("export/only_finished", bool, False,
            "Export only conversations with nothing pending; the others are withheld."),
    Setting("export/allow_pending", bool, False,
            "Let pending spans out redacted (fail closed) instead of refusing the export."),
    Setting("export/active_only", bool, False,
            "Export only the active branch of each conversation."),
)}

KEY_PREFIX = "keys/"


def _ini(path: Path | None, name: str) -> QSettings:
    if path is not None:
        return QSettings(str(path), QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, name)


class Settings:
    """User preferences. ``path`` points at an explicit INI file (tests use one)."""

    def __init__(self, path: Path | None = None) -> None:
        self.qsettings = _ini(path, APPLICATION)

    def get(self, key: str) -> Any:
        setting = DECLARED[key]
        value = self.qsettings.value(key, setting.default)
        if setting.type is bool and isinstance(value, str):
            return value.lower() in ("true", "1", "yes")
        return setting.type(value)

    def set(self, key: str, value: Any) -> None:
        setting = DECLARED[key]
        self.qsettings.setValue(key, setting.type(value))
        self.qsettings.sync()

    def key_overrides(self) -> dict[str, str]:
        """command id -> key sequence text, as the user set them under ``[keys]``."""
        self.qsettings.beginGroup(KEY_PREFIX.rstrip("/"))
        try:
            return {k: str(self.qsettings.value(k)) for k in self.qsettings.childKeys()}
        finally:
            self.qsettings.endGroup()

    def set_key(self, command_id: str, key: str) -> None:
        self.qsettings.setValue(KEY_PREFIX + command_id, key)
        self.qsettings.sync()


class WindowState:
    """Geometry and splitter positions: window state, never preferences."""

    def __init__(self, path: Path | None = None) -> None:
        self.qsettings = _ini(path, APPLICATION + "-window")

    def load(self, name: str) -> QByteArray | None:
        value = self.qsettings.value(name)
        return value if isinstance(value, QByteArray) else None

    def save(self, name: str, value: QByteArray) -> None:
        self.qsettings.setValue(name, value)
        self.qsettings.sync()
