"""Quality control: second-level review of decisions, and elusion testing.

``draw_sample`` picks, with a seeded generator over the ids in order, decided
spans (kind ``decisions``) or analysed messages that hold no span at all (kind
``elusion``): the same seed on the same store draws the same items. A QC
reviewer then gives each item a verdict (``record_verdicts``): a decision is
agreed or disagreed with (a disagreement changes no span: it is recorded and
listed for a lead), an elusion message is clean or had missed personal data; in
the app, missed data is marked at once as a manual span flagged as found by QC
(``add_missed_span``; undone by ``remove_missed_span``, which takes its verdict
back too). ``qc_report`` gives each rate with its exact one-sided 95% upper
bound. Every draw and verdict, and every undone missed span, is in the audit log.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reviewer.domain.changes import Changes
from reviewer.domain.errors import RefusedError, UsageError
from reviewer.domain.models import Origin, Status, Suggestion
from reviewer.domain.qc_stats import (
    CONFIDENCE,
    DECISIONS,
    DEFAULT_TARGET,
    ELUSION,
    KINDS,
    VERDICTS,
    Tally,
)
from reviewer.ops.policies import current_policy
from reviewer.store import audit, spans
from reviewer.store import qc as stored
from reviewer.store.database import Store
from reviewer.store.qc import QcItem, QcSample

# What each verdict asked for means on each kind of item: on an elusion item,
# agreeing is finding nothing missed, and disagreeing is finding something missed.
_MEANING = {
    ("decision", "agree"): "agree", ("decision", "disagree"): "disagree",
    ("elusion", "agree"): "agree", ("elusion", "disagree"): "missed",
    ("elusion", "missed"): "missed",
}


_NOTHING = {
    DECISIONS: "Nothing to sample: no decided span that an earlier sample does not hold. "
               "Nothing was drawn.",
    ELUSION: "Nothing to sample: no message analysed under the policy in force that holds no "
             "span and that an earlier sample does not hold. Nothing was drawn.",
}


@dataclass(frozen=True)
class DrawnSample:
    """A sample and its items; ``again``: the seed had drawn it already, nothing new stored."""

    sample: QcSample
    items: list[QcItem]
    again: bool = False


MAX_SAMPLE = 1_000_000_000  # more than any matter's spans; SQLite stores it


def draw_sample(store: Store, kind: str, size: int, reviewer: str,
                seed: int | None = None) -> DrawnSample:
    """Draw up to ``size`` items of ``kind``, audited with the seed (one chosen when none)."""
    if kind not in KINDS:
        raise UsageError(f"A QC sample is of {' or '.join(KINDS)}, not {kind!r}.")
    if size < 1:
        raise UsageError("A QC sample needs --size of at least 1.")
    if size > MAX_SAMPLE:
        raise UsageError(f"A QC sample is at most {MAX_SAMPLE:,} items; --size {size} is more "
                         "than any matter holds.")
    policy_hash = current_policy(store).hash if kind == ELUSION else ""
    with store.transaction() as conn:
        chosen = _unused_seed(conn, kind) if seed is None else seed
        earlier = stored.sample_with_seed(conn, kind, str(chosen))
        if earlier is not None:
            return _again(earlier, size, stored.items_of(conn, earlier.id))
        ids = stored.population(conn, kind, policy_hash)
        if not ids:
            raise RefusedError(_NOTHING[kind])
        ranks = random.Random(chosen).sample(range(len(ids)), min(size, len(ids)))
        picked = sorted(ids[r] for r in ranks)
        sample = stored.add_sample(conn, kind, str(chosen), size, len(ids), picked, reviewer)
        items = stored.items_of(conn, sample.id)
        audit.append(conn, reviewer, "qc_sample", {
            "sample_id": sample.id, "kind": kind, "seed": chosen, "size": size,
            "population": len(ids), "drawn": len(items),
            "item_ids": [i.id for i in items], "ids": picked,
        })
    return DrawnSample(sample, items)


def _unused_seed(conn: Any, kind: str) -> int:
    """A seed for a draw without --seed: random, and not one an earlier sample used."""
    while True:
        seed = secrets.randbelow(2**31)
        if stored.sample_with_seed(conn, kind, str(seed)) is None:
            return seed


def _again(earlier: QcSample, size: int, items: list[QcItem]) -> DrawnSample:
    """The same seed asked again: its sample as drawn (a sample never takes its items twice)."""
    if earlier.size != size:
        raise RefusedError(
            f"Seed {earlier.seed} drew QC sample {earlier.id} ({earlier.size} {earlier.kind}) "
            "already: give another seed (or none) to sample more. Nothing was drawn.")
    return DrawnSample(earlier, items, again=True)


def record_verdicts(store: Store, item_ids: Sequence[int], verdict: str, reviewer: str,
                    reason: str | None = None) -> list[QcItem]:
    """Give each item ``verdict`` (as ``qc_stats.VERDICT_RULE`` reads it for the item's kind):
    all or none, in one transaction with one audit entry. Spans are not changed."""
    if verdict not in VERDICTS:
        raise UsageError(f"A QC verdict is {', '.join(VERDICTS)}; not {verdict!r}.")
    with store.transaction() as conn:
        items = stored.get_items(conn, list(dict.fromkeys(item_ids)))
        meant = [(item.id, _meaning(item, verdict)) for item in items]
        verdict_ids = stored.add_verdicts(conn, meant, reason, reviewer)
        audit.append(conn, reviewer, "qc_verdict", {
            "verdict": verdict, "reason": reason, "item_ids": [i for i, _ in meant],
            "recorded": [v for _, v in meant], "verdict_ids": verdict_ids,
            "span_ids": [i.span_id for i in items if i.span_id is not None],
            "message_ids": [i.message_id for i in items if i.message_id is not None],
        })
        return stored.get_items(conn, [item.id for item in items])


def _meaning(item: QcItem, verdict: str) -> str:
    meant = _MEANING.get((item.kind, verdict))
    if meant is None:
        raise RefusedError(f"Item {item.id} is a decision (span {item.span_id}): --missed is "
                           "for elusion items; use --agree or --disagree. Nothing was recorded.")
    return meant


def add_missed_span(store: Store, item_id: int, start: int, end: int, entity: str,
                    reviewer: str) -> Changes:
    """Missed personal data in an elusion message: a manual span over ``[start, end)``,
    approved and flagged as found by QC, and the item's verdict ``missed``, in one
    transaction with one audit entry."""
    if end <= start:
        raise RefusedError("Select some text first: a manual span cannot be empty.")
    with store.transaction() as conn:
        (item,) = stored.get_items(conn, [item_id])
        if item.kind != "elusion" or item.message_id is None:
            raise RefusedError(f"Item {item_id} is a decision: missed data is marked on an "
                               "elusion message. Nothing was recorded.")
        conv_id = stored.conversation_of_message(conn, item.message_id)
        counted = spans.watch(conn, [conv_id])
        found = Suggestion(start=start, end=end, entity=entity, score=1.0, recognizer="reviewer",
                           origin=Origin.MANUAL,
                           explanation={"found_by": "qc", "qc_item_id": item_id})
        (span_id,) = spans.add(conn, conv_id, item.message_id, [found], None)
        made = spans.decide(conn, span_id, Status.APPROVED, reviewer, "MANUAL")
        (verdict_id,) = stored.add_verdicts(conn, [(item_id, "missed")], None, reviewer, span_id)
        audit.append(conn, reviewer, "qc_missed_span", {
            "item_id": item_id, "verdict_id": verdict_id, "span_id": span_id,
            "conversation_id": conv_id, "message_id": item.message_id, "start": start,
            "end": end, "entity": entity, "decision_id": made.id,
        })
        return spans.changes(conn, counted, decisions=[made], span_ids=[span_id])


def remove_missed_span(store: Store, span_id: int, reviewer: str) -> Changes:
    """Undo :func:`add_missed_span`: the manual span goes with its decisions, and the
    ``missed`` verdict it brought (the item's earlier verdict, or none, counts again),
    in one transaction with one audit entry."""
    with store.transaction() as conn:
        span = spans.get(conn, span_id)
        found = stored.missed_verdict(conn, span_id)
        if span.origin is not Origin.MANUAL or found is None:
            raise RefusedError(f"Span {span_id} was not marked as missed by QC: it can only "
                               "be decided.")
        verdict_id, item_id = found
        counted = spans.watch(conn, [span.conversation_id])
        decision_ids = [d.id for d in spans.history(conn, span_id)]
        stored.drop_verdict(conn, verdict_id)
        spans.withdraw(conn, span)
        audit.append(conn, reviewer, "qc_missed_span_removed", {
            "item_id": item_id, "verdict_id": verdict_id, "span_id": span_id,
            "conversation_id": span.conversation_id, "message_id": span.message_id,
            "start": span.start, "end": span.end, "entity": span.entity,
            "decision_ids": decision_ids,
        })
        return spans.changes(conn, counted, removed=[span])


def sample_items(store: Store, sample_id: int | None = None) -> list[QcItem]:
    """The items of one sample, or of every sample, in the order drawn (the QC walk)."""
    with store.reading() as conn:
        return stored.items_of(conn, sample_id) if sample_id else stored.all_items(conn)


@dataclass(frozen=True)
class QcReport:
    """The QC figures of a store: every sample of each kind counts together."""

    decisions: Tally
    elusion: Tally
    samples: list[QcSample]
    disagreed: list[QcItem]
    missed: list[QcItem]
    target: float = DEFAULT_TARGET

    def as_dict(self) -> dict[str, Any]:
        """The contract's ``qc report --json``."""
        return {"decisions": self.decisions.as_dict("disagreed"),
                "elusion": self.elusion.as_dict("missed")}

    def manifest(self) -> dict[str, Any]:
        """What a packet's manifest says of QC: the figures, how they were bounded, the draws."""
        return {**self.as_dict(), "confidence": CONFIDENCE,
                "bound": "exact one-sided (Clopper-Pearson)",
                "samples": [{"id": s.id, "kind": s.kind, "seed": s.seed, "size": s.size,
                             "population": s.population, "drawn_at": s.drawn_at}
                            for s in self.samples]}

    def summary_lines(self) -> list[str]:
        if not self.samples:
            return ["No QC sample yet: draw one with 'reviewer qc sample STORE --size N'."]
        return [*self._lines("decisions", self.decisions, ("disagreed with", "all agreed"),
                             self.disagreed),
                *self._lines("elusion", self.elusion, ("had missed personal data",
                                                       "none with missed data"), self.missed)]

    def _lines(self, kind: str, tally: Tally, words: tuple[str, str],
               listed: list[QcItem]) -> list[str]:
        wrong, clean = words
        if not tally.sampled:
            return [f"{kind}: no sample drawn."]
        if not tally.reviewed:  # a rate of nothing reviewed is no 0%
            lines = [f"{kind}: {tally.sampled} sampled, none reviewed yet: no rate until "
                     "the first verdict ('reviewer qc decide')."]
        else:
            lines = [f"{kind}: {tally.sampled} sampled, {tally.reviewed} reviewed, "
                     f"{tally.errors} {wrong}: rate {tally.rate:.2%}, below "
                     f"{tally.upper_95:.2%} at 95% confidence (exact one-sided bound)."]
        more = tally.more_needed(self.target)
        if more:
            lines.append(f"  sample {more} more ({clean}) to show < "
                         f"{self.target:.2%} at 95%.")
        else:
            lines.append(f"  already shown < {self.target:.2%} at 95%.")
        if tally.sampled > tally.reviewed:
            lines.append(f"  {tally.sampled - tally.reviewed} sampled item(s) await a verdict.")
        lines.extend(f"  item {i.id}: {_where(i)}" + (f" ({i.reason})" if i.reason else "")
                     for i in listed)
        return lines


def _where(item: QcItem) -> str:
    if item.kind == "decision":
        return f"span {item.span_id}, {item.status} when drawn"
    return f"message {item.message_id}"


def qc_report(store: Store, target: float = DEFAULT_TARGET) -> QcReport:
    if not 0.0 < target < 1.0:
        raise UsageError(f"--target is a rate between 0 and 1 (0.01 for 1%), not {target}.")
    with store.reading() as conn:
        return report_from(conn, target)


def manifest_qc(conn: Any) -> dict[str, Any] | None:
    """The ``qc`` object of a packet's manifest, read in the export's own transaction;
    None when no QC sample was ever drawn. Figures only: no verdict's reason, no text."""
    report = report_from(conn)
    return report.manifest() if report.samples else None


def report_from(conn: Any, target: float = DEFAULT_TARGET) -> QcReport:
    items = stored.all_items(conn)
    drawn = stored.samples(conn)
    return QcReport(
        decisions=stored.tally(items, "decision"), elusion=stored.tally(items, "elusion"),
        samples=drawn, target=target,
        disagreed=[i for i in items if i.kind == "decision" and i.verdict == "disagree"],
        missed=[i for i in items if i.kind == "elusion" and i.verdict == "missed"])


def qc_exists(store: Store) -> bool:
    with store.reading() as conn:
        return bool(stored.samples(conn))


def item_place(store: Store, item: QcItem) -> tuple[int, int | None]:
    """Where the QC walk shows an item: its conversation, and the span (decision items)."""
    with store.reading() as conn:
        if item.kind == "decision" and item.span_id is not None:
            return spans.get(conn, item.span_id).conversation_id, item.span_id
        if item.message_id is None:
            raise RefusedError(f"QC item {item.id} names no message.")
        return stored.conversation_of_message(conn, item.message_id), None
