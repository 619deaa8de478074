"""Suggestion service vs stock Presidio on labelled sets: recall, precision, speed.

Per set (``--sets``: ``dev`` is the dev set ``generated_large.json`` we tuned
on, ``chat`` the hand-written ``benchmarks/data/chat_shaped.json``; both by
default; any labelled file given on the command line is run too):

- the set is imported, untimed, into a fresh store as ShareGPT conversations
  (a record's ``conversation`` and ``role`` when it has them, else eight
  records to a conversation);
- ours is the whole ``reviewer analyze --workers 1`` process on a copy of that
  store: start-up, key derivation, loading work, detection, conversation-level
  finishing, storing. Its figures are the spans it stored, i.e. what a reviewer
  is shown;
- stock is a process of its own that builds ``AnalyzerEngine`` over the same
  spaCy pipeline through ``NlpEngineProvider`` and calls ``.analyze`` once per
  text. Both run in the same invocation, alternately (``--repeat``), under the
  same single-threaded BLAS, and each keeps its fastest run: other work on a
  shared machine only ever slows a run down;
- ``analyze --workers 2`` on another copy gives 2 workers over 1 (wall time).

Reported: recall and precision overall and per entity for ours and stock (a
gold span is found when any suggestion overlaps it, whatever its label; see
``reviewer.ops.evaluation``), and speed as ratios: stock CPU seconds over ours
with one worker (throughput per core), the same after start-up (both are also
timed on the set's first text alone: on a short set the whole process is mostly
start-up), and 1-worker wall time over 2-worker wall time, which means little
unless two cores are idle (the load average is printed beside it). Never a
bare time as a goal.

    .venv/bin/python benchmarks/bench_analyze.py [EXTRA.json ...] [--sets dev,chat]
        [--limit N] [--repeat N] [--no-workers] [--no-start-up] [--json OUT.json]
        [--pipeline-check] [--errors [ENTITY,...]]

``--errors`` lists ours' false positives (a suggestion no gold span overlaps,
by suggested entity) and misses (a gold span no suggestion overlaps, by gold
entity), each with its text in context: where precision and recall are lost.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reviewer.ops.evaluation import GoldRecord, Tally

ROOT = Path(__file__).resolve().parents[1]
SETS = {
    "dev": ROOT.parent / "shared" / "data" / "pii-dev" / "generated_large.json",
    "chat": ROOT / "benchmarks" / "data" / "chat_shaped.json",
}
PASSPHRASE = "benchmark store of synthetic text"
ACTOR = "bench_analyze"
PER_CONVERSATION = 8
SHAREGPT_ROLES = {"user": "human", "assistant": "gpt"}
GOALS = "goals: recall >= 0.96, precision >= 0.88 on every set; per core >= 1.0x; 2 workers >= 1.7x"


# --- the stock process: imports nothing of ours, so its start-up is its own ----------------------

def stock_main(texts_path: Path, out_path: Path, model: str) -> None:
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": model}]})
    engine = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
    texts = json.loads(texts_path.read_text(encoding="utf-8"))
    found = [[[r.start, r.end, r.entity_type, r.score] for r in engine.analyze(t, language="en")]
             for t in texts]
    out_path.write_text(json.dumps(found), encoding="utf-8")


# --- sets ----------------------------------------------------------------------------------------

@dataclass
class LabelledSet:
    """A labelled file, its records, and where each record lives once imported."""

    name: str
    path: Path
    records: list[GoldRecord]
    raw: list[dict[str, Any]]
    place: dict[tuple[str, int], int] = field(default_factory=dict)  # (source id, index)

    @property
    def texts(self) -> list[str]:
        return [r.text for r in self.records]

    def conversations(self) -> list[dict[str, Any]]:
        """ShareGPT conversations of the records, in order; fills ``place``."""
        out: list[dict[str, Any]] = []
        previous: object = None
        for number, item in enumerate(self.raw):
            key = item.get("conversation", number // PER_CONVERSATION)
            if key != previous or not out:
                out.append({"id": f"{self.name}-{len(out) + 1:05d}", "conversations": []})
                previous = key
            turns = out[-1]["conversations"]
            self.place[(out[-1]["id"], len(turns))] = number
            role = str(item.get("role", "user" if len(turns) % 2 == 0 else "assistant"))
            turns.append({"from": SHAREGPT_ROLES.get(role, role), "value": item["full_text"]})
        return out


def load_set(name: str, path: Path, limit: int) -> LabelledSet:
    from reviewer.ops.evaluation import read_gold

    if not path.is_file():
        raise SystemExit(f"No labelled set {name} at {path}: give its path in --sets.")
    raw = json.loads(path.read_text(encoding="utf-8"))[: limit or None]
    return LabelledSet(name, path, read_gold(path)[: limit or None], raw)


def chosen_sets(args: argparse.Namespace) -> Iterator[tuple[str, Path]]:
    """(name, path) of every set asked for: a known name, or a labelled file's path."""
    for name in filter(None, (part.strip() for part in args.sets.split(","))):
        yield (name, SETS[name]) if name in SETS else (Path(name).stem, Path(name))
    for path in args.extra:
        yield path.stem, path


# --- timed processes -----------------------------------------------------------------------------

@dataclass
class Run:
    wall: float
    cpu: float  # user + system of the process and of every process under it
    left_running: int = 0  # processes under it still alive a minute after it ended


def adopt_orphans() -> bool:
    """Become the subreaper of what the timed processes start (Linux), so the
    CPU of worker processes that outlive their parent is counted too."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(36, 1, 0, 0, 0) == 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def own_children() -> set[int]:
    pids: set[int] = set()
    for task in Path("/proc/self/task").glob("*/children"):
        pids.update(int(pid) for pid in task.read_text().split())
    return pids


def reap_orphans(known: set[int], patience: float = 60.0) -> int:
    """Wait for the processes the run left behind (now ours); how many outlived patience."""
    deadline = time.monotonic() + patience
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return 0
        if pid:
            continue
        left = own_children() - known
        if not left or time.monotonic() > deadline:
            return len(left)
        time.sleep(0.05)


def timed(command: Sequence[str]) -> Run:
    known = own_children()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    left = reap_orphans(known)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return Run(wall, cpu, left)


def fastest(runs: list[Run]) -> Run:
    return Run(min(r.wall for r in runs), min(r.cpu for r in runs),
               max(r.left_running for r in runs))


def reviewer_command() -> list[str]:
    script = Path(sys.executable).with_name("reviewer")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from reviewer.cli import main; main()"]


class Workspace:
    """A temporary folder holding the imported store and the stock process's files."""

    def __init__(self, labelled: LabelledSet) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="bench_analyze_"))
        self.labelled = labelled
        self.passphrase = self.folder / "passphrase"
        self.passphrase.write_text(PASSPHRASE + "\n", encoding="utf-8")
        self.texts = self.folder / "texts.json"
        self.texts.write_text(json.dumps(labelled.texts), encoding="utf-8")
        self.stock_out = self.folder / "stock.json"
        self.pristine = self.folder / "pristine"
        self.copies = 0

    def build_store(self) -> None:
        from reviewer.ops.importing import import_files
        from reviewer.ops.stores import create_store

        source = self.folder / "set.sharegpt.json"
        source.write_text(json.dumps(self.labelled.conversations()), encoding="utf-8")
        self.pristine.mkdir()
        store = create_store(self.pristine / "store.db", PASSPHRASE, ACTOR)
        try:
            report = import_files(store, [source], ACTOR, fmt="sharegpt")
        finally:
            store.close()
        if report.failed or report.totals()["messages"] != len(self.labelled.records):
            raise SystemExit(f"{self.labelled.path}: the import did not store every record "
                             f"as a message: {report.summary_lines() + report.error_lines()}")

    def fresh_store(self) -> Path:
        self.copies += 1
        target = self.folder / f"copy{self.copies}"
        shutil.copytree(self.pristine, target)
        return target / "store.db"

    def run_ours(self, workers: int) -> tuple[Run, Path]:
        store = self.fresh_store()
        run = timed([*reviewer_command(), "analyze", "--passphrase-file", str(self.passphrase),
                     "--workers", str(workers), str(store)])
        return run, store

    def run_stock(self, model: str) -> Run:
        return timed([sys.executable, str(Path(__file__).resolve()), "--stock-worker",
                      str(self.texts), str(self.stock_out), model])

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


# --- findings ------------------------------------------------------------------------------------

def stored_findings(labelled: LabelledSet, store_path: Path) -> list[list[Any]]:
    """The spans ``analyze`` stored, per record: what a reviewer is shown."""
    from reviewer.domain.models import Suggestion
    from reviewer.ops.spans import list_spans
    from reviewer.ops.stores import open_store

    found: list[list[Any]] = [[] for _ in labelled.records]
    store = open_store(store_path, PASSPHRASE, readonly=True)
    try:
        for span in list_spans(store, with_text=True):
            if span["message_id"] is None:  # a title: no gold there
                continue
            number = labelled.place[(span["source_id"], span["message_index"])]
            if labelled.records[number].text[span["start"]:span["end"]] != span["text"]:
                raise SystemExit(f"the store's text of record {number} differs from the set's")
            found[number].append(Suggestion(span["start"], span["end"], span["entity"],
                                            span["score"], span["origin"]))
    finally:
        store.close()
    return found


def stock_findings(path: Path) -> list[list[Any]]:
    from reviewer.domain.models import Suggestion

    return [[Suggestion(start, end, entity, score, "stock") for start, end, entity, score in text]
            for text in json.loads(path.read_text(encoding="utf-8"))]


def tally(records: list[GoldRecord], found: list[list[Any]]) -> Tally:
    from reviewer.ops.evaluation import Tally

    result = Tally()
    for record, suggestions in zip(records, found, strict=True):
        result.add(record, suggestions)
    return result


def same_spans(a: list[list[Any]], b: list[list[Any]]) -> bool:
    def key(found: list[list[Any]]) -> list[list[tuple[int, int, str]]]:
        return [sorted((s.start, s.end, s.entity) for s in text) for text in found]
    return key(a) == key(b)


# --- one set -------------------------------------------------------------------------------------

@dataclass
class SetResult:
    name: str
    texts: int
    characters: int
    ours: Tally
    stock: Tally
    ours_run: Run
    stock_run: Run
    two_workers: Run | None = None
    two_workers_agree: bool | None = None
    start_up: tuple[Run, Run] | None = None  # ours and stock on one text
    found: list[list[Any]] = field(default_factory=list)  # ours, per record
    tree_cpu: bool = False  # whether CPU counts processes that outlive their parent

    def per_core(self) -> float:
        return self.stock_run.cpu / self.ours_run.cpu

    def per_core_after_start_up(self) -> float | None:
        """The ratio once both have started: what a long run tends to."""
        if self.start_up is None:
            return None
        ours, stock = self.start_up
        return (self.stock_run.cpu - stock.cpu) / max(1e-9, self.ours_run.cpu - ours.cpu)

    def scaling(self) -> float | None:
        return None if self.two_workers is None else self.ours_run.wall / self.two_workers.wall

    def scaling_bound(self) -> float | None:
        """2 workers over 1 on two idle cores at best: twice 1 worker's CPU over what
        2 workers spend in all their processes (the serial part only lowers it)."""
        if self.two_workers is None or not self.tree_cpu:
            return None
        return 2 * self.ours_run.cpu / self.two_workers.cpu

    def as_dict(self) -> dict[str, Any]:
        return {
            "set": self.name, "texts": self.texts, "characters": self.characters,
            "ours": {"recall": self.ours.recall(), "precision": self.ours.precision(),
                     "per_entity": self.ours.per_entity()},
            "stock": {"recall": self.stock.recall(), "precision": self.stock.precision(),
                      "per_entity": self.stock.per_entity()},
            "seconds": {"ours_cpu": self.ours_run.cpu, "ours_wall": self.ours_run.wall,
                        "stock_cpu": self.stock_run.cpu, "stock_wall": self.stock_run.wall,
                        "two_workers_wall": self.two_workers and self.two_workers.wall},
            "start_up_cpu": self.start_up and {"ours": self.start_up[0].cpu,
                                               "stock": self.start_up[1].cpu},
            "per_core_vs_stock": round(self.per_core(), 3),
            "per_core_after_start_up": self.per_core_after_start_up(),
            "two_workers_over_one": self.scaling() and round(self.scaling() or 0, 3),
            "two_workers_over_one_at_most": self.scaling_bound(),
        }


def measure(labelled: LabelledSet, model: str, repeat: int, workers: bool) -> SetResult:
    """Stock, ours with 1 worker and (``workers``) with 2, alternately, ``repeat`` times."""
    space = Workspace(labelled)
    try:
        space.build_store()
        stock_runs, ours_runs, two_runs = [], [], []
        for _ in range(repeat):
            stock_runs.append(space.run_stock(model))
            run, store = space.run_ours(1)
            ours_runs.append(run)
            if workers:
                two, two_store = space.run_ours(2)
                two_runs.append(two)
        ours_found = stored_findings(labelled, store)
        result = SetResult(labelled.name, len(labelled.records), sum(map(len, labelled.texts)),
                           tally(labelled.records, ours_found),
                           tally(labelled.records, stock_findings(space.stock_out)),
                           fastest(ours_runs), fastest(stock_runs), found=ours_found)
        if workers:
            result.two_workers = fastest(two_runs)
            result.two_workers_agree = same_spans(ours_found,
                                                  stored_findings(labelled, two_store))
        return result
    finally:
        space.close()


def start_up(labelled: LabelledSet, model: str, repeat: int) -> tuple[Run, Run]:
    """Ours (1 worker) and stock on the set's first text alone: their start-up costs."""
    space = Workspace(LabelledSet(labelled.name, labelled.path, labelled.records[:1],
                                  labelled.raw[:1]))
    try:
        space.build_store()
        stock_runs, ours_runs = [], []
        for _ in range(repeat):
            stock_runs.append(space.run_stock(model))
            ours_runs.append(space.run_ours(1)[0])
        return fastest(ours_runs), fastest(stock_runs)
    finally:
        space.close()


# --- printing ------------------------------------------------------------------------------------

def fmt(value: float | None) -> str:
    return "    -" if value is None else f"{value:5.3f}"


def print_entities(ours: Tally, stock: Tally) -> None:
    mine, theirs = ours.per_entity(), stock.per_entity()
    print(f"\n{'gold entity':<18}{'n':>6}{'ours R':>9}{'stock R':>9}")
    for entity in sorted(ours.gold, key=lambda e: (-ours.gold[e], e)):
        print(f"{entity:<18}{ours.gold[entity]:>6}{fmt(mine[entity]['recall']):>9}"
              f"{fmt(theirs[entity]['recall']):>9}")
    print(f"\n{'suggested entity':<18}{'ours n':>8}{'ours P':>9}{'stock n':>9}{'stock P':>9}")
    for entity in sorted(ours.suggested.keys() | stock.suggested.keys()):
        row, other = mine.get(entity, {}), theirs.get(entity, {})
        print(f"{entity:<18}{row.get('suggested', 0):>8}{fmt(row.get('precision')):>9}"
              f"{other.get('suggested', 0):>9}{fmt(other.get('precision')):>9}")


def print_result(result: SetResult) -> None:
    print(f"\n=== {result.name}: {result.texts} texts, {result.characters} characters")
    print(f"overall: ours recall {result.ours.recall():.3f} precision "
          f"{result.ours.precision():.3f} | stock recall {result.stock.recall():.3f} "
          f"precision {result.stock.precision():.3f}")
    print_entities(result.ours, result.stock)
    ours, stock = result.ours_run, result.stock_run
    print(f"\nwhole process, 1 worker: ours {ours.cpu:.1f} s CPU ({ours.wall:.1f} s wall), "
          f"stock {stock.cpu:.1f} s CPU ({stock.wall:.1f} s wall)")
    print(f"per core, ours / stock: {result.per_core():.2f}x "
          f"(wall: {stock.wall / ours.wall:.2f}x)")
    if result.start_up is not None:
        print(f"start-up (one text): ours {result.start_up[0].cpu:.1f} s CPU, stock "
              f"{result.start_up[1].cpu:.1f} s CPU; per core after start-up: "
              f"{result.per_core_after_start_up():.2f}x")
    if result.two_workers is not None:
        agree = "same spans" if result.two_workers_agree else "DIFFERENT spans"
        print(f"2 workers / 1 worker (wall): {result.scaling():.2f}x, {agree} as 1 worker "
              f"({os.cpu_count()} cores shared with whatever else runs, load average "
              f"{os.getloadavg()[0]:.1f})")
        bound = result.scaling_bound()
        if bound is not None:
            print(f"CPU of 2 workers in all their processes {result.two_workers.cpu:.1f} s: "
                  f"on two idle cores at most {bound:.2f}x")
    left = max(run.left_running for run in (result.ours_run, result.two_workers) if run)
    if left:
        print(f"{left} processes were still running a minute after analyze ended")


def print_summary(results: list[SetResult]) -> None:
    print(f"\n=== summary ({GOALS})")
    print(f"{'set':<16}{'texts':>7}{'ours R':>8}{'ours P':>8}{'stock R':>9}{'stock P':>9}"
          f"{'per core':>10}{'started':>9}{'2w/1w':>8}{'at most':>9}")
    for r in results:
        print(f"{r.name:<16}{r.texts:>7}{r.ours.recall():>8.3f}{r.ours.precision():>8.3f}"
              f"{r.stock.recall():>9.3f}{r.stock.precision():>9.3f}{r.per_core():>9.2f}x"
              f"{ratio(r.per_core_after_start_up()):>9}{ratio(r.scaling()):>8}"
              f"{ratio(r.scaling_bound()):>9}")


def errors(records: list[GoldRecord], found: list[list[Any]]
           ) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Ours' false positives by suggested entity and misses by gold entity, each a line
    of the span's text in context (scored as ``reviewer.ops.evaluation.Tally`` does)."""
    wrong: dict[str, list[str]] = {}
    missed: dict[str, list[str]] = {}
    for number, (record, suggestions) in enumerate(zip(records, found, strict=True)):
        for s in suggestions:
            if not any(start < s.end and s.start < end for start, end, _ in record.spans):
                wrong.setdefault(s.entity, []).append(
                    f"#{number} {s.recognizer}: {in_context(record.text, s.start, s.end)}")
        for start, end, entity in record.spans:
            if not any(s.start < end and start < s.end for s in suggestions):
                missed.setdefault(entity, []).append(
                    f"#{number}: {in_context(record.text, start, end)}")
    return wrong, missed


def in_context(text: str, start: int, end: int, width: int = 40) -> str:
    """``text[start:end]`` in brackets with up to ``width`` characters either side, one line."""
    line = f"{text[max(0, start - width):start]}[[{text[start:end]}]]{text[end:end + width]}"
    return " ".join(line.split())


def print_errors(labelled: LabelledSet, result: SetResult, entities: set[str]) -> None:
    wrong, missed = errors(labelled.records, result.found)
    for title, table in (("false positives", wrong), ("misses", missed)):
        for entity in sorted(table):
            if entities and entity not in entities:
                continue
            print(f"\n--- {result.name}: {title}, {entity} ({len(table[entity])})")
            print(*table[entity], sep="\n")


def ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def pipeline_check(texts: list[str], model: str) -> list[str]:
    """How the NER-only pipeline's entities differ from the full pipeline's, per text."""
    import spacy

    full = spacy.load(model)
    ner_only = spacy.load(model)
    ner_only.select_pipes(enable=["ner"])
    differences = []
    for a, b in zip(full.pipe(texts, batch_size=64), ner_only.pipe(texts, batch_size=64),
                    strict=True):
        with_all = {(e.text, e.label_) for e in a.ents}
        alone = {(e.text, e.label_) for e in b.ents}
        if with_all != alone:
            differences.append(f"full only {sorted(with_all - alone)}, "
                               f"NER-only only {sorted(alone - with_all)}")
    return differences


def code_measured() -> str:
    """Which code the figures are of: the commit, and whether reviewer/ or resources/
    hold uncommitted changes (other work in progress in a shared tree)."""
    import reviewer

    package = Path(reviewer.__file__).resolve().parents[1]
    try:
        commit = subprocess.run(["git", "-C", str(package), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, check=True).stdout.strip()
        changed = subprocess.run(["git", "-C", str(package), "status", "--porcelain", "--",
                                  "reviewer", "resources"],
                                 capture_output=True, text=True, check=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return f"{package} (not a git checkout)"
    dirty = f" plus uncommitted changes in {len(changed)} files" if changed else ""
    return f"{package} at {commit}{dirty}"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("extra", nargs="*", type=Path, help="more labelled files to run")
    parser.add_argument("--sets", default="dev,chat",
                        help=f"comma-separated: {', '.join(SETS)} or paths (default dev,chat)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N texts of a set")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each process, fastest kept (default 1)")
    parser.add_argument("--no-workers", action="store_true", help="skip the 2-worker run")
    parser.add_argument("--no-start-up", action="store_true",
                        help="skip timing both on one text (their start-up costs)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--pipeline-check", action="store_true",
                        help="also show how the NER-only pipeline differs from the full one")
    parser.add_argument("--errors", nargs="?", const="", default=None, metavar="ENTITY,...",
                        help="list ours' false positives and misses (of these entities only)")
    parser.add_argument("--stock-worker", nargs=3, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main() -> None:
    args = parse_args()
    if args.stock_worker:
        texts, out, model = args.stock_worker
        stock_main(Path(texts), Path(out), model)
        return
    # Sets single-threaded BLAS in this process's environment, which both the
    # stock process and ours inherit: the per-core comparison is fair.
    from reviewer.suggest.policy import load_policy

    model = load_policy().policy.spacy_model
    print(f"code: {code_measured()}; spaCy pipeline {model}")
    tree_cpu = adopt_orphans()
    results = []
    for name, path in chosen_sets(args):
        labelled = load_set(name, path, args.limit)
        print(f"{name}: {len(labelled.records)} texts from {path}", flush=True)
        results.append(measure(labelled, model, max(1, args.repeat), not args.no_workers))
        results[-1].tree_cpu = tree_cpu
        if not args.no_start_up:
            results[-1].start_up = start_up(labelled, model, max(1, args.repeat))
        print_result(results[-1])
        if args.errors is not None:
            print_errors(labelled, results[-1], set(filter(None, args.errors.split(","))))
        if args.pipeline_check:
            differences = pipeline_check(labelled.texts, model)
            print(f"NER-only vs full pipeline: {len(differences)} of {len(labelled.texts)} "
                  "texts get different entities, e.g.:", *differences[:5], sep="\n  ")
    print_summary(results)
    if args.json:
        args.json.write_text(json.dumps([r.as_dict() for r in results], indent=1) + "\n",
                             encoding="utf-8")


if __name__ == "__main__":
    main()
