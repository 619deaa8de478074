"""PyInstaller runtime hook: make the bundled app strictly offline before any import.

tldextract (used by Presidio's e-mail recognizer) would otherwise try to download
the public suffix list; an empty URL list makes it use the snapshot bundled with it.
The suggestion service sets this too; the hook covers every other import path.
"""

import os

os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
