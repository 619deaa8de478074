"""Reaching the cluster that ``analyze --cluster`` detects on, from the start.

A local cluster's workers start (or a remote scheduler is reached) while the
command line derives the store's key and ``analyze`` reads the policy: the
cluster is ready about 0.35 s sooner than when it was reached after both.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from reviewer.domain.cluster import ClusterSpec
from reviewer.domain.errors import RefusedError
from reviewer.domain.policy import Policy
from reviewer.suggest.service import ChunkRunner

if TYPE_CHECKING:  # Dask (the cluster extra) is imported only for a cluster
    from reviewer.suggest.cluster import ClusterRunner


class ClusterConnection:
    """A cluster being reached in the background from the moment this is made: a
    local cluster's workers start, or a scheduler is reached, while the caller opens
    the store (whose key derivation lets other threads run) and ``analyze`` reads
    the policy. A context manager: on leaving, the cluster is let go unless an
    analysis took it, whose suggestion service then closes it."""

    def __init__(self, spec: ClusterSpec) -> None:
        spec.check()
        self.spec = spec
        self._runner: ClusterRunner | None = None
        self._error: BaseException | None = None
        self._taken = False
        self._thread = threading.Thread(target=self._connect, name="cluster-connection",
                                        daemon=True)
        self._thread.start()

    def _connect(self) -> None:
        try:
            self._runner = _cluster_runner(self.spec)
        except BaseException as err:  # raised where the cluster is taken
            self._error = err

    def take(self, policy: Policy) -> ChunkRunner:
        """The cluster's runner, detecting with ``policy``; raises what reaching it raised."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._runner is not None
        self._taken = True
        return self._runner.detect_with(policy)

    def close(self) -> None:
        self._thread.join()
        if self._runner is not None and not self._taken:
            self._runner.close(stop=True)

    def __enter__(self) -> ClusterConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _cluster_runner(cluster: ClusterSpec) -> ClusterRunner:
    """A runner on the cluster (Dask, the ``cluster`` extra: imported only here)."""
    try:
        from reviewer.suggest.cluster import ClusterRunner
    except ImportError as err:
        if err.name not in ("dask", "distributed"):
            raise
        raise RefusedError("--cluster needs Dask's distributed package: install the cluster "
                           "extra (pip install 'redaction-reviewer[cluster]').") from None
    return ClusterRunner(cluster)
