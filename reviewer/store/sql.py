"""Small SQL helpers shared by the repositories."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
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


@contextlib.contextmanager
def page_cache(conn: Connection, kib: int) -> Iterator[None]:
    """At most ``kib`` KiB of decrypted pages cached on ``conn`` until the block ends.

    For work that passes over much of the store once (an export reading it, an
    import writing it): a large cache would only fill up and make that work's
    memory grow with the store. The cache's size before is restored after.
    """
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
    conn.exec_driver_sql(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")
