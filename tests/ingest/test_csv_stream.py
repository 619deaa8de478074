"""CSV in two passes: the same conversations as grouping in memory, in flat memory."""

from __future__ import annotations

import csv
import io
import tracemalloc
from pathlib import Path

import pytest

from reviewer.domain.errors import BadInputError
from reviewer.domain.models import Conversation
from reviewer.ingest.reader import open_source

HEADER = ["conversation_id", "role", "text", "timestamp", "title"]


def parse(path: Path) -> list[Conversation]:
    with open_source(path) as source:
        assert source.format == "csv"
        return list(source.conversations())


def write(path: Path, rows: list[list[str]], *, bom: bool = False, crlf: bool = False,
          final_newline: bool = True) -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n" if crlf else "\n").writerows([HEADER, *rows])
    text = out.getvalue() if final_newline else out.getvalue().rstrip("\r\n")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def expected(rows: list[list[str]]) -> list[tuple[str, str | None, list[tuple[str, str]]]]:
    """The grouping the format promises, computed the plain way."""
    groups: dict[str, tuple[list[str | None], list[tuple[str, str]]]] = {}
    for conv_id, role, text, _, title in rows:
        titles, messages = groups.setdefault(conv_id, ([None], []))
        titles[0] = titles[0] or title or None
        if text:
            messages.append((role, text))
    return [(k, t[0], m) for k, (t, m) in groups.items()]


def shape(convs: list[Conversation]) -> list[tuple[str, str | None, list[tuple[str, str]]]]:
    return [(c.source_id, c.title, [(m.role, m.text) for m in c.messages]) for c in convs]


def rows_for(count: int, per: int, *, scattered: bool) -> list[list[str]]:
    rows = [[f"c{c}", "user" if i % 2 == 0 else "assistant",
             f"Row {i} of c{c}, said \"Ada Lovelace\"\nsecond line é", f"2024-01-0{1 + i % 9}",
             f"Title {c}" if i == 1 else ""]
            for c in range(count) for i in range(per)]
    if scattered:  # every conversation's rows alternate with another's
        rows = [r for i in range(per) for r in rows[i::per]]
    return rows


@pytest.mark.parametrize("scattered", [False, True])
@pytest.mark.parametrize(("bom", "crlf", "final_newline"), [
    (False, False, True), (True, True, True), (True, False, False), (False, True, False)])
def test_the_same_as_grouping_in_memory(tmp_path: Path, scattered: bool, bom: bool, crlf: bool,
                                        final_newline: bool) -> None:
    rows = rows_for(7, 5, scattered=scattered)
    path = write(tmp_path / "c.csv", rows, bom=bom, crlf=crlf, final_newline=final_newline)
    assert shape(parse(path)) == expected(rows)


def test_one_late_row_of_the_first_conversation(tmp_path: Path) -> None:
    rows = [*rows_for(3, 2, scattered=False), ["c0", "user", "the last word, Ada", "", ""]]
    assert shape(parse(write(tmp_path / "late.csv", rows))) == expected(rows)


def test_line_separators_inside_fields_stay_text(tmp_path: Path) -> None:
    rows = [["a", "user", "one\u2028two\x1cthree", "", ""], ["b", "user", "x", "", ""],
            ["a", "user", "five\u2029six", "", ""]]
    assert shape(parse(write(tmp_path / "seps.csv", rows))) == expected(rows)


def test_blank_lines_between_rows(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("conversation_id,role,text\n\na,user,one\n\nb,user,two\n\na,user,three\n\n",
                    encoding="utf-8")
    assert shape(parse(path)) == [("a", None, [("user", "one"), ("user", "three")]),
                                  ("b", None, [("user", "two")])]


def peak_parsing(path: Path) -> int:
    """Peak traced memory while the conversations are read (detection apart)."""
    with open_source(path) as source:
        tracemalloc.start()
        try:
            for _ in source.conversations():
                pass
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


@pytest.mark.parametrize("scattered", [False, True])
def test_memory_stays_flat(tmp_path: Path, scattered: bool) -> None:
    """Memory holds a few bytes a row and one conversation, never the text."""
    rows = rows_for(1500, 10, scattered=scattered)
    path = write(tmp_path / "big.csv", rows)
    assert path.stat().st_size > 1_000_000
    assert peak_parsing(path) < 40 * len(rows) + 400_000


@pytest.mark.parametrize(("tail", "reason"), [
    (b"z,user,fine\nz,user,too,many,fields,here\n", "line 4: it has more fields than the header"),
    (b"z,user,fine\n,user,no id\n", "line 4: conversation_id is empty"),
    (b"z,user,fine\nz,user,\xff\xfe\n", "line 4: it is not valid UTF-8 text"),
    (b'z,user,fine\nz,user,"never closed\n', "line 4: it is not valid CSV"),
    (b"z,user,fine,not-a-time\n", "line 3: timestamp 'not-a-time' is not a time"),
])
def test_faults_are_named_by_line(tmp_path: Path, tail: bytes, reason: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"conversation_id,role,text,timestamp\na,user,hello\n" + tail)
    with pytest.raises(BadInputError, match=f"^bad.csv, {reason}"):
        parse(path)
