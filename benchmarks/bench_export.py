"""Exporting a signed packet vs writing the same conversations unredacted as JSONL.

Builds a store of N conversations (6 messages of ~400 characters, 3 approved
and 1 rejected span each, names and e-mail addresses drawn from pools so the
same person recurs as in a real matter), then, in one run:

- baseline: read every conversation through the export's own keyset reader and
  write it unredacted as one JSON line (no redaction, no PDF, no scan);
- export: ``export_packet`` (redaction, leak scan, JSONL, TEXT, PDF, DAT, log,
  audit, manifest, signature).

Prints conversations/s for both, PDF pages/s of the export, and both as ratios
to the baseline's conversations/s. Each size runs in a fresh process, in
``--rounds`` rounds (3): a fresh copy of the store, the baseline, the export, the
baseline again; a round's ratio is to the mean of its two baselines, and the round
of the median ratio is printed with every round's ratio (on a shared machine a
neighbour's load moves a lone time by half). The peak RSS is reset after the store
is opened (Argon2 alone peaks at 128 MiB), so the printed peak is the export's own;
it should stay flat in N, and so should the largest peak of the worker processes
that write PDF pages in a big export.

With ``--huge 1,4,16`` it renders instead one conversation holding a single
message of that many MB (log lines; ``--paragraph``: one paragraph without line
ends), on the standard-font path and on the Qt path (one arrow in the text sends it
there), and prints the CPU time per MB relative to the smallest size (linear
layout stays near x1), the slowdown against writing the same text to a file, the
pages and the peak RSS.

The packet is written in a temporary folder under ``--dir`` (the system's default
otherwise). The kernel's share of the workers' CPU time is printed apart: it is
mostly creating the packet's files, whose cost depends on the file system's state
more than on the export. On an ext4 file system without a journal (this machine's
root), creating a file after many were deleted in the last minutes skips every
recently freed inode of its block group (``recently_deleted`` in the kernel):
0.15-0.35 ms a file instead of 0.01. ``--dir /dev/shm`` (a tmpfs) measures the export
without it.

    .venv/bin/python benchmarks/bench_export.py [--sizes 1000,5000] [--dir DIR]
        [--rounds 3] [--huge 1,4,16]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from reviewer.domain.models import Conversation, Message, Status, Suggestion
from reviewer.ops.exporting import export_packet
from reviewer.ops.policies import current_policy
from reviewer.ops.stores import create_store
from reviewer.store import conversations, packets, spans
from reviewer.store.analysis import mark_analyzed

PASSPHRASE = "benchmark store of synthetic text"
FIRST = ["Alice", "Bruno", "Chen", "Dana", "Emeka", "Farah", "Goran", "Hana", "Ivan", "Julia"]
LAST = ["Okafor", "Lindqvist", "Moreau", "Tanaka", "Novak", "Silva", "Haddad", "Kowalski"]
FILLER = ("the tenant wrote to the landlord about the deposit and the repair of the boiler, "
          "asking whether the invoice could be paid in two parts before the end of the month. ")


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def build(path: Path, n: int) -> None:
    rng = random.Random(7)
    store = create_store(path, PASSPHRASE, "bench")
    # The export refuses text never analysed under the policy in force; the spans
    # below stand for that analysis.
    policy_hash = current_policy(store).hash
    with store.transaction() as conn:
        for c in range(n):
            _add(conn, c, rng, policy_hash)
    store.close()


def _add(conn: Any, c: int, rng: random.Random, policy_hash: str) -> None:
    name, other = person(rng), person(rng)
    mail = f"{name.split()[0].lower()}.{rng.randrange(300)}@example.com"
    texts = [f"Hi, I am {name}, reach me at {mail}. {FILLER * 2}",
             f"Thanks {name}. {FILLER * 2}", f"Also cc {other} please. {FILLER}",
             FILLER * 3, f"Call 555-01{c % 100:02d} later. {FILLER}", FILLER * 2]
    msgs = tuple(Message(i, "user" if i % 2 == 0 else "assistant", t) for i, t in enumerate(texts))
    conv_id = conversations.add_conversation(
        conn, Conversation(f"bench-{c}", f"Matter {c}", msgs), None)
    assert conv_id is not None
    ids = [m.id for m in conversations.get_conversation(conn, conv_id).messages]
    marks = [(0, name, "PERSON", Status.APPROVED), (0, mail, "EMAIL_ADDRESS", Status.APPROVED),
             (1, name, "PERSON", Status.APPROVED), (2, other, "PERSON", Status.APPROVED),
             (4, "555-01", "PHONE_NUMBER", Status.REJECTED)]
    for index, needle, entity, status in marks:
        start = texts[index].index(needle)
        found = Suggestion(start, start + len(needle), entity, 0.9, "bench", status=status)
        spans.add(conn, conv_id, ids[index], [found], "bench", decided_by="bench")
    mark_analyzed(conn, conv_id, [None, *ids], policy_hash)


def baseline(store: Any, out: Path) -> float:
    start = time.perf_counter()
    with store.reading() as conn, out.open("w", encoding="utf-8") as handle:
        for batch in packets.conversation_batches(conn, active_only=False):
            for item in batch:
                conv = item.conversation
                handle.write(json.dumps({
                    "conversation_id": conv.id, "source_id": conv.source_id, "title": conv.title,
                    "messages": [{"index": m.index, "role": m.role, "text": m.text}
                                 for m in conv.messages],
                }, ensure_ascii=False) + "\n")
    return time.perf_counter() - start


def _status_mib(field: str, pid: str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _system_cpu(who: int) -> float:
    return resource.getrusage(who).ru_stime


def peak_rss_mib() -> float:
    return _status_mib("VmHWM")


def reset_peak_rss() -> None:
    # "5" resets the peak resident set size (Linux >= 4.0).
    Path("/proc/self/clear_refs").write_text("5")


def child(n: int, where: str | None, rounds: int) -> dict[str, Any]:
    """``rounds`` exports of the same store (a fresh copy each time), each between two
    baselines: the machines are shared, and a neighbour's load shifts both alike."""
    with tempfile.TemporaryDirectory(dir=where) as tmp:
        pristine = Path(tmp) / "pristine.db"
        build(pristine, n)
        runs = [_round(pristine, Path(tmp), r) for r in range(rounds)]
    return {"n": n, "rounds": runs}


def _round(pristine: Path, tmp: Path, number: int) -> dict[str, Any]:
    from reviewer.ops.stores import open_store

    path = tmp / f"round-{number}.db"
    shutil.copyfile(pristine, path)  # an export writes replacement numbers: start afresh
    store = open_store(path, PASSPHRASE)
    before = baseline(store, tmp / "plain.jsonl")
    re.purge()  # the needles' pattern is compiled anew, as in a new process
    reset_peak_rss()
    samples: dict[int, float] = {}
    workers = [0.0]

    def sample(done: int, total: int | None, label: str) -> None:
        if done and done % 1000 == 0:
            samples[done] = _status_mib("VmRSS")
        if done and done % 100 == 0:
            workers[0] = max([workers[0], *(_status_mib("VmHWM", str(child.pid))
                                            for child in multiprocessing.active_children())])

    own, children = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
    kernel = _system_cpu(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    report = export_packet(store, tmp / f"packet-{number}", "bench", progress=sample)
    took = time.perf_counter() - start
    own, children = _cpu(resource.RUSAGE_SELF) - own, _cpu(resource.RUSAGE_CHILDREN) - children
    kernel = _system_cpu(resource.RUSAGE_CHILDREN) - kernel
    peak = peak_rss_mib()
    after = baseline(store, tmp / "plain.jsonl")
    store.close()
    path.unlink()  # the packet stays to the end: deleting its thousands of files would
    # slow the next round's file creation on ext4 (see above)
    return {"baseline_s": (before + after) / 2, "baselines_s": [before, after],
            "export_s": took, "pages": report.pages, "cpu_main_s": own,
            "cpu_workers_s": children, "cpu_workers_system_s": kernel, "peak_rss_mib": peak,
            "worker_peak_rss_mib": workers[0], "rss_by_done": samples}


def huge_text(megabytes: float, paragraph: bool, qt: bool) -> str:
    if paragraph:
        text = "word " * int(megabytes * 1e6 / 5)
    else:
        line = "Line {:07d} of the log: the tenant wrote to the landlord about the deposit.\n"
        text = "".join(line.format(i) for i in range(int(megabytes * 1e6 / len(line.format(0)))))
    return "→ " + text if qt else text


def huge_child(megabytes: float, paragraph: bool, qt: bool) -> dict[str, Any]:
    from reviewer.export.pdf import Stamp, render_pdf
    from reviewer.export.records import RedactedConversation, RedactedMessage, Segment

    text = huge_text(megabytes, paragraph, qt)
    conv = RedactedConversation(1, "huge", None, (Segment("Huge"),), (RedactedMessage(
        0, "user", None, "active", "visible", "text", 0, (Segment(text),)),), ())
    # CPU time of this process: on a shared machine, wall time of one long run says
    # more about the neighbours than about the layout.
    with tempfile.TemporaryDirectory() as tmp:
        start = time.process_time()
        Path(tmp, "plain.txt").write_text(text, encoding="utf-8")
        plain = time.process_time() - start
        reset_peak_rss()
        start = time.process_time()
        pages = render_pdf(conv, Path(tmp) / "huge.pdf", Stamp("H-000001", "H", 1, "LEGEND"))
        took = time.process_time() - start
    return {"mb": megabytes, "plain_s": plain, "render_s": took, "pages": pages,
            "peak_rss_mib": peak_rss_mib()}


def huge(sizes: list[float], paragraph: bool) -> None:
    for qt in (False, True):
        runs = [_child_json("--huge-child", str(mb), "--qt" if qt else "",
                            "--paragraph" if paragraph else "") for mb in sizes]
        print(f"one message of {', '.join(f'{mb:g}' for mb in sizes)} MB, "
              f"{'Qt' if qt else 'standard-font'} path:")
        slope = runs[0]["render_s"] / runs[0]["mb"]
        for r in runs:
            print(f"  {r['mb']:5g} MB: {r['pages']:6,} pages, CPU time per MB x"
                  f"{r['render_s'] / r['mb'] / slope:.2f} of the {runs[0]['mb']:g} MB run, "
                  f"x{r['render_s'] / r['plain_s']:.0f} writing the text plainly, "
                  f"peak RSS {r['peak_rss_mib']:.0f} MiB")


# Each run is a fresh process that imports this file as a module rather than running it
# as its main script: the export's PDF workers (spawned) re-import the main script of
# their parent, and the app's own main script (the CLI) imports nearly nothing.
_CHILD = ("import sys; sys.path.insert(0, sys.argv[1]); import bench_export; "
          "sys.argv[1:2] = []; sys.exit(bench_export.main())")


def _child_json(*args: str) -> dict[str, Any]:
    run = subprocess.run([sys.executable, "-c", _CHILD, str(Path(__file__).parent),
                          *[a for a in args if a]], check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000")
    parser.add_argument("--dir", help="where the store and the packet are written")
    parser.add_argument("--rounds", type=int, default=3,
                        help="exports of each size, each between two baselines")
    parser.add_argument("--huge", help="MB of one message, e.g. 1,4,16")
    parser.add_argument("--paragraph", action="store_true")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--huge-child", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--qt", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if args.child:
        print(json.dumps(child(args.child, args.dir, args.rounds)))
        return 0
    if args.huge_child:
        print(json.dumps(huge_child(args.huge_child, args.paragraph, args.qt)))
        return 0
    if args.huge:
        huge([float(s) for s in args.huge.split(",")], args.paragraph)
        return 0
    results = []
    for n in (int(s) for s in args.sizes.split(",")):
        results.append(_child_json("--child", str(n), "--rounds", str(args.rounds),
                                   *(["--dir", args.dir] if args.dir else [])))
    medians = [_report(r) for r in results]
    if len(results) > 1:
        first, last = medians[0], medians[-1]
        print(f"peak RSS of the export: {first['peak_rss_mib']:.0f} MiB at {first['n']:,} "
              f"conversations, {last['peak_rss_mib']:.0f} MiB at {last['n']:,} "
              f"(x{last['peak_rss_mib'] / first['peak_rss_mib']:.2f} for "
              f"x{last['n'] / first['n']:g} conversations)")
    return 0


def _ratio(run: dict[str, Any]) -> float:
    """The export's conversations/s over the baseline's (the mean time of the two
    baselines around it)."""
    return float(run["baseline_s"] / run["export_s"])


def _report(result: dict[str, Any]) -> dict[str, Any]:
    """Print the round of the median ratio, and the ratios of all rounds; returns it."""
    runs = sorted(result["rounds"], key=_ratio)
    r = {"n": result["n"], **runs[len(runs) // 2]}
    base_rate, conv_rate = r["n"] / r["baseline_s"], r["n"] / r["export_s"]
    page_rate = r["pages"] / r["export_s"]
    print(f"{r['n']:,} conversations ({r['pages']:,} PDF pages), the median of "
          f"{len(runs)} round(s); ratio of each round: "
          f"{', '.join(f'{_ratio(run):.4f}' for run in result['rounds'])}")
    around = ", ".join(f"{r['n'] / s:.0f}" for s in r["baselines_s"])
    print(f"  baseline (unredacted JSONL): {base_rate:10.0f} conversations/s "
          f"(before and after: {around})")
    print(f"  export (signed packet):      {conv_rate:10.1f} conversations/s  "
          f"ratio {conv_rate / base_rate:.4f} (x{base_rate / conv_rate:.0f} slower)")
    print(f"  export PDF pages:            {page_rate:10.1f} pages/s          "
          f"ratio {page_rate / base_rate:.4f} to baseline conversations/s")
    print(f"  CPU time per wall time:      {r['cpu_main_s'] / r['export_s']:10.2f} main process, "
          f"{r['cpu_workers_s'] / r['export_s']:.2f} PDF workers (in all; the kernel's part "
          f"{r['cpu_workers_system_s'] / r['export_s']:.2f}: creating files)")
    print(f"  peak RSS during export:      {r['peak_rss_mib']:10.0f} MiB "
          f"(PDF workers: {r['worker_peak_rss_mib']:.0f} MiB each at most)")
    steps = ", ".join(f"{int(k):,}: {v:.0f}" for k, v in r["rss_by_done"].items())
    print(f"  RSS (MiB) after n conversations written: {steps}")
    return r


if __name__ == "__main__":
    sys.exit(main())
