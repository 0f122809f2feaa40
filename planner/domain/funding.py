"""Funding over the plan's horizon (spec/plan-format-v2.md, "markets[]" and "positions[]").

A payment is side · notional at the mark · rate, every ``funding_interval_hours`` of the
horizon at the held marks: q·P·r in the account's currency for linear contracts, Q/P·r in coin
for inverse ones (the analysis' ``notional`` column either way). Positive is paid, negative
received. Where a payment is taken from follows the venue:

* ``binance``, ``okx``, ``hyperliquid``: an isolated position's payment from its bucket, a
  cross position's from the cross wallet;
* ``bybit``: an isolated position's payment from the cross wallet's available balance while it
  lasts, then from its bucket (a cross position's from the cross wallet, as everywhere).

Received funding goes where a payment would be taken from. Funding is the only thing that moves
with time at held marks, so the account at the horizon is the plan with its wallet and bucket
margins reduced by what was paid: its analysis gives ``liquidation_price_at_horizon``.

The runway (hours until funding alone liquidates a bucket, or for cross the pool) treats the
payments as a steady flow of ``payment / interval`` per hour: runway × hourly payment = the
bucket's (or pool's) equity above its maintenance margin at the held marks, which does not move
while the marks are held. On Bybit the available balance is spent first, at the rate all cross
payments and all isolated payments drain it together; each bucket pays for itself after that.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from planner.domain.analysis import Analysis
from planner.domain.plan import Plan
from planner.domain.time_figures import FundingFigures

#: venues whose isolated positions pay funding out of the available balance first
AVAILABLE_FIRST_VENUES = frozenset({"bybit"})


def payments_in(horizon_hours: float, interval_hours: float) -> int:
    """How many funding payments fall within the horizon (one at the end of each interval)."""
    return math.floor(horizon_hours / interval_hours + 1e-9)


def payment_per_interval(plan: Plan, analysis: Analysis) -> np.ndarray:
    """Each position's payment at one funding time at the held marks (positive = paid)."""
    rates = {m.symbol: m.funding_rate for m in plan.markets}
    sign = np.array([p.sign for p in plan.positions], dtype=float)
    rate = np.array([rates[p.symbol] for p in plan.positions], dtype=float)
    return sign * analysis.columns["notional"] * rate


def has_funding(plan: Plan) -> bool:
    """Whether any market of the plan charges funding (a zero rate changes nothing)."""
    return any(m.funding_rate != 0 for m in plan.markets)


def funding_figures(
    plan: Plan, analysis: Analysis, analyze: Callable[[Plan], Analysis]
) -> FundingFigures:
    """Funding over ``plan.horizon_hours`` for the plan analysed as ``analysis``; ``analyze``
    values the account at the horizon (the engine's own function, passed in to keep the
    modules apart)."""
    n = len(plan.positions)
    if n == 0 or not has_funding(plan):
        lps = tuple(p.liquidation_price for p in analysis.positions)
        zeros = (0.0,) * n
        return FundingFigures(zeros, zeros, (None,) * n, lps, 0.0)
    intervals = {m.symbol: m.funding_interval_hours for m in plan.markets}
    interval = np.array([intervals[p.symbol] for p in plan.positions], dtype=float)
    per_payment = payment_per_interval(plan, analysis)
    count = np.array([payments_in(plan.horizon_hours, h) for h in interval.tolist()], dtype=float)
    cost = per_payment * count
    hourly = per_payment / interval
    runway = _runways(plan, analysis, hourly)
    if plan.horizon_hours > 0 and np.any(cost != 0):
        later = analyze(plan_at_horizon(plan, analysis, cost, hourly))
        at_horizon = tuple(p.liquidation_price for p in later.positions)
    else:
        at_horizon = tuple(p.liquidation_price for p in analysis.positions)
    return FundingFigures(
        cost=tuple(cost.tolist()),
        hourly=tuple(hourly.tolist()),
        runway_hours=runway,
        liquidation_price_at_horizon=at_horizon,
        total=float(cost.sum()),
    )


def _isolated(plan: Plan) -> np.ndarray:
    return np.array([p.margin_mode == "isolated" for p in plan.positions], dtype=bool)


def _available_share(plan: Plan, analysis: Analysis, hourly: np.ndarray) -> tuple[float, float]:
    """On an available-first venue: the available balance and how fast funding drains it
    (per hour: every cross payment, and every isolated payment while it lasts)."""
    isolated = _isolated(plan)
    drain = float(hourly[~isolated].sum() + hourly[isolated].sum())
    return max(analysis.cross.available, 0.0), drain


def _runways(plan: Plan, analysis: Analysis, hourly: np.ndarray) -> tuple[float | None, ...]:
    isolated = _isolated(plan)
    cross = analysis.cross
    pool_excess = cross.equity - cross.maintenance_margin
    pool_hourly = float(hourly[~isolated].sum())
    pool_runway = _hours(pool_excess, pool_hourly)
    available_first = plan.account.venue in AVAILABLE_FIRST_VENUES
    if available_first:
        available, drain = _available_share(plan, analysis, hourly)
        lasts = available / drain if drain > 0 else math.inf
    bucket_of = {pid: b for b in analysis.buckets for pid in b.position_ids}
    bucket_hourly: dict[int, float] = {}
    for i, pos in enumerate(plan.positions):
        if isolated[i]:
            key = id(bucket_of[pos.id])
            bucket_hourly[key] = bucket_hourly.get(key, 0.0) + float(hourly[i])
    runways: list[float | None] = []
    for i, pos in enumerate(plan.positions):
        if not isolated[i]:
            runways.append(pool_runway)
            continue
        bucket = bucket_of[pos.id]
        own = _hours(bucket.equity - bucket.maintenance_margin, bucket_hourly[id(bucket)])
        if own is not None and available_first and own > 0:
            own = None if math.isinf(lasts) else lasts + own
        runways.append(own)
    return tuple(runways)


def _hours(excess: float, hourly: float) -> float | None:
    """Hours until ``excess`` is paid away at ``hourly`` (None when nothing is paid)."""
    if hourly <= 0:
        return None
    return max(excess, 0.0) / hourly


def plan_at_horizon(plan: Plan, analysis: Analysis, cost: np.ndarray, hourly: np.ndarray) -> Plan:
    """The plan after the horizon's funding at the held marks: the wallet less everything paid,
    each isolated bucket less what its positions paid out of it (the venue decides which)."""
    isolated = _isolated(plan)
    from_bucket = np.where(isolated, cost, 0.0)
    if plan.account.venue in AVAILABLE_FIRST_VENUES and plan.horizon_hours > 0:
        available, drain = _available_share(plan, analysis, hourly)
        hours_from_available = available / drain if drain > 0 else math.inf
        share = min(1.0, hours_from_available / plan.horizon_hours)
        # received funding goes to the available balance, payments come from it first
        from_bucket = np.where(isolated & (cost > 0), cost * (1.0 - share), 0.0)
    positions = tuple(
        pos.model_copy(update={"added_margin": pos.added_margin - taken}) if taken else pos
        for pos, taken in zip(plan.positions, from_bucket.tolist(), strict=True)
    )
    account = plan.account.model_copy(
        update={"wallet_balance": plan.account.wallet_balance - float(cost.sum())}
    )
    return plan.model_copy(update={"account": account, "positions": positions})
