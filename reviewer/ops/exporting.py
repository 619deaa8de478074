"""Exporting a signed review packet, and verifying one.

The export reads one snapshot of the store in two passes. The first finds
what cannot leave as it is (pending spans, text never analysed under the policy
in force): it refuses the export, or, when allowed, that text is redacted or
withheld, or (``only_finished``) those conversations are left out. The text of
every approved span becomes a needle for the leak scan and every redacted text
gets its stable ``[ENTITY-N]`` number. The second pass renders the produced
conversations batch by batch into a hidden folder, scanning each for needles no
decided span covers. A leak refuses the export and becomes pending spans;
otherwise the packet is signed, the export is committed to the audit log, and
only then does the folder appear under its name: at any moment the packet is
either absent or audited. Every refusal is audited with its reason.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import re
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

from reviewer import __version__
from reviewer.domain.errors import RefusedError, UsageError
from reviewer.domain.models import AuditEntry, Origin, Status, Suggestion
from reviewer.domain.progress import Progress, no_progress
from reviewer.export import fields, loadfile, log
from reviewer.export.bodies import WorkerLostError
from reviewer.export.fields import reference
from reviewer.export.folder import check_target, remove_leftovers, write_problem
from reviewer.export.leaks import Needles, vocabulary_of
from reviewer.export.manifest import fingerprint
from reviewer.export.packet import PacketWriter
from reviewer.export.records import RedactedConversation
from reviewer.export.redact import NOT_ANALYSED, Leak, Redactor
from reviewer.export.redact import redact_conversation as _redact
from reviewer.export.verify import VerifyReport
from reviewer.export.verify import verify_packet as _verify
from reviewer.ingest.reader import FORMATS
from reviewer.ops.batches import refuse_batch
from reviewer.ops.policies import current_policy
from reviewer.ops.qc import manifest_qc
from reviewer.ops.refusals import (
    ConflictRefusedError,
    ExportRefusedError,
    LeakRefusedError,
    PendingRefusedError,
    RefusedPlace,
    UnanalysedRefusedError,
    WriteRefusedError,
    places_of,
    refusal_payload,
    refuse,
    shown,
    unfinished_error,
)
from reviewer.store import audit, packets, spans
from reviewer.store.database import Store
from reviewer.suggest.policy import LoadedPolicy

DEFAULT_LEGEND = "CONFIDENTIAL — SUBJECT TO PROTECTIVE ORDER"
PREFIX_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_]{0,19}")
# The words the packet's own structure writes: its file and folder names, and the
# tool's labels. An approved value that is one of them ("Data") must not flag
# the packet's own ``DATA/`` folder when the written files are read back.
PACKET_WORDS = frozenset((
    "conversations", "jsonl", "redaction", "log", "csv", "text", "txt", "pdf", "data", "dat",
    "audit", "manifest", "json", "sig", "title", "source", "id", "control", "bates",
    "created", "message", "messages", "withheld", "not", "analysed", "other", "participant",
    "ref", "src", "scrubbed", "shipped", "leak", "scan", "refused", "export",
))

__all__ = [
    "ConflictRefusedError", "ExportRefusedError", "ExportReport", "LeakRefusedError",
    "PendingRefusedError", "RefusedPlace", "UnanalysedRefusedError", "VerifyReport",
    "WriteRefusedError", "export_packet", "pending_summary", "verify_packet",
]


@dataclass(frozen=True)
class ExportReport:
    """What an export produced."""

    out_dir: Path
    packet_id: str
    conversations: int
    messages: int
    pages: int
    redactions: int
    kept: int
    pending_redacted: int
    manifest_sha256: str
    key_fingerprint: str
    prefix: str
    withheld: int = 0
    not_analysed: int = 0

    def summary_lines(self) -> list[str]:
        bates = f": {self.prefix}-000001 – {self.prefix}-{self.pages:06d}" if self.pages else ""
        lines = [
            f"Packet {self.packet_id} written to {self.out_dir}.",
            f"{self.conversations} conversation(s), {self.messages} message(s), {self.pages} "
            f"page(s){bates}.",
            f"{self.redactions} span(s) redacted ({self.pending_redacted} of them still pending),"
            f" {self.kept} kept after review.",
        ]
        if self.withheld:
            lines.append(f"{self.withheld} unfinished conversation(s) withheld.")
        if self.not_analysed:
            lines.append(f"{self.not_analysed} text(s) never analysed withheld as "
                         f"{NOT_ANALYSED}.")
        lines.append(f"Manifest SHA-256 {self.manifest_sha256}; signed by key "
                     f"{self.key_fingerprint}.")
        return lines


@dataclass(frozen=True)
class _Request:
    out_dir: Path
    prefix: str
    allow_pending: bool
    active_only: bool
    only_finished: bool

    def options(self) -> dict[str, Any]:
        return {"prefix": self.prefix, "allow_pending": self.allow_pending,
                "active_only": self.active_only, "only_finished": self.only_finished}


@dataclass
class _Plan:
    """What the first pass learnt, and what the second counts."""

    request: _Request
    policy: LoadedPolicy
    redactor: Redactor
    vocabulary: frozenset[str]
    withheld: int = 0
    spans: Counter[tuple[str, str]] = field(default_factory=Counter)
    not_analysed: int = 0
    echoes: int = 0  # places pending text was redacted without a span
    # (conversation id, span id) of rejected spans that keep a value redacted elsewhere
    conflicts: list[tuple[int, int]] = field(default_factory=list)

    def status_total(self, status: Status) -> int:
        return sum(n for (_, s), n in self.spans.items() if s == status)


def verify_packet(packet_dir: Path, key: str | None = None) -> VerifyReport:
    """Check a packet's signature, hashes and file list (and, with ``key``, that this
    key signed it); needs no store."""
    return _verify(packet_dir, key)


def pending_summary(store: Store, active_only: bool = False) -> tuple[int, int]:
    """(pending spans, conversations holding them); text never analysed, which blocks
    an export too, is not counted here."""
    with store.reading() as conn:
        places: Counter[int] = Counter(
            s.conversation_id for s in packets.span_texts(conn, [Status.PENDING], active_only)
        )
    return sum(places.values()), len(places)


def export_packet(
    store: Store,
    out_dir: Path,
    actor: str,
    prefix: str = "RR",
    allow_pending: bool = False,
    active_only: bool = False,
    only_finished: bool = False,
    progress: Progress | None = None,
) -> ExportReport:
    """Write a signed packet at ``out_dir`` (which must not exist) or refuse with nothing
    left behind. A review batch cannot export (it holds no signing key)."""
    refuse_batch(store, "export")
    request = _Request(Path(out_dir), prefix, allow_pending, active_only, only_finished)
    _check_request(request)
    remove_leftovers(request.out_dir.parent)
    progress = progress or no_progress
    progress(0, None, "Checking spans")
    try:
        with _collector_frozen():
            return _export(store, request, actor, progress)
    except ExportRefusedError as error:
        refuse(store, actor, error, request.options())
    except OSError as err:
        refuse(store, actor, WriteRefusedError(write_problem(err, request.out_dir.parent)),
               request.options(), {"errno": err.errno})
    except WorkerLostError:
        refuse(store, actor, WriteRefusedError(
            "Export failed: a process writing the PDFs ended without answering (the machine "
            "may be out of memory). Nothing was left behind; export again."), request.options())


# Objects made, net of those freed, that set off a collection of the youngest generation
# while an export runs (Python's default: 700).
YOUNG_COLLECTION_AFTER = 20_000


@contextlib.contextmanager
def _collector_frozen() -> Iterator[None]:
    """The objects alive before the export are left out of garbage collection while it
    runs: it makes a few dozen objects a conversation, and the collections of the
    oldest generation that they set off walked every module, class and function
    loaded (a twentieth of the export's time in the main process).

    The youngest generation is collected less often too: reading a batch of
    conversations makes thousands of objects at once, and each collection they set
    off every 700 walked the whole batch; 200 collections of the two young
    generations took a twentieth of the main process's time at 2,000 conversations,
    three or four at this threshold a tenth of that. Cycles are rare in what an
    export makes (reference counts free it), so memory stays flat."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_AFTER, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _check_request(request: _Request) -> None:
    if not PREFIX_PATTERN.fullmatch(request.prefix):
        raise UsageError(f"The Bates prefix {request.prefix!r} is not usable: give 1 to 20 "
                         "letters, digits or underscores, starting with a letter or digit.")
    check_target(request.out_dir)


def _export(store: Store, request: _Request, actor: str, progress: Progress) -> ExportReport:
    policy = current_policy(store)
    with store.reading() as conn, packets.scan_cache(conn):
        writer = PacketWriter(request.out_dir, request.prefix, _legend(policy))
        try:
            total = packets.count_conversations(
                conn, request.active_only, policy.hash if request.only_finished else None)
            writer.expect(total)  # a big export's workers start while the first pass reads
            plan = _plan(store, conn, request, policy)
            leaks = _render(conn, writer, plan, total, progress)
            if plan.conflicts and not leaks:
                raise _conflict_error(plan.conflicts, packets.titles(
                    conn, sorted({conv_id for conv_id, _ in plan.conflicts})))
            sealed = None if leaks else _seal(store, conn, writer, plan, actor)
        except BaseException:
            writer.discard()
            raise
    if sealed is None:
        writer.discard()
        _refuse_leaks(store, leaks, actor, request)
    return _publish(store, writer, plan, actor, *sealed)


def _legend(policy: LoadedPolicy) -> str:
    return policy.policy.legend or DEFAULT_LEGEND


# --- first pass: what cannot leave, needles and numbers ----------------------------------------


def _plan(store: Store, conn: Any, request: _Request, policy: LoadedPolicy) -> _Plan:
    withheld = _unfinished(conn, request, policy.hash)
    needle_pairs: dict[tuple[str, str], None] = {}
    pending_pairs: dict[tuple[str, str], None] = {}
    redacted_pairs: dict[tuple[str, str], None] = {}
    statuses = [Status.APPROVED, *([Status.PENDING] if request.allow_pending else [])]
    for item in packets.span_texts(conn, statuses, active_only=False):
        redacted_pairs[(item.entity, item.text)] = None
        # Upstream markers ("[REDACTED]") are not personal data, and a pending span was
        # never judged to be any: neither becomes a spot to review elsewhere. Pending
        # text is still redacted wherever else it occurs (``Redactor.pending``).
        if item.origin is Origin.UPSTREAM:
            continue
        target = needle_pairs if item.status is Status.APPROVED else pending_pairs
        target[(item.entity, item.text)] = None
    with store.transaction() as write:
        numbers = packets.replacement_numbers(write, redacted_pairs)
        secret = packets.reference_secret(write)
    tokens = {pair: f"[{pair[0]}-{n}]" for pair, n in numbers.items()}
    needles = Needles((text, entity, tokens[(entity, text)]) for entity, text in needle_pairs)
    vocabulary = _vocabulary(policy, {e for e, _ in numbers})
    _check_packet_words(request.prefix, _legend(policy), needles, vocabulary)
    redactor = Redactor(
        token_for=lambda entity, text: tokens.get((entity, text), f"[{entity}]"),
        needles=needles, source_ref=reference(secret, "SRC"),
        allow_pending=request.allow_pending,
        reason_codes=frozenset(r.code for r in policy.policy.reason_codes),
        pending=Needles((text, entity, tokens[(entity, text)])
                        for entity, text in pending_pairs if (entity, text) not in needle_pairs),
    )
    return _Plan(request, policy, redactor, vocabulary, withheld=withheld)


def _unfinished(conn: Any, request: _Request, policy_hash: str) -> int:
    """How many conversations ``only_finished`` withholds; refuses when nothing may be
    withheld and something is unfinished."""
    if request.allow_pending and not request.only_finished:
        return 0
    pending = unanalysed = total = 0
    places: list[RefusedPlace] = []
    for item in packets.unfinished(conn, policy_hash, request.active_only):
        total += 1
        pending += item.pending
        unanalysed += item.unanalysed
        if len(places) < 1000 and not request.only_finished:
            places.append(_place(item))
    if not total:
        return 0
    finished = packets.count_conversations(conn, request.active_only) - total
    if not request.only_finished:
        raise unfinished_error(places, total, pending, unanalysed, finished)
    if finished <= 0:
        raise ExportRefusedError(
            f"Export refused: no conversation is finished (all {total} have pending spans "
            "or text never analysed), so --only-finished has nothing to produce. Decide "
            "them first. Nothing was written.")
    return total


def _place(item: packets.Unfinished) -> RefusedPlace:
    kinds = ["pending span(s)"] if item.pending else []
    kinds += ["text(s) never analysed"] if item.unanalysed else []
    return RefusedPlace(item.conversation_id, item.title, item.pending + item.unanalysed,
                        " and ".join(kinds))


def _check_packet_words(prefix: str, legend: str, needles: Needles,
                        vocabulary: frozenset[str]) -> None:
    """The prefix names every file and the legend is on every page: neither may hold
    redacted text (the packet's own words aside: "personal data" is no leak of an
    approved "Data")."""
    if next(needles.find(prefix), None):
        raise ExportRefusedError(f"Export refused: the Bates prefix {prefix} matches redacted "
                                 "text, and it names every file. Choose another prefix.")
    if next(needles.find(legend, vocabulary), None):
        raise ExportRefusedError("Export refused: the policy's legend, stamped on every page, "
                                 "holds redacted text. Change the legend in the policy.")


def _vocabulary(policy: LoadedPolicy, entities: set[str]) -> frozenset[str]:
    words = {*PACKET_WORDS, *FORMATS, *fields.ROLES, *fields.CONTENT_TYPES,
             *(str(s) for s in Status), *(str(o) for o in Origin), *entities,
             *(rule.name for rule in policy.policy.entities),
             *(r.code for r in policy.policy.reason_codes),
             *log.HEADER, *loadfile.FIELDS}
    return vocabulary_of(words)


# --- second pass: render and scan --------------------------------------------------------------


def _redacted(conn: Any, plan: _Plan) -> Iterator[RedactedConversation]:
    request = plan.request
    unanalysed_under = plan.policy.hash if request.allow_pending else None
    finished_under = plan.policy.hash if request.only_finished else None
    for batch in packets.conversation_batches(
        conn, active_only=request.active_only, unanalysed_under=unanalysed_under,
        finished_under=finished_under,
    ):
        for item in batch:
            yield _redact(item.conversation, item.spans, plan.redactor, item.unanalysed)


def _render(conn: Any, writer: PacketWriter, plan: _Plan, total: int,
            progress: Progress) -> list[Leak]:
    leaks: list[Leak] = []
    progress(0, total, "Exporting")
    for done, redacted in enumerate(_redacted(conn, plan), 1):
        leaks += redacted.leaks
        plan.conflicts += [(redacted.conversation_id, span_id) for span_id in redacted.conflicts]
        if not leaks:  # after a leak only the scan goes on: the packet is lost anyway
            writer.add(redacted)
            plan.spans.update((row.entity, row.status) for row in redacted.log if not row.echo)
            plan.echoes += sum(row.echo for row in redacted.log)
            plan.not_analysed += redacted.unanalysed
        progress(done, total, "Scanning for leaks" if leaks else "Exporting")
    return leaks


def _refuse_leaks(store: Store, leaks: list[Leak], actor: str, request: _Request) -> NoReturn:
    """Make every leak a pending span and refuse, recorded in one transaction."""
    grouped: dict[tuple[int, int | None], list[Suggestion]] = {}
    for leak in leaks:
        grouped.setdefault((leak.conversation_id, leak.message_id), []).append(Suggestion(
            start=leak.hit.start, end=leak.hit.end, entity=leak.hit.entity, score=1.0,
            recognizer="leak_scan", origin=Origin.PROPAGATED,
            explanation={"why": "the same text is redacted elsewhere; found by the export's "
                                "leak scan"},
        ))
    with store.transaction() as conn:
        counted = spans.watch(conn, {conv_id for conv_id, _ in grouped})
        span_ids = [
            span_id for (conv_id, message_id), found in grouped.items()
            for span_id in spans.add(conn, conv_id, message_id, found, policy_hash=None)
        ]
        error = _leak_error(span_ids, leaks, packets.titles(conn, sorted({c for c, _ in grouped})))
        audit.append(conn, actor, "export_refused", refusal_payload(
            error, request.options(), {"new_pending_span_ids": span_ids}))
        error.changes = spans.changes(conn, counted, span_ids=span_ids)
    error.audited = True
    raise error


def _leak_error(span_ids: list[int], leaks: list[Leak], titles: dict[int, str]
                ) -> LeakRefusedError:
    found = Counter(leak.conversation_id for leak in leaks)
    places = places_of(((c, titles.get(c, ""), n) for c, n in sorted(found.items())),
                       "leak(s) found")
    headline = (f"Export refused: the leak scan found {len(span_ids)} place(s) in "
                f"{len(places)} conversation(s) where redacted text appears without a "
                "decision. They are now pending spans; review them, then export again.")
    return LeakRefusedError(
        f"Export refused: the leak scan found {len(span_ids)} place(s) in {len(places)} "
        f"conversation(s) where redacted text appears without a decision: "
        f"{shown(places, len(places))}. They are now pending spans; review them, then "
        "export again. Nothing was written.", span_ids, places, headline,
    )


def _conflict_error(conflicts: list[tuple[int, int]], titles: dict[int, str]
                    ) -> ExportRefusedError:
    """Rejected spans keep values that are redacted elsewhere: the packet would show
    the value beside its replacement token, which names it everywhere else."""
    found = Counter(conv_id for conv_id, _ in conflicts)
    places = places_of(((c, titles.get(c, ""), n) for c, n in sorted(found.items())),
                       "kept span(s)")
    span_ids = sorted(span_id for _, span_id in conflicts)
    ids = " ".join(str(span_id) for span_id in span_ids[:10])
    more = f" and {len(span_ids) - 10} more" if len(span_ids) > 10 else ""
    headline = (f"Export refused: {len(span_ids)} rejected span(s) in {len(places)} "
                "conversation(s) keep text that is redacted elsewhere, and the packet "
                "would show it beside the token that replaces it everywhere else.")
    error = ConflictRefusedError(
        f"{headline[:-1]}: {shown(places, len(places))}. Decide the same value one way "
        f"(e.g. approve span(s) {ids}{more}), then export again. Nothing was written.",
        span_ids, places, headline=f"{headline} Decide the same value one way, then "
                                   "export again.")
    error.facts = {"kept_span_ids": span_ids[:100]}
    return error


# --- sealing and publishing --------------------------------------------------------------------


def _seal(
    store: Store, conn: Any, writer: PacketWriter, plan: _Plan, actor: str
) -> tuple[bytes, AuditEntry | None]:
    head = audit.head(conn)
    needles = plan.redactor.needles
    structure: set[str] = set()
    writer.write_audit(_audit_lines(conn, plan, structure))
    unreviewed = writer.unreviewed_leaks(needles, plan.vocabulary | vocabulary_of(structure))
    if unreviewed:
        raise ExportRefusedError(
            f"Export refused: redacted text was found in {', '.join(unreviewed)}, which no "
            "span can cover. Nothing was written; please report this.")
    key = packets.signing_key(conn)
    manifest_fields = {
        "packet_id": str(uuid.uuid4()),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "tool_version": __version__,
        "store_id": store.store_id,
        "exported_by": needles.scrub(actor),
        "reviewers": [needles.scrub(r) for r in packets.reviewers(conn)],
        "options": plan.request.options(),
        "counts": _counts(writer, plan),
        "withheld": _withheld(plan),
        "policy_hash": plan.policy.hash,
        "legend": writer.legend,
        "analysis_policies": packets.policy_hashes(conn),
        "audit_head": {"seq": head.seq if head else 0, "hash": head.hash if head else None},
    }
    qc = manifest_qc(conn)
    if qc is not None:  # the QC figures as they stand, when a QC sample was drawn
        manifest_fields["qc"] = qc
    return writer.seal(manifest_fields, key), head


def _counts(writer: PacketWriter, plan: _Plan) -> dict[str, Any]:
    statuses = [str(s) for s in Status]
    entities = sorted({entity for entity, _ in plan.spans})
    pending = plan.status_total(Status.PENDING) if plan.request.allow_pending else 0
    return {
        "conversations": writer.conversations,
        "messages": writer.messages,
        "pages": writer.pages,
        "spans": {s: plan.status_total(Status(s)) for s in statuses},
        "spans_by_entity": {e: {s: plan.spans[(e, s)] for s in statuses} for e in entities},
        "redacted": plan.status_total(Status.APPROVED) + pending,
        "pending_redacted": pending,
        "pending_text_redacted_elsewhere": plan.echoes,
    }


def _withheld(plan: _Plan) -> dict[str, Any]:
    return {
        "conversations": plan.withheld,
        "conversations_why": "unfinished: pending spans or text never analysed under the "
                             "policy in force (--only-finished)",
        "texts_not_analysed": plan.not_analysed,
        "texts_not_analysed_as": NOT_ANALYSED,
    }


def _audit_lines(conn: Any, plan: _Plan, structure: set[str]) -> Iterator[dict[str, Any]]:
    """The audit chain up to the snapshot's head, as the packet may show it: free-text
    values (file names, paths, free reasons) by reference, redacted text by its token.
    A changed entry is marked ``scrubbed`` (its hash then no longer checks, on purpose).
    The keys and action names written are added to ``structure``."""
    needles = plan.redactor.needles
    reviewers = set(packets.reviewers(conn))
    keep = plan.vocabulary | reviewers | {plan.request.prefix}
    ref = plan.redactor.source_ref
    for entry in audit.entries(conn):
        line = dict(entry.__dict__)
        payload = _scrub_json(fields.audit_value(entry.payload, frozenset(keep), ref), needles)
        actor = needles.scrub(entry.actor)
        if payload != entry.payload or actor != entry.actor:
            line.update(payload=payload, actor=actor, scrubbed=True)
        structure.update(line, _keys(payload), [entry.action])
        yield line


def _keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


def _scrub_json(value: Any, needles: Needles) -> Any:
    if isinstance(value, str):
        return needles.scrub(value)
    if isinstance(value, list):
        return [_scrub_json(v, needles) for v in value]
    if isinstance(value, dict):
        return {k: _scrub_json(v, needles) for k, v in value.items()}
    return value


def _publish(
    store: Store, writer: PacketWriter, plan: _Plan, actor: str, data: bytes,
    head: AuditEntry | None,
) -> ExportReport:
    """Commit the export to the audit log, then let the folder appear under its name."""
    manifest = json.loads(data)
    digest = hashlib.sha256(data).hexdigest()
    counts = manifest["counts"]
    folder = writer.folder
    try:
        folder.flush()
        with store.transaction() as conn:
            audit.append(conn, actor, "export", {
                "packet_id": manifest["packet_id"], "manifest_sha256": digest,
                "folder": folder.out_dir.name, "counts": counts,
                "withheld": manifest["withheld"], "policy_hash": manifest["policy_hash"],
                "audit_head_seq": head.seq if head else 0, "options": manifest["options"],
            })
        folder.commit()
    except RefusedError as err:  # the name was taken meanwhile: audited as refused
        folder.discard()
        refused = ExportRefusedError(f"{err} The export of packet {manifest['packet_id']} "
                                     "recorded in the audit log was not published.")
        refused.facts = {"packet_id": manifest["packet_id"], "published": False}
        raise refused from None
    except BaseException:
        folder.discard()
        raise
    return ExportReport(
        out_dir=folder.out_dir, packet_id=manifest["packet_id"],
        conversations=counts["conversations"], messages=counts["messages"],
        pages=counts["pages"], redactions=counts["redacted"],
        kept=plan.status_total(Status.REJECTED), pending_redacted=counts["pending_redacted"],
        manifest_sha256=digest, key_fingerprint=fingerprint(manifest["public_key"]),
        prefix=plan.request.prefix, withheld=plan.withheld, not_analysed=plan.not_analysed,
    )
