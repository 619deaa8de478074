"""The packet's manifest and its Ed25519 signature, and checking both.

``manifest.sig`` holds the base64 signature of the exact bytes of
``manifest.json``; verifying needs only the packet (the public key is in the
manifest; compare its fingerprint with the one the producing party gives you).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from reviewer.export.folder import FileEntry

FORMAT = "reviewer-packet/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"


def public_key_b64(private_raw: bytes) -> str:
    public = Ed25519PrivateKey.from_private_bytes(private_raw).public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def fingerprint(public_b64: str) -> str:
    """A short, comparable name for a public key: SHA-256 of the raw key, hex, grouped."""
    digest = hashlib.sha256(base64.b64decode(public_b64)).hexdigest()[:32]
    return ":".join(digest[i:i + 4] for i in range(0, len(digest), 4))


def manifest_bytes(fields: dict[str, Any], files: Sequence[FileEntry], public_b64: str) -> bytes:
    """The manifest as written: the given fields, the key and the sorted file list, as
    ``json.dumps(..., indent=2)`` writes them."""
    head = json.dumps({"format": FORMAT, **fields, "public_key": public_b64, "files": []},
                      indent=2, ensure_ascii=False)
    if files:
        # The list a line at a time: the indenting encoder is pure Python, and a packet
        # lists two files a conversation.
        listed = ",\n".join(_FILE % (_string(f.path), _string(f.sha256), f.bytes)
                            for f in sorted(files, key=lambda f: f.path))
        head = head.removesuffix("[]\n}") + "[\n" + listed + "\n  ]\n}"
    return (head + "\n").encode("utf-8")


_FILE = '    {\n      "path": %s,\n      "sha256": %s,\n      "bytes": %d\n    }'


# What json.dumps(value, ensure_ascii=False) writes for a string, without its Python-level
# dispatch (0.08 us a string instead of 1.3; two strings a file).
_string = json.encoder.encode_basestring


def sign(private_raw: bytes, data: bytes) -> bytes:
    """The ``manifest.sig`` content for ``data``."""
    signature = Ed25519PrivateKey.from_private_bytes(private_raw).sign(data)
    return base64.b64encode(signature) + b"\n"


def signature_problem(manifest: dict[str, Any], data: bytes, sig_file: bytes) -> str | None:
    """None when ``sig_file`` is the manifest key's signature of ``data``; else why not."""
    try:
        public = Ed25519PublicKey.from_public_bytes(
            base64.b64decode(str(manifest.get("public_key", "")), validate=True)
        )
        signature = base64.b64decode(sig_file.strip(), validate=True)
    except (ValueError, binascii.Error):
        return "the manifest's public key or the signature file is malformed"
    try:
        public.verify(signature, data)
    except InvalidSignature:
        return "the signature does not match manifest.json (the manifest was changed or re-signed)"
    return None
