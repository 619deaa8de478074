"""Suggestion service vs stock Presidio on labelled text: recall, precision, speed.

Stock is ``AnalyzerEngine`` built over the same spaCy pipeline through
``NlpEngineProvider`` and called with ``.analyze`` once per text, as the issue
describes. Ours is ``SuggestionService`` (normalised view, NER-only pipe,
chat recognizers, address blocks, name cues). Reported: recall and precision
overall and per entity for both, CPU time per text as a ratio (throughput per
core), and wall-clock throughput with two worker processes over one.

    .venv/bin/python benchmarks/bench_analyze.py [GOLD.json] [--limit N]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""

from reviewer.domain.models import Suggestion
from reviewer.ops.evaluation import GoldRecord, Tally, read_gold
from reviewer.suggest.policy import load_policy
from reviewer.suggest.service import SuggestionService

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_GOLD = ROOT.parent / "shared" / "data" / "pii-dev" / "generated_large.json"


def stock_engine(model: str):  # type: ignore[no-untyped-def]
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": model}]})
    return AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])


def run_stock(texts: list[str], model: str) -> tuple[list[list[Suggestion]], float]:
    engine = stock_engine(model)
    engine.analyze("warm up Jane Doe", language="en")
    started = time.process_time()
    found = [[Suggestion(r.start, r.end, r.entity_type, r.score, "stock")
              for r in engine.analyze(text, language="en")] for text in texts]
    return found, time.process_time() - started


def run_ours(texts: list[str], workers: int = 1) -> tuple[list[list[Suggestion]], float, float]:
    """Suggestions, CPU seconds of this process, wall seconds (model loading excluded)."""
    with SuggestionService(load_policy().policy, workers=workers) as service:
        service.warm_up()
        cpu, wall = time.process_time(), time.perf_counter()
        found = service.suggest(texts)
        return found, time.process_time() - cpu, time.perf_counter() - wall


def tally(records: list[GoldRecord], found: list[list[Suggestion]]) -> Tally:
    result = Tally()
    for record, suggestions in zip(records, found, strict=True):
        result.add(record, suggestions)
    return result


def pipeline_check(texts: list[str], model: str) -> int:
    """Texts whose entities differ between the full pipeline and the NER-only one."""
    import spacy

    full = spacy.load(model)
    ner_only = spacy.load(model)
    ner_only.select_pipes(enable=["ner"])
    differ = 0
    for a, b in zip(full.pipe(texts, batch_size=64), ner_only.pipe(texts, batch_size=64),
                    strict=True):
        differ += [(e.start_char, e.end_char, e.label_) for e in a.ents] != \
                  [(e.start_char, e.end_char, e.label_) for e in b.ents]
    return differ


def fmt(value: float | None) -> str:
    return "    -" if value is None else f"{value:5.3f}"


def print_tables(ours: Tally, stock: Tally) -> None:
    print(f"\n{'overall':<20} ours recall {ours.recall():.3f} precision {ours.precision():.3f}"
          f" | stock recall {stock.recall():.3f} precision {stock.precision():.3f}")
    print(f"\n{'gold entity':<20}{'n':>6}{'ours R':>9}{'stock R':>9}")
    mine, theirs = ours.per_entity(), stock.per_entity()
    for entity in sorted(ours.gold, key=lambda e: -ours.gold[e]):
        print(f"{entity:<20}{ours.gold[entity]:>6}{fmt(mine[entity]['recall']):>9}"
              f"{fmt(theirs[entity]['recall']):>9}")
    print(f"\n{'suggested entity':<20}{'ours n':>8}{'ours P':>9}{'stock n':>9}{'stock P':>9}")
    for entity in sorted(ours.suggested.keys() | stock.suggested.keys()):
        row, other = mine.get(entity, {}), theirs.get(entity, {})
        print(f"{entity:<20}{row.get('suggested', 0):>8}{fmt(row.get('precision')):>9}"
              f"{other.get('suggested', 0):>9}{fmt(other.get('precision')):>9}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", nargs="?", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--limit", type=int, default=0, help="only the first N texts")
    args = parser.parse_args()
    records = read_gold(args.gold)[: args.limit or None]
    texts = [r.text for r in records]
    model = load_policy().policy.spacy_model
    print(f"{len(texts)} texts, {sum(map(len, texts))} characters from {args.gold}")

    stock_found, stock_cpu = run_stock(texts, model)
    ours_found, ours_cpu, one_wall = run_ours(texts, workers=1)
    _, _, two_wall = run_ours(texts, workers=2)
    print_tables(tally(records, ours_found), tally(records, stock_found))
    print(f"\nCPU per text: stock {1000 * stock_cpu / len(texts):.2f} ms, "
          f"ours {1000 * ours_cpu / len(texts):.2f} ms")
    print(f"throughput per core, ours / stock: {stock_cpu / ours_cpu:.2f}x (goal >= 3x)")
    print(f"wall time 1 worker {one_wall:.2f} s, 2 workers {two_wall:.2f} s: "
          f"2 workers / 1 worker = {one_wall / two_wall:.2f}x (goal >= 1.7x; "
          f"{os.cpu_count()} cores, shared with whatever else runs)")
    print(f"NER-only vs full pipeline: {pipeline_check(texts, model)} of {len(texts)} texts "
          "get different entities")


if __name__ == "__main__":
    main()
