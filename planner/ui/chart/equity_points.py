"""The equity view's figures, apart from the drawing: the grid of moves, each sweep's curve
with its liquidation drops, who is alive at a step, and the liquidation markers' texts."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from planner.domain.formatting import format_percent, format_price
from planner.domain.scenarios import LiquidationEvent, Sweep
from planner.domain.values_in import ValuesIn

#: steps of the sweep grid
STEPS = 501
#: a market-wide move never takes a price closer to 0 than this fraction of it
_PRICE_FLOOR = 0.01

VARIANT_NAMES = {
    "planned": "plan as it is",
    "all_cross": "all cross",
    "all_isolated": "all isolated",
}
_MAX_NAMES = 6


@dataclass(frozen=True, slots=True, eq=False)
class MarkerInfo:
    """What a liquidation marker stands for (the spot's data; its tooltip)."""

    variant: str
    event: LiquidationEvent
    text: str


def sweep_moves(half_range: float, betas: list[float], steps: int = STEPS) -> np.ndarray:
    """The grid of moves: ±``half_range``, narrowed so that no beta takes a price below
    ``_PRICE_FLOOR`` of itself (the engine refuses prices ≤ 0)."""
    low, high = -half_range, half_range
    for beta in betas:
        if beta > 0:
            low = max(low, -(1.0 - _PRICE_FLOOR) / beta)
        elif beta < 0:
            high = min(high, (1.0 - _PRICE_FLOOR) / -beta)
    return np.linspace(low, high, steps)


def curve_points(sweep: Sweep) -> tuple[np.ndarray, np.ndarray]:
    """The sweep's equity curve with each liquidation drawn as a vertical drop at its exact
    move (the engine's ``equity_before`` → ``equity_after``), not smeared over a grid step."""
    x, y = sweep.moves, sweep.account_equity
    extra_x: list[float] = []
    extra_y: list[float] = []
    for event in sweep.events:
        before = getattr(event, "equity_before", math.nan)
        if event.direction == 0 or not math.isfinite(before):
            continue
        # in ascending x: going down, the alive side is to the right of the drop
        pair = (event.equity_after, before) if event.direction < 0 else (before, event.equity_after)
        extra_x += [event.move, event.move]
        extra_y += list(pair)
    if not extra_x:
        return x, y
    all_x = np.concatenate([x, np.array(extra_x)])
    all_y = np.concatenate([y, np.array(extra_y)])
    order = np.argsort(all_x, kind="stable")
    return all_x[order], all_y[order]


def alive_positions(sweep: Sweep, i: int) -> tuple[list[str], list[str]]:
    """The ids of the positions alive and liquidated at step ``i`` of ``sweep``."""
    alive: list[str] = []
    dead: list[str] = []
    for j, bucket in enumerate(sweep.buckets):
        (alive if sweep.bucket_alive[i, j] else dead).extend(bucket.position_ids)
    if sweep.has_cross:
        cross = [p.id for p in sweep.plan.positions if p.margin_mode == "cross"]
        (alive if sweep.cross_alive[i] else dead).extend(cross)
    return alive, dead


def names(ids: list[str]) -> str:
    if len(ids) <= _MAX_NAMES:
        return ", ".join(ids) if ids else "none"
    return ", ".join(ids[:_MAX_NAMES]) + f" and {len(ids) - _MAX_NAMES} more"


def position_count(ids: list[str]) -> str:
    return f"{len(ids)} position{'s' if len(ids) != 1 else ''}"


def event_text(variant: str, event: LiquidationEvent, sweep: Sweep, values: ValuesIn) -> str:
    plan = sweep.plan
    who = (
        f"{event.symbol} {event.side} bucket ({', '.join(event.position_ids)})"
        if event.kind == "isolated"
        else "cross pool"
    )
    where = format_percent(event.move, 2, sign=True)
    if event.direction == 0:
        where = "the marks already"
    symbol = event.symbol or sweep.symbol
    if event.price is not None and symbol is not None and event.direction != 0:
        where += f" ({symbol} {format_price(event.price, plan.market(symbol).tick_size)})"
    currency = plan.account.currency
    return (
        f"{VARIANT_NAMES[variant]}: {who} liquidated at {where}; account equity after "
        f"{values.format_amount(event.equity_after, currency, with_unit=True)}"
    )


def marker_tip(x: float, y: float, data: object) -> str:
    if isinstance(data, MarkerInfo):
        return data.text
    return f"{x:.2f} %"
