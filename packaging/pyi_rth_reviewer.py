"""PyInstaller runtime hook: settings the bundled app needs before any import.

- tldextract (used by Presidio's e-mail recognizer) would otherwise try to download
  the public suffix list; an empty URL list makes it use the snapshot bundled with
  it. The suggestion service sets this too; the hook covers every other import path.
- Without any locale (a bare ``env -i``, some service managers) Qt warns on stderr
  and switches to C.UTF-8 by itself; choosing C.UTF-8 here keeps the command line's
  stderr to the one line the contract promises. Python already runs in UTF-8 mode.
- The runtime hooks after this one import Qt (a tenth of a second or more), and a
  Ctrl+C then printed their traceback: until the entry script hands Ctrl+C back to
  Python (``reviewer_main``), it ends the bundle with the command's one line and 130.
"""

import os
import signal
import sys

from reviewer.launch import EXIT_INTERRUPTED, INTERRUPTED


def _interrupted(signum: int, frame: object) -> None:
    os.write(2, INTERRUPTED.encode())
    os._exit(EXIT_INTERRUPTED)


if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
    signal.signal(signal.SIGINT, _interrupted)

os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""

_LOCALE_VARS = ("LC_ALL", "LC_CTYPE", "LANG")
if sys.platform.startswith("linux") and all(
    os.environ.get(name, "") in ("", "C", "POSIX") for name in _LOCALE_VARS
):
    os.environ["LC_CTYPE"] = "C.UTF-8"
    os.environ.pop("LC_ALL", None)
