"""Entry point of the desktop bundle: the same ``reviewer`` command the package installs."""

from __future__ import annotations

import multiprocessing
import sys

if __name__ == "__main__":
    # A frozen app re-executes itself for worker processes (spawn on Windows and
    # macOS); without this call each worker would run the command line again.
    multiprocessing.freeze_support()
    # Imported here, not above: a Ctrl+C while the app loads ends it quietly (launch).
    from reviewer.launch import main

    sys.exit(main())
