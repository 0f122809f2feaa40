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
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from planner.domain.plan import Plan
from planner.domain.venues import VenueRules, venue_rules


@dataclass(frozen=True, eq=False)
class Book:
    plan: Plan
    rules: VenueRules
    taker: float
    # markets (m)
    inverse: np.ndarray  # bool (m,)
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
    # groups (G): isolated legs first (group i = isolated leg), then one per cross symbol
    group_market: np.ndarray  # int (G,)
    group_isolated: np.ndarray  # bool (G,)

    @property
    def n_positions(self) -> int:
        return len(self.pos_q)


def pnl_coefficients(
    sign: np.ndarray, q: np.ndarray, entry: np.ndarray, inverse: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """PnL = a + b·u. Linear: s·q·(P − E). Inverse: s·Q·(1/E − 1/P)."""
    a = np.where(inverse, sign * q / entry, -sign * q * entry)
    b = np.where(inverse, -sign * q, sign * q)
    return a, b


# The few most recent layouts, by plan identity: plans are immutable, and the window asks for
# the analysis and a sweep of the same plan one after the other.
_CACHE: dict[int, tuple[weakref.ref[Plan], Book]] = {}
_CACHE_SIZE = 8


def build_book(plan: Plan) -> Book:
    """Lay ``plan`` out as arrays (cached per plan object)."""
    return _build(plan)


@lru_cache(maxsize=512)
def _tier_arrays(tiers: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (
        np.array([t.notional_floor for t in tiers], dtype=float),
        np.array([t.mmr for t in tiers], dtype=float),
        np.array([t.maintenance_amount for t in tiers], dtype=float),
    )


def _build(plan: Plan) -> Book:
    hit = _CACHE.get(id(plan))
    if hit is not None and hit[0]() is plan:
        return hit[1]
    markets = plan.markets
    index = {m.symbol: i for i, m in enumerate(markets)}
    m = len(markets)
    k_max = max((len(mk.tiers) for mk in markets), default=1)
    floors = np.full((m, k_max), np.inf)
    mmr = np.zeros((m, k_max))
    cum = np.zeros((m, k_max))
    for i, market in enumerate(markets):
        f, r, c = _tier_arrays(market.tiers)
        floors[i, : len(f)] = f
        mmr[i, : len(r)] = r
        cum[i, : len(c)] = c
    inverse = np.array([mk.contract == "inverse" for mk in markets], dtype=bool)
    size = np.array([mk.contract_size for mk in markets], dtype=float)
    mark = np.array([mk.mark_price for mk in markets], dtype=float)
    mark_u = np.where(inverse, 1.0 / mark, mark) if m else mark

    positions = plan.positions
    n = len(positions)
    pos_market = np.fromiter((index[p.symbol] for p in positions), dtype=np.intp, count=n)
    pos_sign = np.fromiter((p.side == "long" for p in positions), dtype=float, count=n) * 2 - 1
    pos_q = np.fromiter((p.quantity for p in positions), dtype=float, count=n) * size[pos_market]
    pos_entry = np.fromiter((p.entry_price for p in positions), dtype=float, count=n)
    pos_leverage = np.fromiter((p.leverage for p in positions), dtype=float, count=n)
    pos_added = np.fromiter((p.added_margin for p in positions), dtype=float, count=n)
    pos_isolated = np.fromiter(
        (p.margin_mode == "isolated" for p in positions), dtype=bool, count=n
    )
    pos_inverse = inverse[pos_market]
    entry_notional = np.where(pos_inverse, pos_q / pos_entry, pos_q * pos_entry)
    pos_margin = np.where(pos_isolated, entry_notional / pos_leverage + pos_added, 0.0)

    # legs: one per (market, side)
    key = pos_market * 2 + (pos_sign > 0)
    leg_key, pos_leg = np.unique(key, return_inverse=True)
    n_legs = len(leg_key)
    leg_market = leg_key // 2
    leg_sign = np.where(leg_key % 2 == 1, 1.0, -1.0)
    leg_q = np.bincount(pos_leg, pos_q, n_legs)
    leg_inverse = inverse[leg_market]
    # quantity-weighted entry (linear) or harmonic entry (inverse): PnL adds up exactly
    weighted = np.bincount(
        pos_leg, np.where(pos_inverse, pos_q / pos_entry, pos_q * pos_entry), n_legs
    )
    leg_entry = np.where(leg_inverse, leg_q / weighted, weighted / leg_q) if n_legs else leg_q
    leg_isolated = np.zeros(n_legs, dtype=bool)
    leg_isolated[pos_leg] = pos_isolated
    leg_margin = np.bincount(pos_leg, pos_margin, n_legs)
    leg_a, leg_b = pnl_coefficients(leg_sign, leg_q, leg_entry, leg_inverse)

    # groups: each isolated leg alone, then the cross legs of each market together
    iso_legs = np.flatnonzero(leg_isolated)
    cross_markets, cross_group = np.unique(leg_market[~leg_isolated], return_inverse=True)
    leg_group = np.empty(n_legs, dtype=np.intp)
    leg_group[iso_legs] = np.arange(len(iso_legs))
    leg_group[~leg_isolated] = len(iso_legs) + cross_group
    group_market = np.concatenate([leg_market[iso_legs], cross_markets]).astype(np.intp)
    group_isolated = np.concatenate(
        [np.ones(len(iso_legs), dtype=bool), np.zeros(len(cross_markets), dtype=bool)]
    )

    book = Book(
        plan=plan,
        rules=venue_rules(plan.account.venue),
        taker=plan.account.taker_fee_rate,
        inverse=inverse,
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
        leg_market=leg_market,
        leg_sign=leg_sign,
        leg_q=leg_q,
        leg_entry=leg_entry,
        leg_isolated=leg_isolated,
        leg_margin=leg_margin,
        leg_group=leg_group,
        leg_a=leg_a,
        leg_b=leg_b,
        group_market=group_market,
        group_isolated=group_isolated,
    )
    _CACHE[id(plan)] = (weakref.ref(plan), book)
    while len(_CACHE) > _CACHE_SIZE:
        del _CACHE[next(iter(_CACHE))]
    return book
