"""Fail-closed production: what was never analysed, fields nobody reviews, partial
productions, refusals in the audit log, the packet's life on disk, key pinning."""

from __future__ import annotations

import csv
import errno
import fcntl
import io
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from reviewer.cli import main
from reviewer.domain.errors import UsageError
from reviewer.domain.models import Conversation, Message, Provenance, Status
from reviewer.export import folder as packet_folder
from reviewer.export.folder import TEMP_MARK
from reviewer.export.manifest import fingerprint
from reviewer.export.redact import NOT_ANALYSED
from reviewer.ops.audit import audit_entries
from reviewer.ops.exporting import (
    ConflictRefusedError,
    ExportRefusedError,
    PendingRefusedError,
    UnanalysedRefusedError,
    WriteRefusedError,
    export_packet,
    verify_packet,
)
from reviewer.ops.importing import import_files
from reviewer.ops.policies import adopt_policy
from reviewer.ops.stores import create_store
from reviewer.store import conversations
from reviewer.suggest.policy import default_policy_path, policy_from_text
from tests.conftest import PASSPHRASE
from tests.export.builders import add_chat, add_span, mark_all_analysed
from tests.ops.test_exporting import packet_bytes, read_lines

pytestmark = pytest.mark.usefixtures("qapp")

NAME = "Zelda Quarterfield"
MAIL = "zelda.q@example.org"
SECRET = f"I am {NAME}, write to {MAIL} or call 555-0100; I live at 12 Elm Street."


def actions(store: Any) -> list[tuple[str, dict[str, Any]]]:
    return [(e.action, e.payload) for e in audit_entries(store)]


def records(packet: Path) -> list[dict[str, Any]]:
    """The packet's conversations.jsonl, a record a line."""
    return [json.loads(line) for line in read_lines(packet / "conversations.jsonl")]


def export_with_pending_name(store: Any, tmp_path: Path, second: str,
                             others: tuple[str, ...] = ()) -> None:
    """A pending span over NAME in a first message, ``second`` after it, ``others`` as
    conversations of their own; exported with pending spans allowed into ``out``."""
    first = f"I am {NAME}."
    conv_id, (m0, _) = add_chat(store, "c1", [first, second])
    add_span(store, conv_id, m0, first, NAME, "PERSON", Status.PENDING)
    for i, text in enumerate(others):
        add_chat(store, f"other-{i}", [text])
    export_packet(store, tmp_path / "out", "tester", allow_pending=True)


# --- 1. never analysed is pending ----------------------------------------------------------------


def test_a_conversation_never_analysed_refuses_the_export(store: Any, tmp_path: Path) -> None:
    add_chat(store, "c1", [SECRET], title=f"Chat with {NAME}", analysed=False)
    with pytest.raises(UnanalysedRefusedError, match=r"2 text\(s\) never analysed .* in 1 "
                                                     r"conversation\(s\)") as err:
        export_packet(store, tmp_path / "out", "tester")
    assert err.value.exit_code == 1
    assert [(p.conversation_id, p.count) for p in err.value.places] == [(1, 2)]
    assert not (tmp_path / "out").exists()
    assert ("export_refused", "unanalysed") in [(a, p.get("reason")) for a, p in actions(store)]


def test_allow_pending_withholds_text_never_analysed_whole(store: Any, tmp_path: Path) -> None:
    conv_id, (m0, _) = add_chat(store, "c1", ["Nothing personal here.", SECRET],
                                 title=f"Chat with {NAME}", analysed=False)
    mark_all_analysed(store, conv_id, [m0])  # a killed analysis got as far as the first one
    with store.transaction() as conn:  # ... and not the title
        conn.exec_driver_sql("UPDATE conversations SET title_policy = NULL")
    report = export_packet(store, tmp_path / "out", "tester", allow_pending=True)
    everything = packet_bytes(tmp_path / "out").decode("utf-8", "replace")
    for secret in (NAME, MAIL, "555-0100", "Elm Street", "Quarterfield"):
        assert secret not in everything
    (record,) = records(tmp_path / "out")
    assert record["title"] == NOT_ANALYSED
    assert [m["text"] for m in record["messages"]] == ["Nothing personal here.", NOT_ANALYSED]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_bytes())
    assert manifest["withheld"]["texts_not_analysed"] == 2
    assert report.not_analysed == 2
    assert any("never analysed withheld" in line for line in report.summary_lines())


def test_text_analysed_under_another_policy_counts_as_never_analysed(
    store: Any, tmp_path: Path
) -> None:
    add_chat(store, "c1", ["hello there"])
    shipped = default_policy_path().read_text(encoding="utf-8")
    custom = policy_from_text(shipped.replace("default_threshold: 0.4",
                                              "default_threshold: 0.5")
                              + '\nlegend: "ACME MATTER — ATTORNEYS\' EYES ONLY"\n',
                              tmp_path / "custom.yaml")
    adopt_policy(store, "tester", custom)
    with pytest.raises(UnanalysedRefusedError):
        export_packet(store, tmp_path / "out", "tester")
    with store.transaction() as conn:
        conn.exec_driver_sql("UPDATE messages SET analyzed_policy = ?", (custom.hash,))
        conn.exec_driver_sql("UPDATE conversations SET title_policy = ?", (custom.hash,))
    export_packet(store, tmp_path / "out", "tester")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_bytes())
    assert manifest["policy_hash"] == custom.hash
    assert manifest["legend"] == "ACME MATTER — ATTORNEYS' EYES ONLY"
    text = (tmp_path / "out" / "TEXT" / "RR-000001.txt").read_text()
    assert text.startswith("ACME MATTER — ATTORNEYS' EYES ONLY")


# --- 2. every field is reviewed or generated ------------------------------------------------------


def test_fields_nobody_reviews_leave_as_generated_ids(store: Any, tmp_path: Path) -> None:
    messages = (
        Message(0, NAME, "hi there", author=NAME, content_type="text"),
        Message(1, "assistant", "hello", author=f"{NAME} bot", content_type=f"{NAME}_notes"),
        Message(2, "human", "bye", source_message_id=f"msg-{NAME}"),
    )
    conv = Conversation(source_id=f"req_{NAME.split()[1].lower()}", title="Plain title",
                        messages=messages)
    with store.transaction() as conn:
        source = conversations.add_source(
            conn, Provenance(f"{NAME.split()[1]}_chats.jsonl", 10, "0" * 64, "sharegpt"),
            "tester")
        conv_id = conversations.add_conversation(conn, conv, source)
        assert conv_id is not None
        ids = [m.id for m in conversations.get_conversation(conn, conv_id).messages]
    mark_all_analysed(store, conv_id, [i for i in ids if i is not None])
    export_packet(store, tmp_path / "out", "tester")
    everything = packet_bytes(tmp_path / "out").decode("utf-8", "replace").lower()
    for part in NAME.lower().split():
        assert part not in everything
    (record,) = records(tmp_path / "out")
    assert [m["role"] for m in record["messages"]] == ["participant-1", "assistant", "user"]
    assert [m["content_type"] for m in record["messages"]] == ["text", "other", "text"]
    assert re.fullmatch(r"SRC-[0-9A-F]{10}", record["source_id"])


def test_machine_made_source_ids_leave_as_they_are(store: Any, tmp_path: Path) -> None:
    uuid = "6f1c2a9e-0b7d-4c1e-9a55-3e2f7d8c1b00"
    add_chat(store, uuid, ["hello"])
    export_packet(store, tmp_path / "out", "tester")
    (record,) = records(tmp_path / "out")
    assert record["source_id"] == uuid


def test_import_file_names_in_the_packets_audit_log_are_references(
    store: Any, tmp_path: Path
) -> None:
    source = tmp_path / "quarterfield_private_chats.jsonl"
    source.write_text(json.dumps({"messages": [{"role": "user", "content": "hello"}]}) + "\n")
    import_files(store, [source], "tester")
    with store.transaction() as conn:
        conn.exec_driver_sql("UPDATE messages SET analyzed_policy = ?",
                             (policy_hash_in_force(store),))
    export_packet(store, tmp_path / "out", "tester")
    audit_text = (tmp_path / "out" / "audit.jsonl").read_text()
    assert "quarterfield" not in audit_text.lower()
    imported = [json.loads(line) for line in audit_text.splitlines()
                if json.loads(line)["action"] == "import"]
    assert re.fullmatch(r"SRC-[0-9A-F]{10}", imported[0]["payload"]["file_name"])
    assert imported[0]["payload"]["format"] == "openai-jsonl"
    assert imported[0]["scrubbed"] is True


def policy_hash_in_force(store: Any) -> str:
    from reviewer.ops.policies import current_policy

    return current_policy(store).hash


# --- 3. the packet's own vocabulary ---------------------------------------------------------------


def test_an_approved_word_of_the_packets_own_vocabulary_does_not_block(
    store: Any, tmp_path: Path
) -> None:
    text = "My robot is called Data."
    conv_id, (m0,) = add_chat(store, "c1", [text])
    add_span(store, conv_id, m0, text, "Data", "PERSON")
    export_packet(store, tmp_path / "out", "tester")
    assert verify_packet(tmp_path / "out").ok
    assert (tmp_path / "out" / "DATA" / "RR.dat").exists()


def test_a_prefix_that_is_redacted_text_is_refused(store: Any, tmp_path: Path) -> None:
    text = f"I am {NAME}."
    conv_id, (m0,) = add_chat(store, "c1", [text])
    add_span(store, conv_id, m0, text, NAME, "PERSON")
    with pytest.raises(ExportRefusedError, match="prefix"):
        export_packet(store, tmp_path / "out", "tester", prefix="QUARTERFIELD")
    assert not (tmp_path / "out").exists()


# --- 4. partial productions -----------------------------------------------------------------------


def test_only_finished_produces_the_finished_and_counts_the_others(
    store: Any, tmp_path: Path
) -> None:
    done_text = f"Hello {NAME}."
    c1, (m1,) = add_chat(store, "c1", [done_text], title="Finished")
    add_span(store, c1, m1, done_text, NAME, "PERSON")
    c2, (m2,) = add_chat(store, "c2", [f"Data from {NAME} again, and Data."], title="Pending")
    add_span(store, c2, m2, f"Data from {NAME} again, and Data.", "Data", "PERSON",
             Status.PENDING)
    add_chat(store, "c3", [SECRET], title="Never analysed", analysed=False)
    report = export_packet(store, tmp_path / "out", "tester", only_finished=True)
    assert report.conversations == 1
    assert report.withheld == 2
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_bytes())
    assert manifest["withheld"]["conversations"] == 2
    assert manifest["options"]["only_finished"] is True
    everything = packet_bytes(tmp_path / "out").decode("utf-8", "replace")
    assert NAME not in everything
    assert "Never analysed" not in everything
    # the withheld conversations were neither scanned nor changed
    assert [a for a, _ in actions(store)].count("export") == 1
    assert all(a != "export_refused" for a, _ in actions(store))


def test_cli_only_finished(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                           capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cli.db"
    opened = create_store(path, PASSPHRASE, "tester")
    add_chat(opened, "c1", ["fine"])
    add_chat(opened, "c2", [SECRET], analysed=False)
    opened.close()
    monkeypatch.setenv("REVIEWER_PASSPHRASE", PASSPHRASE)
    assert main(["export", str(path), str(tmp_path / "refused")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "never analysed" in err
    assert "--only-finished" in err
    assert main(["export", str(path), str(tmp_path / "out"), "--only-finished"]) == 0
    assert "1 unfinished conversation(s) withheld" in capsys.readouterr().out


def test_every_refusal_is_audited_with_its_reason(store: Any, tmp_path: Path) -> None:
    text = f"Hello {NAME}."
    conv_id, (m0,) = add_chat(store, "c1", [text])
    span_id = add_span(store, conv_id, m0, text, NAME, "PERSON", Status.PENDING)
    with pytest.raises(PendingRefusedError):
        export_packet(store, tmp_path / "out", "tester")
    refused = [p for a, p in actions(store) if a == "export_refused"]
    assert refused[-1]["reason"] == "pending"
    assert refused[-1]["conversation_ids"] == [conv_id]
    assert refused[-1]["options"]["only_finished"] is False
    assert span_id


# --- 5. audited before it exists; leftovers; full disk ------------------------------------------


def test_the_export_is_audited_before_the_folder_appears(
    store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_chat(store, "c1", ["hello"])
    seen: list[list[str]] = []
    real_commit = packet_folder.PacketFolder.commit

    def commit(self: Any) -> Path:
        seen.append([a for a, _ in actions(store)])
        assert not (tmp_path / "out").exists()
        return real_commit(self)

    monkeypatch.setattr(packet_folder.PacketFolder, "commit", commit)
    export_packet(store, tmp_path / "out", "tester")
    assert (tmp_path / "out").exists()
    assert seen
    assert seen[0][-1] == "export"


def test_leftovers_of_killed_exports_are_removed_but_not_one_under_way(
    store: Any, tmp_path: Path
) -> None:
    add_chat(store, "c1", ["hello"])
    dead = tmp_path / f".old{TEMP_MARK}0123abcd"
    (dead / "PDF").mkdir(parents=True)
    (dead / "PDF" / "RR-000001.pdf").write_bytes(b"%PDF")
    nascent = tmp_path / f".old{TEMP_MARK}4567cdef.new"  # killed before it was locked
    nascent.mkdir()
    alive = tmp_path / f".busy{TEMP_MARK}89abcdef"
    alive.mkdir()
    unrelated = tmp_path / ".notes.incomplete-draft"
    unrelated.mkdir()
    fd = os.open(alive, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        export_packet(store, tmp_path / "out", "tester")
    finally:
        os.close(fd)
    assert not dead.exists()
    assert not nascent.exists()
    assert alive.exists()
    assert unrelated.exists()


@pytest.mark.parametrize(("code", "words"), [(errno.ENOSPC, "is full"),
                                             (errno.EROFS, "read-only")])
def test_a_full_disk_or_read_only_folder_is_one_sentence_and_leaves_nothing(
    store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, words: str
) -> None:
    add_chat(store, "c1", ["hello " * 100])
    real_open = packet_folder.PacketFolder.open
    calls = {"n": 0}

    def failing_open(self: Any, relative: str) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(code, os.strerror(code))
        return real_open(self, relative)

    monkeypatch.setattr(packet_folder.PacketFolder, "open", failing_open)
    with pytest.raises(WriteRefusedError, match=words) as err:
        export_packet(store, tmp_path / "out", "tester")
    assert "\n" not in str(err.value)
    assert err.value.exit_code == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["matter.db", "matter.db-shm",
                                                          "matter.db-wal"]
    assert [p for a, p in actions(store) if a == "export_refused"][-1]["reason"] == "write_failed"


def test_an_unwritable_parent_is_refused_before_anything(
    store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_mkdir(*_args: Any, **_kwargs: Any) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(packet_folder.os, "mkdir", no_mkdir)
    with pytest.raises(WriteRefusedError, match="read-only"):
        export_packet(store, tmp_path / "out", "tester")


# --- 8. key pinning -------------------------------------------------------------------------------


def test_verify_key_pins_the_producing_partys_key(
    store: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_chat(store, "c1", ["hello"])
    report = export_packet(store, tmp_path / "out", "tester")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_bytes())
    assert verify_packet(tmp_path / "out", report.key_fingerprint).ok
    assert verify_packet(tmp_path / "out", manifest["public_key"]).ok
    assert verify_packet(tmp_path / "out", report.key_fingerprint.replace(":", "").upper()).ok
    other = create_store(tmp_path / "other.db", PASSPHRASE, "mallory")
    add_chat(other, "c1", ["hello"])
    forged = export_packet(other, tmp_path / "forged", "mallory")
    other.close()
    result = verify_packet(tmp_path / "forged", report.key_fingerprint)
    assert not result.ok
    assert forged.key_fingerprint in (result.problem or "")
    assert report.key_fingerprint in (result.problem or "")
    assert main(["verify", str(tmp_path / "forged"), "--key", report.key_fingerprint]) == 1
    assert "not by the expected key" in capsys.readouterr().err
    assert main(["verify", str(tmp_path / "out"), "--key", report.key_fingerprint]) == 0
    assert "the expected key" in capsys.readouterr().out
    assert main(["verify", str(tmp_path / "out"), "--key", "not-a-key"]) == 2
    with pytest.raises(UsageError):
        verify_packet(tmp_path / "out", "abcd")
    assert fingerprint(manifest["public_key"]) == report.key_fingerprint


# --- 9. load file and log -------------------------------------------------------------------------


def test_load_file_and_log_are_formula_safe(store: Any, tmp_path: Path) -> None:
    add_chat(store, "c1", ["hello"], title='=HYPERLINK("http://x.test","click")')
    add_chat(store, "c2", ["hello"], title=" =1+1")
    add_chat(store, "c3", ["hello"], title="\uff1dSUM(A1)")
    export_packet(store, tmp_path / "out", "tester")
    dat = (tmp_path / "out" / "DATA" / "RR.dat").read_bytes().decode("utf-8-sig").split("\r\n")
    titles = [row.split("\x14")[4].strip("þ") for row in dat[1:4]]
    assert titles == ["'=HYPERLINK(\"http://x.test\",\"click\")", "' =1+1", "'\uff1dSUM(A1)"]


def test_the_log_names_control_and_source_ids_and_locates_replacements(
    store: Any, tmp_path: Path
) -> None:
    text = f"Hi, I am {NAME}; write to {MAIL}."
    conv_id, (m0,) = add_chat(store, "6f1c2a9e-0b7d-4c1e-9a55-3e2f7d8c1b00", [text],
                              title=f"About {NAME}")
    add_span(store, conv_id, m0, text, NAME, "PERSON")
    add_span(store, conv_id, m0, text, MAIL, "EMAIL_ADDRESS")
    add_span(store, conv_id, m0, text, "Hi", "PERSON", Status.REJECTED)
    add_span(store, conv_id, None, f"About {NAME}", NAME, "PERSON")
    export_packet(store, tmp_path / "out", "tester")
    (record,) = records(tmp_path / "out")
    rows = list(csv.DictReader(read_lines(tmp_path / "out" / "redaction_log.csv")))
    assert {r["control_id"] for r in rows} == {"RR-000001"}
    assert {r["source_id"] for r in rows} == {"6f1c2a9e-0b7d-4c1e-9a55-3e2f7d8c1b00"}
    for row in rows:
        produced = record["title"] if row["message_index"] == "" else \
            record["messages"][int(row["message_index"])]["text"]
        located = produced[int(row["start"]):int(row["end"])]
        assert located == (row["replacement"] or "Hi")


@pytest.mark.parametrize("source_id", ["15551234567", "123-45-6789", "1985.04.12",
                                       "4111111111111111"])
def test_a_source_id_of_digits_is_never_machine_made(
    store: Any, tmp_path: Path, source_id: str
) -> None:
    add_chat(store, source_id, ["hello"])
    export_packet(store, tmp_path / "out", "tester")
    assert source_id not in packet_bytes(tmp_path / "out").decode("utf-8", "replace")


def test_a_legend_holding_redacted_text_is_refused(store: Any, tmp_path: Path) -> None:
    text = f"I am {NAME}."
    conv_id, (m0,) = add_chat(store, "c1", [text])
    add_span(store, conv_id, m0, text, NAME, "PERSON")
    shipped = default_policy_path().read_text(encoding="utf-8")
    custom = policy_from_text(shipped + '\nlegend: "CONFIDENTIAL — Quarterfield v. Acme"\n',
                              tmp_path / "custom.yaml")
    adopt_policy(store, "tester", custom)
    with store.transaction() as conn:
        conn.exec_driver_sql("UPDATE messages SET analyzed_policy = ?", (custom.hash,))
        conn.exec_driver_sql("UPDATE conversations SET title_policy = ?", (custom.hash,))
    with pytest.raises(ExportRefusedError, match="legend"):
        export_packet(store, tmp_path / "out", "tester")


def test_allow_pending_redacts_pending_text_wherever_else_it_occurs(
    store: Any, tmp_path: Path
) -> None:
    export_with_pending_name(store, tmp_path, f"Later {NAME} wrote again; also Zelda alone.",
                             (f"Re: {NAME}",))
    everything = packet_bytes(tmp_path / "out").decode("utf-8", "replace")
    assert NAME not in everything
    assert "Quarterfield" not in everything
    rows = list(csv.DictReader(read_lines(tmp_path / "out" / "redaction_log.csv")))
    echoes = [r for r in rows if r["origin"] == "propagated"]
    assert {r["status"] for r in echoes} == {"pending"}
    produced = records(tmp_path / "out")
    for row in echoes:
        record = next(r for r in produced if r["control_id"] == row["control_id"])
        text = record["messages"][int(row["message_index"])]["text"]
        assert text[int(row["start"]):int(row["end"])] == row["replacement"]
    # nothing was reopened: no span was added, no refusal recorded
    assert all(a != "export_refused" for a, _ in actions(store))


def test_pending_text_redacted_elsewhere_is_counted_apart_from_spans(
    store: Any, tmp_path: Path
) -> None:
    export_with_pending_name(store, tmp_path, f"Later {NAME} wrote.")
    counts = json.loads((tmp_path / "out" / "manifest.json").read_bytes())["counts"]
    assert counts["spans"]["pending"] == 1
    assert counts["pending_text_redacted_elsewhere"] == 1


def test_an_export_whose_new_folder_is_cleaned_away_before_it_locks_makes_another(
    store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_chat(store, "c1", ["hello"])
    real_open = os.open
    cleaned = {"n": 0}

    def open_after_cleaning(path: Any, flags: int, *args: Any) -> int:
        if str(path).endswith(".new") and cleaned["n"] == 0:
            cleaned["n"] += 1
            packet_folder.remove_leftovers(Path(path).parent)  # another export, just then
        return real_open(path, flags, *args)

    monkeypatch.setattr(packet_folder.os, "open", open_after_cleaning)
    export_packet(store, tmp_path / "out", "tester")
    assert cleaned["n"] == 1
    assert verify_packet(tmp_path / "out").ok
    assert [p.name for p in tmp_path.iterdir() if TEMP_MARK in p.name] == []


# --- the same value redacted in one place and kept in another ------------------------------


def _decided_twice(store: Any) -> tuple[int, int, int]:
    """NAME approved in one conversation and rejected in another: the approved span's id,
    the rejected one's, and the second conversation's."""
    intake = f"Hi, I am {NAME}."
    first, (m1,) = add_chat(store, "c1", [intake], title="Intake")
    approved = add_span(store, first, m1, intake, NAME, "PERSON")
    text = f"Profile of {NAME}, no other details."
    second, (m2,) = add_chat(store, "c2", [text], title="Profile")
    kept = add_span(store, second, m2, text, NAME, "PERSON", status=Status.REJECTED)
    return approved, kept, second


def test_a_value_kept_where_it_is_redacted_elsewhere_refuses_the_export(
        store: Any, tmp_path: Path) -> None:
    _, kept, second = _decided_twice(store)
    with pytest.raises(ConflictRefusedError) as refused:
        export_packet(store, tmp_path / "packet", "tester")
    assert refused.value.span_ids == [kept]
    assert [p.conversation_id for p in refused.value.places] == [second]
    assert str(kept) in str(refused.value)
    assert not (tmp_path / "packet").exists()
    assert [p for p in tmp_path.iterdir() if p.name != "matter.db" and
            not p.name.startswith("matter.db")] == []
    action, payload = actions(store)[-1]
    assert (action, payload["reason"], payload["kept_span_ids"]) == (
        "export_refused", "decision_conflict", [kept])


def test_deciding_the_value_one_way_lets_the_packet_out_without_it(
        store: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    _, kept, _ = _decided_twice(store)
    path = str(store.path)
    store.close()
    monkeypatch.setenv("REVIEWER_PASSPHRASE", PASSPHRASE)
    assert main(["export", path, str(tmp_path / "refused")]) == 1
    assert "redacted elsewhere" in capsys.readouterr().err
    assert main(["decide", path, "--approve", str(kept)]) == 0
    assert main(["export", path, str(tmp_path / "packet")]) == 0
    assert NAME.encode() not in packet_bytes(tmp_path / "packet")


def test_a_kept_value_in_a_withheld_conversation_does_not_block_the_finished_ones(
        store: Any, tmp_path: Path) -> None:
    intake = f"Hi, I am {NAME}."
    first, (m1,) = add_chat(store, "c1", [intake], title="Intake")
    add_span(store, first, m1, intake, NAME, "PERSON")
    text = f"Profile of {NAME}, mail x@example.net."
    second, (m2,) = add_chat(store, "c2", [text], title="Profile")
    add_span(store, second, m2, text, NAME, "PERSON", status=Status.REJECTED)
    add_span(store, second, m2, text, "x@example.net", "EMAIL_ADDRESS",
             status=Status.PENDING)
    report = export_packet(store, tmp_path / "packet", "tester", only_finished=True)
    assert (report.conversations, report.withheld) == (1, 1)
    assert NAME.encode() not in packet_bytes(tmp_path / "packet")


def test_only_finished_with_nothing_finished_writes_no_empty_packet(
        store: Any, tmp_path: Path) -> None:
    text = f"Ping {MAIL}"
    conv_id, (m0,) = add_chat(store, "c1", [text], title="Open")
    add_span(store, conv_id, m0, text, MAIL, "EMAIL_ADDRESS", status=Status.PENDING)
    with pytest.raises(PendingRefusedError) as plain:
        export_packet(store, tmp_path / "plain", "tester")
    assert plain.value.finished == 0
    assert "--only-finished" not in str(plain.value)  # it would produce nothing
    with pytest.raises(ExportRefusedError, match="no conversation is finished"):
        export_packet(store, tmp_path / "packet", "tester", only_finished=True)
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("matter.db")] == []
    assert [a for a, _ in actions(store)][-2:] == ["export_refused", "export_refused"]
    assert "export" not in [a for a, _ in actions(store)]


def test_a_short_approved_value_is_not_found_in_the_logs_own_numbers(
        store: Any, tmp_path: Path) -> None:
    # An approved age "34" whose replacement starts at offset 34: the redaction log's
    # start column holds "34", and its times and the audit's digests hold it too.
    text = "a" * 30 + " is 34 years old."
    conv_id, (m0,) = add_chat(store, "c1", [text], title="Ages")
    add_span(store, conv_id, m0, text, "34", "AGE")
    export_packet(store, tmp_path / "packet", "tester")
    rows = list(csv.DictReader(io.StringIO(
        (tmp_path / "packet" / "redaction_log.csv").read_text(encoding="utf-8"))))
    assert rows[0]["start"] == "34"
    produced = " ".join(m["text"] for r in records(tmp_path / "packet") for m in r["messages"])
    assert " 34 " not in produced
