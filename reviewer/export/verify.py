"""Checking a packet: the signature holds, every listed file is there with its hash,
and nothing else is. Needs the packet folder only: no store, no passphrase.

A packet carries its own public key, so a packet re-signed with another key
verifies on its own. ``key`` pins the producing party's key: the fingerprint
``export`` printed (or the base64 public key), exchanged apart from the packet.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from reviewer.domain.errors import UsageError
from reviewer.export.manifest import FORMAT, MANIFEST, SIGNATURE, fingerprint, signature_problem
from reviewer.infra.files import file_digest

_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class VerifyReport:
    """``ok``, or the first ``problem`` found, in one sentence."""

    ok: bool
    problem: str | None = None
    packet_id: str | None = None
    files: int = 0
    key_fingerprint: str | None = None
    counts: dict[str, Any] = field(default_factory=dict)
    key_pinned: bool = False

    def summary_lines(self) -> list[str]:
        if not self.ok:
            return [f"Packet does not verify: {self.problem}"]
        return [
            f"Packet {self.packet_id} verifies: {self.files} files with their hashes, "
            "no unlisted files, signature holds.",
            f"Signed by key {self.key_fingerprint}, the expected key." if self.key_pinned else
            f"Signed by key {self.key_fingerprint} (compare with the producing party's key, "
            "or pass it with --key).",
        ]


def expected_fingerprint(key: str) -> str:
    """The fingerprint of ``key`` (a fingerprint in any grouping, or a base64 public key)."""
    plain = "".join(key.split()).replace(":", "").lower()
    if len(plain) == 32 and set(plain) <= _HEX:
        return ":".join(plain[i:i + 4] for i in range(0, 32, 4))
    try:
        raw = base64.b64decode("".join(key.split()), validate=True)
    except (ValueError, binascii.Error):
        raw = b""
    if len(raw) != 32:
        raise UsageError(f"--key {key!r} is neither a key fingerprint (32 hexadecimal digits, "
                         "as export prints it) nor a base64 Ed25519 public key.")
    return fingerprint(base64.b64encode(raw).decode("ascii"))


def verify_packet(packet_dir: Path, key: str | None = None) -> VerifyReport:
    """Check ``packet_dir``; with ``key``, also that the packet was signed with it."""
    expected = expected_fingerprint(key) if key is not None else None
    packet_dir = Path(packet_dir)
    if not packet_dir.is_dir():
        return VerifyReport(False, f"{packet_dir} is not a folder")
    for name in (MANIFEST, SIGNATURE):
        if (packet_dir / name).is_symlink():  # the packet's files are its own, never links
            return VerifyReport(False, f"{name} is a link, not a file of the packet")
    try:
        data = (packet_dir / MANIFEST).read_bytes()
        sig = (packet_dir / SIGNATURE).read_bytes()
    except OSError as err:
        return VerifyReport(False, f"{Path(err.filename or '').name or 'a file'} is missing "
                                   "or unreadable")
    manifest, problem = _parse(data)
    if manifest is None:
        return VerifyReport(False, problem)
    problem = signature_problem(manifest, data, sig) or _files_problem(packet_dir, manifest)
    if problem:
        return VerifyReport(False, problem)
    signer = fingerprint(manifest["public_key"])
    if expected is not None and signer != expected:
        return VerifyReport(False, f"it was signed by key {signer}, not by the expected key "
                                   f"{expected}", key_fingerprint=signer)
    return VerifyReport(
        True, packet_id=str(manifest.get("packet_id")), files=len(manifest["files"]),
        key_fingerprint=signer, counts=dict(manifest.get("counts") or {}),
        key_pinned=expected is not None,
    )


def _parse(data: bytes) -> tuple[dict[str, Any] | None, str | None]:
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None, "manifest.json is not valid JSON"
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return None, f"manifest.json is not a {FORMAT} manifest"
    files = manifest.get("files")
    if not isinstance(files, list) or not all(_well_formed(f) for f in files):
        return None, "manifest.json has a malformed file list"
    return manifest, None


def _well_formed(entry: Any) -> bool:
    if not isinstance(entry, dict):
        return False
    path = entry.get("path")
    return (
        isinstance(path, str) and _safe(path) and isinstance(entry.get("sha256"), str)
        and isinstance(entry.get("bytes"), int)
    )


def _safe(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return bool(parts) and not PurePosixPath(path).is_absolute() and ".." not in parts \
        and "\\" not in path and path not in (MANIFEST, SIGNATURE)


def _files_problem(root: Path, manifest: dict[str, Any]) -> str | None:
    listed = {entry["path"]: entry for entry in manifest["files"]}
    for path, entry in sorted(listed.items()):
        problem = _file_problem(root, path, entry)
        if problem:
            return problem
    for found in _present(root):
        if found not in listed:
            return f"{found} is in the packet but not listed in the manifest"
    return None


def _file_problem(root: Path, path: str, entry: dict[str, Any]) -> str | None:
    target = root.joinpath(*PurePosixPath(path).parts)
    if target.is_symlink():
        return f"{path} is a link, not a file of the packet"
    if not target.is_file():
        return f"{path} is listed in the manifest but missing"
    digest, size = file_digest(target)
    if size != entry["bytes"]:
        return f"{path} has {size} bytes, the manifest lists {entry['bytes']}"
    if digest != entry["sha256"]:
        return f"{path} was changed: its SHA-256 does not match the manifest"
    return None


def _present(root: Path) -> list[str]:
    """Every file, empty folder and linked folder under ``root`` except the manifest and
    its signature."""
    found = []
    for folder, dirs, files in os.walk(root):
        rel = Path(folder).relative_to(root)
        found += [(rel / name).as_posix() for name in files]
        # os.walk does not enter linked folders: a link or an empty folder is itself extra.
        found += [(rel / name).as_posix() + "/" for name in dirs
                  if (Path(folder) / name).is_symlink() or not any((Path(folder) / name).iterdir())]
    return sorted(f for f in found if f not in (MANIFEST, SIGNATURE))
