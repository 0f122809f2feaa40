"""Drawing a ``ReportDocument`` on paged paint devices with QPainter: PDF files and printers.

Everything is drawn as vectors (text, lines, paths) in two passes: the layout pass measures
text with the device's font metrics and assigns every block to a page; the paint pass draws the
pages with their header and footer ("Page 3 of 7"). Tables never split a row (nor a group of
rows), repeat their header row on every page they run onto, and shrink their font to fit the
page width. Curves and levels are told apart by dash pattern and marker shape, not by colour
alone, so the report reads in black-and-white print.

Needs only QtGui (a ``QGuiApplication`` is created if none exists, so it runs headless with
``QT_QPA_PLATFORM=offscreen``). ``render_report`` also draws on a ``QPrinter`` for print
preview, since a printer is a ``QPagedPaintDevice`` too.
"""

from __future__ import annotations

import math
import os
import sys
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPainterPath,
    QPdfWriter,
    QPen,
    QPolygonF,
    QTextLayout,
    QTextOption,
)

from planner.domain.analysis import Analysis
from planner.domain.formatting import format_percent, format_price
from planner.domain.plan import Plan
from planner.report.content import build_report
from planner.report.model import (
    BulletList,
    Chart,
    Column,
    EquityCurveChart,
    Figure,
    KeyValueList,
    LadderLabel,
    Paragraph,
    PriceLadderChart,
    ReportDocument,
    Row,
    Section,
    Subheading,
    Table,
)
from planner.storage.atomic import atomic_write

__all__ = ["PAPER_SIZES", "ensure_app", "export_pdf", "render_report", "write_pdf"]

PAPER_SIZES: dict[str, QPageSize.PageSizeId] = {
    "a4": QPageSize.PageSizeId.A4,
    "letter": QPageSize.PageSizeId.Letter,
}

#: Resolution of the PDF's coordinate system (dots per inch); text and lines stay vectors.
PDF_RESOLUTION = 1200

MM = 72 / 25.4  # points per millimetre
MARGIN_SIDE = 18 * MM
MARGIN_TOP = 22 * MM
MARGIN_BOTTOM = 20 * MM
HEADER_FROM_TOP = 11 * MM
FOOTER_FROM_BOTTOM = 11 * MM

SANS = ["DejaVu Sans", "Helvetica Neue", "Helvetica", "Arial", "Liberation Sans"]
CONDENSED = [
    "DejaVu Sans Condensed",
    "Arial Narrow",
    "Liberation Sans Narrow",
    "Helvetica Neue",
    "Arial",
    "DejaVu Sans",
]

# Grey text and rules, one dark accent: everything stays legible in black-and-white print.
INK_HEX, MUTED_HEX, ACCENT_HEX, WARNING_HEX = "#111111", "#555555", "#1F3A5F", "#7A1010"
INK = QColor(INK_HEX)
MUTED = QColor(MUTED_HEX)
RULE = QColor("#777777")
HAIRLINE = QColor("#C8C8C8")
BAND = QColor("#EFEFEF")
ACCENT = QColor(ACCENT_HEX)

#: Curves of the equity chart: colour for the screen, dash pattern and marker for paper.
CURVE_STYLES: dict[str, tuple[QColor, list[float] | None, str]] = {
    "planned": (QColor("#1F3A5F"), None, "circle"),
    "all_cross": (QColor("#A34A00"), [6.0, 3.0], "square"),
    "all_isolated": (QColor("#2F6B2F"), [1.0, 2.0], "triangle"),
}

#: Ladder levels: (colour, pen width in pt, dash pattern or None for solid).
LEVEL_STYLES: dict[str, tuple[QColor, float, list[float] | None]] = {
    "mark": (QColor("#000000"), 1.6, None),
    "entry": (QColor("#1F3A5F"), 1.0, None),
    "stop": (QColor("#7A1010"), 1.0, [5.0, 3.0]),
    "take_profit": (QColor("#2F6B2F"), 1.1, [1.0, 2.5]),
    "liquidation": (QColor("#000000"), 1.6, [7.0, 2.5, 1.5, 2.5]),
    "bankruptcy": (QColor("#555555"), 0.9, [4.0, 2.0, 1.0, 2.0, 1.0, 2.0]),
    "tier": (QColor("#9A9A9A"), 0.5, [1.0, 3.0]),
}


def ensure_app() -> QGuiApplication:
    """The running Qt application, or a new ``QGuiApplication`` (headless scripts, the CLI):
    on Linux without X11 or Wayland it draws with Qt's offscreen platform."""
    app = QGuiApplication.instance()
    if app is None:
        if sys.platform.startswith("linux") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
        ):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication([])
    return app  # type: ignore[return-value]


# --------------------------------------------------------------------------------------------
# entry points


def export_pdf(
    plan: Plan,
    path: str | os.PathLike[str],
    paper: str = "a4",
    *,
    analysis: Analysis | None = None,
    source: str | None = None,
    generated_at: datetime | None = None,
) -> int:
    """Write the report of ``plan`` to ``path`` (atomically); returns the number of pages.
    Raises ``planner.storage.SaveError`` when the file cannot be written. ``source`` is the
    plan file's path, if any (named in the report and in the embedded copy of the plan)."""
    document = build_report(plan, analysis=analysis, generated_at=generated_at, source=source)
    return write_pdf(document, path, paper)


def render_pdf_bytes(document: ReportDocument, paper: str = "a4") -> tuple[bytes, int]:
    """The PDF of ``document`` in memory, and its page count."""
    if paper not in PAPER_SIZES:
        raise ValueError(f"paper must be one of {', '.join(PAPER_SIZES)}, not {paper!r}")
    ensure_app()
    return _render_pdf_bytes(document, paper)


def _render_pdf_bytes(document: ReportDocument, paper: str) -> tuple[bytes, int]:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(PDF_RESOLUTION)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(PAPER_SIZES[paper]),
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),
            QPageLayout.Unit.Point,
        )
    )
    writer.setTitle(f"{document.title} — {document.plan_name}")
    writer.setCreator(f"Margin Planner {document.app_version}")
    for name, data, mime in document.attachments:
        writer.addFileAttachment(name, QByteArray(data), mime)
    pages = render_report(document, writer)
    del writer  # finishes the file
    buffer.close()
    return bytes(buffer.data().data()), pages


def write_pdf(document: ReportDocument, path: str | os.PathLike[str], paper: str = "a4") -> int:
    """Render ``document`` and write it to ``path`` atomically (``planner.storage.atomic``):
    the previous file stays untouched and no partial file is left when writing fails, which
    raises ``SaveError`` (one line naming the path and the reason). Returns the page count."""
    data, pages = render_pdf_bytes(document, paper)
    atomic_write(Path(path), data)
    return pages


def render_report(
    document: ReportDocument, device: QPagedPaintDevice, painter: QPainter | None = None
) -> int:
    """Lay out and draw ``document`` on ``device`` (a ``QPdfWriter`` or a ``QPrinter``, e.g.
    in a print preview's ``paintRequested``); returns the number of pages. Pass ``painter`` if
    one is already active on the device."""
    ensure_app()
    renderer = _Renderer(document, device)
    pages = renderer.layout()
    own = painter is None
    if painter is None:
        painter = QPainter()
        if not painter.begin(device):
            raise OSError("cannot start drawing on the output device")
    try:
        renderer.paint(painter, pages)
    finally:
        if own:
            painter.end()
    return len(pages)


# --------------------------------------------------------------------------------------------
# fonts and text


@dataclass(frozen=True, slots=True)
class _Style:
    size: float
    bold: bool = False
    italic: bool = False
    condensed: bool = False
    color: str = INK_HEX


class _Text:
    """Fonts and measurements on one paint device (all lengths in device units)."""

    def __init__(self, device: QPagedPaintDevice) -> None:
        self.device = device
        self._fonts: dict[tuple, QFont] = {}
        self._metrics: dict[tuple, QFontMetricsF] = {}

    def font(self, style: _Style) -> QFont:
        key = (style.size, style.bold, style.italic, style.condensed)
        font = self._fonts.get(key)
        if font is None:
            font = QFont()
            font.setFamilies(CONDENSED if style.condensed else SANS)
            font.setStyleHint(QFont.StyleHint.SansSerif)
            font.setPointSizeF(style.size)
            font.setBold(style.bold)
            font.setItalic(style.italic)
            font.setKerning(True)
            # no ligatures: "first" must stay f-i-r-s-t for search and copy in the PDF
            if hasattr(font, "setFeature"):  # Qt 6.7
                font.setFeature(QFont.Tag("liga"), 0)
            else:  # pragma: no cover - older Qt
                font.setStyleStrategy(QFont.StyleStrategy.PreferNoShaping)
            self._fonts[key] = font
        return font

    def metrics(self, style: _Style) -> QFontMetricsF:
        key = (style.size, style.bold, style.italic, style.condensed)
        metrics = self._metrics.get(key)
        if metrics is None:
            metrics = QFontMetricsF(self.font(style), self.device)
            self._metrics[key] = metrics
        return metrics

    def clean(self, style: _Style, text: str) -> str:
        """``text`` with characters that the font lacks replaced by their compatibility form
        (Ⓢ → S) where there is one, so no empty box is printed."""
        if text.isascii():
            return text
        metrics = self.metrics(style)
        out = []
        for char in text:
            if char.isascii() or char in "\n\t" or metrics.inFontUcs4(ord(char)):
                out.append(char)
            else:
                out.append(unicodedata.normalize("NFKC", char))
        return "".join(out)

    def width(self, style: _Style, text: str) -> float:
        return self.metrics(style).horizontalAdvance(self.clean(style, text))

    def line_height(self, style: _Style) -> float:
        m = self.metrics(style)
        return m.height() * 1.18

    def wrap(self, style: _Style, text: str, width: float) -> list[str]:
        """``text`` broken into lines no wider than ``width`` (explicit newlines kept)."""
        lines: list[str] = []
        text = self.clean(style, text)
        font = self.font(style)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        for piece in text.split("\n"):
            if not piece.strip():
                lines.append("")
                continue
            # never break between a number and its "%" (a no-break space of the same length
            # decides the breaks; the lines are cut from the text as it is)
            layout = QTextLayout(piece.replace(" %", "\u00a0%"), font, self.device)
            layout.setTextOption(option)
            layout.beginLayout()
            while True:
                line = layout.createLine()
                if not line.isValid():
                    break
                line.setLineWidth(max(width, 1.0))
                start, length = line.textStart(), line.textLength()
                lines.append(piece[start : start + length].rstrip())
            layout.endLayout()
        return lines

    def elide(self, style: _Style, text: str, width: float) -> str:
        text = self.clean(style, text)
        return self.metrics(style).elidedText(text, Qt.TextElideMode.ElideRight, width)

    def draw(
        self,
        painter: QPainter,
        style: _Style,
        x: float,
        top: float,
        text: str,
        *,
        align: str = "left",
        width: float = 0.0,
        color: QColor | None = None,
    ) -> None:
        """One line of text whose box starts at ``top``; aligned within ``x`` … ``x+width``."""
        if not text:
            return
        text = self.clean(style, text)
        painter.setFont(self.font(style))
        painter.setPen(QPen(color or QColor(style.color)))
        m = self.metrics(style)
        if align == "right":
            x = x + width - m.horizontalAdvance(text)
        elif align == "center":
            x = x + (width - m.horizontalAdvance(text)) / 2
        painter.drawText(QPointF(x, top + m.ascent()), text)


# --------------------------------------------------------------------------------------------
# layout: a flow of placed drawing operations, page by page

_Op = Callable[[QPainter, float], None]


class _Flow:
    def __init__(self, top: float, bottom: float) -> None:
        self.top = top
        self.bottom = bottom
        self.pages: list[list[tuple[float, _Op]]] = [[]]
        self.y = top

    @property
    def room(self) -> float:
        return self.bottom - self.y

    @property
    def at_top(self) -> bool:
        return self.y <= self.top + 1e-6

    def break_page(self) -> None:
        self.pages.append([])
        self.y = self.top

    def ensure(self, height: float) -> bool:
        """Start a new page unless ``height`` fits; True if a page was started."""
        if height > self.room and not self.at_top:
            self.break_page()
            return True
        return False

    def place(self, height: float, op: _Op) -> None:
        self.pages[-1].append((self.y, op))
        self.y += height

    def gap(self, height: float) -> None:
        if not self.at_top:
            self.y = min(self.y + height, self.bottom)


_RowLayout = tuple[Row, list[list[str]], float]  # row, lines per cell, height


@dataclass
class _TableLayout:
    widths: list[float]
    style: _Style
    header_style: _Style
    pad_x: float
    pad_y: float
    line: float  # line height of the table font
    header_lines: list[list[str]]
    header_height: float
    rows: list[_RowLayout]


class _Renderer:
    def __init__(self, document: ReportDocument, device: QPagedPaintDevice) -> None:
        self.document = document
        self.device = device
        self.text = _Text(device)
        dpi = device.logicalDpiY()
        self.k = dpi / 72.0  # device units per point
        layout = device.pageLayout()
        full = layout.fullRect(QPageLayout.Unit.Point)
        paint = layout.paintRect(QPageLayout.Unit.Point)
        # the painter's origin is the paint rectangle's corner; place the paper's corner
        self.origin = QPointF(
            (full.left() - paint.left()) * self.k, (full.top() - paint.top()) * self.k
        )
        margins = layout.margins(QPageLayout.Unit.Point)
        self.page_w = full.width() * self.k
        self.page_h = full.height() * self.k
        side = max(MARGIN_SIDE, margins.left(), margins.right()) * self.k
        self.left = side
        self.right = self.page_w - side
        self.width = self.right - self.left
        self.top = max(MARGIN_TOP, margins.top() + 10) * self.k
        self.bottom = self.page_h - max(MARGIN_BOTTOM, margins.bottom() + 10) * self.k
        self.header_y = max(HEADER_FROM_TOP, margins.top()) * self.k
        self.footer_y = self.page_h - max(FOOTER_FROM_BOTTOM, margins.bottom()) * self.k

        pt = self.k
        self.s_body = _Style(9.2)
        self.s_lead = _Style(9.6, italic=True, color="#222222")
        self.s_note = _Style(8.4, color="#333333")
        self.s_quote = _Style(9.2, italic=True)
        self.s_warning = _Style(9.0, bold=True, color=WARNING_HEX)
        self.s_small = _Style(7.4, color=MUTED_HEX)
        self.s_h1 = _Style(13.5, bold=True, color=ACCENT_HEX)
        self.s_h2 = _Style(10.2, bold=True)
        self.s_caption = _Style(9.0, bold=True)
        self.s_label = _Style(8.8, color=MUTED_HEX)
        self.s_value = _Style(8.8)
        self.s_running = _Style(7.2, color=MUTED_HEX)
        self.s_title_kicker = _Style(9.5, bold=True, color=ACCENT_HEX)
        self.s_title = _Style(21.0, bold=True)
        self.s_chart_title = _Style(8.6, bold=True)
        self.s_chart = _Style(6.8, condensed=True, color="#222222")
        self.s_chart_bold = _Style(6.8, condensed=True, bold=True)
        self.s_axis = _Style(6.4, condensed=True, color=MUTED_HEX)
        self.para_gap = 5 * pt
        self.block_gap = 9 * pt
        self._kv_cache: dict[int, tuple[KeyValueList, list[tuple[float, _Op]]]] = {}
        self._table_cache: dict[int, tuple[Table, _TableLayout]] = {}

    # -- units -----------------------------------------------------------------------------

    def pt(self, value: float) -> float:
        return value * self.k

    def pen(self, color: QColor, width_pt: float, dash: list[float] | None = None) -> QPen:
        pen = QPen(color)
        pen.setWidthF(width_pt * self.k)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        if dash:
            pen.setDashPattern(dash)
        return pen

    # -- layout pass -----------------------------------------------------------------------

    def layout(self) -> list[list[tuple[float, _Op]]]:
        flow = _Flow(self.top, self.bottom)
        self._title_block(flow)
        for number, section in enumerate(self.document.sections, start=1):
            self._section(flow, number, section)
        return flow.pages

    def _title_block(self, flow: _Flow) -> None:
        doc = self.document
        pt = self.k
        kicker = doc.title.upper()
        flow.place(
            self.text.line_height(self.s_title_kicker),
            lambda p, y: self.text.draw(p, self.s_title_kicker, self.left, y, kicker),
        )
        flow.y += 2 * pt
        for line in self.text.wrap(self.s_title, doc.plan_name, self.width):
            flow.place(
                self.text.line_height(self.s_title),
                lambda p, y, line=line: self.text.draw(p, self.s_title, self.left, y, line),
            )
        flow.y += 4 * pt
        flow.place(
            6 * pt,
            lambda p, y: self._rule(p, self.left, self.right, y + 1 * pt, ACCENT, 1.4),
        )
        for height, draw in self._kv_rows(doc.cover):
            flow.place(height, draw)
        flow.gap(8 * pt)

    def _section(self, flow: _Flow, number: int, section: Section) -> None:
        pt = self.k
        if section.page_break_before and not flow.at_top:
            flow.break_page()
        else:
            flow.gap(12 * pt)
        heading = f"{number}   {section.title}"
        height = self.text.line_height(self.s_h1) + 7 * pt
        blocks = section.blocks
        flow.ensure(height + (self._lead(blocks, 0) if blocks else 0.0))

        def draw_heading(p: QPainter, y: float) -> None:
            self.text.draw(p, self.s_h1, self.left, y, heading)
            rule_y = y + self.text.line_height(self.s_h1) + 1.5 * pt
            self._rule(p, self.left, self.right, rule_y, ACCENT, 0.6)

        flow.place(height, draw_heading)
        for index, block in enumerate(blocks):
            if index:
                flow.gap(self.block_gap if not isinstance(block, Subheading) else 12 * pt)
            if isinstance(block, Subheading):
                sub_h = self.text.line_height(self.s_h2) + 3 * pt
                flow.ensure(sub_h + self._lead(blocks, index + 1))
                flow.place(
                    sub_h,
                    lambda p, y, text=block.text: self.text.draw(p, self.s_h2, self.left, y, text),
                )
            else:
                self._block(flow, block, section.title)

    @property
    def _usable(self) -> float:
        return self.bottom - self.top

    def _lead(self, blocks: Sequence[object], index: int) -> float:
        """How much of ``blocks[index]`` must fit below a heading for the heading to stay with
        it: two lines of text, a short table or list whole, a long table's first rows."""
        if index >= len(blocks):
            return 0.0
        block = blocks[index]
        if isinstance(block, Paragraph):
            style = self._paragraph_style(block.style)
            lines = self.text.wrap(style, block.text, self.width)
            return self.text.line_height(style) * min(len(lines), 2)
        if isinstance(block, BulletList):
            return self.text.line_height(self._paragraph_style(block.style)) * 2
        if isinstance(block, KeyValueList):
            rows = self._kv_rows(block)
            title = self.text.line_height(self.s_caption) + 2 * self.k if block.title else 0.0
            total = sum(h for h, _ in rows)
            return title + (total if total <= self._usable * 0.4 else sum(h for h, _ in rows[:2]))
        if isinstance(block, Table):
            return self._table_start(block)[0]
        if isinstance(block, Figure):
            return self._figure_height(block)
        if isinstance(block, Subheading):
            return self.text.line_height(self.s_h2) + 3 * self.k + self._lead(blocks, index + 1)
        return 0.0

    def _block(self, flow: _Flow, block: object, section_title: str) -> None:
        if isinstance(block, Paragraph):
            self._paragraph(flow, block.text, self._paragraph_style(block.style))
        elif isinstance(block, BulletList):
            style = self._paragraph_style(block.style)
            bullet = "⚠" if block.style == "warning" else "•"
            for n, item in enumerate(block.items):
                if n:
                    flow.y += 2.5 * self.k
                self._paragraph(flow, item, style, bullet=bullet)
        elif isinstance(block, KeyValueList):
            rows = self._kv_rows(block)
            total = sum(h for h, _ in rows)
            title_h = self.text.line_height(self.s_caption) + 2 * self.k if block.title else 0.0
            if title_h + total <= self._usable * 0.4:
                flow.ensure(title_h + total)  # a short list stays on one page
            else:
                flow.ensure(title_h + sum(h for h, _ in rows[:2]))
            if block.title:
                flow.place(
                    title_h,
                    lambda p, y: self.text.draw(p, self.s_caption, self.left, y, block.title),
                )
            for height, draw in rows:
                flow.ensure(height)
                flow.place(height, draw)
        elif isinstance(block, Table):
            self._table(flow, block, block.caption or section_title)
        elif isinstance(block, Figure):
            self._figure(flow, block)
        else:  # pragma: no cover - the model has no other blocks
            raise TypeError(f"unknown block {block!r}")

    def _paragraph_style(self, name: str) -> _Style:
        return {
            "body": self.s_body,
            "lead": self.s_lead,
            "note": self.s_note,
            "warning": self.s_warning,
            "quote": self.s_quote,
        }[name]

    def _paragraph(self, flow: _Flow, text: str, style: _Style, *, bullet: str = "") -> None:
        indent = self.pt(12) if bullet else 0.0
        if style is self.s_quote:
            indent = self.pt(10)
        lines = self.text.wrap(style, text, self.width - indent)
        line_h = self.text.line_height(style)
        # keep the first two lines (and a short paragraph's last two) together
        flow.ensure(line_h * min(len(lines), 2))
        for n, line in enumerate(lines):
            if len(lines) - n == 2 and len(lines) > 3:
                flow.ensure(line_h * 2)
            flow.ensure(line_h)

            def draw(p: QPainter, y: float, line: str = line, first: bool = n == 0) -> None:
                if bullet and first:
                    self.text.draw(p, style, self.left + self.pt(2), y, bullet)
                if style is self.s_quote:
                    x = self.left + self.pt(3)
                    self._vline(p, x, y, y + line_h, HAIRLINE, 1.6)
                self.text.draw(p, style, self.left + indent, y, line)

            flow.place(line_h, draw)

    def _kv_rows(self, block: KeyValueList) -> list[tuple[float, _Op]]:
        """The list's rows: (height, draw) each; pairs side by side when ``columns`` = 2."""
        key = id(block)
        cached = self._kv_cache.get(key)
        if cached is not None and cached[0] is block:
            return cached[1]
        pt = self.k
        items = list(block.items)
        columns = max(1, min(block.columns, 2))
        gutter = 14 * pt
        col_w = (self.width - gutter * (columns - 1)) / columns
        label_w = min(
            max((self.text.width(self.s_label, k) for k, _ in items), default=0) + 8 * pt,
            col_w * (0.42 if columns == 2 else 0.28),
        )
        value_w = col_w - label_w
        per_column = math.ceil(len(items) / columns)
        grid = [items[c * per_column : (c + 1) * per_column] for c in range(columns)]
        line_h = self.text.line_height(self.s_value)
        pad = 2.2 * pt
        rows: list[tuple[float, _Op]] = []
        for r in range(per_column):
            cells: list[tuple[list[str], list[str]] | None] = []
            height = 0.0
            for c in range(columns):
                if r >= len(grid[c]):
                    cells.append(None)
                    continue
                label, value = grid[c][r]
                key_lines = self.text.wrap(self.s_label, label, label_w - 6 * pt)
                value_lines = self.text.wrap(self.s_value, value, value_w)
                cells.append((key_lines, value_lines))
                height = max(height, max(len(key_lines), len(value_lines)) * line_h + 2 * pad)

            def draw(p: QPainter, y: float, cells=cells, height=height) -> None:
                for c, cell in enumerate(cells):
                    if cell is None:
                        continue
                    x = self.left + c * (col_w + gutter)
                    key_lines, value_lines = cell
                    for n, line in enumerate(key_lines):
                        self.text.draw(p, self.s_label, x, y + pad + n * line_h, line)
                    for n, line in enumerate(value_lines):
                        self.text.draw(p, self.s_value, x + label_w, y + pad + n * line_h, line)
                    self._rule(p, x, x + col_w, y + height, HAIRLINE, 0.4)

            rows.append((height, draw))
        self._kv_cache[key] = (block, rows)
        return rows

    # -- tables ----------------------------------------------------------------------------

    def _measure_table(self, table: Table) -> _TableLayout:
        size = 8.0
        columns = table.columns
        while True:
            style = _Style(size, condensed=True)
            header_style = _Style(size, bold=True, condensed=True)
            bold = _Style(size, bold=True, condensed=True)
            pad_x = self.pt(3.2) * size / 8.0
            natural: list[float] = []
            minimum: list[float] = []
            for i, column in enumerate(columns):
                head = max(self.text.width(header_style, t) for t in column.title.split("\n"))
                widest = head
                for row in table.rows:
                    if row.span:
                        continue
                    cell_style = bold if row.emphasis else style
                    for line in row.cells[i].split("\n"):
                        widest = max(widest, self.text.width(cell_style, line))
                natural.append(widest + 2 * pad_x)
                if column.wrap:
                    words = [w for row in table.rows if not row.span for w in row.cells[i].split()]
                    longest = max((self.text.width(style, w) for w in words), default=0.0)
                    minimum.append(min(natural[-1], max(head, longest, self.pt(60)) + 2 * pad_x))
                else:
                    minimum.append(natural[-1])
            if sum(minimum) <= self.width or size <= 5.5:
                break
            size = round(size - 0.25, 2)
        widths = self._fit_widths(columns, natural, minimum)
        line = self.text.line_height(style)
        pad_y = self.pt(2.0) * size / 8.0
        header_lines = [c.title.split("\n") for c in columns]
        header_height = max(len(h) for h in header_lines) * line + 2 * pad_y + self.pt(1)
        rows = []
        span_style = _Style(size, italic=True, condensed=True)
        for row in table.rows:
            if row.span:
                cell = self.text.wrap(span_style, row.cells[0], self.width - 2 * pad_x - self.pt(8))
                rows.append((row, [cell], len(cell) * line + 2 * pad_y))
                continue
            cell_style = bold if row.emphasis else style
            cells = []
            for i, column in enumerate(columns):
                inner = widths[i] - 2 * pad_x
                if column.wrap:
                    cells.append(self.text.wrap(cell_style, row.cells[i], inner))
                else:
                    cells.append(
                        [
                            self.text.elide(cell_style, t, inner + 0.5)
                            for t in row.cells[i].split("\n")
                        ]
                    )
            rows.append((row, cells, max(len(c) for c in cells) * line + 2 * pad_y))
        return _TableLayout(
            widths, style, header_style, pad_x, pad_y, line, header_lines, header_height, rows
        )

    def _fit_widths(
        self, columns: Sequence[Column], natural: list[float], minimum: list[float]
    ) -> list[float]:
        total_natural = sum(natural)
        if total_natural <= self.width:
            # spread the spare width, more to wide columns, so the table spans the page
            spare = self.width - total_natural
            weights = [n + self.pt(20) for n in natural]
            scale = spare / sum(weights)
            return [n + w * scale for n, w in zip(natural, weights, strict=True)]
        fixed = sum(m for m, c in zip(minimum, columns, strict=True) if not c.wrap)
        wrap_natural = [n if c.wrap else 0.0 for n, c in zip(natural, columns, strict=True)]
        room = self.width - fixed
        if room > 0 and sum(wrap_natural) > 0:
            wrap_minimum = sum(m for m, c in zip(minimum, columns, strict=True) if c.wrap)
            if room >= wrap_minimum:
                extra = room - wrap_minimum
                share = sum(
                    n - m for n, m, c in zip(natural, minimum, columns, strict=True) if c.wrap
                )
                return [
                    (m + (n - m) * extra / share if share else m) if c.wrap else n
                    for n, m, c in zip(natural, minimum, columns, strict=True)
                ]
        scale = self.width / sum(minimum)
        return [m * scale for m in minimum]

    def _table_parts(self, table: Table) -> tuple[_TableLayout, list[list[_RowLayout]], float]:
        """The measured table (cached), its rows grouped, and the height of its caption."""
        cached = self._table_cache.get(id(table))
        if cached is not None and cached[0] is table:
            t = cached[1]
        else:
            t = self._measure_table(table)
            self._table_cache[id(table)] = (table, t)
        groups: list[list[_RowLayout]] = []
        for entry in t.rows:
            row = entry[0]
            if groups and row.group is not None and groups[-1][0][0].group == row.group:
                groups[-1].append(entry)
            else:
                groups.append([entry])
        caption_h = 0.0
        if table.caption:
            lines = self.text.wrap(self.s_caption, table.caption, self.width)
            caption_h += len(lines) * self.text.line_height(self.s_caption) + 2 * self.k
        if table.subcaption:
            lines = self.text.wrap(self.s_small, table.subcaption, self.width)
            caption_h += len(lines) * self.text.line_height(self.s_small) + 3 * self.k
        return t, groups, caption_h

    def _table_start(self, table: Table) -> tuple[float, bool]:
        """The height that must fit for the table to start on this page, and whether that is
        the whole table (short tables are never split)."""
        t, groups, caption_h = self._table_parts(table)
        whole = caption_h + t.header_height + sum(h for _, _, h in t.rows)
        if whole <= self._usable * 0.4:
            return whole, True
        return caption_h + t.header_height + sum(h for g in groups[:3] for _, _, h in g), False

    def _table(self, flow: _Flow, table: Table, continued_label: str) -> None:
        pt = self.k
        t, groups, _ = self._table_parts(table)
        caption_line = self.text.line_height(self.s_caption)
        small_line = self.text.line_height(self.s_small)

        def place_header(continued: bool) -> None:
            if table.caption or continued:
                label = table.caption if not continued else f"{continued_label} (continued)"
                for line in self.text.wrap(self.s_caption, label, self.width):
                    flow.place(
                        caption_line,
                        lambda p, y, line=line: self.text.draw(
                            p, self.s_caption, self.left, y, line
                        ),
                    )
                flow.y += 2 * pt
            if table.subcaption and not continued:
                for line in self.text.wrap(self.s_small, table.subcaption, self.width):
                    flow.place(
                        small_line,
                        lambda p, y, line=line: self.text.draw(p, self.s_small, self.left, y, line),
                    )
                flow.y += 3 * pt
            flow.place(t.header_height, lambda p, y: self._draw_table_header(p, y, t, table))

        footnote_h = 0.0
        if table.footnote:
            lines = self.text.wrap(self.s_small, table.footnote, self.width)
            footnote_h = 3 * pt + len(lines) * small_line
        start, whole = self._table_start(table)
        flow.ensure(start + (footnote_h if whole else 0.0))
        place_header(False)
        for g, group in enumerate(groups):
            height = sum(h for _, _, h in group)
            if g == len(groups) - 1 and footnote_h < self._usable * 0.3:
                height += footnote_h  # the last rows keep the footnote company
            if height > flow.room:
                flow.break_page()
                place_header(True)
            for row, cells, row_h in group:
                if row_h > flow.room:  # a group taller than a page: split between its rows
                    flow.break_page()
                    place_header(True)
                flow.place(
                    row_h,
                    lambda p, y, row=row, cells=cells, row_h=row_h, shaded=g % 2 == 1: (
                        self._draw_table_row(p, y, t, table, row, cells, row_h, shaded)
                    ),
                )
            last = g == len(groups) - 1
            if last or flow.room < sum(h for _, _, h in groups[g + 1]):
                flow.pages[-1].append(
                    (flow.y, lambda p, y: self._rule(p, self.left, self.right, y, INK, 0.8))
                )
        if table.footnote:
            flow.y += 3 * pt
            self._paragraph(flow, table.footnote, self.s_small)

    def _draw_table_header(self, p: QPainter, y: float, t: _TableLayout, table: Table) -> None:
        self._rule(p, self.left, self.right, y, INK, 0.8)
        x = self.left
        bottom = y + t.header_height - t.pad_y
        for column, lines, width in zip(table.columns, t.header_lines, t.widths, strict=True):
            top = bottom - len(lines) * t.line
            for n, line in enumerate(lines):
                self.text.draw(
                    p,
                    t.header_style,
                    x + t.pad_x,
                    top + n * t.line,
                    line,
                    align=column.align,
                    width=width - 2 * t.pad_x,
                )
            x += width
        self._rule(p, self.left, self.right, y + t.header_height, INK, 0.5)

    def _draw_table_row(
        self,
        p: QPainter,
        y: float,
        t: _TableLayout,
        table: Table,
        row: Row,
        cells: list[list[str]],
        height: float,
        shaded: bool,
    ) -> None:
        if shaded:
            p.fillRect(QRectF(self.left, y, self.width, height), BAND)
        size = t.style.size
        if row.span:
            style = _Style(size, italic=True, condensed=True, color="#222222")
            for n, line in enumerate(cells[0]):
                self.text.draw(
                    p, style, self.left + t.pad_x + self.pt(8), y + t.pad_y + n * t.line, line
                )
            return
        style = _Style(size, bold=True, condensed=True) if row.emphasis else t.style
        x = self.left
        for column, lines, width in zip(table.columns, cells, t.widths, strict=True):
            for n, line in enumerate(lines):
                self.text.draw(
                    p,
                    style,
                    x + t.pad_x,
                    y + t.pad_y + n * t.line,
                    line,
                    align=column.align,
                    width=width - 2 * t.pad_x,
                )
            x += width

    # -- figures ---------------------------------------------------------------------------

    def _figure_height(self, figure: Figure) -> float:
        caption_lines = (
            self.text.wrap(self.s_small, figure.caption, self.width) if figure.caption else []
        )
        caption_h = len(caption_lines) * self.text.line_height(self.s_small)
        return figure.height * self.k + caption_h + 4 * self.k

    def _figure(self, flow: _Flow, figure: Figure) -> None:
        pt = self.k
        height = figure.height * pt
        caption_lines = (
            self.text.wrap(self.s_small, figure.caption, self.width) if figure.caption else []
        )
        caption_h = len(caption_lines) * self.text.line_height(self.s_small)
        flow.ensure(self._figure_height(figure))
        widths = list(figure.widths) or [1.0] * len(figure.charts)
        total = sum(widths)
        gutter = 12 * pt
        usable = self.width - gutter * (len(figure.charts) - 1)

        def draw(p: QPainter, y: float) -> None:
            x = self.left
            for chart, w in zip(figure.charts, widths, strict=True):
                width = usable * w / total
                self._chart(p, QRectF(x, y, width, height), chart)
                x += width + gutter
            for n, line in enumerate(caption_lines):
                self.text.draw(
                    p,
                    self.s_small,
                    self.left,
                    y + height + 3 * pt + n * self.text.line_height(self.s_small),
                    line,
                )

        flow.place(height + caption_h + 4 * pt, draw)

    def _chart(self, p: QPainter, rect: QRectF, chart: Chart) -> None:
        p.save()
        try:
            if isinstance(chart, PriceLadderChart):
                self._ladder(p, rect, chart)
            elif isinstance(chart, EquityCurveChart):
                self._equity(p, rect, chart)
        finally:
            p.restore()

    def _ladder(self, p: QPainter, rect: QRectF, chart: PriceLadderChart) -> None:
        pt = self.k
        title_h = self.text.line_height(self.s_chart_title) + 4 * pt
        self.text.draw(p, self.s_chart_title, rect.left(), rect.top(), chart.title or chart.symbol)
        levels = [lv for lv in chart.levels if math.isfinite(lv.price) and lv.price > 0]
        prices = [lv.price for lv in levels] + [chart.mark_price]
        lo, hi = min(prices), max(prices)
        if hi - lo < chart.mark_price * 1e-6:
            lo, hi = lo * 0.99, hi * 1.01
        span = hi - lo
        lo, hi = lo - span * 0.06, hi + span * 0.06
        axis_w = 28 * pt
        band_w = min(rect.width() * 0.16, 30 * pt)
        plot = QRectF(rect.left() + axis_w, rect.top() + title_h + 4 * pt, band_w, 0)
        plot.setBottom(rect.bottom() - 4 * pt)

        def y_of(price: float) -> float:
            return plot.bottom() - (price - lo) / (hi - lo) * plot.height()

        # axis: a rail with a few round prices
        ticks, step = _nice_ticks(lo, hi, 6)
        p.setPen(self.pen(RULE, 0.5))
        p.drawLine(QPointF(plot.left(), plot.top()), QPointF(plot.left(), plot.bottom()))
        axis_m = self.text.metrics(self.s_axis)
        for tick in ticks:
            yy = y_of(tick)
            p.setPen(self.pen(HAIRLINE, 0.4))
            p.drawLine(QPointF(plot.left(), yy), QPointF(plot.right(), yy))
            p.setPen(self.pen(RULE, 0.5))
            p.drawLine(QPointF(plot.left() - 2.5 * pt, yy), QPointF(plot.left(), yy))
            label = format_price(tick, step)
            self.text.draw(
                p,
                self.s_axis,
                rect.left(),
                yy - axis_m.height() / 2,
                label,
                align="right",
                width=axis_w - 4 * pt,
            )
        # level lines across the band
        for level in sorted(levels, key=lambda lv: _LEVEL_ORDER.get(lv.kind, 9), reverse=True):
            color, width, dash = LEVEL_STYLES.get(level.kind, LEVEL_STYLES["entry"])
            p.setPen(self.pen(color, width, dash))
            yy = y_of(level.price)
            p.drawLine(QPointF(plot.left(), yy), QPointF(plot.right(), yy))
        # labels on the right, pushed apart so none overlap
        label_x = plot.right() + 14 * pt
        label_w = rect.right() - label_x
        line_h = self.text.line_height(self.s_chart) * 1.02
        labels = [lb for lb in chart.labels if math.isfinite(lb.price) and lo <= lb.price <= hi]
        bottom = plot.bottom()
        if len(labels) > _label_capacity(plot.top(), bottom, line_h):
            bottom -= line_h  # room for the note below
        labelled = _fit_labels([(y_of(lb.price), lb) for lb in labels], plot.top(), bottom, line_h)
        hidden = sum(lb.count for lb in labels) - sum(lb.count for _, _, lb in labelled)
        for desired, placed, label in labelled:
            p.setPen(self.pen(HAIRLINE if label.kind == "tier" else RULE, 0.4))
            path = QPainterPath(QPointF(plot.right(), desired))
            path.lineTo(QPointF(plot.right() + 6 * pt, desired))
            path.lineTo(QPointF(label_x - 3 * pt, placed))
            p.drawPath(path)
            style = self.s_chart_bold if label.priority == 0 else self.s_chart
            top = placed - line_h / 2
            price_w = self.text.width(style, label.price_text)
            name = self.text.elide(style, label.text, label_w - price_w - 4 * pt)
            self.text.draw(p, style, label_x, top, name)
            self.text.draw(p, style, label_x, top, label.price_text, align="right", width=label_w)
        if hidden:
            note = f"{hidden} more level{'s' if hidden != 1 else ''} not labelled"
            self.text.draw(p, self.s_axis, label_x, bottom + 1 * pt, note)

    def _equity(self, p: QPainter, rect: QRectF, chart: EquityCurveChart) -> None:
        pt = self.k
        self.text.draw(p, self.s_chart_title, rect.left(), rect.top(), chart.title)
        top = rect.top() + self.text.line_height(self.s_chart_title) + 2 * pt
        # legend: a line sample and marker per curve
        legend_h = self.text.line_height(self.s_chart) + 2 * pt
        x = rect.left()
        for curve in chart.curves:
            color, dash, marker = CURVE_STYLES.get(curve.key, CURVE_STYLES["planned"])
            yy = top + legend_h / 2
            p.setPen(self._curve_pen(color, dash))
            p.drawLine(QPointF(x, yy), QPointF(x + 18 * pt, yy))
            self._marker(p, QPointF(x + 9 * pt, yy), marker, color)
            self.text.draw(p, self.s_chart, x + 21 * pt, top + 1 * pt, curve.name)
            x += 27 * pt + self.text.width(self.s_chart, curve.name)
        self.text.draw(
            p, self.s_axis, x + 2 * pt, top + 1.4 * pt, "markers: liquidations", color=MUTED
        )
        top += legend_h + 4 * pt
        values = [v for c in chart.curves for v in c.equity if math.isfinite(v)]
        if chart.reference_equity is not None:
            values.append(chart.reference_equity)
        moves = [m for c in chart.curves for m in c.moves]
        if not values or not moves:
            return
        y_lo, y_hi = min(values), max(values)
        if y_hi - y_lo < 1e-9:
            y_lo, y_hi = y_lo - 1, y_hi + 1
        pad = (y_hi - y_lo) * 0.07
        y_lo, y_hi = y_lo - pad, y_hi + pad
        x_lo, x_hi = min(moves), max(moves)
        y_ticks, y_step = _nice_ticks(y_lo, y_hi, 5)
        axis_m = self.text.metrics(self.s_axis)
        axis_w = (
            max(self.text.width(self.s_axis, format_price(t, y_step)) for t in y_ticks) + 5 * pt
        )
        plot = QRectF(rect.left() + axis_w, top + axis_m.height(), 0, 0)
        plot.setRight(rect.right() - 4 * pt)
        plot.setBottom(rect.bottom() - 2 * axis_m.height() - 6 * pt)

        def to_point(move: float, equity: float) -> QPointF:
            return QPointF(
                plot.left() + (move - x_lo) / (x_hi - x_lo) * plot.width(),
                plot.bottom() - (equity - y_lo) / (y_hi - y_lo) * plot.height(),
            )

        self.text.draw(p, self.s_axis, rect.left(), top - 1 * pt, chart.y_label)
        # grid and axes
        for tick in y_ticks:
            yy = to_point(x_lo, tick).y()
            p.setPen(self.pen(HAIRLINE, 0.4))
            p.drawLine(QPointF(plot.left(), yy), QPointF(plot.right(), yy))
            self.text.draw(
                p,
                self.s_axis,
                rect.left(),
                yy - axis_m.height() / 2,
                format_price(tick, y_step),
                align="right",
                width=axis_w - 4 * pt,
            )
        x_ticks = [x_lo + (x_hi - x_lo) * k / 4 for k in range(5)]
        for tick in x_ticks:
            xx = to_point(tick, y_lo).x()
            p.setPen(self.pen(HAIRLINE, 0.4))
            p.drawLine(QPointF(xx, plot.top()), QPointF(xx, plot.bottom()))
            label = format_percent(tick, 0, sign=True) if abs(tick) > 1e-12 else "0 %"
            self.text.draw(
                p,
                self.s_axis,
                xx - 20 * pt,
                plot.bottom() + 2 * pt,
                label,
                align="center",
                width=40 * pt,
            )
        self.text.draw(
            p,
            self.s_axis,
            plot.left(),
            plot.bottom() + 2 * pt + axis_m.height(),
            chart.x_label,
            align="center",
            width=plot.width(),
        )
        p.setPen(self.pen(RULE, 0.6))
        p.drawRect(plot)
        if x_lo < 0 < x_hi:
            p.setPen(self.pen(RULE, 0.5, [3.0, 3.0]))
            xx = to_point(0.0, y_lo).x()
            p.drawLine(QPointF(xx, plot.top()), QPointF(xx, plot.bottom()))
        if chart.reference_equity is not None:
            yy = to_point(x_lo, chart.reference_equity).y()
            p.setPen(self.pen(RULE, 0.5, [1.0, 2.0]))
            p.drawLine(QPointF(plot.left(), yy), QPointF(plot.right(), yy))
            self.text.draw(
                p, self.s_axis, plot.left() + 2 * pt, yy - axis_m.height() - 0.5 * pt, "equity now"
            )
        # curves, planned last so it is on top
        p.setClipRect(plot.adjusted(-2 * pt, -2 * pt, 2 * pt, 2 * pt))
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for curve in sorted(chart.curves, key=lambda c: c.key == "planned"):
            color, dash, marker = CURVE_STYLES.get(curve.key, CURVE_STYLES["planned"])
            points = [
                to_point(m, e)
                for m, e in zip(curve.moves, curve.equity, strict=True)
                if math.isfinite(e)
            ]
            if len(points) >= 2:
                p.setPen(self._curve_pen(color, dash))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawPolyline(QPolygonF(points))
        for curve in chart.curves:
            color, _, marker = CURVE_STYLES.get(curve.key, CURVE_STYLES["planned"])
            for m in curve.markers:
                self._marker(p, to_point(m.move, m.equity), marker, color)

    def _curve_pen(self, color: QColor, dash: list[float] | None) -> QPen:
        pen = self.pen(color, 1.3, dash)
        pen.setCapStyle(
            Qt.PenCapStyle.RoundCap if dash and dash[0] <= 1 else Qt.PenCapStyle.FlatCap
        )
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        return pen

    def _marker(self, p: QPainter, at: QPointF, shape: str, color: QColor) -> None:
        r = 2.6 * self.k
        p.save()
        p.setPen(self.pen(color, 0.9))
        p.setBrush(QBrush(QColor("#FFFFFF")))
        if shape == "circle":
            p.drawEllipse(at, r, r)
        elif shape == "square":
            p.drawRect(QRectF(at.x() - r * 0.9, at.y() - r * 0.9, r * 1.8, r * 1.8))
        else:
            p.drawPolygon(
                QPolygonF(
                    [
                        QPointF(at.x(), at.y() - r * 1.15),
                        QPointF(at.x() + r * 1.05, at.y() + r * 0.8),
                        QPointF(at.x() - r * 1.05, at.y() + r * 0.8),
                    ]
                )
            )
        p.restore()

    # -- paint pass ------------------------------------------------------------------------

    def paint(self, painter: QPainter, pages: list[list[tuple[float, _Op]]]) -> None:
        total = len(pages)
        for number, ops in enumerate(pages, start=1):
            if number > 1:
                self.device.newPage()
            painter.save()
            painter.translate(self.origin)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
            self._running(painter, number, total)
            for y, op in ops:
                painter.save()
                op(painter, y)
                painter.restore()
            painter.restore()

    def _running(self, p: QPainter, number: int, total: int) -> None:
        doc = self.document
        s = self.s_running
        line_h = self.text.line_height(s)
        if number > 1:
            right_w = self.text.width(s, doc.header_right)
            left = self.text.elide(s, doc.header_left, self.width - right_w - self.pt(16))
            self.text.draw(p, s, self.left, self.header_y, left)
            self.text.draw(
                p, s, self.left, self.header_y, doc.header_right, align="right", width=self.width
            )
            self._rule(p, self.left, self.right, self.header_y + line_h + self.pt(1), HAIRLINE, 0.5)
        page = f"Page {number} of {total}"
        page_w = self.text.width(s, page)
        footer = self.text.elide(s, doc.footer_left, self.width - page_w - self.pt(16))
        top = self.footer_y - line_h
        self._rule(p, self.left, self.right, top - self.pt(3), HAIRLINE, 0.5)
        self.text.draw(p, s, self.left, top, footer)
        self.text.draw(p, s, self.left, top, page, align="right", width=self.width)

    # -- primitives ------------------------------------------------------------------------

    def _rule(
        self, p: QPainter, x0: float, x1: float, y: float, color: QColor, width_pt: float
    ) -> None:
        p.setPen(self.pen(color, width_pt))
        p.drawLine(QPointF(x0, y), QPointF(x1, y))

    def _vline(
        self, p: QPainter, x: float, y0: float, y1: float, color: QColor, width_pt: float
    ) -> None:
        p.setPen(self.pen(color, width_pt))
        p.drawLine(QPointF(x, y0), QPointF(x, y1))


# --------------------------------------------------------------------------------------------
# chart helpers (pure)

_LEVEL_ORDER = {
    "tier": 0,
    "take_profit": 1,
    "entry": 2,
    "bankruptcy": 3,
    "stop": 4,
    "liquidation": 5,
    "mark": 6,
}


def _nice_ticks(lo: float, hi: float, count: int) -> tuple[list[float], float]:
    """Round values between ``lo`` and ``hi`` (about ``count`` of them) and their step."""
    span = hi - lo
    if not math.isfinite(span) or span <= 0:
        return [lo], 1.0
    raw = span / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = magnitude
    for multiple in (1.0, 2.0, 2.5, 5.0, 10.0):
        step = multiple * magnitude
        if step >= raw:
            break
    start = math.ceil(lo / step) * step
    ticks = []
    value = start
    while value <= hi + step * 1e-9:
        ticks.append(round(value, 12))
        value += step
    return ticks, step


def _label_capacity(top: float, bottom: float, line_h: float) -> int:
    return max(1, int((bottom - top) / line_h) + 1)


def _fit_labels(
    wanted: list[tuple[float, LadderLabel]], top: float, bottom: float, line_h: float
) -> list[tuple[float, float, LadderLabel]]:
    """Label positions (desired y, placed y, level): sorted top to bottom, at least ``line_h``
    apart, within ``top``…``bottom``. When they cannot all fit, the least important levels
    (highest priority number) lose their label first."""
    capacity = _label_capacity(top, bottom, line_h)
    chosen = sorted(wanted, key=lambda item: (item[1].priority, item[0]))[:capacity]
    chosen.sort(key=lambda item: item[0])
    placed: list[float] = []
    for desired, _ in chosen:
        y = max(desired, top + line_h / 2)
        if placed:
            y = max(y, placed[-1] + line_h)
        placed.append(y)
    limit = bottom - line_h / 2
    for i in range(len(placed) - 1, -1, -1):
        ceiling = limit if i == len(placed) - 1 else placed[i + 1] - line_h
        placed[i] = min(placed[i], ceiling)
    return [(d, y, lv) for (d, lv), y in zip(chosen, placed, strict=True)]
