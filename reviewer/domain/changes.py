"""What an operation changed, as the store read it back in the operation's own
transaction (in the manner of Anki's ``OpChanges``).

A view applies a :class:`Changes` and re-reads nothing: the spans as they are
after the change, the spans that are gone, every conversation touched with its
counters as the store now holds them, and the change in the store's totals.
The counters themselves are kept by the store alone (triggers on its spans).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from reviewer.domain.models import Decision, Span, Status


@dataclass(frozen=True)
class StatusCounts:
    """Spans per status: a conversation's counters, the store's totals, or a change in them."""

    pending: int = 0
    approved: int = 0
    rejected: int = 0

    def __add__(self, other: StatusCounts) -> StatusCounts:
        return StatusCounts(self.pending + other.pending, self.approved + other.approved,
                            self.rejected + other.rejected)

    def __sub__(self, other: StatusCounts) -> StatusCounts:
        return StatusCounts(self.pending - other.pending, self.approved - other.approved,
                            self.rejected - other.rejected)

    def of(self, status: Status) -> int:
        return int(getattr(self, status.value))

    def as_dict(self) -> dict[str, int]:
        return {str(status): self.of(status) for status in Status}

    @classmethod
    def from_dict(cls, counts: dict[str, int]) -> StatusCounts:
        return cls(**{str(status): int(counts.get(str(status), 0)) for status in Status})


@dataclass(frozen=True)
class ConversationCounts:
    """One conversation's span counters as the store holds them, and whether a span
    of it holds an open batch conflict."""

    conversation_id: int
    counts: StatusCounts
    conflicted: bool = False


@dataclass(frozen=True)
class Changes:
    """What one operation changed.

    ``spans``: the spans it added or changed, as they are after it; ``removed``:
    the spans it deleted, as they were; ``conversations``: every conversation it
    touched with fresh counters; ``totals``: the change in the store's totals.
    ``many_conversations``: a job (import, analysis) changed more conversations
    than it lists; a view re-reads the rows it shows once.
    """

    decisions: tuple[Decision, ...] = ()
    spans: tuple[Span, ...] = ()
    removed: tuple[Span, ...] = ()
    conversations: tuple[ConversationCounts, ...] = ()
    totals: StatusCounts = field(default_factory=StatusCounts)
    many_conversations: bool = False

    def __add__(self, later: Changes) -> Changes:
        """This change followed by ``later``: later values of a span or a
        conversation replace earlier ones."""
        gone = {s.id for s in later.removed}
        spans = _latest([s for s in self.spans if s.id not in gone], later.spans)
        fresh = {s.id for s in later.spans}
        counts = {c.conversation_id: c for c in (*self.conversations, *later.conversations)}
        return Changes(
            decisions=self.decisions + later.decisions, spans=spans,
            removed=tuple(s for s in (*self.removed, *later.removed) if s.id not in fresh),
            conversations=tuple(counts.values()), totals=self.totals + later.totals,
            many_conversations=self.many_conversations or later.many_conversations)

    def counts_of(self, conversation_id: int) -> StatusCounts | None:
        for counted in self.conversations:
            if counted.conversation_id == conversation_id:
                return counted.counts
        return None

    @property
    def status_changes(self) -> int:
        """Decisions that changed a span's status (undos count as negative)."""
        return sum((-1 if d.undo_of is not None else 1) for d in self.decisions
                   if d.status is not d.previous_status)


def _latest(earlier: Iterable[Span], later: Iterable[Span]) -> tuple[Span, ...]:
    by_id = {s.id: s for s in earlier}
    by_id.update((s.id, s) for s in later)
    return tuple(by_id.values())
