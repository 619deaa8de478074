"""Exporting a packet end to end: the contract's packet, every refusal, every tamper."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from reviewer.cli import main
from reviewer.domain.audit import verify_chain
from reviewer.domain.errors import CancelledError, UsageError
from reviewer.domain.models import AuditEntry, Origin, Status, Suggestion
from reviewer.ops.audit import audit_entries, verify_audit
from reviewer.ops.decisions import decide
from reviewer.ops.exporting import (
    ConflictRefusedError,
    LeakRefusedError,
    PendingRefusedError,
    export_packet,
    pending_summary,
    verify_packet,
)
from reviewer.ops.spans import list_spans
from reviewer.ops.stores import create_store
from reviewer.store import spans
from tests.conftest import PASSPHRASE
from tests.export.builders import add_branchy_chat, add_chat, add_span

pytestmark = pytest.mark.usefixtures("qapp")

SECRET_NAME = "Zelda Quarterfield"
SECRET_MAIL = "zelda.q@example.org"
T0 = f"Hi, I am {SECRET_NAME}; write to {SECRET_MAIL}, or call 555-0100."
T1 = f"Nice to meet you, {SECRET_NAME}! Is 555-0100 your office?"
TITLE = f"Chat with {SECRET_NAME}"


def decided_store(store: Any) -> int:
    """One conversation whose every occurrence of the secrets is approved; the phone kept."""
    conv_id, (m0, m1) = add_chat(store, "conv-1", [T0, T1], title=TITLE)
    add_span(store, conv_id, m0, T0, SECRET_NAME, "PERSON")
    add_span(store, conv_id, m0, T0, SECRET_MAIL, "EMAIL_ADDRESS")
    add_span(store, conv_id, m0, T0, "555-0100", "PHONE_NUMBER", Status.REJECTED)
    add_span(store, conv_id, m1, T1, SECRET_NAME, "PERSON")
    add_span(store, conv_id, m1, T1, "555-0100", "PHONE_NUMBER", Status.REJECTED)
    add_span(store, conv_id, None, TITLE, SECRET_NAME, "PERSON")
    return conv_id


def packet_bytes(packet: Path) -> bytes:
    """Every byte of the packet, its file names, and the text of its PDFs when readable."""
    chunks = [p.relative_to(packet).as_posix().encode() for p in packet.rglob("*")]
    chunks += [p.read_bytes() for p in packet.rglob("*") if p.is_file()]
    if shutil.which("pdftotext"):
        chunks += [subprocess.run(["pdftotext", str(p), "-"], check=True,
                                  capture_output=True).stdout
                   for p in packet.rglob("*.pdf")]
    return b"\n".join(chunks)


def read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if "incomplete" in p.name or p.name == "out")


# --- the packet ---------------------------------------------------------------------------------


def test_packet_has_the_contract_layout_and_verifies(store: Any, tmp_path: Path) -> None:
    decided_store(store)
    add_branchy_chat(store, "conv-2")
    report = export_packet(store, tmp_path / "out", "tester", prefix="ACME")
    packet = tmp_path / "out"
    names = sorted(p.relative_to(packet).as_posix() for p in packet.rglob("*") if p.is_file())
    assert names == [
        "DATA/ACME.dat", "PDF/ACME-000001.pdf", "PDF/ACME-000002.pdf", "TEXT/ACME-000001.txt",
        "TEXT/ACME-000002.txt", "audit.jsonl", "conversations.jsonl", "manifest.json",
        "manifest.sig", "redaction_log.csv",
    ]
    assert verify_packet(packet).ok
    assert report.conversations == 2
    assert report.pages == 2
    assert report.redactions == 4
    assert any("ACME-000001 – ACME-000002" in line for line in report.summary_lines())


def test_manifest_holds_the_contract_fields(store: Any, tmp_path: Path) -> None:
    decided_store(store)
    export_packet(store, tmp_path / "out", "tester")
    body = json.loads((tmp_path / "out" / "manifest.json").read_bytes())
    for key in ("format", "packet_id", "created_at", "tool_version", "store_id", "reviewers",
                "counts", "audit_head", "public_key", "files", "policy_hash"):
        assert key in body, key
    assert body["format"] == "reviewer-packet/1"
    assert body["store_id"] == store.store_id
    assert body["reviewers"] == ["alice"]
    assert body["counts"]["spans"] == {"pending": 0, "approved": 4, "rejected": 2}
    assert body["counts"]["spans_by_entity"]["PERSON"]["approved"] == 3
    assert body["counts"]["pending_redacted"] == 0
    listed = {f["path"]: f for f in body["files"]}
    data = (tmp_path / "out" / "conversations.jsonl").read_bytes()
    assert listed["conversations.jsonl"] == {
        "path": "conversations.jsonl", "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data)}


def test_original_text_is_nowhere_in_the_packet(store: Any, tmp_path: Path) -> None:
    decided_store(store)
    export_packet(store, tmp_path / "out", "tester")
    everything = packet_bytes(tmp_path / "out").lower()
    for secret in (SECRET_NAME, SECRET_MAIL, "zelda", "quarterfield"):
        assert secret.lower().encode() not in everything
    assert b"555-0100" in everything  # rejected: kept verbatim
    assert b"[person-1]" in everything


def test_renderings_agree(store: Any, tmp_path: Path) -> None:
    decided_store(store)
    export_packet(store, tmp_path / "out", "tester")
    packet = tmp_path / "out"
    (record,) = [json.loads(line) for line in read_lines(packet / "conversations.jsonl")]
    assert record["control_id"] == "RR-000001"
    assert record["title"] == "Chat with [PERSON-1]"
    assert record["messages"][0] | {"created_at": None} == {
        "index": 0, "role": "user", "created_at": None, "branch": "active",
        "visibility": "visible", "content_type": "text",
        "text": "Hi, I am [PERSON-1]; write to [EMAIL_ADDRESS-1], or call 555-0100."}
    assert record["messages"][0]["text"] in (packet / "TEXT" / "RR-000001.txt").read_text()
    rows = list(csv.DictReader(io.StringIO((packet / "redaction_log.csv").read_text())))
    assert len(rows) == 6
    assert {r["replacement"] for r in rows if r["status"] == "approved"} == {
        "[PERSON-1]", "[EMAIL_ADDRESS-1]"}
    assert {r["replacement"] for r in rows if r["status"] == "rejected"} == {""}
    dat = (packet / "DATA" / "RR.dat").read_bytes().decode("utf-8-sig").split("\r\n")
    fields = [f.strip("þ") for f in dat[1].split("\x14")]
    # "conv-1" is not a machine-made id, so the packet names it by a generated reference
    assert fields[:5] == ["RR-000001", "RR-000001", "RR-000001", record["source_id"],
                          "Chat with [PERSON-1]"]
    assert re.fullmatch(r"SRC-[0-9A-F]{10}", record["source_id"])
    pdf_sha = hashlib.sha256((packet / "PDF" / "RR-000001.pdf").read_bytes()).hexdigest()
    assert fields[-1] == pdf_sha


def test_bates_numbers_are_pages_continuous_across_the_packet(store: Any, tmp_path: Path) -> None:
    long_text = "A long paragraph of ordinary words. " * 400
    add_chat(store, "long", [long_text, long_text])
    add_chat(store, "short", ["short"])
    report = export_packet(store, tmp_path / "out", "tester")
    dat = (tmp_path / "out" / "DATA" / "RR.dat").read_bytes().decode("utf-8-sig").split("\r\n")
    first = [f.strip("þ") for f in dat[1].split("\x14")]
    second = [f.strip("þ") for f in dat[2].split("\x14")]
    long_pages = int(first[1].split("-")[1])
    assert long_pages > 1
    assert first[0] == "RR-000001"
    assert second[0] == second[1] == second[2] == f"RR-{long_pages + 1:06d}"
    assert report.pages == long_pages + 1
    assert (tmp_path / "out" / "PDF" / f"RR-{long_pages + 1:06d}.pdf").exists()


def test_alternates_and_hidden_content_are_labelled_or_left_out(store: Any, tmp_path: Path) -> None:
    add_branchy_chat(store, "conv-b")
    export_packet(store, tmp_path / "all", "tester")
    text = (tmp_path / "all" / "TEXT" / "RR-000001.txt").read_text()
    assert "[2] ASSISTANT · alternate branch" in text
    assert "[3] TOOL · hidden content · tool_result" in text
    assert "[withheld: 2 non-text part(s) not produced]" in text
    export_packet(store, tmp_path / "active", "tester", active_only=True)
    (record,) = [json.loads(x) for x in read_lines(tmp_path / "active" / "conversations.jsonl")]
    assert [m["index"] for m in record["messages"]] == [0, 1, 3]


# --- replacement numbers ------------------------------------------------------------------------


def test_tokens_are_stable_across_packets_of_one_store(store: Any, tmp_path: Path) -> None:
    conv_id, (m0,) = add_chat(store, "a", ["Bob Stone met Carla Diaz."])
    add_span(store, conv_id, m0, "Bob Stone met Carla Diaz.", "Carla Diaz", "PERSON")
    export_packet(store, tmp_path / "p1", "tester")
    add_span(store, conv_id, m0, "Bob Stone met Carla Diaz.", "Bob Stone", "PERSON")
    text = "CARLA  DIAZ wrote again."
    conv2, (n0,) = add_chat(store, "b", [text])
    add_span(store, conv2, n0, text, "CARLA  DIAZ", "PERSON")
    export_packet(store, tmp_path / "p2", "tester")
    first = (tmp_path / "p1" / "conversations.jsonl").read_text()
    second = (tmp_path / "p2" / "conversations.jsonl").read_text()
    assert "[PERSON-1]" in first
    assert "Bob Stone met [PERSON-1]." in first
    assert "[PERSON-2] met [PERSON-1]." in second
    assert "[PERSON-1] wrote again." in second


# --- fail closed ----------------------------------------------------------------------------------


def test_pending_spans_block_the_export(store: Any, tmp_path: Path) -> None:
    conv_id, (m0, _) = add_chat(store, "conv-pending", [T0, T1])
    add_span(store, conv_id, m0, T0, SECRET_NAME, "PERSON", Status.PENDING)
    add_span(store, conv_id, m0, T0, SECRET_MAIL, "EMAIL_ADDRESS", Status.PENDING)
    with pytest.raises(PendingRefusedError, match=r"2 pending span\(s\) in 1 conversation\(s\): "
                       r"#1 “A chat” \(2 pending span\(s\)\)") as err:
        export_packet(store, tmp_path / "out", "tester")
    assert err.value.count == 2
    assert err.value.exit_code == 1
    assert leftovers(tmp_path) == []
    assert pending_summary(store) == (2, 1)


def test_allow_pending_redacts_them_and_says_so(store: Any, tmp_path: Path) -> None:
    conv_id, (m0, m1) = add_chat(store, "conv-pending", [T0, T1])
    add_span(store, conv_id, m0, T0, SECRET_NAME, "PERSON", Status.PENDING)
    add_span(store, conv_id, m1, T1, SECRET_NAME, "PERSON", Status.PENDING)
    add_span(store, conv_id, m0, T0, SECRET_MAIL, "EMAIL_ADDRESS")
    report = export_packet(store, tmp_path / "out", "tester", allow_pending=True)
    assert report.pending_redacted == 2
    body = json.loads((tmp_path / "out" / "manifest.json").read_bytes())
    assert body["counts"]["pending_redacted"] == 2
    assert body["options"]["allow_pending"] is True
    assert SECRET_NAME.encode() not in packet_bytes(tmp_path / "out")
    rows = list(csv.DictReader(read_lines(tmp_path / "out" / "redaction_log.csv")))
    assert {(r["status"], r["replacement"]) for r in rows} >= {("pending", "[PERSON-1]")}


def test_a_planted_leak_refuses_and_becomes_pending_spans(store: Any, tmp_path: Path) -> None:
    decided_store(store)
    planted = "Forwarded: zelda\u200b quarterfield said hi; ＺＥＬＤＡ QUARTERFIELD too."
    conv_id, (leaky,) = add_chat(store, "conv-leak", [planted], title="No names here")
    with pytest.raises(LeakRefusedError, match=r"2 place\(s\) in 1 conversation") as err:
        export_packet(store, tmp_path / "out", "tester")
    assert leftovers(tmp_path) == []
    with store.reading() as conn:
        new = [spans.get(conn, i) for i in err.value.span_ids]
    assert {(s.conversation_id, s.message_id, s.status, s.origin) for s in new} == {
        (conv_id, leaky, Status.PENDING, Origin.PROPAGATED)}
    assert sorted(planted[s.start:s.end] for s in new) == sorted([
        "zelda\u200b quarterfield", "ＺＥＬＤＡ QUARTERFIELD"])
    assert audit_entries(store)[-1].action == "export_refused"
    # recorded once, in the transaction that added the spans
    assert audit_entries(store)[-1].payload["new_pending_span_ids"] == err.value.span_ids
    assert audit_entries(store)[-2].action != "export_refused"
    decide(store, err.value.span_ids, Status.APPROVED, "alice")
    export_packet(store, tmp_path / "out", "tester")
    assert "zelda" not in packet_bytes(tmp_path / "out").decode("utf-8", "replace").lower()


def test_a_leak_in_a_title_is_found(store: Any, tmp_path: Path) -> None:
    decided_store(store)
    conv_id, _ = add_chat(store, "conv-t", ["nothing"], title=f"Re: {SECRET_MAIL}")
    with pytest.raises(LeakRefusedError) as err:
        export_packet(store, tmp_path / "out", "tester")
    with store.reading() as conn:
        (span,) = [spans.get(conn, i) for i in err.value.span_ids]
    assert (span.conversation_id, span.message_id, span.start, span.entity) == (
        conv_id, None, 4, "EMAIL_ADDRESS")


def test_a_rejected_occurrence_of_a_redacted_value_is_no_leak_but_refuses(
        store: Any, tmp_path: Path) -> None:
    # Not a leak (a reviewer decided it, so no pending span is added), but the packet
    # would show the value beside the token that stands for it everywhere else: the
    # reviewer decides the value one way (a namesake is redacted too).
    decided_store(store)
    other = f"A different {SECRET_NAME}, a public figure."
    conv_id, (m0,) = add_chat(store, "conv-public", [other])
    kept = add_span(store, conv_id, m0, other, SECRET_NAME, "PERSON", Status.REJECTED)
    before = [s["id"] for s in list_spans(store)]
    with pytest.raises(ConflictRefusedError):
        export_packet(store, tmp_path / "out", "tester")
    assert [s["id"] for s in list_spans(store)] == before
    decide(store, [kept], Status.APPROVED, "tester")
    export_packet(store, tmp_path / "out", "tester")
    assert verify_packet(tmp_path / "out").ok
    assert SECRET_NAME.encode() not in packet_bytes(tmp_path / "out")


def test_upstream_markers_are_redacted_but_not_searched_for(store: Any, tmp_path: Path) -> None:
    decided_store(store)
    text = "Ask [NAME REMOVED] again; the name removed above was the landlord's."
    conv_id, (m0,) = add_chat(store, "conv-upstream", [text])
    start = text.index("[NAME REMOVED]")
    marker = Suggestion(start, start + 14, "REDACTED", 1.0, "upstream",
                        origin=Origin.UPSTREAM, status=Status.APPROVED)
    with store.transaction() as conn:
        spans.add(conn, conv_id, m0, [marker], policy_hash="p1", decided_by="tester")
    export_packet(store, tmp_path / "out", "tester")
    assert verify_packet(tmp_path / "out").ok
    lines = (tmp_path / "out" / "conversations.jsonl").read_text(encoding="utf-8")
    assert "the name removed above" in lines
    assert "[NAME REMOVED]" not in lines


def test_a_span_whose_text_is_a_format_word_does_not_block(store: Any, tmp_path: Path) -> None:
    decided_store(store)
    text = "Ask the Approved Vendors desk."
    conv_id, (m0,) = add_chat(store, "conv-words", [text])
    add_span(store, conv_id, m0, text, "Approved", "ORGANIZATION")
    export_packet(store, tmp_path / "out", "tester")
    assert verify_packet(tmp_path / "out").ok


def test_metadata_holding_redacted_text_is_scrubbed(store: Any, tmp_path: Path) -> None:
    decided_store(store)
    add_chat(store, f"{SECRET_MAIL}.json:3", ["hello"])
    export_packet(store, tmp_path / "out", "tester")
    everything = packet_bytes(tmp_path / "out").decode("utf-8", "replace")
    assert SECRET_MAIL not in everything
    # a source id that is not machine-made leaves as a generated reference, not scrubbed
    records = [json.loads(line) for line in read_lines(tmp_path / "out" / "conversations.jsonl")]
    assert re.fullmatch(r"SRC-[0-9A-F]{10}", records[1]["source_id"])


def test_cancelling_leaves_nothing(store: Any, tmp_path: Path) -> None:
    for i in range(3):
        add_chat(store, f"c{i}", [f"message {i}"])

    def cancel_after_one(done: int, total: int | None, label: str) -> None:
        if done == 2:
            raise CancelledError("Export cancelled.")

    with pytest.raises(CancelledError):
        export_packet(store, tmp_path / "out", "tester", progress=cancel_after_one)
    assert leftovers(tmp_path) == []


def test_bad_requests_are_usage_errors(store: Any, tmp_path: Path) -> None:
    (tmp_path / "exists").mkdir()
    with pytest.raises(UsageError, match="already exists"):
        export_packet(store, tmp_path / "exists", "tester")
    with pytest.raises(UsageError, match="prefix"):
        export_packet(store, tmp_path / "out", "tester", prefix="../x")


# --- audit ---------------------------------------------------------------------------------------


def test_export_and_manifest_hash_are_audited(store: Any, tmp_path: Path) -> None:
    decided_store(store)
    report = export_packet(store, tmp_path / "out", "tester")
    last = audit_entries(store)[-1]
    data = (tmp_path / "out" / "manifest.json").read_bytes()
    assert last.action == "export"
    assert last.actor == "tester"
    assert last.payload["manifest_sha256"] == hashlib.sha256(data).hexdigest()
    assert last.payload["packet_id"] == report.packet_id
    assert verify_audit(store).ok


def test_packet_audit_log_is_the_verifiable_chain(store: Any, tmp_path: Path) -> None:
    decided_store(store)
    export_packet(store, tmp_path / "out", "tester")
    lines = [json.loads(x) for x in read_lines(tmp_path / "out" / "audit.jsonl")]
    head = json.loads((tmp_path / "out" / "manifest.json").read_bytes())["audit_head"]
    chain = verify_chain(AuditEntry(**line) for line in lines)
    assert chain.ok
    assert (chain.head_seq, chain.head_hash) == (head["seq"], head["hash"])
    assert any(line["action"] == "decide" for line in lines)


# --- tampering a real packet --------------------------------------------------------------------


@pytest.fixture
def packet(store: Any, tmp_path: Path) -> Path:
    decided_store(store)
    export_packet(store, tmp_path / "out", "tester")
    return tmp_path / "out"


def test_tamper_edited_byte(packet: Path) -> None:
    target = packet / "PDF" / "RR-000001.pdf"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    assert verify_packet(packet).problem == (
        "PDF/RR-000001.pdf was changed: its SHA-256 does not match the manifest")


def test_tamper_extra_file(packet: Path) -> None:
    (packet / "TEXT" / "RR-000099.txt").write_text("planted")
    assert "RR-000099.txt is in the packet but not listed" in (verify_packet(packet).problem or "")


def test_tamper_missing_file(packet: Path) -> None:
    (packet / "redaction_log.csv").unlink()
    assert verify_packet(packet).problem == (
        "redaction_log.csv is listed in the manifest but missing")


def test_tamper_bad_signature(packet: Path) -> None:
    (packet / "manifest.sig").write_bytes((packet / "manifest.sig").read_bytes()[::-1])
    assert not verify_packet(packet).ok


# --- the command line -----------------------------------------------------------------------------


def test_cli_export_and_verify(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cli.db"
    opened = create_store(path, PASSPHRASE, "tester")
    conv_id, (m0, _) = add_chat(opened, "cli-1", [T0, T1])
    add_span(opened, conv_id, m0, T0, SECRET_NAME, "PERSON", Status.PENDING)
    opened.close()
    monkeypatch.setenv("REVIEWER_PASSPHRASE", PASSPHRASE)
    assert main(["export", str(path), str(tmp_path / "out")]) == 1
    assert "1 pending span(s)" in capsys.readouterr().err
    # a pending span is redacted but was never judged personal data: not a needle
    assert main(["export", str(path), str(tmp_path / "out"), "--allow-pending"]) == 0
    assert "RR-000001" in capsys.readouterr().out
    monkeypatch.delenv("REVIEWER_PASSPHRASE")
    assert main(["verify", str(tmp_path / "out")]) == 0
    assert "verifies" in capsys.readouterr().out
    (tmp_path / "out" / "audit.jsonl").write_text("")
    assert main(["verify", str(tmp_path / "out")]) == 1
    assert "audit.jsonl" in capsys.readouterr().err


def test_an_empty_store_exports_an_empty_signed_packet(store: Any, tmp_path: Path) -> None:
    report = export_packet(store, tmp_path / "out", "tester")
    assert report.pages == 0
    assert report.summary_lines()[1] == "0 conversation(s), 0 message(s), 0 page(s)."
    assert verify_packet(tmp_path / "out").ok
