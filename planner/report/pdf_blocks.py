"""The report's blocks as ReportLab flowables: headings that keep with what follows them,
paragraphs, key–value panels, warnings, tables and figures."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from planner.report import model
from planner.report.pdf_charts import figure_drawing
from planner.report.pdf_style import (
    ACCENT,
    BAND,
    BOLD,
    HAIRLINE,
    MUTED,
    RULE,
    SEVERITY_COLOURS,
    SEVERITY_TINTS,
    escape,
    styles,
)
from planner.report.pdf_tables import PagedTable

#: A heading needs this much of what follows it on its page (or all of it, if less).
FOLLOWING_LEAST = 70.0


class Heading(Paragraph):
    """A paragraph with an outline entry (key, title, level)."""

    def __init__(self, text: str, style, outline: tuple[str, str, int] | None) -> None:
        super().__init__(escape(text), style)
        self.outline = outline


class Bookmark(Flowable):
    """An outline entry where it is drawn (kept together with the figure it names)."""

    def __init__(self, key: str, title: str, level: int) -> None:
        super().__init__()
        self.outline = (key, title, level)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        pass


class KeepWithNext(CondPageBreak):
    """A page break unless the flowables given (a heading, a caption) and the start of the
    block after them fit on this page: no heading is ever the last thing on a page."""

    def __init__(self, leading: list[Flowable], following: Flowable | None) -> None:
        super().__init__(0)
        self.leading = leading
        self.following = following

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        need = 0.0
        for f in self.leading:
            need += f.wrapOn(self.canv, available_width, available_height)[1]
            need += f.getSpaceBefore() + f.getSpaceAfter()
        f = self.following
        if isinstance(f, PagedTable):
            need += f.lead_height(3)
        elif isinstance(f, KeepTogether):  # its wrap says "too tall" as 0xffffff: add it up
            need += sum(
                c.wrapOn(self.canv, available_width, 10**6)[1]
                + c.getSpaceBefore()
                + c.getSpaceAfter()
                for c in f._content
            )
        elif f is not None:
            height = f.wrapOn(self.canv, available_width, available_height)[1]
            splittable = isinstance(f, Paragraph)
            need += min(height, FOLLOWING_LEAST) if splittable else height
        self.height = need
        return super().wrap(available_width, available_height)


class AfterFirstPage(CondPageBreak):
    """A page break if the story is still on page 1 (the factsheet stands alone); nothing if
    page 1 already ran over."""

    def __init__(self) -> None:
        super().__init__(0)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.height = 10**9 if self.canv.getPageNumber() == 1 else 0
        return super().wrap(available_width, available_height)


def title_flowables(document: model.ReportDocument) -> list[Flowable]:
    s = styles()
    cover = " · ".join(f"{k}: {v}" for k, v in document.cover.items)
    return [
        Paragraph(escape(document.title), s["title"]),
        Paragraph(escape(document.plan_name), s["subtitle"]),
        Paragraph(escape(cover), s["note"]),
        Spacer(0, 2),
    ]


def section_flowables(section: model.Section, width: float, height: float) -> list[Flowable]:
    s = styles()
    title = f"Appendix: {section.title}" if section.appendix else section.title
    heading = Heading(title, s["h1"], (f"section-{section.key}", section.title, 0))
    blocks = [block_flowables(b, section, width) for b in section.blocks]
    out: list[Flowable] = []
    if section.page_break_before:
        out.append(AfterFirstPage())
    first = blocks[0] if blocks else []
    lead, following = _lead(first)
    rest = blocks[1:]
    if not lead and len(first) == 1 and isinstance(section.blocks[0], model.Paragraph) and rest:
        # an introductory paragraph goes with the heading onto the page of what it introduces
        lead = list(first)
        more, following = _lead(rest[0])
        lead += more
    out.append(KeepWithNext([heading, *lead], following))
    out.append(heading)
    out += first
    for flowables in rest:
        lead, following = _lead(flowables)
        if lead:
            out.append(KeepWithNext(lead, following))
        out += flowables
    return out


def _lead(flowables: list[Flowable]) -> tuple[list[Flowable], Flowable | None]:
    """The caption-like flowables at the start of a block and the first real one after them."""
    lead: list[Flowable] = []
    for f in flowables:
        if isinstance(f, Heading | Caption):
            lead.append(f)
        else:
            return lead, f
    return lead, None


class Caption(Paragraph):
    """A table caption or subheading (kept with what follows it)."""


def block_flowables(block: model.Block, section: model.Section, width: float) -> list[Flowable]:
    s = styles()
    if isinstance(block, model.Paragraph):
        return [Paragraph(escape(block.text), s[block.style])]
    if isinstance(block, model.Subheading):
        outline = (f"{section.key}-{block.text}", block.text, 1) if block.bookmark else None
        if outline is None:
            return [Caption(escape(block.text), s["h2"])]
        heading = Heading(block.text, s["h2"], outline)
        return [heading]
    if isinstance(block, model.BulletList):
        return [Paragraph(escape(item), s[block.style], bulletText="•") for item in block.items]
    if isinstance(block, model.KeyValueList):
        return key_values(block, width)
    if isinstance(block, model.FlagList):
        return flags(block, width)
    if isinstance(block, model.Table):
        out: list[Flowable] = []
        if block.caption:
            out.append(Caption(escape(block.caption), s["caption"]))
        if block.subcaption:
            out.append(Caption(escape(block.subcaption), s["subcaption"]))
        out.append(PagedTable(block, width))
        if block.footnote:
            out.append(Paragraph(escape(block.footnote), s["footnote"]))
        return out
    if isinstance(block, model.Figure):
        parts: list[Flowable] = []
        if block.bookmark:
            parts.append(Bookmark(f"{section.key}-{block.bookmark}", block.bookmark, 1))
        parts.append(figure_drawing(block, width))
        if block.caption:
            parts.append(Paragraph(escape(block.caption), s["footnote"]))
        return [KeepTogether(parts)]
    raise TypeError(f"unknown block {block!r}")


def key_values(block: model.KeyValueList, width: float) -> list[Flowable]:
    s = styles()
    out: list[Flowable] = []
    if block.title:
        out.append(Caption(escape(block.title), s["caption"]))
    items = list(block.items)
    columns = max(1, block.columns)
    per_column = -(-len(items) // columns)
    rows = []
    for r in range(per_column):
        row: list[object] = []
        for c in range(columns):
            k = c * per_column + r
            if k < len(items):
                key, value = items[k]
                value_style = s["value"] if block.boxed else s["flag"]
                row += [Paragraph(escape(key), s["key"]), Paragraph(escape(value), value_style)]
            else:
                row += ["", ""]
        rows.append(row)
    inner = width - (12 if block.boxed else 0)
    key_w = 0.2 * inner if columns > 1 else min(0.25 * inner, 130)
    value_w = inner / columns - key_w
    table = Table(rows, colWidths=[key_w, value_w] * columns, hAlign="LEFT")
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 5),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
    if block.boxed:
        commands += [
            ("BOX", (0, 0), (-1, -1), 0.9, ACCENT),
            ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#F5F7FA")),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("LINEBELOW", (0, 0), (-1, -2), 0.25, HAIRLINE),
        ]
    else:
        commands.append(("LINEBELOW", (0, 0), (-1, -1), 0.25, HAIRLINE))
    table.setStyle(TableStyle(commands))
    out.append(table)
    out.append(Spacer(0, 5))
    return out


def flags(block: model.FlagList, width: float) -> list[Flowable]:
    s = styles()
    out: list[Flowable] = []
    if block.title:
        out.append(Caption(escape(block.title), s["caption"]))
    rows = []
    commands: list[tuple] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONT", (0, 0), (0, -1), BOLD, 7.5),
        ("TEXTCOLOR", (0, 0), (0, -1), colors.white),
        ("ALIGN", (0, 0), (0, -1), "CENTER"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LINEBELOW", (0, 0), (-1, -1), 0.6, colors.white),
    ]
    for i, flag in enumerate(block.flags):
        text = escape(flag.text)
        if flag.position and not flag.text.startswith(flag.position):
            text = f"<b>{escape(flag.position)}</b>: {text}"
        rows.append([flag.severity.upper(), Paragraph(text, s["flag"])])
        commands.append(("BACKGROUND", (0, i), (0, i), SEVERITY_COLOURS[flag.severity]))
        commands.append(("BACKGROUND", (1, i), (1, i), SEVERITY_TINTS[flag.severity]))
    table = Table(rows, colWidths=[44, width - 44], hAlign="LEFT")
    table.setStyle(TableStyle(commands))
    out.append(table)
    out.append(Spacer(0, 4))
    return out


__all__ = ["BAND", "MUTED", "RULE", "block_flowables", "section_flowables", "title_flowables"]
