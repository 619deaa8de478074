"""Small builders for test stores (conversations with spans), shared by store tests."""

from __future__ import annotations

from reviewer.domain.models import Conversation, Message, Suggestion
from reviewer.store import conversations, spans
from reviewer.store.database import Store


def add_conversation_with_spans(store: Store, source_id: str = "c1", n_spans: int = 3) -> int:
    """One conversation with one user message holding ``n_spans`` PERSON spans."""
    words = [f"Name{i:03d}" for i in range(n_spans)]
    text = " and ".join(words)
    conv = Conversation(source_id=source_id, title=f"About {source_id}",
                        messages=(Message(index=0, role="user", text=text),))
    with store.transaction() as conn:
        conv_id = conversations.add_conversation(conn, conv, None)
        assert conv_id is not None
        message_id = conversations.get_conversation(conn, conv_id).messages[0].id
        found, pos = [], 0
        for word in words:
            start = text.index(word, pos)
            pos = start + len(word)
            found.append(Suggestion(start, pos, "PERSON", 0.85, "test"))
        spans.add(conn, conv_id, message_id, found, policy_hash="test")
    return conv_id
