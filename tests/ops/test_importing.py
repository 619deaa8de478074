"""import_files: one transaction per file, idempotence, provenance, audit, report."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from reviewer.cli import main
from reviewer.domain.errors import CancelledError
from reviewer.ops.importing import import_files
from reviewer.store import audit, conversations
from reviewer.store.database import Store
from reviewer.store.schema import ConversationRow, Source
from tests.conftest import PASSPHRASE
from tests.store import fts

FIXTURES = Path(__file__).parents[1] / "ingest" / "fixtures"
GOOD = [
    FIXTURES / "chatgpt/conversations.json", FIXTURES / "openai/chat.jsonl",
    FIXTURES / "openai/batch_requests.jsonl", FIXTURES / "claude/conversations.json",
    FIXTURES / "sharegpt/sharegpt.json", FIXTURES / "sharegpt/sharegpt.jsonl",
    FIXTURES / "csv/conversations.csv",
]


def counts(store: Store) -> tuple[int, int, int]:
    with store.reading() as conn:
        n_conv, n_msg = conversations.counts(conn)
        n_src = conn.execute(select(func.count()).select_from(Source)).scalar_one()
    return n_conv, n_msg, n_src


def test_every_format_imports(store: Store) -> None:
    report = import_files(store, GOOD, "tester")
    assert not report.failed, report.error_lines()
    assert [f.format for f in report.files] == [
        "chatgpt", "openai-jsonl", "openai-batch", "claude", "sharegpt", "sharegpt", "csv"]
    totals = report.totals()
    assert totals["conversations"] == 3 + 4 + 2 + 3 + 2 + 2 + 2
    assert totals["alternates"] == 5
    assert totals["placeholders"] == 2 + 4 + 2
    assert counts(store) == (totals["conversations"], totals["messages"], len(GOOD))
    last = report.summary_lines()[-1]
    assert last.startswith(f"Imported {totals['conversations']} conversations")


def test_second_import_stores_nothing_new(store: Store) -> None:
    import_files(store, GOOD, "tester")
    before = counts(store)
    again = import_files(store, GOOD, "tester")
    assert again.totals()["conversations"] == 0
    assert again.totals()["already_present"] == before[0]
    assert counts(store)[:2] == before[:2]
    assert "already present" in again.summary_lines()[-1]


def test_provenance_and_audit_entry(store: Store) -> None:
    path = FIXTURES / "claude/conversations.json"
    import_files(store, [path], "alice")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with store.reading() as conn:
        source = conn.execute(select(Source)).one()
        conv = conn.execute(select(ConversationRow).order_by(ConversationRow.id)).first()
        entry = list(audit.entries(conn))[-1]
        assert audit.verify(conn).ok
    assert (source.file_name, source.file_size, source.file_sha256, source.format) == (
        "conversations.json", path.stat().st_size, digest, "claude")
    assert source.imported_by == "alice"
    assert conv is not None
    assert conv.source_id == "0f5e2c1a-1111-4a2b-9c3d-000000000001"
    assert conv.imported_at
    assert conv.source_file_id == source.id
    assert entry.action == "import"
    assert entry.actor == "alice"
    assert entry.payload["sha256"] == digest
    assert entry.payload["format"] == "claude"
    assert entry.payload["conversations"] == 3
    assert entry.payload["source_ids"] == [f"0f5e2c1a-1111-4a2b-9c3d-00000000000{i}"
                                           for i in (1, 2, 3)]
    assert entry.payload["file_name"] == "conversations.json"


def test_a_bad_file_stores_nothing_and_good_ones_still_land(store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "half.jsonl"
    good_lines = (FIXTURES / "openai/chat.jsonl").read_text(encoding="utf-8")
    bad.write_text(good_lines + '{"messages": [oops\n', encoding="utf-8")
    report = import_files(store, [bad, FIXTURES / "csv/minimal.csv"], "tester")
    assert report.failed
    assert [f.path.name for f in report.imported] == ["minimal.csv"]
    assert report.error_lines() == [
        "half.jsonl, line 6: it is not valid JSON (Expecting value: line 1 column 15 (char 14)). "
        "Nothing from this file was imported."]
    assert counts(store) == (1, 2, 1)
    assert "1 refused" in report.summary_lines()[-1]
    with store.reading() as conn:
        assert [e.action for e in audit.entries(conn)].count("import") == 1


def test_cancelling_rolls_back_the_current_file(store: Store, tmp_path: Path) -> None:
    many = tmp_path / "many.csv"
    rows = "".join(f"c{i},user,message {i}\n" for i in range(300))
    many.write_text("conversation_id,role,text\n" + rows, encoding="utf-8")

    def cancel(done: int, total: int | None, label: str) -> None:
        raise CancelledError("cancelled")

    with pytest.raises(CancelledError):
        import_files(store, [many], "tester", progress=cancel)
    assert counts(store) == (0, 0, 0)


def test_progress_reports_bytes_of_the_file(store: Store) -> None:
    seen: list[tuple[int, int | None, str]] = []
    path = FIXTURES / "chatgpt/conversations.json"
    import_files(store, [path], "tester", progress=lambda d, t, label: seen.append((d, t, label)))
    size = path.stat().st_size
    assert seen[-1] == (size, size, "conversations.json")


def test_export_zip_imports_with_provenance_of_the_zip(store: Store, tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.write(FIXTURES / "chatgpt/conversations-000.json", "conversations-000.json")
        out.write(FIXTURES / "chatgpt/conversations-001.json", "conversations-001.json")
        out.writestr("chat.html", "<html></html>")
    report = import_files(store, [archive], "tester")
    assert report.files[0].conversations == 3
    with store.reading() as conn:
        source = conn.execute(select(Source)).one()
        entry = list(audit.entries(conn))[-1]
    assert source.file_name == "export.zip"
    assert entry.payload["entries"] == ["export.zip!conversations-000.json",
                                        "export.zip!conversations-001.json"]


def test_an_export_zips_other_files_are_named_as_not_read(store: Store,
                                                           tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.write(FIXTURES / "chatgpt/conversations-000.json", "conversations-000.json")
        out.writestr("user.json", '{"email": "ann@example.org", "phone_number": "+1555"}')
        out.writestr("message_feedback.json", "[]")
        for n in range(3):
            out.writestr(f"file-{n}.png", b"\x89PNG")
    report = import_files(store, [archive], "tester")
    assert ("export.zip: not read: message_feedback.json, user.json and 3 other files (only "
            "conversations*.json files hold conversations).") in report.summary_lines()
    plain = import_files(store, [FIXTURES / "chatgpt/conversations.json"], "tester")
    assert not any("not read" in line for line in plain.summary_lines())


def test_forced_format(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    shutil.copy(FIXTURES / "sharegpt/sharegpt.jsonl", path)
    assert import_files(store, [path], "tester", fmt="sharegpt").files[0].conversations == 2
    report = import_files(store, [FIXTURES / "csv/minimal.csv"], "tester", fmt="claude")
    assert report.failed
    assert "minimal.csv" in report.error_lines()[0]


def test_search_sees_imported_text_and_titles(store: Store) -> None:
    import_files(store, GOOD, "tester")
    with store.reading() as conn:
        hits = fts.search_conversations(conn, '"canal street"')
        assert len(hits) == 1
        assert hits[0].first_message_index == 1
        assert [h.title for h in fts.search_conversations(conn, "tenancy dispute")] == [
            "Tenancy dispute letter"]
        assert fts.search_conversations(conn, "Jurgen") != []  # diacritics folded


def run_cli(*argv: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
            capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_import_exit_codes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    env: dict[str, Any] = {"REVIEWER_PASSPHRASE": PASSPHRASE}
    db = str(tmp_path / "m.db")
    assert run_cli("init", db, env=env, monkeypatch=monkeypatch, capsys=capsys)[0] == 0
    code, out, err = run_cli("import", db, str(FIXTURES / "csv/minimal.csv"), env=env,
                             monkeypatch=monkeypatch, capsys=capsys)
    assert code == 0
    assert "1 conversation (2 messages" in out
    assert err == ""
    code, out, err = run_cli("import", db, str(FIXTURES / "bad/unknown_shape.json"),
                             str(FIXTURES / "csv/minimal.csv"), env=env,
                             monkeypatch=monkeypatch, capsys=capsys)
    assert code == 3
    assert "1 already present" in out
    assert err.startswith("reviewer: unknown_shape.json: its shape is not one")
    assert "Traceback" not in err


def test_an_import_writes_with_a_small_page_cache_and_restores_it(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from reviewer.ops import importing
    from reviewer.store.database import WRITER_CACHE_KIB

    seen: list[int] = []
    real = conversations.add_rows

    def add_rows(conn: Any, *args: Any) -> int | None:
        seen.append(conn.exec_driver_sql("PRAGMA cache_size").scalar_one())
        return real(conn, *args)

    monkeypatch.setattr(conversations, "add_rows", add_rows)
    import_files(store, [FIXTURES / "chatgpt/conversations.json"], "tester")
    assert set(seen) == {-importing.IMPORT_CACHE_KIB}
    with store.transaction() as conn:
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar_one() == -WRITER_CACHE_KIB
