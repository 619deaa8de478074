"""The ``reviewer`` command: argument parsing and printing, nothing else.

Every command calls one function of ``reviewer.ops`` (imported when the
command runs, so ``reviewer --help`` stays fast). Errors a user can cause are
``KnownError``s: one line on stderr and the contract's exit code.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

from reviewer import __version__
from reviewer.domain.cluster import ClusterSpec
from reviewer.domain.errors import KnownError, UsageError
from reviewer.domain.models import Status
from reviewer.infra import interrupts
from reviewer.infra.environment import (
    BATCH_PASSPHRASE,
    NEW_PASSPHRASE,
    PASSPHRASE,
    secrets_withheld,
)
from reviewer.launch import EXIT_INTERRUPTED, INTERRUPTED

Handler = Callable[[argparse.Namespace], int]
EXIT_BUG = 1
EXIT_TERMINATED = 128 + signal.SIGTERM
CONFLICT = "conflict"  # spans --status conflict


class TerminatedError(BaseException):
    """SIGTERM arrived: stop the way Ctrl+C stops (workers ended, nothing half-written)."""


# --- passphrases, identity, progress --------------------------------------------------------


def _withheld(args: argparse.Namespace, name: str) -> str | None:
    """A secret variable of the environment ``main`` was started with (it took them out)."""
    return dict(getattr(args, "secrets", {})).get(name)


def read_passphrase(args: argparse.Namespace, *, confirm: bool = False) -> str:
    """REVIEWER_PASSPHRASE, else --passphrase-file, else a prompt without echo."""
    env = _withheld(args, PASSPHRASE)
    if env:
        return env
    if getattr(args, "passphrase_file", None):
        return _passphrase_from_file(Path(args.passphrase_file))
    return _prompt("Passphrase: ", confirm)


def _passphrase_from_file(path: Path) -> str:
    try:
        first = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise UsageError(f"Cannot read the passphrase file {path}: {err.strerror}.") from None
    except UnicodeDecodeError:
        raise UsageError(f"The passphrase file {path} is not UTF-8 text.") from None
    if not first or not first[0]:
        raise UsageError(f"The passphrase file {path} is empty.")
    return first[0]


def _prompt(label: str, confirm: bool,
            ways: str = "set REVIEWER_PASSPHRASE, pass --passphrase-file FILE") -> str:
    if not sys.stdin.isatty():
        raise UsageError(f"No {label.rstrip(': ').lower()}: {ways}, or run in a terminal.")
    value = getpass.getpass(label)
    if confirm and getpass.getpass("Repeat: ") != value:
        raise UsageError("The two passphrases differ; nothing was changed.")
    return value


def batch_passphrase(args: argparse.Namespace, *, confirm: bool = False) -> str:
    """The batch stores' passphrase: REVIEWER_BATCH_PASSPHRASE, else
    --batch-passphrase-file, else a prompt without echo."""
    env = _withheld(args, BATCH_PASSPHRASE)
    if env:
        return env
    if getattr(args, "batch_passphrase_file", None):
        return _passphrase_from_file(Path(args.batch_passphrase_file))
    if not sys.stdin.isatty():
        raise UsageError("No batch passphrase: set REVIEWER_BATCH_PASSPHRASE, pass "
                         "--batch-passphrase-file FILE, or run in a terminal.")
    return _prompt("Batch passphrase: ", confirm)


def new_passphrase(args: argparse.Namespace) -> str:
    env = _withheld(args, NEW_PASSPHRASE)
    return env if env else _prompt("New passphrase: ", confirm=True,
                                   ways="set REVIEWER_NEW_PASSPHRASE")


def reviewer_name(args: argparse.Namespace) -> str:
    name = _explicit_reviewer(args)
    if name:
        return str(name)
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


class ProgressBar:
    """A one-line progress bar on stderr, only when stderr is a terminal."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.shown = False

    def __call__(self, done: int, total: int | None, label: str) -> None:
        if not self.enabled:
            return
        if total:
            filled = int(30 * min(done, total) / total)
            bar = f"[{'#' * filled}{'.' * (30 - filled)}] {done}/{total}"
        else:
            bar = f"{done}"
        sys.stderr.write(f"\r{label[:30]:<30} {bar}\x1b[K")
        sys.stderr.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\n")
            self.shown = False


def _emit_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def _open(args: argparse.Namespace, *, readonly: bool = False) -> Any:
    from reviewer.ops.stores import open_store

    return open_store(Path(args.store), read_passphrase(args), readonly=readonly)


# --- commands -----------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    from reviewer.ops.stores import create_store

    store = create_store(Path(args.store), read_passphrase(args, confirm=True), reviewer_name(args))
    print(f"Created store {args.store} (store id {store.store_id}).")
    store.close()
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from reviewer.ops.stats import store_stats

    with _open(args, readonly=True) as store:
        stats = store_stats(store)
    if args.json:
        _emit_json(stats)
        return 0
    spans = stats["spans"]
    print(f"conversations  {stats['conversations']}")
    print(f"messages       {stats['messages']}")
    print(f"spans          {spans['total']}  (pending {spans['pending']}, "
          f"approved {spans['approved']}, rejected {spans['rejected']})")
    for entity, counts in stats["by_entity"].items():
        print(f"  {entity:<22} {counts['total']:>7}  pending {counts['pending']:>6}  "
              f"approved {counts['approved']:>6}  rejected {counts['rejected']:>6}")
    for key, value in stats.items():
        if key not in ("conversations", "messages", "spans", "by_entity"):
            print(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    return 0


def cmd_spans(args: argparse.Namespace) -> int:
    with _open(args, readonly=True) as store, \
            contextlib.closing(_listed_spans(store, args)) as items:
        if args.json:
            _emit_json(list(items))
            return 0
        for item in items:
            text = f"  {json.dumps(item['text'], ensure_ascii=False)}" if args.with_text else ""
            where = "title" if item["message_index"] is None else f"msg {item['message_index']}"
            print(f"{item['id']:>8}  {item['source_id']:<24} {where:<8} "
                  f"{item['start']:>6}-{item['end']:<6} {item['entity']:<18} "
                  f"{item['status']:<9} {item['origin']}{text}")
    return 0


def _listed_spans(store: Any, args: argparse.Namespace) -> Any:
    """The spans ``spans`` lists: of a status, or (``--status conflict``) those a batch
    merge left in conflict for a lead to settle."""
    from reviewer.ops.spans import check_entity, list_spans

    if args.entity:
        check_entity(store, args.entity)
    if args.status == CONFLICT:
        from reviewer.ops.batches import conflicted_spans

        return conflicted_spans(store, args.entity, args.with_text)
    status = Status(args.status) if args.status else None
    return list_spans(store, status, args.entity, args.with_text)


def cmd_show(args: argparse.Namespace) -> int:
    from reviewer.ops.showing import show

    with _open(args, readonly=True) as store, show(store, args.conversation) as shown:
        (_stream_shown_json if args.json else _print_shown)(shown)
    return 0


def _stream_shown_json(shown: Any) -> None:
    """The contract's ``show --json`` object, written as it is read."""
    out = sys.stdout
    out.write('{"conversations": [')
    for n, conv in enumerate(shown):
        head = json.dumps(conv.fields, ensure_ascii=False)[:-1]
        out.write(f'{"," if n else ""}\n  {head}, "messages": [')
        for m, message in enumerate(conv.messages):
            out.write(f'{"," if m else ""}\n    {json.dumps(message, ensure_ascii=False)}')
        out.write("\n  ]}")
    out.write("\n]}\n")


def _print_shown(shown: Any) -> None:
    for conv in shown:
        fields = conv.fields
        title = "(no title)" if fields["title"] is None else json.dumps(fields["title"],
                                                                        ensure_ascii=False)
        print(f"=== conversation {fields['id']}  source {fields['source_id']}  title {title}")
        for message in conv.messages:
            print(f"[{message['index']}] {_message_label(message)}")
            for text_line in message["text"].split("\n"):
                print(f"    {text_line}")
        print()


def _message_label(message: dict[str, Any]) -> str:
    """The role (and author), then a mark for anything but the active, visible text."""
    label = message["role"] + (f" ({message['author']})" if message["author"] else "")
    marks = [message["branch"] if message["branch"] != "active" else "",
             message["visibility"] if message["visibility"] != "visible" else "",
             message["content_type"] if message["content_type"] != "text" else ""]
    shown = ", ".join(m for m in marks if m)
    return f"{label}  [{shown}]" if shown else label


def _span_ids(values: Sequence[str]) -> list[int]:
    try:
        return [int(v) for v in values]
    except ValueError:
        raise UsageError("Span ids are the numbers that 'reviewer spans' lists.") from None


def cmd_decide(args: argparse.Namespace) -> int:
    from reviewer.ops.decisions import decide, require_reason_code

    status = Status.APPROVED if args.approve else Status.REJECTED
    with _open(args) as store:
        require_reason_code(store, args.reason)
        made = decide(store, _span_ids(args.span_ids), status, reviewer_name(args), args.reason)
    print(f"{len(made.decisions)} span(s) {status}.")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from reviewer.ops.audit import audit_entries, verify_audit

    with _open(args, readonly=True) as store:
        if args.verify:
            return _print_verification(verify_audit(store), args.json)
        entries = audit_entries(store)
    if args.json:
        _emit_json([e.__dict__ for e in entries])
        return 0
    for e in entries:
        payload = json.dumps(e.payload, ensure_ascii=False, sort_keys=True)
        print(f"{e.seq:>6}  {e.time}  {e.actor:<16} {e.action:<14} {payload}")
    return 0


def _print_verification(report: Any, as_json: bool) -> int:
    if as_json:
        _emit_json(report.__dict__)
    elif report.ok:
        print(f"Audit chain intact: {report.count} entries, head {report.head_hash[:16]}…")
    if not report.ok:
        where = (f"audit chain broken at entry {report.bad_seq}: "
                 if report.bad_seq is not None else "")
        sys.stderr.write(f"reviewer: {where}{report.problem}\n")
        return 1
    return 0


def cmd_passwd(args: argparse.Namespace) -> int:
    from reviewer.ops.stores import change_passphrase

    store = _open(args)
    try:
        change_passphrase(store, new_passphrase(args), reviewer_name(args))
    finally:
        store.close()
    print(f"Passphrase of {args.store} changed.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from reviewer.ops.importing import import_files

    bar = ProgressBar()
    with _open(args) as store:
        try:
            report = import_files(store, [Path(p) for p in args.paths], reviewer_name(args),
                                  fmt=args.format, progress=bar)
        finally:
            bar.close()
    for line in report.summary_lines():
        print(line)
    for line in report.error_lines():
        sys.stderr.write(f"reviewer: {line}\n")
    return 3 if report.failed else 0


def cmd_analyze(args: argparse.Namespace) -> int:
    from reviewer.ops.workers import start_early

    cluster = _cluster_spec(args)
    passphrase = read_passphrase(args)  # before workers start without it
    start_early(args.workers, cluster)  # their server imports on another core meanwhile

    from reviewer.ops.analysis import analyze
    from reviewer.ops.clusters import ClusterConnection
    from reviewer.ops.stores import open_store

    bar = ProgressBar()
    # A cluster is reached (a local one started) while the store's key is derived.
    # (Not before the imports above: imports in two threads only slowed both.)
    with (ClusterConnection(cluster) if cluster is not None
          else contextlib.nullcontext()) as connection, \
            open_store(Path(args.store), passphrase) as store:
        try:
            report = analyze(store, reviewer_name(args), policy_path=_opt_path(args.policy),
                             workers=args.workers, progress=bar, cluster=connection)
        finally:
            bar.close()
    for line in report.warning_lines():
        sys.stderr.write(f"reviewer: warning: {line}\n")
    for line in report.summary_lines():
        print(line)
    return 0


def _cluster_spec(args: argparse.Namespace) -> ClusterSpec | None:
    """``--cluster`` and its TLS files, checked (and an unencrypted one warned
    about) before the store is opened."""
    tls = (args.cluster_ca, args.cluster_cert, args.cluster_key)
    if args.cluster is None:
        if args.insecure_cluster or any(tls):
            raise UsageError("--insecure-cluster and --cluster-ca/-cert/-key go with --cluster.")
        return None
    if args.workers is not None:
        raise UsageError("--workers is for analysis on this machine; with --cluster the "
                         "cluster's workers detect (local:N for N of them here).")
    spec = ClusterSpec(args.cluster, args.insecure_cluster, *(_opt_path(p) for p in tls))
    spec.check()
    warning = spec.warning()
    if warning:
        sys.stderr.write(f"reviewer: warning: {warning}\n")
    return spec


def cmd_evaluate(args: argparse.Namespace) -> int:
    from reviewer.ops.evaluation import evaluate

    report = evaluate(Path(args.gold), policy_path=_opt_path(args.policy))
    if args.json:
        _emit_json(report.as_dict())
    else:
        for line in report.summary_lines():
            print(line)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from reviewer.ops.exporting import export_packet

    bar = ProgressBar()
    with _open(args) as store:
        try:
            report = export_packet(
                store, Path(args.out_dir), reviewer_name(args), prefix=args.prefix,
                allow_pending=args.allow_pending, active_only=args.active_only,
                only_finished=args.only_finished, progress=bar,
            )
        finally:
            bar.close()
    for line in report.summary_lines():
        print(line)
    return 0


def cmd_batch_split(args: argparse.Namespace) -> int:
    from reviewer.ops.batches import split

    with _open(args) as store:
        secret = batch_passphrase(args, confirm=True)
        report = split(store, Path(args.out_dir), args.size, secret, reviewer_name(args),
                       by=args.by)
    if args.json:
        _emit_json(report.as_dict())
        return 0
    for b in report.batches:
        print(f"{b.path}  batch {b.number} ({b.batch_id}): {b.conversations} conversation(s), "
              f"{b.spans} span(s)")
    print(f"{len(report.batches)} batch store(s) written; the split is audit entry "
          f"{report.audit_seq}.")
    return 0


def cmd_batch_merge(args: argparse.Namespace) -> int:
    from reviewer.ops.batches import merge

    with _open(args) as store:
        report = merge(store, [Path(p) for p in args.batch_stores], batch_passphrase(args),
                       reviewer_name(args))
    if args.json:
        _emit_json(report.as_dict())
        return 0
    for m in report.batches:
        if m.already_merged:
            print(f"{m.path}: batch {m.number} already merged at its audit entry {m.head_seq}; "
                  "nothing to bring back.")
            continue
        print(f"{m.path}: batch {m.number}: {m.decided} decision(s), {m.new_spans} new span(s), "
              f"{m.removed} withdrawn, {len(m.conflicts)} conflict(s); audit head {m.head_seq} "
              f"{m.head_hash}")
        if m.left_out:
            print(f"  {m.left_out} span(s) in conversations imported into the batch (not the "
                  "matter's) were left out.")
    conflicted = report.conflict_span_ids
    if conflicted:
        print(f"{len(conflicted)} conflict(s), the matter's decisions kept, span ids: "
              f"{' '.join(map(str, conflicted))} (reviewer batch conflicts STORE)")
    if report.audit_seq is not None:
        print(f"Merged; audit entry {report.audit_seq}.")
    return 0


def cmd_batch_conflicts(args: argparse.Namespace) -> int:
    from reviewer.ops.batches import conflicts, describe_conflict

    with _open(args, readonly=True) as store:
        found = [describe_conflict(c) for c in conflicts(store)]
    if args.json:
        _emit_json(found)
        return 0
    for c in found:
        batch, matter = c["batch"], c["matter"] or {}
        print(f"{c['span_id']:>8}  {c['kind']:<8} batch: {batch['status']} {batch['entity']} "
              f"({batch['reviewer']}, {batch['decided_at']})  matter: "
              f"{matter.get('status', 'gone')} {matter.get('entity', '')}")
    print(f"{len(found)} open conflict(s).")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from reviewer.ops.exporting import verify_packet

    report = verify_packet(Path(args.packet_dir), args.key)
    if not report.ok:
        sys.stderr.write(f"reviewer: packet does not verify: {report.problem}\n")
        return 1
    for line in report.summary_lines():
        print(line)
    return 0


_QC_DRAWN_FROM = {"decisions": "decided spans", "elusion": "analysed messages with no span"}


def cmd_qc_sample(args: argparse.Namespace) -> int:
    from reviewer.ops.qc import draw_sample

    with _open(args) as store:
        drawn = draw_sample(store, args.kind, args.size, reviewer_name(args), args.seed)
    sample = drawn.sample
    said = (f"Seed {sample.seed} drew QC sample {sample.id} already: its items again, nothing "
            "new drawn." if drawn.again else
            f"QC sample {sample.id}: {len(drawn.items)} of {sample.population} "
            f"{_QC_DRAWN_FROM[sample.kind]}, "
            f"seed {sample.seed} (audited; the same seed draws the same items from the same "
            "store).")
    if args.json:
        sys.stderr.write(f"reviewer: {said}\n")
        _emit_json({"items": [item.as_dict() for item in drawn.items]})
        return 0
    print(said)
    for item in drawn.items:
        where = (f"span {item.span_id} ({item.status})" if item.kind == "decision"
                 else f"message {item.message_id}")
        print(f"{item.id:>8}  {item.kind:<8}  {where}")
    return 0


def cmd_qc_decide(args: argparse.Namespace) -> int:
    from reviewer.ops.qc import record_verdicts

    verdict = "agree" if args.agree else "disagree" if args.disagree else "missed"
    try:
        item_ids = [int(v) for v in args.item_ids]
    except ValueError:
        raise UsageError("Item ids are the numbers that 'reviewer qc sample' prints.") from None
    with _open(args) as store:
        items = record_verdicts(store, item_ids, verdict, reviewer_name(args), args.reason)
    counts: dict[str, int] = {}
    for item in items:
        counts[f"{item.kind} {item.verdict}"] = counts.get(f"{item.kind} {item.verdict}", 0) + 1
    print("Recorded: " + ", ".join(f"{n} {what}" for what, n in counts.items()) + ".")
    return 0


def cmd_qc_report(args: argparse.Namespace) -> int:
    from reviewer.ops.qc import qc_report

    with _open(args, readonly=True) as store:
        report = qc_report(store, args.target)
    if args.json:
        _emit_json(report.as_dict())
        return 0
    for line in report.summary_lines():
        print(line)
    return 0


def _explicit_reviewer(args: argparse.Namespace) -> str | None:
    """The identity given on the command line or in the environment (the GUI asks otherwise)."""
    return getattr(args, "reviewer", None) or os.environ.get("REVIEWER_NAME")


def cmd_gui(args: argparse.Namespace) -> int:
    from reviewer.gui.app import run_gui

    return run_gui(_opt_path(getattr(args, "store", None)), reviewer=_explicit_reviewer(args))


def cmd_demo(args: argparse.Namespace) -> int:
    from reviewer.ops.demo import DEMO_PASSPHRASE, build_demo

    bar = ProgressBar()
    try:
        # The app analyses in the background, its window open; --no-gui analyses here.
        path = build_demo(_opt_path(args.store_path), reviewer_name(args), fresh=args.fresh,
                          progress=bar, analyse=args.no_gui)
    finally:
        bar.close()
    print(f"Demo store: {path}")
    print(f"Passphrase: {DEMO_PASSPHRASE}  (demo only; real stores never show theirs)")
    if args.no_gui:
        return 0
    from reviewer.gui.app import run_demo

    return run_demo(path, reviewer=_explicit_reviewer(args), exit_when=args.exit_when)


def _opt_path(value: str | None) -> Path | None:
    return Path(value) if value else None


# --- parser ---------------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse, whose usage errors are the contract's one line (argparse prints the
    whole usage first); ``--help`` still prints it all. Sub-commands' parsers are of
    this class too (``add_subparsers`` makes them of their parent's)."""

    def error(self, message: str) -> NoReturn:
        self.exit(UsageError.exit_code, f"{self.prog}: {message}; see {self.prog} --help.\n")


def _common() -> _Parser:
    common = _Parser(add_help=False)
    common.add_argument("--passphrase-file", metavar="FILE", default=argparse.SUPPRESS,
                        help="read the passphrase from the first line of FILE")
    common.add_argument("--reviewer", metavar="NAME", default=argparse.SUPPRESS,
                        help="reviewer identity (else REVIEWER_NAME, else the OS user)")
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show tracebacks")
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = _Parser(
        prog="reviewer", parents=[common],
        description="Find, review and redact personal data in chat-assistant conversation logs.",
    )
    parser.add_argument("--version", action="version", version=f"reviewer {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    p = add("gui", cmd_gui, "open the desktop app (on STORE: the unlock dialog first)")
    p.add_argument("store", nargs="?", metavar="STORE")
    p = add("demo", cmd_demo, "build the demo store, analyse it and open the app on it")
    p.add_argument("--store", dest="store_path", metavar="PATH")
    p.add_argument("--fresh", action="store_true", help="rebuild the demo store from scratch")
    p.add_argument("--no-gui", action="store_true", help="build and analyse only")
    p.add_argument("--exit-when", choices=["shown", "analysed"],
                   help="close the app once its window is shown, or the analysis done "
                        "(for timing start-up)")
    add("init", cmd_init, "create a new, empty store").add_argument("store", metavar="STORE")
    p = add("import", cmd_import, "import conversation files")
    p.add_argument("store", metavar="STORE")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--format", choices=["chatgpt", "openai-jsonl", "openai-batch", "claude",
                                        "sharegpt", "csv"])
    p = add("analyze", cmd_analyze, "run the suggestion service on what is not yet analysed")
    p.add_argument("store", metavar="STORE")
    p.add_argument("--workers", type=int, metavar="N")
    p.add_argument("--policy", metavar="FILE",
                   help="analyse under this policy from now on (default: the store's policy, "
                        "at first the shipped one)")
    p.add_argument("--cluster", metavar="ADDRESS",
                   help="detect on a Dask cluster: local:N starts N workers here, tls://HOST:PORT "
                        "is a running scheduler (needs the cluster extra)")
    p.add_argument("--insecure-cluster", action="store_true",
                   help="allow a tcp:// (unencrypted) cluster address")
    p.add_argument("--cluster-ca", metavar="FILE", help="CA certificate of a tls:// cluster "
                   "(default: Dask's configuration, DASK_DISTRIBUTED__COMM__TLS__CA_FILE)")
    p.add_argument("--cluster-cert", metavar="FILE", help="client certificate for the cluster")
    p.add_argument("--cluster-key", metavar="FILE", help="client key for the cluster")
    p = add("stats", cmd_stats, "counts")
    p.add_argument("store", metavar="STORE")
    p.add_argument("--json", action="store_true")
    p = add("spans", cmd_spans, "list spans")
    p.add_argument("store", metavar="STORE")
    p.add_argument("--status", choices=[*(str(s) for s in Status), CONFLICT],
                   help="a status, or conflict: spans a batch merge left for a lead to settle")
    # Entity names are upper case (the policy refuses others): "person" means PERSON.
    p.add_argument("--entity", metavar="E", type=str.upper)
    p.add_argument("--with-text", action="store_true")
    p.add_argument("--json", action="store_true")
    p = add("show", cmd_show, "print conversations with every stored message, original text")
    p.add_argument("store", metavar="STORE")
    p.add_argument("--conversation", metavar="ID",
                   help="only this conversation (its conversation_id in spans --json)")
    p.add_argument("--json", action="store_true")
    p = add("decide", cmd_decide, "record decisions without the GUI")
    p.add_argument("store", metavar="STORE")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--approve", action="store_true")
    group.add_argument("--reject", action="store_true")
    p.add_argument("--reason", metavar="CODE")
    p.add_argument("span_ids", nargs="+", metavar="SPAN_ID")
    _add_qc(sub, common)
    p = add("export", cmd_export, "write a signed review packet; OUT_DIR must not exist")
    p.add_argument("store", metavar="STORE")
    p.add_argument("out_dir", metavar="OUT_DIR")
    p.add_argument("--prefix", default="RR", metavar="PFX")
    p.add_argument("--allow-pending", action="store_true",
                   help="redact pending spans and withhold text never analysed, instead of "
                        "refusing")
    p.add_argument("--only-finished", action="store_true",
                   help="produce only conversations with nothing pending; count the others")
    p.add_argument("--active-only", action="store_true",
                   help="leave alternate branches out")
    p = add("verify", cmd_verify, "check a packet's hashes and signature")
    p.add_argument("packet_dir", metavar="PACKET_DIR")
    p.add_argument("--key", metavar="FINGERPRINT",
                   help="the producing party's key fingerprint (as export prints it) or "
                        "base64 public key: the packet must be signed with it")
    p = add("audit", cmd_audit, "show or verify the audit log")
    p.add_argument("store", metavar="STORE")
    p.add_argument("--verify", action="store_true")
    p.add_argument("--json", action="store_true")
    add("passwd", cmd_passwd, "change the passphrase").add_argument("store", metavar="STORE")
    p = add("evaluate", cmd_evaluate, "precision and recall of the suggestion service")
    p.add_argument("gold", metavar="GOLD.json")
    p.add_argument("--policy", metavar="FILE")
    p.add_argument("--json", action="store_true")
    _add_batch(sub, common)
    return parser


def _add_batch(sub: Any, common: argparse.ArgumentParser) -> None:
    """``reviewer batch split|merge|conflicts``: review batches for a team."""
    batch = sub.add_parser("batch", parents=[common], help="split a matter into review batches "
                           "and merge them back", description="review batches")
    commands = batch.add_subparsers(dest="batch_command", metavar="split|merge|conflicts",
                                    required=True)
    secret = _Parser(add_help=False)
    secret.add_argument("--batch-passphrase-file", metavar="FILE",
                        help="read the batch passphrase from the first line of FILE (else "
                             "REVIEWER_BATCH_PASSPHRASE, else a prompt)")
    p = commands.add_parser("split", parents=[common, secret],
                            help="write batch stores of N conversations each")
    p.set_defaults(handler=cmd_batch_split)
    p.add_argument("store", metavar="STORE")
    p.add_argument("out_dir", metavar="OUT_DIR")
    p.add_argument("--size", type=int, required=True, metavar="N")
    p.add_argument("--by", choices=["order", "source", "pending"], default="order",
                   help="conversation order (default), by source file, or dealt so that "
                        "batches hold about as many pending spans")
    p.add_argument("--json", action="store_true")
    p = commands.add_parser("merge", parents=[common, secret],
                            help="bring batch decisions back; conflicts listed, never overwrite")
    p.set_defaults(handler=cmd_batch_merge)
    p.add_argument("store", metavar="STORE")
    p.add_argument("batch_stores", nargs="+", metavar="BATCH_STORE")
    p.add_argument("--json", action="store_true")
    p = commands.add_parser("conflicts", parents=[common],
                            help="spans batches decided otherwise than the matter, open")
    p.set_defaults(handler=cmd_batch_conflicts)
    p.add_argument("store", metavar="STORE")
    p.add_argument("--json", action="store_true")


def _add_qc(sub: Any, common: argparse.ArgumentParser) -> None:
    """``reviewer qc sample|decide|report``: second-level review and elusion testing."""
    from reviewer.domain.qc_stats import DEFAULT_TARGET, KINDS, VERDICT_RULE

    qc = sub.add_parser("qc", parents=[common], help="quality control: sample decisions or "
                        "span-less messages, record verdicts, report error rates",
                        description="quality control")
    commands = qc.add_subparsers(dest="qc_command", metavar="sample|decide|report", required=True)
    p = commands.add_parser("sample", parents=[common],
                            help="draw a reproducible random sample of decided spans "
                                 "(decisions) or of messages with no span (elusion)")
    p.set_defaults(handler=cmd_qc_sample)
    p.add_argument("store", metavar="STORE")
    p.add_argument("--size", type=int, required=True, metavar="N")
    p.add_argument("--kind", choices=KINDS, default=KINDS[0])
    p.add_argument("--seed", type=int, metavar="S",
                   help="seed of the random draw (default: one is chosen, printed and audited)")
    p.add_argument("--json", action="store_true")
    p = commands.add_parser("decide", parents=[common], help="record the QC reviewer's verdict "
                            "on sample items (no span is changed)", epilog=VERDICT_RULE)
    p.set_defaults(handler=cmd_qc_decide)
    p.add_argument("store", metavar="STORE")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--agree", action="store_true", help="the decision is right / nothing "
                       "was missed in the message")
    group.add_argument("--disagree", action="store_true", help="the decision is wrong")
    group.add_argument("--missed", action="store_true",
                       help="the elusion message holds personal data that has no span")
    p.add_argument("--reason", metavar="TEXT", help="why, in words (kept with the verdict)")
    p.add_argument("item_ids", nargs="+", metavar="ITEM_ID")
    p = commands.add_parser("report", parents=[common],
                            help="disagreement and elusion rates with 95%% upper bounds")
    p.set_defaults(handler=cmd_qc_report)
    p.add_argument("store", metavar="STORE")
    p.add_argument("--target", type=float, default=DEFAULT_TARGET, metavar="RATE",
                   help="the rate to show the bound below, for the sample still needed "
                        "(default 0.01: 1%%)")
    p.add_argument("--json", action="store_true")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. The secret variables are out of the environment while it
    runs, so no process it starts inherits them; SIGTERM stops it as Ctrl+C does."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    # The app keeps SIGTERM's default (Qt's event loop would hold a Python handler
    # back until the next event): it ends at once, and its workers with it.
    in_app = getattr(args, "handler", cmd_gui) in (cmd_gui, cmd_demo)
    with secrets_withheld() as secrets, contextlib.nullcontext() if in_app else _signals_raise():
        args.secrets = secrets
        return _run(args)


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """While the block runs in the main thread, SIGTERM raises TerminatedError and
    Ctrl+C KeyboardInterrupt, through infra.interrupts, which holds them back while
    analysis waits on its workers (raised where they arrive, they can hang the pool)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum: int, frame: FrameType | None) -> None:
        interrupts.deliver(TerminatedError(), signum)

    def interrupt(signum: int, frame: FrameType | None) -> None:
        interrupts.deliver(KeyboardInterrupt(), signum)

    signals: dict[type[BaseException], int] = {TerminatedError: signal.SIGTERM}
    previous = {signal.SIGTERM: signal.signal(signal.SIGTERM, terminate)}
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not when ignored
        previous[signal.SIGINT] = signal.signal(signal.SIGINT, interrupt)
        signals[KeyboardInterrupt] = signal.SIGINT
    try:
        with interrupts.lost_ones_again(signals):
            yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _run(args: argparse.Namespace) -> int:
    handler: Handler = getattr(args, "handler", cmd_gui)
    debug = bool(getattr(args, "debug", False))
    try:
        return handler(args)
    except KnownError as err:
        if debug:
            traceback.print_exc()
        sys.stderr.write(f"reviewer: {err}\n")
        return err.exit_code
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: stop quietly, as Unix tools do.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        sys.stderr.write(INTERRUPTED)
        return EXIT_INTERRUPTED
    except TerminatedError:
        sys.stderr.write("reviewer: terminated; nothing after the last committed step was kept.\n")
        return EXIT_TERMINATED
    except Exception as err:  # a bug: one line, the traceback only with --debug
        if debug:
            traceback.print_exc()
        first = next(iter(str(err).splitlines()), "")  # SQLAlchemy appends SQL lines
        sys.stderr.write(f"reviewer: internal error ({type(err).__name__}): {first}. "
                         "Run again with --debug for details and report it.\n")
        return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
