"""PDF rendering: pages, Bates stamps, legend, redaction bars, huge messages, on both
paths (standard fonts written directly; Qt for any other character)."""

from __future__ import annotations

import ast
import functools
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewer.domain.models import Origin, Span, Status
from reviewer.export import helvetica, html, pagelayout, pdf, pdfwriter
from reviewer.export.pagelayout import Bars, Stamp, shows
from reviewer.export.pdf import render_pdf, render_qt
from reviewer.export.records import RedactedConversation, RedactedMessage, Segment
from reviewer.export.redact import segments

pypdf = pytest.importorskip("pypdf")

# An application must exist before the renderer runs, so the renderer never makes
# the process's only (widget-less) one under GUI tests.
pytestmark = pytest.mark.usefixtures("qapp")

LEGEND = "CONFIDENTIAL — SUBJECT TO PROTECTIVE ORDER"
LOG_LINE = "Line {:07d} of the log: the tenant wrote about the deposit and the boiler."


def message(index: int, body: tuple[Segment, ...], placeholders: int = 0) -> RedactedMessage:
    return RedactedMessage(index, "user" if index % 2 == 0 else "assistant",
                           "2024-05-01 10:00:00 UTC", "active", "visible", "text",
                           placeholders, body)


def conversation(paragraphs: int, extra: str = "") -> RedactedConversation:
    body = (Segment("My name is "), Segment("[PERSON-1]", True),
            Segment(f" <b>not bold</b> & (more){extra}.\nSecond line. "
                    + "Filler sentence here. " * 40))
    messages = tuple(message(i, body, placeholders=int(i % 3 == 2))
                     for i in range(paragraphs))
    return RedactedConversation(7, "src-7", "2024-05-01 09:00:00 UTC", (Segment("Title"),),
                                messages, ())


def one_message(text: str) -> RedactedConversation:
    return RedactedConversation(1, "src-1", None, (Segment("Log"),),
                                (message(0, (Segment(text),)),), ())


def page_texts(path: Path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in pypdf.PdfReader(path).pages]


def squeeze(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def stamped(path: Path, stamp: Stamp) -> list[str]:
    """The pages' text, after checking every page's stamp."""
    texts = page_texts(path)
    for index, text in enumerate(texts):
        assert f"Control ID {stamp.control_id}" in text
        assert f"Page {index + 1} of {len(texts)}" in text
        assert squeeze(stamp.legend) in squeeze(text)
        assert f"{stamp.prefix}-{stamp.first_number + index:06d}" in text
    return texts


def render_both(conv: RedactedConversation, tmp_path: Path,
                stamp: Stamp) -> dict[str, tuple[int, Path]]:
    fast, qt = tmp_path / "fast.pdf", tmp_path / "qt.pdf"
    return {"fast": (render_pdf(conv, fast, stamp), fast),
            "qt": (render_qt(conv, qt, stamp), qt)}


def test_long_conversations_take_several_stamped_pages_on_both_paths(tmp_path: Path) -> None:
    stamp = Stamp("RR-000005", "RR", 5, LEGEND)
    conv = conversation(12)
    for pages, path in render_both(conv, tmp_path, stamp).values():
        assert pages > 1
        texts = stamped(path, stamp)
        assert len(texts) == pages
        whole = squeeze(" ".join(texts))
        assert "Title" in whole
        assert ("Source ID src-7 · Created 2024-05-01 09:00:00 UTC · "
                "12 message(s), 0 redaction(s)") in whole
        # The header of every page carries the control id; the body does not repeat it.
        assert whole.count("Control ID RR-000005") == pages
        for index in range(12):
            role = "USER" if index % 2 == 0 else "ASSISTANT"
            assert f"[{index}] {role} · 2024-05-01 10:00:00 UTC" in whole
        assert whole.count("[withheld: 1 non-text part(s) not produced]") == 4


def test_markup_in_text_is_shown_not_interpreted(tmp_path: Path) -> None:
    stamp = Stamp("RR-000001", "RR", 1, LEGEND)
    for pages, path in render_both(conversation(1), tmp_path, stamp).values():
        assert pages == 1
        text = stamped(path, stamp)[0]
        assert "<b>not bold</b> & (more)" in text
        assert "[PERSON-1]" in text


def test_empty_messages_and_titles_say_so_on_both_paths(tmp_path: Path) -> None:
    conv = RedactedConversation(2, "src-2", None, (), (message(0, ()),), ())
    stamp = Stamp("RR-000002", "RR", 2, LEGEND)
    for pages, path in render_both(conv, tmp_path, stamp).values():
        assert pages == 1
        text = stamped(path, stamp)[0]
        assert "(untitled)" in text
        assert "(empty)" in text


def test_line_ends_in_a_title_are_spaces_as_in_rich_text() -> None:
    conv = RedactedConversation(2, "src-2", None, (Segment("Two\r\nlines\tand  gaps"),), (), ())
    title = next(pagelayout.rows(conv, Bars()))
    assert title.text == "Two lines and gaps"


def test_cp1252_text_is_written_in_the_standard_fonts(tmp_path: Path) -> None:
    target = tmp_path / "one.pdf"
    render_pdf(conversation(2, " café €5 “quoted” — ok"), target,
               Stamp("RR-000001", "RR", 1, LEGEND))
    data = target.read_bytes()
    assert b"/BaseFont /Helvetica" in data
    assert b"/FontFile" not in data  # nothing embedded
    assert "café €5 “quoted” — ok" in page_texts(target)[0]
    assert pypdf.PdfReader(target).metadata.producer == "Redaction Reviewer"


@pytest.mark.parametrize("extra", ["Привет → мир", "안녕하세요", "emoji 🙂", "lone\rreturn"])
def test_other_characters_take_the_qt_path(extra: str) -> None:
    assert not shows(conversation(1, extra), Stamp("RR-000001", "RR", 1, LEGEND))


def test_the_qt_path_shows_text_the_standard_fonts_cannot(tmp_path: Path) -> None:
    target = tmp_path / "qt.pdf"
    stamp = Stamp("RR-000001", "RR", 1, LEGEND)
    pages = render_pdf(conversation(3, " Привет → мир"), target, stamp)
    assert pypdf.PdfReader(target).metadata.producer.startswith("Qt")
    text = " ".join(stamped(target, stamp))
    assert len(page_texts(target)) == pages
    assert text.count("Привет → мир") == 3
    assert text.count("[PERSON-1]") == 3


def test_a_bar_is_a_black_box_with_its_token_in_white(tmp_path: Path) -> None:
    target = tmp_path / "bar.pdf"
    render_pdf(conversation(1), target, Stamp("RR-000001", "RR", 1, LEGEND))
    content = _contents(target)
    box = re.search(rb"[\d. ]+ re f\n1\.000 1\.000 1\.000 rg\n/F2 10\.0 Tf\n"
                    rb"BT [\d. ]+ Td \(\[PERSON-1\]\) Tj ET", content)
    assert box is not None
    fill = re.findall(rb"([\d.]+ [\d.]+ [\d.]+) rg", content[:box.start()])[-1]
    assert fill == b"0.000 0.000 0.000"  # the box is black


def test_redacted_text_is_nowhere_in_the_pdf(tmp_path: Path) -> None:
    original = "Call Jane Roe-Smith at home. " * 30
    spans = [_span(original, "Jane Roe-Smith", i) for i in range(30)]
    redacted = segments(original, spans, lambda entity, text: f"[{entity}-1]", False)
    conv = RedactedConversation(3, "src-3", None, segments("Jane Roe-Smith", [
        _span("Jane Roe-Smith", "Jane Roe-Smith", 0)], lambda e, t: f"[{e}-1]", False),
        (message(0, redacted), message(1, (Segment(original.replace("Jane Roe-Smith", "x")
                                                     + " → "),))), ())
    stamp = Stamp("RR-000001", "RR", 1, LEGEND)
    for _, path in render_both(conv, tmp_path, stamp).values():
        data = path.read_bytes() + _contents(path)
        for needle in ("Jane", "Roe-Smith"):
            assert needle.encode() not in data
            assert needle.encode("utf-16-be") not in data
            assert needle not in " ".join(page_texts(path))
        assert " ".join(page_texts(path)).count("[PERSON-1]") == 31  # 30 in text, 1 in title
        metadata = pypdf.PdfReader(path).metadata
        assert metadata.title == "RR-000001"
        assert not [value for value in metadata.values() if "Jane" in str(value)]


@pytest.mark.slow
def test_a_message_of_several_megabytes_is_paginated_completely(tmp_path: Path) -> None:
    lines = 30_000  # about 2.3 MB, over the size a document is kept laid out at
    text = "\n".join(LOG_LINE.format(i) for i in range(lines))
    assert len(text) > 2_000_000
    target = tmp_path / "huge.pdf"
    stamp = Stamp("RR-000010", "RR", 10, LEGEND)
    pages = render_pdf(one_message(text), target, stamp)
    texts = stamped(target, stamp)
    assert len(texts) == pages
    found = {int(m) for m in re.findall(r"Line (\d{7}) of the log: the tenant wrote about the "
                                        r"deposit and the boiler\.", " ".join(texts))}
    assert found == set(range(lines))


def test_page_count_grows_linearly_with_the_text(tmp_path: Path) -> None:
    def pages(lines: int) -> int:
        text = "\n".join(LOG_LINE.format(i) for i in range(lines))
        return render_pdf(one_message(text), tmp_path / f"{lines}.pdf",
                          Stamp("RR-000001", "RR", 1, LEGEND))

    small, large = pages(2_000), pages(8_000)
    assert small > 10
    assert 4 * small - 4 <= large <= 4 * small


def test_a_paragraph_without_line_ends_wraps_completely(tmp_path: Path) -> None:
    words = [f"w{i}" for i in range(60_000)]  # one paragraph of several windows
    target = tmp_path / "para.pdf"
    render_pdf(one_message(" ".join(words) + " " + "x" * 5_000), target,
               Stamp("RR-000001", "RR", 1, LEGEND))
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(target).pages)
    assert [w for w in text.split() if w.startswith("w")] == words
    assert sum(len(w) for w in text.split() if set(w) == {"x"}) == 5_000


def test_the_qt_path_lays_a_long_message_out_in_chunks(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # Chunks of 4,096 characters, not 32,768: the same cuts in an eighth of the text.
    chunks = functools.partial(html.conversation_chunks, chunk=1 << 12)
    monkeypatch.setattr(pdf, "conversation_chunks", chunks)
    lines = 600
    text = "\n".join(LOG_LINE.format(i) for i in range(lines)) + " →"
    conv = one_message(text)
    assert len(list(chunks(conv))) > 5
    target = tmp_path / "qt.pdf"
    stamp = Stamp("RR-000001", "RR", 1, LEGEND)
    pages = render_pdf(conv, target, stamp)
    texts = stamped(target, stamp)
    assert len(texts) == pages
    assert len(re.findall(r"Line \d{7} of the log", " ".join(texts))) == lines


def test_message_parts_keep_every_character_but_the_line_ends_cut_at() -> None:
    text = "\n".join(LOG_LINE.format(i) for i in range(500)) + "x" * 3_000
    parts = list(html.message_parts((Segment(text), Segment("[A-1]", True)), 1_000))
    assert all(sum(len(s.text) for s in part) <= 1_000 for part in parts)
    joined = "".join(s.text for part in parts for s in part)
    assert joined.replace("\n", "") == (text + "[A-1]").replace("\n", "")
    assert parts[-1][-1] == Segment("[A-1]", True)


def test_windowed_wrapping_matches_wrapping_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    body = (Segment("alpha beta " * 200 + "\n\n" + "gamma-" * 300 + " delta\r\n"),
            Segment("[PERSON-1]", True), Segment("'s end " + "é " * 100))
    whole = list(pagelayout._body_lines(body, Bars()))
    monkeypatch.setattr(pagelayout, "WINDOW", 37)
    assert list(pagelayout._body_lines(body, Bars())) == whole
    limit = pagelayout._limit(10, pagelayout.PAD)
    bars = Bars()
    bars.char("[PERSON-1]")
    assert all(helvetica.REGULAR.width(line, bars.widths) <= limit for line in whole)


def test_wrapping_keeps_every_character() -> None:
    text = "A sentence of words, " * 50 + "y" * 400 + " tail"
    lines, used = helvetica.REGULAR.wrap(text, 30_000)
    assert used == len(text)
    assert " ".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(helvetica.REGULAR.width(line) <= 30_000 for line in lines)
    partial, used = helvetica.REGULAR.wrap(text, 30_000, final=False)
    assert partial == lines[:-1]
    assert text[used:] == lines[-1]


PARAGRAPHS = st.text(alphabet=st.sampled_from("aW.-é€ \t\n\r"), max_size=300)


@settings(max_examples=200, deadline=None)
@given(PARAGRAPHS.map(lambda t: t.replace("\n", "").replace("\r", "")),
       st.integers(1_000, 60_000))
def test_wrapping_keeps_every_character_within_the_width(text: str, limit: int) -> None:
    lines, used = helvetica.REGULAR.wrap(text, limit)
    assert used == len(text)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(len(line) == 1 or helvetica.REGULAR.width(line) <= limit for line in lines)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(PARAGRAPHS.map(Segment), st.sampled_from(
    [Segment("[PERSON-1]", True), Segment("[EMAIL_ADDRESS-2]", True)])), max_size=6),
    st.integers(1, 50))
def test_a_message_wraps_alike_whatever_its_windows(body: list[Segment], window: int) -> None:
    whole = list(pagelayout._body_lines(body, Bars()))
    saved, pagelayout.WINDOW = pagelayout.WINDOW, window
    try:
        assert list(pagelayout._body_lines(body, Bars())) == whole
    finally:
        pagelayout.WINDOW = saved


def test_the_renderer_uses_qt_gui_and_core_only() -> None:
    assert _imports(pdf) & {"PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets"} == {
        "PySide6.QtCore", "PySide6.QtGui"}
    for module in (helvetica, pagelayout, pdfwriter, html):
        assert not {m for m in _imports(module) if m.startswith("PySide6")}


def _imports(module: object) -> set[str]:
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))  # type: ignore[attr-defined]
    return {node.module for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module}


def _contents(path: Path) -> bytes:
    """Every stream of the file, inflated where compressed."""
    data = path.read_bytes()
    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            out.append(zlib.decompress(match.group(1)))
        except zlib.error:
            out.append(match.group(1))
    return b"\n".join(out)


def _span(text: str, needle: str, occurrence: int) -> Span:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return Span(id=occurrence, conversation_id=3, message_id=None, start=start,
                end=start + len(needle), entity="PERSON", score=0.9, recognizer="test",
                origin=Origin.SUGGESTED, status=Status.APPROVED)


def test_a_pdf_finished_apart_from_its_bodies_is_sound(tmp_path: Path) -> None:
    """The bodies written by one writer, the tail appended later by another, as a worker
    and the main process do: the file checks and reads as one written in one pass."""
    conv, stamp = conversation(12), Stamp("RR-000005", "RR", 5, LEGEND)
    whole, split = tmp_path / "whole.pdf", tmp_path / "split.pdf"
    pages = pdfwriter.write_conversation(conv, whole, stamp)
    with split.open("wb") as handle:
        body = pdfwriter.write_body(conv, handle.write)
    with split.open("ab") as handle:
        pdfwriter.write_tail(handle.write, body, stamp)
    assert body.pages == pages > 1
    assert split.read_bytes() == whole.read_bytes()
    assert len(stamped(split, stamp)) == pages
    if shutil.which("qpdf"):
        subprocess.run(["qpdf", "--check", str(split)], check=True, capture_output=True)
