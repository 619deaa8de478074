"""Quality-control samples, their items and the verdicts on them (schema 5).

A decision sample draws from decided spans (not upstream markers), an elusion
sample from analysed messages that hold no span at all. Neither draws an item
an earlier sample of its kind holds, so the samples of a kind add up to one
larger random sample.
The latest verdict on an item is the one that counts; every verdict is kept,
but the one a missed span brought when that span is undone (the audit log keeps both).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from reviewer.domain.errors import RefusedError
from reviewer.domain.qc_stats import DECISIONS, Tally
from reviewer.store.sql import driver
from reviewer.store.times import utc_now

# Upstream markers arrived redacted: approved by the import, not by a reviewer, they
# would only dilute a check of reviewers' decisions.
_DECIDED = (
    "SELECT id FROM spans WHERE status IN ('approved', 'rejected') AND origin != 'upstream' "
    "AND id NOT IN "
    "(SELECT span_id FROM qc_items WHERE kind = 'decision' AND span_id IS NOT NULL) ORDER BY id"
)
_SPANLESS = (
    "SELECT m.id FROM messages AS m WHERE m.analyzed_policy = ? AND m.text != '' "
    "AND NOT EXISTS (SELECT 1 FROM spans AS s WHERE s.message_id = m.id) AND m.id NOT IN "
    "(SELECT message_id FROM qc_items WHERE kind = 'elusion' AND message_id IS NOT NULL) "
    "ORDER BY m.id"
)
_ITEM_SELECT = (
    "SELECT i.id, i.sample_id, i.kind, i.span_id, i.message_id, i.status, v.verdict, v.reason "
    "FROM qc_items AS i LEFT JOIN qc_verdicts AS v ON v.id = "
    "(SELECT max(id) FROM qc_verdicts WHERE item_id = i.id)"
)


@dataclass(frozen=True)
class QcItem:
    """One sampled item and its latest verdict (None: not yet reviewed)."""

    id: int
    sample_id: int
    kind: str  # 'decision' or 'elusion'
    span_id: int | None
    message_id: int | None
    status: str | None  # a decision item's span status when drawn
    verdict: str | None
    reason: str | None

    def as_dict(self) -> dict[str, str]:
        """The contract's ``qc sample --json`` item."""
        key, value = (("span_id", self.span_id) if self.kind == "decision"
                      else ("message_id", self.message_id))
        return {"id": str(self.id), "kind": self.kind, key: str(value)}


@dataclass(frozen=True)
class QcSample:
    id: int
    kind: str
    seed: str
    size: int
    population: int
    drawn_by: str
    drawn_at: str


def population(conn: Connection, kind: str, policy_hash: str) -> array[int]:
    """The ids a new sample of ``kind`` draws from, in id order."""
    query, params = (_DECIDED, ()) if kind == DECISIONS else (_SPANLESS, (policy_hash,))
    ids = array("q")
    cursor = driver(conn).execute(query, params)
    while rows := cursor.fetchmany(10_000):
        ids.extend(r[0] for r in rows)
    return ids


def sample_with_seed(conn: Connection, kind: str, seed: str) -> QcSample | None:
    row = driver(conn).execute(
        f"SELECT {_SAMPLE_COLUMNS} FROM qc_samples WHERE kind = ? AND seed = ? ORDER BY id LIMIT 1",
        (kind, seed)).fetchone()
    return None if row is None else QcSample(*row)


_SAMPLE_COLUMNS = "id, kind, seed, size, population, drawn_by, drawn_at"


def samples(conn: Connection) -> list[QcSample]:
    rows = driver(conn).execute(f"SELECT {_SAMPLE_COLUMNS} FROM qc_samples ORDER BY id")
    return [QcSample(*row) for row in rows]


def add_sample(conn: Connection, kind: str, seed: str, size: int, population_size: int,
               picked: Sequence[int], reviewer: str) -> QcSample:
    """Record a drawn sample: ``picked`` are span ids (decisions) or message ids (elusion)."""
    raw = driver(conn)
    now = utc_now()
    sample_id = int(raw.execute(
        "INSERT INTO qc_samples (kind, seed, size, population, drawn_by, drawn_at) "
        "VALUES (?, ?, ?, ?, ?, ?)", (kind, seed, size, population_size, reviewer, now)).lastrowid)
    rows: list[tuple[int, int, str, int | None, int | None, str | None]]
    if kind == DECISIONS:
        status = dict(_span_statuses(conn, picked))
        rows = [(sample_id, n, "decision", i, None, status.get(i)) for n, i in enumerate(picked)]
    else:
        rows = [(sample_id, n, "elusion", None, i, None) for n, i in enumerate(picked)]
    raw.executemany("INSERT INTO qc_items (sample_id, position, kind, span_id, message_id, "
                    "status) VALUES (?, ?, ?, ?, ?, ?)", rows)
    return QcSample(sample_id, kind, seed, size, population_size, reviewer, now)


def _span_statuses(conn: Connection, span_ids: Sequence[int]) -> Iterable[tuple[int, str]]:
    raw = driver(conn)
    for start in range(0, len(span_ids), 500):
        chunk = list(span_ids[start:start + 500])
        yield from raw.execute(f"SELECT id, status FROM spans WHERE id IN "
                               f"({','.join('?' * len(chunk))})", chunk).fetchall()


def items_of(conn: Connection, sample_id: int) -> list[QcItem]:
    rows = driver(conn).execute(f"{_ITEM_SELECT} WHERE i.sample_id = ? ORDER BY i.position",
                                (sample_id,))
    return [QcItem(*row) for row in rows]


def all_items(conn: Connection) -> list[QcItem]:
    """Every item of every sample, in the order they were drawn."""
    rows = driver(conn).execute(f"{_ITEM_SELECT} ORDER BY i.sample_id, i.position")
    return [QcItem(*row) for row in rows]


def get_items(conn: Connection, item_ids: Sequence[int]) -> list[QcItem]:
    """The items asked for, in that order; an id no sample holds is refused."""
    found: dict[int, QcItem] = {}
    raw = driver(conn)
    for start in range(0, len(item_ids), 500):
        chunk = list(item_ids[start:start + 500])
        query = f"{_ITEM_SELECT} WHERE i.id IN ({','.join('?' * len(chunk))})"
        found.update((row[0], QcItem(*row)) for row in raw.execute(query, chunk))
    missing = [i for i in item_ids if i not in found]
    if missing:
        raise RefusedError(f"No QC sample holds item {missing[0]}: the item ids are the ones "
                           "'reviewer qc sample' printed. Nothing was recorded.")
    return [found[i] for i in item_ids]


def add_verdicts(conn: Connection, verdicts: Sequence[tuple[int, str]], reason: str | None,
                 reviewer: str, span_id: int | None = None) -> list[int]:
    """Record ``(item_id, verdict)`` pairs; the ids of the verdict rows."""
    raw = driver(conn)
    now = utc_now()
    return [int(raw.execute(
        "INSERT INTO qc_verdicts (item_id, verdict, reason, span_id, reviewer, decided_at) "
        "VALUES (?, ?, ?, ?, ?, ?)", (item_id, verdict, reason, span_id, reviewer, now)).lastrowid)
        for item_id, verdict in verdicts]


def missed_verdict(conn: Connection, span_id: int) -> tuple[int, int] | None:
    """(verdict id, item id) of the ``missed`` verdict that made the manual span ``span_id``."""
    row = driver(conn).execute(
        "SELECT id, item_id FROM qc_verdicts WHERE span_id = ? AND verdict = 'missed'",
        (span_id,)).fetchone()
    return None if row is None else (int(row[0]), int(row[1]))


def drop_verdict(conn: Connection, verdict_id: int) -> None:
    """Forget a verdict (its missed span was undone): the item's earlier one counts again."""
    driver(conn).execute("DELETE FROM qc_verdicts WHERE id = ?", (verdict_id,))


def tally(items: Iterable[QcItem], kind: str) -> Tally:
    """The counts of one kind of item: drawn, with a verdict, and found wrong."""
    error = "disagree" if kind == "decision" else "missed"
    of_kind = [i for i in items if i.kind == kind]
    return Tally(sampled=len(of_kind), reviewed=sum(i.verdict is not None for i in of_kind),
                 errors=sum(i.verdict == error for i in of_kind))


def conversation_of_message(conn: Connection, message_id: int) -> int:
    row = driver(conn).execute("SELECT conversation_id FROM messages WHERE id = ?",
                               (message_id,)).fetchone()
    if row is None:
        raise RefusedError(f"Message {message_id} is no longer in this store.")
    return int(row[0])
