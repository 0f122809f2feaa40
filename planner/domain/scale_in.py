"""Planned adds (``positions[].scale_in[]``, spec/plan-format-v2.md): the position after each
fill, with every other position as it is.

After fill k the position holds its first fill and the first k adds: total quantity, average
entry quantity-weighted for linear contracts and harmonic for inverse ones (as netting already
averages), the same leverage and margin mode. An isolated add brings its own initial margin
into the bucket: the entry notional of the whole is the sum of the fills' notionals, so the
bucket's initial margin is the sum of theirs. The figures after each fill are the engine's own
(``analyze`` of the plan with that position so filled): tiers at the liquidation price, the
rest of the account as it is.

A fill is ``reachable`` unless the liquidation price before it lies between the mark and the
fill's price: the position is liquidated on the way down (long) or up (short) before the add
can fill.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from planner.domain.analysis import Analysis
from planner.domain.plan import Plan, Position
from planner.domain.time_figures import Fill


def average_entry(fills: Sequence[tuple[float, float]], inverse: bool) -> float:
    """The entry of ``(price, quantity)`` fills taken together: quantity-weighted (linear) or
    harmonic (inverse: Σq / Σ(q/price)), so that PnL adds up."""
    total = sum(q for _, q in fills)
    if inverse:
        return total / sum(q / p for p, q in fills)
    return sum(p * q for p, q in fills) / total


def filled(position: Position, adds: int, inverse: bool) -> Position:
    """``position`` with its first ``adds`` planned adds filled (no adds left planned)."""
    fills = [(position.entry_price, position.quantity)]
    fills += [(step.price, step.quantity) for step in position.scale_in[:adds]]
    return position.model_copy(
        update={
            "quantity": sum(q for _, q in fills),
            "entry_price": average_entry(fills, inverse),
            "scale_in": (),
        }
    )


def lies_between(price: float | None, mark: float, target: float) -> bool:
    """Whether ``price`` lies between the mark and ``target`` (both included)."""
    if price is None:
        return False
    low, high = sorted((mark, target))
    return low <= price <= high


def position_fills(
    plan: Plan,
    analysis: Analysis,
    index: int,
    analyze: Callable[[Plan], Analysis],
) -> tuple[Fill, ...]:
    """Every planned add of position ``index``, in fill order."""
    position = plan.positions[index]
    if not position.scale_in:
        return ()
    market = next(m for m in plan.markets if m.symbol == position.symbol)
    inverse = market.contract == "inverse"
    mark = market.mark_price
    before = analysis.positions[index].liquidation_price
    fills: list[Fill] = []
    for k, step in enumerate(position.scale_in, start=1):
        grown = filled(position, k, inverse)
        positions = list(plan.positions)
        positions[index] = grown
        after = analyze(plan.model_copy(update={"positions": tuple(positions)}))
        result = after.positions[index]
        margin = None
        if position.margin_mode == "isolated":
            margin = next(b.margin for b in after.buckets if position.id in b.position_ids)
        fills.append(
            Fill(
                price=step.price,
                quantity=step.quantity,
                total_quantity=grown.quantity,
                average_entry=grown.entry_price,
                margin=margin,
                liquidation_price=result.liquidation_price,
                reachable=not lies_between(before, mark, step.price),
            )
        )
        before = result.liquidation_price
    return tuple(fills)


def scale_in_figures(
    plan: Plan, analysis: Analysis, analyze: Callable[[Plan], Analysis]
) -> tuple[tuple[Fill, ...], ...]:
    """The fills of every position (an empty tuple where none is planned)."""
    return tuple(
        position_fills(plan, analysis, i, analyze) if pos.scale_in else ()
        for i, pos in enumerate(plan.positions)
    )
