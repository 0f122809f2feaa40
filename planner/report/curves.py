"""Account equity as each symbol alone moves — every symbol from ONE valuation of the account.

``domain.scenarios.sweep(plan, symbol=S)`` values every leg of the account for each symbol it
is asked about, so charting every symbol costs symbols × legs. A leg's value depends on its own
market's price only, so a single ``valuate`` call with *every* mark moved by the same ``x``
gives each leg its value when its own symbol has moved by ``x``; summing the legs of each
market then gives, for every symbol at once, what moves when that symbol alone moves (every
other mark held). Cost: steps × (legs + markets), linear in positions and symbols.

Liquidation along the path follows ``domain.scenarios`` (module docstring there): an isolated
bucket fails at its engine liquidation price and counts 0 from there on; the cross pool fails
where its equity meets its maintenance margin (the engine's cross liquidation price of the
moved symbol, other marks held, when it falls in the grid's bracket; otherwise the bracket is
solved on the straight line between its two grid points) and counts 0 from there on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.domain.analysis import Analysis, pool_failed
from planner.domain.book import build_book
from planner.domain.engine import cross_wallet, valuate

#: The moves every symbol's curve is valued at: fine (0.25 %) within ±50 %, coarser out to
#: −95 % and +1,000 % so that far liquidations (a short's in cross) still fit on the chart.
CURVE_GRID: np.ndarray = np.unique(
    np.round(
        np.concatenate(
            [
                np.linspace(-0.95, -0.5, 46),
                np.linspace(-0.5, 0.5, 401),
                np.linspace(0.5, 3.0, 101),
                np.linspace(3.0, 10.0, 71),
            ]
        ),
        10,
    )
)


@dataclass(frozen=True, slots=True)
class CurveEvent:
    """A bucket or the pool liquidated as the symbol moves (``move`` exact or, for the pool
    outside its engine price's bracket, interpolated between two grid steps)."""

    move: float
    kind: str  # "isolated" or "cross"
    side: str | None
    position_ids: tuple[str, ...]
    equity_before: float
    equity_after: float


@dataclass(frozen=True, slots=True)
class SymbolCurve:
    moves: np.ndarray
    equity: np.ndarray
    events: tuple[CurveEvent, ...]


def _by_market(values: np.ndarray, market: np.ndarray, n_markets: int) -> np.ndarray:
    """Sum the columns of ``values`` (steps, k) by ``market`` (k,) → (steps, n_markets)."""
    out = np.zeros((values.shape[0], n_markets))
    if market.size == 0:
        return out
    order = np.argsort(market, kind="stable")
    sorted_market = market[order]
    starts = np.flatnonzero(np.r_[True, sorted_market[1:] != sorted_market[:-1]])
    out[:, sorted_market[starts]] = np.add.reduceat(values[:, order], starts, axis=1)
    return out


def symbol_curves(analysis: Analysis, moves: np.ndarray = CURVE_GRID) -> dict[str, SymbolCurve]:
    """Every symbol's account-equity curve (other marks held) for the analysed plan."""
    plan = analysis.plan
    book = build_book(plan)
    xs = np.asarray(moves, dtype=float)
    n_markets = len(plan.markets)
    marks = np.array([m.mark_price for m in plan.markets])
    prices = marks[None, :] * (1.0 + xs[:, None])
    state = valuate(book, np.where(book.inverse, 1.0 / prices, prices))
    state0 = valuate(book, book.mark_u)
    cross = ~book.leg_isolated
    leg_market = book.leg_market

    # the pool: its equity and maintenance as each market alone moves
    cross_idx = np.flatnonzero(cross)
    cross_market = leg_market[cross_idx]
    pool_eq0 = cross_wallet(book) + float(state0.pnl[cross_idx].sum())
    pool_mm0 = float(state0.maintenance[cross_idx].sum())
    pool_eq = pool_eq0 + _by_market(
        state.pnl[:, cross_idx] - state0.pnl[cross_idx], cross_market, n_markets
    )
    pool_mm = pool_mm0 + _by_market(
        state.maintenance[:, cross_idx] - state0.maintenance[cross_idx], cross_market, n_markets
    )
    # collateral legs are in the pool but carry no position: alone they liquidate nothing
    carries = cross & ~book.leg_collateral
    has_cross = bool(carries.any())
    pool_dead0 = has_cross and bool(pool_failed(np.float64(pool_eq0), np.float64(pool_mm0)))
    market_has_cross = np.bincount(leg_market[carries], minlength=n_markets) > 0
    pool_down, pool_up = _pool_moves(
        analysis, book, xs, marks, pool_eq - pool_mm, pool_failed(pool_eq, pool_mm)
    )
    pool_down = np.where(market_has_cross, pool_down, -np.inf)
    pool_up = np.where(market_has_cross, pool_up, np.inf)
    pool_alive = ~pool_dead0 & (xs[:, None] > pool_down) & (xs[:, None] < pool_up)
    pool_part = np.where(pool_alive, pool_eq, 0.0)

    # the isolated buckets (the order of ``analysis.buckets``)
    iso_idx = np.flatnonzero(book.leg_isolated)
    iso_market = leg_market[iso_idx]
    bucket_eq = book.leg_margin[iso_idx] + state.pnl[:, iso_idx]
    bucket_eq0 = book.leg_margin[iso_idx] + state0.pnl[iso_idx]
    bucket_dead0 = bucket_eq0 <= state0.maintenance[iso_idx]
    lp = np.array(
        [np.nan if b.liquidation_price is None else b.liquidation_price for b in analysis.buckets]
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        x_lp = lp / marks[iso_market] - 1.0 if iso_idx.size else np.zeros(0)
    ok = np.isfinite(x_lp) & ~bucket_dead0
    b_down = np.where(ok & (x_lp <= 0), x_lp, -np.inf)
    b_up = np.where(ok & (x_lp > 0), x_lp, np.inf)
    bucket_alive = ~bucket_dead0 & (xs[:, None] > b_down) & (xs[:, None] < b_up)
    static = np.where(bucket_dead0, 0.0, bucket_eq0)
    static_total = float(static.sum())
    static_by_market = np.bincount(iso_market, static, n_markets)
    moving_by_market = _by_market(np.where(bucket_alive, bucket_eq, 0.0), iso_market, n_markets)
    equity = pool_part + (static_total - static_by_market) + moving_by_market

    # events, per market
    cross_ids = tuple(p.id for p in plan.positions if p.margin_mode == "cross")
    buckets_of: dict[int, list[int]] = {}
    for b, m in enumerate(iso_market.tolist()):
        buckets_of.setdefault(m, []).append(b)
    curves: dict[str, SymbolCurve] = {}
    for k, market in enumerate(plan.markets):
        col = equity[:, k]
        found: list[tuple[float, str, int]] = []
        for b in buckets_of.get(k, []):
            for x in (b_down[b], b_up[b]):
                if np.isfinite(x) and xs[0] <= x <= xs[-1]:
                    found.append((float(x), "isolated", b))
        if market_has_cross[k] and not pool_dead0:
            for x in (pool_down[k], pool_up[k]):
                if np.isfinite(x):
                    found.append((float(x), "cross", -1))
        events = []
        for x, kind, b in sorted(found, key=lambda e: (e[0] > 0, abs(e[0]))):
            after = _equity_at(
                x,
                k,
                xs,
                pool_eq,
                pool_alive_at=(pool_down[k], pool_up[k]),
                pool_dead0=pool_dead0,
                buckets=buckets_of.get(k, []),
                bucket_eq=bucket_eq,
                b_down=b_down,
                b_up=b_up,
                bucket_dead0=bucket_dead0,
                others=static_total - static_by_market[k],
            )
            if kind == "cross":
                own = float(np.interp(x, xs, pool_eq[:, k]))
                events.append(CurveEvent(x, "cross", None, cross_ids, after + own, after))
            else:
                own = float(np.interp(x, xs, bucket_eq[:, b]))
                bucket = analysis.buckets[b]
                events.append(
                    CurveEvent(x, "isolated", bucket.side, bucket.position_ids, after + own, after)
                )
        curves[market.symbol] = SymbolCurve(xs, col, tuple(events))
    return curves


def _equity_at(
    x: float,
    k: int,
    xs: np.ndarray,
    pool_eq: np.ndarray,
    *,
    pool_alive_at: tuple[float, float],
    pool_dead0: bool,
    buckets: list[int],
    bucket_eq: np.ndarray,
    b_down: np.ndarray,
    b_up: np.ndarray,
    bucket_dead0: np.ndarray,
    others: float,
) -> float:
    """The account's equity at move ``x`` of market ``k`` (a group failing exactly at ``x``
    counts as failed)."""
    down, up = pool_alive_at
    value = others
    if not pool_dead0 and down < x < up:
        value += float(np.interp(x, xs, pool_eq[:, k]))
    for b in buckets:
        if not bucket_dead0[b] and b_down[b] < x < b_up[b]:
            value += float(np.interp(x, xs, bucket_eq[:, b]))
    return value


def _pool_moves(
    analysis: Analysis,
    book,
    xs: np.ndarray,
    marks: np.ndarray,
    health: np.ndarray,
    failed: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Per market, the move nearest 0 on each side at which the pool fails (±inf: none)."""
    n_markets = len(marks)
    down = np.full(n_markets, -np.inf)
    up = np.full(n_markets, np.inf)
    # the engine's cross liquidation price of each market (other marks held)
    pos_market = book.leg_market[book.pos_leg]
    cross_pos = ~book.pos_isolated
    engine = np.full(n_markets, np.nan)
    lp = analysis.columns["liquidation_price"]
    engine[pos_market[cross_pos]] = lp[cross_pos]
    with np.errstate(divide="ignore", invalid="ignore"):
        engine_move = engine / marks - 1.0
    steps = np.arange(xs.size)
    below = xs < 0
    above = xs > 0
    last_down = np.where(failed & below[:, None], steps[:, None], -1).max(axis=0)
    first_up = np.where(failed & above[:, None], steps[:, None], xs.size).min(axis=0)
    for k in np.flatnonzero(last_down >= 0).tolist():
        j = int(last_down[k])
        down[k] = _root(xs, health[:, k], j, j + 1, engine_move[k])
    for k in np.flatnonzero(first_up < xs.size).tolist():
        j = int(first_up[k])
        up[k] = _root(xs, health[:, k], j, j - 1, engine_move[k])
    return down, up


def _root(xs: np.ndarray, health: np.ndarray, failed: int, safe: int, engine: float) -> float:
    """The failing move between grid steps ``safe`` and ``failed``: the engine's price when it
    lies there, else where the straight line between the two steps crosses zero."""
    lo, hi = sorted((float(xs[failed]), float(xs[safe])))
    slack = 1e-9 * max(1.0, abs(hi))
    if np.isfinite(engine) and lo - slack <= engine <= hi + slack:
        return float(engine)
    h_safe, h_failed = float(health[safe]), float(health[failed])
    if h_safe == h_failed:
        return float(xs[failed])
    t = h_safe / (h_safe - h_failed)
    return float(xs[safe] + min(max(t, 0.0), 1.0) * (xs[failed] - xs[safe]))
