"""Tables of the report as ReportLab flowables that split between pages in linear time.

``PagedTable`` measures every row once, and when the frame runs out it cuts the rows that fit
into a ReportLab ``Table`` (with the header row) and hands the rest on: rows never split, rows
of one group stay together, the header is repeated on every page, and a table of 20,000 rows
costs 20,000 rows, not pages × rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, FrameBreak, Paragraph

from planner.report.model import Table as TableBlock
from planner.report.pdf_style import (
    BAND,
    BOLD,
    HAIRLINE,
    INK,
    NARROW,
    NARROW_BOLD,
    RULE,
    TOTAL_BAND,
    escape,
    safe,
    styles,
)

PAD_X, PAD_Y = 2.5, 1.6
CONTINUED_HEIGHT = 13.0
MIN_FONT = 7.0
#: columns are measured on the widest rows by character count (not every row of a big table)
MEASURED_ROWS = 40


class _Sizes:
    def __init__(self, font_size: float) -> None:
        self.font = font_size
        self.leading = round(font_size * 1.2, 2)


def _text_width(text: str, font: str, size: float) -> float:
    return max(stringWidth(line, font, size) for line in text.split("\n"))


def layout_columns(block: TableBlock, width: float) -> tuple[list[float], float]:
    """Column widths that fill ``width`` and the font size (smaller for wide tables, never
    under ``MIN_FONT``); wrap columns take what is left."""
    size = 7.0 if block.compact else 7.5
    rows = [r for r in block.rows if not r.span]
    widest: list[list[str]] = []
    for k in range(len(block.columns)):
        cells = sorted((r.cells[k] for r in rows), key=len, reverse=True)[:MEASURED_ROWS]
        widest.append(cells)
    while True:
        natural = []
        for k, column in enumerate(block.columns):
            head = _text_width(safe(column.title), NARROW_BOLD, size)
            body = max((_text_width(safe(c), NARROW_BOLD, size) for c in widest[k]), default=0)
            if column.wrap:
                natural.append(max(head, min(body, 60.0)) + 2 * PAD_X)
            else:
                natural.append(max(head, body) + 2 * PAD_X)
        total = sum(natural)
        if total <= width or size <= MIN_FONT:
            break
        size = max(MIN_FONT, size - 0.5)
    spare = width - total
    wraps = [k for k, c in enumerate(block.columns) if c.wrap]
    if spare > 0 and wraps:
        for k in wraps:
            natural[k] += spare / len(wraps)
    elif spare > 0:
        natural = [w + spare / len(natural) for w in natural]
    elif spare < 0:
        scale = width / total
        natural = [w * scale for w in natural]
    return natural, size


class PagedTable(Flowable):
    """A model ``Table`` laid out once, split page by page without re-measuring."""

    def __init__(self, block: TableBlock, width: float) -> None:
        super().__init__()
        self.block = block
        self.widths, font_size = layout_columns(block, width)
        self.sizes = _Sizes(font_size)
        self.cell_style = ParagraphStyle(
            "cell", parent=styles()["cell"], fontSize=font_size, leading=self.sizes.leading
        )
        self.header = [self._header_cell(c.title, c.align) for c in block.columns]
        head_lines = max(c.title.count("\n") + 1 for c in block.columns)
        self.header_height = head_lines * self.sizes.leading + 2 * PAD_Y + 1
        self.rows = list(range(len(block.rows)))
        self._heights: list[float] = []
        self._cells: list[list[object]] = []
        for row in block.rows:
            cells, height = self._row(row)
            self._cells.append(cells)
            self._heights.append(height)
        self.start = 0
        self.stop = len(block.rows)

    # -- measuring ---------------------------------------------------------------------------

    def _header_cell(self, text: str, align: str) -> str:
        return safe(text)

    def _row(self, row) -> tuple[list[object], float]:
        lead = self.sizes.leading
        if row.span:
            width = sum(self.widths) - 2 * PAD_X
            para = Paragraph(escape(row.cells[0]), self.cell_style)
            _, h = para.wrap(width, 10**6)
            return [para] + [""] * (len(self.widths) - 1), h + 2 * PAD_Y
        cells: list[object] = []
        height = lead
        for k, (text, column) in enumerate(zip(row.cells, self.block.columns, strict=True)):
            if column.wrap and text:
                para = Paragraph(escape(text), self.cell_style)
                _, h = para.wrap(self.widths[k] - 2 * PAD_X, 10**6)
                cells.append(para)
                height = max(height, h)
            else:
                cells.append(safe(text))
                height = max(height, (text.count("\n") + 1) * lead)
        return cells, height + 2 * PAD_Y

    def _head(self) -> float:
        """The header's height, with the "… (continued)" caption line after a page break."""
        continued = CONTINUED_HEIGHT if self.start > 0 and self.block.caption else 0.0
        return self.header_height + continued

    def lead_height(self, rows: int) -> float:
        """The header and the first ``rows`` rows: what must fit under a caption."""
        return self._head() + sum(self._heights[self.start : self.start + rows])

    # -- flowable protocol -------------------------------------------------------------------

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = sum(self.widths)
        self.height = self._head() + sum(self._heights[self.start : self.stop])
        return self.width, self.height

    def _fits(self, available_height: float) -> int:
        """How many rows from ``start`` fit under the header (whole groups only, unless a group
        is taller than a page)."""
        room = available_height - self._head()
        end = self.start
        rows = self.block.rows
        while end < self.stop and room >= self._heights[end]:
            room -= self._heights[end]
            end += 1
        if end < self.stop and end > self.start:
            group = rows[end].group
            if group is not None and rows[end - 1].group == group:
                back = end
                while back > self.start and rows[back - 1].group == group:
                    back -= 1
                if back > self.start:
                    end = back
        return end - self.start

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        n = self._fits(available_height)
        if n == 0 or n >= self.stop - self.start:
            return [] if n == 0 else [self]
        first = self._part(self.start, self.start + n)
        rest = self._part(self.start + n, self.stop)
        # the rest starts on the next page, even when a group boundary left room here
        return [first, FrameBreak(), rest]

    def _part(self, start: int, stop: int) -> PagedTable:
        part = object.__new__(PagedTable)
        state = {k: v for k, v in self.__dict__.items() if k not in ("_postponed", "canv")}
        part.__dict__.update(state)
        part.start, part.stop = start, stop
        return part

    def draw(self) -> None:
        """Rows drawn straight onto the canvas: a ReportLab ``Table`` costs ~150 µs a cell,
        this ~20 µs, which is what makes a 20,000-row plan printable."""
        canv = self.canv
        rows = self.block.rows[self.start : self.stop]
        widths = self.widths
        lefts = [sum(widths[:k]) for k in range(len(widths))]
        total_width = sum(widths)
        lead = self.sizes.leading
        size = self.sizes.font
        ascent = size * 0.78
        columns = self.block.columns
        y = self.height
        canv.saveState()
        canv.setFillColor(INK)

        def text_row(cells: Sequence[object], top: float, font: str, span: bool) -> None:
            canv.setFont(font, size)
            for k, cell in enumerate(cells):
                if isinstance(cell, Paragraph):
                    width = total_width if span else widths[k]
                    _, h = cell.wrap(width - 2 * PAD_X, 10**6)
                    cell.drawOn(canv, lefts[k] + PAD_X, top - PAD_Y - h)
                    continue
                if not cell:
                    continue
                align = columns[k].align
                for n, line in enumerate(str(cell).split("\n")):
                    base = top - PAD_Y - ascent - n * lead
                    if align == "right":
                        canv.drawRightString(lefts[k] + widths[k] - PAD_X, base, line)
                    elif align == "center":
                        canv.drawCentredString(lefts[k] + widths[k] / 2, base, line)
                    else:
                        canv.drawString(lefts[k] + PAD_X, base, line)

        if self.start > 0 and self.block.caption:
            canv.setFont(BOLD, 8)
            canv.drawString(0, y - 9, safe(f"{self.block.caption} (continued)"))
            y -= CONTINUED_HEIGHT
        # header, bottom-aligned
        head_lines = max(c.title.count("\n") + 1 for c in columns)
        canv.setFont(NARROW_BOLD, size)
        for k, column in enumerate(columns):
            lines = self.header[k].split("\n")
            for n, line in enumerate(lines):
                base = y - PAD_Y - ascent - (head_lines - len(lines) + n) * lead
                if column.align == "right":
                    canv.drawRightString(lefts[k] + widths[k] - PAD_X, base, line)
                else:
                    canv.drawString(lefts[k] + PAD_X, base, line)
        y -= self.header_height
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.8)
        canv.line(0, y, total_width, y)
        band = False
        previous_group: int | None = None
        for i, row in enumerate(rows):
            height = self._heights[self.start + i]
            fill = None
            if row.group is not None:
                if row.group != previous_group:
                    band = not band
                previous_group = row.group
                fill = BAND if band else None
            elif i % 2 == 1:
                fill = BAND
            if row.total:
                fill = TOTAL_BAND
            if fill is not None:
                canv.setFillColor(fill)
                canv.rect(0, y - height, total_width, height, stroke=0, fill=1)
                canv.setFillColor(INK)
            if row.total:
                canv.setStrokeColor(RULE)
                canv.setLineWidth(0.6)
                canv.line(0, y, total_width, y)
            font = NARROW_BOLD if (row.emphasis or row.total) else NARROW
            text_row(self._cells[self.start + i], y, font, row.span)
            y -= height
            if not row.span and i < len(rows) - 1:
                canv.setStrokeColor(HAIRLINE)
                canv.setLineWidth(0.25)
                canv.line(0, y, total_width, y)
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.8)
        canv.line(0, y, total_width, y)
        canv.restoreState()
