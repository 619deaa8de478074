"""The packet folder (private, atomic) and the verifier, on a packet made by hand."""

from __future__ import annotations

import base64
import json
import os
import re
import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewer.domain.errors import UsageError
from reviewer.export import manifest, packet
from reviewer.export.folder import FileEntry, PacketFolder, _rename_new
from reviewer.export.leaks import Needles
from reviewer.export.packet import GENERATED, PacketWriter, _holds_needle
from reviewer.export.verify import verify_packet
from reviewer.infra.files import file_digest


def raw_key() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
        serialization.NoEncryption())


def make_packet(tmp_path: Path, key: bytes | None = None) -> Path:
    key = key or raw_key()
    folder = PacketFolder(tmp_path / "packet")
    folder.write("conversations.jsonl", b'{"control_id": "RR-000001"}\n')
    folder.write("TEXT/RR-000001.txt", b"hello\n")
    data = manifest.manifest_bytes({"packet_id": "p1"}, list(folder.entries.values()),
                                   manifest.public_key_b64(key))
    folder.write(manifest.MANIFEST, data, listed=False)
    folder.write(manifest.SIGNATURE, manifest.sign(key, data), listed=False)
    return folder.commit()


def test_files_are_private_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o000)
    try:
        packet = make_packet(tmp_path)
    finally:
        os.umask(old)
    for path in [packet, *packet.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), path


def test_nothing_is_visible_under_the_name_until_commit(tmp_path: Path) -> None:
    folder = PacketFolder(tmp_path / "packet")
    folder.write("a.txt", b"x")
    assert not (tmp_path / "packet").exists()
    folder.discard()
    assert list(tmp_path.iterdir()) == []


def test_files_are_listed_with_the_hash_of_what_was_written(tmp_path: Path) -> None:
    folder = PacketFolder(tmp_path / "packet")
    folder.write("TEXT/a.txt", b"hello\n")
    with folder.open("DATA/b.dat") as handle:
        for part in (b"one, ", b"two"):
            handle.write(part)
    assert sorted(folder.entries) == ["DATA/b.dat", "TEXT/a.txt"]
    for entry in folder.entries.values():
        assert (entry.sha256, entry.bytes) == file_digest(folder.path(entry.path))
    folder.discard()


def test_an_existing_out_dir_is_refused(tmp_path: Path) -> None:
    (tmp_path / "packet").mkdir()
    with pytest.raises(UsageError, match="already exists"):
        PacketFolder(tmp_path / "packet")


def test_a_sound_packet_verifies(tmp_path: Path) -> None:
    report = verify_packet(make_packet(tmp_path))
    assert report.ok, report.problem
    assert report.files == 2
    assert "verifies" in report.summary_lines()[0]


def test_edited_byte_is_named(tmp_path: Path) -> None:
    packet = make_packet(tmp_path)
    target = packet / "TEXT" / "RR-000001.txt"
    target.write_bytes(b"hellO\n")
    report = verify_packet(packet)
    assert not report.ok
    assert report.problem == (
        "TEXT/RR-000001.txt was changed: its SHA-256 does not match the manifest")


def test_extra_file_and_empty_folder_are_named(tmp_path: Path) -> None:
    packet = make_packet(tmp_path)
    (packet / "TEXT" / "extra.txt").write_bytes(b"")
    assert verify_packet(packet).problem == (
        "TEXT/extra.txt is in the packet but not listed in the manifest")
    (packet / "TEXT" / "extra.txt").unlink()
    (packet / "EMPTY").mkdir()
    assert verify_packet(packet).problem == "EMPTY/ is in the packet but not listed in the manifest"


def test_missing_file_is_named(tmp_path: Path) -> None:
    packet = make_packet(tmp_path)
    (packet / "conversations.jsonl").unlink()
    assert verify_packet(packet).problem == (
        "conversations.jsonl is listed in the manifest but missing")


def test_bad_signature_is_refused(tmp_path: Path) -> None:
    packet = make_packet(tmp_path)
    sig = base64.b64decode((packet / "manifest.sig").read_bytes())
    (packet / "manifest.sig").write_bytes(base64.b64encode(bytes([sig[0] ^ 1]) + sig[1:]))
    report = verify_packet(packet)
    assert not report.ok
    assert "signature does not match" in (report.problem or "")


def test_manifest_edited_to_match_a_changed_file_breaks_the_signature(tmp_path: Path) -> None:
    packet = make_packet(tmp_path)
    (packet / "TEXT" / "RR-000001.txt").write_bytes(b"changed\n")
    body = json.loads((packet / "manifest.json").read_bytes())
    for entry in body["files"]:
        if entry["path"] == "TEXT/RR-000001.txt":
            entry["bytes"] = 8
    (packet / "manifest.json").write_bytes(json.dumps(body).encode())
    assert "signature does not match" in (verify_packet(packet).problem or "")


def test_missing_signature_and_non_folder(tmp_path: Path) -> None:
    packet = make_packet(tmp_path)
    (packet / "manifest.sig").unlink()
    assert verify_packet(packet).problem == "manifest.sig is missing or unreadable"
    assert not verify_packet(tmp_path / "nowhere").ok


def test_paths_escaping_the_packet_are_refused(tmp_path: Path) -> None:
    key = raw_key()
    packet = make_packet(tmp_path, key)
    body = json.loads((packet / "manifest.json").read_bytes())
    body["files"].append({"path": "../outside", "sha256": "0" * 64, "bytes": 0})
    data = json.dumps(body).encode()
    (packet / "manifest.json").write_bytes(data)
    (packet / "manifest.sig").write_bytes(manifest.sign(key, data))
    assert verify_packet(packet).problem == "manifest.json has a malformed file list"


def test_read_back_scan_finds_redacted_text_in_the_logs(tmp_path: Path) -> None:
    writer = PacketWriter(tmp_path / "out", "RR", "LEGEND")
    try:
        writer.write_audit([{"seq": 1, "payload": {"file": "zelda quarterfield.json"}}])
        needles = Needles([("Zelda Quarterfield", "PERSON", "[PERSON-1]")])
        assert writer.unreviewed_leaks(needles, frozenset()) == ["audit.jsonl"]
        assert writer.unreviewed_leaks(Needles([("someone else", "PERSON", "[PERSON-2]")]),
                                       frozenset()) == []
    finally:
        writer.discard()
    assert list(tmp_path.iterdir()) == []


def test_read_back_reads_a_long_log_a_line_at_a_time(tmp_path: Path) -> None:
    # Far past the first block read, and only within a line: "Zelda" ending one line and
    # "Quarterfield" starting the next is no occurrence (the block holding both is). Not a
    # person, whose name parts would be needles of their own.
    needles = Needles([("Zelda Quarterfield", "ORGANIZATION", "[ORGANIZATION-1]")])
    filler = "RR-000001,x,y,0,user,0,10,PERSON,approved,model,,tester,,[PERSON-1]\r\n" * 3000
    cases = {"late": ("a,zelda  quarterfield,b\r\n", True),
             "across": ("a,b,zelda\r\nquarterfield,c\r\n", False),
             "none": ("a,b\r\n", False)}
    for name, (tail, found) in cases.items():
        log = tmp_path / f"{name}.csv"
        log.write_bytes((filler + tail + filler).encode())
        assert log.stat().st_size > 4 * packet.READ_BACK_BLOCK
        assert _holds_needle(log, needles, frozenset()) is found, name
        assert (next(needles.find(tail.replace("\r\n", "\n\n")), None) is not None) is (
            name != "none"), name  # the block holding the two lines matches


def test_a_linked_folder_is_extra(tmp_path: Path) -> None:
    packet = make_packet(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "x.txt").write_text("x")
    (packet / "LINKED").symlink_to(elsewhere)
    assert verify_packet(packet).problem == (
        "LINKED/ is in the packet but not listed in the manifest")


def test_a_packet_never_replaces_a_folder_made_in_the_last_instant(tmp_path: Path) -> None:
    source, target = tmp_path / "source", tmp_path / "target"
    source.mkdir()
    (source / "f").write_text("x")
    target.mkdir()  # empty: a plain rename would replace it
    with pytest.raises(FileExistsError):
        _rename_new(source, target)
    assert (source / "f").exists()
    _rename_new(source, tmp_path / "fresh")
    assert (tmp_path / "fresh" / "f").exists()


def test_a_linked_manifest_or_file_is_no_file_of_the_packet(tmp_path: Path) -> None:
    packet = make_packet(tmp_path)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    for name in ("manifest.json", "conversations.jsonl"):
        (outside / name).write_bytes((packet / name).read_bytes())
    (packet / "conversations.jsonl").unlink()
    (packet / "conversations.jsonl").symlink_to(outside / "conversations.jsonl")
    assert verify_packet(packet).problem == (
        "conversations.jsonl is a link, not a file of the packet")
    (packet / "manifest.json").unlink()
    (packet / "manifest.json").symlink_to(outside / "manifest.json")
    assert verify_packet(packet).problem == "manifest.json is a link, not a file of the packet"


# What GENERATED blanks, written plainly; the compiled pattern takes the first character
# apart so that a search skips other characters at once, and must blank exactly this.
_GENERATED_SPEC = re.compile(
    r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}"
    r"|(?<![0-9A-Za-z])[0-9a-fA-F]{16,}(?![0-9A-Za-z])"
    r"|[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?"
    r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?"
    r"|(?<![0-9A-Za-z])[0-9]{1,4}(?![0-9A-Za-z])")
_LOG_CHARS = "0123456789abcdefABCDEFxyzXYZ-:. T+Z_,é٣\n"


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(
    st.text(_LOG_CHARS, max_size=12),
    st.sampled_from(["2026-12-02 07:31:29 UTC", "2026-12-02T07:31:29.123+01:00",
                     "1b4e28ba-2fa1-11d2-883f-0016d3cca427", "0123456789abcdef0123", "٣٤٥"]),
), max_size=8))
def test_generated_blanks_what_its_plain_spec_matches(parts: list[str]) -> None:
    text = "".join(parts)
    assert ([m.span() for m in GENERATED.finditer(text)]
            == [m.span() for m in _GENERATED_SPEC.finditer(text)])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=12), st.text("0123456789abcdef", max_size=64),
                          st.integers(0, 10**12)), max_size=6),
       st.dictionaries(st.text(max_size=5), st.recursive(
           st.none() | st.booleans() | st.integers() | st.text(max_size=8),
           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
               st.text(max_size=4), inner, max_size=3), max_leaves=8), max_size=4))
def test_the_manifest_is_written_as_indented_json(files: list[tuple[str, str, int]],
                                                   fields: dict[str, Any]) -> None:
    entries = [FileEntry(path, digest, size) for path, digest, size in files]
    fields = {k: v for k, v in fields.items() if k not in ("format", "public_key", "files")}
    body = {"format": manifest.FORMAT, **fields, "public_key": "KEY", "files": [
        {"path": e.path, "sha256": e.sha256, "bytes": e.bytes}
        for e in sorted(entries, key=lambda e: e.path)]}
    assert manifest.manifest_bytes(fields, entries, "KEY") == (
        json.dumps(body, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def test_read_back_names_a_file_whose_name_holds_redacted_text(tmp_path: Path) -> None:
    writer = PacketWriter(tmp_path / "out", "RR", "LEGEND")
    try:
        for i in range(3000):  # names enough for several blocks
            writer.folder.entries[f"TEXT/RR-{i:06d}-some-longer-name.txt"] = FileEntry("x", "", 0)
        writer.folder.write("DATA/quarterfield notes.txt", b"")
        needles = Needles([("Zelda Quarterfield", "PERSON", "[PERSON-1]")])
        assert writer.unreviewed_leaks(needles, frozenset()) == [
            "the file name DATA/quarterfield notes.txt"]
    finally:
        writer.discard()
