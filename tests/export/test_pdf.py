"""PDF rendering: pages, Bates stamps, legend, redaction bars, no widgets."""

from __future__ import annotations

import ast
import shutil
import subprocess
from pathlib import Path

import pytest

from reviewer.export import pdf
from reviewer.export.html import conversation_html
from reviewer.export.pdf import Stamp, render_pdf
from reviewer.export.redact import RedactedConversation, RedactedMessage, Segment

# An application must exist before the renderer runs, so the renderer never makes
# the process's only (widget-less) one under GUI tests.
pytestmark = pytest.mark.usefixtures("qapp")

LEGEND = "CONFIDENTIAL — SUBJECT TO PROTECTIVE ORDER"


def conversation(paragraphs: int) -> RedactedConversation:
    body = (Segment("My name is "), Segment("[PERSON-1]", True),
            Segment(" <b>not bold</b> & more. " + "Filler sentence here. " * 40))
    messages = tuple(
        RedactedMessage(i, "user", "2024-05-01 10:00:00 UTC", "active", "visible", "text", 0, body)
        for i in range(paragraphs)
    )
    return RedactedConversation(7, "src-7", None, (Segment("Title"),), messages, ())


def pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def test_long_conversations_take_several_stamped_pages(tmp_path: Path) -> None:
    target = tmp_path / "RR-000005.pdf"
    pages = render_pdf(conversation_html(conversation(12), "RR-000005"),
                       target, Stamp("RR-000005", "RR", 5, LEGEND))
    assert pages > 1
    assert target.read_bytes().startswith(b"%PDF")
    text = pdf_text(target)
    assert text.count(LEGEND) == pages
    for number in range(5, 5 + pages):
        assert f"RR-{number:06d}" in text
    assert f"Page {pages} of {pages}" in text


def test_markup_in_text_is_shown_not_interpreted(tmp_path: Path) -> None:
    target = tmp_path / "one.pdf"
    assert render_pdf(conversation_html(conversation(1), "RR-000001"), target,
                      Stamp("RR-000001", "RR", 1, LEGEND)) == 1
    text = pdf_text(target)
    assert "<b>not bold</b> & more" in text
    assert "[PERSON-1]" in text


def test_html_escapes_and_draws_bars() -> None:
    html = conversation_html(conversation(1), "RR-000001")
    assert "&lt;b&gt;not bold&lt;/b&gt; &amp; more" in html
    assert 'background-color:#000000' in html
    assert "[PERSON-1]" in html


def test_the_renderer_uses_qt_gui_and_core_only() -> None:
    tree = ast.parse(Path(pdf.__file__).read_text(encoding="utf-8"))
    modules = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert {m for m in modules if m and m.startswith("PySide6")} == {
        "PySide6.QtCore", "PySide6.QtGui"}
