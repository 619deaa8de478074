"""A redacted conversation laid out on US Letter pages in the standard Helvetica fonts.

The layout is a stream of rows (a line of text, a heading line on its band, or
space) placed on pages one after another; nothing holds more than a page of it,
so a message of any size is laid out in memory of the size of a page, in time
linear in its length: a message is wrapped a window of text at a time, and a
paragraph's unfinished last line waits for the next window.

Page geometry (in inches) is shared with the Qt renderer in ``reviewer.export.pdf``,
which takes the conversations these fonts cannot show.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from reviewer.export.helvetica import BOLD, BOLD_OBLIQUE, REGULAR, Font, encoded
from reviewer.export.html import (
    BAND_GREY,
    BAR_PADDING,
    EMPTY_BODY,
    EMPTY_GREY,
    FACT_SEPARATOR,
    LABEL_GREY,
    UNTITLED,
    conversation_facts,
    role_colour,
)
from reviewer.export.records import RedactedConversation, RedactedMessage, Segment
from reviewer.export.text import message_heading, withheld_note

POINTS = 72.0  # points an inch
PAGE_WIDTH, PAGE_HEIGHT = 8.5, 11.0  # inches, US Letter
MARGIN = 0.75  # inches, left and right
HEADER = 0.75  # inches from the top edge to the text
FOOTER = 0.8  # inches from the text to the bottom edge
# The stamp, in inches from the top edge: the rules, and the boxes whose text is
# centred in them (the header's at the left and right, the footer's likewise).
TOP_RULE = HEADER - 0.15
BOTTOM_RULE = PAGE_HEIGHT - FOOTER + 0.2
HEADER_BOX = (0.3, 0.25)  # top, height
FOOTER_BOX = (BOTTOM_RULE + 0.1, 0.3)
TOP = HEADER * POINTS
BOTTOM = (PAGE_HEIGHT - FOOTER) * POINTS
LEFT = MARGIN * POINTS
WIDTH = (PAGE_WIDTH - 2 * MARGIN) * POINTS
PAD = 4.0  # points inside a message, as the rich text's cell padding
LEADING = 1.2  # line height over font size
WINDOW = 1 << 16  # characters of a message wrapped at a time
TAB = "    "
# Text these fonts draw: cp1252 without control characters but the tab and a CRLF's CR.
_CONTROL = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_LONE_CR = re.compile(r"\r(?!\n)")
_SPACES = re.compile(r"[ \t\r\n]+")
_FIRST_BAR = 0xE000  # bars stand in a line as private-use characters
_LAST_BAR = 0xF8FF


class Stamp(NamedTuple):
    """What every page of one document is stamped with."""

    control_id: str
    prefix: str
    first_number: int
    legend: str


def bates_number(prefix: str, number: int) -> str:
    return f"{prefix}-{number:06d}"


class Row(NamedTuple):
    """One line of the flow: text in one font and colour, on a band if a heading."""

    height: float  # points
    font: Font | None  # None: only space
    size: float = 0.0
    colour: str = "#000000"
    text: str = ""
    indent: float = 0.0
    band: str | None = None  # background colour behind the row
    sticky: bool = False  # stays on the page of the row after it


class Bars:
    """The redaction bars of one document: each token stands in a line as one character."""

    def __init__(self) -> None:
        self.tokens: dict[str, str] = {}  # character -> token
        self.widths: dict[str, int] = {}  # character -> width in thousandths of an em
        self._chars: dict[str, str] = {}  # token -> character

    def char(self, token: str) -> str:
        char = self._chars.get(token)
        if char is None:
            char = chr(_FIRST_BAR + len(self._chars))
            self._chars[token], self.tokens[char] = char, token
            self.widths[char] = BOLD.width(f"{BAR_PADDING}{token}{BAR_PADDING}")
        return char


BAR_CHARS = re.compile(f"([{chr(_FIRST_BAR)}-{chr(_LAST_BAR)}])")


def shows(conv: RedactedConversation, stamp: Stamp) -> bool:
    """Whether the standard fonts show every character of the document."""
    tokens = {s.text for s in _all_segments(conv) if s.redacted}
    return len(tokens) <= _LAST_BAR - _FIRST_BAR + 1 and _drawable(_all_texts(conv, stamp))


def _drawable(texts: Iterable[str]) -> bool:
    # Checked a window at a time: small texts together, a huge one in slices, so no
    # text is ever encoded whole at once.
    batch: list[str] = []
    size = 0
    for text in texts:
        if len(text) > WINDOW:
            if not all(_encodable(text[start:start + WINDOW])
                       for start in range(0, len(text), WINDOW)):
                return False
            continue
        batch.append(text)
        size += len(text)
        if size >= WINDOW:
            if not _encodable("\n".join(batch)):
                return False
            batch, size = [], 0
    return _encodable("\n".join(batch))


def _encodable(text: str) -> bool:
    try:
        data = encoded(text)
    except UnicodeEncodeError:
        return False
    if len(data.translate(None, _CONTROL)) != len(data):
        return False
    return "\r" not in text or _LONE_CR.search(text) is None


def _all_segments(conv: RedactedConversation) -> Iterator[Segment]:
    yield from conv.title
    for message in conv.messages:
        yield from message.segments


def _all_texts(conv: RedactedConversation, stamp: Stamp) -> Iterator[str]:
    yield from (stamp.control_id, stamp.legend, stamp.prefix)
    yield from conversation_facts(conv)
    yield from (segment.text for segment in _all_segments(conv))
    for message in conv.messages:
        yield message_heading(message)
        yield withheld_note(message) or ""


def text_size(conv: RedactedConversation) -> int:
    """Characters of the document's text, to tell a small one from a huge one."""
    return sum(len(segment.text) for segment in _all_segments(conv))


def rows(conv: RedactedConversation, bars: Bars) -> Iterator[Row]:
    """The document as rows, top to bottom."""
    title = "".join(bars.char(s.text) if s.redacted else s.text for s in conv.title)
    yield from _rows(title or UNTITLED, BOLD, 14, "#000000", bars)
    yield Row(6.0, None)
    yield from _rows(FACT_SEPARATOR.join(conversation_facts(conv)), BOLD, 8.5,
                     LABEL_GREY, bars)
    for message in conv.messages:
        yield from _message_rows(message, bars)


def _rows(text: str, font: Font, size: float, colour: str, bars: Bars,
          indent: float = 0.0, band: str | None = None) -> list[Row]:
    """A one-paragraph text (title, facts, heading, note): runs of white space are one
    space, as in the rich text of the Qt path. A heading's rows (``band``) stay with
    the message's first line, on a band a little taller."""
    lines, _ = font.wrap(_SPACES.sub(" ", text), _limit(size, indent), bars=bars.widths)
    height = size * LEADING
    if band is None:
        return [Row(height, font, size, colour, line, indent) for line in lines]
    return [Row(height + PAD, font, size, colour, line, indent, band, True) for line in lines]


def _limit(size: float, indent: float) -> float:
    return (WIDTH - 2 * indent) * 1000 / size


_BEFORE_MESSAGE = Row(10.0, None)
_BELOW_HEADING = Row(PAD, None, sticky=True)
_BEFORE_NOTE = Row(4.0, None)
_EMPTY = Row(10 * LEADING, REGULAR, 10, EMPTY_GREY, EMPTY_BODY, PAD)
_BODY_LIMIT = _limit(10, PAD)


def _message_rows(message: RedactedMessage, bars: Bars) -> Iterator[Row]:
    yield _BEFORE_MESSAGE
    yield from _rows(message_heading(message), BOLD, 8.5, role_colour(message.role), bars,
                     PAD, BAND_GREY)
    yield _BELOW_HEADING
    if any(segment.text for segment in message.segments):
        body = 10 * LEADING
        for line in _body_lines(message.segments, bars):
            yield Row(body, REGULAR, 10, "#000000", line, PAD)
    else:
        yield _EMPTY
    note = withheld_note(message)
    if note:
        yield _BEFORE_NOTE
        yield from _rows(note, BOLD_OBLIQUE, 8.5, LABEL_GREY, bars, PAD)


def _body_lines(segments: Iterable[Segment], bars: Bars) -> Iterator[str]:
    """A message's lines, wrapped a window at a time; a paragraph's last line waits for
    the next window, as more text may join it."""
    wrap, widths = REGULAR.wrap, bars.widths
    carry = ""
    for window in _windows(segments, bars):
        *whole, last = (carry + window).split("\n")
        for paragraph in whole:
            yield from wrap(paragraph.removesuffix("\r"), _BODY_LIMIT, bars=widths)[0]
        lines, used = wrap(last, _BODY_LIMIT, final=False, bars=widths)
        yield from lines
        carry = last[used:]
    # What a paragraph's last wrap left over is one line that fits.
    yield carry.removesuffix("\r")


def _windows(segments: Iterable[Segment], bars: Bars) -> Iterator[str]:
    """The message's text in pieces of about ``WINDOW`` characters, bars as characters."""
    parts: list[str] = []
    size = 0
    for segment in segments:
        if segment.redacted:
            parts.append(bars.char(segment.text))
            size += 1
            continue
        for start in range(0, len(segment.text), WINDOW):
            piece = segment.text[start:start + WINDOW].replace("\t", TAB)
            parts.append(piece)
            size += len(piece)
            if size >= WINDOW:
                yield "".join(parts)
                parts, size = [], 0
    if parts:
        yield "".join(parts)


Page = list[tuple[float, Row]]  # each row with the top of its box, in points from the page top


def paginate(flow: Iterable[Row]) -> Iterator[Page]:
    """Rows placed on pages; a document has at least one page."""
    page: Page = []
    held: list[Row] = []  # sticky rows waiting for the row they stay with
    y = TOP
    for row in flow:
        if row.sticky:
            held.append(row)
            continue
        if held:
            group, held = [*held, row], []
            height = sum(r.height for r in group)
        else:
            group, height = [row], row.height
        if y + height > BOTTOM and page:
            yield page
            page, y = [], TOP
        for placed in group:
            if page or placed.font is not None:  # no space at the top of a page
                page.append((y, placed))
                y += placed.height
    page += [(y, row) for row in held]
    yield page

