"""The ``reviewer`` command's entry point: nothing but Python itself is loaded yet.

Loading the app takes a tenth of a second or more (more on a busy machine), and a
Ctrl+C then interrupted whichever import it met: Python printed that import's
traceback and died of the signal. Here it ends the command as a Ctrl+C anywhere
else does (``reviewer.cli``): one line on stderr and exit code 130.
"""

from __future__ import annotations

import sys

EXIT_INTERRUPTED = 130
INTERRUPTED = "reviewer: interrupted; nothing after the last committed step was kept.\n"


def main() -> int:
    try:
        from reviewer.cli import main as run

        return run()
    except KeyboardInterrupt:
        sys.stderr.write(INTERRUPTED)
        return EXIT_INTERRUPTED
