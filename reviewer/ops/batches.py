"""Review batches: splitting a matter into batch stores for a team, and merging
their work back with its chain of custody.

A batch store is an ordinary store (the app opens it like any other) holding a
share of the matter's conversations, their spans and decisions so far, and the
policy in force. Its audit chain starts with a ``batch_genesis`` entry naming
the matter's store id, the batch id and the matter's audit head; it holds no
signing key and cannot export. Merging checks each batch's chain and identity
before anything changes, then in one transaction brings back what the batch's
reviewers did: a span the batch changed is taken where the matter still holds
it as the batch started from it, and is a conflict (listed, the matter's
decision kept) where the matter holds another decision by then.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from reviewer.domain.audit import GENESIS_HASH
from reviewer.domain.errors import RefusedError, UsageError
from reviewer.domain.models import AuditEntry, Decision, Origin, Span
from reviewer.domain.progress import Progress, no_progress
from reviewer.ops.spans import list_spans
from reviewer.ops.stores import require_strong
from reviewer.store import audit, spans
from reviewer.store import batches as stored
from reviewer.store.database import Store
from reviewer.store.spans import REVEALED

GENESIS = "batch_genesis"
SPLIT_ORDERS = ("order", "source", "pending")


# --- splitting -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SplitBatch:
    batch_id: str
    number: int
    path: Path
    conversations: int
    spans: int


@dataclass(frozen=True)
class SplitReport:
    batches: tuple[SplitBatch, ...]
    audit_seq: int

    def as_dict(self) -> dict[str, Any]:
        """``batch split --json``: each batch written, and the split's audit entry."""
        return {"audit_seq": self.audit_seq, "batches": [
            {"batch_id": b.batch_id, "number": b.number, "path": str(b.path),
             "conversations": b.conversations, "spans": b.spans} for b in self.batches]}


def batch_of(store: Store) -> stored.BatchIdentity | None:
    """Which batch of which matter ``store`` is; None for a matter."""
    with store.reading() as conn:
        return stored.identity(conn)


def batch_title(store: Store) -> str:
    """'batch 2 of 5 of matter m.store' for a batch, '' for a matter (the window's title)."""
    who = batch_of(store)
    if who is None:
        return ""
    return f"batch {who.number} of {who.of} of matter {who.matter_name}"


def refuse_batch(store: Store, what: str) -> None:
    """Refuse ``what`` (an export, a split, a merge) on a batch store, in one line."""
    who = batch_of(store)
    if who is not None:
        raise RefusedError(
            f"{store.path} is batch {who.number} of {who.of} of matter {who.matter_name}: "
            f"a batch store cannot {what}; merge it into the matter (reviewer batch merge) "
            "and do it there.")


def plan_batches(order: Sequence[tuple[int, int]], size: int, by: str) -> list[list[int]]:
    """Conversation ids per batch: runs of ``size`` in the given order; with 'pending'
    dealt out (most pending first, back and forth) so batches carry like workloads."""
    ids = [conv_id for conv_id, _pending in order]
    count = -(-len(ids) // size)
    if by != "pending" or count <= 1:
        return [ids[at:at + size] for at in range(0, len(ids), size)]
    dealt: list[list[int]] = [[] for _ in range(count)]
    for position, conv_id in enumerate(ids):
        lap, place = divmod(position, count)
        dealt[place if lap % 2 == 0 else count - 1 - place].append(conv_id)
    return [sorted(batch) for batch in dealt]


def split(store: Store, out_dir: Path, size: int, batch_passphrase: str, actor: str,
          by: str = "order", progress: Progress = no_progress) -> SplitReport:
    """Write the batch stores ``OUT_DIR/<matter>-batch-NNN.store`` and audit the split.

    Each batch is written under a temporary name and takes its own name only after
    the split is in the matter's audit log: a kill leaves no batch that looks
    finished, and no batch the matter does not know.
    """
    if size < 1:
        raise UsageError("--size must be at least 1 conversation a batch.")
    if by not in SPLIT_ORDERS:
        raise UsageError(f"--by is one of {', '.join(SPLIT_ORDERS)}.")
    refuse_batch(store, "be split again")
    require_strong(batch_passphrase)
    with store.reading() as conn:
        groups = plan_batches(stored.conversation_order(conn, by), size, by)
        head = audit.head(conn)
    if not groups:
        raise RefusedError(f"{store.path} holds no conversations: there is nothing to split.")
    out_dir = Path(out_dir)
    targets = [out_dir / f"{store.path.stem}-batch-{n:03d}.store" for n in
               range(1, len(groups) + 1)]
    _check_targets(out_dir, targets)
    temps = [t.with_name(f".{t.name}.partial") for t in targets]
    made: list[tuple[stored.BatchIdentity, int]] = []
    try:
        for n, temp in enumerate(temps):
            progress(n, len(groups), "Batches")
            made.append(_write_batch(store, temp, groups[n], batch_passphrase,
                                     _identity(store, head, n + 1, len(groups))))
        seq = _record_split(store, made, targets, groups, actor, by)
    except BaseException:
        for temp in temps:
            _remove(temp)
        raise
    for temp, target in zip(temps, targets, strict=True):
        _publish(temp, target)
    return SplitReport(tuple(
        SplitBatch(who.batch_id, who.number, target, len(group), count)
        for (who, count), target, group in zip(made, targets, groups, strict=True)), seq)


def _identity(store: Store, head: Any, number: int, of: int) -> stored.BatchIdentity:
    return stored.BatchIdentity(
        matter_store_id=store.store_id, matter_name=store.path.name,
        batch_id=str(uuid.uuid4()), number=number, of=of,
        matter_head_seq=head.seq if head else 0,
        matter_head_hash=head.hash if head else GENESIS_HASH, decisions_upto=0)


def _check_targets(out_dir: Path, targets: Sequence[Path]) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir} is a file: give a folder for the batch stores.")
    for target in targets:
        if target.exists() or target.is_symlink():
            raise UsageError(f"{target} already exists: choose another folder; nothing was "
                             "written.")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UsageError(f"Cannot make the folder {out_dir}: {err.strerror}.") from None


def _write_batch(store: Store, temp: Path, conv_ids: Sequence[int], passphrase: str,
                 who: stored.BatchIdentity) -> tuple[stored.BatchIdentity, int]:
    """One batch store at ``temp``: its conversations, identity and genesis entry."""
    _remove(temp)  # a leftover of a split that was killed
    batch = Store.create(temp, passphrase)
    try:
        with store.reading() as matter, batch.transaction() as conn:
            count = stored.copy_conversations(matter, conn, conv_ids)
            who = replace(who, decisions_upto=stored.max_decision_id(conn))
            stored.make_batch(matter, conn, who)
            audit.append(conn, who.matter_name, GENESIS, {
                "matter_store_id": who.matter_store_id, "batch_id": who.batch_id,
                "batch_store_id": batch.store_id, "number": who.number, "of": who.of,
                "matter_audit_head": {"seq": who.matter_head_seq, "hash": who.matter_head_hash},
                "conversations": len(conv_ids), "spans": count})
    finally:
        batch.close()
    return who, count


def _record_split(store: Store, made: Sequence[tuple[stored.BatchIdentity, int]],
                  targets: Sequence[Path], groups: Sequence[Sequence[int]], actor: str,
                  by: str) -> int:
    with store.transaction() as conn:
        listed = []
        for (who, count), target, group in zip(made, targets, groups, strict=True):
            stored.record_batch(conn, who, target.name, group, actor)
            listed.append({"batch_id": who.batch_id, "number": who.number, "file": target.name,
                           "conversations": len(group), "spans": count})
        entry = audit.append(conn, actor, "batch_split", {"by": by, "batches": listed})
        return entry.seq


def _publish(temp: Path, target: Path) -> None:
    """Give a finished batch its name; never over an existing file."""
    for suffix in ("-wal", "-shm"):  # SQLite removes them on close; if not, they go along
        side = Path(f"{temp}{suffix}")
        if side.exists():
            os.replace(side, f"{target}{suffix}")
    try:
        os.link(temp, target)
    except FileExistsError:
        raise UsageError(f"{target} appeared while the batches were written: the split is "
                         "in the matter's audit log, but this batch was not published.") from None
    temp.unlink()


def _remove(temp: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{temp}{suffix}").unlink(missing_ok=True)


# --- merging ---------------------------------------------------------------------------------


@dataclass
class BatchMerge:
    """What merging one batch did."""

    path: Path
    batch_id: str
    number: int
    head_seq: int
    head_hash: str
    already_merged: bool = False
    decided: int = 0
    new_spans: int = 0
    removed: int = 0
    left_out: int = 0  # spans in conversations imported into the batch, not the matter's
    conflicts: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class MergeReport:
    batches: tuple[BatchMerge, ...]
    audit_seq: int | None  # None: nothing to merge (every batch merged at its head already)

    @property
    def conflict_span_ids(self) -> list[int]:
        return sorted({s for b in self.batches for s in b.conflicts})

    def as_dict(self) -> dict[str, Any]:
        """``batch merge --json``: per batch what came back, and the conflicts."""
        return {"audit_seq": self.audit_seq, "batches": [{
            "batch_id": m.batch_id, "number": m.number, "path": str(m.path),
            "already_merged": m.already_merged,
            "audit_head": {"seq": m.head_seq, "hash": m.head_hash},
            "decided": m.decided, "new_spans": m.new_spans, "removed": m.removed,
            "left_out": m.left_out, "conflict_span_ids": [str(s) for s in m.conflicts]}
            for m in self.batches],
            "conflicts": {"count": len(self.conflict_span_ids),
                          "span_ids": [str(s) for s in self.conflict_span_ids]}}


@dataclass
class _Batch:
    """A batch store read and checked, ready to merge."""

    path: Path
    who: stored.BatchIdentity
    head: AuditEntry
    spans: dict[int, Span]
    decisions: list[Decision]


def merge(store: Store, batch_paths: Sequence[Path], batch_passphrase: str,
          actor: str) -> MergeReport:
    """Bring the batches' work into the matter: one transaction, one audit entry that
    records each batch's audit head. Every batch is checked before anything changes."""
    refuse_batch(store, "take a merge")
    if not batch_paths:
        raise UsageError("Name at least one batch store to merge.")
    read = _distinct([_read_batch(store, Path(p), batch_passphrase) for p in batch_paths])
    with store.transaction() as conn:
        merged = [_merge_one(conn, b) for b in read]
        done = [m for m in merged if not m.already_merged]
        if not done:
            return MergeReport(tuple(merged), None)
        entry = audit.append(conn, actor, "batch_merge", {"batches": [{
            "batch_id": m.batch_id, "number": m.number, "file": m.path.name,
            "audit_head": {"seq": m.head_seq, "hash": m.head_hash},
            "decided": m.decided, "new_spans": m.new_spans, "removed": m.removed,
            "left_out": m.left_out,
            "conflict_span_ids": m.conflicts} for m in done]})
        for m, b in zip(merged, read, strict=True):
            if not m.already_merged:
                upto = max((d.id or 0 for d in b.decisions), default=0)
                previous = stored.last_merge(conn, m.batch_id)
                floor = previous.decisions_upto if previous else b.who.decisions_upto
                stored.record_merge(conn, m.batch_id, stored.MergedHead(
                    m.head_seq, m.head_hash, max(upto, floor)), entry.seq, actor)
        return MergeReport(tuple(merged), entry.seq)


def _distinct(read: Sequence[_Batch]) -> list[_Batch]:
    """The batches in order, a batch named twice (the same head) once."""
    seen: dict[tuple[str, str], _Batch] = {}
    for b in read:
        seen.setdefault((b.who.batch_id, b.head.hash), b)
    return list(seen.values())


def _read_batch(store: Store, path: Path, passphrase: str) -> _Batch:
    """Open a batch read-only and check it is this matter's, with an unbroken chain."""
    if not path.exists():
        raise UsageError(f"{path} does not exist: name the batch store files to merge.")
    batch = Store.open(path, passphrase, readonly=True)
    try:
        with batch.reading() as conn:
            who = stored.identity(conn)
            report = audit.verify(conn)
            genesis = next(audit.entries(conn), None)
            head = audit.head(conn)
            if who is None:
                raise RefusedError(f"{path} is not a review batch (it is a store of its own): "
                                   "nothing was merged.")
            if not report.ok:
                raise RefusedError(f"{path}: its audit chain is broken at entry {report.bad_seq} "
                                   f"({report.problem}); nothing was merged.")
            _check_belongs(store, path, who, genesis)
            with store.reading() as matter:
                _check_issued(matter, store.path, path, who, conn)
            floor = _merged_floor(store, who)
            assert head is not None
            made = stored.decisions_after(conn, floor)
            _check_audited(path, made, audit.entries(conn))
            return _Batch(path, who, head, stored.all_spans(conn), made)
    finally:
        batch.close()


def _check_belongs(store: Store, path: Path, who: stored.BatchIdentity,
                   genesis: AuditEntry | None) -> None:
    if who.matter_store_id != store.store_id:
        raise RefusedError(f"{path} is a batch of another matter (store id "
                           f"{who.matter_store_id}), not of {store.path.name}: nothing was "
                           "merged.")
    expected = {"matter_store_id": who.matter_store_id, "batch_id": who.batch_id,
                "matter_audit_head": {"seq": who.matter_head_seq, "hash": who.matter_head_hash}}
    if (genesis is None or genesis.seq != 1 or genesis.action != GENESIS
            or any(genesis.payload.get(k) != v for k, v in expected.items())):
        raise RefusedError(f"{path}: its audit chain does not start with the genesis entry of "
                           "its batch (altered or not made by batch split); nothing was merged.")


def _check_issued(matter: Any, matter_path: Path, path: Path, who: stored.BatchIdentity,
                  batch: Any) -> None:
    issued = stored.issued(matter, who.batch_id)
    if issued is None or (issued.matter_head_seq, issued.matter_head_hash) != (
            who.matter_head_seq, who.matter_head_hash):
        # Named by the store merging into: a copy of the matter made before the split has
        # the matter's id but never issued the batch.
        raise RefusedError(f"{path} names batch {who.batch_id} of {matter_name(who)}, which "
                           f"{matter_path.name} never issued (a copy from before the split?): "
                           "nothing was merged.")
    previous = stored.last_merge(matter, who.batch_id)
    if previous is not None:
        at = next(audit.entries(batch, previous.head_seq - 1), None)
        if at is None or at.seq != previous.head_seq or at.hash != previous.head_hash:
            raise RefusedError(
                f"{path}: its audit chain no longer holds entry {previous.head_seq} as it was "
                "merged before (a different or rewritten copy of the batch); nothing was merged.")


def _check_audited(path: Path, made: Sequence[Decision],
                   entries: Iterable[AuditEntry]) -> None:
    """Every decision a batch's reviewers made must be in its audit chain (the chain
    of custody): one written into the file by other means is refused."""
    audited: set[int] = set()
    revealed: set[int] = set()
    # What a "decide" entry says of its decisions: status, reason, reviewer, spans.
    said: dict[int, tuple[str, str | None, str, frozenset[int]]] = {}
    for entry in entries:
        payload = entry.payload
        audited.update(_ints(payload.get("decision_ids")) + _ints([payload.get("decision_id")]))
        revealed.update(_ints(payload.get("revealed_span_ids")))
        if entry.action == "decide":
            told = (str(payload.get("status")), payload.get("reason"), entry.actor,
                    frozenset(_ints(payload.get("span_ids"))))
            said.update((decision_id, told) for decision_id in _ints(payload.get("decision_ids")))
    for d in made:
        if d.id in said and said[d.id] != (str(d.status), d.reason, d.reviewer,
                                           said[d.id][3] | {d.span_id}):
            raise RefusedError(
                f"{path}: decision {d.id} on span {d.span_id} is not what its audit entry "
                "records (status, reason, reviewer or span changed outside the app); nothing "
                "was merged.")
        if d.id in audited or (d.reason == REVEALED and d.span_id in revealed):
            continue
        raise RefusedError(f"{path}: decision {d.id} on span {d.span_id} is in no entry of its "
                           "audit chain (the batch was changed outside the app); nothing was "
                           "merged.")


def _ints(values: Any) -> list[int]:
    return [v for v in values or () if isinstance(v, int)]


def matter_name(who: stored.BatchIdentity) -> str:
    return f"the matter {who.matter_name}"


def _merged_floor(store: Store, who: stored.BatchIdentity) -> int:
    with store.reading() as conn:
        previous = stored.last_merge(conn, who.batch_id)
    return previous.decisions_upto if previous else who.decisions_upto


def _merge_one(conn: Any, b: _Batch) -> BatchMerge:
    result = BatchMerge(b.path, b.who.batch_id, b.who.number, b.head.seq, b.head.hash)
    previous = stored.last_merge(conn, b.who.batch_id)
    if previous is not None and (previous.head_seq, previous.head_hash) == (b.head.seq,
                                                                            b.head.hash):
        result.already_merged = True
        return result
    by_span: dict[int, list[Decision]] = {}
    for d in b.decisions:
        by_span.setdefault(d.span_id, []).append(d)
    merger = _Merger(conn, b, by_span, result)
    base = stored.bases(conn, b.who.batch_id)
    for batch_span_id, (span_id, state) in sorted(base.items()):
        merger.known_span(batch_span_id, span_id, state)
    for batch_span_id in sorted(set(b.spans) - set(base)):
        merger.new_span(b.spans[batch_span_id])
    return result


class _Merger:
    """The merge of one batch into the matter, span by span, in the merge's transaction."""

    def __init__(self, conn: Any, b: _Batch, by_span: dict[int, list[Decision]],
                 result: BatchMerge) -> None:
        self.conn = conn
        self.b = b
        self.by_span = by_span
        self.result = result
        self.decision_ids: dict[int, int] = {}  # batch decision id -> matter decision id
        self.span_ids: dict[int, int] = {}  # batch span id -> matter span id
        self.conversations = stored.batch_conversation_ids(conn, b.who.batch_id)

    def known_span(self, batch_span_id: int, span_id: int, base: stored.State) -> None:
        self.span_ids[batch_span_id] = span_id
        theirs = self.b.spans.get(batch_span_id)
        ours = stored.find_span(self.conn, span_id)
        if theirs is None:  # the batch withdrew it (a manual span, a revealed one)
            if ours is not None and not _withdrawable(ours):
                # A suggested span is never removed by a review: a batch without it
                # had rows deleted outside the app, and the matter would lose it.
                raise RefusedError(
                    f"{self.b.path}: the batch no longer holds span {batch_span_id}, which "
                    f"the matter issued (conversation {ours.conversation_id}) and no review "
                    "removes: the batch was changed outside the app; nothing was merged.")
            if ours is not None and stored.state_of(ours) == base:
                spans.withdraw(self.conn, ours)
                self.result.removed += 1
            elif ours is not None:
                self._conflict(span_id, "removed", base, None, ours)
            stored.drop_base(self.conn, self.b.who.batch_id, batch_span_id)
            return
        if ours is not None and _place(theirs) != _place(ours):
            # Its id now names another piece of text (rows deleted and made again
            # outside the app): matched by id it would relabel or decide the wrong span.
            raise RefusedError(
                f"{self.b.path}: span {batch_span_id} of the batch is not where the matter "
                f"issued it (conversation {ours.conversation_id}, characters {ours.start}-"
                f"{ours.end}): its spans were made again (analysed again, or changed outside "
                "the app); nothing was merged.")
        if stored.state_of(theirs) == base:
            return
        self._reconcile(batch_span_id, span_id, theirs, ours, base)

    def _reconcile(self, batch_span_id: int, span_id: int, theirs: Span, ours: Span | None,
                   base: stored.State) -> None:
        wanted = stored.state_of(theirs)
        held = None if ours is None else stored.state_of(ours)
        if held == base and held != wanted:
            assert ours is not None
            stored.apply_state(self.conn, span_id, theirs)
            self._copy_decisions(batch_span_id, span_id, theirs, ours)
            self.result.decided += 1
        elif held != wanted:
            self._conflict(span_id, "decided", wanted, theirs, ours)
        # Agreed, taken, or listed as a conflict: this state of the batch is settled
        # here; only a later change in the batch is news to a later merge.
        stored.set_base(self.conn, self.b.who.batch_id, batch_span_id, span_id, wanted)

    def new_span(self, theirs: Span) -> None:
        """A span the batch made (a manual span, one revealed by a reject). One in a
        conversation imported into the batch is not the matter's: it is left out, counted."""
        if theirs.conversation_id not in self.conversations:
            self.result.left_out += 1
            return
        if stored.message_text(self.conn, theirs.message_id, theirs.conversation_id) is None:
            raise RefusedError(
                f"{self.b.path}: span {theirs.id} lies in a message that conversation "
                f"{theirs.conversation_id} does not hold in the matter; nothing was merged.")
        there = stored.same_place_span(self.conn, theirs)
        if there is not None:
            pending = ("pending", there.entity, None)
            self._reconcile(theirs.id, there.id, theirs, there, pending)
            return
        explanation = self._linked(theirs.explanation)
        span_id = stored.insert_span(self.conn, theirs, explanation)
        self.span_ids[theirs.id] = span_id
        self._copy_decisions(theirs.id, span_id, theirs, None)
        self.result.new_spans += 1
        stored.set_base(self.conn, self.b.who.batch_id, theirs.id, span_id,
                        stored.state_of(theirs))

    def _linked(self, explanation: dict[str, Any]) -> dict[str, Any]:
        """The explanation with its 'revealed_by' link in the matter's ids."""
        link = explanation.get("revealed_by")
        if not isinstance(link, dict):
            return explanation
        return {**explanation, "revealed_by": {
            "span_id": self.span_ids.get(link.get("span_id", 0), link.get("span_id")),
            "decision_id": self.decision_ids.get(link.get("decision_id", 0)),
        }}

    def _copy_decisions(self, batch_span_id: int, span_id: int, theirs: Span,
                        ours: Span | None) -> None:
        """The batch's decisions on the span, with their reviewers and times. A changed
        span that no decision of the batch changed was written outside the app."""
        made = self.by_span.get(batch_span_id, [])
        if not made and ours is not None:
            raise RefusedError(
                f"{self.b.path}: span {batch_span_id} is {theirs.status} ({theirs.entity}) in "
                "the batch, but no decision in the batch made it so: the batch was changed "
                "outside the app; nothing was merged.")
        for d in made:
            new_id = stored.insert_decision(self.conn, replace(
                d, span_id=span_id,
                undo_of=None if d.undo_of is None else self.decision_ids.get(d.undo_of)))
            if d.id is not None:
                self.decision_ids[d.id] = new_id

    def _conflict(self, span_id: int, kind: str, wanted: stored.State, theirs: Span | None,
                  ours: Span | None) -> None:
        stored.record_conflict(self.conn, stored.Conflict(
            span_id=span_id, batch_id=self.b.who.batch_id, kind=kind, batch_state=wanted,
            batch_reviewer=theirs.decided_by if theirs else None,
            batch_decided_at=None if theirs is None or theirs.decided_at is None
            else theirs.decided_at.isoformat(),
            matter_state=stored.state_of(ours) if ours else None))
        self.result.conflicts.append(span_id)


def _withdrawable(span: Span) -> bool:
    """Whether a review can remove ``span``: a manual span (its undo), or one a reject
    revealed (the reject's undo)."""
    return span.origin is Origin.MANUAL or "revealed_by" in span.explanation


def _place(span: Span) -> tuple[int, int | None, int, int]:
    """Where a span lies: what must not change between a split and its merge."""
    return span.conversation_id, span.message_id, span.start, span.end


# --- conflicts -------------------------------------------------------------------------------


def conflicts(store: Store) -> list[stored.Conflict]:
    """The open conflicts: spans a batch decided otherwise than the matter, which no
    decision in the matter has settled since."""
    with store.reading() as conn:
        return stored.open_conflicts(conn)


def conflict_span_ids(store: Store) -> list[int]:
    return sorted({c.span_id for c in conflicts(store)})


def conflicted_spans(store: Store, entity: str | None = None,
                     with_text: bool = False) -> Iterator[dict[str, Any]]:
    """The spans of the open conflicts, as ``reviewer spans`` lists spans."""
    wanted = set(conflict_span_ids(store))
    return (item for item in list_spans(store, None, entity, with_text)
            if int(item["id"]) in wanted)


def conflict_notes(store: Store, span_id: int) -> list[str]:
    """The open conflicts of one span, a sentence each (the inspector shows them)."""
    with store.reading() as conn:
        return [conflict_sentence(c) for c in stored.open_conflicts(conn, [span_id])]


def conflict_sentence(c: stored.Conflict) -> str:
    """'Batch 2 (alice) decided reject; the matter kept approve.' and how to settle it."""
    batch = f"Batch {c.batch_number}" if c.batch_number is not None else "A batch"
    who = f" ({c.batch_reviewer})" if c.batch_reviewer else ""
    if c.kind == "removed":
        did = f"{batch}{who} removed this span"
    else:
        did = f"{batch}{who} decided {_state_words(c.batch_state, c.matter_state)}"
    kept = ("the matter no longer holds it" if c.matter_state is None else
            f"the matter kept {_state_words(c.matter_state, c.batch_state)}")
    return f"{did}; {kept}. A or R here settles it."


def _state_words(state: stored.State, other: stored.State | None) -> str:
    """'reject', or 'approve PERSON [PII]' where entity or reason tell the sides apart."""
    status, entity, reason = state
    words = {"approved": "approve", "rejected": "reject"}.get(status, status)
    if other is not None and entity != other[1]:
        words += f" {entity}"
    if reason and (other is None or reason != other[2]):
        words += f" [{reason}]"
    return words


def next_conflict(store: Store, after: Span | None) -> Span | None:
    """The next span with an open conflict in reading order after ``after`` (its
    conversation first, then the next conversations), wrapping round; None when none."""
    with store.reading() as conn:
        return (stored.next_conflicted_span(conn, after)
                or stored.next_conflicted_span(conn, None))


def first_conflict_in(store: Store, conv_id: int) -> int | None:
    """The first span of a conversation, in reading order, with an open conflict."""
    with store.reading() as conn:
        return stored.first_conflicted_span_in(conn, conv_id)


def describe_conflict(c: stored.Conflict) -> dict[str, Any]:
    """The JSON shape of a conflict for ``batch conflicts --json``."""
    def side(state: stored.State | None) -> dict[str, Any] | None:
        return None if state is None else dict(zip(("status", "entity", "reason"), state,
                                                   strict=True))
    return {"span_id": str(c.span_id), "batch_id": c.batch_id, "kind": c.kind,
            "batch": {**(side(c.batch_state) or {}), "reviewer": c.batch_reviewer,
                      "decided_at": c.batch_decided_at},
            "matter": side(c.matter_state), "found_at": c.found_at}
