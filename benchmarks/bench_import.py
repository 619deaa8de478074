"""Import speed and memory: our streaming import vs the naive baseline.

Generates ChatGPT exports (``conversations.json`` as the real export shapes it:
a ``mapping`` tree per conversation with hidden system and context messages,
edits, regenerations, image pointers, code and tool output), then imports each
file twice, each run in its own process so peak RSS is that run's alone:

- ours: ``reviewer.ops.importing.import_files`` into a fresh encrypted store:
  a reader process streams the file (C JSON decoder, one conversation at a
  time, hostile-input guard), builds and hashes the rows, while the importing
  process inserts them (SQLCipher), indexes them for search (FTS5) and commits
  one transaction with its audit entry;
- baseline: ``json.load`` of the whole file, a walk of every mapping node, and
  plain stdlib ``sqlite3`` ``executemany`` inserts of the same messages into an
  unencrypted, unindexed file, one transaction.

Prints MB/s for each and the ratio ours/baseline (goal: >= 0.5x), the CPU
seconds of each (ours: both processes), and the peak RSS of both at each size
(goal for ours, both processes together: < 400 MB, flat as the file grows).
Peak RSS is counted from the start of the timed section (``clear_refs`` on
Linux), so the store's memory-hard key derivation before it does not count.

    .venv/bin/python benchmarks/bench_import.py            # ~50 MB and ~200 MB
    .venv/bin/python benchmarks/bench_import.py --small    # ~5 MB and ~20 MB
    .venv/bin/python benchmarks/bench_import.py --repeat 3 # fastest of 3 runs each

Each size runs ours and the baseline alternately (``--repeat``; 3 by default with
``--small``, else 1) and keeps each one's fastest run, because other work on the
machine only ever slows a run down. CPU seconds are printed beside wall time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PASSPHRASE = "benchmark store of synthetic text"
VOCABULARY = ("the tenant wrote to landlord about deposit and repair of boiler please call me "
              "back tomorrow at office regarding invoice number Dana Whitfield Priya Raman "
              "Leeds Bristol hearing moved to April contract signed payment overdue email")
WORDS = tuple(VOCABULARY.split())
SIZES = {"full": (5_000, 20_000), "small": (500, 2_000)}


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def node(mapping: dict[str, Any], node_id: str, parent: str | None, message: Any) -> None:
    mapping[node_id] = {"id": node_id, "message": message, "parent": parent, "children": []}
    if parent is not None:
        mapping[parent]["children"].append(node_id)


def message(node_id: str, role: str, ctype: str, when: float, **content: Any) -> dict[str, Any]:
    hidden = {"is_visually_hidden_from_conversation": True} if role == "system" else {}
    return {"id": node_id, "author": {"role": role, "name": None, "metadata": {}},
            "create_time": when, "update_time": None,
            "content": {"content_type": ctype, **content}, "status": "finished_successfully",
            "end_turn": True, "weight": 1.0, "metadata": hidden, "recipient": "all",
            "channel": None}


def conversation(rng: random.Random, number: int) -> dict[str, Any]:
    """About 10 KB: a system message, 8 turns, one edit, one regeneration, one image."""
    mapping: dict[str, Any] = {}
    start = 1_700_000_000 + number * 600.0
    node(mapping, "root", None, None)
    node(mapping, "sys", "root", message("sys", "system", "text", start, parts=[""]))
    parent = "sys"
    for turn in range(8):
        user, bot = f"u{turn}", f"a{turn}"
        parts: list[Any] = [sentence(rng, 25)]
        if turn == 2:
            parts.insert(0, {"content_type": "image_asset_pointer",
                             "asset_pointer": f"file-service://file-{number}x{turn}",
                             "size_bytes": 1000, "width": 10, "height": 10})
        node(mapping, user, parent, message(user, "user", "multimodal_text" if turn == 2
                                            else "text", start + turn * 20, parts=parts))
        if turn == 3:
            node(mapping, f"{bot}-old", user, message(f"{bot}-old", "assistant", "text",
                                                      start + turn * 20 + 5,
                                                      parts=[sentence(rng, 42)]))
        node(mapping, bot, user, message(bot, "assistant", "text", start + turn * 20 + 10,
                                         parts=[sentence(rng, 42)]))
        parent = bot
    node(mapping, "u-edit", "a4", message("u-edit", "user", "text", start + 500,
                                          parts=[sentence(rng, 30)]))
    return {"title": sentence(rng, 5), "create_time": start, "update_time": start + 600,
            "mapping": mapping, "moderation_results": [], "current_node": parent,
            "conversation_id": f"bench-{number:06d}", "id": f"bench-{number:06d}"}


def generate(path: Path, count: int) -> None:
    rng = random.Random(count)
    with path.open("w", encoding="utf-8") as out:
        out.write("[")
        for number in range(count):
            out.write("," if number else "")
            json.dump(conversation(rng, number), out, ensure_ascii=False)
        out.write("]")


# --- the two contenders, each run in a child process ------------------------------------


def run_ours(export: Path, work: Path) -> dict[str, Any]:
    from reviewer.ops.importing import import_files
    from reviewer.ops.stores import create_store

    store = create_store(work / "bench.db", PASSPHRASE, "bench")
    reset_peak_rss()
    try:
        start, cpu = time.perf_counter(), time.process_time()
        report = import_files(store, [export], "bench")
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    finally:
        store.close()
    if report.failed:
        raise SystemExit(f"import failed: {report.error_lines()}")
    # A large file is parsed by a reader process (reviewer.ops.import_reader): its CPU
    # and peak RSS count too. Store creation starts no process, so all of
    # RUSAGE_CHILDREN is the reader's.
    reader = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"seconds": elapsed, "cpu": cpu, "reader_cpu": reader.ru_utime + reader.ru_stime,
            "reader_rss_mb": reader.ru_maxrss / 1024, "messages": report.totals()["messages"]}


def baseline_text(content: dict[str, Any]) -> str:
    return "\n".join(p if isinstance(p, str) else "[image]" for p in content.get("parts", []))


def run_baseline(export: Path, work: Path) -> dict[str, Any]:
    reset_peak_rss()
    start, cpu = time.perf_counter(), time.process_time()
    with export.open("rb") as handle:
        data = json.load(handle)
    db = sqlite3.connect(work / "plain.db", isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    db.execute("CREATE TABLE conversations (id INTEGER PRIMARY KEY, source_id TEXT, title TEXT)")
    db.execute("CREATE TABLE messages (id INTEGER PRIMARY KEY, conversation_id INTEGER, "
               "idx INTEGER, role TEXT, text TEXT)")
    db.execute("BEGIN")
    count = 0
    for conv in data:
        conv_id = db.execute("INSERT INTO conversations (source_id, title) VALUES (?, ?)",
                             (conv["id"], conv["title"])).lastrowid
        rows = [(conv_id, i, n["message"]["author"]["role"], baseline_text(n["message"]["content"]))
                for i, n in enumerate(conv["mapping"].values()) if n["message"]]
        db.executemany("INSERT INTO messages (conversation_id, idx, role, text) "
                       "VALUES (?, ?, ?, ?)", rows)
        count += len(rows)
    db.execute("COMMIT")
    db.close()
    return {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu,
            "messages": count}


def reset_peak_rss() -> None:
    """Start the peak-RSS count afresh (Linux), so the store's key derivation
    and imports made before the timed section do not count."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_rss_mb() -> float:
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(kind: str, export: Path) -> None:
    with tempfile.TemporaryDirectory() as work:
        result = (run_ours if kind == "ours" else run_baseline)(export, Path(work))
    result["importing_rss_mb"] = peak_rss_mb()
    result["peak_rss_mb"] = result["importing_rss_mb"] + result.get("reader_rss_mb", 0.0)
    print(json.dumps(result))


def measure(kind: str, export: Path) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(export)],
                         check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def best_of(repeat: int, export: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fastest of ``repeat`` alternating runs of each (other load on the machine
    only ever slows a run down); peak RSS is the highest seen."""
    runs = [(measure("ours", export), measure("baseline", export)) for _ in range(repeat)]
    best = []
    for side in (0, 1):
        chosen = dict(min((r[side] for r in runs), key=lambda r: r["seconds"]))
        for key in ("peak_rss_mb", "importing_rss_mb", "reader_rss_mb"):
            if key in chosen:
                chosen[key] = max(r[side][key] for r in runs)
        best.append(chosen)
    return best[0], best[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="quick run on ~5 MB and ~20 MB")
    parser.add_argument("--repeat", type=int, default=None,
                        help="runs of each, the fastest counts (default 3 small, 1 full)")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        for count in SIZES["small" if args.small else "full"]:
            export = Path(tmp) / f"conversations-{count}.json"
            generate(export, count)
            report(count, export, args.repeat or (3 if args.small else 1))
            export.unlink()


def report(count: int, export: Path, repeat: int) -> None:
    megabytes = export.stat().st_size / 1e6
    ours, base = best_of(repeat, export)
    ours_speed, base_speed = megabytes / ours["seconds"], megabytes / base["seconds"]
    print(f"{count} conversations, {megabytes:.0f} MB, {ours['messages']} messages stored "
          f"(baseline {base['messages']}), best of {repeat}")
    print(f"  speed  ours {ours_speed:6.1f} MB/s   baseline {base_speed:6.1f} MB/s   "
          f"ratio ours/baseline {ours_speed / base_speed:.2f}x (goal >= 0.5x)")
    ours_cpu = ours["cpu"] + ours["reader_cpu"]
    print(f"  CPU    ours {ours_cpu:6.2f} s (importing {ours['cpu']:.2f} + reader "
          f"{ours['reader_cpu']:.2f})   baseline {base['cpu']:6.2f} s   ratio "
          f"{base['cpu'] / ours_cpu:.2f}x (CPU seconds: less sensitive to other load)")
    print(f"  peak RSS  ours {ours['peak_rss_mb']:6.0f} MB (importing "
          f"{ours['importing_rss_mb']:.0f} + reader {ours['reader_rss_mb']:.0f})   baseline "
          f"{base['peak_rss_mb']:6.0f} MB   ratio {ours['peak_rss_mb'] / base['peak_rss_mb']:.2f}x"
          f" (goal: ours < 400 MB, flat as the file grows)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
