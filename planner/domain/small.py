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
  a root or a ratio that is reported only where it is finite (and > 0), so none is seen;
- the one function that is not IEEE arithmetic, the logarithm that decides which of two roots
  is nearer the mark, is libm's here and numpy's there (the same, or within an ulp): only a
  tie to the last bit could choose differently.

``tests/perf/test_small_engine.py`` holds this to the numpy engine on random plans.
"""

from __future__ import annotations

import math
from bisect import bisect_right

from planner.domain.plan import Plan, TierTable
from planner.domain.venues import venue_rules

#: plans of at most this many positions (and collateral items) take this engine. Measured
#: (issue 16, fastest runs on 2 cores): on the benchmark's accounts (8 markets) it is 3-9×
#: as fast as numpy from 1 to 24 positions and still faster at 128; where every symbol is a
#: hedged cross pair on a 12-tier table (both roots searched) the two cross near 60.
SMALL_PLAN = 48

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


def _opt(value: float) -> float | None:
    return value if -_INF < value < _INF else None


def _log_distance(ratio: float) -> float:
    """``|log(ratio)|`` as numpy gives it (0 → inf, below 0 or NaN → NaN)."""
    if ratio > 0.0:
        return abs(math.log(ratio))
    return _INF if ratio == 0.0 else _NAN


#: a market's tier floors (sorted, +inf padded), rates, maintenance amounts, last tier
_Table = tuple[list[float], list[float], list[float], int]


#: a leg's PnL a + b·u, quantity q, and its market's floors, rates, amounts and last tier
_Line = tuple[float, float, float, list[float], list[float], list[float], int]


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
        # each market's table once; a flat rule is one tier (its floors shared: never written)
        zeros = [0.0] * (k_max - 1)
        flat_floors = [0.0] + [_INF] * (k_max - 1)
        tables: dict[int, _Table] = {}
        for i in set(leg_market):
            rule = markets[i].maintenance
            if isinstance(rule, TierTable):
                floors, rates, amounts = rule.columns
                pad = k_max - len(floors)
                tables[i] = (
                    [*floors, *[_INF] * pad],
                    [*rates, *[0.0] * pad],
                    [*amounts, *[0.0] * pad],
                    len(floors) - 1,
                )
            else:
                tables[i] = (flat_floors, [rule.mmr, *zeros], [rule.maintenance_amount, *zeros], 0)
        self.leg_tables = [tables[i] for i in leg_market]

        # collateral priced by a market: one more cross leg each (quantity 0, PnL units·u)
        self.collateral_leg: list[int] = []
        self.collateral_units: list[float] = []
        fixed = 0
        zero_table = (flat_floors, [0.0, *zeros], [0.0, *zeros], 0)
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
        iso: list[int] = []
        cross: dict[int, list[int]] = {}
        for j, (flag, i) in enumerate(zip(leg_isolated, leg_market, strict=True)):
            if flag:
                iso.append(j)
            else:
                cross.setdefault(i, []).append(j)
        cross_markets = sorted(cross)
        self.iso_legs = iso
        self.group_legs = [[j] for j in iso] + [cross[i] for i in cross_markets]
        self.group_market = [leg_market[j] for j in iso] + cross_markets
        self.group_isolated = [True] * len(iso) + [False] * len(cross_markets)
        self.leg_group = leg_group = [0] * len(leg_market)
        for g, members in enumerate(self.group_legs):
            for j in members:
                leg_group[j] = g


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
        mmr_at, cum_at = self.mmr, self.cum
        for j, (i, a, b, q, entry_notional, table) in enumerate(
            zip(
                legs.leg_market,
                legs.leg_a,
                legs.leg_b,
                legs.leg_q,
                legs.leg_entry_notional,
                legs.leg_tables,
                strict=True,
            )
        ):
            u = mark_u[i]
            pnl[j] = b * u + a
            notional = q * u
            valued = entry_notional if at_entry else notional
            t = tier[j] = _tier(table[0], valued)
            rate = mmr_at[j] = table[1][t]
            amount = cum_at[j] = table[2][t]
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

        # each leg's health on its tiers is a line in u, (a + cum) + (b − q·(mmr + fee))·u
        # (engine._Lines), computed where it is needed
        self.lines = [
            (a, b, q, *table)
            for a, b, q, table in zip(
                legs.leg_a, legs.leg_b, legs.leg_q, legs.leg_tables, strict=True
            )
        ]
        self.steps = 2 * legs.k_max + 3
        self.liquidation = liquidation = [_NAN] * n_groups
        self.bankruptcy = bankruptcy = [_NAN] * n_groups
        lines = self.lines
        for g, group in enumerate(legs.group_legs):
            c = self.collateral[g]
            a_sum = slope = 0.0
            for j in group:
                a, b, q = lines[j][:3]
                a_sum += a
                slope += b - q * fee_rate
            if slope:
                u = -(c + a_sum) / slope
                if 0.0 < u < _INF:
                    bankruptcy[g] = u
            if at_entry:
                const = slope = 0.0
                for j in group:
                    const += lines[j][0] - maintenance[j]
                    slope += lines[j][1]
                if slope:
                    u = -(c + const) / slope
                    if 0.0 < u < _INF:
                        liquidation[g] = u
            elif len(group) == 1:
                liquidation[g] = self._one_root(g, group[0])
            else:
                liquidation[g] = self._nearest_root(g)

    # --- one group's health as in engine._Lines ----------------------------------------------

    def _health(self, c: float, lines: list[_Line], u: float) -> float:
        fee = self.fee_rate
        total = 0.0
        for a, b, q, floors, mmr, cum, _ in lines:
            t = _tier(floors, q * u)
            total += (a + cum[t]) + (b - q * (mmr[t] + fee)) * u
        return c + total

    def _newton(self, c: float, lines: list[_Line], tiers: list[int]) -> float:
        """Newton's method from the legs' ``tiers``: the group's root (NaN where none)."""
        fee = self.fee_rate
        root, found, moved = _NAN, False, False
        for _ in range(self.steps):
            const = slope = 0.0
            for (a, b, q, _, mmr, cum, _), t in zip(lines, tiers, strict=True):
                const += a + cum[t]
                slope += b - q * (mmr[t] + fee)
            root = -(c + const) / slope if slope else _NAN
            # below 0 (or none): go on from u = 0, whose line settles the question
            found = 0.0 < root < _INF
            x = root if found else 0.0
            # q·x ≥ 0 and every table starts at 0: no NaN, no tier below the first
            after = [bisect_right(line[3], line[2] * x) - 1 for line in lines]
            moved = after != tiers
            if not moved:
                break
            tiers = after
        return root if found and not moved else _NAN

    def _one_root(self, g: int, j: int) -> float:
        """``_nearest_root`` for a group of one leg, in scalars. (The sums over the group's
        legs start from 0.0, as bincount's do: ``0.0 + x`` is kept where it may differ from
        ``x``, for −0.0.) One leg fails on both sides only with rates near 100 %: the general
        search then answers."""
        a, b, q, floors, mmr, cum, last = self.lines[j]
        fee = self.fee_rate
        c = self.collateral[g]
        t = self.tier[j]
        at_mark = b - q * (mmr[t] + fee)
        if at_mark == 0:
            return self._nearest_root(g)
        if b - q * (mmr[0] + fee) > 0 and b - q * (mmr[last] + fee) < 0:
            return self._nearest_root(g)
        for _ in range(self.steps):
            slope = 0.0 + (b - q * (mmr[t] + fee))
            root = -(c + (0.0 + (a + cum[t]))) / slope if slope else _NAN
            found = 0.0 < root < _INF
            after = bisect_right(floors, q * root if found else q * 0.0) - 1
            if after == t:
                return root if found else _NAN
            t = after
        return _NAN

    def _nearest_root(self, g: int) -> float:
        """``engine._nearest_root`` for one group."""
        legs = self.legs
        group = legs.group_legs[g]
        lines = [self.lines[j] for j in group]
        c = self.collateral[g]
        mark_tier = [self.tier[j] for j in group]
        first = [0] * len(group)
        # the group's slope on the tiers at the mark, on the first and on the last tiers
        fee = self.fee_rate
        at_mark = at_first = at_last = 0.0
        for (_, b, q, _, mmr, _, last), t in zip(lines, mark_tier, strict=True):
            at_mark += b - q * (mmr[t] + fee)
            at_first += b - q * (mmr[0] + fee)
            at_last += b - q * (mmr[last] + fee)
        flat = at_mark == 0
        near = self._newton(c, lines, first if flat else mark_tier)
        if not (flat or (at_first > 0 and at_last < 0)):
            return near
        mark_u = self.mark_u[legs.group_market[g]]
        has_near = near == near
        mirror = mark_u * (mark_u / near) if has_near else mark_u
        has_mirror = has_near and -_INF < mirror < _INF
        if has_mirror and self._health(c, lines, mirror) > 0:
            return near
        if not self._health(c, lines, mark_u) > 0:
            return near
        if has_mirror:
            start = [_tier(line[3], line[2] * mirror) for line in lines]
        elif near < mark_u if has_near else at_mark >= 0:  # the other root lies above
            start = [line[6] for line in lines]
        else:
            start = first
        far = self._newton(c, lines, start)
        if not has_near or _log_distance(far / mark_u) < _log_distance(near / mark_u):
            return far
        return near
