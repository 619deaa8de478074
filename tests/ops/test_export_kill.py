"""A killed export leaves either no packet or an audited one, and its leftovers go at
the next export into the same folder: SIGKILL at random moments, as the store's
durability test does."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest

from reviewer.export.folder import TEMP_MARK
from reviewer.ops.audit import audit_entries, verify_audit
from reviewer.ops.exporting import export_packet, verify_packet
from reviewer.ops.stores import create_store, open_store
from tests.conftest import PASSPHRASE
from tests.export.builders import add_chat, add_span
from tests.killing import Zygote

PRELUDE = """
from pathlib import Path
from reviewer.ops.exporting import export_packet
from reviewer.ops.stores import open_store
"""

EXPORTER = """
    store = open_store(Path(args[0]), args[1])
    parent, tag = Path(args[2]), args[3]
    ready()
    n = 0
    while True:
        n += 1
        export_packet(store, parent / f"out-{tag}-{n}", "exporter")
"""


def _audited_manifests(store_path: Path) -> set[str]:
    with open_store(store_path, PASSPHRASE) as store:
        assert verify_audit(store).ok
        return {str(e.payload["manifest_sha256"]) for e in audit_entries(store)
                if e.action == "export"}


@pytest.mark.slow
@pytest.mark.usefixtures("qapp")
def test_a_killed_export_leaves_no_packet_or_an_audited_one(store_path: Path,
                                                            tmp_path: Path) -> None:
    rng = random.Random(20261201)
    with create_store(store_path, PASSPHRASE, "tester") as store:
        for i in range(12):
            text = f"Message {i} from Zelda Quarterfield. " + "About the boiler. " * 40
            conv_id, (m0,) = add_chat(store, f"c{i}", [text])
            add_span(store, conv_id, m0, text, "Zelda Quarterfield", "PERSON")
    parent = tmp_path / "packets"
    parent.mkdir()
    prelude = PRELUDE + f"open_store(Path({str(store_path)!r}), {PASSPHRASE!r}).close()\n"
    with Zygote(prelude, EXPORTER) as zygote:
        for round_ in range(10):
            zygote.run_and_kill([str(store_path), PASSPHRASE, str(parent), str(round_)],
                                rng.uniform(0.05, 1.0))
            audited = _audited_manifests(store_path)
            for packet in parent.glob("out-*"):
                assert verify_packet(packet).ok, packet
                digest = hashlib.sha256((packet / "manifest.json").read_bytes()).hexdigest()
                assert digest in audited, f"{packet.name} is in no audit entry"
    with open_store(store_path, PASSPHRASE) as store:
        export_packet(store, parent / "final", "tester")
    assert [p.name for p in parent.iterdir() if TEMP_MARK in p.name] == []
