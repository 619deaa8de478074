"""Colours, labels and text formats of spans: one place decides how a status looks.

Status is told by shape and words, never by colour alone: a pending span has a
dashed underline and ``◇ … pending``; an approved one is light text on a dark
bar with ``■ … redact``; a rejected one keeps the plain text with a dotted
underline and ``○ … keep``. Colour only adds the entity.
"""

from __future__ import annotations

import zlib
from functools import lru_cache

from PySide6.QtGui import QColor, QFont, QTextCharFormat

from reviewer.domain.models import Status

# (light tint, dark ink) pairs, calm enough for a day of reading.
PALETTE: tuple[tuple[str, str], ...] = (
    ("#fde7b0", "#8a5a00"),
    ("#cfe8fc", "#0b5394"),
    ("#d8f0d2", "#2f6b1f"),
    ("#f6d5e5", "#8e2a5c"),
    ("#e4dcf7", "#4f3a8f"),
    ("#fcd9cc", "#9a3412"),
    ("#d2efeb", "#115e59"),
    ("#e8e8d0", "#5c5a1e"),
)
FIXED = {"PERSON": 0, "EMAIL_ADDRESS": 1, "PHONE_NUMBER": 2, "LOCATION": 3, "ADDRESS": 3,
         "CREDIT_CARD": 4, "IBAN_CODE": 4, "US_SSN": 5, "API_KEY": 5, "DATE_TIME": 6,
         "URL": 7, "IP_ADDRESS": 7}

APPROVED_BAR = "#272c33"
CURRENT_BG = "#0b57d0"
CURRENT_FG = "#ffffff"
HIT_BG = "#fff59d"

GLYPH = {Status.PENDING: "◇", Status.APPROVED: "■", Status.REJECTED: "○"}
WORD = {Status.PENDING: "pending", Status.APPROVED: "redact", Status.REJECTED: "keep"}

# Characters that are invisible or reorder text, shown as visible names.
INVISIBLE_NAMES: dict[str, str] = {
    "\u00ad": "SHY", "\u034f": "CGJ", "\u061c": "ALM", "\u180e": "MVS",
    "\u200b": "ZWSP", "\u200c": "ZWNJ", "\u200d": "ZWJ", "\u200e": "LRM", "\u200f": "RLM",
    "\u202a": "LRE", "\u202b": "RLE", "\u202c": "PDF", "\u202d": "LRO", "\u202e": "RLO",
    "\u2060": "WJ", "\u2061": "FA", "\u2062": "IT", "\u2063": "IS", "\u2064": "IP",
    "\u2066": "LRI", "\u2067": "RLI", "\u2068": "FSI", "\u2069": "PDI", "\ufeff": "BOM",
    **{chr(c): f"VS{c - 0xFE00 + 1}" for c in range(0xFE00, 0xFE10)},
}


@lru_cache(maxsize=256)
def entity_colors(entity: str) -> tuple[QColor, QColor]:
    index = FIXED.get(entity, zlib.crc32(entity.encode()) % len(PALETTE))
    light, dark = PALETTE[index]
    return QColor(light), QColor(dark)


NBSP = "\u00a0"


def label_text(entity: str, status: Status) -> str:
    return f"{GLYPH[status]} {entity} · {WORD[status]}"


def chip_text(entity: str, status: Status) -> str:
    """The label as a chip after its span in the text: joined by no-break spaces and
    hyphens, so a chip never wraps in two (QTextDocument.toPlainText gives plain
    spaces back). Form fields, which may wrap, show ``label_text``."""
    return label_text(entity, status).replace(" ", NBSP).replace("-", "\u2011")


def span_format(entity: str, status: Status) -> QTextCharFormat:
    return QTextCharFormat(_span_format(entity, status))  # a copy: callers may change it


@lru_cache(maxsize=1024)
def _span_format(entity: str, status: Status) -> QTextCharFormat:
    light, dark = entity_colors(entity)
    fmt = QTextCharFormat()
    fmt.setFontWeight(QFont.Weight.Normal)
    if status is Status.APPROVED:
        fmt.setBackground(QColor(APPROVED_BAR))
        fmt.setForeground(light)
        fmt.setFontUnderline(False)
    elif status is Status.PENDING:
        fmt.setBackground(light)
        fmt.setForeground(QColor("#1d2127"))
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DashUnderline)
        fmt.setUnderlineColor(dark)
    else:
        fmt.setBackground(QColor("transparent"))
        fmt.setForeground(QColor("#1d2127"))
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
        fmt.setUnderlineColor(QColor("#7a818c"))
    return fmt


def label_format(entity: str, status: Status, base_size: float) -> QTextCharFormat:
    return QTextCharFormat(_label_format(entity, status, base_size))


@lru_cache(maxsize=1024)
def _label_format(entity: str, status: Status, base_size: float) -> QTextCharFormat:
    dark = entity_colors(entity)[1]
    fmt = QTextCharFormat()
    fmt.setFontPointSize(max(base_size * 0.78, 7.0))
    fmt.setFontWeight(QFont.Weight.DemiBold)
    fmt.setFontUnderline(False)
    if status is Status.APPROVED:
        fmt.setBackground(QColor(APPROVED_BAR))
        fmt.setForeground(QColor("#ffffff"))
    elif status is Status.PENDING:
        fmt.setBackground(QColor("transparent"))
        fmt.setForeground(dark)
    else:
        fmt.setBackground(QColor("transparent"))
        fmt.setForeground(QColor("#6b7280"))
    return fmt


def current_format() -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setBackground(QColor(CURRENT_BG))
    fmt.setForeground(QColor(CURRENT_FG))
    fmt.setFontWeight(QFont.Weight.Bold)
    return fmt


def hit_format() -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setBackground(QColor(HIT_BG))
    return fmt


def escape_text(text: str) -> str:
    """``text`` with invisible characters written out (``⟨ZWSP⟩``), for labels and lists."""
    return "".join(f"⟨{INVISIBLE_NAMES[c]}⟩" if c in INVISIBLE_NAMES else c for c in text)


# The button Enter presses (Unlock…, Unlock, Continue): filled blue. With the keyboard
# focus a halo rings it (its border, outside the background clipped to the padding),
# whatever the platform style draws.
PRIMARY_BUTTON = """
QPushButton { background: #0b57d0; color: #ffffff; font-weight: 600; padding: 6px 22px;
              border: 4px solid transparent; border-radius: 8px; background-clip: padding; }
QPushButton:hover { background: #0a4fbd; }
QPushButton:pressed { background: #083f96; }
QPushButton:focus { border: 4px solid #4f86ec; }  /* 3.4:1 on the page */
QPushButton:disabled { background: #9db5e0; }
"""

# An open batch conflict in the inspector: dark red on a pale band, as the heading's
# warnings are red (#b3261e, 6.5:1 on #fdecea).
CONFLICT_NOTE = ("QLabel { color: #b3261e; background: #fdecea; border-radius: 4px; "
                 "padding: 6px 8px; }")
