"""Warnings about the orders a plan gives its positions (``warnings`` of
spec/plan-format-v2.md; ``warnings.compute_warnings`` adds them):

warning
* ``no_stop`` — positions without a stop: nothing but liquidation limits their loss;
* ``take_profit_on_losing_side`` — a take-profit that closes at a loss (below a long's
  break-even, above a short's: on the wrong side of the entry, or too near it for the fees).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from planner.domain.formatting import format_amount, format_percent, format_price

if TYPE_CHECKING:
    from planner.domain.analysis import Analysis


@dataclass(frozen=True, slots=True)
class OrderWarning:
    severity: str
    code: str
    text: str
    position: str | None


def order_warnings(analysis: Analysis) -> list[OrderWarning]:
    """The plan's ``no_stop`` and ``take_profit_on_losing_side`` warnings."""
    return [*_take_profits_at_a_loss(analysis), *_without_stop(analysis)]


def _amount(analysis: Analysis, value: float) -> str:
    currency = analysis.plan.account.currency
    return f"{format_amount(value, currency)} {currency}"


def _without_stop(analysis: Analysis) -> list[OrderWarning]:
    plan = analysis.plan
    open_ended = [
        (pos, result)
        for pos, result, liquidated in zip(
            plan.positions, analysis.positions, analysis.liquidated.tolist(), strict=True
        )
        if pos.stop_loss is None and not liquidated
    ]
    if not open_ended:
        return []
    # isolated: each its bucket's margin; cross: the pool's equity, once
    many = len(open_ended) > 1
    isolated = [r.max_loss for p, r in open_ended if p.margin_mode == "isolated"]
    cross = any(p.margin_mode == "cross" for p, _ in open_ended)
    at_stake = sum(isolated) + (max(analysis.cross.equity, 0.0) if cross else 0.0)
    at_stake = min(at_stake, max(analysis.equity, 0.0))
    parts = []
    if isolated:
        parts.append(
            f"{'their' if many else 'its'} isolated margin{'s' if len(isolated) > 1 else ''}"
        )
    if cross:
        parts.append("the cross pool's equity")
    ids = ", ".join(p.id for p, _ in open_ended)
    text = (
        f"{ids} {'have' if many else 'has'} no stop: only liquidation limits "
        f"{'their' if many else 'its'} loss, up to {_amount(analysis, at_stake)} "
        f"({' and '.join(parts)}). Set a stop to plan the risk."
    )
    position = open_ended[0][0].id if not many else None
    return [OrderWarning("warning", "no_stop", text, position)]


def _take_profits_at_a_loss(analysis: Analysis) -> list[OrderWarning]:
    plan = analysis.plan
    found = []
    for pos, result in zip(plan.positions, analysis.positions, strict=True):
        tick = plan.market(pos.symbol).tick_size
        for tp in result.take_profits:
            if tp.reward is None or tp.reward >= 0:
                continue
            long = pos.side == "long"
            wrong_side = tp.price < pos.entry_price if long else tp.price > pos.entry_price
            where = (
                f"{'below' if long else 'above'} the entry {format_price(pos.entry_price, tick)}"
                if wrong_side
                else f"within the fees of the entry (break-even "
                f"{format_price(result.break_even_price, tick)})"
            )
            found.append(
                OrderWarning(
                    "warning",
                    "take_profit_on_losing_side",
                    f"{pos.id}: its take-profit at {format_price(tp.price, tick)} is {where}: it "
                    f"closes {format_percent(tp.fraction, 0)} at a loss of "
                    f"{_amount(analysis, -tp.reward)}. Move it "
                    f"{'above' if long else 'below'} {format_price(result.break_even_price, tick)}"
                    f" or remove it.",
                    pos.id,
                )
            )
    return found
