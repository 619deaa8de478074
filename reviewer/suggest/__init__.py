"""The redaction-suggestion service: Presidio over spaCy, offline, chat-aware.

tldextract (used by Presidio's e-mail and URL recognizers) would fetch the
public suffix list over the network; an empty URL list pins it to the copy it
ships with. This has to happen before anything imports tldextract.

The NER model's matrices are small: a BLAS thread pool only spins and steals
the core another worker process needs, so BLAS runs single-threaded (the
worker processes are the parallelism). This has to happen before numpy loads.
"""

import os

os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
