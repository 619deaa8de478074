"""Two source trees' exports side by side: this one against another (a ``git worktree``
of an earlier commit), in alternating fresh processes, so a change is measured against
the same minutes of a shared machine rather than against a figure from another hour.

Each side runs ``bench_export.py``'s child (a fresh store of N conversations, then
``--rounds`` rounds of baseline, export, baseline) from its own tree, started in that
tree with only it on the path: run from this tree, a plain ``python -c`` finds this
tree's ``reviewer`` first (the current directory comes before ``PYTHONPATH``), and
both sides would measure the same code. Each child checks which ``reviewer`` it
imported. Printed per side: each round's ratio to the baseline, the export's seconds
and the CPU seconds of the main process and of the PDF workers; then the mean export
time of this tree over the other's.

    git worktree add /tmp/before HEAD~1
    .venv/bin/python benchmarks/compare_export.py /tmp/before [--size 2000]
        [--pairs 3] [--rounds 2] [--dir /dev/shm]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from statistics import mean
from typing import Any

HERE = Path(__file__).resolve().parents[1]

_CHILD = """
import sys
tree = sys.argv[1]
sys.path[:0] = [tree, tree + "/benchmarks"]
import reviewer
if not reviewer.__file__.startswith(tree + "/"):
    sys.exit(f"imported {reviewer.__file__}, not the tree {tree}")
import bench_export
sys.argv[1:2] = []
sys.exit(bench_export.main())
"""


def run_side(tree: Path, size: int, rounds: int, where: str | None) -> dict[str, Any]:
    """One bench_export child of ``tree``, started in it with only it on the path."""
    environment = {**os.environ, "PYTHONPATH": str(tree)}
    args = [sys.executable, "-c", _CHILD, str(tree), "--child", str(size),
            "--rounds", str(rounds), *(["--dir", where] if where else [])]
    run = subprocess.run(args, cwd=tree, env=environment, check=True, capture_output=True,
                         text=True)
    result: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return result


def line(name: str, result: dict[str, Any]) -> str:
    rounds = result["rounds"]
    ratios = " ".join(f"{r['baseline_s'] / r['export_s']:.3f}" for r in rounds)
    seconds = " ".join(f"{r['export_s']:.2f}" for r in rounds)
    main = " ".join(f"{r['cpu_main_s']:.2f}" for r in rounds)
    workers = " ".join(f"{r['cpu_workers_s']:.2f}" for r in rounds)
    return (f"{name:6} ratio {ratios}  export s {seconds}  CPU s: main {main}, "
            f"workers {workers}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", type=Path, help="the other source tree (a git worktree)")
    parser.add_argument("--size", type=int, default=2000, help="conversations")
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2, help="exports in each child")
    parser.add_argument("--dir", help="where stores and packets are written")
    args = parser.parse_args()
    sides = {"other": args.other.resolve(), "this": HERE}
    times: dict[str, list[float]] = {name: [] for name in sides}
    for pair in range(args.pairs):
        # Alternating which side goes first: a file system slowed by the other's
        # deletions (see bench_export) must not always slow the same side.
        for name in sorted(sides, reverse=bool(pair % 2)):
            result = run_side(sides[name], args.size, args.rounds, args.dir)
            times[name] += [r["export_s"] for r in result["rounds"]]
            print(line(name, result), flush=True)
    print(f"this tree's mean export time over the other's: "
          f"x{mean(times['this']) / mean(times['other']):.3f} ({args.size:,} conversations)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
