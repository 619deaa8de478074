"""The records of a produced conversation: what every renderer reads.

They are made in the main process (:mod:`reviewer.export.redact`) and read again
in the worker processes that write the PDF and TEXT files; those import this
module and the renderers only, not the store's models nor the leak scan (each
module a worker imports is paid again at each export's start).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from reviewer.export.redact import Leak

# ``Branch.ACTIVE`` and ``Visibility.VISIBLE`` of reviewer.domain.models, as the records
# carry them (strings; tests/export pins them to the models).
ACTIVE = "active"
VISIBLE = "visible"


class Segment(NamedTuple):
    """A run of kept text, or a redaction bar when ``redacted`` (``text`` is then the token).

    The records of a produced conversation are named tuples: they are made by the
    thousand, here and again in the processes that write the files, and a frozen
    dataclass sets each field through ``object.__setattr__``, several times as slow."""

    text: str
    redacted: bool = False


class RedactedMessage(NamedTuple):
    index: int  # type: ignore[assignment]  # the message's index, not tuple.index
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
        if self.branch != ACTIVE:
            labels.append(f"{self.branch} branch")
        if self.visibility != VISIBLE:
            labels.append(f"{self.visibility} content")
        if self.content_type != "text":
            labels.append(self.content_type)
        return labels


class LogRow(NamedTuple):
    """One span as the redaction log lists it; never the original text. ``start`` and
    ``end`` locate the span's replacement (or its kept text) in the produced text."""

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
    echo: bool = False  # pending text redacted where no span is (see redact.Redactor.pending)


class RedactedConversation(NamedTuple):
    conversation_id: int
    source_id: str
    created: str | None
    title: tuple[Segment, ...]
    messages: tuple[RedactedMessage, ...]
    log: tuple[LogRow, ...]
    leaks: tuple[Leak, ...] = ()
    unanalysed: int = 0
    redactions: int | None = None  # the log's count, kept when its rows are left out
    # Rejected spans that keep a value redacted elsewhere (see ``redact._conflicts``).
    conflicts: tuple[int, ...] = ()

    @property
    def title_text(self) -> str:
        return "".join(segment.text for segment in self.title)

    @property
    def redaction_count(self) -> int:
        if self.redactions is not None:
            return self.redactions
        return sum(1 for row in self.log if row.replacement)

    def rendering(self) -> RedactedConversation:
        """What the page and text renderers read: without the log's rows and the leaks
        (a worker process that writes the files is sent this, a fifth the pickle)."""
        return RedactedConversation(self.conversation_id, self.source_id, self.created,
                                    self.title, self.messages, (), (), self.unanalysed,
                                    self.redaction_count, ())

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled as plain tuples: every conversation crosses to a worker process, and
        # the default pickle of its dozens of small objects (each with a dict of its
        # fields) took ten times as long to write and read as the tuples do.
        messages = tuple((m.index, m.role, m.time, m.branch, m.visibility, m.content_type,
                          m.placeholders, _packed(m.segments)) for m in self.messages)
        return (_unpacked, (self.conversation_id, self.source_id, self.created,
                            _packed(self.title), messages, self.log, self.leaks,
                            self.unanalysed, self.redactions, self.conflicts))


Packed = tuple[tuple[str, bool], ...]


def _packed(segments: Sequence[Segment]) -> Packed:
    return tuple((segment.text, segment.redacted) for segment in segments)


def _segments_of(packed: Packed) -> tuple[Segment, ...]:
    return tuple(Segment(text, redacted) for text, redacted in packed)


def _unpacked(conversation_id: int, source_id: str, created: str | None, title: Packed,
              messages: tuple[tuple[Any, ...], ...], *rest: Any) -> RedactedConversation:
    return RedactedConversation(
        conversation_id, source_id, created, _segments_of(title),
        tuple(RedactedMessage(index, role, time, branch, visibility, content_type,
                              placeholders, _segments_of(segments))
              for index, role, time, branch, visibility, content_type, placeholders, segments
              in messages), *rest)
