"""The one error every parser raises: which file, where in it, and why.

It is a :class:`BadInputError` (exit 3), so the CLI and the GUI tell it as one
sentence and the import of that file is rolled back.
"""

from __future__ import annotations

from reviewer.domain.errors import BadInputError


class InputError(BadInputError):
    """A file cannot be imported; ``where`` is "line 12", "record 3" or empty."""

    def __init__(self, file: str, where: str, reason: str) -> None:
        self.file = file
        self.where = where
        self.reason = reason.rstrip(".")
        place = f"{file}, {where}" if where else file
        super().__init__(f"{place}: {self.reason}. Nothing from this file was imported.")


def record(index: int) -> str:
    """Human numbering of a JSON array element (the first is record 1)."""
    return f"record {index + 1}"


def line(number: int) -> str:
    return f"line {number}"
