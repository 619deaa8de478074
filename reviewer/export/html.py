"""The redacted conversation as the rich text the Qt PDF renderer lays out.

Only Qt's rich-text subset is used (tables, spans with background colours,
``white-space: pre-wrap``). Every piece of text is escaped; redaction bars are
solid black runs carrying the ``[ENTITY-N]`` token in white.

Qt lays a long paragraph out in time that grows faster than its length, so the
document comes in chunks of at most ``CHUNK`` characters of text, each laid out on
its own: a long message is cut at line ends where it can, and goes on in the next
chunk without its heading.

The facts line, colours and placeholders are shared with the standard-font
layout (``reviewer.export.pagelayout``), so both renderings say the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from html import escape

from reviewer.export.records import RedactedConversation, RedactedMessage, Segment
from reviewer.export.text import message_heading, withheld_note

CHUNK = 1 << 15  # characters of text in one rich-text document
LABEL_GREY = "#555555"
EMPTY_GREY = "#888888"
BAND_GREY = "#f2f2f2"  # behind a message's heading
FACT_SEPARATOR = " \u00a0·\u00a0 "
BAR_PADDING = "\u00a0"  # a no-break space either side of a bar's token
UNTITLED = "(untitled)"
EMPTY_BODY = "(empty)"
BAR = "background-color:#000000; color:#ffffff; font-weight:bold;"
LABEL = f"color:{LABEL_GREY}; font-size:8.5pt; font-weight:bold;"
ROLE_COLOURS = {"user": "#1f4e79", "assistant": "#385723", "system": "#7f6000", "tool": "#7f6000"}


def role_colour(role: str) -> str:
    return ROLE_COLOURS.get(role.lower(), "#404040")


def conversation_facts(conv: RedactedConversation) -> list[str]:
    """The facts line under the title, item by item. The control id is not one: every
    page's header carries it, and without it the pages' bodies need no Bates number,
    so they can be laid out before the conversations ahead of them are."""
    facts = [f"Source ID {conv.source_id}"]
    if conv.created:
        facts.append(f"Created {conv.created}")
    facts.append(f"{len(conv.messages)} message(s), {conv.redaction_count} redaction(s)")
    return facts


def _segments(segments: tuple[Segment, ...]) -> str:
    pad = escape(BAR_PADDING)
    return "".join(
        f'<span style="{BAR}">{pad}{escape(s.text)}{pad}</span>' if s.redacted
        else escape(s.text)
        for s in segments
    )


def _message(message: RedactedMessage, part: tuple[Segment, ...], first: bool,
             last: bool) -> str:
    colour = role_colour(message.role)
    note = withheld_note(message) if last else None
    withheld = f'<p style="{LABEL} font-style:italic;">{escape(note)}</p>' if note else ""
    body = _segments(part) or f'<span style="color:{EMPTY_GREY};">{EMPTY_BODY}</span>'
    heading = (f'<tr><td style="background-color:{BAND_GREY}; {LABEL} color:{colour};">'
               f"{escape(message_heading(message))}</td></tr>") if first else ""
    return (
        f'<table width="100%" cellspacing="0" cellpadding="4" '
        f'style="margin-top:{8 if first else 0}px;">{heading}'
        f'<tr><td><p style="white-space:pre-wrap; font-size:10pt;">{body}</p>{withheld}</td></tr>'
        "</table>"
    )


def _document(parts: list[str]) -> str:
    return ('<html><body style="font-family:\'DejaVu Sans\', sans-serif;">'
            + "".join(parts) + "</body></html>")


def conversation_chunks(conv: RedactedConversation, chunk: int = CHUNK) -> Iterator[str]:
    """The conversation as rich-text documents of at most about ``chunk`` characters
    of text each; the first holds the title and the facts."""
    facts = escape(FACT_SEPARATOR.join(conversation_facts(conv)))
    parts = [f'<p style="font-size:14pt; font-weight:bold;">{_segments(conv.title) or UNTITLED}'
             f'</p><p style="{LABEL}">{facts}</p>']
    size = 0
    for message in conv.messages:
        pieces = list(message_parts(message.segments, chunk)) or [()]
        for index, piece in enumerate(pieces):
            length = sum(len(s.text) for s in piece)
            if size + length > chunk and parts:
                yield _document(parts)
                parts, size = [], 0
            parts.append(_message(message, piece, index == 0, index == len(pieces) - 1))
            size += length
    yield _document(parts)


def message_parts(segments: tuple[Segment, ...], chunk: int) -> Iterator[tuple[Segment, ...]]:
    """``segments`` in runs of at most about ``chunk`` characters. A long text fills the
    run it starts in and is cut after a line end where one is near; that line end is
    not kept, as the next run starts a new paragraph. Bars are never cut."""
    part: list[Segment] = []
    room = chunk
    for segment in segments:
        text, start = segment.text, 0  # an offset: the rest of a huge text is never copied
        while not segment.redacted and len(text) - start > room:
            if room >= chunk // 4:  # else the text starts the next run
                end, after = _cut(text, start, room)
                part.append(Segment(text[start:end]))
                start = after
            yield tuple(part)
            part, room = [], chunk
        part.append(Segment(text[start:] if start else text, segment.redacted))
        room -= len(text) - start
    if part:
        yield tuple(part)


def _cut(text: str, start: int, room: int) -> tuple[int, int]:
    """Where the piece of ``text`` from ``start`` that fits ``room`` ends, and where the
    rest begins: after the line end between them, if there is one near."""
    end = text.rfind("\n", start + room // 2, start + room)
    if end < 0:
        return start + room, start + room
    return end, end + 1
