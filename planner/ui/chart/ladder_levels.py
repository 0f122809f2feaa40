"""What the price ladder draws, apart from the drawing: level keys and styles, tick snapping,
label text and placement, and the plan a dragged level makes."""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from dataclasses import dataclass, field

import pyqtgraph as pg
from PySide6.QtCore import Qt

from planner.domain.errors import PlanError
from planner.domain.formatting import decimals_for_tick, format_percent, format_price
from planner.domain.ladder import Level
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
    return position.take_profits[index or 0].price


def drag_subject(key: LevelKey, symbol: str | None) -> str:
    kind, position_id, index = key
    if kind == "mark":
        return f"{symbol} mark"
    word = _DRAG_WORDS.get(kind) or f"take-profit {(index or 0) + 1}"
    return f"{word} of {position_id}"


def label_text(level: Level, mark: float, tick: float | None, selected: str) -> str:
    price = format_price(level.price, tick)
    if level.kind == "mark":
        return f"mark {price}"
    distance = format_percent(level.distance_from(mark), 2, sign=True)
    if level.kind == "tier":
        return f"{level.label} · {price} · {distance}"
    if level.kind == "take_profit":
        word = f"TP{(level.index or 0) + 1}"
    elif level.kind == "liquidation":
        word = f"liq. {level.margin_mode}"
    else:
        word = _KIND_WORDS[level.kind]
    who = "" if level.position_id == selected else f"{level.position_id} "
    return f"{who}{word} {price} · {distance}"


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
    }
    tip = f"{level.label}: {tips[level.kind]}"
    return tip + (" Drag to change it." if movable else "")


def farthest(entry: float | None, targets: list[float]) -> float | None:
    if entry is None or not targets:
        return None
    return max(targets, key=lambda price: abs(price - entry))


def spread(pixels: list[float], gap: float, height: float) -> list[float]:
    """Label centres (sorted top to bottom) moved apart to at least ``gap``, kept inside
    [gap/2, height − gap/2] where there is room: push down, then pull back up from the floor."""
    if not pixels:
        return []
    out = list(pixels)
    top, bottom = gap / 2, height - gap / 2
    out[0] = max(out[0], top)
    for i in range(1, len(out)):
        out[i] = max(out[i], out[i - 1] + gap)
    if out[-1] > bottom:
        out[-1] = bottom
        for i in range(len(out) - 2, -1, -1):
            out[i] = min(out[i], out[i + 1] - gap)
    return out


def fits(px: float, placed: list[float], gap: float) -> bool:
    i = bisect_left(placed, px)
    if i < len(placed) and placed[i] - px < gap:
        return False
    return not (i > 0 and px - placed[i - 1] < gap)


def place_labels(
    prices: list[float],
    faint: list[Level],
    y_range: tuple[float, float],
    height: float,
    gap: float,
) -> tuple[list[float], list[Level]]:
    """Where the labels of ``prices`` go (a price each, pushed apart where they crowd, in the
    order given) and which of the ``faint`` levels also fit between them (one label per shared
    price and style), in a view ``height`` pixels tall showing ``y_range`` with labels ``gap``
    pixels apart."""
    y_low, y_high = y_range
    per_pixel = (y_high - y_low) / height
    order = sorted(range(len(prices)), key=lambda i: -prices[i])
    pixels = spread([(y_high - prices[i]) / per_pixel for i in order], gap, height)
    placed_prices = [0.0] * len(prices)
    for i, px in zip(order, pixels, strict=True):
        placed_prices[i] = y_high - px * per_pixel
    placed = sorted(pixels)
    fitting: list[Level] = []
    seen: set[tuple[str, float]] = set()
    for level in sorted(faint, key=lambda lv: (PRIORITY[lv.kind], lv.price)):
        same = (level_style(level), level.price)
        if not y_low <= level.price <= y_high or same in seen:
            continue
        px = (y_high - level.price) / per_pixel
        if gap / 2 <= px <= height - gap / 2 and fits(px, placed, gap):
            insort(placed, px)
            seen.add(same)
            fitting.append(level)
    return placed_prices, fitting


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
