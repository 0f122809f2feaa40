"""What the price ladder draws, apart from the drawing: level keys and styles, tick snapping,
label text and placement, and the plan a dragged level makes."""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from dataclasses import dataclass, field

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetricsF

from planner.domain.errors import PlanError
from planner.domain.formatting import decimals_for_tick, format_percent, format_price
from planner.domain.ladder import Ladder, Level
from planner.domain.plan import Plan
from planner.ui.document import edits

#: (kind, position id, take-profit index); tier boundaries are keyed by their label
LevelKey = tuple[str, str | None, int | None]

#: label priority: lower is placed first and may push its neighbours aside
PRIORITY = {
    "mark": 0,
    "liquidation": 1,
    "stop": 2,
    "entry": 3,
    "take_profit": 4,
    "bankruptcy": 5,
    "tier": 6,
    "liquidation_after_fills": 1,
    "scale_in": 4,
}
Z = {"zone": -20.0, "tier": -10.0, "other": 0.0, "selected": 10.0, "mark": 12.0, "label": 20.0}
#: styles of the faint lines of the other positions (one curve each)
FAINT_STYLES = (
    "entry",
    "stop",
    "take_profit",
    "liquidation_isolated",
    "liquidation_cross",
    "bankruptcy",
)
#: how close (pixels) a click must be to a faint line to select its position
CLICK_PIXELS = 5.0
#: the ladder is a column of horizontal lines: x runs over [0, 1] and is not a quantity
X_RANGE = (0.0, 1.0)
LABEL_X = 0.995
#: fraction of the price span added above and below the levels when fitting the view
FIT_PADDING = 0.08
#: a following view that the fitted levels fill less of than this is refitted: the scale an
#: edit left behind when it brought far lines back near the mark
MIN_FILL = 0.5
STATUS_TIMEOUT_MS = 8000

_KIND_WORDS = {"entry": "entry", "stop": "stop", "bankruptcy": "bankruptcy", "mark": "mark"}
_DRAG_WORDS = {"entry": "entry", "stop": "stop"}


def level_key(level: Level) -> LevelKey:
    if level.kind == "tier":
        return ("tier", level.label, None)
    return (level.kind, level.position_id, level.index)


def level_style(level: Level) -> str:
    """The theme style of a level: its kind, with liquidation split by margin mode."""
    if level.kind == "liquidation":
        return "liquidation_cross" if level.margin_mode == "cross" else "liquidation_isolated"
    if level.kind == "scale_in" and level.reachable is False:
        return "scale_in_unreachable"
    return level.kind


def snap_to_tick(price: float, tick_size: float | None) -> float:
    """``price`` on the market's tick grid (without a tick: rounded as it is displayed); never
    below one tick, so a dragged price stays above 0."""
    decimals = decimals_for_tick(tick_size, price)
    if tick_size is not None and tick_size > 0:
        snapped = round(round(price / tick_size) * tick_size, decimals)
        return max(snapped, tick_size)
    return max(round(price, decimals), 10.0**-decimals)


def lowest_price(tick_size: float | None, price: float) -> float:
    """The lowest price a line can be dragged to."""
    if tick_size is not None and tick_size > 0:
        return tick_size
    return 10.0 ** -decimals_for_tick(None, price)


@dataclass(eq=False)
class LevelItem:
    """One level on the chart: its line and its label (pooled, reused across levels)."""

    line: pg.InfiniteLine
    label: pg.TextItem
    key: LevelKey | None = None
    style: tuple[object, ...] | None = None
    text: str = ""
    price: float = math.nan
    #: the label's texts from the longest to the shortest, and which one is shown
    variants: tuple[str, ...] = ()
    variant: int = 0


class TextWidths:
    """The pixel width of a bold label showing a text, measured once per text."""

    def __init__(self, font: QFont) -> None:
        bold = QFont(font)
        bold.setBold(True)
        self._metrics = QFontMetricsF(bold)
        self._widths: dict[str, float] = {}

    def width(self, text: str) -> float:
        width = self._widths.get(text)
        if width is None:
            width = self._metrics.horizontalAdvance(text) + 2 * LABEL_DOCUMENT_MARGIN + 1
            if len(self._widths) > 4096:  # prices change with every drag: keep it bounded
                self._widths.clear()
            self._widths[text] = width
        return width


@dataclass(eq=False)
class Drag:
    """A drag in progress: which level, the plan it started from, the last valid preview."""

    item: LevelItem
    key: LevelKey
    base: Plan
    last_price: float | None = None
    last_plan: Plan | None = None
    reported: set[str] = field(default_factory=set)


def plan_with_level(plan: Plan, key: LevelKey, price: float, symbol: str | None) -> Plan:
    """``plan`` with the dragged level at ``price`` (a ``PlanError`` if the plan refuses)."""
    kind, position_id, index = key
    if kind == "mark":
        markets = [m.symbol for m in plan.markets]
        return edits.set_market_field(plan, markets.index(symbol), "mark_price", price)
    assert position_id is not None
    i = next(i for i, p in enumerate(plan.positions) if p.id == position_id)
    if kind == "entry":
        return edits.set_position_field(plan, i, "entry_price", price)
    if kind == "stop":
        return edits.set_position_field(plan, i, "stop_loss", price)
    if kind == "take_profit":
        assert index is not None
        targets = [tp.model_dump() for tp in plan.positions[i].take_profits]
        targets[index]["price"] = price
        return edits.set_position_field(plan, i, "take_profits", targets)
    if kind == "scale_in":
        assert index is not None
        adds = [add.model_dump() for add in plan.positions[i].scale_in]
        adds[index]["price"] = price
        return edits.set_position_field(plan, i, "scale_in", adds)
    raise PlanError(f"{kind} lines cannot be dragged", field=kind)


def level_price(plan: Plan, key: LevelKey, symbol: str | None) -> float | None:
    kind, position_id, index = key
    if kind == "mark":
        return plan.market(symbol).mark_price if symbol else None
    position = plan.position(position_id or "")
    if kind == "entry":
        return position.entry_price
    if kind == "stop":
        return position.stop_loss
    if kind == "scale_in":
        return position.scale_in[index or 0].price
    return position.take_profits[index or 0].price


def drag_subject(key: LevelKey, symbol: str | None) -> str:
    kind, position_id, index = key
    if kind == "mark":
        return f"{symbol} mark"
    word = _DRAG_WORDS.get(kind) or (
        f"add {(index or 0) + 1}" if kind == "scale_in" else f"take-profit {(index or 0) + 1}"
    )
    return f"{word} of {position_id}"


def label_text(level: Level, mark: float, tick: float | None, selected: str) -> str:
    """A level's label: what it is, its price and, for a position's stop, take-profits,
    liquidation and bankruptcy, the move from that position's entry (the mark and the entry
    carry no percentage; a tier boundary is the move from the mark that reaches it)."""
    return label_variants(level, mark, tick, selected)[0]


def label_variants(
    level: Level, mark: float, tick: float | None, selected: str
) -> tuple[str, str, str]:
    """A level's label in full, without its percentage, and as one word: where lines crowd,
    a shorter text keeps a label on its line."""
    price = format_price(level.price, tick)
    if level.kind == "mark":
        return (f"mark {price}", f"mark {price}", "mark")
    if level.kind == "tier":
        distance = format_percent(level.distance_from(mark), 2, sign=True)
        tier = level.label.rsplit(" ", 2)[-2:]
        return (f"{level.label} · {price} · {distance}", f"{level.label} · {price}", " ".join(tier))
    if level.kind == "take_profit":
        word = f"TP{(level.index or 0) + 1}"
    elif level.kind == "liquidation":
        word = f"liq. {level.margin_mode}"
    elif level.kind == "scale_in":
        word = f"add {(level.index or 0) + 1}" + ("" if level.reachable is not False else " ✗")
    elif level.kind == "liquidation_after_fills":
        word = "liq. after adds"
    else:
        word = _KIND_WORDS[level.kind]
    who = "" if level.position_id == selected else f"{level.position_id} "
    move = level.move_from_entry()
    tail = "" if move is None else f" · {format_percent(move, 2, sign=True)}"
    return (f"{who}{word} {price}{tail}", f"{who}{word} {price}", f"{who}{word}")


def line_tip(level: Level, movable: bool) -> str:
    tips = {
        "mark": "The mark price: every figure is computed at it.",
        "entry": "Entry price of the position.",
        "stop": "Stop-loss: the loss at the stop is counted here.",
        "take_profit": "A take-profit level.",
        "liquidation": (
            "Liquidation price of the isolated bucket: its margin is lost here."
            if level.margin_mode == "isolated"
            else "Liquidation price of the cross pool for this symbol, other marks held."
        ),
        "bankruptcy": "Bankruptcy price: the margin is exhausted here.",
        "tier": "A leg's notional crosses into another maintenance tier at this price.",
        "scale_in": (
            "A planned add (scale-in)."
            if level.reachable is not False
            else "A planned add that cannot fill: the position is liquidated on the way."
        ),
        "liquidation_after_fills": "Liquidation price once every planned add has filled.",
    }
    tip = f"{level.label}: {tips[level.kind]}"
    return tip + (" Drag to change it." if movable else "")


def farthest(entry: float | None, targets: list[float]) -> float | None:
    if entry is None or not targets:
        return None
    return max(targets, key=lambda price: abs(price - entry))


#: pixels between a label and the plot's right edge, and between two labels side by side
LABEL_MARGIN = 4.0
LABEL_SPACING = 8.0
#: a TextItem's text sits this far inside its box on each side (QTextDocument's default)
LABEL_DOCUMENT_MARGIN = 4.0

#: a placed label: (centre y, left x, right x) in pixels of the view
Box = tuple[float, float, float]


def clashes(boxes: list[Box], y: float, left: float, right: float, gap: float) -> list[Box]:
    """The placed boxes that a label centred at ``y`` from ``left`` to ``right`` would touch."""
    return [
        box
        for box in boxes
        if abs(box[0] - y) < gap
        and left < box[2] + LABEL_SPACING
        and right > box[1] - LABEL_SPACING
    ]


#: a placed label: its box and which of its texts it shows
Spot = tuple[Box, int]


def _rightmost(boxes: list[Box], y: float, label_width: float, width: float, gap: float) -> float:
    """The right edge of a label centred at ``y``: the plot's edge, or left of what it hits."""
    right = width - LABEL_MARGIN
    while hit := clashes(boxes, y, right - label_width, right, gap):
        right = min(box[1] for box in hit) - LABEL_SPACING
    return right


def _place_greedy(
    labels: list[tuple[float, tuple[float, ...]]],
    scale: tuple[float, float],
    width: float,
    gap: float,
    first_variant: int,
) -> list[Spot | None]:
    y_high, per_pixel = scale
    boxes: list[Box] = []
    spots: list[Spot | None] = []
    for price, widths in labels:
        y = (y_high - price) / per_pixel
        spot: Spot | None = None
        for variant in range(min(first_variant, len(widths) - 1), len(widths)):
            right = _rightmost(boxes, y, widths[variant], width, gap)
            if right - widths[variant] >= LABEL_MARGIN:
                spot = ((y, right - widths[variant], right), variant)
                boxes.append(spot[0])
                break
        spots.append(spot)
    return spots


def _lengthen(
    labels: list[tuple[float, tuple[float, ...]]],
    spots: list[Spot | None],
    width: float,
    gap: float,
) -> None:
    """Give each shortened label, in order, the longest text that fits where it is."""
    for i, ((_, widths), spot) in enumerate(zip(labels, spots, strict=True)):
        if spot is None or spot[1] == 0:
            continue
        (y, _, _), variant = spot
        others = [s[0] for k, s in enumerate(spots) if s is not None and k != i]
        for longer in range(variant):
            right = _rightmost(others, y, widths[longer], width, gap)
            if right - widths[longer] >= LABEL_MARGIN:
                spots[i] = ((y, right - widths[longer], right), longer)
                break


def place_on_lines(
    labels: list[tuple[float, tuple[float, ...]]],
    y_range: tuple[float, float],
    size: tuple[float, float],
    gap: float,
) -> tuple[list[tuple[float, int] | None], list[Box]]:
    """Where each label of ``labels`` ((price, pixel widths of its texts from the longest),
    placed in the order given) goes in a view of ``size`` (width, height) pixels showing
    ``y_range``: always centred on its own line — right-aligned at the plot's edge, or moved
    left along its line beside the labels it would cover, in a shorter text where the full one
    has no room — or None where even the shortest has none (hidden; the line keeps its
    tooltip). Returns each label's (right edge, text index) and the boxes placed.

    Every label tries its texts from the longest; where that hides or shortens labels, the
    layout that starts every label one text shorter is taken if it hides and cuts fewer, and
    then each label gets back the longest text that still fits where it is."""
    y_low, y_high = y_range
    width, height = size
    scale = (y_high, (y_high - y_low) / height)
    variants = max((len(widths) for _, widths in labels), default=1)
    best: tuple[tuple[int, int, int], list[Spot | None]] | None = None
    for first in range(max(variants - 1, 1)):
        spots = _place_greedy(labels, scale, width, gap, first)
        hidden = sum(spot is None for spot in spots)
        shortest = sum(1 for spot in spots if spot is not None and spot[1] == variants - 1)
        cut = sum(spot[1] for spot in spots if spot is not None)
        if best is None or (hidden, shortest, cut) < best[0]:
            best = ((hidden, shortest, cut), spots)
        if hidden == 0 and cut == 0:
            break
    assert best is not None
    spots = best[1]
    _lengthen(labels, spots, width, gap)
    placed = [(spot[0][2], spot[1]) if spot is not None else None for spot in spots]
    return placed, [spot[0] for spot in spots if spot is not None]


def faint_that_fit(
    faint: list[Level],
    boxes: list[Box],
    y_range: tuple[float, float],
    size: tuple[float, float],
    gap: float,
) -> list[Level]:
    """The other positions' levels whose label fits on its line (one per shared price and
    style): only where the whole row is free of every placed label, so that a faint label can
    never be taken for another line's; ``boxes`` grows with them."""
    y_low, y_high = y_range
    width, height = size
    per_pixel = (y_high - y_low) / height
    taken = sorted(box[0] for box in boxes)  # a faint row spans the width: only y matters
    fitting: list[Level] = []
    seen: set[tuple[str, float]] = set()
    for level in sorted(faint, key=lambda lv: (PRIORITY[lv.kind], lv.price)):
        same = (level_style(level), level.price)
        if not y_low <= level.price <= y_high or same in seen:
            continue
        y = (y_high - level.price) / per_pixel
        if not gap / 2 <= y <= height - gap / 2:
            continue
        i = bisect_left(taken, y)
        if (i < len(taken) and taken[i] - y < gap) or (i > 0 and y - taken[i - 1] < gap):
            continue
        insort(taken, y)
        boxes.append((y, LABEL_MARGIN, width - LABEL_MARGIN))
        seen.add(same)
        fitting.append(level)
    return fitting


def fit_range(ladder: Ladder) -> tuple[float, float]:
    """The price range Fit shows: every level but tier boundaries, padded, never below 0."""
    low, high = ladder.price_range()
    span = high - low
    if span <= 0:
        span = max(abs(high) * 0.05, 1e-9)
    padding = span * FIT_PADDING
    return max(0.0, low - padding), high + padding


def needs_fit(ladder: Ladder, selected: str, view: tuple[float, float]) -> bool:
    """A view that follows the plan is refitted when a line of the selected position is out
    of it, or when the fitted levels fill less than ``MIN_FILL`` of its height (lines squeezed
    into a corner of a scale that fitted where they were before)."""
    low, high = view
    if selected and any(not low <= lv.price <= high for lv in ladder.of_position(selected)):
        return True
    fit_low, fit_high = fit_range(ladder)
    return fit_high - fit_low < MIN_FILL * (high - low)


def configure_ladder_plot(plot: pg.PlotWidget) -> pg.ViewBox:
    """Set up a plot as a price ladder (vertical price axis, no x axis, no menu) and return its
    view box, limited to the ladder's x range and to positive prices."""
    plot.setObjectName("ladder_plot")
    plot.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    plot.setToolTip(
        "Drag the entry, stop, take-profit or mark line of the selected position: every "
        "figure follows live and the release is one undo step. Escape cancels a drag."
    )
    item = plot.getPlotItem()
    item.hideButtons()
    item.hideAxis("bottom")
    item.setMenuEnabled(False)
    # no grid: every level is labelled with its price, and a grid drawn by the axis would
    # make the axis repaint with every moved line
    view = item.getViewBox()
    view.setMouseEnabled(x=False, y=True)
    view.disableAutoRange()
    view.setXRange(*X_RANGE, padding=0)
    view.setLimits(xMin=X_RANGE[0], xMax=X_RANGE[1], yMin=0)
    return view


def header_text(plan: Plan, index: int | None, symbol: str, selected: str) -> str:
    """The line above the ladder: the symbol, the selected position and how many others."""
    if index is None:
        return f"{symbol} — no position selected; drag the mark line"
    position = plan.positions[index]
    others = sum(1 for p in plan.positions if p.symbol == symbol) - 1
    more = f" · {others} other position{'s' if others != 1 else ''} faint" if others else ""
    # what can be dragged is said by the tooltip: the header stays one or two lines in a
    # narrow dock and leaves the height to the ladder
    return f"{symbol} · {selected} ({position.side}, {position.margin_mode}){more}"
