"""SQLAlchemy models of the store.

Times are ISO 8601 strings in UTC. Conversations carry denormalised span
counters so the browser can sort and page a million rows without joins; they
are kept by the triggers of ``COUNTER_TRIGGERS`` alone (schema 4), whatever
inserts, deletes or decides a span.
"""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Meta(Base):
    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String, primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Source(Base):
    """One imported file."""

    __tablename__ = "sources"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_name: Mapped[str] = mapped_column(String)
    file_size: Mapped[int] = mapped_column(Integer)
    file_sha256: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String)
    imported_at: Mapped[str] = mapped_column(String)
    imported_by: Mapped[str] = mapped_column(String)


class ConversationRow(Base):
    __tablename__ = "conversations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_file_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    source_id: Mapped[str] = mapped_column(String)
    title: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[str | None] = mapped_column(String)
    updated_at: Mapped[str | None] = mapped_column(String)
    imported_at: Mapped[str] = mapped_column(String)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    title_policy: Mapped[str | None] = mapped_column(String)
    n_messages: Mapped[int] = mapped_column(Integer, default=0)
    n_pending: Mapped[int] = mapped_column(Integer, default=0)
    n_approved: Mapped[int] = mapped_column(Integer, default=0)
    n_rejected: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        Index("ix_conversations_created", "created_at", "id"),
        Index("ix_conversations_pending", "n_pending", "id"),
        Index("ix_conversations_source", "source_id"),
    )


class MessageRow(Base):
    __tablename__ = "messages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    idx: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String)
    author: Mapped[str | None] = mapped_column(String)
    created_at: Mapped[str | None] = mapped_column(String)
    branch: Mapped[str] = mapped_column(String)
    visibility: Mapped[str] = mapped_column(String)
    content_type: Mapped[str] = mapped_column(String)
    source_message_id: Mapped[str | None] = mapped_column(String)
    placeholders: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    analyzed_policy: Mapped[str | None] = mapped_column(String)
    # Set by the analysis (schema 3): the language it identified, and whether a
    # pipeline looked for names in it (false: patterns only).
    language: Mapped[str | None] = mapped_column(String)
    names_searched: Mapped[bool | None] = mapped_column(Boolean)

    __table_args__ = (
        Index("ix_messages_conversation", "conversation_id", "idx"),
        Index("ix_messages_analyzed", "analyzed_policy", "id"),
    )


class SpanRow(Base):
    __tablename__ = "spans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    entity: Mapped[str] = mapped_column(String)
    score: Mapped[float] = mapped_column()
    recognizer: Mapped[str] = mapped_column(String)
    explanation: Mapped[str] = mapped_column(Text, default="{}")
    origin: Mapped[str] = mapped_column(String)
    status: Mapped[str] = mapped_column(String)
    reason: Mapped[str | None] = mapped_column(String)
    decided_by: Mapped[str | None] = mapped_column(String)
    decided_at: Mapped[str | None] = mapped_column(String)
    policy_hash: Mapped[str | None] = mapped_column(String)
    created_at: Mapped[str] = mapped_column(String)

    __table_args__ = (
        Index("ix_spans_conversation", "conversation_id", "message_id", "start"),
        Index("ix_spans_message", "message_id", "start"),
        Index("ix_spans_status", "status", "id"),
        Index("ix_spans_entity", "entity", "status"),
    )


class DecisionRow(Base):
    """Every change of a span's status or entity, including undos."""

    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    span_id: Mapped[int] = mapped_column(ForeignKey("spans.id"), index=True)
    status: Mapped[str] = mapped_column(String)
    previous_status: Mapped[str] = mapped_column(String)
    entity: Mapped[str | None] = mapped_column(String)
    previous_entity: Mapped[str | None] = mapped_column(String)
    reason: Mapped[str | None] = mapped_column(String)
    reviewer: Mapped[str] = mapped_column(String)
    decided_at: Mapped[str] = mapped_column(String)
    undo_of: Mapped[int | None] = mapped_column(Integer)


class AuditRow(Base):
    __tablename__ = "audit"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    time: Mapped[str] = mapped_column(String)
    actor: Mapped[str] = mapped_column(String)
    action: Mapped[str] = mapped_column(String)
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class ReplacementRow(Base):
    """Stable ``[ENTITY-N]`` numbers: the same text and entity keep N across packets.

    ``text_key`` is a keyed hash of the normalised text, so the mapping does not
    hold a second copy of the original.
    """

    __tablename__ = "replacements"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity: Mapped[str] = mapped_column(String)
    text_key: Mapped[str] = mapped_column(String(64))
    number: Mapped[int] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("entity", "text_key"),)


class QcSampleRow(Base):
    """One quality-control draw (schema 5): its kind, seed and size, as audited."""

    __tablename__ = "qc_samples"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String)  # 'decisions' or 'elusion'
    seed: Mapped[str] = mapped_column(String)
    size: Mapped[int] = mapped_column(Integer)
    population: Mapped[int] = mapped_column(Integer)
    drawn_by: Mapped[str] = mapped_column(String)
    drawn_at: Mapped[str] = mapped_column(String)


class QcItemRow(Base):
    """One sampled span (kind 'decision') or span-less message (kind 'elusion').

    No foreign keys to spans or messages: a later analysis may delete a span,
    and the sample's record of what was drawn stays.
    """

    __tablename__ = "qc_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("qc_samples.id"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String)
    span_id: Mapped[int | None] = mapped_column(Integer)
    message_id: Mapped[int | None] = mapped_column(Integer)
    # The decision under review, as it stood when drawn.
    status: Mapped[str | None] = mapped_column(String)

    __table_args__ = (
        Index("ix_qc_items_sample", "sample_id", "position"),
        Index("ix_qc_items_span", "span_id"),
        Index("ix_qc_items_message", "message_id"),
    )


class QcVerdictRow(Base):
    """A QC reviewer's verdict on an item; the latest one per item counts."""

    __tablename__ = "qc_verdicts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("qc_items.id"), index=True)
    verdict: Mapped[str] = mapped_column(String)  # 'agree', 'disagree' or 'missed'
    reason: Mapped[str | None] = mapped_column(Text)
    span_id: Mapped[int | None] = mapped_column(Integer)  # a manual span QC added
    reviewer: Mapped[str] = mapped_column(String)
    decided_at: Mapped[str] = mapped_column(String)


# Inserts are indexed in bulk by ``conversations.index_new_text`` (a trigger per row
# makes FTS5 flush its pending terms row by row, several times slower); deletes
# keep the index in step through triggers. ``columnsize=0``: search never ranks,
# so FTS5 need not store every row's token count; ``automerge`` 8 merges index
# segments eight (not four) at a time. Together they make an import's indexing
# about a quarter cheaper, and a search reads a few more segments.
FTS_TABLES = (
    "CREATE VIRTUAL TABLE message_fts USING fts5(text, content='messages', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2', columnsize=0)",
    "CREATE VIRTUAL TABLE title_fts USING fts5(title, content='conversations', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2', columnsize=0)",
    "INSERT INTO message_fts(message_fts, rank) VALUES ('automerge', 8)",
    "INSERT INTO title_fts(title_fts, rank) VALUES ('automerge', 8)",
)
FTS_TRIGGERS = (
    "CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages BEGIN "
    "INSERT INTO message_fts(message_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER conversations_fts_ad AFTER DELETE ON conversations BEGIN "
    "INSERT INTO title_fts(title_fts, rowid, title) "
    "VALUES ('delete', old.id, coalesce(old.title, '')); END",
)
FTS_DDL = FTS_TABLES + FTS_TRIGGERS


# The per-conversation span counters, kept by SQLite on every insert, delete and
# change of status or conversation of a span: no code path can forget them.
_COUNTS = ("n_pending = n_pending {sign} ({row}.status = 'pending'), "
           "n_approved = n_approved {sign} ({row}.status = 'approved'), "
           "n_rejected = n_rejected {sign} ({row}.status = 'rejected')")
_ADD = _COUNTS.format(sign="+", row="new")
_TAKE = _COUNTS.format(sign="-", row="old")
COUNTER_TRIGGERS = (
    "CREATE TRIGGER spans_counters_ai AFTER INSERT ON spans BEGIN "
    f"UPDATE conversations SET {_ADD} WHERE id = new.conversation_id; END",
    "CREATE TRIGGER spans_counters_ad AFTER DELETE ON spans BEGIN "
    f"UPDATE conversations SET {_TAKE} WHERE id = old.conversation_id; END",
    "CREATE TRIGGER spans_counters_au AFTER UPDATE OF status, conversation_id ON spans "
    "WHEN old.status IS NOT new.status OR old.conversation_id IS NOT new.conversation_id BEGIN "
    f"UPDATE conversations SET {_TAKE} WHERE id = old.conversation_id; "
    f"UPDATE conversations SET {_ADD} WHERE id = new.conversation_id; END",
)
# Every conversation's counters from its spans, in one pass over the spans (the
# triggers keep them so after).
RECOUNT = (
    "UPDATE conversations SET n_pending = 0, n_approved = 0, n_rejected = 0",
    "UPDATE conversations SET n_pending = c.pending, n_approved = c.approved, "
    "n_rejected = c.rejected FROM (SELECT conversation_id, "
    "sum(status = 'pending') AS pending, sum(status = 'approved') AS approved, "
    "sum(status = 'rejected') AS rejected FROM spans GROUP BY conversation_id) AS c "
    "WHERE conversations.id = c.conversation_id",
)


# --- review batches (schema 6) -----------------------------------------------------------------


class BatchRow(Base):
    """A batch store split off this matter: its number, file and where it started."""

    __tablename__ = "batches"
    batch_id: Mapped[str] = mapped_column(String, primary_key=True)
    number: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String)
    conversations: Mapped[int] = mapped_column(Integer)
    # the batch's own last decision id at the split: later ones are its reviewers'
    decisions_upto: Mapped[int] = mapped_column(Integer)
    matter_head_seq: Mapped[int] = mapped_column(Integer)
    matter_head_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(String)
    created_by: Mapped[str] = mapped_column(String)


class BatchConversationRow(Base):
    __tablename__ = "batch_conversations"
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.batch_id"), primary_key=True)
    conversation_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class BatchSpanRow(Base):
    """A span of a batch and the state the batch and the matter last agreed on (at
    the split, or at a merge): a merge takes the batch's change where the matter
    still holds this state, and lists a conflict where it does not."""

    __tablename__ = "batch_spans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.batch_id"))
    batch_span_id: Mapped[int] = mapped_column(Integer)
    span_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String)
    entity: Mapped[str] = mapped_column(String)
    reason: Mapped[str | None] = mapped_column(String)

    __table_args__ = (
        UniqueConstraint("batch_id", "batch_span_id"),
        Index("ix_batch_spans_span", "span_id"),
    )


class BatchMergeRow(Base):
    """One merge of a batch: the batch's audit head then (chain of custody)."""

    __tablename__ = "batch_merges"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.batch_id"), index=True)
    head_seq: Mapped[int] = mapped_column(Integer)
    head_hash: Mapped[str] = mapped_column(String(64))
    decisions_upto: Mapped[int] = mapped_column(Integer)
    audit_seq: Mapped[int] = mapped_column(Integer)
    merged_at: Mapped[str] = mapped_column(String)
    merged_by: Mapped[str] = mapped_column(String)


class BatchConflictRow(Base):
    """A span a batch decided otherwise than the matter held at the merge; the
    matter's decision stayed. Open until a decision on the span in the matter
    (one with an id above ``matter_decisions_upto``, not undone) settles it: the
    rule is ``OPEN_CONFLICT`` below."""

    __tablename__ = "batch_conflicts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.batch_id"))
    span_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String)  # 'decided' or 'removed'
    status: Mapped[str] = mapped_column(String)
    entity: Mapped[str] = mapped_column(String)
    reason: Mapped[str | None] = mapped_column(String)
    decided_by: Mapped[str | None] = mapped_column(String)
    decided_at: Mapped[str | None] = mapped_column(String)
    matter_status: Mapped[str | None] = mapped_column(String)
    matter_entity: Mapped[str | None] = mapped_column(String)
    matter_reason: Mapped[str | None] = mapped_column(String)
    matter_decisions_upto: Mapped[int] = mapped_column(Integer)
    found_at: Mapped[str] = mapped_column(String)
    resolved_at: Mapped[str | None] = mapped_column(String)

    __table_args__ = (Index("ix_batch_conflicts_span", "span_id", "id"),)


# A conflict is open until a lead's decision on its span in the matter settles it: a
# decision made after the conflict was found (an id above ``matter_decisions_upto``)
# that is neither an undo nor undone since. Undoing the settling decision opens the
# conflict again. The one statement of the rule: listing, the browser's filter and its
# rows' mark, the counters an operation's Changes carry and the audit of what a decision
# settled all ask it. It lives by the table, as the spans and the batches both read it.
OPEN_CONFLICT = (
    "c.resolved_at IS NULL AND NOT EXISTS (SELECT 1 FROM decisions d "
    "WHERE d.span_id = c.span_id AND d.id > c.matter_decisions_upto AND d.undo_of IS NULL "
    "AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.span_id = d.span_id "
    "AND u.undo_of = d.id))")
# The conversations holding a span with an open conflict (the browser's filter and mark).
CONFLICTED_CONVERSATIONS = (
    "SELECT s.conversation_id FROM batch_conflicts c JOIN spans s ON s.id = c.span_id "
    f"WHERE {OPEN_CONFLICT}")
