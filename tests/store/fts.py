"""FTS queries the tests use to check the store's full-text tables (the tokenizer,
what is indexed, triggers after changes): conversations and messages with a hit,
paged by key."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

from reviewer.store.search import fts_query

CONVERSATION_HITS = text("""
WITH hits(cid, mid, idx) AS (
  SELECT m.conversation_id, m.id, m.idx FROM message_fts
    JOIN messages AS m ON m.id = message_fts.rowid
   WHERE message_fts MATCH :q AND m.conversation_id > :after
  UNION ALL
  SELECT title_fts.rowid, NULL, NULL FROM title_fts
   WHERE title_fts MATCH :q AND title_fts.rowid > :after
)
SELECT h.cid, c.source_id, c.title, max(h.mid IS NULL), count(h.mid), min(h.idx)
  FROM hits AS h JOIN conversations AS c ON c.id = h.cid
 GROUP BY h.cid ORDER BY h.cid LIMIT :limit
""")

MESSAGE_HITS = text("""
SELECT m.id, m.conversation_id, m.idx,
       snippet(message_fts, 0, :open, :close, '…', :tokens)
  FROM message_fts JOIN messages AS m ON m.id = message_fts.rowid
 WHERE message_fts MATCH :q
   AND (:conv IS NULL OR m.conversation_id = :conv)
   AND (m.conversation_id, m.idx, m.id) > (:after_conv, :after_idx, :after_id)
 ORDER BY m.conversation_id, m.idx, m.id LIMIT :limit
""")


@dataclass(frozen=True)
class ConversationHit:
    """A conversation with at least one hit: in its title, its messages, or both."""

    conversation_id: int
    source_id: str
    title: str | None
    in_title: bool
    message_hits: int
    first_message_index: int | None


@dataclass(frozen=True)
class MessageHit:
    """One message that matches; ``snippet`` marks the hits with the given marks."""

    message_id: int
    conversation_id: int
    message_index: int
    snippet: str

    @property
    def key(self) -> tuple[int, int, int]:
        return self.conversation_id, self.message_index, self.message_id


def search_conversations(conn: Connection, user_text: str, *, after: int = 0,
                         limit: int = 100) -> list[ConversationHit]:
    """Conversations with a hit, in id order, after conversation id ``after``."""
    query = fts_query(user_text)
    if query is None:
        return []
    rows = conn.execute(CONVERSATION_HITS, {"q": query, "after": after, "limit": limit}).all()
    return [ConversationHit(r[0], r[1], r[2], bool(r[3]), r[4], r[5]) for r in rows]


def search_messages(
    conn: Connection,
    user_text: str,
    *,
    conversation_id: int | None = None,
    after: tuple[int, int, int] = (0, -1, 0),
    limit: int = 100,
    marks: tuple[str, str] = ("[", "]"),
    snippet_tokens: int = 16,
) -> list[MessageHit]:
    """Matching messages (of one conversation, or all) in reading order, after ``after``."""
    query = fts_query(user_text)
    if query is None:
        return []
    rows = conn.execute(MESSAGE_HITS, {
        "q": query, "conv": conversation_id, "after_conv": after[0], "after_idx": after[1],
        "after_id": after[2], "limit": limit, "open": marks[0], "close": marks[1],
        "tokens": snippet_tokens,
    }).all()
    return [MessageHit(r[0], r[1], r[2], r[3]) for r in rows]


def count_conversations(conn: Connection, user_text: str) -> int:
    """How many conversations have a hit (for "12 conversations match")."""
    query = fts_query(user_text)
    if query is None:
        return 0
    return int(conn.execute(text(
        "SELECT count(*) FROM (SELECT m.conversation_id FROM message_fts "
        "JOIN messages AS m ON m.id = message_fts.rowid WHERE message_fts MATCH :q "
        "UNION SELECT rowid FROM title_fts WHERE title_fts MATCH :q)"
    ), {"q": query}).scalar_one())
