"""The report as a document model: sections of blocks that any renderer can lay out.

Blocks hold finished text (numbers already formatted by ``planner.domain.formatting``) and, for
charts, plain numbers to plot. Nothing here knows about pages, fonts or Qt.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

Align = Literal["left", "right", "center"]
ParagraphStyle = Literal["body", "lead", "note", "warning", "quote"]
#: red / amber / green, as a desk flags a risk
Severity = Literal["red", "amber", "green"]


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str
    style: ParagraphStyle = "body"


@dataclass(frozen=True, slots=True)
class Subheading:
    text: str
    #: an outline entry under the section's (a symbol, a sub-part)
    bookmark: bool = False


@dataclass(frozen=True, slots=True)
class Flag:
    """One warning line with its colour (red: act now, amber: look at it, green: all clear)."""

    severity: Severity
    text: str
    position: str = ""


@dataclass(frozen=True, slots=True)
class FlagList:
    flags: tuple[Flag, ...]
    title: str = ""


@dataclass(frozen=True, slots=True)
class BulletList:
    items: tuple[str, ...]
    style: ParagraphStyle = "body"


@dataclass(frozen=True, slots=True)
class KeyValueList:
    """Label–value pairs; ``columns`` = 2 lays the pairs out in two columns side by side."""

    items: tuple[tuple[str, str], ...]
    title: str = ""
    columns: int = 1
    #: drawn as a boxed panel of key figures (the factsheet)
    boxed: bool = False


@dataclass(frozen=True, slots=True)
class Column:
    title: str  # may hold "\n" for a two-line header
    align: Align = "left"
    #: a text column that wraps to fit (notes, sentences); other columns keep one line per "\n"
    wrap: bool = False


@dataclass(frozen=True, slots=True)
class Row:
    cells: tuple[str, ...]
    #: rows of one group are kept on one page and share a background band
    group: int | None = None
    #: the row's single cell spans every column (a sentence under a group)
    span: bool = False
    emphasis: bool = False  # bold: a total, or a row that needs attention
    #: a subtotal or total row: ruled above and shaded
    total: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    caption: str = ""
    footnote: str = ""
    #: a line under the caption (where the figures come from)
    subcaption: str = ""
    #: smaller type and tighter rows (large plans)
    compact: bool = False

    def __post_init__(self) -> None:
        for row in self.rows:
            expected = 1 if row.span else len(self.columns)
            if len(row.cells) != expected:
                raise ValueError(f"row {row.cells!r} has {len(row.cells)} cells, not {expected}")

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(c.title for c in self.columns)

    def column(self, title: str) -> tuple[str, ...]:
        """The cells of the column whose title (newlines as spaces) is ``title``."""
        titles = [c.title.replace("\n", " ") for c in self.columns]
        k = titles.index(title)
        return tuple(r.cells[k] for r in self.rows if not r.span)


LevelKind = Literal[
    "mark", "entry", "stop", "take_profit", "liquidation", "bankruptcy", "tier", "break_even"
]


@dataclass(frozen=True, slots=True)
class LadderLevel:
    """A line across the ladder."""

    kind: LevelKind
    price: float
    label: str  # what the level is ("eth-conviction stop")
    price_text: str  # the price as format_price shows it


@dataclass(frozen=True, slots=True)
class LadderLabel:
    """A label beside the ladder, pointing at ``price``: one level, or several of one kind
    ("entry ×25" with the range of their prices)."""

    kind: LevelKind
    price: float
    text: str
    price_text: str
    #: 0 = always labelled; higher = labelled only while there is room
    priority: int = 1
    count: int = 1


@dataclass(frozen=True, slots=True)
class PriceLadderChart:
    symbol: str
    mark_price: float
    levels: tuple[LadderLevel, ...]
    labels: tuple[LadderLabel, ...] = ()
    title: str = ""


@dataclass(frozen=True, slots=True)
class CurveMarker:
    move: float
    equity: float
    label: str  # "ETHUSDT long bucket", "cross pool"


@dataclass(frozen=True, slots=True)
class MoveMark:
    """A vertical reference on the equity chart: a stop, a target or break-even of the symbol,
    as a move from the mark (several merged into one label when they crowd)."""

    kind: LevelKind
    move: float
    label: str


@dataclass(frozen=True, slots=True)
class Curve:
    key: str  # "planned", "all_cross", "all_isolated"
    name: str
    moves: tuple[float, ...]  # fractions, e.g. -0.5 … 0.5
    equity: tuple[float, ...]
    markers: tuple[CurveMarker, ...] = ()


@dataclass(frozen=True, slots=True)
class EquityCurveChart:
    symbol: str
    currency: str
    curves: tuple[Curve, ...]
    title: str = ""
    x_label: str = ""
    y_label: str = ""
    #: the equity now, drawn as a reference line
    reference_equity: float | None = None
    #: the range of moves drawn (fits every liquidation, stop and target)
    move_range: tuple[float, float] = (-0.5, 0.5)
    marks: tuple[MoveMark, ...] = ()
    #: e.g. "All cross coincides with As planned"
    note: str = ""


Chart = PriceLadderChart | EquityCurveChart


@dataclass(frozen=True, slots=True)
class Figure:
    """Charts side by side, kept together with their caption; ``widths`` are relative."""

    charts: tuple[Chart, ...]
    caption: str = ""
    widths: tuple[float, ...] = ()
    height: float = 210.0  # points
    #: an outline entry (the symbol) under the section's
    bookmark: str = ""


Block = Paragraph | Subheading | BulletList | KeyValueList | Table | Figure | FlagList


@dataclass(frozen=True, slots=True)
class Section:
    key: str  # a stable name for tests and links: "assumptions", "positions", …
    title: str
    blocks: tuple[Block, ...]
    page_break_before: bool = False
    #: an appendix: its heading is numbered "Appendix"
    appendix: bool = False


@dataclass(frozen=True, slots=True)
class ReportDocument:
    title: str
    plan_name: str
    generated: str
    app_version: str
    cover: KeyValueList
    sections: tuple[Section, ...]
    #: running header and footer text
    header_left: str = ""
    header_right: str = ""
    footer_left: str = ""
    #: files embedded in the PDF (the plan itself, so the report can be reproduced)
    attachments: tuple[tuple[str, bytes, str], ...] = field(default=())
    #: document metadata
    author: str = ""
    subject: str = ""
    keywords: tuple[str, ...] = ()

    def section(self, key: str) -> Section:
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)

    def iter_text(self) -> Iterator[str]:
        """Every piece of text in reading order (for tests and search)."""
        yield self.title
        yield self.plan_name
        yield from _block_text(self.cover)
        for section in self.sections:
            yield section.title
            for block in section.blocks:
                yield from _block_text(block)

    def text(self) -> str:
        return "\n".join(self.iter_text())


def _block_text(block: Block) -> Iterator[str]:
    if isinstance(block, Paragraph | Subheading):
        yield block.text
    elif isinstance(block, BulletList):
        yield from block.items
    elif isinstance(block, FlagList):
        if block.title:
            yield block.title
        for flag in block.flags:
            yield f"{flag.severity.upper()} {flag.position} {flag.text}".replace("  ", " ")
    elif isinstance(block, KeyValueList):
        if block.title:
            yield block.title
        for key, value in block.items:
            yield f"{key}: {value}"
    elif isinstance(block, Table):
        if block.caption:
            yield block.caption
        if block.subcaption:
            yield block.subcaption
        yield " | ".join(block.header)
        for row in block.rows:
            yield " | ".join(row.cells)
        if block.footnote:
            yield block.footnote
    elif isinstance(block, Figure):
        for chart in block.charts:
            yield chart.title
            if isinstance(chart, PriceLadderChart):
                for label in chart.labels:
                    yield f"{label.text} {label.price_text}"
            else:
                for curve in chart.curves:
                    yield curve.name
                    for marker in curve.markers:
                        yield marker.label
                if chart.note:
                    yield chart.note
        if block.caption:
            yield block.caption
