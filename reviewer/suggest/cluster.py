"""Detection on a Dask cluster (the ``cluster`` extra): ``analyze --cluster ADDRESS``.

The store stays with the coordinating process: it sends the pieces of texts, in
the chunks :class:`reviewer.suggest.service.SuggestionService` cuts, to the
workers, and gets their suggestions back. Each worker builds the detector of
local analysis from the same policy once (a worker plugin, run again on a worker
that joins or restarts), so results are those of local analysis; a worker of
another version, or one missing the spaCy pipeline or the chat-PII model that
the coordinator has, is refused, since it would find other things.

``local:N`` starts N worker processes on this machine, over TLS with a key made
for the run; any other address is a running scheduler, reached over ``tls://``
with the certificates given (or Dask's own configuration), or over ``tcp://``
only when the user accepts the risk (``--insecure-cluster``). Dask sends no
usage statistics; no dashboard is started and the HTTP routes of the local
scheduler and workers are left empty. A worker lost mid-run is replaced, and
its chunks are detected again elsewhere (Dask's ``allowed-failures``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import dask
import distributed

import reviewer
from reviewer.domain.cluster import ClusterSpec
from reviewer.domain.errors import RefusedError, UsageError
from reviewer.domain.policy import Policy
from reviewer.infra.environment import drop_secrets
from reviewer.suggest import lifeline
from reviewer.suggest.chatmodel import missing
from reviewer.suggest.language import pipeline_installed
from reviewer.suggest.service import IN_FLIGHT, Found, Place, detect_pieces

if TYPE_CHECKING:  # spaCy and Presidio load on the workers, not in the coordinator
    from reviewer.suggest.engine import Detector

START_SECONDS = 120  # to start a local cluster, reach a scheduler, or see its first worker
# A chunk is detected in about a minute on a loaded core; a cluster that has lost
# all its workers would otherwise be waited for without end.
CHUNK_SECONDS = 900
PLUGIN = "reviewer-detector"
TLS_OPTIONS = ("--cluster-ca", "--cluster-cert", "--cluster-key")
# The scheduler always opens an HTTP port: on loopback, any free one (not 8787, which
# another run may hold), with no dashboard (even were bokeh installed) and, by QUIET,
# no routes: no metrics or pages. Workers open one on any free loopback port, as quiet.
HTTP = "127.0.0.1:0"
QUIET: dict[str, Any] = {
    "distributed.scheduler.http.routes": [],
    "distributed.worker.http.routes": [],
    # What Dask's diagnostics would cost the detection beside it, on a local worker:
    # a profiler walking the detecting thread's stack every 10 ms, an event-loop
    # health check every 20 ms and a system monitor every 500 ms, each taking the
    # interpreter lock from the detection (about a tenth of a worker's CPU time).
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
}


class ClusterRunner:
    """Detects chunks on a cluster's workers; a runner for ``SuggestionService``.
    Reaching the cluster (starting a local one) needs no policy, so it may begin
    before the store is open: the policy to detect with is given before the first
    chunk (``detect_with``)."""

    def __init__(self, spec: ClusterSpec) -> None:
        spec.check()
        self.spec = spec
        self.policy: Policy | None = None
        self._cluster: Any = None
        self._pending: deque[Any] = deque()
        self._plugin: DetectorPlugin | None = None
        drop_secrets()  # local workers start with this process's environment
        # Dask logs what it does at INFO to the terminal: a local cluster silences it
        # while it runs, and a closing worker's connection was reported after that,
        # traceback and all, in one run of five. Warnings (a worker lost) still show.
        dask_log = logging.getLogger("distributed")
        dask_log.setLevel(max(logging.WARNING, dask_log.getEffectiveLevel()))
        try:
            self._client = self._connect()
        except (OSError, RuntimeError) as err:  # timeouts; a local worker that cannot start
            self.close(stop=True)
            raise RefusedError(f"Cannot reach the cluster at {spec.address}: {err}") from None
        self.workers = max(1, len(self._client.scheduler_info()["workers"]))

    def _connect(self) -> Any:
        count = self.spec.local_workers
        if count is not None:
            # The scheduler runs here: a worker it stops (Ctrl+C) while its connection is
            # still in its TLS handshake is reported as a WARNING of its own listener, 2
            # runs in 20; the workers are ours, and being stopped, so that is no news.
            logging.getLogger("distributed.comm.tcp").setLevel(logging.ERROR)
            with dask.config.set({**QUIET, **_local_start()}):
                self._cluster = distributed.LocalCluster(
                    n_workers=count, threads_per_worker=1, processes=True, host="127.0.0.1",
                    security=distributed.Security.temporary(), dashboard_address=HTTP,
                    scheduler_kwargs={"dashboard": False}, worker_dashboard_address=None,
                    timeout=START_SECONDS)
            return distributed.Client(self._cluster, timeout=START_SECONDS)
        client = distributed.Client(self.spec.address, security=self._security(),
                                    timeout=START_SECONDS)
        client.wait_for_workers(1, timeout=START_SECONDS)
        return client

    def _security(self) -> Any:
        if not self.spec.encrypted:
            return None
        files = {"tls_ca_file": self.spec.ca_file, "tls_client_cert": self.spec.cert_file,
                 "tls_client_key": self.spec.key_file}
        given = {name: str(path) for name, path in files.items() if path is not None}
        security = distributed.Security(require_encryption=True, **given)
        # Each is given, or else in Dask's configuration (DASK_DISTRIBUTED__COMM__TLS__...).
        lacking = [option for option, name in zip(TLS_OPTIONS, files, strict=True)
                   if not getattr(security, name, None)]
        if lacking:
            raise UsageError(f"--cluster {self.spec.address}: give {', '.join(lacking)} (the "
                             "cluster's CA certificate, and this client's certificate and key).")
        return security

    def detect_with(self, policy: Policy) -> ClusterRunner:
        self.policy = policy
        return self

    def warm_up(self) -> None:
        """Build the detector on every worker (and on each that joins later)."""
        if self._plugin is not None:
            return
        if self.policy is None:
            raise RuntimeError("the cluster's workers detect with a policy: detect_with() first")
        self._plugin = DetectorPlugin(self.policy, local=self.spec.local_workers is not None)
        try:
            self._client.register_plugin(self._plugin, name=PLUGIN)
        except WorkerMismatchError as err:
            raise RefusedError(f"A worker of {self.spec.address} cannot analyse: {err}") from None

    def run(self, chunks: Iterator[tuple[list[Place], list[str]]]
            ) -> Iterator[tuple[list[Place], Found, float]]:
        """(places, suggestions per piece, worker CPU seconds) of each chunk, in
        order, with a few chunks per worker in flight."""
        self.warm_up()
        pending = self._pending
        for places, pieces in chunks:
            pending.append((places, self._client.submit(detect_chunk, pieces, pure=False)))
            if len(pending) >= IN_FLIGHT * self.workers:
                yield self._collect()
        while pending:
            yield self._collect()

    def _collect(self) -> tuple[list[Place], Found, float]:
        places, future = self._pending[0]
        try:
            found, seconds = future.result(timeout=CHUNK_SECONDS)
        except TimeoutError:
            raise RefusedError(f"The cluster at {self.spec.address} returned nothing for a "
                               f"chunk in {CHUNK_SECONDS // 60} minutes: are its workers "
                               "alive? What was analysed is stored; run again.") from None
        self._pending.popleft()
        return places, found, seconds

    def close(self, stop: bool = False) -> None:
        """Release the workers' chunks (``stop``: cancel those still queued too),
        then the client and a local cluster."""
        futures = [future for _, future in self._pending]
        self._pending.clear()
        client, cluster = getattr(self, "_client", None), self._cluster
        self._cluster = None
        if client is not None:
            if stop and futures:
                client.cancel(futures)
            if self._plugin is not None and cluster is None:
                _quietly(client.unregister_worker_plugin, PLUGIN)
            client.close()
        if cluster is not None:
            cluster.close()


def _local_start() -> dict[str, str]:
    """How local workers start: forked from the server that has imported Dask and
    the detector's libraries once (``lifeline.forkserver``, started early by
    ``analyze``), rather than spawned, each importing them again (a second of CPU
    each, on the cores the analysis needs). Spawned where there is no forkserver."""
    if not lifeline.has_forkserver():
        return {}
    method = {"distributed.worker.multiprocessing-method": "forkserver"}
    with dask.config.set(method):
        # Dask sets its own preload (itself and its dependencies) the first time it
        # asks for the context: ours replaces it, for a server not started yet.
        distributed.utils.get_mp_context()
        lifeline.forkserver(lifeline.CLUSTER_PRELOAD)
    return method


class WorkerMismatchError(RuntimeError):
    """A worker would not detect what the coordinator would."""


class DetectorPlugin(distributed.WorkerPlugin):
    """Builds the policy's detector once per worker process, after checking that
    the worker would find what local analysis finds."""

    name = PLUGIN

    def __init__(self, policy: Policy, local: bool) -> None:
        self.policy = policy
        self.local = local
        self.expected = _reading(policy)
        self.detector: Detector | None = None
        self.lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        return {"policy": self.policy, "local": self.local, "expected": self.expected}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["policy"], state["local"])  # type: ignore[misc]
        self.expected = state["expected"]

    def setup(self, worker: Any) -> None:
        if self.local:
            lifeline.end_with_parent()  # a local worker ends with the analysing process
            lifeline.release_forkserver()
            # Ctrl+C reaches the whole process group: the analysing process handles it
            # and stops the workers, which must not print tracebacks of their own.
            with contextlib.suppress(ValueError):  # only the main thread sets handlers
                signal.signal(signal.SIGINT, signal.SIG_IGN)
            # Its log goes to the analysing process's terminal: a cancelled chunk (Ctrl+C)
            # is no warning there. Errors still show.
            logging.getLogger("distributed").setLevel(logging.ERROR)
        found = _reading(self.policy)
        if found != self.expected:
            raise WorkerMismatchError(
                f"it runs reviewer {found[0]}, spaCy pipeline installed {found[1]}, chat-PII "
                f"model {found[2] or 'ready'}; the coordinator: reviewer {self.expected[0]}, "
                f"{self.expected[1]}, {self.expected[2] or 'ready'}.")
        from reviewer.suggest.engine import Detector

        self.detector = Detector(self.policy)

    def teardown(self, worker: Any) -> None:
        self.detector = None
        if self.local:
            # A local worker is closed with its cluster, at the end of the run or to
            # stop it: it holds nothing to save, and the interpreter's orderly end with
            # spaCy and the models loaded took 0.3 s of the analysis's wall time.
            os._exit(0)


def detect_chunk(pieces: list[str]) -> tuple[Found, float]:
    """On a worker: suggestions for a chunk, and the CPU seconds spent on it. The
    detector is used by one thread at a time (a worker may run several)."""
    plugin = distributed.get_worker().plugins[PLUGIN]
    assert isinstance(plugin, DetectorPlugin)
    assert plugin.detector is not None
    with plugin.lock:
        started = time.process_time()
        found = detect_pieces(plugin.detector, pieces)
        return found, time.process_time() - started


def _reading(policy: Policy) -> tuple[str, bool, str | None]:
    """What decides what a process finds besides the policy: the app's version,
    whether the spaCy pipeline is installed, why the chat-PII model cannot run."""
    return reviewer.__version__, pipeline_installed(policy.spacy_model), missing(policy.chat_model)


def _quietly(call: Any, *args: Any) -> None:
    with contextlib.suppress(Exception):  # clean-up of a run that is over either way
        call(*args)
