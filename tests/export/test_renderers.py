"""Redaction into segments, the redaction log, the load file and the text rendering."""

from __future__ import annotations

import csv
import io
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewer.domain.models import Conversation, Message, Origin, Span, Status
from reviewer.export.leaks import Needles
from reviewer.export.loadfile import FIELDS, dat_header, dat_row
from reviewer.export.log import HEADER, csv_rows, log_rows, safe_cell
from reviewer.export.records import LogRow
from reviewer.export.redact import Redactor, redact_conversation, segments
from reviewer.export.text import jsonl_record, render_text


def span(start: int, end: int, status: Status = Status.APPROVED, entity: str = "PERSON",
         message_id: int | None = 10, span_id: int = 1) -> Span:
    return Span(span_id, 1, message_id, start, end, entity, 0.9, "test", Origin.SUGGESTED,
                status, decided_by="alice")


def token(entity: str, text: str) -> str:
    return f"[{entity}-{len(text)}]"


def ref(text: str) -> str:
    return f"SRC-{len(text)}"


def test_approved_spans_become_bars_rejected_and_pending_stay() -> None:
    text = "Ann met Bob and Cy"
    cut = segments(text, [span(0, 3), span(8, 11, Status.REJECTED), span(16, 18, Status.PENDING)],
                   token, allow_pending=False)
    assert "".join(s.text for s in cut) == "[PERSON-3] met Bob and Cy"
    assert [s.redacted for s in cut] == [True, False]


def test_pending_is_redacted_when_allowed_and_overlaps_merge() -> None:
    text = "Call Ann Lee now"
    cut = segments(text, [span(5, 8), span(5, 12, entity="NAME"), span(13, 16, Status.PENDING)],
                   token, allow_pending=True)
    assert "".join(s.text for s in cut) == "Call [PERSON-3][NAME-7] [PERSON-3]"


def test_redacted_conversation_scrubs_metadata_and_reports_leaks() -> None:
    conv = Conversation("chat ANN LEE", "About Ann Lee", (
        Message(0, "user", "I am Ann Lee.", id=10),
        Message(1, "assistant", "Hello ann lee!", id=11),
    ), id=1)
    needles = Needles([("Ann Lee", "PERSON", "[PERSON-1]")])
    done = redact_conversation(conv, [span(5, 12)],
                               Redactor(lambda e, t: "[PERSON-1]", needles, ref))
    assert done.source_id == "SRC-12"  # not machine-made: a generated reference
    assert done.title_text == "About Ann Lee"  # the title itself is scanned, not scrubbed
    assert [(leak.message_id, leak.hit.start, leak.hit.end) for leak in done.leaks] == [
        (None, 6, 13), (11, 6, 13)]
    assert done.messages[0].text == "I am [PERSON-1]."


def test_log_cells_are_formula_safe_and_rfc4180() -> None:
    assert [safe_cell(v) for v in ["=1+1", "+x", "-2", "@a", "\tt", "\rr", "ok", 5]] == [
        "'=1+1", "'+x", "'-2", "'@a", "'\tt", "'\rr", "ok", "5"]
    data = csv_rows([["a,b", 'say "hi"', "two\nlines"]])
    assert data == b'"a,b","say ""hi""","two\nlines"\r\n'
    assert next(csv.reader(io.StringIO(data.decode()))) == ["a,b", 'say "hi"', "two\nlines"]


def test_log_rows_never_hold_the_original_text() -> None:
    conv = Conversation("c", None, (Message(0, "user", "I am Zed Quix.", id=10),), id=1)
    done = redact_conversation(conv, [span(5, 13), span(0, 1, Status.REJECTED, "X", span_id=2)],
                               Redactor(lambda e, t: f"[{e}-1]", Needles([]), ref))
    rows = log_rows("RR-000001", 1, done.source_id, done.log).decode()
    assert "Zed" not in rows
    assert "Quix" not in rows
    # offsets locate the replacement in the produced text "I am [PERSON-1]."
    assert "RR-000001,1,SRC-1,0,user,5,15,PERSON,approved,suggested,,alice,,[PERSON-1]" in rows
    assert done.messages[0].text[5:15] == "[PERSON-1]"
    assert len(HEADER) == 14


def test_dat_uses_thorn_dc4_and_registered_newlines() -> None:
    assert dat_header().startswith(b"\xef\xbb\xbf\xc3\xbeBEGBATES\xc3\xbe\x14")
    assert dat_header().decode("utf-8-sig").count("\x14") == len(FIELDS) - 1
    row = dat_row(["a\nb", "c\r\nd", "þx"]).decode()
    assert row == "þa®bþ\x14þc®dþ\x14þxþ\r\n"


def test_text_and_jsonl_carry_labels_and_placeholders() -> None:
    conv = Conversation("c", "T", (
        Message(0, "tool", "out", id=10, placeholders=2, content_type="tool_result"),), id=1)
    done = redact_conversation(conv, [], Redactor(token, Needles([]), ref))
    text = render_text(done, "RR-000001", "RR-000001", "LEGEND")
    assert text.startswith("LEGEND\nControl ID: RR-000001")
    assert "[0] TOOL · tool_result" in text
    assert "[withheld: 2 non-text part(s) not produced]" in text
    record = jsonl_record(done, "RR-000001")
    assert '"withheld_parts": 2' in record
    assert '"control_id": "RR-000001"' in record


def test_log_offsets_locate_each_spans_own_token_in_a_merged_bar() -> None:
    conv = Conversation("c", None, (Message(0, "user", "Mail ann.lee@x.org now", id=10),), id=1)
    both = [span(5, 12, span_id=1), span(5, 18, entity="EMAIL", span_id=2)]
    done = redact_conversation(conv, both, Redactor(lambda e, t: f"[{e}-1]", Needles([]), ref))
    produced = done.messages[0].text
    assert produced == "Mail [PERSON-1][EMAIL-1] now"
    assert [produced[r.start:r.end] for r in done.log] == ["[PERSON-1]", "[EMAIL-1]"]


_CELLS = st.sampled_from(["", " =x", "=1+1", "+", "-3", "@a", "a,b", 'q"q', "\uff1dx", "\t",
                          "plain", "line\nbreak", "\r", " ", "\u3000=x", "[PERSON-2]"])


@settings(max_examples=300, deadline=None)
@given(st.tuples(_CELLS, st.integers(-3, 10**6), _CELLS),
       st.lists(st.tuples(st.none() | st.integers(-2, 50), _CELLS, st.integers(-5, 99),
                          st.integers(-5, 99), *[_CELLS] * 7), max_size=4))
def test_log_rows_are_the_cells_csv_rows_makes(
        head: tuple[str, int, str], rows: list[tuple[Any, ...]]) -> None:
    logged = [LogRow(*row) for row in rows]
    assert log_rows(*head, logged) == csv_rows(
        (*head, "" if r.message_index is None else r.message_index, r.role, r.start, r.end,
         r.entity, r.status, r.origin, r.reason, r.reviewer, r.decided_at, r.replacement)
        for r in logged)
