"""The redacted conversation as the rich text the PDF renderer lays out.

Only Qt's rich-text subset is used (tables, spans with background colours,
``white-space: pre-wrap``). Every piece of text is escaped; redaction bars are
solid black runs carrying the ``[ENTITY-N]`` token in white.
"""

from __future__ import annotations

from html import escape

from reviewer.export.redact import RedactedConversation, RedactedMessage, Segment
from reviewer.export.text import message_heading, withheld_note

BAR = "background-color:#000000; color:#ffffff; font-weight:bold;"
LABEL = "color:#555555; font-size:8.5pt; font-weight:bold;"
ROLE_COLOURS = {"user": "#1f4e79", "assistant": "#385723", "system": "#7f6000", "tool": "#7f6000"}


def _segments(segments: tuple[Segment, ...]) -> str:
    return "".join(
        f'<span style="{BAR}">&#160;{escape(s.text)}&#160;</span>' if s.redacted
        else escape(s.text)
        for s in segments
    )


def _message(message: RedactedMessage) -> str:
    colour = ROLE_COLOURS.get(message.role.lower(), "#404040")
    note = withheld_note(message)
    withheld = f'<p style="{LABEL} font-style:italic;">{escape(note)}</p>' if note else ""
    body = _segments(message.segments) or '<span style="color:#888888;">(empty)</span>'
    return (
        f'<table width="100%" cellspacing="0" cellpadding="4" '
        f'style="margin-top:8px; border-left:3px solid {colour};">'
        f'<tr><td style="background-color:#f2f2f2; {LABEL} color:{colour};">'
        f"{escape(message_heading(message))}</td></tr>"
        f'<tr><td><p style="white-space:pre-wrap; font-size:10pt;">{body}</p>{withheld}</td></tr>'
        "</table>"
    )


def conversation_html(conv: RedactedConversation, control_id: str) -> str:
    title = _segments(conv.title) or "(untitled)"
    facts = [f"Control ID {escape(control_id)}", f"Source ID {escape(conv.source_id)}"]
    if conv.created:
        facts.append(f"Created {escape(conv.created)}")
    facts.append(f"{len(conv.messages)} message(s), {conv.redaction_count} redaction(s)")
    return (
        '<html><body style="font-family:\'DejaVu Sans\', sans-serif;">'
        f'<p style="font-size:14pt; font-weight:bold;">{title}</p>'
        f'<p style="{LABEL}">{" &#160;·&#160; ".join(facts)}</p>'
        + "".join(_message(m) for m in conv.messages)
        + "</body></html>"
    )
