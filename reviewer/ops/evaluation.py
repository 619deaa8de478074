"""`reviewer evaluate`: recall and precision of the suggestion service on labelled text.

A gold span counts as found when any suggested span overlaps it, whatever the
label: a reviewer cares that the text is hidden. A suggested span is right
when it overlaps any gold span. Recall is per gold entity, precision per
suggested entity.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewer.domain.errors import BadInputError
from reviewer.domain.models import Suggestion
from reviewer.suggest.policy import load_policy
from reviewer.suggest.service import SuggestionService


@dataclass(frozen=True)
class GoldRecord:
    text: str
    spans: tuple[tuple[int, int, str], ...]


@dataclass
class Tally:
    """Counts behind recall and precision, overall and per entity."""

    gold: Counter[str] = field(default_factory=Counter)
    found: Counter[str] = field(default_factory=Counter)
    suggested: Counter[str] = field(default_factory=Counter)
    right: Counter[str] = field(default_factory=Counter)

    def add(self, record: GoldRecord, suggestions: Sequence[Suggestion]) -> None:
        for start, end, entity in record.spans:
            self.gold[entity] += 1
            self.found[entity] += any(s.start < end and start < s.end for s in suggestions)
        for s in suggestions:
            self.suggested[s.entity] += 1
            self.right[s.entity] += any(start < s.end and s.start < end
                                        for start, end, _ in record.spans)

    def recall(self) -> float:
        return _ratio(sum(self.found.values()), sum(self.gold.values()))

    def precision(self) -> float:
        return _ratio(sum(self.right.values()), sum(self.suggested.values()))

    def per_entity(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for entity in sorted(self.gold.keys() | self.suggested.keys()):
            out[entity] = {
                "gold": self.gold[entity], "found": self.found[entity],
                "recall": _ratio(self.found[entity], self.gold[entity]) if self.gold[entity]
                else None,
                "suggested": self.suggested[entity], "right": self.right[entity],
                "precision": _ratio(self.right[entity], self.suggested[entity])
                if self.suggested[entity] else None,
            }
        return out


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


@dataclass
class EvaluationReport:
    tally: Tally
    characters: int
    seconds: float
    records: int
    pattern_only: bool

    def chars_per_second(self) -> float:
        return round(self.characters / self.seconds, 1) if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"recall": self.tally.recall(), "precision": self.tally.precision(),
                "per_entity": self.tally.per_entity(),
                "chars_per_second": self.chars_per_second()}

    def summary_lines(self) -> list[str]:
        lines = [
            f"{self.records} texts, {self.characters} characters, "
            f"{self.chars_per_second():.0f} characters/s.",
            f"Recall {self.tally.recall():.3f}, precision {self.tally.precision():.3f}.",
        ]
        if self.pattern_only:
            lines.append("Warning: no spaCy pipeline installed; patterns only.")
        lines.append(f"{'entity':<22}{'gold':>6}{'recall':>8}{'suggested':>11}{'precision':>11}")
        for entity, row in self.tally.per_entity().items():
            recall = "-" if row["recall"] is None else f"{row['recall']:.3f}"
            precision = "-" if row["precision"] is None else f"{row['precision']:.3f}"
            lines.append(f"{entity:<22}{row['gold']:>6}{recall:>8}{row['suggested']:>11}"
                         f"{precision:>11}")
        return lines


def read_gold(path: Path) -> list[GoldRecord]:
    """Records of the labelled format (``full_text``, ``spans``)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return [
            GoldRecord(item["full_text"], tuple(
                (int(s["start_position"]), int(s["end_position"]), str(s["entity_type"]))
                for s in item.get("spans") or []))
            for item in raw
        ]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError,
            ValueError) as err:
        raise BadInputError(f"Cannot read the labelled file {path}: {err}.") from err


def evaluate(gold_path: Path, policy_path: Path | None = None, workers: int = 1
             ) -> EvaluationReport:
    """Run the suggestion service over labelled text and score it."""
    records = read_gold(gold_path)
    loaded = load_policy(policy_path)
    with SuggestionService(loaded.policy, workers=workers) as service:
        service.warm_up()
        started = time.perf_counter()
        found = service.suggest([r.text for r in records])
        seconds = time.perf_counter() - started
    tally = Tally()
    for record, suggestions in zip(records, found, strict=True):
        tally.add(record, suggestions)
    return EvaluationReport(tally, sum(len(r.text) for r in records), seconds, len(records),
                            service.pattern_only)
