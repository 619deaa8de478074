"""The server that analysis workers fork from, started at once by ``analyze``.

Analysis workers (and a local cluster's) fork from a server process that imports
the detector's libraries first (about a second of CPU: spaCy, Presidio, ONNX
Runtime, and Dask for a cluster). Started when the command begins, it does that
on another core while the command imports the rest of the app and derives the
store's key, instead of after them; the first worker forks at once.
"""

from __future__ import annotations

from reviewer.domain.cluster import ClusterSpec
from reviewer.suggest import lifeline
from reviewer.suggest.service import default_workers


def start_early(workers: int | None, cluster: ClusterSpec | None) -> None:
    """Start the server if the analysis will have workers on this machine: a local
    cluster, or more than one local worker (a run with little to analyse then
    detects in its own process and leaves the server unused, at no wait)."""
    if cluster is not None:
        if cluster.local_workers is not None:
            lifeline.start_forkserver(lifeline.CLUSTER_PRELOAD)
    elif (workers if workers is not None else default_workers()) > 1:
        lifeline.start_forkserver(lifeline.ANALYSIS_PRELOAD)
