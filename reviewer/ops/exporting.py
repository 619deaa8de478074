"""Exporting a signed review packet, and verifying one.

The export reads one snapshot of the store in two passes. The first collects
every span: pending spans refuse the export (unless allowed, then they are
redacted), and the text of every redacted span becomes a needle for the leak
scan and gets its stable ``[ENTITY-N]`` number. The second renders the
conversations batch by batch into a hidden folder, scanning each for needles
no decided span covers. A leak refuses the export and becomes pending spans;
otherwise the packet is signed, renamed into place and the export recorded in
the audit log in the same step.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

from reviewer import __version__
from reviewer.domain.errors import KnownError, RefusedError, UsageError
from reviewer.domain.models import AuditEntry, Origin, Status, Suggestion
from reviewer.domain.progress import Progress, no_progress
from reviewer.export.leaks import Needles, needle_text
from reviewer.export.manifest import fingerprint
from reviewer.export.packet import PacketWriter
from reviewer.export.redact import Leak, RedactedConversation, redact_conversation
from reviewer.export.verify import VerifyReport
from reviewer.export.verify import verify_packet as _verify
from reviewer.store import audit, conversations, packets, spans
from reviewer.store.database import Store

DEFAULT_LEGEND = "CONFIDENTIAL — SUBJECT TO PROTECTIVE ORDER"
PREFIX_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_]{0,19}")
SHOWN_PLACES = 5

__all__ = [
    "ExportReport", "LeakRefusedError", "PendingRefusedError", "VerifyReport", "export_packet",
    "pending_summary", "verify_packet",
]


class PendingRefusedError(RefusedError):
    """Pending spans block the export; ``count`` of them."""

    def __init__(self, message: str, count: int) -> None:
        super().__init__(message)
        self.count = count


class LeakRefusedError(RefusedError):
    """The leak scan refused the export; ``span_ids`` are the new pending spans."""

    def __init__(self, message: str, span_ids: list[int]) -> None:
        super().__init__(message)
        self.span_ids = span_ids


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

    def summary_lines(self) -> list[str]:
        bates = f": {self.prefix}-000001 – {self.prefix}-{self.pages:06d}" if self.pages else ""
        return [
            f"Packet {self.packet_id} written to {self.out_dir}.",
            f"{self.conversations} conversation(s), {self.messages} message(s), {self.pages} "
            f"page(s){bates}.",
            f"{self.redactions} span(s) redacted ({self.pending_redacted} of them still pending),"
            f" {self.kept} kept after review.",
            f"Manifest SHA-256 {self.manifest_sha256}; signed by key {self.key_fingerprint}.",
        ]


@dataclass
class _Plan:
    """What the first pass learnt: counts, pending places, needles and numbers."""

    by_entity: dict[str, Counter[str]] = field(default_factory=dict)
    pending_places: Counter[str] = field(default_factory=Counter)
    redacted_pairs: dict[tuple[str, str], None] = field(default_factory=dict)
    # Upstream markers ("[REDACTED]", "{{EMAIL}}") are redacted too, but their text is
    # not personal data: searching for it would flag every "email" in the packet.
    needle_pairs: dict[tuple[str, str], None] = field(default_factory=dict)
    tokens: dict[tuple[str, str], str] = field(default_factory=dict)
    needles: Needles = field(default_factory=lambda: Needles([]))

    def status_total(self, status: Status) -> int:
        return sum(c[str(status)] for c in self.by_entity.values())

    def token_for(self, entity: str, text: str) -> str:
        # A pair missing from the first pass cannot happen in one snapshot; fail closed anyway.
        return self.tokens.get((entity, text), f"[{entity}]")


def verify_packet(packet_dir: Path) -> VerifyReport:
    """Check a packet's signature, hashes and file list; needs no store."""
    return _verify(packet_dir)


def pending_summary(store: Store, active_only: bool = False) -> tuple[int, int]:
    """(pending spans, conversations holding them) that an export would meet."""
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
    progress: Progress | None = None,
) -> ExportReport:
    """Write a signed packet at ``out_dir`` (which must not exist) or refuse with nothing left."""
    _check_request(Path(out_dir), prefix)
    legend, policy_hash = _policy_facts()
    options = {"prefix": prefix, "allow_pending": allow_pending, "active_only": active_only}
    progress = progress or no_progress
    progress(0, None, "Checking spans")
    with store.reading() as conn, packets.scan_cache(conn):
        plan = _plan(store, conn, allow_pending, active_only)
        writer = PacketWriter(Path(out_dir), prefix, legend)
        try:
            leaks = _render(conn, writer, plan, allow_pending, active_only, progress)
            sealed = None if leaks else _seal(store, conn, writer, plan, actor, policy_hash,
                                              options)
        except BaseException:
            writer.discard()
            raise
    if sealed is None:
        writer.discard()
        _refuse_leaks(store, leaks, actor, Path(out_dir))
    return _publish(store, writer, plan, actor, *sealed, prefix)


def _check_request(out_dir: Path, prefix: str) -> None:
    if not PREFIX_PATTERN.fullmatch(prefix):
        raise UsageError(f"The Bates prefix {prefix!r} is not usable: give 1 to 20 letters, "
                         "digits or underscores, starting with a letter or digit.")
    if out_dir.exists() or out_dir.is_symlink():
        raise UsageError(f"{out_dir} already exists: give a new folder name for the packet.")


def _policy_facts() -> tuple[str, str | None]:
    """The confidentiality legend and the current policy's hash."""
    from reviewer.suggest.policy import load_policy

    try:
        loaded = load_policy()
    except KnownError:
        return DEFAULT_LEGEND, None
    return loaded.policy.legend or DEFAULT_LEGEND, loaded.hash


# --- first pass: counts, pending, needles ------------------------------------------------------


def _plan(store: Store, conn: Any, allow_pending: bool, active_only: bool) -> _Plan:
    plan = _Plan()
    for item in packets.span_texts(conn, list(Status), active_only):
        plan.by_entity.setdefault(item.entity, Counter())[str(item.status)] += 1
        if item.status is Status.PENDING:
            plan.pending_places[item.source_id] += 1
        if item.status is Status.APPROVED or (allow_pending and item.status is Status.PENDING):
            plan.redacted_pairs[(item.entity, item.text)] = None
            if item.origin is not Origin.UPSTREAM:
                plan.needle_pairs[(item.entity, item.text)] = None
    if plan.pending_places and not allow_pending:
        raise _pending_error(plan.pending_places)
    with store.transaction() as write:
        numbers = packets.replacement_numbers(write, plan.redacted_pairs)
    plan.tokens = {pair: f"[{pair[0]}-{n}]" for pair, n in numbers.items()}
    vocabulary = _format_words(plan.by_entity)
    plan.needles = Needles((text, entity, plan.tokens[(entity, text)])
                           for entity, text in plan.needle_pairs
                           if needle_text(text) not in vocabulary)
    return plan


def _format_words(entities: Iterable[str]) -> set[str]:
    """Words the packet's own format writes (entity names, statuses, origins): a span
    whose text is one of them ("email", "pending") cannot be searched for without
    flagging the redaction log itself."""
    words = {*entities, *(str(s) for s in Status), *(str(o) for o in Origin)}
    return {needle_text(w) for w in words}


def _pending_error(places: Counter[str]) -> PendingRefusedError:
    total = sum(places.values())
    shown = ", ".join(f"{source} ({n})" for source, n in places.most_common(SHOWN_PLACES))
    more = f" and {len(places) - SHOWN_PLACES} more" if len(places) > SHOWN_PLACES else ""
    return PendingRefusedError(
        f"Export refused: {total} pending span(s) in {len(places)} conversation(s): "
        f"{shown}{more}. Decide them, or export with --allow-pending to redact them.", total,
    )


# --- second pass: render and scan --------------------------------------------------------------


def _redacted(
    conn: Any, plan: _Plan, allow_pending: bool, active_only: bool
) -> Iterator[RedactedConversation]:
    for batch in packets.conversation_batches(conn, active_only=active_only):
        for conv, conv_spans in batch:
            yield redact_conversation(conv, conv_spans, plan.token_for, plan.needles,
                                      allow_pending)


def _render(
    conn: Any, writer: PacketWriter, plan: _Plan, allow_pending: bool,
    active_only: bool, progress: Progress,
) -> list[Leak]:
    total, _ = conversations.counts(conn)
    leaks: list[Leak] = []
    progress(0, total, "Exporting")
    for done, redacted in enumerate(_redacted(conn, plan, allow_pending, active_only), 1):
        leaks += redacted.leaks
        if not leaks:  # after a leak only the scan goes on: the packet is lost anyway
            writer.add(redacted)
        progress(done, total, "Scanning for leaks" if leaks else "Exporting")
    return leaks


def _refuse_leaks(store: Store, leaks: list[Leak], actor: str, out_dir: Path) -> NoReturn:
    grouped: dict[tuple[int, int | None], list[Suggestion]] = {}
    for leak in leaks:
        grouped.setdefault((leak.conversation_id, leak.message_id), []).append(Suggestion(
            start=leak.hit.start, end=leak.hit.end, entity=leak.hit.entity, score=1.0,
            recognizer="leak_scan", origin=Origin.PROPAGATED,
            explanation={"why": "the same text is redacted elsewhere; found by the export's "
                                "leak scan"},
        ))
    with store.transaction() as conn:
        span_ids = [
            span_id for (conv_id, message_id), found in grouped.items()
            for span_id in spans.add(conn, conv_id, message_id, found, policy_hash=None)
        ]
        audit.append(conn, actor, "export_refused", {
            "reason": "leak_scan", "new_pending_span_ids": span_ids,
            "conversations": len({c for c, _ in grouped}),
        })
    raise LeakRefusedError(
        f"Export refused: the leak scan found {len(span_ids)} place(s) in "
        f"{len({c for c, _ in grouped})} conversation(s) where redacted text appears without "
        f"a decision; they are now pending spans. Review them, then export again. "
        f"Nothing was written to {out_dir}.", span_ids,
    )


# --- sealing and publishing --------------------------------------------------------------------


def _seal(
    store: Store, conn: Any, writer: PacketWriter, plan: _Plan, actor: str,
    policy_hash: str | None, options: dict[str, Any],
) -> tuple[bytes, AuditEntry | None]:
    head = audit.head(conn)
    writer.write_audit(_audit_lines(conn, plan.needles))
    unreviewed = writer.unreviewed_leaks(plan.needles)
    if unreviewed:
        raise RefusedError(f"Export refused: redacted text was found in {', '.join(unreviewed)}, "
                           "which no span can cover. Nothing was written; please report this.")
    key = packets.signing_key(conn)
    fields = {
        "packet_id": str(uuid.uuid4()),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "tool_version": __version__,
        "store_id": store.store_id,
        "exported_by": plan.needles.scrub(actor),
        "reviewers": [plan.needles.scrub(r) for r in packets.reviewers(conn)],
        "options": options,
        "counts": _counts(writer, plan, bool(options["allow_pending"])),
        "policy_hash": policy_hash,
        "analysis_policies": packets.policy_hashes(conn),
        "audit_head": {"seq": head.seq if head else 0, "hash": head.hash if head else None},
    }
    return writer.seal(fields, key), head


def _counts(writer: PacketWriter, plan: _Plan, allow_pending: bool) -> dict[str, Any]:
    statuses = [str(s) for s in Status]
    pending = plan.status_total(Status.PENDING)
    return {
        "conversations": writer.conversations,
        "messages": writer.messages,
        "pages": writer.pages,
        "spans": {s: plan.status_total(Status(s)) for s in statuses},
        "spans_by_entity": {
            entity: {s: counts[s] for s in statuses}
            for entity, counts in sorted(plan.by_entity.items())
        },
        "redacted": plan.status_total(Status.APPROVED) + (pending if allow_pending else 0),
        "pending_redacted": pending if allow_pending else 0,
    }


def _audit_lines(conn: Any, needles: Needles) -> Iterator[dict[str, Any]]:
    """The audit chain up to the snapshot's head; a payload holding redacted text is
    scrubbed and marked (its hash then no longer checks, on purpose)."""
    for entry in audit.entries(conn):
        line = dict(entry.__dict__)
        scrubbed = _scrub_json(line["payload"], needles)
        if scrubbed != line["payload"] or needles.scrub(entry.actor) != entry.actor:
            line.update(payload=scrubbed, actor=needles.scrub(entry.actor), scrubbed=True)
        yield line


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
    head: AuditEntry | None, prefix: str,
) -> ExportReport:
    manifest = json.loads(data)
    digest = hashlib.sha256(data).hexdigest()
    counts = manifest["counts"]
    try:
        with store.transaction() as conn:
            audit.append(conn, actor, "export", {
                "packet_id": manifest["packet_id"], "manifest_sha256": digest,
                "folder": writer.folder.out_dir.name, "counts": counts,
                "audit_head_seq": head.seq if head else 0, "options": manifest["options"],
            })
            writer.folder.commit()
    except BaseException:
        writer.folder.discard()
        if writer.folder.out_dir.exists() and not writer.folder.root.exists():
            writer.folder.rollback()
        raise
    return ExportReport(
        out_dir=writer.folder.out_dir, packet_id=manifest["packet_id"],
        conversations=counts["conversations"], messages=counts["messages"],
        pages=counts["pages"], redactions=counts["redacted"],
        kept=plan.status_total(Status.REJECTED), pending_redacted=counts["pending_redacted"],
        manifest_sha256=digest, key_fingerprint=fingerprint(manifest["public_key"]),
        prefix=prefix,
    )

