"""The account along a path of moves: which legs form the pool and the buckets, the pool's
health at many moves at once, and the exact move where it fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np

from planner.domain.analysis import pool_failed
from planner.domain.book import Book, build_book
from planner.domain.engine import LegState, cross_wallet, valuate
from planner.domain.errors import PlanError
from planner.domain.formatting import format_percent
from planner.domain.plan import Plan

# --------------------------------------------------------------------------------------------
# the account along a path of moves


@dataclass(frozen=True, slots=True)
class PathLayout:
    """Which legs form the pool and the buckets, and the plan's prices."""

    book: Book
    prices: np.ndarray  # (m,) marks
    cross_legs: np.ndarray  # leg indices: cross positions' legs and collateral legs
    iso_legs: np.ndarray  # leg indices, in bucket order (= Analysis.buckets order)
    wallet: float  # cross wallet balance, plus collateral at a fixed price
    has_cross: bool  # the pool carries a position (collateral alone has nothing to liquidate)

    @classmethod
    def of(cls, plan: Plan) -> PathLayout:
        book = build_book(plan)
        prices = np.array([m.mark_price for m in plan.markets], dtype=float)
        return cls(
            book=book,
            prices=prices,
            cross_legs=np.flatnonzero(~book.leg_isolated),
            iso_legs=np.flatnonzero(book.leg_isolated),
            wallet=cross_wallet(book),
            has_cross=bool((~book.leg_isolated & ~book.leg_collateral).any()),
        )

    def state(self, factors: np.ndarray) -> LegState:
        """Every leg valued at marks × ``factors`` (shape (..., m)); every field has the full
        shape (..., legs), also those that do not depend on the marks (Bybit's tiers)."""
        prices = self.prices * factors
        inverse = self.book.inverse
        state = valuate(self.book, np.where(inverse, 1.0 / prices, prices))
        shape = state.pnl.shape
        return LegState(*(np.broadcast_to(getattr(state, f.name), shape) for f in fields(state)))

    def pool(self, state: LegState) -> tuple[np.ndarray, np.ndarray]:
        """The cross pool's equity (collateral included: its legs move with their markets)
        and maintenance margin (shape (...,))."""
        idx = self.cross_legs
        equity = self.wallet + state.pnl[..., idx].sum(axis=-1)
        return equity, state.maintenance[..., idx].sum(axis=-1)

    def buckets(self, state: LegState) -> tuple[np.ndarray, np.ndarray]:
        """Every isolated bucket's equity and maintenance margin (shape (..., buckets))."""
        idx = self.iso_legs
        return self.book.leg_margin[idx] + state.pnl[..., idx], state.maintenance[..., idx]


def pool_health(
    layout: PathLayout, weights: np.ndarray, xs: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """At each move of ``xs`` (shape (n,)): whether the pool is liquidated, its health
    h = equity − maintenance, and dh/dx with every leg's tier held (one ``valuate`` call)."""
    book = layout.book
    factors = 1.0 + xs[:, None] * weights
    state = layout.state(factors)
    equity, mm = layout.pool(state)
    idx = layout.cross_legs
    market = book.leg_market[idx]
    q = book.leg_q[idx]
    dmm_du = np.zeros_like(state.mmr[:, idx])
    if not book.rules.maintenance_at_entry:
        dmm_du = dmm_du + q * state.mmr[:, idx]
    if book.rules.fee_in_maintenance:
        dmm_du = dmm_du + q * book.taker
    u = state.u[:, idx]
    slope = weights[market] * layout.prices[market]  # dP/dx
    du_dx = np.where(book.inverse[market], -(u**2) * slope, slope)
    dh = ((book.leg_b[idx] - dmm_du) * du_dx).sum(axis=1)
    return pool_failed(equity, mm), equity - mm, dh


def refine_pool(
    layout: PathLayout,
    weights: np.ndarray,
    safe: np.ndarray,
    failed: np.ndarray,
    *,
    iterations: int = 100,
) -> np.ndarray:
    """The moves between ``safe`` (pool alive) and ``failed`` (pool liquidated), one per pair,
    where pool equity meets maintenance.

    Newton's method on h(x) = equity − maintenance with the tiers taken at the trial move (as
    the engine does for liquidation prices), kept inside the bracket by bisection. With
    linear contracts h is piecewise linear in x, so the root is exact once the trial sits in
    the root's tiers; inverse contracts add curvature and a few more steps. One ``valuate``
    call per step for every pair together."""
    lo = np.asarray(safe, dtype=float).copy()
    hi = np.asarray(failed, dtype=float).copy()
    if lo.size == 0:
        return lo
    _, h_lo, _ = pool_health(layout, weights, lo)
    _, h_hi, _ = pool_health(layout, weights, hi)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(h_lo > h_hi, h_lo / (h_lo - h_hi), 0.5)
    x = lo + np.clip(np.nan_to_num(frac, nan=0.5), 0.0, 1.0) * (hi - lo)
    done = np.zeros(lo.size, dtype=bool)
    eps = np.finfo(float).eps
    for _ in range(iterations):
        dead, h, dh = pool_health(layout, weights, x)
        hi = np.where(dead, x, hi)
        lo = np.where(dead, lo, x)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = x - h / dh
        inside = np.isfinite(step) & ((step - lo) * (step - hi) < 0)
        new = np.where(inside, step, 0.5 * (lo + hi))
        tol = 4 * eps * np.maximum(np.abs(x), 1e-12)
        converged = (h == 0) | (np.abs(new - x) <= tol) | (np.abs(hi - lo) <= tol)
        x = np.where(done | (h == 0), x, new)
        done |= converged
        if done.all():
            break
    return x


@dataclass(frozen=True, slots=True)
class SweepBucket:
    """An isolated bucket of the swept plan (the order of ``Analysis.buckets``)."""

    symbol: str
    side: str
    position_ids: tuple[str, ...]
    margin: float


def moves_array(moves: Sequence[float] | np.ndarray) -> np.ndarray:
    array = np.asarray(moves, dtype=float).reshape(-1)
    if array.size == 0:
        raise PlanError("moves: give at least one move", field="moves")
    if not np.isfinite(array).all():
        raise PlanError("moves: every move must be a finite number", field="moves")
    return array


def check_prices(plan: Plan, factors: np.ndarray) -> None:
    bad = ~(factors > 0)
    if bad.any():
        step, k = np.argwhere(bad)[0]
        market = plan.markets[k]
        raise PlanError(
            f"moving {market.symbol} by {format_percent(factors[step, k] - 1.0, 2, sign=True)} "
            f"takes its price to {market.mark_price * factors[step, k]:g}: "
            "prices must stay above 0",
            field="moves",
        )
