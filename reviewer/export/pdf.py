"""PDF pages of a redacted conversation, stamped with Bates numbers.

A conversation whose every character the standard Helvetica fonts show is written
directly (``reviewer.export.pdfwriter``): nothing to embed, a fraction of a
millisecond a page. Any other (Korean, emoji, arrows ...) is laid out by Qt
(``QTextDocument``) and written by ``QPdfWriter``, which embeds the fonts it needs.
Both give the same pages: each carries the control id and page count at the top,
the confidentiality legend and the page's Bates number at the bottom.

This is the only module of the export that uses Qt. Qt needs a ``QGuiApplication``
for fonts; the command line has none, so one is made on the offscreen platform when
needed. Qt lays the rich text out in chunks (``html.conversation_chunks``), each
starting a page, since its time on one long paragraph grows faster than the text.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextDocument,
)

from reviewer.export.html import conversation_chunks
from reviewer.export.pagelayout import (
    BOTTOM_RULE,
    FOOTER,
    FOOTER_BOX,
    HEADER,
    HEADER_BOX,
    MARGIN,
    TOP_RULE,
    Stamp,
    bates_number,
    shows,
    text_size,
)
from reviewer.export.pdfwriter import write_conversation
from reviewer.export.records import RedactedConversation

__all__ = ["Stamp", "bates_number", "render_pdf"]

RESOLUTION = 300  # dots per inch of the PDF's coordinate space
KEEP_LAID_OUT = 1 << 18  # characters of text below which Qt's layout is kept for painting
FONT = "DejaVu Sans"
_app: QGuiApplication | None = None
_layout_device: QImage | None = None


def render_pdf(conv: RedactedConversation, path: Path, stamp: Stamp) -> int:
    """Write the stamped PDF of ``conv`` at ``path``; returns the number of pages."""
    if shows(conv, stamp):
        return write_conversation(conv, path, stamp)
    return render_qt(conv, path, stamp)


def ensure_gui() -> None:
    """Make sure a Qt GUI application exists (fonts need one); keep it for the process."""
    global _app
    if QGuiApplication.instance() is None:
        _app = QGuiApplication(["reviewer", "-platform", "offscreen"])


def layout_device() -> QImage:
    """A 1-pixel image of the PDF's resolution that every document is laid out for.

    Laying out for each QPdfWriter itself would do, but Qt keeps per-device font
    data that is never freed (about 9 KB a document); one shared device keeps the
    export's memory flat however many documents it writes.
    """
    global _layout_device
    if _layout_device is None:
        image = QImage(1, 1, QImage.Format.Format_RGB32)
        dots_per_metre = round(RESOLUTION / 0.0254)
        image.setDotsPerMeterX(dots_per_metre)
        image.setDotsPerMeterY(dots_per_metre)
        _layout_device = image
    return _layout_device


def render_qt(conv: RedactedConversation, path: Path, stamp: Stamp) -> int:
    """The Qt rendering of ``conv``, whatever its characters; returns the number of pages."""
    ensure_gui()
    writer = _writer(path, stamp)
    page = QRectF(0, 0, writer.width(), writer.height())
    body = page.adjusted(MARGIN * RESOLUTION, HEADER * RESOLUTION,
                         -MARGIN * RESOLUTION, -FOOTER * RESOLUTION)
    counted = _counted(conv, stamp, body)
    pages = sum(count for _, count in counted)
    painter = QPainter(writer)
    if not painter.isActive():  # Qt reports a file it cannot open only this way
        raise OSError(errno.EIO, f"cannot write {path.name}")
    try:
        index = 0
        for document, count in _laid_out(conv, stamp, body, counted):
            for own in range(count):
                if index:
                    writer.newPage()
                _draw_body(painter, document, body, own)
                _draw_stamp(painter, page, index, pages, stamp)
                index += 1
    finally:
        ended = painter.end()
    if not ended or not path.stat().st_size:  # a full disk, said no louder
        raise OSError(errno.ENOSPC, f"cannot finish {path.name}")
    return pages


def _writer(path: Path, stamp: Stamp) -> QPdfWriter:
    writer = QPdfWriter(str(path))
    writer.setResolution(RESOLUTION)
    writer.setPageLayout(QPageLayout(
        QPageSize(QPageSize.PageSizeId.Letter), QPageLayout.Orientation.Portrait,
        QMarginsF(0, 0, 0, 0),
    ))
    writer.setTitle(stamp.control_id)
    writer.setCreator("Redaction Reviewer")
    return writer


def _counted(conv: RedactedConversation, stamp: Stamp,
             body: QRectF) -> list[tuple[QTextDocument | None, int]]:
    """Each chunk's page count, first pass; small documents keep their layout for painting."""
    keep = text_size(conv) < KEEP_LAID_OUT
    counted: list[tuple[QTextDocument | None, int]] = []
    for html in conversation_chunks(conv):
        document = _document(html, body)
        counted.append((document if keep else None, document.pageCount()))
    return counted


def _laid_out(conv: RedactedConversation, stamp: Stamp, body: QRectF,
              counted: list[tuple[QTextDocument | None, int]]
              ) -> Iterator[tuple[QTextDocument, int]]:
    chunks = conversation_chunks(conv)
    for (document, count), html in zip(counted, chunks, strict=True):
        yield document or _document(html, body), count


def _document(html: str, body: QRectF) -> QTextDocument:
    document = QTextDocument()
    # Lay out in the PDF's own resolution, so point sizes come out right on paper.
    document.documentLayout().setPaintDevice(layout_device())
    document.setDefaultFont(QFont(FONT, 10))
    document.setDocumentMargin(0)
    document.setHtml(html)
    document.setPageSize(body.size())
    return document


def _draw_body(painter: QPainter, document: QTextDocument, body: QRectF, index: int) -> None:
    painter.save()
    painter.translate(body.left(), body.top() - index * body.height())
    document.drawContents(painter, QRectF(0, index * body.height(), body.width(), body.height()))
    painter.restore()


def _draw_stamp(painter: QPainter, page: QRectF, index: int, pages: int, stamp: Stamp) -> None:
    inch = RESOLUTION
    left, right = MARGIN * inch, page.width() - MARGIN * inch
    painter.save()
    painter.setPen(QPen(QColor("#808080"), 2))
    for rule in (TOP_RULE, BOTTOM_RULE):
        painter.drawLine(QPointF(left, rule * inch), QPointF(right, rule * inch))
    painter.setPen(QColor("#404040"))
    painter.setFont(QFont(FONT, 8))
    header = QRectF(left, HEADER_BOX[0] * inch, right - left, HEADER_BOX[1] * inch)
    painter.drawText(header, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                     f"Control ID {stamp.control_id}")
    painter.drawText(header, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                     f"Page {index + 1} of {pages}")
    footer = QRectF(left, FOOTER_BOX[0] * inch, right - left, FOOTER_BOX[1] * inch)
    painter.setPen(QColor("#000000"))
    painter.setFont(QFont(FONT, 8, QFont.Weight.Bold))
    painter.drawText(footer, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                     stamp.legend)
    painter.setFont(QFont(FONT, 10, QFont.Weight.Bold))
    painter.drawText(footer, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                     bates_number(stamp.prefix, stamp.first_number + index))
    painter.restore()
