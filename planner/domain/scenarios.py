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

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal

import numpy as np
from pydantic import ValidationError

from planner.domain.analysis import pool_failed
from planner.domain.book import Book, build_book
from planner.domain.engine import LegState, cross_wallet, group_collateral, solve_groups, valuate
from planner.domain.errors import PlanError, describe
from planner.domain.formatting import format_percent
from planner.domain.plan import MarginMode, Plan, Position

SWEEP_FORMAT = "margin-planner.sweep"
SWEEP_VERSION = 1

#: Names of the three variants of a plan that the twin view and the payoff chart compare.
VARIANTS: tuple[str, ...] = ("planned", "all_cross", "all_isolated")

EventKind = Literal["isolated", "cross"]


# --------------------------------------------------------------------------------------------
# plan edits


def _rebuild(plan: Plan, positions: Sequence[Position | dict[str, Any]]) -> Plan:
    """``plan`` with new positions, every plan rule checked again (``PlanError`` if broken)."""
    data = {name: getattr(plan, name) for name in Plan.model_fields}
    data["positions"] = tuple(positions)
    try:
        return Plan.model_validate(data)
    except ValidationError as error:
        raise describe(error) from None


def _position_index(plan: Plan, position_id: str) -> int:
    for i, pos in enumerate(plan.positions):
        if pos.id == position_id:
            return i
    raise PlanError(f"no position with id {position_id!r}", field="position_id")


def _changed(pos: Position, **changes: Any) -> dict[str, Any]:
    return {**pos.model_dump(), **changes}


def with_margin_mode(plan: Plan, mode: MarginMode) -> Plan:
    """The plan with every position in ``mode``; positions switched to cross lose their added
    margin (cross positions have none), isolated positions keep theirs."""
    _check_mode(mode)
    positions = [
        pos if pos.margin_mode == mode else _changed(pos, margin_mode=mode, added_margin=0.0)
        for pos in plan.positions
    ]
    return _rebuild(plan, positions)


def with_position_mode(plan: Plan, position_id: str, mode: MarginMode) -> Plan:
    """The plan with position ``position_id`` in ``mode``.

    Every position on a symbol shares one margin mode (spec: the exchange keeps the mode per
    symbol), so all positions on the same symbol switch with it. Switching to cross drops their
    added margin."""
    _check_mode(mode)
    symbol = plan.positions[_position_index(plan, position_id)].symbol
    positions = [
        _changed(pos, margin_mode=mode, added_margin=0.0)
        if pos.symbol == symbol and pos.margin_mode != mode
        else pos
        for pos in plan.positions
    ]
    return _rebuild(plan, positions)


def with_added_margin(plan: Plan, position_id: str, delta: float) -> Plan:
    """The plan with ``delta`` added to (or, negative, removed from) the isolated margin of
    ``position_id``. The margin comes out of (or goes back to) the cross pool."""
    if not math.isfinite(delta):
        raise PlanError(f"delta = {delta}: must be a finite amount", field="delta")
    i = _position_index(plan, position_id)
    pos = plan.positions[i]
    if pos.margin_mode != "isolated":
        raise PlanError(
            f"positions[{i}].margin_mode = cross: added margin applies to isolated positions only",
            field=f"positions[{i}].margin_mode",
        )
    positions = list(plan.positions)
    positions[i] = _changed(pos, added_margin=pos.added_margin + delta)
    return _rebuild(plan, positions)


def _check_mode(mode: str) -> None:
    if mode not in ("cross", "isolated"):
        raise PlanError(f"mode = {mode!r}: must be 'cross' or 'isolated'", field="mode")


def variant_plans(plan: Plan) -> dict[str, Plan]:
    """The plan as it is, all-cross and all-isolated (keys ``VARIANTS``)."""
    return {
        "planned": plan,
        "all_cross": with_margin_mode(plan, "cross"),
        "all_isolated": with_margin_mode(plan, "isolated"),
    }


# --------------------------------------------------------------------------------------------
# shocks


def _symbol_index(plan: Plan, symbol: str, what: str = "symbol") -> int:
    for k, market in enumerate(plan.markets):
        if market.symbol == symbol:
            return k
    raise PlanError(f"{what} = {symbol!r}: no market with this symbol", field=what)


def _finite(value: float, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise PlanError(f"{what} = {value!r}: must be a number", field=what) from None
    if not math.isfinite(number):
        raise PlanError(f"{what} = {value}: must be a finite number", field=what)
    return number


def beta_vector(plan: Plan, betas: Mapping[str, float] | None) -> np.ndarray:
    """Per-market betas in market order (1 where not given); unknown symbols are refused."""
    weights = np.ones(len(plan.markets))
    for symbol, beta in (betas or {}).items():
        weights[_symbol_index(plan, symbol, f"betas[{symbol}]")] = _finite(beta, f"betas[{symbol}]")
    return weights


def shock_factors(
    plan: Plan,
    *,
    moves: Mapping[str, float] | None = None,
    market_move: float = 0.0,
    betas: Mapping[str, float] | None = None,
) -> np.ndarray:
    """``1 + moves[S] + market_move·beta_S`` for every market, in market order."""
    factors = 1.0 + _finite(market_move, "market_move") * beta_vector(plan, betas)
    for symbol, move in (moves or {}).items():
        factors[_symbol_index(plan, symbol, f"moves[{symbol}]")] += _finite(
            move, f"moves[{symbol}]"
        )
    return factors


def shocked(
    plan: Plan,
    *,
    moves: Mapping[str, float] | None = None,
    market_move: float = 0.0,
    betas: Mapping[str, float] | None = None,
) -> Plan:
    """The plan with its marks moved: symbol S's mark × (1 + moves[S] + market_move·beta_S).

    Moves are fractions (−0.1 = −10 %); betas default to 1. A move that takes a price to zero
    or below is refused (``PlanError``)."""
    factors = shock_factors(plan, moves=moves, market_move=market_move, betas=betas)
    markets = []
    for market, factor in zip(plan.markets, factors.tolist(), strict=True):
        price = market.mark_price * factor
        if not (factor > 0 and math.isfinite(price) and price > 0):
            raise PlanError(
                f"the move takes {market.symbol}'s price to {price:g}: prices must stay above 0",
                field=f"moves[{market.symbol}]",
            )
        markets.append(market if factor == 1.0 else market.model_copy(update={"mark_price": price}))
    # Only marks change: no plan rule depends on them, so the copy needs no validation.
    return plan.model_copy(update={"markets": tuple(markets)})


# --------------------------------------------------------------------------------------------
# the account along a path of moves


@dataclass(frozen=True, slots=True)
class _Layout:
    """Which legs form the pool and the buckets, and the plan's prices."""

    book: Book
    prices: np.ndarray  # (m,) marks
    cross_legs: np.ndarray  # leg indices
    iso_legs: np.ndarray  # leg indices, in bucket order (= Analysis.buckets order)
    wallet: float  # cross wallet balance

    @classmethod
    def of(cls, plan: Plan) -> _Layout:
        book = build_book(plan)
        prices = np.array([m.mark_price for m in plan.markets], dtype=float)
        return cls(
            book=book,
            prices=prices,
            cross_legs=np.flatnonzero(~book.leg_isolated),
            iso_legs=np.flatnonzero(book.leg_isolated),
            wallet=cross_wallet(book),
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
        """The cross pool's equity and maintenance margin (shape (...,))."""
        idx = self.cross_legs
        equity = self.wallet + state.pnl[..., idx].sum(axis=-1)
        return equity, state.maintenance[..., idx].sum(axis=-1)

    def buckets(self, state: LegState) -> tuple[np.ndarray, np.ndarray]:
        """Every isolated bucket's equity and maintenance margin (shape (..., buckets))."""
        idx = self.iso_legs
        return self.book.leg_margin[idx] + state.pnl[..., idx], state.maintenance[..., idx]


def _pool_health(
    layout: _Layout, weights: np.ndarray, xs: np.ndarray
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


def _refine_pool(
    layout: _Layout,
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
    _, h_lo, _ = _pool_health(layout, weights, lo)
    _, h_hi, _ = _pool_health(layout, weights, hi)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(h_lo > h_hi, h_lo / (h_lo - h_hi), 0.5)
    x = lo + np.clip(np.nan_to_num(frac, nan=0.5), 0.0, 1.0) * (hi - lo)
    done = np.zeros(lo.size, dtype=bool)
    eps = np.finfo(float).eps
    for _ in range(iterations):
        dead, h, dh = _pool_health(layout, weights, x)
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
    weights[_symbol_index(plan, symbol)] = 1.0
    return weights


def _moves_array(moves: Sequence[float] | np.ndarray) -> np.ndarray:
    array = np.asarray(moves, dtype=float).reshape(-1)
    if array.size == 0:
        raise PlanError("moves: give at least one move", field="moves")
    if not np.isfinite(array).all():
        raise PlanError("moves: every move must be a finite number", field="moves")
    return array


def _check_prices(plan: Plan, factors: np.ndarray) -> None:
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
      it lies there, otherwise by Newton's method on the pool's equation (``_refine_pool``).
      With linear contracts the pool's equity minus maintenance is concave along the path
      (PnL affine, maintenance convex in each price), so once failed it stays failed further
      out; with coin-margined markets a failure and recovery between two steps could go
      unnoticed: use enough steps.

    ``Sweep.events`` lists them in the order they happen moving away from 0: first what is
    liquidated at the marks already, then the falls, then the rises. See the module docstring
    for what a liquidation leaves.
    """
    xs = _moves_array(moves)
    weights = _weights(plan, symbol, betas)
    layout = _Layout.of(plan)
    book = layout.book
    factors = 1.0 + xs[:, None] * weights
    _check_prices(plan, factors)

    # one valuation: row 0 is the plan at its marks, rows 1.. the steps
    grid = np.concatenate([np.ones((1, len(weights))), factors])
    state = layout.state(grid)
    pool_eq, pool_mm = layout.pool(state)
    bucket_eq, bucket_mm = layout.buckets(state)
    has_cross = layout.cross_legs.size > 0
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
    events = _events(plan, layout, weights, symbol, buckets, dead0, down, up)
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
    layout: _Layout,
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
        solved = _refine_pool(
            layout,
            weights,
            np.array([brackets[i][1] for i in todo]),
            np.array([brackets[i][2] for i in todo]),
        )
        for i, x in zip(todo, solved.tolist(), strict=True):
            result[i] = x
    return [float(r) for r in result if r is not None]


def _sweep_buckets(plan: Plan, book: Book, layout: _Layout) -> tuple[SweepBucket, ...]:
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


def _events(
    plan: Plan,
    layout: _Layout,
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
    # equity needs PnL only (no tiers): a + b·u for every leg, without a second valuation
    book = layout.book
    prices_at = layout.prices * (1.0 + at[:, None] * weights)
    u = np.where(book.inverse, 1.0 / prices_at, prices_at)[:, book.leg_market]
    pnl = book.leg_a + book.leg_b * u
    pool_eq = layout.wallet + pnl[:, layout.cross_legs].sum(axis=1)
    bucket_eq = book.leg_margin[layout.iso_legs] + pnl[:, layout.iso_legs]
    equity = np.concatenate([bucket_eq, pool_eq[:, None]], axis=1)  # (events, groups)

    # dead right after event e: liquidated at the marks, or earlier on the same side
    n_groups = n_buckets + 1
    rank = np.full((3, n_groups), np.inf)  # by direction −1, 0, +1: position in ``found``
    for e, (direction, _, g) in enumerate(found):
        rank[direction + 1, g] = e
    rank[:, dead0] = -1.0
    e_index = np.arange(len(found))
    directions = np.array([d for d, _, _ in found]) + 1
    dead_after = rank[directions] <= e_index[:, None]
    after = np.where(dead_after, 0.0, equity).sum(axis=1)
    groups = np.array([g for _, _, g in found])
    before = after + equity[e_index, groups]

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
    layout = _Layout.of(plan)
    if layout.cross_legs.size == 0:
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
    t = _refine_pool(layout, w, np.array([safe]), np.array([float(ts[j])]))[0]
    return float(direction * t)
