"""The engine for small plans in plain Python floats: the same figures as the numpy engine, bit
for bit, without its fixed cost (issue 16).

On a plan of a few positions the numpy engine spends nearly all its time in ~180 calls on
arrays of one to a dozen values (about a microsecond each). Solvers and previews analyse such
plans thousands of times, so ``engine.analyze`` sends them here instead. Every figure is the
numpy engine's computation done in the same order, one value at a time:

- sums over legs or positions that numpy takes with ``bincount`` are running sums in the same
  order, and those it takes with ``ndarray.sum`` go through ``_sum``, numpy's pairwise sum;
- the health of a group is solved as ``engine._nearest_root`` does, group by group (its groups
  are independent: each stops when its own tiers stop moving, within the same step limit);
- a division by 0, which numpy turns into ±inf or NaN, gives NaN here: every such quotient is
  a root or a ratio that is reported only where it is finite (and > 0), so none is seen.

``tests/perf/test_small_engine.py`` holds this to the numpy engine on random plans.
"""

from __future__ import annotations

import math
from bisect import bisect_right

from planner.domain.book import _tier_rows
from planner.domain.plan import Plan, TierTable
from planner.domain.venues import venue_rules

#: plans of at most this many positions take this engine (measured: beyond ~40 positions the
#: numpy engine's cost grows more slowly than this one's; well below, this one is 5-10× faster)
SMALL_PLAN = 24

_INF = math.inf
_NAN = math.nan


def _sum(values: list[float]) -> float:
    """``np.array(values).sum()`` bit for bit: numpy's pairwise summation (eight running sums
    over blocks of up to 128 values, halves above that)."""
    n = len(values)
    if n < 8:
        total = 0.0
        for v in values:
            total += v
        return total
    if n <= 128:
        r = values[:8]
        i = 8
        stop = n - n % 8
        while i < stop:
            for j in range(8):
                r[j] += values[i + j]
            i += 8
        total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        for k in range(i, n):
            total += values[k]
        return total
    half = n // 2
    half -= half % 8
    return _sum(values[:half]) + _sum(values[half:])


def _tier(floors: list[float], notional: float) -> int:
    """``engine.leg_tier`` for one leg: floors (sorted, +inf padded) ≤ notional, less one, ≥ 0;
    NaN is in the first tier."""
    if notional != notional:
        return 0
    k = bisect_right(floors, notional) - 1
    return k if k > 0 else 0


def _valid(u: float) -> float:
    return u if 0.0 < u < _INF else _NAN


def _opt(value: float) -> float | None:
    return value if -_INF < value < _INF else None


def _log_distance(ratio: float) -> float:
    """``|log(ratio)|`` as numpy gives it (0 → inf, below 0 or NaN → NaN)."""
    if ratio > 0.0:
        return abs(math.log(ratio))
    return _INF if ratio == 0.0 else _NAN


class _Legs:
    """The plan's legs and groups as ``book.build_book`` lays them out, in lists."""

    def __init__(self, plan: Plan) -> None:
        account = plan.account
        markets = plan.markets
        self.markets = markets
        index = {m.symbol: i for i, m in enumerate(markets)}
        self.index = index
        k_max = 1
        for mk in markets:
            rule = mk.maintenance
            if isinstance(rule, TierTable) and len(rule.tiers) > k_max:
                k_max = len(rule.tiers)
        self.k_max = k_max
        tables: dict[int, tuple[list[float], list[float], list[float], int]] = {}

        def table(i: int) -> tuple[list[float], list[float], list[float], int]:
            hit = tables.get(i)
            if hit is None:
                floors, mmr, cum = _tier_rows(markets[i])
                pad = k_max - len(floors)
                last = len(floors) - 1
                if pad:
                    floors = floors + [_INF] * pad
                    mmr = mmr + [0.0] * pad
                    cum = cum + [0.0] * pad
                hit = tables[i] = (floors, mmr, cum, last)
            return hit

        # positions, in plan order
        n = len(plan.positions)
        pos_leg_key: list[int] = [0] * n
        self.pos = pos = []
        for k, p in enumerate(plan.positions):
            i = index[p.symbol]
            mk = markets[i]
            inverse = mk.contract == "inverse"
            sign = 1.0 if p.side == "long" else -1.0
            q = p.quantity * mk.contract_size
            entry = p.entry_price
            isolated = p.margin_mode == "isolated"
            notional = q / entry if inverse else q * entry
            margin = notional / p.leverage + p.added_margin if isolated else 0.0
            if inverse:
                a, b = sign * q / entry, -sign * q
            else:
                a, b = -sign * q * entry, sign * q
            pos_leg_key[k] = i * 2 + (sign > 0)
            pos.append((p, i, inverse, sign, q, entry, isolated, notional, margin, a, b))

        # legs: one per (market, side), by market, short before long
        keys = sorted(set(pos_leg_key))
        rank = {key: j for j, key in enumerate(keys)}
        self.pos_leg = pos_leg = [rank[key] for key in pos_leg_key]
        n_legs = len(keys)
        leg_q = [0.0] * n_legs
        weighted = [0.0] * n_legs
        leg_margin = [0.0] * n_legs
        leg_isolated = [False] * n_legs
        for j, row in zip(pos_leg, pos, strict=True):
            leg_q[j] += row[4]
            weighted[j] += row[7]
            leg_margin[j] += row[8]
            leg_isolated[j] = row[6]
        self.leg_market = leg_market = [key // 2 for key in keys]
        self.leg_sign = leg_sign = [1.0 if key % 2 == 1 else -1.0 for key in keys]
        leg_a: list[float] = []
        leg_b: list[float] = []
        leg_entry_notional: list[float] = []
        for j in range(n_legs):
            q, sign = leg_q[j], leg_sign[j]
            if markets[leg_market[j]].contract == "inverse":
                entry = q / weighted[j]
                leg_a.append(sign * q / entry)
                leg_b.append(-sign * q)
                leg_entry_notional.append(q / entry)
            else:
                entry = weighted[j] / q
                leg_a.append(-sign * q * entry)
                leg_b.append(sign * q)
                leg_entry_notional.append(q * entry)
        self.n_position_legs = n_legs
        self.leg_tables = [table(i) for i in leg_market]

        # collateral priced by a market: one more cross leg each (quantity 0, PnL units·u)
        self.collateral_leg: list[int] = []
        self.collateral_units: list[float] = []
        fixed = 0
        zero_table = ([0.0] + [_INF] * (k_max - 1), [0.0] * k_max, [0.0] * k_max, 0)
        for c in account.collateral:
            units = c.value_at(1.0)
            self.collateral_units.append(units)
            if c.price is not None:
                fixed += c.value_at(c.price)
            if c.price_symbol is None:
                self.collateral_leg.append(-1)
                continue
            self.collateral_leg.append(len(leg_q))
            leg_market.append(index[c.price_symbol])
            leg_sign.append(1.0)
            leg_q.append(0.0)
            leg_isolated.append(False)
            leg_margin.append(0.0)
            leg_a.append(0.0)
            leg_b.append(units)
            leg_entry_notional.append(0.0)
            self.leg_tables.append(zero_table)
        self.collateral_fixed_value = float(fixed)
        self.leg_q, self.leg_margin, self.leg_isolated = leg_q, leg_margin, leg_isolated
        self.leg_a, self.leg_b, self.leg_entry_notional = leg_a, leg_b, leg_entry_notional

        # groups: each isolated leg alone, then the cross legs of each market together
        iso = [j for j, flag in enumerate(leg_isolated) if flag]
        cross_markets = sorted({leg_market[j] for j, flag in enumerate(leg_isolated) if not flag})
        cross_group = {m: len(iso) + k for k, m in enumerate(cross_markets)}
        self.leg_group = [
            0 if flag else cross_group[leg_market[j]] for j, flag in enumerate(leg_isolated)
        ]
        for g, j in enumerate(iso):
            self.leg_group[j] = g
        self.iso_legs = iso
        self.group_market = [leg_market[j] for j in iso] + cross_markets
        self.group_isolated = [True] * len(iso) + [False] * len(cross_markets)
        self.group_legs: list[list[int]] = [[] for _ in self.group_market]
        for j, g in enumerate(self.leg_group):
            self.group_legs[g].append(j)


class _Solver:
    """The groups' health at the marks and its roots (``engine.solve_groups``)."""

    def __init__(self, plan: Plan, legs: _Legs) -> None:
        account = plan.account
        rules = venue_rules(account.venue)
        self.legs = legs
        markets = legs.markets
        mark_u = [1.0 / m.mark_price if m.contract == "inverse" else m.mark_price for m in markets]
        self.mark_u = mark_u
        taker = account.taker_fee_rate
        at_entry = rules.maintenance_at_entry
        fee_in = rules.fee_in_maintenance
        self.fee_rate = fee_rate = taker if fee_in else 0.0

        # every leg at its mark (engine.valuate)
        n_legs = len(legs.leg_q)
        self.pnl = pnl = [0.0] * n_legs
        self.tier = tier = [0] * n_legs
        self.mmr = [0.0] * n_legs
        self.cum = [0.0] * n_legs
        self.maintenance = maintenance = [0.0] * n_legs
        for j in range(n_legs):
            u = mark_u[legs.leg_market[j]]
            q = legs.leg_q[j]
            pnl[j] = legs.leg_b[j] * u + legs.leg_a[j]
            notional = q * u
            valued = legs.leg_entry_notional[j] if at_entry else notional
            floors, mmr, cum, _ = legs.leg_tables[j]
            t = tier[j] = _tier(floors, valued)
            rate, amount = self.mmr[j], self.cum[j] = mmr[t], cum[t]
            mm = valued * rate - amount
            if fee_in:
                mm += taker * notional
            maintenance[j] = mm

        # what each group stands on (engine.group_collateral)
        leg_group, leg_isolated = legs.leg_group, legs.leg_isolated
        self.isolated_margin = isolated_margin = _sum(legs.leg_margin)
        wallet = (account.wallet_balance - isolated_margin) + legs.collateral_fixed_value
        free = [
            pnl[j] - maintenance[j] if not leg_isolated[j] else (pnl[j] - maintenance[j]) * 0.0
            for j in range(n_legs)
        ]
        pool_free = wallet + _sum(free)
        n_groups = len(legs.group_market)
        own = [0.0] * n_groups
        margin = [0.0] * n_groups
        for j, g in enumerate(leg_group):
            own[g] += free[j]
            margin[g] += legs.leg_margin[j]
        self.collateral = [
            margin[g] if legs.group_isolated[g] else pool_free - own[g] for g in range(n_groups)
        ]

        # the lines of every leg's tiers (engine._Lines)
        if not at_entry:
            self.const = [
                [a + c for c in table[2]]
                for a, table in zip(legs.leg_a, legs.leg_tables, strict=True)
            ]
            self.slopes = [
                [b - q * (rate + fee_rate) for rate in table[1]]
                for b, q, table in zip(legs.leg_b, legs.leg_q, legs.leg_tables, strict=True)
            ]
        self.liquidation: list[float] = []
        self.bankruptcy: list[float] = []
        for g in range(n_groups):
            group = legs.group_legs[g]
            c = self.collateral[g]
            a_sum = slope = 0.0
            for j in group:
                a_sum += legs.leg_a[j]
                slope += legs.leg_b[j] - legs.leg_q[j] * fee_rate
            self.bankruptcy.append(_valid(-(c + a_sum) / slope if slope else _NAN))
            if at_entry:
                const = slope = 0.0
                for j in group:
                    const += legs.leg_a[j] - maintenance[j]
                    slope += legs.leg_b[j]
                self.liquidation.append(_valid(-(c + const) / slope if slope else _NAN))
            else:
                self.liquidation.append(self._nearest_root(g))

    # --- one group's health as in engine._Lines ----------------------------------------------

    def _slope(self, group: list[int], tiers: list[int]) -> float:
        slope = 0.0
        for j, t in zip(group, tiers, strict=True):
            slope += self.slopes[j][t]
        return slope

    def _health(self, g: int, u: float) -> float:
        legs = self.legs
        total = 0.0
        for j in legs.group_legs[g]:
            t = _tier(legs.leg_tables[j][0], legs.leg_q[j] * u)
            total += self.const[j][t] + self.slopes[j][t] * u
        return self.collateral[g] + total

    def _newton(self, g: int, tiers: list[int]) -> float:
        """Newton's method from the legs' ``tiers``: the group's root (NaN where none)."""
        legs = self.legs
        group = legs.group_legs[g]
        c = self.collateral[g]
        root, found, moved = _NAN, False, False
        for _ in range(2 * legs.k_max + 3):
            const = slope = 0.0
            for j, t in zip(group, tiers, strict=True):
                const += self.const[j][t]
                slope += self.slopes[j][t]
            root = -(c + const) / slope if slope else _NAN
            # below 0 (or none): go on from u = 0, whose line settles the question
            found = 0.0 < root < _INF
            x = root if found else 0.0
            after = [_tier(legs.leg_tables[j][0], legs.leg_q[j] * x) for j in group]
            moved = after != tiers
            if not moved:
                break
            tiers = after
        return root if found and not moved else _NAN

    def _nearest_root(self, g: int) -> float:
        """``engine._nearest_root`` for one group."""
        legs = self.legs
        group = legs.group_legs[g]
        mark_tier = [self.tier[j] for j in group]
        first = [0] * len(group)
        at_mark = self._slope(group, mark_tier)
        flat = at_mark == 0
        near = self._newton(g, first if flat else mark_tier)
        if not flat:
            last = [legs.leg_tables[j][3] for j in group]
            if not (self._slope(group, first) > 0 and self._slope(group, last) < 0):
                return near
        mark_u = self.mark_u[legs.group_market[g]]
        has_near = near == near
        mirror = mark_u * (mark_u / near) if has_near else mark_u
        has_mirror = has_near and -_INF < mirror < _INF
        if has_mirror and self._health(g, mirror) > 0:
            return near
        if not self._health(g, mark_u) > 0:
            return near
        if has_mirror:
            start = [_tier(legs.leg_tables[j][0], legs.leg_q[j] * mirror) for j in group]
        elif near < mark_u if has_near else at_mark >= 0:  # the other root lies above
            start = [legs.leg_tables[j][3] for j in group]
        else:
            start = first
        far = self._newton(g, start)
        if not has_near or _log_distance(far / mark_u) < _log_distance(near / mark_u):
            return far
        return near
