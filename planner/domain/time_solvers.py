"""Solvers for a plan in time: the largest scale-in ladder the stop allows, and the funding rate
that liquidates a position within the horizon. Every answer is checked with the engine's own
figures (``scale_in.position_fills``, ``funding.funding_figures``), so it agrees with the
analysis by construction.
"""

from __future__ import annotations

import math

from planner.domain.engine import analyze as analyze_at_marks
from planner.domain.errors import PlanError
from planner.domain.funding import funding_figures
from planner.domain.plan import Plan, ScaleIn
from planner.domain.plan_base import FUNDING_RATE_MAX, QUANTITY_MAX
from planner.domain.scale_in import filled, position_fills
from planner.domain.scenarios import position_index

#: bisection steps: 2^-60 of the bracket is far below any venue's lot step
_STEPS = 60


def ladder(
    entry: float,
    side: str,
    *,
    rungs: int,
    step: float,
    first_size: float,
    step_scale: float = 1.0,
    size_scale: float = 1.0,
) -> tuple[ScaleIn, ...]:
    """A ladder of ``rungs`` adds against the position: each ``step`` (a fraction of the
    previous rung's price) further from the entry than the last, every step ``step_scale``
    times the one before and every size ``size_scale`` times the one before."""
    if rungs < 1:
        raise PlanError(f"rungs = {rungs}: must be at least 1", field="rungs")
    if not 0 < step < 1:
        raise PlanError(f"step = {step}: must be between 0 and 1 (a fraction)", field="step")
    if not (step_scale > 0 and size_scale > 0 and first_size > 0):
        raise PlanError("step scale, size scale and size must be above 0", field="scale")
    direction = -1.0 if side == "long" else 1.0
    price, distance, size = entry, step, first_size
    out = []
    for _ in range(rungs):
        price *= 1.0 + direction * distance
        if not price > 0:
            raise PlanError(
                f"rung {len(out) + 1} would be at {price:g}: prices must stay above 0",
                field="step",
            )
        out.append(ScaleIn.model_construct(price=price, quantity=size))
        distance *= step_scale
        size *= size_scale
    return tuple(out)


def _with_ladder(plan: Plan, index: int, adds: tuple[ScaleIn, ...]) -> Plan:
    positions = list(plan.positions)
    positions[index] = positions[index].model_copy(update={"scale_in": adds})
    return plan.model_copy(update={"positions": tuple(positions)})


def largest_ladder(
    plan: Plan,
    position_id: str,
    *,
    rungs: int,
    step: float,
    step_scale: float = 1.0,
    size_scale: float = 1.0,
    buffer: float | None = None,
) -> tuple[ScaleIn, ...] | None:
    """The largest ladder of this shape (its first add's size, the rest scaled from it) whose
    every add can fill and whose last fill keeps the liquidation price beyond the position's
    stop by ``buffer`` (a fraction of the mark; the plan's ``stop_buffer`` by default). Sizes
    are rounded down to the market's lot step, and the account must afford every fill (an
    isolated add's margin comes out of the cross wallet, which may not go below 0 nor leave the
    pool liquidated). None when even the smallest ladder fails."""
    index = position_index(plan, position_id)
    pos = plan.positions[index]
    if pos.stop_loss is None:
        raise PlanError(f"position {pos.id!r} has no stop loss: give a stop", field="stop")
    market = plan.market(pos.symbol)
    gap = (plan.account.risk_limits.stop_buffer if buffer is None else buffer) * market.mark_price
    sign = pos.sign
    inverse = market.contract == "inverse"
    base = analyze_at_marks(plan)

    def shape(size: float) -> tuple[ScaleIn, ...]:
        return ladder(
            pos.entry_price,
            pos.side,
            rungs=rungs,
            step=step,
            first_size=size,
            step_scale=step_scale,
            size_scale=size_scale,
        )

    def holds(size: float) -> bool:
        adds = shape(size)
        trial = _with_ladder(plan, index, adds)
        fills = position_fills(trial, base, index, analyze_at_marks)
        if not all(f.reachable for f in fills):
            return False
        last = fills[-1].liquidation_price
        if last is not None and sign * (pos.stop_loss - last) < gap:
            return False
        # the account must afford every fill: its margin comes out of the cross wallet
        full = list(trial.positions)
        full[index] = filled(full[index], len(adds), inverse)
        after = analyze_at_marks(trial.model_copy(update={"positions": tuple(full)}))
        return after.cross.wallet_balance >= 0 and not after.cross.liquidated

    step_lot = market.quantity_step or 0.0
    low = step_lot or pos.quantity * 1e-6
    if not holds(low):
        return None
    high = max(pos.quantity, low) * 2.0
    while holds(high):
        low, high = high, high * 2.0
        if high > QUANTITY_MAX:
            return _rounded(shape(low), step_lot)
    for _ in range(_STEPS):
        middle = 0.5 * (low + high)
        if holds(middle):
            low = middle
        else:
            high = middle
    return _rounded(shape(low), step_lot)


def _rounded(adds: tuple[ScaleIn, ...], lot: float) -> tuple[ScaleIn, ...]:
    if not lot:
        return adds
    return tuple(
        ScaleIn(price=a.price, quantity=max(lot, math.floor(a.quantity / lot + 1e-9) * lot))
        for a in adds
    )


def funding_rate_to_liquidate(plan: Plan, position_id: str) -> float | None:
    """The funding rate of the position's market (per its interval, signed so that the
    position pays) at which funding alone liquidates it within ``plan.horizon_hours`` at the
    held marks, every other market's rate as it is. None without a horizon, or when no rate
    the plan format allows (±``FUNDING_RATE_MAX``) does it."""
    index = position_index(plan, position_id)
    if plan.horizon_hours <= 0:
        return None
    pos = plan.positions[index]
    k = next(i for i, m in enumerate(plan.markets) if m.symbol == pos.symbol)
    base = analyze_at_marks(plan)

    def runway(rate: float) -> float:
        markets = list(plan.markets)
        markets[k] = markets[k].model_copy(update={"funding_rate": pos.sign * rate})
        trial = plan.model_copy(update={"markets": tuple(markets)})
        hours = funding_figures(trial, base, analyze_at_marks).runway_hours[index]
        return math.inf if hours is None else hours

    horizon = plan.horizon_hours
    if runway(FUNDING_RATE_MAX) > horizon:
        return None
    low, high = 0.0, FUNDING_RATE_MAX
    for _ in range(_STEPS):
        middle = 0.5 * (low + high)
        if runway(middle) > horizon:
            low = middle
        else:
            high = middle
    return pos.sign * high
