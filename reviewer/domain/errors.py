"""Errors a user can cause, each with the exit code the contract gives it.

A ``KnownError`` is told to the user as one sentence; anything else is a bug
and gets a crash report (``--debug`` for the traceback).
"""

from __future__ import annotations


class KnownError(Exception):
    """A problem the user can fix; ``str(err)`` is the one-line message."""

    exit_code = 1


class RefusedError(KnownError):
    """The request was valid but refused (verify failed, pending spans, broken chain)."""

    exit_code = 1


class UsageError(KnownError):
    """The command line itself is wrong."""

    exit_code = 2


class BadInputError(KnownError):
    """An input file cannot be used; nothing from it was stored."""

    exit_code = 3


class StoreOpenError(KnownError):
    """The store cannot be opened: wrong passphrase, not a store, in use."""

    exit_code = 4


class StoreReadOnlyError(StoreOpenError):
    """The store's drive, folder or file cannot be written: it opens for reading
    only, and anything that would change it is refused."""


class WeakPassphraseError(UsageError):
    """A new passphrase is too easy to guess (``reviewer.domain.passphrase``)."""


class CancelledError(KnownError):
    """The user cancelled a long operation; what was committed stays."""

    exit_code = 1
