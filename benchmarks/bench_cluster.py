"""A local Dask cluster of 2 workers against ``analyze --workers 1``, same texts.

The set (``--sets``, as in ``bench_analyze.py``: ``dev`` by default) is imported,
untimed, into a store; then ``reviewer analyze --workers 1`` and ``reviewer
analyze --cluster local:2`` run as whole processes on copies of it, alternately
(``--repeat``), each keeping its fastest run. Both are also timed on the set's
first text alone, which is their start-up (a local cluster starts two worker
processes that each load the pipelines; one worker loads them in-process):
subtracting it gives the ratio a long run tends to, which is what a large
matter sees. The stored spans of both must be the same.

Printed: the ratios 1-worker wall time over cluster wall time, whole and after
start-up, the workers' CPU seconds per 1,000 characters relative to one local
worker's, and the load average, which bounds what 2 workers can gain on a
shared 2-core machine. Never a bare time as a goal.

    .venv/bin/python benchmarks/bench_cluster.py [--sets dev|chat|FILE] [--limit N]
        [--repeat N] [--workers N] [--json OUT.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if not __package__:  # run as a script: the repository's root holds the benchmarks package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_analyze import (
    ACTOR,
    PASSPHRASE,
    LabelledSet,
    Run,
    Workspace,
    adopt_orphans,
    chosen_sets,
    fastest,
    load_set,
    reviewer_command,
    same_spans,
    stored_findings,
    timed,
)

GOAL = 1.6


@dataclass
class Pair:
    """One local worker and the cluster, whole runs and start-up alone."""

    local: Run
    cluster: Run
    local_start: Run
    cluster_start: Run

    def whole(self) -> float:
        return self.local.wall / self.cluster.wall

    def after_start_up(self) -> float:
        return ((self.local.wall - self.local_start.wall)
                / max(1e-9, self.cluster.wall - self.cluster_start.wall))


def run_cluster(space: Workspace, workers: int) -> tuple[Run, Path]:
    store = space.fresh_store()
    run = timed([*reviewer_command(), "analyze", "--passphrase-file", str(space.passphrase),
                 "--cluster", f"local:{workers}", str(store)])
    return run, store


def measure(labelled: LabelledSet, repeat: int, workers: int
            ) -> tuple[Pair, bool, tuple[float, int]]:
    """Fastest runs of each, whether both stored the same spans, and the
    coordinator's own CPU seconds for the texts of a cluster run, after start-up."""
    space = Workspace(labelled)
    first = Workspace(LabelledSet(labelled.name, labelled.path, labelled.records[:1],
                                  labelled.raw[:1]))
    try:
        space.build_store()
        first.build_store()
        runs: dict[str, list[Run]] = {"local": [], "cluster": [], "local1": [], "cluster1": []}
        for _ in range(repeat):
            local, local_store = space.run_ours(1)
            cluster, cluster_store = run_cluster(space, workers)
            runs["local"].append(local)
            runs["cluster"].append(cluster)
            runs["local1"].append(first.run_ours(1)[0])
            runs["cluster1"].append(run_cluster(first, workers)[0])
        agree = same_spans(stored_findings(labelled, local_store),
                           stored_findings(labelled, cluster_store))
        pair = Pair(*(fastest(runs[k]) for k in ("local", "cluster", "local1", "cluster1")))
        whole, texts = coordinator_cpu(space, workers)
        start, _ = coordinator_cpu(first, workers)
        return pair, agree, (whole - start, texts)
    finally:
        space.close()
        first.close()


def coordinator_cpu(space: Workspace, workers: int) -> tuple[float, int]:
    """CPU seconds of the coordinating process alone (loading work, finishing
    conversations, reading languages, storing; also the local scheduler, which a
    remote cluster runs elsewhere) for a cluster run in this process, and texts."""
    from reviewer.domain.cluster import ClusterSpec
    from reviewer.ops.analysis import analyze
    from reviewer.ops.stores import open_store

    store = open_store(space.fresh_store(), PASSPHRASE)
    try:
        started = time.process_time()
        report = analyze(store, ACTOR, cluster=ClusterSpec(f"local:{workers}"))
        return time.process_time() - started, report.texts
    finally:
        store.close()


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sets", default="dev", help="dev, chat, or labelled files, by commas")
    parser.add_argument("--limit", type=int, default=0, help="only the first N texts of a set")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the fastest counts")
    parser.add_argument("--workers", type=int, default=2, help="workers of the local cluster")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.set_defaults(extra=[])
    return parser.parse_args(argv)


def main() -> None:
    args = parse_args()
    adopt_orphans()  # workers' CPU is counted even if they outlive the run
    figures: list[dict[str, Any]] = []
    for name, path in chosen_sets(args):
        labelled = load_set(name, path, args.limit)
        characters = sum(map(len, labelled.texts))
        load_before = os.getloadavg()[0]
        pair, agree, (coordinator, texts) = measure(labelled, max(1, args.repeat), args.workers)
        # One local worker's CPU per text once started: detection and coordination together.
        per_text = (pair.local.cpu - pair.local_start.cpu) / max(1, texts)
        load = max(load_before, os.getloadavg()[0])
        figures.append({
            "set": name, "texts": len(labelled.records), "characters": characters,
            "workers": args.workers, "load_average": round(load, 2),
            "cores": os.cpu_count(), "same_spans": agree,
            "cluster_over_one_worker": round(pair.whole(), 3),
            "after_start_up": round(pair.after_start_up(), 3),
            "cpu_cluster_over_local": round(pair.cluster.cpu / max(1e-9, pair.local.cpu), 3),
            "coordinator_share": round(coordinator / max(1, texts) / max(1e-9, per_text), 3),
            "texts_per_coordinator_cpu_second": round(texts / max(1e-9, coordinator), 1),
            "seconds": {name: {"wall": round(run.wall, 2), "cpu": round(run.cpu, 2)}
                        for name, run in vars(pair).items()},
        })
        print(f"{name}: {len(labelled.records)} texts, {characters} characters; "
              f"{os.cpu_count()} cores, load average up to {load:.1f}")
        print(f"  local:{args.workers} over --workers 1, wall: {pair.whole():.2f}x whole run, "
              f"{pair.after_start_up():.2f}x after start-up (goal >= {GOAL}x on idle cores)")
        print(f"  CPU of the cluster run over the 1-worker run: "
              f"{figures[-1]['cpu_cluster_over_local']:.2f}x; same spans stored: {agree}")
        print(f"  the coordinator's own CPU per text is {figures[-1]['coordinator_share']:.2f}x "
              "what one local worker spends per text (detection included): one coordinator "
              f"core feeds about {1 / max(1e-9, figures[-1]['coordinator_share']):.0f} workers")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
