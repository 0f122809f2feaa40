"""A plan laid out as numpy arrays: positions, the exchange positions ("legs") they net into,
the liquidation groups (each isolated bucket, and each symbol's cross legs), and tier tables.

Netting (spec: ``position_mode``): positions of one symbol and side form one leg — summed
quantity, entry averaged so that PnL adds up (quantity-weighted for linear, harmonic for
inverse), one isolated bucket whose margin is the sum. The same layout serves one-way mode
(one side per symbol) and hedge mode (a long and a short leg per symbol).

Prices enter the engine as ``u``: the price itself for linear contracts and its inverse for
inverse contracts. In ``u`` every leg's notional is ``q·u`` and its PnL ``a + b·u``, so one
code path handles both contract types.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

import numpy as np

from planner.domain.plan import Market, Plan, TierTable
from planner.domain.venues import VenueRules, venue_rules


@dataclass(frozen=True, eq=False)
class Book:
    # A weak reference: the layout cache (``_CACHE``) must not keep a plan alive. Whoever has
    # the book got it from ``build_book(plan)`` and holds the plan.
    plan_ref: weakref.ref[Plan]
    rules: VenueRules
    taker: float
    # markets (m)
    inverse: np.ndarray  # bool (m,)
    mark: np.ndarray  # (m,) mark price
    mark_u: np.ndarray  # (m,) mark price in u
    floors: np.ndarray  # (m, K) tier floors, +inf padded
    mmr: np.ndarray  # (m, K)
    cum: np.ndarray  # (m, K)
    # positions (n)
    pos_leg: np.ndarray  # int (n,)
    pos_q: np.ndarray  # (n,) base units (linear) or USD (inverse)
    pos_entry: np.ndarray  # (n,)
    pos_sign: np.ndarray  # (n,) ±1
    pos_leverage: np.ndarray  # (n,)
    pos_margin: np.ndarray  # (n,) isolated margin (initial + added), 0 for cross
    pos_isolated: np.ndarray  # bool (n,)
    pos_quantity: np.ndarray  # (n,) as written in the plan (contracts for inverse)
    pos_stop: np.ndarray  # (n,) stop-loss price, NaN without one
    pos_entry_notional: np.ndarray  # (n,) quote (linear) or coin (inverse)
    pos_a: np.ndarray  # (n,) the position's PnL(u) = a + b·u
    pos_b: np.ndarray
    pos_ids: tuple[str, ...]
    # take-profit levels of every position, flattened in plan order (T levels)
    tp_position: np.ndarray  # int (T,) the position each level belongs to
    tp_price: np.ndarray  # (T,)
    tp_fraction: np.ndarray  # (T,)
    # legs (L)
    leg_market: np.ndarray  # int (L,)
    leg_sign: np.ndarray  # (L,)
    leg_q: np.ndarray  # (L,)
    leg_entry: np.ndarray  # (L,)
    leg_isolated: np.ndarray  # bool (L,)
    leg_margin: np.ndarray  # (L,) bucket margin, 0 for cross legs
    leg_group: np.ndarray  # int (L,)
    leg_a: np.ndarray  # PnL(u) = a + b·u
    leg_b: np.ndarray
    leg_entry_notional: np.ndarray  # (L,) quote (linear) or coin (inverse)
    leg_floors: np.ndarray  # (L, K) the leg's market's tier floors, +inf padded
    leg_mmr: np.ndarray  # (L, K) the leg's market's rates
    leg_cum: np.ndarray  # (L, K) the leg's market's maintenance amounts
    leg_last_tier: np.ndarray  # int (L,) index of the leg's market's last tier
    leg_tier_base: np.ndarray  # int (L,) leg × K: the flat index of the leg's first tier
    # groups (G): isolated legs first (group i = isolated leg), then one per cross symbol
    group_market: np.ndarray  # int (G,)
    group_isolated: np.ndarray  # bool (G,)
    # collateral (spec v2): one leg per item priced by a market, after the positions' legs
    leg_collateral: np.ndarray  # bool (L,) the leg is collateral, not a position
    collateral_leg: np.ndarray  # int (C,) each item's leg, −1 for a fixed price
    collateral_units: np.ndarray  # (C,) Σ slices × ratio: value per unit of price
    collateral_fixed_value: float  # Σ value of the items at a fixed price

    @property
    def plan(self) -> Plan:
        plan = self.plan_ref()
        if plan is None:  # pragma: no cover - a book is used while its plan is held
            raise ReferenceError("the plan of this book no longer exists")
        return plan

    @property
    def n_positions(self) -> int:
        return len(self.pos_q)


@dataclass(frozen=True, slots=True)
class LegState:
    """Every leg valued at one set of marks (arrays broadcast over leading scenario axes)."""

    u: np.ndarray  # the leg's mark in u
    pnl: np.ndarray
    notional: np.ndarray  # at the mark: quote (linear) or coin (inverse)
    tier: np.ndarray  # index of the tier used for maintenance
    mmr: np.ndarray
    cum: np.ndarray
    maintenance: np.ndarray  # MM including the fee to close where the venue counts it
    fee_to_close: np.ndarray


def pnl_coefficients(
    sign: np.ndarray, q: np.ndarray, entry: np.ndarray, inverse: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """PnL = a + b·u. Linear: s·q·(P − E). Inverse: s·Q·(1/E − 1/P)."""
    a = np.where(inverse, sign * q / entry, -sign * q * entry)
    b = np.where(inverse, -sign * q, sign * q)
    return a, b


# The few most recent layouts, by plan identity: plans are immutable, and the window asks for
# the analysis and a sweep of the same plan one after the other. Neither the key nor the book
# holds the plan, and an entry goes when its plan does.
_CACHE: dict[int, Book] = {}
_CACHE_SIZE = 8


def clear_caches() -> None:
    """Forget every layout (benchmarks measure a plan the engine has not seen)."""
    _CACHE.clear()


def _forget(key: int) -> Callable[[weakref.ref[Plan]], None]:
    def drop(ref: weakref.ref[Plan]) -> None:
        hit = _CACHE.get(key)
        if hit is not None and hit.plan_ref is ref:
            del _CACHE[key]

    return drop


def build_book(plan: Plan) -> Book:
    """Lay ``plan`` out as arrays (cached per plan object)."""
    return _build(plan)


_SIGN = {"long": 1.0, "short": -1.0}
_ISOLATED = {"isolated": True, "cross": False}


def _tier_rows(market: Market) -> tuple[list[float], list[float], list[float]]:
    """Floors, rates and maintenance amounts of a market (a flat rule is one tier)."""
    rule = market.maintenance
    if isinstance(rule, TierTable):
        floors, rates, amounts = rule.columns
        return list(floors), list(rates), list(amounts)
    return [0.0], [rule.mmr], [rule.maintenance_amount]


@dataclass(frozen=True, slots=True)
class _CollateralColumns:
    market: np.ndarray  # int (C,) the pricing market, −1 for a fixed price
    units: np.ndarray  # (C,) Σ slices × ratio
    fixed_value: float


def _collateral_columns(plan: Plan, index: dict[str, int]) -> _CollateralColumns:
    items = plan.account.collateral
    market = np.array(
        [-1 if c.price_symbol is None else index[c.price_symbol] for c in items], dtype=np.intp
    )
    # value is linear in price: value_at(1) is the value of one unit of price
    units = np.array([c.value_at(1.0) for c in items], dtype=float)
    fixed = sum(c.value_at(c.price) for c in items if c.price is not None)
    return _CollateralColumns(market, units, float(fixed))


def _build(plan: Plan) -> Book:
    hit = _CACHE.get(id(plan))
    if hit is not None and hit.plan_ref() is plan:
        return hit
    markets = plan.markets
    index = {m.symbol: i for i, m in enumerate(markets)}
    m = len(markets)
    rows = [_tier_rows(mk) for mk in markets]
    n_tiers = [len(r[0]) for r in rows]
    k_max = max(n_tiers, default=1)
    pads = [k_max - k for k in n_tiers]
    floors = np.array([f + [np.inf] * p for (f, _, _), p in zip(rows, pads, strict=True)])
    mmr = np.array([r + [0.0] * p for (_, r, _), p in zip(rows, pads, strict=True)])
    cum = np.array([c + [0.0] * p for (_, _, c), p in zip(rows, pads, strict=True)])
    if not m:
        floors = mmr = cum = np.zeros((0, k_max))
    n_tiers = np.array(n_tiers, dtype=np.intp)
    inverse = np.array([mk.contract == "inverse" for mk in markets], dtype=bool)
    size = np.array([mk.contract_size for mk in markets], dtype=float)
    mark = np.array([mk.mark_price for mk in markets], dtype=float)
    mark_u = np.where(inverse, 1.0 / mark, mark) if m else mark

    positions = plan.positions
    n = len(positions)

    # each column read straight into an array (C loops, no row tuples for the GC to track)
    def column(name: str) -> Iterator[Any]:
        return map(attrgetter(name), positions)

    ids = tuple(column("id"))
    pos_market = np.fromiter(map(index.__getitem__, column("symbol")), dtype=np.intp, count=n)
    pos_sign = np.fromiter(map(_SIGN.__getitem__, column("side")), dtype=float, count=n)
    pos_quantity = np.fromiter(column("quantity"), dtype=float, count=n)
    pos_q = pos_quantity * size[pos_market]
    pos_entry = np.fromiter(column("entry_price"), dtype=float, count=n)
    pos_leverage = np.fromiter(column("leverage"), dtype=float, count=n)
    pos_added = np.fromiter(column("added_margin"), dtype=float, count=n)
    pos_isolated = np.fromiter(map(_ISOLATED.__getitem__, column("margin_mode")), bool, n)
    pos_stop = np.array(list(column("stop_loss")), dtype=float).reshape(n)  # None → NaN
    take_profits = tuple(column("take_profits"))
    levels = np.fromiter(map(len, take_profits), dtype=np.intp, count=n)
    tp_position = np.repeat(np.arange(n), levels)
    tp_levels = [tp for i in levels.nonzero()[0].tolist() for tp in take_profits[i]]
    tp_price = np.array([tp.price for tp in tp_levels], dtype=float)
    tp_fraction = np.array([tp.fraction for tp in tp_levels], dtype=float)
    pos_inverse = inverse[pos_market]
    entry_notional = np.where(pos_inverse, pos_q / pos_entry, pos_q * pos_entry)
    pos_margin = np.where(pos_isolated, entry_notional / pos_leverage + pos_added, 0.0)
    pos_a, pos_b = pnl_coefficients(pos_sign, pos_q, pos_entry, pos_inverse)

    # legs: one per (market, side)
    key = pos_market * 2 + (pos_sign > 0)
    present = np.zeros(2 * m, dtype=bool)
    present[key] = True
    leg_key = present.nonzero()[0]  # sorted: by market, short before long
    pos_leg = (np.cumsum(present) - 1)[key]
    n_legs = len(leg_key)
    leg_market = leg_key // 2
    leg_sign = np.where(leg_key % 2 == 1, 1.0, -1.0)
    leg_q = np.bincount(pos_leg, pos_q, n_legs)
    leg_inverse = inverse[leg_market]
    # quantity-weighted entry (linear) or harmonic entry (inverse): PnL adds up exactly
    weighted = np.bincount(pos_leg, entry_notional, n_legs)
    leg_entry = np.where(leg_inverse, leg_q / weighted, weighted / leg_q) if n_legs else leg_q
    leg_isolated = np.zeros(n_legs, dtype=bool)
    leg_isolated[pos_leg] = pos_isolated
    leg_margin = np.bincount(pos_leg, pos_margin, n_legs)
    leg_a, leg_b = pnl_coefficients(leg_sign, leg_q, leg_entry, leg_inverse)
    leg_entry_notional = (
        np.where(leg_inverse, leg_q / leg_entry, leg_q * leg_entry) if n_legs else leg_q
    )
    leg_floors, leg_mmr, leg_cum = floors[leg_market], mmr[leg_market], cum[leg_market]
    leg_last_tier = n_tiers[leg_market] - 1

    # collateral priced by a market: one more cross leg each (quantity 0, PnL units·u)
    collateral = _collateral_columns(plan, index)
    coll_leg = np.full(len(collateral.units), -1, dtype=np.intp)
    priced = (collateral.market >= 0).nonzero()[0]
    coll_leg[priced] = n_legs + np.arange(len(priced))
    leg_collateral = np.zeros(n_legs + len(priced), dtype=bool)
    leg_collateral[n_legs:] = True
    if len(priced):
        extra = len(priced)
        zeros = np.zeros(extra)
        leg_market = np.concatenate([leg_market, collateral.market[priced]])
        leg_sign = np.concatenate([leg_sign, np.ones(extra)])
        leg_q = np.concatenate([leg_q, zeros])
        leg_entry = np.concatenate([leg_entry, zeros])
        leg_isolated = np.concatenate([leg_isolated, np.zeros(extra, dtype=bool)])
        leg_margin = np.concatenate([leg_margin, zeros])
        leg_a = np.concatenate([leg_a, zeros])
        leg_b = np.concatenate([leg_b, collateral.units[priced]])
        leg_entry_notional = np.concatenate([leg_entry_notional, zeros])
        no_tiers = np.zeros((extra, k_max))
        first_only = np.full((extra, k_max), np.inf)
        first_only[:, 0] = 0.0
        leg_floors = np.concatenate([leg_floors, first_only])
        leg_mmr = np.concatenate([leg_mmr, no_tiers])
        leg_cum = np.concatenate([leg_cum, no_tiers])
        leg_last_tier = np.concatenate([leg_last_tier, np.zeros(extra, dtype=np.intp)])
        n_legs += extra

    # groups: each isolated leg alone, then the cross legs of each market together
    iso_legs = leg_isolated.nonzero()[0]
    # the markets with cross legs, sorted (``np.unique`` would load numpy.ma, 20 ms, for it)
    cross_markets = np.flatnonzero(np.bincount(leg_market[~leg_isolated], minlength=m))
    leg_group = np.empty(n_legs, dtype=np.intp)
    leg_group[iso_legs] = np.arange(len(iso_legs))
    leg_group[~leg_isolated] = len(iso_legs) + np.searchsorted(
        cross_markets, leg_market[~leg_isolated]
    )
    group_market = np.concatenate([leg_market[iso_legs], cross_markets]).astype(np.intp)
    group_isolated = np.concatenate(
        [np.ones(len(iso_legs), dtype=bool), np.zeros(len(cross_markets), dtype=bool)]
    )

    book = Book(
        plan_ref=weakref.ref(plan, _forget(id(plan))),
        rules=venue_rules(plan.account.venue),
        taker=plan.account.taker_fee_rate,
        inverse=inverse,
        mark=mark,
        mark_u=mark_u,
        floors=floors,
        mmr=mmr,
        cum=cum,
        pos_leg=pos_leg,
        pos_q=pos_q,
        pos_entry=pos_entry,
        pos_sign=pos_sign,
        pos_leverage=pos_leverage,
        pos_margin=pos_margin,
        pos_isolated=pos_isolated,
        pos_quantity=pos_quantity,
        pos_stop=pos_stop,
        pos_entry_notional=entry_notional,
        pos_a=pos_a,
        pos_b=pos_b,
        pos_ids=ids,
        tp_position=tp_position,
        tp_price=tp_price,
        tp_fraction=tp_fraction,
        leg_market=leg_market,
        leg_sign=leg_sign,
        leg_q=leg_q,
        leg_entry=leg_entry,
        leg_isolated=leg_isolated,
        leg_margin=leg_margin,
        leg_group=leg_group,
        leg_a=leg_a,
        leg_b=leg_b,
        leg_entry_notional=leg_entry_notional,
        leg_floors=leg_floors,
        leg_mmr=leg_mmr,
        leg_cum=leg_cum,
        leg_last_tier=leg_last_tier,
        leg_tier_base=np.arange(n_legs) * k_max,
        group_market=group_market,
        group_isolated=group_isolated,
        leg_collateral=leg_collateral,
        collateral_leg=coll_leg,
        collateral_units=collateral.units,
        collateral_fixed_value=collateral.fixed_value,
    )
    _CACHE[id(plan)] = book
    while len(_CACHE) > _CACHE_SIZE:
        del _CACHE[next(iter(_CACHE))]
    return book
