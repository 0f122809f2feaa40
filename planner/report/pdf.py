"""The report as a PDF, laid out by ReportLab's platypus — no Qt.

- ``export_pdf(plan, path, paper="a4", …) -> pages``: File ▸ Export PDF… and
  ``margin-planner export`` (atomic write; ``planner.storage.SaveError`` when the file cannot
  be written; ``TooManyPages`` when the report would exceed ``max_pages``).
- ``render_pdf_bytes(document, paper) -> (pdf, pages)``: the bytes, for a print preview.

Tables split between pages with their header repeated (``pdf_tables.PagedTable``); a heading
or a caption never ends a page (``KeepWithNext``); every page says "Page X of Y"; the outline
has an entry per section and per charted symbol; the plan is embedded as a file attachment.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFDictionary,
    PDFName,
    PDFObject,
    PDFStream,
    PDFStreamFilterZCompress,
    PDFString,
)
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from planner.domain.analysis import Analysis
from planner.domain.plan import Plan
from planner.report.content import build_report
from planner.report.model import ReportDocument, Table
from planner.report.pdf_blocks import section_flowables, title_flowables
from planner.report.pdf_style import MUTED, REGULAR, RULE, register_fonts, safe
from planner.storage.atomic import atomic_write

__all__ = [
    "PAPER_SIZES",
    "TooManyPages",
    "estimate_pages",
    "export_pdf",
    "render_pdf_bytes",
    "write_pdf",
]

PAPER_SIZES: dict[str, tuple[float, float]] = {"a4": A4, "letter": LETTER}
MARGIN_SIDE = 16 * mm
MARGIN_TOP = 19 * mm
MARGIN_BOTTOM = 17 * mm
#: the least height a table row takes (7 pt type): the page estimate is a lower bound
MIN_ROW_HEIGHT = 11.6


class TooManyPages(Exception):
    """The report would have more pages than allowed (``--max-pages``)."""

    def __init__(self, pages: int, limit: int, *, estimated: bool) -> None:
        self.pages, self.limit, self.estimated = pages, limit, estimated
        what = f"at least {pages}" if estimated else f"{pages}"
        super().__init__(
            f"the report would have {what} pages, more than the {limit} allowed "
            "(--max-pages); nothing was written"
        )


def export_pdf(
    plan: Plan,
    path: str | os.PathLike[str],
    paper: str = "a4",
    *,
    analysis: Analysis | None = None,
    source: str | None = None,
    author: str = "",
    full_tiers: bool = False,
    max_pages: int | None = None,
) -> int:
    """Write the report of ``plan`` to ``path`` (atomically); returns the number of pages."""
    if max_pages is not None:
        # the positions table alone has a row per position: refuse before any work
        least = 1 + int(len(plan.positions) * MIN_ROW_HEIGHT // frame_size(paper)[1])
        if least > max_pages:
            raise TooManyPages(least, max_pages, estimated=True)
    document = build_report(
        plan, analysis=analysis, source=source, author=author, full_tiers=full_tiers
    )
    return write_pdf(document, path, paper, max_pages=max_pages)


def write_pdf(
    document: ReportDocument,
    path: str | os.PathLike[str],
    paper: str = "a4",
    *,
    max_pages: int | None = None,
) -> int:
    """Render ``document`` and write it to ``path`` atomically (``planner.storage.atomic``)."""
    if max_pages is not None:
        least = estimate_pages(document, paper)
        if least > max_pages:
            raise TooManyPages(least, max_pages, estimated=True)
    data, pages = render_pdf_bytes(document, paper)
    if max_pages is not None and pages > max_pages:
        raise TooManyPages(pages, max_pages, estimated=False)
    atomic_write(Path(path), data)
    return pages


def frame_size(paper: str) -> tuple[float, float]:
    width, height = PAPER_SIZES[paper]
    return width - 2 * MARGIN_SIDE, height - MARGIN_TOP - MARGIN_BOTTOM


def estimate_pages(document: ReportDocument, paper: str = "a4") -> int:
    """A lower bound of the page count, from the table rows alone (no layout)."""
    _, height = frame_size(paper)
    rows = sum(
        len(block.rows)
        for section in document.sections
        for block in section.blocks
        if isinstance(block, Table)
    )
    return 1 + int(rows * MIN_ROW_HEIGHT // height)


# -- the document -------------------------------------------------------------------------------


class _Document(BaseDocTemplate):
    def afterFlowable(self, flowable: Flowable) -> None:
        outline = getattr(flowable, "outline", None)
        if outline is None:
            return
        key, title, level = outline
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(safe(title), key, level=level, closed=level == 0 and False)


class _RawName(PDFObject):
    """A PDF name written as given (``application#2Fjson``: ReportLab would escape the #)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def format(self, document) -> bytes:
        return ("/" + self.text).encode("ascii")


def _attach(canv: pdf_canvas.Canvas, attachments) -> None:
    """Embed files (``/EmbeddedFiles`` in the catalog's name tree)."""
    if not attachments:
        return
    doc = canv._doc
    names = []
    for name, data, mime in attachments:
        stream = PDFStream(
            PDFDictionary(
                {
                    "Type": PDFName("EmbeddedFile"),
                    "Subtype": _RawName(mime.replace("/", "#2F")),
                    "Params": PDFDictionary({"Size": len(data)}),
                }
            ),
            data.decode("latin-1"),
            filters=[PDFStreamFilterZCompress()],
        )
        spec = PDFDictionary(
            {
                "Type": PDFName("Filespec"),
                "F": PDFString(name),
                "UF": PDFString(name),
                "Desc": PDFString("the plan this report was made from"),
                "EF": PDFDictionary({"F": doc.Reference(stream)}),
                "AFRelationship": PDFName("Source"),
            }
        )
        names += [PDFString(name), doc.Reference(spec)]
    doc.Catalog.Names = PDFDictionary({"EmbeddedFiles": PDFDictionary({"Names": PDFArray(names)})})


def _canvas_maker(document: ReportDocument, paper: str):
    width, height = PAPER_SIZES[paper]

    class NumberedCanvas(pdf_canvas.Canvas):
        """Draws the running header and "Page X of Y" once the page count is known."""

        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            _attach(self, document.attachments)
            self.showOutline()
            super().save()

        def _decorate(self, total: int) -> None:
            number = self._pageNumber
            self.saveState()
            self.setFont(REGULAR, 7.5)
            self.setFillColor(MUTED)
            self.setStrokeColor(RULE)
            self.setLineWidth(0.4)
            if number > 1:
                top = height - MARGIN_TOP + 6 * mm
                self.drawString(MARGIN_SIDE, top, safe(document.header_left)[:110])
                self.drawRightString(width - MARGIN_SIDE, top, safe(document.header_right))
                self.line(MARGIN_SIDE, top - 2.5, width - MARGIN_SIDE, top - 2.5)
            bottom = MARGIN_BOTTOM - 9 * mm
            self.line(MARGIN_SIDE, bottom + 9, width - MARGIN_SIDE, bottom + 9)
            self.drawString(MARGIN_SIDE, bottom, safe(document.footer_left))
            self.drawRightString(width - MARGIN_SIDE, bottom, f"Page {number} of {total}")
            self.restoreState()

    return NumberedCanvas


def render_pdf_bytes(document: ReportDocument, paper: str = "a4") -> tuple[bytes, int]:
    """The PDF of ``document`` and its page count."""
    if paper not in PAPER_SIZES:
        raise ValueError(f"paper = {paper!r}: must be 'a4' or 'letter'")
    register_fonts()
    width, height = PAPER_SIZES[paper]
    frame_width, frame_height = frame_size(paper)
    buffer = io.BytesIO()
    doc = _Document(
        buffer,
        pagesize=(width, height),
        leftMargin=MARGIN_SIDE,
        rightMargin=MARGIN_SIDE,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"{document.title}: {document.plan_name}",
        author=document.author,
        subject=document.subject,
        keywords=list(document.keywords),
        creator=f"Margin Planner {document.app_version}",
        producer=f"Margin Planner {document.app_version} (ReportLab)",
        lang="en",
        initialFontName=REGULAR,
    )
    frame = Frame(
        MARGIN_SIDE,
        MARGIN_BOTTOM,
        frame_width,
        frame_height,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    story: list[Flowable] = [*title_flowables(document)]
    for section in document.sections:
        story += section_flowables(section, frame_width, frame_height)
    doc.build(story, canvasmaker=_canvas_maker(document, paper))
    data = buffer.getvalue()
    return data, doc.page
