"""Why an export refused, said once for the command line, the app and the audit log.

Every refusal names the conversations it is about by the number the browser
shows (``#12``) and their title, never by an id the reviewer cannot find, and is
recorded in the store's audit log with its reason before it is raised.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from reviewer.domain.changes import Changes
from reviewer.domain.errors import RefusedError
from reviewer.store import audit
from reviewer.store.database import Store

SHOWN_PLACES = 5  # in the one-line message
KEPT_PLACES = 1000  # in the error, for the app's list
AUDITED_PLACES = 100


@dataclass(frozen=True)
class RefusedPlace:
    """A conversation a refusal is about: its number, its title and how much is wrong."""

    conversation_id: int
    title: str
    count: int
    what: str

    def label(self) -> str:
        title = " ".join(self.title.split())
        title = title if len(title) <= 40 else title[:39] + "…"
        return f"#{self.conversation_id} “{title or 'untitled'}” ({self.count} {self.what})"


class ExportRefusedError(RefusedError):
    """An export refused for ``reason``; ``places`` are the conversations it is about
    (at most ``KEPT_PLACES`` of ``total_places``). ``str()`` is the command line's
    sentence; ``headline`` the same without the places and the command-line ways out,
    for the app, which lists the places and offers its own."""

    reason = "refused"

    def __init__(self, message: str, places: Sequence[RefusedPlace] = (),
                 total_places: int | None = None, headline: str | None = None) -> None:
        super().__init__(message)
        self.places = tuple(places[:KEPT_PLACES])
        self.total_places = len(places) if total_places is None else total_places
        self.headline = headline or message
        self.audited = False  # set when the refusal was recorded with the change it made
        self.facts: dict[str, Any] = {}  # more for the audit entry (a packet id)


class PendingRefusedError(ExportRefusedError):
    """Pending spans (and text never analysed) block the export; ``count`` of them."""

    reason = "pending"

    def __init__(self, message: str, count: int, places: Sequence[RefusedPlace] = (),
                 total_places: int | None = None, headline: str | None = None,
                 finished: int | None = None) -> None:
        super().__init__(message, places, total_places, headline)
        self.count = count
        self.finished = finished  # conversations an only-finished export would produce


class UnanalysedRefusedError(PendingRefusedError):
    """Text never analysed under the policy in force blocks the export."""

    reason = "unanalysed"


class LeakRefusedError(ExportRefusedError):
    """The leak scan refused the export; ``span_ids`` are the new pending spans,
    ``changes`` what adding them changed (the window applies it)."""

    reason = "leak_scan"
    changes: Changes = Changes()

    def __init__(self, message: str, span_ids: list[int], places: Sequence[RefusedPlace] = (),
                 headline: str | None = None) -> None:
        super().__init__(message, places, headline=headline)
        self.span_ids = span_ids


class ConflictRefusedError(ExportRefusedError):
    """Rejected spans (``span_ids``) keep text that other decisions redact."""

    reason = "decision_conflict"

    def __init__(self, message: str, span_ids: list[int], places: Sequence[RefusedPlace] = (),
                 headline: str | None = None) -> None:
        super().__init__(message, places, headline=headline)
        self.span_ids = span_ids


class WriteRefusedError(ExportRefusedError):
    """The packet could not be written (full disk, read-only folder)."""

    reason = "write_failed"


def shown(places: Sequence[RefusedPlace], total: int) -> str:
    """The first few places for a one-line message, and how many more there are."""
    text = ", ".join(place.label() for place in places[:SHOWN_PLACES])
    more = total - min(len(places), SHOWN_PLACES)
    return text + (f" and {more} more" if more > 0 else "")


def unfinished_error(places: Sequence[RefusedPlace], total_places: int,
                     pending: int, unanalysed: int, finished: int | None = None
                     ) -> PendingRefusedError:
    """The refusal for pending spans and text never analysed under the policy in force;
    ``finished``: how many conversations are not concerned (none: no only-finished way)."""
    parts = []
    if unanalysed:
        parts.append(f"{unanalysed} text(s) never analysed under the policy in force")
    if pending:
        parts.append(f"{pending} pending span(s)")
    ways = "Analyse and decide them" if unanalysed else "Decide them"
    headline = f"Export refused: {' and '.join(parts)} in {total_places} conversation(s)."
    if finished == 0:  # nothing else to produce
        tail = f"{ways}, or export with --allow-pending to withhold and redact them."
    else:
        tail = (f"{ways}, export with --only-finished to produce the others, or with "
                "--allow-pending to withhold and redact them.")
    message = f"{headline[:-1]}: {shown(places, total_places)}. {tail}"
    kind = UnanalysedRefusedError if unanalysed else PendingRefusedError
    return kind(message, pending + unanalysed, places, total_places, headline, finished)


def refusal_payload(error: ExportRefusedError, options: dict[str, Any],
                    extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the audit log records of a refusal."""
    return {
        "reason": error.reason, "options": options, "conversations": error.total_places,
        "conversation_ids": [p.conversation_id for p in error.places[:AUDITED_PLACES]],
        **error.facts, **(extra or {}),
    }


def refuse(store: Store, actor: str, error: ExportRefusedError,
           options: dict[str, Any], extra: dict[str, Any] | None = None) -> NoReturn:
    """Record ``error`` in the audit log (unless it was recorded with the change it
    made), then raise it. A store that cannot take the entry (its own disk full) does
    not hide the refusal itself."""
    if error.audited:
        raise error
    try:
        with store.transaction() as conn:
            audit.append(conn, actor, "export_refused", refusal_payload(error, options, extra))
    except Exception as err:  # the refusal is what the user must read
        raise error from err
    raise error


def places_of(counts: Iterable[tuple[int, str, int]], what: str) -> list[RefusedPlace]:
    return [RefusedPlace(conv_id, title, count, what) for conv_id, title, count in counts]
