"""`reviewer analyze`: run the suggestion service over what is not yet analysed.

Incremental and resumable: conversations are taken in keyset pages of what
is stale under the current policy hash; each batch is detected outside any
transaction, then committed with its audit entry, so a kill loses only the
batches not yet committed (the one being stored and those read ahead for the
workers to detect meanwhile) and a re-run continues. Decided spans are never
changed or dropped.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from reviewer.domain.changes import Changes
from reviewer.domain.cluster import ClusterSpec
from reviewer.domain.models import Suggestion
from reviewer.domain.progress import Progress, no_progress
from reviewer.ops.batches import refuse_batch
from reviewer.ops.clusters import ClusterConnection
from reviewer.ops.policies import adopt_policy, current_policy
from reviewer.store import analysis as stored
from reviewer.store import audit, spans
from reviewer.store.database import Store
from reviewer.suggest.chatmodel import missing
from reviewer.suggest.conversation import ConversationText, finish_conversation
from reviewer.suggest.language import text_reading
from reviewer.suggest.policy import LoadedPolicy, load_policy
from reviewer.suggest.service import SuggestionService, default_workers

BATCH_CONVERSATIONS = 32
# A message's language is read from its start: plenty of words for the vote, and
# a pasted book is not split into millions of words here (gigabytes at 200 MB).
LANGUAGE_SAMPLE = 100_000


@dataclass
class AnalyzeReport:
    """What one ``analyze`` run did."""

    policy_hash: str
    policy_path: str
    workers: int
    pattern_only: bool
    spacy_model: str
    conversations: int = 0
    texts: int = 0
    spans: Counter[str] = field(default_factory=Counter)
    replaced: int = 0
    cache_hits: int = 0
    seconds: float = 0.0
    chat_model_missing: str | None = None  # why the policy's chat-PII model could not run
    cluster: str | None = None  # the address the texts were sent to for detection
    # The change in the store's totals; too many conversations to list them.
    changes: Changes = field(default_factory=lambda: Changes(many_conversations=True))

    def summary_lines(self) -> list[str]:
        added = sum(self.spans.values())
        by_origin = ", ".join(f"{n} {origin}" for origin, n in sorted(self.spans.items()))
        lines = [
            f"Analysed {self.texts} texts in {self.conversations} conversations "
            f"in {self.seconds:.1f} s ({self.workers} worker{'s' if self.workers > 1 else ''}"
            f"{f' of the cluster {self.cluster}' if self.cluster else ''}).",
            f"Added {added} spans" + (f" ({by_origin})." if added else "."),
            f"Policy {self.policy_path}, hash {self.policy_hash[:12]}.",
        ]
        if self.replaced:
            lines.append(f"Replaced {self.replaced} pending suggestions of an earlier policy.")
        if self.cache_hits:
            lines.append(f"{self.cache_hits} repeated texts were analysed once.")
        return lines

    def warning_lines(self) -> list[str]:
        lines = []
        if self.pattern_only:
            lines.append(f"the spaCy pipeline {self.spacy_model} is not installed: names, places "
                         "and organisations were NOT looked for (patterns only). Install it and "
                         "re-run analyze with a changed policy to find them.")
        if self.chat_model_missing:
            lines.append(f"the chat-PII model cannot run ({self.chat_model_missing}): names, "
                         "addresses and numbers were looked for by Presidio alone, which misses "
                         "more of them. Install it, or set chat_model: none in the policy.")
        return lines

    def as_dict(self) -> dict[str, Any]:
        return {"policy_hash": self.policy_hash, "conversations": self.conversations,
                "texts": self.texts, "spans": dict(self.spans), "replaced": self.replaced,
                "pattern_only": self.pattern_only, "workers": self.workers}


def analyze(
    store: Store,
    actor: str,
    policy_path: Path | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    cluster: ClusterSpec | ClusterConnection | None = None,
) -> AnalyzeReport:
    """Analyse every conversation with a text not yet analysed under the policy:
    ``policy_path``, which then stays in force, else the one in force
    (``reviewer.ops.policies``). With ``cluster``, detection runs on that cluster's
    workers instead of ``workers`` processes here; a :class:`ClusterConnection`
    made before the store was opened has been reaching it meanwhile."""
    with contextlib.ExitStack() as stack:
        if isinstance(cluster, ClusterSpec):
            cluster = stack.enter_context(ClusterConnection(cluster))
        return _analyze(store, actor, policy_path, workers, progress or no_progress, cluster)


def _analyze(store: Store, actor: str, policy_path: Path | None, workers: int | None,
             report_progress: Progress, cluster: ClusterConnection | None) -> AnalyzeReport:
    # A batch's spans are the matter's, by id: analysis there would replace them with
    # new ones, whose ids the merge would take for others (it relabelled and removed
    # the matter's spans). The matter is analysed, then split.
    refuse_batch(store, "be analysed")
    if policy_path is None:
        loaded = current_policy(store)
    else:
        loaded = load_policy(policy_path)
        adopt_policy(store, actor, loaded)
    count = workers if workers is not None else default_workers()
    started = time.perf_counter()
    runner = cluster.take(loaded.policy) if cluster is not None else None
    with SuggestionService(loaded.policy, workers=count, runner=runner) as service:
        report = AnalyzeReport(loaded.hash, str(loaded.path), service.workers,
                               service.pattern_only, loaded.policy.spacy_model,
                               chat_model_missing=missing(loaded.policy.chat_model),
                               cluster=cluster.spec.address if cluster is not None else None)
        with store.reading() as conn:
            _, total = stored.count_stale(conn, loaded.hash)

        def tick() -> None:  # also where a cancel stops the analysis, between chunks
            report_progress(min(report.texts, total), total, "Analysing")

        tick()
        loaded_work: deque[list[stored.ConversationWork]] = deque()

        def batches() -> Iterator[list[str]]:
            """The pending texts of each batch of stale conversations, read as the
            service asks for them (a batch ahead of the one being stored)."""
            after = 0
            while True:
                with store.reading() as conn:
                    ids = stored.stale_conversations(conn, loaded.hash, after,
                                                     BATCH_CONVERSATIONS)
                    work = [stored.load_work(conn, conv_id, loaded.hash) for conv_id in ids]
                if not ids:
                    return
                after = ids[-1]
                loaded_work.append(work)
                yield [t.text for w in work for t in w.texts if t.pending]

        with contextlib.closing(service.suggest_batches(batches(), tick, total)) as results:
            for found in results:
                _store_batch(store, actor, loaded, loaded_work.popleft(), found, report)
                report.cache_hits = service.cache_hits
                tick()
    report.seconds = time.perf_counter() - started
    return report


def _store_batch(store: Store, actor: str, loaded: LoadedPolicy,
                 work: list[stored.ConversationWork], suggestions: list[list[Suggestion]],
                 report: AnalyzeReport) -> None:
    """Finish a batch's suggestions per conversation and store them."""
    pending = [t for w in work for t in w.texts if t.pending]
    found = iter(suggestions)
    results = [
        result for conv in work
        for result in _finish(conv, {t.message_id: next(found) for t in conv.texts if t.pending},
                              loaded)
    ]
    added, replaced, changes = save_results(
        store, actor, loaded.hash, results, [w.conversation_id for w in work],
        texts=len(pending), pattern_only=report.pattern_only, cluster=report.cluster)
    report.changes += replace(changes, conversations=())
    report.conversations += len(work)
    report.texts += len(pending)
    report.spans += added
    report.replaced += replaced


def save_results(store: Store, actor: str, policy_hash: str,
                 results: list[stored.AnalysedText], conversation_ids: list[int], *,
                 texts: int, pattern_only: bool, cluster: str | None = None
                 ) -> tuple[Counter[str], int, Changes]:
    """Store one batch's final suggestions with its audit entry, in one transaction:
    the spans added per origin, the suggestions replaced, and what changed. The
    entry names the ``cluster`` the texts were sent to, if any."""
    with store.transaction() as conn:
        counted = spans.watch(conn, conversation_ids)
        added, replaced = stored.save_batch(conn, results, policy_hash, actor)
        stored.record_pattern_only(conn, pattern_only)
        audit.append(conn, actor, "analyze", {
            "policy_hash": policy_hash, "conversation_ids": conversation_ids,
            "texts": texts, "spans": dict(added), "replaced": replaced,
            "pattern_only": pattern_only,
            **({"cluster": cluster} if cluster else {}),
        })
        return added, replaced, spans.changes(conn, counted)


def _finish(conv: stored.ConversationWork, detected: dict[int | None, list[Suggestion]],
            loaded: LoadedPolicy) -> list[stored.AnalysedText]:
    """Conversation-aware final suggestions of the conversation's pending texts."""
    items = [
        ConversationText(t.text, list(detected.get(t.message_id, [])), t.pending,
                         conv.kept(t.message_id) if t.pending else [])
        for t in conv.texts
    ]
    final = finish_conversation(items, _known_terms(conv), conv.rejected, loaded.policy.propagate)
    return [
        stored.AnalysedText(conv.conversation_id, t.message_id, suggestions,
                            *_language(loaded, t))
        for t, suggestions in zip(conv.texts, final, strict=True) if t.pending
    ]


def _language(loaded: LoadedPolicy, text: stored.TextToAnalyse) -> tuple[str | None, bool | None]:
    """A message's language and whether names were looked for in it (titles: not kept)."""
    if text.message_id is None:
        return None, None
    language, pipeline = text_reading(loaded.policy, text.text[:LANGUAGE_SAMPLE])
    return language, pipeline is not None


def _known_terms(conv: stored.ConversationWork) -> list[tuple[str, str]]:
    """(text, entity) of the conversation's stored spans that were not rejected."""
    text_of = {t.message_id: t.text for t in conv.texts}
    return [
        (text_of[message_id][start:end], entity)
        for message_id, found in conv.spans.items() if message_id in text_of
        for start, end, entity, status, _ in found if status != "rejected"
    ]
