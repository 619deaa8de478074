"""Entry point of the desktop bundle: the same ``reviewer`` command the package installs."""

from __future__ import annotations

import multiprocessing
import sys

from reviewer.cli import main

if __name__ == "__main__":
    # A frozen app re-executes itself for worker processes (spawn on Windows and
    # macOS); without this call each worker would run the command line again.
    multiprocessing.freeze_support()
    sys.exit(main())
