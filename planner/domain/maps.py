"""Two-asset maps: the account's state over a grid of moves of two symbols (every other mark
held), coloured by what has been liquidated. One ``valuate`` call values the whole grid.

The state of a cell is the state of ``analyze(shocked(plan, moves={x: mx, y: my}))`` — a point,
not a path: 0 everything alive, 1 some isolated bucket liquidated (the pool alive), 2 the
cross pool liquidated.

Every figure of the account is a sum over legs and each leg depends on its own market's price
only, so the grid needs the legs valued at nx + ny + 1 price sets, not nx·ny: one ``valuate``
call on that small grid, then outer sums — exact, and fast for 201 × 201 and many positions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from planner.domain.analysis import pool_failed
from planner.domain.errors import PlanError
from planner.domain.plan import Plan
from planner.domain.scenarios.path import PathLayout, check_prices, moves_array
from planner.domain.scenarios.what_if import symbol_index

MAP_FORMAT = "margin-planner.asset-map"
MAP_VERSION = 1

ALIVE = 0
BUCKETS_LIQUIDATED = 1
POOL_LIQUIDATED = 2
STATE_NAMES = {ALIVE: "alive", BUCKETS_LIQUIDATED: "isolated liquidated", POOL_LIQUIDATED: "cross"}


@dataclass(frozen=True, eq=False)
class AssetMap:
    """Grids are indexed ``[iy, ix]``: rows follow ``moves_y``, columns ``moves_x``."""

    plan: Plan
    symbol_x: str
    symbol_y: str
    moves_x: np.ndarray  # (nx,)
    moves_y: np.ndarray  # (ny,)
    state: np.ndarray = field(repr=False)  # int8 (ny, nx): ALIVE / BUCKETS_LIQUIDATED / POOL_…
    #: account equity with every liquidated bucket (and a liquidated pool) counted as 0
    account_equity: np.ndarray = field(repr=False)
    cross_equity: np.ndarray = field(repr=False)  # the pool's equity (even when liquidated)
    cross_maintenance: np.ndarray = field(repr=False)
    buckets_liquidated: np.ndarray = field(repr=False)  # int (ny, nx): how many buckets

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": MAP_FORMAT,
            "version": MAP_VERSION,
            "currency": self.plan.account.currency,
            "symbol_x": self.symbol_x,
            "symbol_y": self.symbol_y,
            "moves_x": self.moves_x.tolist(),
            "moves_y": self.moves_y.tolist(),
            "states": {str(k): v for k, v in STATE_NAMES.items()},
            "state": self.state.tolist(),
            "account_equity": self.account_equity.tolist(),
            "cross_equity": self.cross_equity.tolist(),
            "cross_maintenance": self.cross_maintenance.tolist(),
            "buckets_liquidated": self.buckets_liquidated.tolist(),
        }


def two_asset_map(
    plan: Plan,
    symbol_x: str,
    symbol_y: str,
    moves_x: Sequence[float] | np.ndarray,
    moves_y: Sequence[float] | np.ndarray,
) -> AssetMap:
    """The account's state over every pair (moves_x[ix], moves_y[iy]) of moves (fractions) of
    ``symbol_x`` and ``symbol_y``."""
    ix = symbol_index(plan, symbol_x, "symbol_x")
    iy = symbol_index(plan, symbol_y, "symbol_y")
    if ix == iy:
        raise PlanError(f"symbol_y = {symbol_y!r}: choose two different symbols", field="symbol_y")
    mx, my = moves_array(moves_x), moves_array(moves_y)
    nx, ny = mx.size, my.size
    layout = PathLayout.of(plan)
    book = layout.book

    # Every figure is a sum over legs, and a leg depends on its own market's price alone, so
    # one valuation of the plan at its marks, at each x move and at each y move (one valuate
    # call on a (1 + nx + ny, markets) grid) gives every cell exactly.
    factors = np.ones((1 + nx + ny, len(plan.markets)))
    factors[1 : 1 + nx, ix] = 1.0 + mx
    factors[1 + nx :, iy] = 1.0 + my
    check_prices(plan, factors)
    state = layout.state(factors)
    rows_x, rows_y = slice(1, 1 + nx), slice(1 + nx, None)

    on_x = book.leg_market == ix
    on_y = book.leg_market == iy
    rest = ~(on_x | on_y)
    cross = ~book.leg_isolated

    def split(values: np.ndarray, legs: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """Σ over ``legs`` of ``values`` as constant + part(x) + part(y)."""
        const = float(values[0, legs & rest].sum())
        return (
            const,
            values[rows_x][:, legs & on_x].sum(axis=1),
            values[rows_y][:, legs & on_y].sum(axis=1),
        )

    c, px, py = split(state.pnl, cross)
    pool_eq = layout.wallet + c + px[None, :] + py[:, None]
    c, mmx, mmy = split(state.maintenance, cross)
    pool_mm = c + mmx[None, :] + mmy[:, None]

    margin = book.leg_margin
    bucket_eq = margin + state.pnl
    bucket_dead = (bucket_eq <= state.maintenance) & book.leg_isolated
    bucket_live = np.where(bucket_dead, 0.0, bucket_eq) * book.leg_isolated
    c, dx, dy = split(bucket_dead.astype(float), book.leg_isolated)
    n_dead = np.rint(c + dx[None, :] + dy[:, None]).astype(int)
    c, ex, ey = split(bucket_live, book.leg_isolated)
    bucket_equity = c + ex[None, :] + ey[:, None]

    has_cross = layout.has_cross
    pool_dead = pool_failed(pool_eq, pool_mm) & has_cross  # no cross position: nothing to lose
    code = np.where(pool_dead, POOL_LIQUIDATED, np.where(n_dead > 0, BUCKETS_LIQUIDATED, ALIVE))
    equity = np.where(pool_dead, 0.0, pool_eq) + bucket_equity
    return AssetMap(
        plan=plan,
        symbol_x=symbol_x,
        symbol_y=symbol_y,
        moves_x=mx,
        moves_y=my,
        state=code.astype(np.int8),
        account_equity=equity,
        cross_equity=pool_eq,
        cross_maintenance=pool_mm,
        buckets_liquidated=n_dead,
    )
