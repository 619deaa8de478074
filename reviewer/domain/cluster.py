"""Where ``analyze --cluster`` detects, and what may be used: ``local:N`` or a
Dask scheduler reached over TLS (``tls://``), or unencrypted (``tcp://``) only
when the user takes the risk with ``--insecure-cluster``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reviewer.domain.errors import RefusedError, UsageError

LOCAL = "local:"


@dataclass(frozen=True)
class ClusterSpec:
    """``local:N`` or a scheduler's address, and the TLS files to reach it."""

    address: str
    insecure: bool = False
    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None

    @property
    def local_workers(self) -> int | None:
        """N of ``local:N``; None for a remote address."""
        if not self.address.startswith(LOCAL):
            return None
        count = self.address[len(LOCAL):]
        if not count.isdigit() or int(count) < 1:
            raise UsageError(f"--cluster {self.address}: local:N needs a number of workers N >= 1.")
        return int(count)

    @property
    def encrypted(self) -> bool:
        """Local clusters use TLS with a key made for the run."""
        return self.local_workers is not None or self.address.startswith("tls://")

    def warning(self) -> str | None:
        """The one line to show before running on an unencrypted cluster."""
        if self.encrypted or not self.insecure:
            return None
        return (f"--insecure-cluster: conversation text goes to {self.address} unencrypted, "
                "readable by anyone on the network path, and whoever reaches the scheduler "
                "can read it or run code on its workers.")

    def check(self) -> None:
        """Refuse what cannot or must not be used, before anything is started."""
        if self.local_workers is not None:
            return
        scheme = self.address.split("://", 1)[0] if "://" in self.address else "tcp"
        if scheme not in ("tls", "tcp"):
            raise UsageError(f"--cluster {self.address}: give local:N, tls://HOST:PORT or "
                             "tcp://HOST:PORT (a Dask scheduler).")
        if scheme == "tcp" and not self.insecure:
            raise RefusedError(f"--cluster {self.address} is not encrypted: use a tls:// address, "
                               "or add --insecure-cluster to send the texts unencrypted.")
        if scheme == "tcp" and any((self.ca_file, self.cert_file, self.key_file)):
            raise UsageError("--cluster-ca, --cluster-cert and --cluster-key need a tls:// "
                             "address.")
