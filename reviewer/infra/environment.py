"""The environment variables that carry secrets, kept from every process the app starts.

A child process is given the environment of the moment it starts and keeps it,
readable in ``/proc/PID/environ``, for its whole life. So the CLI takes these
variables out of its environment before it does anything
(:func:`secrets_withheld`), and whatever starts worker processes removes them
first as well (:func:`drop_secrets`), for callers that are not the CLI.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

PASSPHRASE = "REVIEWER_PASSPHRASE"
NEW_PASSPHRASE = "REVIEWER_NEW_PASSPHRASE"
BATCH_PASSPHRASE = "REVIEWER_BATCH_PASSPHRASE"
SECRET_VARIABLES = (PASSPHRASE, NEW_PASSPHRASE, BATCH_PASSPHRASE)


def drop_secrets() -> None:
    """Remove the secret variables from this process's environment."""
    for name in SECRET_VARIABLES:
        os.environ.pop(name, None)


@contextlib.contextmanager
def secrets_withheld() -> Iterator[dict[str, str]]:
    """The secret variables, taken out of the environment while the block runs;
    put back afterwards, for a caller (a test, a script) that runs more than one
    command in its process. A variable set again meanwhile is left as it is."""
    taken = {name: os.environ.pop(name) for name in SECRET_VARIABLES if name in os.environ}
    try:
        yield dict(taken)
    finally:
        for name, value in taken.items():
            os.environ.setdefault(name, value)
