"""What-ifs on a plan: switch margin modes, add isolated margin, shock the marks, sweep a range
of moves and find the order in which isolated buckets and the cross pool are liquidated.

Every what-if is a new plan, so every figure after it is ``analyze(what_if(plan))``. Sweeps
are the exception for speed: they value the whole account over a grid of moves with one
vectorised ``valuate`` call (no loop of analyses) and solve each liquidation exactly.

Moves are fractions (−0.1 = −10 %). A move ``x`` of symbol S sets its mark to
``mark × (1 + x)``; a market-wide move ``x`` sets every mark S to ``mark × (1 + x·beta_S)``
(beta 1 unless given).

Liquidation along a path (``sweep``), walking outward from no move in each direction:

* an isolated bucket is liquidated where its equity (margin + PnL) meets its maintenance margin
  (reference/MARGIN.md §3). The venue keeps what is left in it, so from there on the bucket
  counts 0 in the account's equity: the trader has lost its whole margin;
* the cross pool is liquidated where its equity (cross wallet + cross PnL) meets the cross
  maintenance margin. Every cross position is closed and the venue keeps the pool's remaining
  maintenance margin (liquidation clearance / insurance fund, as for an isolated bucket), so the
  pool is left with ``max(0, equity − maintenance)`` — 0 at the exact liquidation move — and
  from there on cross positions no longer move the account's equity;
* isolated buckets and the pool do not lean on each other (isolated margin was carved out of
  the wallet), so each one's liquidation move depends only on its own equation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from planner.domain.analysis import pool_failed
from planner.domain.book import Book
from planner.domain.engine import LegState, group_collateral, solve_groups
from planner.domain.errors import PlanError
from planner.domain.plan import Plan
from planner.domain.scenarios.events import LiquidationEvent, liquidation_events
from planner.domain.scenarios.path import (
    PathLayout,
    SweepBucket,
    check_prices,
    moves_array,
    refine_pool,
)
from planner.domain.scenarios.what_if import beta_vector, symbol_index, variant_plans

SWEEP_FORMAT = "margin-planner.sweep"
SWEEP_VERSION = 1


@dataclass(frozen=True, eq=False)
class Sweep:
    """The account along a range of moves (see the module docstring for what liquidation
    does to the curves). Arrays are indexed by step (and bucket)."""

    plan: Plan
    symbol: str | None  # None: the whole market moved with ``betas``
    betas: dict[str, float]  # the beta of every market (1 for the swept symbol alone)
    moves: np.ndarray  # (steps,)
    prices: np.ndarray  # (steps, markets)
    account_equity: np.ndarray  # (steps,)
    cross_equity: np.ndarray  # (steps,) 0 once the pool is liquidated
    cross_maintenance: np.ndarray  # (steps,) 0 once the pool is liquidated
    cross_alive: np.ndarray  # bool (steps,)
    bucket_equity: np.ndarray = field(repr=False)  # (steps, buckets) 0 once liquidated
    bucket_maintenance: np.ndarray = field(repr=False)  # (steps, buckets)
    bucket_alive: np.ndarray = field(repr=False)  # bool (steps, buckets)
    buckets: tuple[SweepBucket, ...] = ()
    events: tuple[LiquidationEvent, ...] = ()
    has_cross: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": SWEEP_FORMAT,
            "version": SWEEP_VERSION,
            "currency": self.plan.account.currency,
            "symbol": self.symbol,
            "betas": dict(self.betas),
            "moves": self.moves.tolist(),
            "prices": {
                m.symbol: self.prices[:, k].tolist() for k, m in enumerate(self.plan.markets)
            },
            "account_equity": self.account_equity.tolist(),
            "cross_equity": self.cross_equity.tolist(),
            "cross_maintenance": self.cross_maintenance.tolist(),
            "cross_alive": self.cross_alive.tolist(),
            "buckets": [
                {
                    "symbol": b.symbol,
                    "side": b.side,
                    "position_ids": list(b.position_ids),
                    "margin": b.margin,
                    "equity": self.bucket_equity[:, j].tolist(),
                    "maintenance_margin": self.bucket_maintenance[:, j].tolist(),
                    "alive": self.bucket_alive[:, j].tolist(),
                }
                for j, b in enumerate(self.buckets)
            ],
            "events": [e.to_dict() for e in self.events],
        }


def _weights(plan: Plan, symbol: str | None, betas: Mapping[str, float] | None) -> np.ndarray:
    if symbol is None:
        return beta_vector(plan, betas)
    if betas:
        raise PlanError("betas apply to market-wide moves only (symbol=None)", field="betas")
    weights = np.zeros(len(plan.markets))
    weights[symbol_index(plan, symbol)] = 1.0
    return weights


def sweep(
    plan: Plan,
    *,
    symbol: str | None,
    moves: Sequence[float] | np.ndarray,
    betas: Mapping[str, float] | None = None,
) -> Sweep:
    """The account over ``moves`` (fractions) of ``symbol`` alone, or of the whole market with
    ``betas`` when ``symbol`` is None, with the liquidations in the order they happen.

    One ``valuate`` call values every leg over the (steps, markets) grid; no analysis is run.
    Liquidation moves are exact, not grid steps:

    * an isolated bucket fails at its engine liquidation price (one leg's equity minus
      maintenance is monotonic in its price, so that is the only crossing);
    * the pool's first failed step on each side of 0 brackets its liquidation, solved in the
      bracket with the engine's liquidation price of the swept symbol (other marks held) when
      it lies there, otherwise by Newton's method on the pool's equation (``refine_pool``).
      With linear contracts the pool's equity minus maintenance is concave along the path
      (PnL affine, maintenance convex in each price), so once failed it stays failed further
      out; with coin-margined markets a failure and recovery between two steps could go
      unnoticed: use enough steps.

    ``Sweep.events`` lists them in the order they happen moving away from 0: first what is
    liquidated at the marks already, then the falls, then the rises. See the module docstring
    for what a liquidation leaves.
    """
    xs = moves_array(moves)
    weights = _weights(plan, symbol, betas)
    layout = PathLayout.of(plan)
    book = layout.book
    factors = 1.0 + xs[:, None] * weights
    check_prices(plan, factors)

    # one valuation: row 0 is the plan at its marks, rows 1.. the steps
    grid = np.concatenate([np.ones((1, len(weights))), factors])
    state = layout.state(grid)
    pool_eq, pool_mm = layout.pool(state)
    bucket_eq, bucket_mm = layout.buckets(state)
    has_cross = layout.has_cross
    n_buckets = layout.iso_legs.size

    # liquidation prices of every group at the marks (isolated ones do not depend on them)
    state0 = LegState(*(getattr(state, f.name)[0] for f in fields(LegState)))
    liq_u, _ = solve_groups(book, state0, group_collateral(book, state0))

    low, high = min(0.0, float(xs.min())), max(0.0, float(xs.max()))
    dead0 = np.zeros(n_buckets + 1, dtype=bool)  # buckets, then the pool
    dead0[:n_buckets] = bucket_eq[0] <= bucket_mm[0]
    # a pool without cross positions has nothing to liquidate (a negative cross wallet is the
    # warning "isolated margins exceed the wallet", not a liquidation)
    dead0[n_buckets] = has_cross and bool(pool_failed(pool_eq[0], pool_mm[0]))
    down = np.full(n_buckets + 1, -np.inf)  # liquidation move going down (−inf: none)
    up = np.full(n_buckets + 1, np.inf)

    # isolated buckets: the engine's liquidation price, turned into a move
    if n_buckets:
        market = book.leg_market[layout.iso_legs]
        lp_u = liq_u[:n_buckets]
        lp = np.where(book.inverse[market], 1.0 / lp_u, lp_u)
        w = weights[market]
        with np.errstate(divide="ignore", invalid="ignore"):
            x = (lp / layout.prices[market] - 1.0) / w
        ok = np.isfinite(x) & (w != 0) & ~dead0[:n_buckets]
        down[:n_buckets] = np.where(ok & (x <= 0) & (x >= low), x, -np.inf)
        up[:n_buckets] = np.where(ok & (x > 0) & (x <= high), x, np.inf)

    # the pool: first failed step on each side, then the exact move in that bracket
    if has_cross and not dead0[n_buckets]:
        failed = pool_failed(pool_eq[1:], pool_mm[1:])
        brackets: list[tuple[int, float, float]] = []
        for direction in (-1, 1):
            side = np.flatnonzero(xs * direction > 0)
            order = side[np.argsort(np.abs(xs[side]), kind="stable")]
            hits = np.flatnonzero(failed[order])
            if hits.size:
                j = hits[0]
                safe = 0.0 if j == 0 else float(xs[order[j - 1]])
                brackets.append((direction, safe, float(xs[order[j]])))
        if brackets:
            solved = _pool_moves(book, layout, weights, symbol, liq_u, brackets)
            for (direction, _, _), x in zip(brackets, solved, strict=True):
                if direction < 0:
                    down[n_buckets] = x
                else:
                    up[n_buckets] = x

    # alive along the path, and the curves with liquidated groups counted as lost
    steps = xs[:, None]
    alive = ~dead0 & (steps > down) & (steps < up)
    bucket_alive = alive[:, :n_buckets]
    cross_alive = alive[:, n_buckets]
    bucket_equity = np.where(bucket_alive, bucket_eq[1:], 0.0)
    bucket_maintenance = np.where(bucket_alive, bucket_mm[1:], 0.0)
    cross_equity = np.where(cross_alive, pool_eq[1:], 0.0)
    cross_maintenance = np.where(cross_alive, pool_mm[1:], 0.0)
    account_equity = cross_equity + bucket_equity.sum(axis=1)

    buckets = _sweep_buckets(plan, book, layout)
    events = liquidation_events(plan, layout, weights, symbol, buckets, dead0, down, up)
    symbols = [m.symbol for m in plan.markets]
    return Sweep(
        plan=plan,
        symbol=symbol,
        betas=dict(zip(symbols, weights.tolist(), strict=True)),
        moves=xs,
        prices=layout.prices * factors,
        account_equity=account_equity,
        cross_equity=cross_equity,
        cross_maintenance=cross_maintenance,
        cross_alive=cross_alive,
        bucket_equity=bucket_equity,
        bucket_maintenance=bucket_maintenance,
        bucket_alive=bucket_alive,
        buckets=buckets,
        events=events,
        has_cross=has_cross,
    )


def _pool_moves(
    book: Book,
    layout: PathLayout,
    weights: np.ndarray,
    symbol: str | None,
    liq_u: np.ndarray,
    brackets: list[tuple[int, float, float]],
) -> list[float]:
    """The exact pool liquidation move in each (direction, safe, failed) bracket."""
    result: list[float | None] = [None] * len(brackets)
    if symbol is not None:
        # the engine's cross liquidation price of the swept symbol (other marks held)
        k = int(np.flatnonzero(weights)[0])
        groups = np.flatnonzero(~book.group_isolated & (book.group_market == k))
        if groups.size:
            u = liq_u[groups[0]]
            lp = 1.0 / u if book.inverse[k] else u
            x = lp / layout.prices[k] - 1.0
            for i, (_, safe, failed) in enumerate(brackets):
                lo, hi = min(safe, failed), max(safe, failed)
                slack = 1e-12 * max(1.0, abs(hi))
                if np.isfinite(x) and lo - slack <= x <= hi + slack:
                    result[i] = float(x)
    todo = [i for i, r in enumerate(result) if r is None]
    if todo:
        solved = refine_pool(
            layout,
            weights,
            np.array([brackets[i][1] for i in todo]),
            np.array([brackets[i][2] for i in todo]),
        )
        for i, x in zip(todo, solved.tolist(), strict=True):
            result[i] = x
    return [float(r) for r in result if r is not None]


def _sweep_buckets(plan: Plan, book: Book, layout: PathLayout) -> tuple[SweepBucket, ...]:
    ids = [p.id for p in plan.positions]
    members: dict[int, list[str]] = {}
    for i, leg in enumerate(book.pos_leg.tolist()):
        members.setdefault(leg, []).append(ids[i])
    return tuple(
        SweepBucket(
            symbol=plan.markets[int(book.leg_market[j])].symbol,
            side="long" if book.leg_sign[j] > 0 else "short",
            position_ids=tuple(members[j]),
            margin=float(book.leg_margin[j]),
        )
        for j in layout.iso_legs.tolist()
    )


def sweep_variants(
    plan: Plan,
    *,
    symbol: str | None,
    moves: Sequence[float] | np.ndarray,
    betas: Mapping[str, float] | None = None,
) -> dict[str, Sweep]:
    """The same sweep for the plan as it is, all-cross and all-isolated (keys ``VARIANTS``)."""
    return {
        name: sweep(variant, symbol=symbol, moves=moves, betas=betas)
        for name, variant in variant_plans(plan).items()
    }
