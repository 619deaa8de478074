"""The store side of an export: stable replacement numbers that hold no text."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from reviewer.domain.models import Status
from reviewer.store import packets
from reviewer.store.schema import ReplacementRow
from tests.export.builders import add_branchy_chat, add_chat, add_span


def test_numbers_follow_first_use_and_fold_case_width_and_spaces(store: Any) -> None:
    with store.transaction() as conn:
        first = packets.replacement_numbers(conn, [
            ("PERSON", "Ann Lee"), ("PERSON", "Bo Chen"), ("EMAIL_ADDRESS", "a@b.c"),
            ("PERSON", "ANN  LEE"), ("PERSON", "Ａｎｎ Lee"), ("PERSON", "Ann Lee."),
        ])
    assert first == {("PERSON", "Ann Lee"): 1, ("PERSON", "Bo Chen"): 2,
                     ("EMAIL_ADDRESS", "a@b.c"): 1, ("PERSON", "ANN  LEE"): 1,
                     ("PERSON", "Ａｎｎ Lee"): 1, ("PERSON", "Ann Lee."): 1}
    with store.transaction() as conn:
        again = packets.replacement_numbers(conn, [("PERSON", "Cy Dee"), ("PERSON", "bo chen")])
    assert again == {("PERSON", "Cy Dee"): 3, ("PERSON", "bo chen"): 2}


def test_the_mapping_keeps_no_copy_of_the_text(store: Any) -> None:
    with store.transaction() as conn:
        packets.replacement_numbers(conn, [("PERSON", "Ann Lee")])
    with store.reading() as conn:
        rows = conn.execute(select(ReplacementRow)).all()
    assert len(rows) == 1
    assert "ann" not in " ".join(str(v) for v in rows[0]).lower()
    assert len(rows[0].text_key) == 64


def test_span_texts_and_batches_read_what_the_export_needs(store: Any) -> None:
    text = "Mail Ann Lee today"
    conv_id, (m0,) = add_chat(store, "c1", [text], title="Ann Lee's chat")
    add_span(store, conv_id, m0, text, "Ann Lee", "PERSON")
    add_span(store, conv_id, None, "Ann Lee's chat", "Ann Lee", "PERSON", Status.PENDING)
    with store.reading() as conn:
        found = list(packets.span_texts(conn, [Status.APPROVED, Status.PENDING], False))
        (batch,) = list(packets.conversation_batches(conn, active_only=False, batch=10))
        assert packets.reviewers(conn) == ["alice"]
        assert len(packets.signing_key(conn)) == 32
    assert [(s.text, s.status, s.message_index) for s in found] == [
        ("Ann Lee", Status.APPROVED, 0), ("Ann Lee", Status.PENDING, None)]
    (item,) = batch
    assert item.conversation.id == conv_id
    assert len(item.spans) == 2


def test_span_texts_of_the_active_branch_leave_alternate_messages_out(store: Any) -> None:
    conv_id, ids = add_branchy_chat(store, "b1")
    add_span(store, conv_id, ids[1], "Active question", "Active", "PERSON")
    add_span(store, conv_id, ids[2], "Alternate answer", "Alternate", "PERSON", Status.PENDING)
    add_span(store, conv_id, None, "Branches", "Branches", "ORGANIZATION")
    add_span(store, conv_id, ids[3], "Hidden tool output", "tool", "PERSON", Status.REJECTED)
    with store.reading() as conn:
        def texts(statuses: list[Status], active_only: bool) -> list[tuple[str, str, Any]]:
            return [(s.text, s.status, s.message_index) for s in packets.span_texts(
                conn, statuses, active_only, page=2)]  # pages of two: keyset pages too

        everything = [Status.APPROVED, Status.PENDING, Status.REJECTED]
        assert texts(everything, False) == [
            ("Active", Status.APPROVED, 1), ("Alternate", Status.PENDING, 2),
            ("Branches", Status.APPROVED, None), ("tool", Status.REJECTED, 3)]
        assert texts(everything, True) == [
            ("Active", Status.APPROVED, 1), ("Branches", Status.APPROVED, None),
            ("tool", Status.REJECTED, 3)]
        assert texts([Status.PENDING], False) == [("Alternate", Status.PENDING, 2)]
