"""The redaction-suggestion service: Presidio over spaCy, offline, chat-aware.

tldextract (used by Presidio's e-mail and URL recognizers) would fetch the
public suffix list over the network; an empty URL list pins it to the copy it
ships with. This has to happen before anything imports tldextract.
"""

import os

os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
