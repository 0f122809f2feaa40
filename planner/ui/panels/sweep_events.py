"""Words for the liquidation events of a price sweep (the Scenarios panel's event table)."""

from __future__ import annotations

from planner.domain.formatting import format_percent
from planner.domain.plan import Plan
from planner.domain.scenarios import LiquidationEvent


def event_move(event: LiquidationEvent) -> str:
    if event.direction == 0:
        return "at the marks"
    return format_percent(event.move, 2, sign=True)


def event_what(event: LiquidationEvent) -> str:
    ids = ", ".join(event.position_ids)
    if event.kind == "cross":
        return f"Cross pool ({ids})" if ids else "Cross pool"
    return f"Isolated {event.symbol} {event.side} ({ids})"


def event_tick(plan: Plan, event: LiquidationEvent, swept: str | None) -> float | None:
    symbol = event.symbol or swept
    if symbol is None:
        return None
    try:
        return plan.market(symbol).tick_size
    except KeyError:
        return None
