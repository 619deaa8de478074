"""PDF files written directly, in the standard Helvetica fonts, for documents those
fonts can show (``pagelayout.shows``).

Nothing is embedded, so a page costs the bytes of its text. A file is written in
two phases that may run in different processes: the page bodies as the layout
fills them (``write_body``: they carry no Bates number, so they can be written
before the conversations ahead are numbered), then the tail (``write_tail``):
each page's stamp ("Page i of n" needs n) as a small content stream of its own,
the page objects, the page tree and the cross-reference table. Only the produced
text is written: a bar's token in white on a black box, never what it replaced;
the metadata holds the control id alone.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import NamedTuple

from reviewer.export.helvetica import BOLD, BOLD_OBLIQUE, REGULAR, Font, encoded
from reviewer.export.html import BAR_PADDING
from reviewer.export.pagelayout import (
    BAR_CHARS,
    BOTTOM_RULE,
    FOOTER_BOX,
    HEADER_BOX,
    LEADING,
    LEFT,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    POINTS,
    TOP_RULE,
    WIDTH,
    Bars,
    Row,
    Stamp,
    bates_number,
    paginate,
    rows,
)
from reviewer.export.records import RedactedConversation

FONTS = {REGULAR.name: b"F1", BOLD.name: b"F2", BOLD_OBLIQUE.name: b"F3"}
_CATALOG, _PAGE_TREE, _INFO, _RESOURCES = 1, 2, 3, 4
_FIRST_FONT = 5
RIGHT = LEFT + WIDTH
HEIGHT = PAGE_HEIGHT * POINTS


Write = Callable[[bytes], object]  # where a file's bytes go, in order


class Body(NamedTuple):
    """A PDF whose page bodies are written: what its tail needs to know of it."""

    offsets: tuple[int, ...]  # of each object written, by object number
    bodies: tuple[int, ...]  # the body stream of each page, by object number
    size: int  # bytes written

    @property
    def pages(self) -> int:
        return len(self.bodies)


def write_conversation(conv: RedactedConversation, path: Path, stamp: Stamp) -> int:
    """Write the stamped PDF of ``conv`` at ``path``; returns the number of pages."""
    with path.open("wb") as handle:
        body = write_body(conv, handle.write)
        write_tail(handle.write, body, stamp)
    return body.pages


def write_body(conv: RedactedConversation, write: Write) -> Body:
    """Lay ``conv`` out and write the PDF up to its page bodies: all that needs no Bates
    number."""
    bars = Bars()
    pdf = PdfFile.begin(write)
    for page in paginate(rows(conv, bars)):
        canvas = Canvas()
        for top, row in page:
            _row(canvas, top, row, bars)
        pdf.body(canvas.content())
    return pdf.state()


def write_tail(write: Write, body: Body, stamp: Stamp) -> None:
    """Write the rest of the PDF whose ``body`` is written: stamps, pages, trailer."""
    PdfFile(write, body).finish(stamp)


class PdfFile:
    """The objects of one PDF, written as they come; the stamps, pages, page tree and
    cross-reference table last."""

    def __init__(self, write: Write, body: Body) -> None:
        self.write = write
        self.offsets = list(body.offsets)  # by object number; 0 is the free list's head
        self.bodies = list(body.bodies)
        self.size = body.size

    @classmethod
    def begin(cls, write: Write) -> PdfFile:
        """A new file: its header, and the fonts every page uses."""
        pdf = cls(write, Body((0,) * _FIRST_FONT, (), 0))
        pdf._write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        pdf._object(_RESOURCES, b"<< /Font << " + b" ".join(
            b"/%s %d 0 R" % (key, _FIRST_FONT + i) for i, key in enumerate(FONTS.values()))
            + b" >> >>")
        for name in FONTS:
            pdf._object(len(pdf.offsets), b"<< /Type /Font /Subtype /Type1 /BaseFont /%s "
                        b"/Encoding /WinAnsiEncoding >>" % name.encode())
        return pdf

    def state(self) -> Body:
        return Body(tuple(self.offsets), tuple(self.bodies), self.size)

    def _write(self, data: bytes) -> None:
        self.write(data)
        self.size += len(data)

    def _object(self, number: int, body: bytes) -> int:
        if number == len(self.offsets):
            self.offsets.append(0)
        self.offsets[number] = self.size
        self._write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
        return number

    def _stream(self, content: bytes) -> int:
        data = zlib.compress(content, 6)
        return self._object(len(self.offsets), b"<< /Length %d /Filter /FlateDecode >>\n"
                            b"stream\n%s\nendstream" % (len(data), data))

    def body(self, content: bytes) -> None:
        """Add a page whose body ``content`` draws; its stamp comes with ``finish``."""
        self.bodies.append(self._stream(content))

    def finish(self, stamp: Stamp) -> None:
        stamps = _Stamps(stamp, len(self.bodies))
        kids = [self._page(self._stream(stamps.page(index)), body)
                for index, body in enumerate(self.bodies)]
        self._object(_CATALOG, b"<< /Type /Catalog /Pages %d 0 R >>" % _PAGE_TREE)
        self._object(_PAGE_TREE, b"<< /Type /Pages /Count %d /Kids [%s] >>"
                     % (len(kids), b" ".join(b"%d 0 R" % kid for kid in kids)))
        self._object(_INFO, b"<< /Title (%s) /Creator (Redaction Reviewer) "
                     b"/Producer (Redaction Reviewer) >>" % _escape(stamp.control_id))
        xref = self.size
        self._write(b"xref\n0 %d\n0000000000 65535 f \n" % len(self.offsets))
        self._write(b"".join(b"%010d 00000 n \n" % offset for offset in self.offsets[1:]))
        self._write(b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n"
                          b"%d\n%%%%EOF\n" % (len(self.offsets), _CATALOG, _INFO, xref))

    def _page(self, stamp: int, body: int) -> int:
        # The stamp's stream first: text extraction meets the page's Bates number first.
        return self._object(len(self.offsets), b"<< /Type /Page /Parent %d 0 R /MediaBox "
                            b"[0 0 %d %d] /Resources %d 0 R /Contents [%d 0 R %d 0 R] >>"
                            % (_PAGE_TREE, PAGE_WIDTH * POINTS, HEIGHT, _RESOURCES, stamp,
                               body))


def _escape(text: str) -> bytes:
    return (encoded(text).replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
            .replace(b"\r", b"\\r"))


@cache
def _colour(hex_colour: str) -> bytes:
    red, green, blue = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return b"%.3f %.3f %.3f" % (red, green, blue)


class Canvas:
    """One content stream, in page coordinates from the top left; the font and the
    colour are set only when they change."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self._fill = ""
        self._font: tuple[str, float] = ("", 0.0)

    def content(self) -> bytes:
        return b"".join(self.parts)

    def assume(self, colour: str, font: Font, size: float) -> None:
        """Take the colour and font as set by content drawn elsewhere."""
        self._fill, self._font = colour, (font.name, size)

    def fill(self, colour: str) -> None:
        if colour != self._fill:
            self.parts.append(_colour(colour) + b" rg\n")
            self._fill = colour

    def box(self, colour: str, x: float, top: float, width: float, height: float) -> None:
        self.fill(colour)
        self.parts.append(b"%.2f %.2f %.2f %.2f re f\n" % (x, HEIGHT - top - height, width,
                                                          height))

    def text(self, font: Font, size: float, x: float, baseline: float, text: str,
             colour: str) -> None:
        self.fill(colour)
        if font.name != self._font[0] or size != self._font[1]:
            self.parts.append(b"/%s %.1f Tf\n" % (FONTS[font.name], size))
            self._font = (font.name, size)
        self.parts.append(b"BT %.2f %.2f Td (%s) Tj ET\n" % (x, HEIGHT - baseline, _escape(text)))

    def rule(self, top: float) -> None:
        self.parts.append(b"%s RG 0.48 w %.2f %.2f m %.2f %.2f l S\n" % (
            _colour("#808080"), LEFT, HEIGHT - top, RIGHT, HEIGHT - top))


def _baseline(top: float, height: float, size: float) -> float:
    # Helvetica's ascender and descender, 0.718 and 0.207 em, centred in the line.
    return top + (height - size * LEADING) / 2 + size * 0.86


def _row(canvas: Canvas, top: float, row: Row, bars: Bars) -> None:
    if row.font is None or not row.text:
        return
    if row.band:
        canvas.box(row.band, LEFT, top, WIDTH, row.height)
    baseline = _baseline(top, row.height, row.size)
    x = LEFT + row.indent
    # A bar's character is not ASCII: most lines are, and need no search.
    if not bars.tokens or row.text.isascii() or not BAR_CHARS.search(row.text):
        canvas.text(row.font, row.size, x, baseline, row.text, row.colour)
        return
    for part in BAR_CHARS.split(row.text):
        if part in bars.tokens:
            _bar(canvas, row.size, x, baseline, bars.tokens[part])
            x += bars.widths[part] * row.size / 1000
        elif part:
            canvas.text(row.font, row.size, x, baseline, part, row.colour)
            x += row.font.width(part) * row.size / 1000


def _bar(canvas: Canvas, size: float, x: float, baseline: float, token: str) -> None:
    """A black box with the token in white; the box covers the line's ink, not more."""
    padding = BOLD.width(BAR_PADDING) * size / 1000
    width = BOLD.width(token) * size / 1000 + 2 * padding
    canvas.box("#000000", x, baseline - 0.9 * size, width, 1.15 * size)
    canvas.text(BOLD, size, x + padding, baseline, token, "#ffffff")


class _Stamps:
    """The stamps of one document's pages: rules, control id and page count at the top;
    legend and Bates number at the bottom. What every page shares is drawn once."""

    def __init__(self, stamp: Stamp, count: int) -> None:
        self.stamp, self.count = stamp, count
        canvas = Canvas()
        canvas.rule(TOP_RULE * POINTS)
        canvas.rule(BOTTOM_RULE * POINTS)
        canvas.text(REGULAR, 8, LEFT, _centred(HEADER_BOX, 8), f"Control ID {stamp.control_id}",
                    "#404040")
        self.head = canvas.content()
        canvas.parts = []
        canvas.text(BOLD, 8, LEFT, _centred(FOOTER_BOX, 8), stamp.legend, "#000000")
        self.legend = canvas.content()
        self.canvas = canvas

    def page(self, index: int) -> bytes:
        # The same operators a canvas draws the whole stamp with: the page count in the
        # header's font and colour, the Bates number in the legend's colour.
        stamp, canvas = self.stamp, self.canvas
        page_of = f"Page {index + 1} of {self.count}"
        canvas.parts = [self.head]
        canvas.assume("#404040", REGULAR, 8)  # as the head leaves it
        canvas.text(REGULAR, 8, RIGHT - REGULAR.width(page_of) * 8 / 1000,
                    _centred(HEADER_BOX, 8), page_of, "#404040")
        canvas.parts.append(self.legend)
        canvas.assume("#000000", BOLD, 8)  # as the legend leaves it
        bates = bates_number(stamp.prefix, stamp.first_number + index)
        canvas.text(BOLD, 10, RIGHT - BOLD.width(bates) * 10 / 1000, _centred(FOOTER_BOX, 10),
                    bates, "#000000")
        return canvas.content()


def _centred(box: tuple[float, float], size: float) -> float:
    """The baseline of text of ``size`` centred in ``box`` (top and height in inches)."""
    top, height = box
    return (top + height / 2) * POINTS + size * 0.35
