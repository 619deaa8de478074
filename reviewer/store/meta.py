"""The ``meta`` table: small named values (schema version, ids, head of the audit chain).

Plain SQL text (``exec_driver_sql``): a key lookup then skips SQLAlchemy's
statement compilation and caching, several times its own cost, and still
starts the caller's transaction like any statement.
"""

from __future__ import annotations

from sqlalchemy import Connection

UPSERT = ("INSERT INTO meta (key, value) VALUES (?, ?) "
          "ON CONFLICT (key) DO UPDATE SET value = excluded.value")


def get(conn: Connection, key: str) -> str | None:
    value = conn.exec_driver_sql("SELECT value FROM meta WHERE key = ?", (key,)).scalar()
    return None if value is None else str(value)


def put(conn: Connection, key: str, value: str) -> None:
    conn.exec_driver_sql(UPSERT, (key, value))


def put_many(conn: Connection, values: dict[str, str]) -> None:
    conn.exec_driver_sql(UPSERT, list(values.items()))
