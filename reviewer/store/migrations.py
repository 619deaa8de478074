"""Schema versions and the explicit, ordered migrations between them.

``meta.schema_version`` says what a file holds. Opening a file applies every
step above its version in one transaction; a file from a newer program is
refused, never touched. The functions here work on the connection they are
given: ``reviewer.store.database`` opens the store and drives them.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection

from reviewer import __version__
from reviewer.domain.errors import StoreOpenError
from reviewer.store import keys, meta
from reviewer.store.rows import MESSAGE_VALUE_COLUMNS, content_hash
from reviewer.store.schema import COUNTER_TRIGGERS, FTS_DDL, RECOUNT, Base

CURRENT_VERSION = 6


def _v2_leaner_search_index(conn: Connection) -> None:
    """The search index tables as ``schema.FTS_TABLES`` makes them (no per-row
    token counts, automerge 8), rebuilt from the stored text: search finds what
    it found before, and later imports index faster."""
    for trigger in ("messages_fts_ad", "conversations_fts_ad"):
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")
    for table in ("message_fts", "title_fts"):
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
    for ddl in FTS_DDL:
        conn.exec_driver_sql(ddl)
    for table, key, source in (("message_fts", "fts_messages_upto", "messages"),
                               ("title_fts", "fts_titles_upto", "conversations")):
        conn.exec_driver_sql(f"INSERT INTO {table}({table}) VALUES ('rebuild')")
        top = conn.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {source}").scalar_one()
        meta.put(conn, key, str(top))


HASH_PAGE = 1000


def _v2_content_hashes_over_rows(conn: Connection) -> None:
    """Content hashes as ``reviewer.store.rows.content_hash`` takes them from
    version 2 on, recomputed from the stored rows (which hold everything the
    hash covers), so files imported before still count as already present. Two
    conversations that only the old hash told apart keep the later one's old hash."""
    after = 0
    while heads := conn.exec_driver_sql(
            "SELECT id, source_id, title, created_at FROM conversations WHERE id > ? "
            "ORDER BY id LIMIT ?", (after, HASH_PAGE)).all():
        messages: dict[int, list[tuple[Any, ...]]] = {}
        for row in conn.exec_driver_sql(
                f"SELECT conversation_id, {MESSAGE_VALUE_COLUMNS} FROM messages "
                "WHERE conversation_id BETWEEN ? AND ? ORDER BY conversation_id, idx",
                (heads[0][0], heads[-1][0])):
            messages.setdefault(row[0], []).append(tuple(row[1:]))
        for conv_id, *head in heads:
            digest = content_hash(tuple(head), messages.get(conv_id, []))
            conn.exec_driver_sql(
                "UPDATE conversations SET content_hash = ? WHERE id = ? AND NOT EXISTS "
                "(SELECT 1 FROM conversations WHERE content_hash = ?)", (digest, conv_id, digest))
        after = heads[-1][0]


def _v2(conn: Connection) -> None:
    _v2_leaner_search_index(conn)
    _v2_content_hashes_over_rows(conn)


def _v3_message_language(conn: Connection) -> None:
    """The language the analysis identified in each message, and whether names were
    looked for there; unknown (NULL) until the message is analysed again."""
    conn.exec_driver_sql("ALTER TABLE messages ADD COLUMN language VARCHAR")
    conn.exec_driver_sql("ALTER TABLE messages ADD COLUMN names_searched BOOLEAN")


def _v4_counters_by_triggers(conn: Connection) -> None:
    """The span counters of every conversation kept by triggers from now on, and
    counted afresh from the spans (which repairs counters that drifted before)."""
    for ddl in (*RECOUNT, *COUNTER_TRIGGERS):
        conn.exec_driver_sql(ddl)


# Schema 5 as released: written out, so later changes to the models cannot alter it.
_V5_QC_DDL = (
    "CREATE TABLE qc_samples (id INTEGER NOT NULL, kind VARCHAR NOT NULL, "
    "seed VARCHAR NOT NULL, size INTEGER NOT NULL, population INTEGER NOT NULL, "
    "drawn_by VARCHAR NOT NULL, drawn_at VARCHAR NOT NULL, PRIMARY KEY (id))",
    "CREATE TABLE qc_items (id INTEGER NOT NULL, sample_id INTEGER NOT NULL, "
    "position INTEGER NOT NULL, kind VARCHAR NOT NULL, span_id INTEGER, message_id INTEGER, "
    "status VARCHAR, PRIMARY KEY (id), FOREIGN KEY(sample_id) REFERENCES qc_samples (id))",
    "CREATE INDEX ix_qc_items_sample ON qc_items (sample_id, position)",
    "CREATE INDEX ix_qc_items_span ON qc_items (span_id)",
    "CREATE INDEX ix_qc_items_message ON qc_items (message_id)",
    "CREATE TABLE qc_verdicts (id INTEGER NOT NULL, item_id INTEGER NOT NULL, "
    "verdict VARCHAR NOT NULL, reason TEXT, span_id INTEGER, reviewer VARCHAR NOT NULL, "
    "decided_at VARCHAR NOT NULL, PRIMARY KEY (id), FOREIGN KEY(item_id) REFERENCES qc_items (id))",
    "CREATE INDEX ix_qc_verdicts_item_id ON qc_verdicts (item_id)",
)


def _v5_quality_control(conn: Connection) -> None:
    """The quality-control tables: samples, their items and the verdicts on them."""
    for ddl in _V5_QC_DDL:
        conn.exec_driver_sql(ddl)


# Schema 6 as released, written out as SQLAlchemy makes it for a new store.
_V6_BATCH_DDL = (
    "CREATE TABLE batches (batch_id VARCHAR NOT NULL, number INTEGER NOT NULL, "
    "file_name VARCHAR NOT NULL, conversations INTEGER NOT NULL, "
    "decisions_upto INTEGER NOT NULL, matter_head_seq INTEGER NOT NULL, "
    "matter_head_hash VARCHAR(64) NOT NULL, created_at VARCHAR NOT NULL, "
    "created_by VARCHAR NOT NULL, PRIMARY KEY (batch_id))",
    "CREATE TABLE batch_conversations (batch_id VARCHAR NOT NULL, "
    "conversation_id INTEGER NOT NULL, PRIMARY KEY (batch_id, conversation_id), "
    "FOREIGN KEY(batch_id) REFERENCES batches (batch_id))",
    "CREATE TABLE batch_spans (id INTEGER NOT NULL, batch_id VARCHAR NOT NULL, "
    "batch_span_id INTEGER NOT NULL, span_id INTEGER NOT NULL, status VARCHAR NOT NULL, "
    "entity VARCHAR NOT NULL, reason VARCHAR, PRIMARY KEY (id), "
    "UNIQUE (batch_id, batch_span_id), FOREIGN KEY(batch_id) REFERENCES batches (batch_id))",
    "CREATE INDEX ix_batch_spans_span ON batch_spans (span_id)",
    "CREATE TABLE batch_merges (id INTEGER NOT NULL, batch_id VARCHAR NOT NULL, "
    "head_seq INTEGER NOT NULL, head_hash VARCHAR(64) NOT NULL, "
    "decisions_upto INTEGER NOT NULL, audit_seq INTEGER NOT NULL, "
    "merged_at VARCHAR NOT NULL, merged_by VARCHAR NOT NULL, PRIMARY KEY (id), "
    "FOREIGN KEY(batch_id) REFERENCES batches (batch_id))",
    "CREATE INDEX ix_batch_merges_batch_id ON batch_merges (batch_id)",
    "CREATE TABLE batch_conflicts (id INTEGER NOT NULL, batch_id VARCHAR NOT NULL, "
    "span_id INTEGER NOT NULL, kind VARCHAR NOT NULL, status VARCHAR NOT NULL, "
    "entity VARCHAR NOT NULL, reason VARCHAR, decided_by VARCHAR, decided_at VARCHAR, "
    "matter_status VARCHAR, matter_entity VARCHAR, matter_reason VARCHAR, "
    "matter_decisions_upto INTEGER NOT NULL, found_at VARCHAR NOT NULL, "
    "resolved_at VARCHAR, PRIMARY KEY (id), "
    "FOREIGN KEY(batch_id) REFERENCES batches (batch_id))",
    "CREATE INDEX ix_batch_conflicts_span ON batch_conflicts (span_id, id)",
)


def _v6_review_batches(conn: Connection) -> None:
    """The review-batch tables: batches issued, their conversations and the state of
    each of their spans at the split, merges with the batches' audit heads, conflicts."""
    for ddl in _V6_BATCH_DDL:
        conn.exec_driver_sql(ddl)


# version N -> the step that takes a version N-1 store to N. Add new steps here;
# never edit a released one.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {
    2: _v2, 3: _v3_message_language, 4: _v4_counters_by_triggers,
    5: _v5_quality_control, 6: _v6_review_batches}


def initialise(conn: Connection, store_id: str) -> None:
    """Create the schema, identity and signing key of a new store."""
    Base.metadata.create_all(conn)
    for ddl in (*FTS_DDL, *COUNTER_TRIGGERS):
        conn.exec_driver_sql(ddl)
    signing_key = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    meta.put_many(conn, {
        "schema_version": str(CURRENT_VERSION),
        "store_id": store_id,
        "created_by_version": __version__,
        "kdf": json.dumps(keys.KDF_V1.as_dict()),
        "signing_key": base64.b64encode(signing_key).decode("ascii"),
    })


def schema_version(conn: Connection, path: Path) -> int:
    """The schema version of the store at ``path``; one this program cannot read is refused."""
    version = int(meta.get(conn, "schema_version") or 0)
    if version > CURRENT_VERSION:
        raise StoreOpenError(
            f"{path} was written by a newer Redaction Reviewer (schema {version}; "
            f"this version reads up to {CURRENT_VERSION}): upgrade the program."
        )
    if version < 1:
        raise StoreOpenError(f"{path} has no schema: it is not a finished store.")
    return version


def upgrade(conn: Connection, path: Path) -> None:
    """Bring the store to the current schema, inside the caller's write transaction."""
    for step in range(schema_version(conn, path) + 1, CURRENT_VERSION + 1):
        MIGRATIONS[step](conn)
        meta.put(conn, "schema_version", str(step))


def store_id(conn: Connection, path: Path) -> str:
    found = meta.get(conn, "store_id")
    if not found:
        raise StoreOpenError(f"{path} has no store id: it is damaged.")
    return found
