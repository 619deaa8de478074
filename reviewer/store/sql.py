"""Small SQL helpers shared by the repositories."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, CursorResult


def inserted_id(result: CursorResult[Any]) -> int:
    """The integer primary key of the row an INSERT just wrote."""
    key = result.inserted_primary_key
    if key is None:
        raise RuntimeError("the INSERT returned no primary key")
    return int(key[0])


def driver(conn: Connection) -> Any:
    """The DB-API connection under ``conn``, for hot read paths.

    SQLAlchemy's per-statement overhead (tens of microseconds) dominates a
    primary-key lookup on cached pages; the few queries the browser issues per
    repaint go straight to the driver, inside the same transaction.
    """
    raw = conn.connection.dbapi_connection
    if raw is None:
        raise RuntimeError("the connection is closed")
    return raw
