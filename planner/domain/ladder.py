"""The price ladder of one symbol: every price level a trader plans around, as data.

The chart and the PDF report draw the same ladder, so it is assembled here, from the plan and
its analysis, with no drawing code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from planner.domain.analysis import Analysis
from planner.domain.plan import Market

LevelKind = Literal[
    "mark",
    "entry",
    "stop",
    "take_profit",
    "liquidation",
    "bankruptcy",
    "tier",
    "scale_in",
    "liquidation_after_fills",
]
#: kinds of the plan in time, only in a ladder asked for them (``symbol_ladder(scale_in=True)``):
#: a planned add (draggable, ``index`` into ``scale_in``) and the liquidation price after the
#: last fill
TIME_KINDS = ("scale_in", "liquidation_after_fills")


@dataclass(frozen=True, slots=True)
class Level:
    kind: LevelKind
    price: float
    position_id: str | None  # None for the mark and for tier boundaries
    label: str
    #: the level can be dragged on the chart (mark, entry, stop, take-profit)
    draggable: bool
    #: which take-profit of the position (index into take_profits), else None
    index: int | None = None
    #: liquidation of an isolated bucket or of the cross pool
    margin_mode: str | None = None
    #: the entry price of the level's position (None for the mark and tier boundaries): a
    #: position's levels are read as moves from its entry, not from the mark
    entry_price: float | None = None
    #: a planned add: whether it can fill before the position is liquidated (else None)
    reachable: bool | None = None

    def distance_from(self, mark: float) -> float:
        return (self.price - mark) / mark

    def move_from_entry(self) -> float | None:
        """The price move from the position's entry to this level, as a signed fraction of
        the entry (a long's take-profit above its entry is positive, whatever the mark); None
        for the mark, tier boundaries and the entry itself."""
        if self.entry_price is None or self.kind == "entry" or self.entry_price <= 0:
            return None
        return (self.price - self.entry_price) / self.entry_price


@dataclass(frozen=True, slots=True)
class Ladder:
    symbol: str
    mark_price: float
    tick_size: float | None
    levels: tuple[Level, ...]

    def of_position(self, position_id: str) -> tuple[Level, ...]:
        return tuple(level for level in self.levels if level.position_id == position_id)

    def price_range(self) -> tuple[float, float]:
        prices = [level.price for level in self.levels if level.kind != "tier"]
        prices.append(self.mark_price)
        return min(prices), max(prices)


def symbol_ladder(analysis: Analysis, symbol: str, *, scale_in: bool = False) -> Ladder:
    """Every level of ``symbol``: the mark; each position's entry, stop, take-profits,
    liquidation and bankruptcy prices; and the prices where a leg moves to another tier.
    With ``scale_in``, also each planned add and the liquidation price after the last fill."""
    plan = analysis.plan
    market = plan.market(symbol)
    levels: list[Level] = [Level("mark", market.mark_price, None, "mark", True)]
    leg_quantity: dict[str, float] = {}
    # two columns read as plain lists: building every position's full result is the slow part
    # of a ladder that follows a drag
    liquidation = analysis.columns["liquidation_price"].tolist()
    bankruptcy = analysis.columns["bankruptcy_price"].tolist()
    for i, pos in enumerate(plan.positions):
        if pos.symbol != symbol:
            continue
        liquidation_price = _finite(liquidation[i])
        bankruptcy_price = _finite(bankruptcy[i])
        entry = pos.entry_price
        levels.append(Level("entry", entry, pos.id, f"{pos.id} entry", True, entry_price=entry))
        if pos.stop_loss is not None:
            levels.append(
                Level("stop", pos.stop_loss, pos.id, f"{pos.id} stop", True, entry_price=entry)
            )
        for k, tp in enumerate(pos.take_profits):
            levels.append(
                Level(
                    "take_profit",
                    tp.price,
                    pos.id,
                    f"{pos.id} TP{k + 1}",
                    True,
                    index=k,
                    entry_price=entry,
                )
            )
        if liquidation_price is not None:
            levels.append(
                Level(
                    "liquidation",
                    liquidation_price,
                    pos.id,
                    f"{pos.id} liquidation ({pos.margin_mode})",
                    False,
                    margin_mode=pos.margin_mode,
                    entry_price=entry,
                )
            )
        if bankruptcy_price is not None:
            levels.append(
                Level(
                    "bankruptcy",
                    bankruptcy_price,
                    pos.id,
                    f"{pos.id} bankruptcy",
                    False,
                    margin_mode=pos.margin_mode,
                    entry_price=entry,
                )
            )
        if scale_in and pos.scale_in:
            levels.extend(_scale_in_levels(analysis, i))
        leg_quantity[pos.side] = (
            leg_quantity.get(pos.side, 0.0) + pos.quantity * market.contract_size
        )
    levels.extend(_tier_levels(market, leg_quantity))
    return Ladder(symbol, market.mark_price, market.tick_size, tuple(levels))


def _scale_in_levels(analysis: Analysis, index: int) -> list[Level]:
    position = analysis.plan.positions[index]
    fills = analysis.timeline.fills[index] if analysis.timeline.fills else ()
    entry, who = position.entry_price, position.id
    levels = [
        Level(
            "scale_in",
            add.price,
            who,
            f"{who} add {k + 1}",
            True,
            index=k,
            entry_price=entry,
            reachable=fills[k].reachable if k < len(fills) else None,
        )
        for k, add in enumerate(position.scale_in)
    ]
    last = fills[-1].liquidation_price if fills else None
    if last is not None and math.isfinite(last):
        levels.append(
            Level(
                "liquidation_after_fills",
                last,
                who,
                f"{who} liquidation after the last fill",
                False,
                margin_mode=position.margin_mode,
                entry_price=entry,
            )
        )
    return levels


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _tier_levels(market: Market, leg_quantity: dict[str, float]) -> list[Level]:
    """Prices at which a leg's notional crosses a tier floor: linear q·P = floor, inverse
    Q/P = floor. Only boundaries within a factor of 4 of the mark are useful on a chart."""
    levels: list[Level] = []
    mark = market.mark_price
    for side, q in leg_quantity.items():
        for k, tier in enumerate(market.tiers[1:], start=2):
            floor = tier.notional_floor
            price = floor / q if market.contract == "linear" else q / floor
            if mark / 4 <= price <= mark * 4:
                levels.append(Level("tier", price, None, f"{side} leg enters tier {k}", False))
    return levels
