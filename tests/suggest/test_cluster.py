"""`analyze --cluster`: which addresses are refused, and, on local Dask clusters
over TLS, that the cluster stores exactly what local analysis stores, keeps the
passphrase from its workers, and survives a worker killed mid-run.

The cluster tests need Dask's ``distributed`` (the ``cluster`` extra) and skip
without it. They allow connections to this machine's loopback address only: the
analysis still reaches nothing else.
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import logging
import os
import signal
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reviewer.domain.cluster import ClusterSpec
from reviewer.domain.errors import RefusedError, UsageError
from reviewer.domain.models import Conversation, Message
from reviewer.ops.analysis import analyze
from reviewer.ops.stores import create_store
from reviewer.store import audit, conversations, spans
from reviewer.store.database import Store
from tests.conftest import PASSPHRASE

POLICY = Path(__file__).resolve().parents[2] / "resources" / "policy.yaml"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
START_SECONDS = 120
CONVERSATIONS = 40  # two analysis batches, each a few chunks per worker
PEOPLE = ("Margaret Thornbury", "Ana Lucia Ferreira", "Jonas Østergaard", "Priya Raman")


# --- addresses: no cluster needed --------------------------------------------------------------

def test_local_n_is_a_local_cluster_over_tls() -> None:
    spec = ClusterSpec("local:3")
    spec.check()
    assert spec.local_workers == 3
    assert spec.encrypted
    assert spec.warning() is None


@pytest.mark.parametrize("address", ["local:0", "local:", "local:two"])
def test_local_needs_a_positive_count(address: str) -> None:
    with pytest.raises(UsageError, match="N >= 1"):
        ClusterSpec(address).check()


@pytest.mark.parametrize("address", ["tcp://10.1.2.3:8786", "10.1.2.3:8786"])
def test_an_unencrypted_address_is_refused_without_the_flag(address: str) -> None:
    with pytest.raises(RefusedError, match="not encrypted"):
        ClusterSpec(address).check()


def test_the_insecure_flag_allows_tcp_with_a_warning_naming_the_risk() -> None:
    spec = ClusterSpec("tcp://10.1.2.3:8786", insecure=True)
    spec.check()
    warning = spec.warning()
    assert warning is not None
    assert "\n" not in warning
    assert "unencrypted" in warning
    assert "run code" in warning


def test_tls_needs_no_flag_and_gets_no_warning() -> None:
    spec = ClusterSpec("tls://10.1.2.3:8786", insecure=True)
    spec.check()
    assert spec.encrypted
    assert spec.warning() is None


@pytest.mark.parametrize("address", ["ray://head:10001", "ws://10.1.2.3:8786", "inproc://x"])
def test_other_transports_are_usage_errors(address: str) -> None:
    with pytest.raises(UsageError, match="tls://HOST:PORT"):
        ClusterSpec(address, insecure=True).check()


def test_certificates_with_a_tcp_address_are_a_usage_error() -> None:
    with pytest.raises(UsageError, match="tls://"):
        ClusterSpec("tcp://h:1", insecure=True, ca_file=Path("ca.pem")).check()


def test_the_cli_refuses_workers_beside_a_cluster(store_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from reviewer.cli import main

    monkeypatch.setenv("REVIEWER_PASSPHRASE", PASSPHRASE)
    assert main(["analyze", str(store_path), "--cluster", "local:2", "--workers", "2"]) == 2
    assert main(["analyze", str(store_path), "--cluster", "tcp://10.1.2.3:1"]) == 1
    assert main(["analyze", str(store_path), "--cluster-ca", "ca.pem"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 3
    assert "--insecure-cluster" in lines[1]


# --- on a cluster ------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Replaces the suite's guard: the loopback address is allowed, nothing else."""
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> Any:
        if self.family == socket.AF_UNIX or ipaddress.ip_address(address[0]).is_loopback:
            return real_connect(self, address)
        raise AssertionError(f"a test tried to connect to {address}")

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in LOOPBACK:
            raise AssertionError(f"a test tried to resolve {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def _conversation(number: int) -> Conversation:
    person = PEOPLE[number % len(PEOPLE)]
    first = person.split()[0]
    messages = (
        f"Hi, I'm {person}. Write to {first.lower()}.{number}@example.org or call "
        f"+1 415 555 01{number % 90 + 10}.",
        f"Thanks {first}! Your ticket {number} is open; the engineer lives at "
        f"{number + 10} Baker Street, London.",
        f"[REDACTED] sent key sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv{number:04d}z today.",
        f"{person.split()[-1]} will call from 192.168.{number}.7 later.",
    )
    return Conversation(f"c{number:03d}", f"{person}'s ticket {number}",
                        tuple(Message(i, "user", t) for i, t in enumerate(messages)))


def _filled(path: Path) -> Store:
    store = create_store(path, PASSPHRASE, "tester")
    with store.transaction() as conn:
        for number in range(CONVERSATIONS):
            conversations.add_conversation(conn, _conversation(number), None)
    return store


def _stored(store: Store) -> list[tuple[Any, ...]]:
    """Every span by conversation source id and message index: comparable across stores."""
    rows: list[tuple[Any, ...]] = []
    with store.reading() as conn:
        for conv_id in range(1, CONVERSATIONS + 1):
            conv = conversations.get_conversation(conn, conv_id)
            index = {m.id: m.index for m in conv.messages}
            rows += [(conv.source_id, index.get(s.message_id), s.start, s.end, s.entity,
                      round(s.score, 6), str(s.origin), str(s.status))
                     for s in spans.for_conversation(conn, conv_id)]
    return sorted(rows, key=repr)


@pytest.fixture(scope="module")
def distributed() -> Any:
    return pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def local_result(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Any, ...]]:
    """What analysis on this machine stores, one worker."""
    store = _filled(tmp_path_factory.mktemp("local") / "matter.db")
    try:
        analyze(store, "tester", policy_path=POLICY, workers=1)
        return _stored(store)
    finally:
        store.close()


@pytest.mark.slow
def test_a_local_cluster_stores_what_local_analysis_stores(
        distributed: Any, local_result: list[tuple[Any, ...]], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from reviewer.suggest import cluster as cluster_module

    monkeypatch.setenv("REVIEWER_PASSPHRASE", PASSPHRASE)
    seen: dict[str, Any] = {}
    original = cluster_module.ClusterRunner.warm_up

    def warm_up(runner: Any) -> None:
        import dask

        original(runner)
        client = runner._client
        seen["secret"] = client.run(os.getenv, "REVIEWER_PASSPHRASE")
        seen["scheme"] = client.scheduler.address.split("://")[0]
        seen["pids"] = list(client.run(os.getpid).values())
        # Dask's profiler would walk the detecting thread's stack every 10 ms.
        seen["profiled"] = client.run(dask.config.get, "distributed.worker.profile.enabled")

    monkeypatch.setattr(cluster_module.ClusterRunner, "warm_up", warm_up)
    store = _filled(tmp_path / "matter.db")
    try:
        report = analyze(store, "tester", policy_path=POLICY, cluster=ClusterSpec("local:2"))
        assert report.workers == 2
        assert report.texts == CONVERSATIONS * 5
        assert "of the cluster local:2" in report.summary_lines()[0]
        # Dask's INFO log (a closing worker's connection, with a traceback) stays off
        # the terminal after the cluster has closed.
        assert logging.getLogger("distributed").getEffectiveLevel() >= logging.WARNING
        assert _stored(store) == local_result
        with store.reading() as conn:
            entries = [e for e in audit.entries(conn) if e.action == "analyze"]
        assert len(entries) == 2  # one a batch of conversations
        assert all(e.payload["cluster"] == "local:2" for e in entries)
    finally:
        store.close()
    assert seen["scheme"] == "tls"
    assert list(seen["secret"].values()) == [None, None]
    assert list(seen["profiled"].values()) == [False, False]
    for pid in seen["pids"]:  # the workers ended with their cluster
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


# Helpers multiprocessing keeps for the rest of the process: not workers.
HELPERS = (b"resource_tracker", b"multiprocessing.forkserver")


def _workers() -> set[int]:
    """The processes below this one (local workers fork from the forkserver, a child
    of this process) but multiprocessing's helpers, which stay."""
    found: set[int] = set()
    parents = [os.getpid()]
    while parents:
        parent = parents.pop()
        for task in Path(f"/proc/{parent}/task").iterdir():
            with contextlib.suppress(OSError):
                for pid in (task / "children").read_text().split():
                    parents.append(int(pid))
                    command = Path(f"/proc/{pid}/cmdline").read_bytes()
                    if not any(helper in command for helper in HELPERS):
                        found.add(int(pid))
    return found


@pytest.mark.slow
def test_a_wrong_passphrase_beside_a_cluster_started_meanwhile_ends_it(
        distributed: Any, store_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from reviewer.cli import main

    create_store(store_path, PASSPHRASE, "tester").close()
    before = _workers()
    monkeypatch.setenv("REVIEWER_PASSPHRASE", "not the passphrase of this store")
    assert main(["analyze", str(store_path), "--cluster", "local:1"]) == 4
    assert "passphrase" in capsys.readouterr().err.lower()
    assert _workers() <= before  # the worker started while the key was derived is gone


def test_what_reaching_a_cluster_raises_is_raised_where_analysis_takes_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from reviewer.domain.policy import Policy
    from reviewer.ops import clusters

    def unreachable(spec: ClusterSpec) -> Any:
        raise RefusedError(f"Cannot reach the cluster at {spec.address}: timed out")

    monkeypatch.setattr(clusters, "_cluster_runner", unreachable)
    with clusters.ClusterConnection(ClusterSpec("tls://127.0.0.1:1")) as connection, \
            pytest.raises(RefusedError, match=r"Cannot reach the cluster at tls://127\.0\.0\.1:1"):
        connection.take(Policy())


# --- a "remote" cluster: TLS with certificates made here ----------------------------------------

def _certificates(folder: Path) -> dict[str, Path]:
    """A CA, and a certificate for 127.0.0.1 signed by it (server and client alike)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def issue(subject: str, key: Any, issuer: x509.Name, signer: Any, ca: bool) -> x509.Certificate:
        builder = (x509.CertificateBuilder()
                   .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
                   .issuer_name(issuer).public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(hours=1))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if not ca:
            builder = builder.add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        return builder.sign(signer, hashes.SHA256())

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test cluster CA")])
    ca = issue("test cluster CA", ca_key, ca_name, ca_key, ca=True)
    cert = issue("127.0.0.1", key, ca_name, ca_key, ca=False)
    files = {"ca": folder / "ca.pem", "cert": folder / "cert.pem", "key": folder / "key.pem"}
    files["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files["key"].write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    return files


@pytest.fixture
def tls_cluster(distributed: Any, tmp_path: Path) -> Iterator[tuple[Any, dict[str, Path]]]:
    """Two workers behind a scheduler that accepts TLS only, with the test's certificates."""
    files = _certificates(tmp_path)
    roles = {f"tls_{role}_{kind}": str(files[kind])
             for role in ("scheduler", "worker", "client") for kind in ("cert", "key")}
    security = distributed.Security(tls_ca_file=str(files["ca"]), require_encryption=True,
                                    **roles)
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", protocol="tls",
        security=security, dashboard_address="127.0.0.1:0",
        scheduler_kwargs={"dashboard": False}, timeout=START_SECONDS)
    try:
        yield cluster, files
    finally:
        cluster.close()


@pytest.mark.slow
def test_a_tls_cluster_survives_a_killed_worker_and_stores_what_local_analysis_stores(
        distributed: Any, tls_cluster: tuple[Any, dict[str, Path]],
        local_result: list[tuple[Any, ...]], tmp_path: Path) -> None:
    cluster, files = tls_cluster
    assert cluster.scheduler_address.startswith("tls://")
    watcher = distributed.Client(cluster, timeout=START_SECONDS)
    calls: list[int] = []
    killed: list[int] = []

    def kill_one_worker_mid_run(done: int, total: int | None, label: str) -> None:
        calls.append(done)
        if len(calls) == 2:  # the first chunk is back, the others are on the workers
            pids = watcher.run(os.getpid)
            killed.append(next(iter(pids.values())))
            os.kill(killed[0], signal.SIGKILL)

    spec = ClusterSpec(cluster.scheduler_address, ca_file=files["ca"], cert_file=files["cert"],
                       key_file=files["key"])
    store = _filled(tmp_path / "matter.db")
    try:
        analyze(store, "tester", policy_path=POLICY, cluster=spec,
                progress=kill_one_worker_mid_run)
        assert killed
        assert killed[0] not in watcher.run(os.getpid).values()  # gone; its chunks ran again
        assert _stored(store) == local_result
    finally:
        store.close()
        watcher.close()
