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
from typing import NamedTuple

from reviewer.domain.models import (
    Conversation,
    Message,
    Origin,
    Span,
    Status,
)
from reviewer.export.fields import (
    Reference,
    packet_content_type,
    packet_roles,
    packet_source_id,
)
from reviewer.export.leaks import Hit, Needles
from reviewer.export.records import LogRow, RedactedConversation, RedactedMessage, Segment

TokenFor = Callable[[str, str], str]
NOT_ANALYSED = "[WITHHELD: NOT ANALYSED]"


@dataclass(frozen=True)
class Leak:
    """Redacted text found where no decided span covers it."""

    conversation_id: int
    message_id: int | None
    hit: Hit


@dataclass(frozen=True)
class Redactor:
    """How an export redacts: replacement tokens, the leak scan's needles, whether
    pending spans are redacted, and how free-text fields are named (see
    :mod:`reviewer.export.fields`)."""

    token_for: TokenFor
    needles: Needles
    source_ref: Reference
    allow_pending: bool = False
    reason_codes: frozenset[str] = frozenset()
    # With pending spans allowed: their texts, redacted wherever else they occur in
    # produced text (the contract: a redacted span's text appears nowhere). Never
    # turned into spans or refusals: nobody judged them personal data.
    pending: Needles = field(default_factory=lambda: Needles([]))

    def reason(self, reason: str | None) -> str:
        """A reason code of the policy as it is; any other text by reference."""
        if not reason:
            return ""
        if reason in self.reason_codes:
            return self.needles.scrub(reason)
        return self.source_ref(reason)


def redacts(span: Span, allow_pending: bool) -> bool:
    """Approved spans are redacted; pending ones too when the export allows them (fail closed)."""
    return span.status is Status.APPROVED or (allow_pending and span.status is Status.PENDING)


def redact_conversation(
    conv: Conversation,
    spans: Sequence[Span],
    redactor: Redactor,
    unanalysed: frozenset[int | None] = frozenset(),
) -> RedactedConversation:
    """The packet's view of ``conv``; ``leaks`` lists what the scan found. Texts in
    ``unanalysed`` (message ids, None for the title) are withheld whole."""
    assert conv.id is not None
    by_message: dict[int | None, list[Span]] = {}
    for span in spans:
        by_message.setdefault(span.message_id, []).append(span)
    roles = packet_roles(m.role for m in conv.messages)
    texts = [(None, None, conv.title or "", "title"),
             *((m.id, m.index, m.text, roles[m.role]) for m in conv.messages)]
    leaks: list[Leak] = []
    conflicts: list[int] = []
    cut: dict[int | None, Cut] = {}
    log: list[LogRow] = []
    for message_id, index, text, role in texts:
        own = by_message.get(message_id, [])
        withheld = message_id in unanalysed
        if not withheld:
            leaks += _leaks(conv.id, message_id, text, own, redactor)
            conflicts += _conflicts(text, own, redactor)
        cut[message_id] = _cut(text, own, redactor, withheld)
        log += _log(index, role, text, own, cut[message_id], redactor)
        log += [_echo_row(index, role, hit, place) for hit, place in cut[message_id].echoes]
    scrub = redactor.needles.scrub
    return RedactedConversation(
        conversation_id=conv.id,
        source_id=scrub(packet_source_id(conv.source_id, redactor.source_ref)),
        created=scrub(_time(conv.created_at)) if conv.created_at else None,
        title=cut[None].segments if conv.title else (),
        messages=tuple(_message(m, roles[m.role], cut[m.id].segments, scrub)
                       for m in conv.messages),
        log=tuple(log), leaks=tuple(leaks), unanalysed=len(unanalysed),
        conflicts=tuple(conflicts),
    )


def _message(
    message: Message, role: str, cut: tuple[Segment, ...], scrub: Callable[[str], str]
) -> RedactedMessage:
    return RedactedMessage(
        index=message.index, role=role,
        time=scrub(_time(message.created_at)) if message.created_at else None,
        branch=str(message.branch), visibility=str(message.visibility),
        content_type=packet_content_type(message.content_type),
        placeholders=message.placeholders, segments=cut,
    )


class Cut(NamedTuple):
    """A text as produced, and where each of its spans landed in it."""

    segments: tuple[Segment, ...]
    places: dict[int, tuple[int, int]]  # span id -> produced [start, end)
    # Occurrences of pending text redacted without a span of their own, and where
    # their tokens landed.
    echoes: tuple[tuple[Hit, tuple[int, int]], ...] = ()


def _cut(text: str, spans: Sequence[Span], redactor: Redactor, withheld: bool) -> Cut:
    if withheld:
        end = len(NOT_ANALYSED)
        return Cut((Segment(NOT_ANALYSED, redacted=True),), {s.id: (0, end) for s in spans})
    echoes = _echoes(text, spans, redactor)
    if not spans and not echoes:
        return Cut((Segment(text),) if text else (), {})
    redacted = [s for s in spans if redacts(s, redactor.allow_pending)]
    bars = _bars(text, redacted, redactor.token_for, echoes)
    places = {}
    for span in spans:
        token = (redactor.token_for(span.entity, text[span.start:span.end])
                 if redacts(span, redactor.allow_pending) else None)
        places[span.id] = _produced(span.start, span.end, bars, token)
    return Cut(_segments(text, bars), places,
               tuple((hit, _produced(hit.start, hit.end, bars, hit.token)) for hit in echoes))


def _echoes(text: str, spans: Sequence[Span], redactor: Redactor) -> list[Hit]:
    """Pending text found again where no decided or redacted span covers it."""
    if not redactor.allow_pending or not len(redactor.pending):
        return []
    redacted = [(s.start, s.end) for s in spans if redacts(s, True)]
    kept = [(s.start, s.end) for s in spans if s.status is Status.REJECTED]
    return redactor.pending.leaks(text, redacted, kept)


def segments(
    text: str, spans: Sequence[Span], token_for: TokenFor, allow_pending: bool
) -> tuple[Segment, ...]:
    """``text`` cut into kept runs and redaction bars; overlapping redactions merge."""
    return _segments(text, _bars(text, [s for s in spans if redacts(s, allow_pending)],
                                 token_for))


def _segments(text: str, bars: Sequence[tuple[int, int, str]]) -> tuple[Segment, ...]:
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


def _produced(begin: int, finish: int, bars: Sequence[tuple[int, int, str]],
              token: str | None) -> tuple[int, int]:
    """Where the original ``[begin, finish)`` lands in the produced text: a redacted
    span on its own ``token`` within the bar (overlapping spans share one bar of their
    tokens side by side)."""
    start = _place(begin, bars, at_end=False)
    end = max(start, _place(finish, bars, at_end=True))
    if token is not None:
        offset = max(0, _bar_at(begin, bars).find(token))
        return start + offset, start + offset + len(token)
    return start, end


def _bar_at(position: int, bars: Sequence[tuple[int, int, str]]) -> str:
    """The token text of the bar that covers ``position``."""
    return next((token for start, end, token in bars if start <= position < end), "")


def _place(position: int, bars: Sequence[tuple[int, int, str]], at_end: bool) -> int:
    """``position`` of the original text in the produced one: inside a bar it moves to
    the bar's start (or its end, for the end of a span); elsewhere it shifts by what
    the bars before it added or removed."""
    shift = 0
    for start, end, token in bars:
        if position <= start:
            break
        if position < end:
            return start + shift + (len(token) if at_end else 0)
        shift += len(token) - (end - start)
    return position + shift


def _bars(
    text: str, spans: Sequence[Span], token_for: TokenFor, echoes: Sequence[Hit] = ()
) -> list[tuple[int, int, str]]:
    items = [(max(0, s.start), min(len(text), max(s.end, s.start)),
              token_for(s.entity, text[s.start:s.end])) for s in spans]
    items += [(hit.start, hit.end, hit.token) for hit in echoes]
    merged: list[tuple[int, int, list[str]]] = []
    for start, end, token in sorted(items, key=lambda item: (item[0], item[1])):
        if merged and start < merged[-1][1]:
            last_start, last_end, tokens = merged[-1]
            tokens.extend(t for t in [token] if t not in tokens)
            merged[-1] = (last_start, max(last_end, end), tokens)
        else:
            merged.append((start, end, [token]))
    return [(start, end, "".join(tokens)) for start, end, tokens in merged]


def _leaks(
    conv_id: int, message_id: int | None, text: str, spans: Sequence[Span], redactor: Redactor
) -> list[Leak]:
    redacted = [(s.start, s.end) for s in spans if redacts(s, redactor.allow_pending)]
    kept = [(s.start, s.end) for s in spans if s.status is Status.REJECTED]
    return [Leak(conv_id, message_id, hit)
            for hit in redactor.needles.leaks(text, redacted, kept)]


def _conflicts(text: str, spans: Sequence[Span], redactor: Redactor) -> list[int]:
    """Rejected spans whose text is a value redacted elsewhere: kept here, it would
    name the replacement token every other place shows (the same person is
    ``[PERSON-3]`` throughout). The reviewer must decide the value one way."""
    return [s.id for s in spans if s.status is Status.REJECTED
            and redactor.needles.holds_value(text[s.start:s.end])]


def _log(
    index: int | None, role: str, text: str, spans: Sequence[Span], cut: Cut,
    redactor: Redactor,
) -> list[LogRow]:
    return [_log_row(index, role, text, span, cut.places[span.id], redactor)
            for span in sorted(spans, key=lambda s: (s.start, s.id))]


def _echo_row(index: int | None, role: str, hit: Hit, place: tuple[int, int]) -> LogRow:
    """An occurrence of pending text redacted with it: pending, propagated, no span."""
    return LogRow(message_index=index, role=role, start=place[0], end=place[1],
                  entity=hit.entity, status=str(Status.PENDING), origin=str(Origin.PROPAGATED),
                  reason="", reviewer="", decided_at="", replacement=hit.token, echo=True)


def _log_row(
    index: int | None, role: str, text: str, span: Span, place: tuple[int, int],
    redactor: Redactor,
) -> LogRow:
    redacted = redacts(span, redactor.allow_pending)
    return LogRow(
        message_index=index, role=role, start=place[0], end=place[1],
        entity=redactor.needles.scrub(span.entity), status=str(span.status),
        origin=str(span.origin), reason=redactor.reason(span.reason),
        reviewer=redactor.needles.scrub(span.decided_by or ""),
        decided_at=_time(span.decided_at) if span.decided_at else "",
        replacement=redactor.token_for(span.entity, text[span.start:span.end]) if redacted
        else "",
    )


def _time(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    if value.year < 1000:  # isoformat pads the year to four digits, strftime does not
        return value.strftime("%Y-%m-%d %H:%M:%S UTC")
    # isoformat is a fifth of strftime's time; a time of every span and message.
    return value.isoformat(" ", "seconds")[:19] + " UTC"
