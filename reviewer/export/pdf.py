"""PDF pages of a redacted conversation, laid out by Qt and stamped with Bates numbers.

The only module of the export that uses Qt (``QTextDocument`` lays the text
out, ``QPdfWriter`` writes it). Qt needs a ``QGuiApplication`` for fonts; the
command line has none, so one is made on the offscreen platform when needed.
Each page carries the control id and page count at the top, and the
confidentiality legend and the page's Bates number at the bottom.
"""

from __future__ import annotations

from dataclasses import dataclass
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

RESOLUTION = 300  # dots per inch of the PDF's coordinate space
MARGIN = 0.75  # inches, left and right
HEADER = 0.75  # inches from the top edge to the text
FOOTER = 0.8  # inches from the text to the bottom edge
FONT = "DejaVu Sans"
_app: QGuiApplication | None = None
_layout_device: QImage | None = None


@dataclass(frozen=True)
class Stamp:
    """What every page of one document is stamped with."""

    control_id: str
    prefix: str
    first_number: int
    legend: str


def bates_number(prefix: str, number: int) -> str:
    return f"{prefix}-{number:06d}"


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


def render_pdf(html: str, path: Path, stamp: Stamp) -> int:
    """Write ``html`` as a stamped PDF at ``path``; returns the number of pages."""
    ensure_gui()
    writer = QPdfWriter(str(path))
    writer.setResolution(RESOLUTION)
    writer.setPageLayout(QPageLayout(
        QPageSize(QPageSize.PageSizeId.Letter), QPageLayout.Orientation.Portrait,
        QMarginsF(0, 0, 0, 0),
    ))
    writer.setTitle(stamp.control_id)
    writer.setCreator("Redaction Reviewer")
    page = QRectF(0, 0, writer.width(), writer.height())
    body = page.adjusted(MARGIN * RESOLUTION, HEADER * RESOLUTION,
                         -MARGIN * RESOLUTION, -FOOTER * RESOLUTION)
    document = _document(html, body)
    pages = document.pageCount()
    painter = QPainter(writer)
    try:
        for index in range(pages):
            if index:
                writer.newPage()
            _draw_body(painter, document, body, index)
            _draw_stamp(painter, page, index, pages, stamp)
    finally:
        painter.end()
    return pages


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
    top_rule, bottom_rule = HEADER * inch - 0.15 * inch, page.height() - FOOTER * inch + 0.2 * inch
    painter.drawLine(QPointF(left, top_rule), QPointF(right, top_rule))
    painter.drawLine(QPointF(left, bottom_rule), QPointF(right, bottom_rule))
    painter.setPen(QColor("#404040"))
    painter.setFont(QFont(FONT, 8))
    header = QRectF(left, 0.3 * inch, right - left, 0.25 * inch)
    painter.drawText(header, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                     f"Control ID {stamp.control_id}")
    painter.drawText(header, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                     f"Page {index + 1} of {pages}")
    footer = QRectF(left, bottom_rule + 0.1 * inch, right - left, 0.3 * inch)
    painter.setPen(QColor("#000000"))
    painter.setFont(QFont(FONT, 8, QFont.Weight.Bold))
    painter.drawText(footer, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                     stamp.legend)
    painter.setFont(QFont(FONT, 10, QFont.Weight.Bold))
    painter.drawText(footer, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                     bates_number(stamp.prefix, stamp.first_number + index))
    painter.restore()
