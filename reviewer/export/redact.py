"""A conversation as it leaves the store: redacted, labelled, scanned for leaks.

``redact_conversation`` is the only place where original text meets the
packet. Every renderer (JSONL, text, PDF, load file, log) reads the
:class:`RedactedConversation` it returns and nothing else, so what one shows
the others show, and the leak scan here covers them all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from reviewer.domain.models import Branch, Conversation, Message, Span, Status, Visibility
from reviewer.export.leaks import Hit, Needles

TokenFor = Callable[[str, str], str]


@dataclass(frozen=True)
class Segment:
    """A run of kept text, or a redaction bar when ``redacted`` (``text`` is then the token)."""

    text: str
    redacted: bool = False


@dataclass(frozen=True)
class RedactedMessage:
    index: int
    role: str
    time: str | None
    branch: str
    visibility: str
    content_type: str
    placeholders: int
    segments: tuple[Segment, ...]

    @property
    def text(self) -> str:
        return "".join(segment.text for segment in self.segments)

    @property
    def labels(self) -> list[str]:
        """What a reader must know about where this message stood."""
        labels = []
        if self.branch != Branch.ACTIVE:
            labels.append(f"{self.branch} branch")
        if self.visibility != Visibility.VISIBLE:
            labels.append(f"{self.visibility} content")
        if self.content_type != "text":
            labels.append(self.content_type)
        return labels


@dataclass(frozen=True)
class LogRow:
    """One span as the redaction log lists it; never the original text."""

    message_index: int | None
    role: str
    start: int
    end: int
    entity: str
    status: str
    origin: str
    reason: str
    reviewer: str
    decided_at: str
    replacement: str


@dataclass(frozen=True)
class Leak:
    """Redacted text found where no decided span covers it."""

    conversation_id: int
    message_id: int | None
    hit: Hit


@dataclass(frozen=True)
class RedactedConversation:
    conversation_id: int
    source_id: str
    created: str | None
    title: tuple[Segment, ...]
    messages: tuple[RedactedMessage, ...]
    log: tuple[LogRow, ...]
    leaks: tuple[Leak, ...] = field(default=())

    @property
    def title_text(self) -> str:
        return "".join(segment.text for segment in self.title)

    @property
    def redaction_count(self) -> int:
        return sum(1 for row in self.log if row.replacement)


def redacts(span: Span, allow_pending: bool) -> bool:
    """Approved spans are redacted; pending ones too when the export allows them (fail closed)."""
    return span.status is Status.APPROVED or (allow_pending and span.status is Status.PENDING)


def redact_conversation(
    conv: Conversation,
    spans: Sequence[Span],
    token_for: TokenFor,
    needles: Needles,
    allow_pending: bool,
) -> RedactedConversation:
    """The packet's view of ``conv``; ``leaks`` lists what the scan found."""
    assert conv.id is not None
    by_message: dict[int | None, list[Span]] = {}
    for span in spans:
        by_message.setdefault(span.message_id, []).append(span)
    title = conv.title or ""
    leaks = _leaks(conv.id, None, title, by_message.get(None, []), needles, allow_pending)
    messages = []
    for message in conv.messages:
        own = by_message.get(message.id, [])
        leaks += _leaks(conv.id, message.id, message.text, own, needles, allow_pending)
        messages.append(_message(message, own, token_for, needles, allow_pending))
    log = _log(conv, by_message, token_for, needles, allow_pending)
    return RedactedConversation(
        conversation_id=conv.id, source_id=needles.scrub(conv.source_id),
        created=needles.scrub(_time(conv.created_at)) if conv.created_at else None,
        title=segments(title, by_message.get(None, []), token_for, allow_pending),
        messages=tuple(messages), log=tuple(log), leaks=tuple(leaks),
    )


def _message(
    message: Message, spans: Sequence[Span], token_for: TokenFor, needles: Needles,
    allow_pending: bool,
) -> RedactedMessage:
    return RedactedMessage(
        index=message.index, role=needles.scrub(message.role),
        time=needles.scrub(_time(message.created_at)) if message.created_at else None,
        branch=str(message.branch), visibility=str(message.visibility),
        content_type=needles.scrub(message.content_type), placeholders=message.placeholders,
        segments=segments(message.text, spans, token_for, allow_pending),
    )


def segments(
    text: str, spans: Sequence[Span], token_for: TokenFor, allow_pending: bool
) -> tuple[Segment, ...]:
    """``text`` cut into kept runs and redaction bars; overlapping redactions merge."""
    bars = _bars(text, [s for s in spans if redacts(s, allow_pending)], token_for)
    out: list[Segment] = []
    position = 0
    for start, end, token in bars:
        if start > position:
            out.append(Segment(text[position:start]))
        out.append(Segment(token, redacted=True))
        position = end
    if position < len(text):
        out.append(Segment(text[position:]))
    return tuple(out)


def _bars(
    text: str, spans: Sequence[Span], token_for: TokenFor
) -> list[tuple[int, int, str]]:
    merged: list[tuple[int, int, list[str]]] = []
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        start, end = max(0, span.start), min(len(text), max(span.end, span.start))
        token = token_for(span.entity, text[span.start:span.end])
        if merged and start < merged[-1][1]:
            last_start, last_end, tokens = merged[-1]
            tokens.extend(t for t in [token] if t not in tokens)
            merged[-1] = (last_start, max(last_end, end), tokens)
        else:
            merged.append((start, end, [token]))
    return [(start, end, "".join(tokens)) for start, end, tokens in merged]


def _leaks(
    conv_id: int, message_id: int | None, text: str, spans: Sequence[Span], needles: Needles,
    allow_pending: bool,
) -> list[Leak]:
    redacted = [(s.start, s.end) for s in spans if redacts(s, allow_pending)]
    kept = [(s.start, s.end) for s in spans if s.status is Status.REJECTED]
    return [Leak(conv_id, message_id, hit) for hit in needles.leaks(text, redacted, kept)]


def _log(
    conv: Conversation, by_message: dict[int | None, list[Span]], token_for: TokenFor,
    needles: Needles, allow_pending: bool,
) -> list[LogRow]:
    rows = [_log_row(None, "title", conv.title or "", s, token_for, needles, allow_pending)
            for s in sorted(by_message.get(None, []), key=lambda s: (s.start, s.id))]
    for message in conv.messages:
        own = sorted(by_message.get(message.id, []), key=lambda s: (s.start, s.id))
        rows += [_log_row(message.index, message.role, message.text, s, token_for, needles,
                          allow_pending) for s in own]
    return rows


def _log_row(
    index: int | None, role: str, text: str, span: Span, token_for: TokenFor, needles: Needles,
    allow_pending: bool,
) -> LogRow:
    redacted = redacts(span, allow_pending)
    return LogRow(
        message_index=index, role=needles.scrub(role), start=span.start, end=span.end,
        entity=needles.scrub(span.entity), status=str(span.status), origin=str(span.origin),
        reason=needles.scrub(span.reason or ""), reviewer=needles.scrub(span.decided_by or ""),
        decided_at=_time(span.decided_at) if span.decided_at else "",
        replacement=token_for(span.entity, text[span.start:span.end]) if redacted else "",
    )


def _time(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
