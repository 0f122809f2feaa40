"""Liquidations along a path: the order in which isolated buckets and the cross pool fail as
prices move, and the market-wide move that liquidates the pool (reference/MARGIN.md §5.3).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from planner.domain.analysis import pool_failed
from planner.domain.errors import PlanError
from planner.domain.plan import Plan
from planner.domain.scenarios.path import PathLayout, SweepBucket, refine_pool
from planner.domain.scenarios.what_if import beta_vector

EventKind = Literal["isolated", "cross"]


@dataclass(frozen=True, slots=True)
class LiquidationEvent:
    """One liquidation along a sweep.

    ``move`` is exact (solved, not a grid step). ``direction`` is −1 (moves down), +1 (up) or 0
    (already liquidated at the plan's marks). ``equity_after`` is the account's equity right
    after the liquidation, at that move: every bucket liquidated so far counts 0 and a
    liquidated pool counts what it is left with (0, see the module docstring);
    ``equity_before`` adds back what this bucket or pool held there (its maintenance margin,
    which the venue keeps), so a chart can draw the drop. ``price`` is
    the price at which it happens of the bucket's symbol (isolated) or of the swept symbol
    (cross, single-symbol sweeps); ``None`` for the pool in market-wide sweeps."""

    move: float
    direction: int
    kind: EventKind
    symbol: str | None
    side: str | None
    position_ids: tuple[str, ...]
    equity_after: float
    equity_before: float = math.nan
    price: float | None = None
    bucket: int | None = None  # index into Sweep.buckets for isolated events

    def to_dict(self) -> dict[str, Any]:
        return {
            "move": self.move,
            "direction": self.direction,
            "kind": self.kind,
            "symbol": self.symbol,
            "side": self.side,
            "position_ids": list(self.position_ids),
            "price": self.price,
            "equity_before": self.equity_before,
            "equity_after": self.equity_after,
        }


def liquidation_events(
    plan: Plan,
    layout: PathLayout,
    weights: np.ndarray,
    symbol: str | None,
    buckets: tuple[SweepBucket, ...],
    dead0: np.ndarray,
    down: np.ndarray,
    up: np.ndarray,
) -> tuple[LiquidationEvent, ...]:
    """Events in order: already liquidated at the marks, then going down, then going up (each
    direction outward from 0), with the account's equity right after each."""
    n_buckets = len(buckets)
    pool = n_buckets
    cross_ids = tuple(p.id for p in plan.positions if p.margin_mode == "cross")
    # (direction, move, group)
    found: list[tuple[int, float, int]] = [(0, 0.0, g) for g in np.flatnonzero(dead0).tolist()]
    for direction, moves in ((-1, down), (1, up)):
        groups = np.flatnonzero(np.isfinite(moves))
        order = groups[np.lexsort((groups, np.abs(moves[groups])))]
        found.extend((direction, float(moves[g]), int(g)) for g in order.tolist())
    if not found:
        return ()

    at = np.array([x for _, x, _ in found])
    directions = np.array([d for d, _, _ in found])
    groups = np.array([g for _, _, g in found])
    after, own = _equity_after(layout, weights, dead0, at, directions, groups)
    before = after + own

    prices = layout.prices
    market_of = {m.symbol: k for k, m in enumerate(plan.markets)}
    events = []
    for e, (direction, x, g) in enumerate(found):
        if g == pool:
            price = None
            if symbol is not None:
                k = int(np.flatnonzero(weights)[0])
                price = float(prices[k] * (1.0 + x))
            events.append(
                LiquidationEvent(
                    move=x,
                    direction=direction,
                    kind="cross",
                    symbol=None,
                    side=None,
                    position_ids=cross_ids,
                    equity_after=float(after[e]),
                    equity_before=float(before[e]),
                    price=price,
                )
            )
        else:
            b = buckets[g]
            k = market_of[b.symbol]
            events.append(
                LiquidationEvent(
                    move=x,
                    direction=direction,
                    kind="isolated",
                    symbol=b.symbol,
                    side=b.side,
                    position_ids=b.position_ids,
                    equity_after=float(after[e]),
                    equity_before=float(before[e]),
                    price=float(prices[k] * (1.0 + x * weights[k])),
                    bucket=g,
                )
            )
    return tuple(events)


def _equity_after(
    layout: PathLayout,
    weights: np.ndarray,
    dead0: np.ndarray,
    at: np.ndarray,
    directions: np.ndarray,
    groups: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The account's equity right after each event, and what the event's group held there,
    in time events + groups + legs (no events × legs or events × groups matrix).

    Right after event e the dead groups are those liquidated at the marks and those of the
    events so far on e's side (the events of one side are contiguous and in order). Equity
    needs PnL only: a + b·u for every leg. With u = P·(1 + x·w) on a linear market, a group's
    equity is c + l0 + x·l1; on an inverse market u = 1 / (P·(1 + x·w)) is kept per market.
    Sums over dead groups are then prefix sums along each side's events."""
    book = layout.book
    n_groups = len(dead0)
    pool = n_groups - 1
    leg_group = np.full(len(book.leg_q), pool)  # cross legs: the pool
    leg_group[layout.iso_legs] = np.arange(len(layout.iso_legs))
    market = book.leg_market
    inverse = book.inverse[market]
    price = layout.prices[market]
    linear_b = np.where(inverse, 0.0, book.leg_b * price)
    c = np.bincount(leg_group, book.leg_a + book.leg_margin, n_groups)
    c[pool] += layout.wallet
    l0 = np.bincount(leg_group, linear_b, n_groups)
    l1 = np.bincount(leg_group, linear_b * weights[market], n_groups)
    inverse_markets = np.flatnonzero(book.inverse)
    column = np.zeros(len(book.inverse), dtype=np.intp)
    column[inverse_markets] = np.arange(len(inverse_markets))
    inv = np.zeros((n_groups, len(inverse_markets)))  # Σ b by group and inverse market
    legs = np.flatnonzero(inverse)
    np.add.at(inv, (leg_group[legs], column[market[legs]]), book.leg_b[legs])
    # 1/price of every inverse market at every event's move
    v = 1.0 / (layout.prices[inverse_markets] * (1.0 + at[:, None] * weights[inverse_markets]))

    def value(cc: np.ndarray, ll0: np.ndarray, ll1: np.ndarray, vv: np.ndarray) -> np.ndarray:
        return cc + ll0 + at * ll1 + (vv * v).sum(axis=1)

    total = value(c.sum(), l0.sum(), l1.sum(), inv.sum(axis=0))
    lost0 = value(c[dead0].sum(), l0[dead0].sum(), l1[dead0].sum(), inv[dead0].sum(axis=0))
    # the groups of the events so far on each side (events at the marks are in ``dead0``)
    prefix_c, prefix_l0, prefix_l1 = np.zeros(len(at)), np.zeros(len(at)), np.zeros(len(at))
    prefix_inv = np.zeros((len(at), len(inverse_markets)))
    for side in (-1, 1):
        events = np.flatnonzero(directions == side)
        g = groups[events]
        prefix_c[events] = np.cumsum(c[g])
        prefix_l0[events] = np.cumsum(l0[g])
        prefix_l1[events] = np.cumsum(l1[g])
        prefix_inv[events] = np.cumsum(inv[g], axis=0)
    after = total - lost0 - value(prefix_c, prefix_l0, prefix_l1, prefix_inv)
    own = value(c[groups], l0[groups], l1[groups], inv[groups])
    return after, own


# --------------------------------------------------------------------------------------------
# the joint shock that liquidates the pool (reference/MARGIN.md §5.3)

#: How far a market move is searched when no price reaches zero on the way (×101).
MAX_MARKET_MOVE = 100.0


def liquidating_market_move(
    plan: Plan, betas: Mapping[str, float] | None = None, direction: int = -1
) -> float | None:
    """The market-wide move (a fraction, signed like ``direction``) closest to 0 at which the
    cross pool is liquidated: every mark S × (1 + x·beta_S). 0.0 when the pool is liquidated at
    the marks already; None when no move in that direction (before a price reaches 0, or
    within ×101 when none does) liquidates it, and for a plan without cross positions."""
    if direction not in (-1, 1):
        raise PlanError(f"direction = {direction!r}: must be -1 or +1", field="direction")
    weights = beta_vector(plan, betas)
    layout = PathLayout.of(plan)
    if not layout.has_cross:
        return None
    w = direction * weights
    # the largest |x| that keeps every price above 0; the grid only has to bracket the first
    # failure (with linear contracts the pool's health is concave along the path, so the
    # first failed point brackets the first root), then Newton's method solves it exactly
    shrinking = w < 0
    if shrinking.any():
        limit = float((1.0 / -w[shrinking]).min())
        near = limit * (1.0 - np.geomspace(0.5, 1e-12, 32))
        ts = np.concatenate([[0.0], np.geomspace(1e-5 * limit, limit * 0.5, 96)[:-1], near])
    else:
        ts = np.concatenate(
            [[0.0], np.geomspace(1e-5, 1.0, 96)[:-1], np.geomspace(1.0, MAX_MARKET_MOVE, 32)]
        )
    pool_eq, pool_mm = layout.pool(layout.state(1.0 + ts[:, None] * w))
    hits = np.flatnonzero(pool_failed(pool_eq, pool_mm))
    if hits.size == 0:
        return None
    if hits[0] == 0:
        return 0.0
    j = int(hits[0])
    safe = float(ts[j - 1])
    t = refine_pool(layout, w, np.array([safe]), np.array([float(ts[j])]))[0]
    return float(direction * t)
