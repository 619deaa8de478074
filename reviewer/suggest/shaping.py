"""From raw recognizer results to the spans of one text.

Applies the policy's allow and deny lists, grows street addresses into the
address block they start, and resolves overlaps deterministically: no two
spans overlap, the union is kept, the entity with the best score wins and the
others stay in the explanation as alternatives.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

from reviewer.domain.models import Suggestion
from reviewer.domain.policy import DenyTerm, Policy
from reviewer.suggest.names import never_a_name

# A line that can continue an address block: short, no sentence in it (after an
# optional quoting prefix such as "> ").
BLOCK_LINE = re.compile(
    r"[^\S\n]*(?:[^\w\s]{1,4}[^\S\n]*)?(?P<line>[^\n?!:;]{1,40}?)[^\S\n]*(?:\n|$)")
BLOCK_LINES = 4
BLOCK_STARTERS = frozenset({"street_number_first", "street_name_first", "street_prefix", "unit",
                            "po_box", "street_line", "address_after_cue", "military_box"})


def shape(text: str, found: Sequence[Suggestion], policy: Policy) -> list[Suggestion]:
    """Allow, deny, address blocks and overlaps, for one (normalised) text."""
    kept = [trim_url(text, s) for s in found if not _allowed(text[s.start:s.end], policy)]
    kept.extend(_denied(text, policy.deny))
    blocks = extend_address_blocks(text, with_postcodes(text, kept))
    return resolve([*blocks, *addressees(text, blocks), *listed_names(text, blocks)])


def _allowed(value: str, policy: Policy) -> bool:
    folded = value.strip().casefold()
    if folded in _folded(policy.allow):
        return True
    return any(re.fullmatch(pattern, value.strip()) for pattern in policy.allow_patterns)


@lru_cache(maxsize=8)
def _folded(items: tuple[str, ...]) -> frozenset[str]:
    return frozenset(item.casefold() for item in items)


def _denied(text: str, terms: Iterable[DenyTerm]) -> list[Suggestion]:
    found = []
    for term in terms:
        pattern = rf"(?<!\w){re.escape(term.term)}(?!\w)"
        for match in re.finditer(pattern, text, re.IGNORECASE):
            found.append(Suggestion(
                start=match.start(), end=match.end(), entity=term.entity, score=1.0,
                recognizer="PolicyDenyList",
                explanation={"recognizer": "PolicyDenyList", "score": 1.0,
                             "textual_explanation": "term on the policy's deny list"},
            ))
    return found


# A URL does not end in the sentence's punctuation ("see https://x.org/a." or
# "(https://x.org/a)"); a closing bracket stays when the URL opened one.
URL_TAIL = ".,;:!?'\"’”>`"
BRACKETS = {")": "(", "]": "[", "}": "{"}


def trim_url(text: str, s: Suggestion) -> Suggestion:
    """``s`` without trailing punctuation when it is a URL."""
    if s.entity != "URL":
        return s
    end = s.end
    while end > s.start + 1:
        last = text[end - 1]
        opened = BRACKETS.get(last)
        value = text[s.start:end]
        if last in URL_TAIL or (opened is not None and value.count(opened) < value.count(last)):
            end -= 1
            continue
        break
    return s if end == s.end else replace(s, end=end)


PLACES = frozenset({"LOCATION", "ADDRESS"})
# After the place: five digits (US, Italy, Mexico ...; Brazil's 5-3), six (India);
# before it: four or five (Germany, France, Switzerland, the Netherlands with its
# letters), not a year.
POSTCODE_AFTER = re.compile(r",?[ \t]+(?:[A-Z]{2}[ \t]+)?(\d{5}(?:-\d{3,4})?|\d{6})"
                            r"(?![\w.,-]?\w)")
POSTCODE_BEFORE = re.compile(r"(?<![\w.,-])(?!(?:19|20)\d\d\b)(\d{4,5}(?:[ \t]?[A-Z]{2})?)[ \t]+\Z")


def with_postcodes(text: str, found: list[Suggestion]) -> list[Suggestion]:
    """A place followed or preceded by a postcode ("Costamezzana 43015", "75001 Paris",
    "Springfield, IL 62704") takes the postcode into its span."""
    return [_with_postcode(text, s) if s.entity in PLACES else s for s in found]


def _with_postcode(text: str, s: Suggestion) -> Suggestion:
    after = POSTCODE_AFTER.match(text, s.end)
    before = POSTCODE_BEFORE.search(text, max(0, s.start - 12), s.start)
    start = before.start(1) if before is not None else s.start
    end = after.end(1) if after is not None else s.end
    if (start, end) == (s.start, s.end):
        return s
    return replace(s, start=start, end=end, explanation={**s.explanation, "postcode": True})


def extend_address_blocks(text: str, found: list[Suggestion]) -> list[Suggestion]:
    """A street line followed by short lines (city, region, postcode) is one block."""
    out = []
    for s in found:
        if s.entity == "ADDRESS" and s.explanation.get("pattern_name") in BLOCK_STARTERS:
            end = _block_end(text, s.end)
            if end > s.end:
                s = replace(s, end=end, explanation={**s.explanation, "address_block": True})
        out.append(s)
    return out


def _block_end(text: str, end: int) -> int:
    line_end = text.find("\n", end)
    rest = text[end: len(text) if line_end < 0 else line_end]
    if rest.strip() and (len(rest) > 40 or re.search(r"[.?!:;]\s", rest + " ")):
        return end
    end = end + len(rest.rstrip())
    if line_end < 0:
        return end
    position, blank_allowed = line_end + 1, True
    for _ in range(BLOCK_LINES):
        if blank_allowed and text.startswith("\n", position):
            position, blank_allowed = position + 1, False  # one empty line inside a block
        match = BLOCK_LINE.match(text, position)
        if match is None or not _place_line(match.group("line")):
            break
        end, position = match.end("line"), match.end()
    return end


def _place_line(line: str) -> bool:
    """A city, region, country or postcode line; not a phone, e-mail or web line."""
    line = line.strip()
    if not line or NOT_PLACE.search(line):
        return False
    return bool(re.search(r"[^\W\d_]", line)) or POSTCODE.fullmatch(line) is not None


# Lines of another kind: e-mail, web, phone, network addresses, code.
NOT_PLACE = re.compile(r"@|://|www\.|\d{3}\D{0,2}\d{3}\D?\d{3,4}|\d{1,3}(?:\.\d{1,3}){3}|"
                       r"[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{0,4}){2,}|[=<>{}\[\]|\\`$%]")
POSTCODE = re.compile(r"\d{4,6}(?:-\d{4})?")


def addressees(text: str, found: Sequence[Suggestion]) -> list[Suggestion]:
    """The short lines just above an address block: whom it is addressed to."""
    out = []
    for s in found:
        if not s.explanation.get("address_block"):
            continue
        line_start = text.rfind("\n", 0, s.start) + 1
        for match in _lines_above(text, line_start):
            out.append(Suggestion(
                start=match.start("line"), end=match.end("line"), entity="PERSON", score=0.5,
                recognizer="AddresseeRecognizer",
                explanation={"recognizer": "AddresseeRecognizer", "score": 0.5,
                             "textual_explanation": "line above an address block"},
            ))
    return out


def _lines_above(text: str, line_start: int) -> list[re.Match[str]]:
    found: list[re.Match[str]] = []
    while line_start > 0 and len(found) < BLOCK_LINES:
        previous = text.rfind("\n", 0, line_start - 1) + 1
        match = ADDRESSEE_LINE.fullmatch(text, previous, line_start - 1)
        if match is None:
            break
        if match.group("line"):
            found.append(match)
        line_start = previous
    return found


ADDRESSEE_LINE = re.compile(r"[^\w\n]*(?P<line>(?:[^\W\d_][\w'’&.,-]*[ \t]*){1,6})?[ \t]*")
LIST_NEIGHBOUR = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or|&)\s+)")
CAPITALISED = re.compile(r"[A-ZÀ-Þ][\w'’-]+(?:\s+[A-ZÀ-Þ][\w'’-]+)?")


def listed_names(text: str, found: Sequence[Suggestion]) -> list[Suggestion]:
    """Capitalised words listed next to a name ("Anna, Ben and Carl") are names too."""
    taken = [(s.start, s.end) for s in found]
    out: list[Suggestion] = []
    queue = [s for s in found if s.entity == "PERSON" and s.recognizer != "AddresseeRecognizer"]
    while queue:
        person = queue.pop()
        match = LIST_NEIGHBOUR.match(text, person.end)
        if match is None:
            continue
        name = CAPITALISED.match(text, match.end())
        if name is None or name.group(0).split()[0].lower() in LIST_STOP or any(
                a < name.end() and name.start() < b for a, b in taken):
            continue
        listed = replace(person, start=name.start(), end=name.end(), score=0.5,
                         recognizer="ListedNameRecognizer",
                         explanation={"recognizer": "ListedNameRecognizer", "score": 0.5,
                                      "textual_explanation": "listed with a name"})
        if never_a_name(text, listed) or _cased_apart(text, person, listed):
            continue
        taken.append((listed.start, listed.end))
        out.append(listed)
        queue.append(listed)
    return out


def _cased_apart(text: str, person: Suggestion, listed: Suggestion) -> bool:
    """A word in capitals listed after a name that is not ("Jane Roe, IBAN: ..."):
    a label or an acronym, not another name."""
    def shouting(s: Suggestion) -> bool:
        return not any(c.islower() for c in text[s.start:s.end])
    return shouting(listed) and not shouting(person)


LIST_STOP = frozenset({"the", "i", "we", "you", "he", "she", "they", "it", "a", "an", "mr", "mrs",
                       "ms", "dr", "this", "that", "but", "so", "then", "my", "our", "his", "her"})


def resolve(found: Iterable[Suggestion]) -> list[Suggestion]:
    """Non-overlapping spans: each cluster of overlaps becomes its union."""
    ordered = sorted(found, key=lambda s: (s.start, -s.end))
    clusters: list[list[Suggestion]] = []
    cluster_end = -1
    for s in ordered:
        if clusters and s.start < cluster_end:
            clusters[-1].append(s)
            cluster_end = max(cluster_end, s.end)
        else:
            clusters.append([s])
            cluster_end = s.end
    return [_merge(cluster) for cluster in clusters]


def beneath(entity: str, start: int, end: int, explanation: dict[str, Any],
            why: str) -> list[Suggestion]:
    """The suggestions of another entity than ``entity`` that were merged into the
    span ``[start, end)`` (its ``alternatives``), resolved among themselves: what
    stays to review when that span is rejected. ``why`` is their explanation."""
    inside = [
        Suggestion(start=a["start"], end=a["end"], entity=a["entity"], score=a["score"],
                   recognizer=a["recognizer"],
                   explanation={"recognizer": a["recognizer"], "score": a["score"],
                                "textual_explanation": why})
        for a in explanation.get("alternatives", [])
        if a.get("entity") != entity and start <= a["start"] < a["end"] <= end
    ]
    return resolve(inside)


def _rank(s: Suggestion) -> tuple[float, int, str, str, int]:
    return (-s.score, -(s.end - s.start), s.entity, s.recognizer, s.start)


# Recognizers whose PERSON rests on a name cue ("my name is", "Mr.", "Dear") or on
# given-name evidence (the chat-PII model's given name and surname labels).
NAME_EVIDENCE = frozenset({"ChatNameRecognizer", "NameCueRecognizer", "ChatPiiModel",
                           "ListedNameRecognizer"})
# Organisations guessed from the words alone, which such evidence overrides.
GUESSED_ORGANISATION = frozenset({"SpacyRecognizer", "NameCueRecognizer"})


def _best_first(cluster: list[Suggestion]) -> list[Suggestion]:
    """The cluster by rank, except that a person with a name cue or given-name
    evidence comes before an organisation guessed over the same words."""
    ranked = sorted(cluster, key=_rank)
    best = ranked[0]
    if best.entity != "ORGANIZATION" or best.recognizer not in GUESSED_ORGANISATION:
        return ranked
    person = next((o for o in ranked if o.entity == "PERSON" and o.recognizer in NAME_EVIDENCE),
                  None)
    return ranked if person is None else [person, *(o for o in ranked if o is not person)]


def _merge(cluster: list[Suggestion]) -> Suggestion:
    if len(cluster) == 1:
        return cluster[0]
    best, *others = _best_first(cluster)
    alternatives = [
        {"entity": o.entity, "score": o.score, "recognizer": o.recognizer,
         "start": o.start, "end": o.end}
        for o in others
    ]
    previous = best.explanation.get("alternatives", [])
    return replace(
        best, start=min(s.start for s in cluster), end=max(s.end for s in cluster),
        explanation={**best.explanation, "alternatives": [*previous, *alternatives]},
    )
