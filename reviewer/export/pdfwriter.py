"""PDF files written directly, in the standard Helvetica fonts, for documents those
fonts can show (``pagelayout.shows``).

Nothing is embedded, so a page costs the bytes of its text; the file is written
page by page as it is painted. A document's pages are counted first (a second,
cheap layout when the document is too big to keep laid out) so that every page can
say "Page i of n". Only the produced text is written: a bar's token in white on a
black box, never what it replaced; the metadata holds the control id alone.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import IO

from reviewer.export.helvetica import BOLD, BOLD_OBLIQUE, REGULAR, Font
from reviewer.export.pagelayout import (
    BAR_CHARS,
    FOOTER,
    HEADER,
    LEADING,
    LEFT,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    POINTS,
    WIDTH,
    Bars,
    Page,
    Row,
    Stamp,
    bates_number,
    paginate,
    rows,
    text_size,
)
from reviewer.export.redact import RedactedConversation

KEEP_LAID_OUT = 1 << 20  # characters of text below which a document is laid out once
FONTS = {REGULAR.name: b"F1", BOLD.name: b"F2", BOLD_OBLIQUE.name: b"F3"}
_FIXED = 4  # objects before the fonts: catalog, page tree, info, resources
_FIRST_PAGE = _FIXED + 1 + len(FONTS)
RIGHT = LEFT + WIDTH
HEIGHT = PAGE_HEIGHT * POINTS


def write_conversation(conv: RedactedConversation, path: Path, stamp: Stamp) -> int:
    """Write the stamped PDF of ``conv`` at ``path``; returns the number of pages."""
    bars = Bars()

    def flow() -> Iterable[Row]:
        return rows(conv, stamp.control_id, bars)

    if text_size(conv) < KEEP_LAID_OUT:
        pages = list(paginate(flow()))
        count, again = len(pages), lambda: iter(pages)
    else:
        count = sum(1 for _ in paginate(flow()))
        again = lambda: paginate(flow())  # noqa: E731
    with path.open("wb") as handle:
        _write(PdfFile(handle), again, count, stamp, bars)
    return count


def _write(pdf: PdfFile, pages: Callable[[], Iterable[Page]], count: int, stamp: Stamp,
           bars: Bars) -> None:
    kids = []
    for index, page in enumerate(pages()):
        content = _stamp(stamp, index, count) + b"".join(_row(y, row, bars) for y, row in page)
        kids.append(pdf.page(content))
    pdf.finish(kids, stamp.control_id)


class PdfFile:
    """The objects of one PDF, written in order; the page tree and xref come last."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.offsets = [0] * (_FIRST_PAGE)
        self.handle.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        self._object(4, b"<< /Font << " + b" ".join(
            b"/%s %d 0 R" % (key, _FIXED + 1 + i) for i, key in enumerate(FONTS.values()))
            + b" >> >>")
        for i, name in enumerate(FONTS):
            self._object(_FIXED + 1 + i, b"<< /Type /Font /Subtype /Type1 /BaseFont /%s "
                         b"/Encoding /WinAnsiEncoding >>" % name.encode())

    def _object(self, number: int, body: bytes) -> None:
        if number >= len(self.offsets):
            self.offsets.append(0)
        self.offsets[number] = self.handle.tell()
        self.handle.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))

    def page(self, content: bytes) -> int:
        """Add a page drawn by ``content``; returns the page object's number."""
        stream = zlib.compress(content, 6)
        number = len(self.offsets)
        self._object(number, b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream"
                     % (len(stream), stream))
        self._object(number + 1, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] "
                     b"/Resources 4 0 R /Contents %d 0 R >>"
                     % (PAGE_WIDTH * POINTS, HEIGHT, number))
        return number + 1

    def finish(self, kids: list[int], title: str) -> None:
        self._object(1, b"<< /Type /Catalog /Pages 2 0 R >>")
        self._object(2, b"<< /Type /Pages /Count %d /Kids [%s] >>"
                     % (len(kids), b" ".join(b"%d 0 R" % kid for kid in kids)))
        self._object(3, b"<< /Title (%s) /Creator (Redaction Reviewer) "
                     b"/Producer (Redaction Reviewer) >>" % _escape(title))
        xref = self.handle.tell()
        self.handle.write(b"xref\n0 %d\n0000000000 65535 f \n" % len(self.offsets))
        self.handle.write(b"".join(b"%010d 00000 n \n" % offset for offset in self.offsets[1:]))
        self.handle.write(b"trailer\n<< /Size %d /Root 1 0 R /Info 3 0 R >>\nstartxref\n%d\n"
                          b"%%%%EOF\n" % (len(self.offsets), xref))


def _escape(text: str) -> bytes:
    return (text.encode("cp1252").replace(b"\\", b"\\\\").replace(b"(", b"\\(")
            .replace(b")", b"\\)").replace(b"\r", b"\\r"))


@cache
def _colour(hex_colour: str) -> bytes:
    red, green, blue = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return b"%.3f %.3f %.3f" % (red, green, blue)


def _text(font: Font, size: float, x: float, baseline: float, text: str, colour: str) -> bytes:
    return b"BT %s rg /%s %.1f Tf %.2f %.2f Td (%s) Tj ET\n" % (
        _colour(colour), FONTS[font.name], size, x, HEIGHT - baseline, _escape(text))


def _baseline(top: float, height: float, size: float) -> float:
    # Helvetica's ascender and descender, 0.718 and 0.207 em, centred in the line.
    return top + (height - size * LEADING) / 2 + size * 0.86


def _row(top: float, row: Row, bars: Bars) -> bytes:
    if row.font is None or not row.text:
        return b""
    out = b""
    if row.band:
        out = b"%s rg %.2f %.2f %.2f %.2f re f\n" % (
            _colour(row.band), LEFT, HEIGHT - top - row.height, WIDTH, row.height)
    baseline = _baseline(top, row.height, row.size)
    x = LEFT + row.indent
    if not bars.tokens or not BAR_CHARS.search(row.text):
        return out + _text(row.font, row.size, x, baseline, row.text, row.colour)
    for part in BAR_CHARS.split(row.text):
        if part in bars.tokens:
            out += _bar(row.size, x, baseline, bars.tokens[part])
            x += bars.widths[part] * row.size / 1000
        elif part:
            out += _text(row.font, row.size, x, baseline, part, row.colour)
            x += row.font.width(part) * row.size / 1000
    return out


def _bar(size: float, x: float, baseline: float, token: str) -> bytes:
    """A black box with the token in white; the box covers the line's ink, not more."""
    padding = BOLD.width("\u00a0") * size / 1000
    width = BOLD.width(token) * size / 1000 + 2 * padding
    box = b"0 0 0 rg %.2f %.2f %.2f %.2f re f\n" % (
        x, HEIGHT - baseline - 0.25 * size, width, 1.15 * size)
    return box + _text(BOLD, size, x + padding, baseline, token, "#ffffff")


def _stamp(stamp: Stamp, index: int, count: int) -> bytes:
    """Rules, control id and page count at the top; legend and Bates number at the bottom."""
    top_rule = (HEADER - 0.15) * POINTS
    bottom_rule = HEIGHT - (FOOTER - 0.2) * POINTS
    rules = b"%s RG 0.48 w %.2f %.2f m %.2f %.2f l S %.2f %.2f m %.2f %.2f l S\n" % (
        _colour("#808080"), LEFT, HEIGHT - top_rule, RIGHT, HEIGHT - top_rule,
        LEFT, HEIGHT - bottom_rule, RIGHT, HEIGHT - bottom_rule)
    header = 0.425 * POINTS + 8 * 0.35  # baseline centred in the header box
    page_of = f"Page {index + 1} of {count}"
    footer = bottom_rule + 0.25 * POINTS + 3.0
    bates = bates_number(stamp.prefix, stamp.first_number + index)
    return b"".join((
        rules,
        _text(REGULAR, 8, LEFT, header, f"Control ID {stamp.control_id}", "#404040"),
        _text(REGULAR, 8, RIGHT - REGULAR.width(page_of) * 8 / 1000, header, page_of,
              "#404040"),
        _text(BOLD, 8, LEFT, footer, stamp.legend, "#000000"),
        _text(BOLD, 10, RIGHT - BOLD.width(bates) * 10 / 1000, footer + 0.5, bates, "#000000"),
    ))
