"""The review window on a 1,000- and a 1,000,000-conversation store.

Measures, each in a fresh process per store size:
- unlock-to-first-paint: open the store, build the window, show the first page
  and the first pending span, paint;
- jump to the last row: Ctrl+End in the browser, then paint (median of 5);
- keystroke-to-repaint: ``A`` on a span of a 200-message conversation, until the
  conversation view has repainted (median of 30);
- peak RSS of the process.

Prints each figure for 1M as a ratio to the 1k figure (goal: within 1.5x: the
cost must not grow with the matter) and keystroke-to-repaint as a ratio to one
frame at 60 Hz (goal: under 1). Stores are built with raw inserts through
``bulk_insert`` below and cached under /tmp across runs (the 1M one takes a
few minutes the first time).

    .venv/bin/python benchmarks/bench_browser.py [--sizes 1000 1000000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

CACHE = Path("/tmp/reviewer-bench-browser")
PASSPHRASE = "benchmark passphrase, not secret"
FRAME_MS = 1000 / 60
BIG_MESSAGES = 200
CHUNK = 20_000
NOW = "2025-01-01T00:00:00+00:00"
TEXT = "Please ask Jordan Rivers about the lease at 14 Canal Street before Friday."


def store_path(size: int) -> Path:
    """Keyed by schema version: a cached store of an older schema would be
    migrated inside the timed unlock."""
    from reviewer.store.migrations import CURRENT_VERSION

    return CACHE / f"browser-v{CURRENT_VERSION}-{size}.db"


def build(size: int) -> Path:
    """A store: conversation 1 has 200 messages with two spans each; the others one
    message and one pending span. Built once, then reused."""
    from reviewer.ops.stores import create_store

    path = store_path(size)
    done = path.with_suffix(".done")
    if done.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    store = create_store(path, PASSPHRASE, "bench")
    try:
        _fill(store, size)
    finally:
        store.close()
    done.touch()
    return path


def _fill(store: Any, size: int) -> None:

    with store.transaction() as conn:
        big = _conversation(1, BIG_MESSAGES)
        bulk_insert(conn, "conversations", [big])
        bulk_insert(conn, "messages", [_message(i + 1, 1, i) for i in range(BIG_MESSAGES)])
        bulk_insert(conn, "spans", [_span(s + 1, 1, s // 2 + 1, s % 2) for s in
                                 range(2 * BIG_MESSAGES)])
    next_span = 2 * BIG_MESSAGES + 1
    for first in range(2, size + 1, CHUNK):
        ids = range(first, min(first + CHUNK, size + 1))
        with store.transaction() as conn:
            bulk_insert(conn, "conversations", [_conversation(c, 1) for c in ids])
            bulk_insert(conn, "messages",
                               [_message(BIG_MESSAGES + c - 1, c, 0) for c in ids])
            bulk_insert(conn, "spans", [_span(next_span + k, c, BIG_MESSAGES + c - 1, 0)
                                     for k, c in enumerate(ids)])
        next_span += len(ids)


def bulk_insert(conn: Any, table: str, rows: list[dict[str, Any]]) -> None:
    """Raw rows straight to the driver's executemany (a million-row store in minutes).
    Conversations come with no spans counted: the store's triggers count the spans
    inserted after them."""
    from reviewer.store.schema import ConversationRow, MessageRow, SpanRow
    if not rows:
        return
    row_class = {"conversations": ConversationRow, "messages": MessageRow, "spans": SpanRow}[table]
    columns = [c.name for c in row_class.__table__.columns]
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    conn.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})",
                         [tuple(row[c] for c in columns) for row in rows])


def _conversation(cid: int, n_messages: int) -> dict[str, Any]:
    return {"id": cid, "source_file_id": None, "source_id": f"bench-{cid}",
            "title": f"Lease question {cid}", "created_at": NOW, "updated_at": None,
            "imported_at": NOW, "content_hash": f"{cid:064x}", "title_policy": None,
            "n_messages": n_messages, "n_pending": 0, "n_approved": 0, "n_rejected": 0}


def _message(mid: int, cid: int, idx: int) -> dict[str, Any]:
    return {"id": mid, "conversation_id": cid, "idx": idx,
            "role": "user" if idx % 2 == 0 else "assistant", "author": None,
            "created_at": NOW, "branch": "active", "visibility": "visible",
            "content_type": "text", "source_message_id": None, "placeholders": 0,
            "text": f"{TEXT} ({idx})", "analyzed_policy": "bench", "language": "en",
            "names_searched": True}


def _span(sid: int, cid: int, mid: int, which: int) -> dict[str, Any]:
    start, end, entity = ((11, 24, "PERSON"), (40, 55, "ADDRESS"))[which]
    return {"id": sid, "conversation_id": cid, "message_id": mid, "start": start, "end": end,
            "entity": entity, "score": 0.85, "recognizer": "bench", "explanation": "{}",
            "origin": "suggested", "status": "pending", "reason": None, "decided_by": None,
            "decided_at": None, "policy_hash": "bench", "created_at": NOW}


def measure(size: int) -> dict[str, float]:
    """Run inside a fresh process: the three timings and the peak RSS."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from reviewer.gui.app import application
    from reviewer.gui.settings import Settings
    from reviewer.gui.tasks import TaskRunner
    from reviewer.gui.window import MainWindow
    from reviewer.ops.stores import open_store

    app = application()
    path = store_path(size)
    t0 = time.perf_counter()
    store = open_store(path, PASSPHRASE)
    window = MainWindow(store, "bench", Settings(CACHE / f"settings-{size}.ini"), TaskRunner())
    window.show()
    window.start()
    window.repaint()
    first_paint = time.perf_counter() - t0
    while window.runner.running:  # counting in the background: let it end before timing keys
        app.processEvents()
        time.sleep(0.01)

    jumps = []
    for _ in range(5):
        QTest.keyClick(window.table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
        app.processEvents()
        t0 = time.perf_counter()
        QTest.keyClick(window.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
        window.table.viewport().repaint()
        jumps.append(time.perf_counter() - t0)
        assert window.model.rows[-1].id == size, "the last row is not shown"
        app.processEvents()
    jump = statistics.median(jumps)

    window.session.open_conversation(1)
    app.processEvents()
    keystrokes, commits = _keystrokes(app, window)
    window.close()
    store.close()
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"first_paint_ms": first_paint * 1000, "jump_last_ms": jump * 1000,
            "keystroke_ms": statistics.median(keystrokes) * 1000,
            "commit_ms": statistics.median(commits) * 1000, "peak_rss_mib": rss_kib / 1024}


def _keystrokes(app: Any, window: Any) -> tuple[list[float], list[float]]:
    """``A`` 30 times: from the key press to the conversation view's next paint event, and
    the part of it spent in the durable write (ops.decide: SQL, audit entry, fsync)."""
    from PySide6.QtCore import QEvent, QObject, Qt
    from PySide6.QtTest import QTest

    import reviewer.gui.reviewing as reviewing
    from reviewer.ops.decisions import undo

    painted: list[float] = []
    commits: list[float] = []

    class PaintClock(QObject):
        def eventFilter(self, _watched: QObject, event: QEvent) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Paint:
                painted.append(time.perf_counter())
            return False

    real_decide = reviewing.decide

    made: list[Any] = []

    def timed_decide(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            changes = real_decide(*args, **kwargs)
        finally:
            commits.append(time.perf_counter() - t0)
        made.extend(changes.decisions)
        return changes

    reviewing.decide = timed_decide
    clock = PaintClock()
    window.view.viewport().installEventFilter(clock)
    keystrokes = []
    for _ in range(30):
        painted.clear()
        t0 = time.perf_counter()
        QTest.keyClick(window.view, Qt.Key.Key_A)
        while not painted:
            app.processEvents()
        keystrokes.append(painted[0] - t0)
        app.processEvents()  # the inspector and browser catch up, outside the timing
    window.view.viewport().removeEventFilter(clock)
    reviewing.decide = real_decide
    # The cached store must start the next run as this one did: the spans go back to pending.
    undo(window.store, [d.id for d in made], "bench")
    return keystrokes, commits


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[1000, 1_000_000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return 0
    small, big = args.sizes
    for size in (small, big):
        t0 = time.perf_counter()
        build(size)
        print(f"store of {size:,} conversations ready ({time.perf_counter() - t0:.0f} s)")
    # Rounds alternate the sizes and each figure is the median over rounds, so load from
    # other processes on the machine falls on both sides alike.
    runs: dict[int, list[dict[str, float]]] = {small: [], big: []}
    for _ in range(args.rounds):
        for size in (small, big):
            out = subprocess.run([sys.executable, __file__, "--measure", str(size)],
                                 check=True, capture_output=True, text=True)
            runs[size].append(json.loads(out.stdout.strip().splitlines()[-1]))
    report(_medians(runs[small]), _medians(runs[big]), small, big)
    return 0


def _medians(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def report(base: dict[str, float], big: dict[str, float], small: int, large: int) -> None:
    print(f"\n{'figure':<24}{f'{small:,}':>12}{f'{large:,}':>14}{'ratio':>9}  goal <= 1.5")
    for key, label in (("first_paint_ms", "unlock-to-first-paint"),
                       ("jump_last_ms", "jump to last row"),
                       ("keystroke_ms", "keystroke-to-repaint"),
                       ("peak_rss_mib", "peak RSS (MiB)")):
        ratio = big[key] / base[key] if base[key] else float("inf")
        print(f"{label:<24}{base[key]:>12.1f}{big[key]:>14.1f}{ratio:>8.2f}x")
    for size, figures in ((small, base), (large, big)):
        frame = figures["keystroke_ms"] / FRAME_MS
        commit = figures["commit_ms"] / FRAME_MS
        print(f"keystroke-to-repaint at {size:,}: {frame:.2f} of one 60 Hz frame "
              f"(16.7 ms; goal < 1); of which the durable write (ops.decide, fsync "
              f"included) {commit:.2f} and the window {frame - commit:.2f}")


if __name__ == "__main__":
    raise SystemExit(main())
