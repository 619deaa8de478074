"""Entry point of the desktop bundle: the same ``reviewer`` command the package installs."""

from __future__ import annotations

import multiprocessing
import signal
import sys

if __name__ == "__main__":
    # A frozen app re-executes itself for worker processes (spawn on Windows and
    # macOS); without this call each worker would run the command line again.
    multiprocessing.freeze_support()
    # Ctrl+C is Python's again (the runtime hook ended the bundle at once while it
    # started); the app is imported here, not above, so launch ends it quietly meanwhile.
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    from reviewer.launch import main

    sys.exit(main())
