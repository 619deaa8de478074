"""Schema versions and the explicit, ordered migrations between them.

``meta.schema_version`` says what a file holds. Opening a file applies every
step above its version in one transaction; a file from a newer program is
refused, never touched.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection

from reviewer import __version__
from reviewer.domain.errors import StoreOpenError
from reviewer.store import keys, meta
from reviewer.store.database import Store
from reviewer.store.schema import FTS_DDL, Base

CURRENT_VERSION = 2


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


# version N -> the step that takes a version N-1 store to N. Add new steps here;
# never edit a released one.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {2: _v2_leaner_search_index}


def initialise(store: Store, store_id: str) -> str:
    """Create the schema, identity and signing key of a new store."""
    with store.transaction() as conn:
        Base.metadata.create_all(conn)
        for ddl in FTS_DDL:
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
    return store_id


def upgrade(store: Store) -> str:
    """Bring an opened store to the current schema; return its store id."""
    with store.transaction() as conn:
        version = int(meta.get(conn, "schema_version") or 0)
        if version > CURRENT_VERSION:
            raise StoreOpenError(
                f"{store.path} was written by a newer Redaction Reviewer (schema {version}; "
                f"this version reads up to {CURRENT_VERSION}): upgrade the program."
            )
        if version < 1:
            raise StoreOpenError(f"{store.path} has no schema: it is not a finished store.")
        for step in range(version + 1, CURRENT_VERSION + 1):
            MIGRATIONS[step](conn)
            meta.put(conn, "schema_version", str(step))
        store_id = meta.get(conn, "store_id")
    if not store_id:
        raise StoreOpenError(f"{store.path} has no store id: it is damaged.")
    return store_id

