"""The ``meta`` table: small named values (schema version, ids, head of the audit chain)."""

from __future__ import annotations

from sqlalchemy import Connection, select
from sqlalchemy.dialects.sqlite import insert

from reviewer.store.schema import Meta


def get(conn: Connection, key: str) -> str | None:
    return conn.execute(select(Meta.value).where(Meta.key == key)).scalar_one_or_none()


def put(conn: Connection, key: str, value: str) -> None:
    stmt = insert(Meta).values(key=key, value=value)
    conn.execute(stmt.on_conflict_do_update(index_elements=[Meta.key], set_={"value": value}))


def put_many(conn: Connection, values: dict[str, str]) -> None:
    for key, value in values.items():
        put(conn, key, value)
