"""Encrypted store vs plain stdlib sqlite3 on the same 100,000 messages (~1 KB each).

Prints ratios (encrypted / plain) for: inserting, reading every message in keyset
pages, and primary-key lookups. Goals (issue 2): insert <= 2.5x, page reads <= 1.5x.

The encrypted side uses the real path (``store.conversations.add_conversation``,
one transaction per conversation, its text indexed in FTS5). The plain side is
stdlib ``sqlite3`` on a file with the same schema (tables, indexes, FTS5 index),
inserting the same rows with ``executemany`` and indexing each conversation's
text: the ratio is the price of encryption and of our code path, not of features
the plain file lacks. Both use WAL with
synchronous=FULL. Inserts alternate in chunks between the two sides, so load
from other jobs falls on both. Page reads and lookups are timed cold (first pass
after the inserts, through a fresh connection) and warm (second pass).

    .venv/bin/python benchmarks/bench_store.py [--messages 100000]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from sqlalchemy import create_engine

from reviewer.domain.models import Conversation, Message
from reviewer.ops.stores import create_store
from reviewer.store import conversations
from reviewer.store.database import Store
from reviewer.store.rows import conversation_rows
from reviewer.store.schema import FTS_DDL, Base
from reviewer.store.sql import driver

PER_CONVERSATION = 100
PAGE = 500
LOOKUPS = 10_000
SAMPLE = ("the tenant wrote to the landlord about the deposit and the repair of the boiler "
          "please call me back tomorrow at the office regarding invoice number")
WORDS = SAMPLE.split()


def make_conversations(n_messages: int) -> list[Conversation]:
    rng = random.Random(42)
    out = []
    for c in range(n_messages // PER_CONVERSATION):
        msgs = tuple(
            Message(index=i, role="user" if i % 2 == 0 else "assistant",
                    text=" ".join(rng.choice(WORDS) for _ in range(170))[:1000])
            for i in range(PER_CONVERSATION)
        )
        out.append(Conversation(source_id=f"conv-{c}", title=f"Conversation {c}", messages=msgs))
    return out


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def plain_schema(path: Path) -> None:
    """The store's own schema, created in a plain (unencrypted) SQLite file."""
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        Base.metadata.create_all(conn)
        for ddl in FTS_DDL:
            conn.exec_driver_sql(ddl)
    engine.dispose()


def plain_insert(db: sqlite3.Connection, convs: list[Conversation]) -> None:
    for conv in convs:
        with db:
            cur = db.execute(
                "INSERT INTO conversations (source_id, title, imported_at, content_hash, "
                "n_messages, n_pending, n_approved, n_rejected) VALUES (?, ?, '', ?, ?, 0, 0, 0)",
                (conv.source_id, conv.title, conversation_rows(conv).content_hash,
                 len(conv.messages)),
            )
            db.executemany(
                "INSERT INTO messages (conversation_id, idx, role, branch, visibility, "
                "content_type, placeholders, text) "
                "VALUES (?, ?, ?, 'active', 'visible', 'text', 0, ?)",
                [(cur.lastrowid, m.index, m.role, m.text) for m in conv.messages],
            )
            db.execute("INSERT INTO message_fts(rowid, text) "
                       "SELECT id, text FROM messages WHERE conversation_id = ?", (cur.lastrowid,))
            db.execute("INSERT INTO title_fts(rowid, title) VALUES (?, ?)",
                       (cur.lastrowid, conv.title or ""))


def store_insert(store: Store, convs: list[Conversation]) -> None:
    for conv in convs:
        with store.transaction() as conn:
            conversations.add_conversation(conn, conv, None)


PAGE_SQL = ("SELECT id, conversation_id, idx, role, text FROM messages "
            "WHERE id > ? ORDER BY id LIMIT ?")
LOOKUP_SQL = "SELECT id, conversation_id, idx, role, text FROM messages WHERE id = ?"


def plain_pages(db: sqlite3.Connection) -> int:
    after, seen = 0, 0
    while rows := db.execute(PAGE_SQL, (after, PAGE)).fetchall():
        after, seen = rows[-1][0], seen + len(rows)
    return seen


def store_pages(store: Store) -> int:
    after, seen = 0, 0
    with store.reading() as conn:
        while rows := driver(conn).execute(PAGE_SQL, (after, PAGE)).fetchall():
            after, seen = rows[-1][0], seen + len(rows)
    return seen


def plain_lookups(db: sqlite3.Connection, ids: list[int]) -> None:
    for i in ids:
        db.execute(LOOKUP_SQL, (i,)).fetchone()


def store_lookups(store: Store, ids: list[int]) -> None:
    with store.reading() as conn:
        for i in ids:
            driver(conn).execute(LOOKUP_SQL, (i,)).fetchone()


CHUNKS = 20


def interleaved_insert(
    store: Store, db: sqlite3.Connection, convs: list[Conversation]
) -> tuple[float, float]:
    """Both sides insert the same chunk in turn, so a load spike on the shared
    machine hits both rather than one."""
    size = max(1, len(convs) // CHUNKS)
    enc = plain = 0.0
    for at in range(0, len(convs), size):
        chunk = convs[at:at + size]
        enc += timed(partial(store_insert, store, chunk))
        plain += timed(partial(plain_insert, db, chunk))
    return enc, plain


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    args = parser.parse_args()
    convs = make_conversations(args.messages)
    ids = random.Random(1).sample(range(1, args.messages + 1), min(LOOKUPS, args.messages))
    with tempfile.TemporaryDirectory() as tmp:
        plain_schema(Path(tmp) / "plain.db")
        db = sqlite3.connect(Path(tmp) / "plain.db")
        db.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;")
        store = create_store(Path(tmp) / "enc.db", "benchmark store of synthetic text", "bench")
        results = {"insert": interleaved_insert(store, db, convs)}
        store.reader.dispose()  # cold: the reads start on a fresh connection
        db.close()
        db = sqlite3.connect(Path(tmp) / "plain.db")
        for temp in ("cold", "warm"):
            results[f"keyset page reads ({temp})"] = (
                timed(lambda: store_pages(store)), timed(lambda: plain_pages(db)))
            results[f"primary-key lookups ({temp})"] = (
                timed(lambda: store_lookups(store, ids)), timed(lambda: plain_lookups(db, ids)))
        store.close()
        db.close()
    goals = {"insert": 2.5, "keyset page reads (cold)": 1.5, "keyset page reads (warm)": 1.5}
    print(f"{args.messages:,} messages of ~1 KB; encrypted store vs plain sqlite3 "
          "(ratio = encrypted time / plain time)")
    for name, (enc, plain) in results.items():
        goal = f"  goal <= {goals[name]}x" if name in goals else ""
        verdict = "" if not goal else ("  ok" if enc / plain <= goals[name] else "  MISSED")
        print(f"  {name:<30} {enc / plain:5.2f}x{goal}{verdict}")


if __name__ == "__main__":
    main()
