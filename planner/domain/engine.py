"""The margin engine: one pure function from a plan to its analysis.

Everything is computed for the whole account at once with numpy. ``valuate`` values every leg
at any array of marks (one scenario, or a grid of them for sweeps); ``solve_groups`` solves the
one equation of reference/MARGIN.md §3 for every isolated bucket and every cross symbol:

    collateral + Σ PnL(u) = Σ (MM(u) + fee_to_close(u))

In ``u`` (price for linear, 1/price for inverse) the left side is linear and maintenance margin
is convex and piecewise linear (continuous tiers with rising rates), so the difference is
concave. Taking the tier at the trial price and solving the straight line — what Binance
describes as "recompute with the bracket at the liquidation price" — is Newton's method on that
concave function, which reaches the exact root in at most one step per tier. A concave function
can cross zero twice: a hedged cross symbol whose legs nearly cancel fails on a fall and, as
maintenance on both legs outgrows the net PnL, on a rally too; the root nearer the mark is the
liquidation price (see ``_nearest_root``).

A small plan (``small.SMALL_PLAN``) is analysed by ``small`` instead: the same computation in
plain floats, which gives the same figures bit for bit without numpy's cost per call on arrays
of a few values. Whatever must change here must change there too
(``tests/perf/test_small_engine.py`` holds the two to each other).
"""

from __future__ import annotations

import numpy as np

from planner.domain.analysis import Analysis, Derivations
from planner.domain.book import Book, LegState, build_book
from planner.domain.plan import Plan
from planner.domain.small import SMALL_PLAN
from planner.domain.small_analysis import analyze_small


def leg_tier(book: Book, notional: np.ndarray) -> np.ndarray:
    """Each leg's tier for its notional (shape ``(..., legs)``): floor-inclusive; a notional
    beyond the table stays in the last tier."""
    floors = book.leg_floors
    n_tiers = floors.shape[1]
    if notional.ndim < 2 or n_tiers < 3 or notional.size * n_tiers <= _SMALL_TIER_SEARCH:
        return np.maximum(np.add.reduce(floors <= notional[..., None], axis=-1) - 1, 0)
    return _leg_tier_rows(floors, notional)


#: below this many (value, tier) comparisons one broadcast comparison is the quickest
_SMALL_TIER_SEARCH = 8192


def _leg_tier_rows(floors: np.ndarray, notional: np.ndarray) -> np.ndarray:
    """``leg_tier`` for many rows (sweeps, maps) in time steps × legs × tiers crossed, without
    a steps × legs × tiers array: a leg's tier at every step is its tier at its smallest
    notional plus the floors between its smallest and largest notional that the step reaches."""
    n_legs, n_tiers = floors.shape
    flat = notional.reshape(-1, n_legs)
    low, high = flat.min(axis=0), flat.max(axis=0)
    first = np.add.reduce(floors <= low[:, None], axis=-1) - 1  # −1 below the first floor
    last = np.add.reduce(floors <= high[:, None], axis=-1) - 1
    crossed = last - first
    # NaN compares false (min and max say nothing); most tiers crossed: count them all at once
    if np.isnan(low).any() or np.isnan(high).any() or 2 * crossed.sum() > n_legs * n_tiers:
        return np.maximum(np.add.reduce(floors <= notional[..., None], axis=-1) - 1, 0)
    tier = np.repeat(first[None, :], len(flat), axis=0)
    moving = np.flatnonzero(crossed > 0)
    if moving.size:
        values = flat[:, moving].T  # (moving legs, rows): each leg's values contiguous
        lo, hi = first[moving], last[moving]
        counted = np.repeat(lo[:, None], values.shape[1], axis=1)
        for j in range(int(lo.min()) + 1, int(hi.max()) + 1):
            rows = np.flatnonzero((lo < j) & (j <= hi))
            counted[rows] += values[rows] >= floors[moving[rows], j][:, None]
        tier[:, moving] = counted.T
    np.maximum(tier, 0, out=tier)
    return tier.reshape(notional.shape)


def entry_notional(book: Book) -> np.ndarray:
    """Each leg's notional at its entry: quote (linear) or coin (inverse)."""
    return book.leg_entry_notional


def valuate(book: Book, mark_u: np.ndarray) -> LegState:
    """Value every leg at ``mark_u`` (shape ``(..., markets)``, prices in u).

    Over a grid (sweeps, maps) every new array costs its first touch of fresh memory, so the
    figures are computed in place where they can be and the missing fee is a view of 0."""
    u = np.take(mark_u, book.leg_market, axis=-1)
    pnl = book.leg_b * u
    pnl += book.leg_a
    notional = book.leg_q * u
    valued = book.leg_entry_notional if book.rules.maintenance_at_entry else notional
    tier = leg_tier(book, valued)
    at = book.leg_tier_base + tier  # flat index into the (legs, tiers) tables
    mmr = np.take(book.leg_mmr, at)
    cum = np.take(book.leg_cum, at)
    maintenance = valued * mmr
    maintenance -= cum
    if book.rules.fee_in_maintenance:
        fee = book.taker * notional
        maintenance += fee
    else:
        fee = np.broadcast_to(0.0, maintenance.shape)
    return LegState(u, pnl, notional, tier, mmr, cum, maintenance, fee)


def cross_wallet(book: Book) -> float:
    """What the pool stands on besides its legs: the wallet less every isolated margin, plus
    collateral at a fixed price (collateral priced by a market is a leg of the pool)."""
    wallet = book.plan.account.wallet_balance - float(book.leg_margin.sum())
    return wallet + book.collateral_fixed_value


def group_collateral(book: Book, state: LegState) -> np.ndarray:
    """What each group's legs stand on: an isolated bucket's margin; for a cross symbol the
    cross wallet plus every other cross symbol's PnL less its maintenance (others at mark)."""
    n_groups = len(book.group_market)
    cross = ~book.leg_isolated
    free = (state.pnl - state.maintenance) * cross
    pool_free = cross_wallet(book) + free.sum()
    own = np.bincount(book.leg_group, free, n_groups)
    margin = np.bincount(book.leg_group, book.leg_margin, n_groups)
    return np.where(book.group_isolated, margin, pool_free - own)


def solve_groups(
    book: Book, state: LegState, collateral: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Liquidation and bankruptcy prices in u for every group (NaN where there is none).

    Bankruptcy is linear in u. Liquidation is linear too where maintenance is frozen at entry
    (Bybit); elsewhere the group's health F(u) = collateral + PnL(u) − MM(u) − fee(u) is concave
    and piecewise linear, with at most two roots, and the one nearer the mark is reported: the
    first price at which the group fails as its symbol moves away from the mark.
    """
    n_groups = len(book.group_market)
    group = book.leg_group
    fee_rate = book.taker if book.rules.fee_in_maintenance else 0.0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        bankrupt_slope = np.bincount(group, book.leg_b - book.leg_q * fee_rate, n_groups)
        bankrupt = -(collateral + np.bincount(group, book.leg_a, n_groups)) / bankrupt_slope

        if book.rules.maintenance_at_entry:
            const = np.bincount(group, book.leg_a - state.maintenance, n_groups)
            slope = np.bincount(group, book.leg_b, n_groups)
            liquidation = _valid(-(collateral + const) / slope)
        else:
            liquidation = _nearest_root(book, state.tier, collateral, fee_rate)
    return liquidation, _valid(bankrupt)


class _Lines:
    """Each leg's health on each of its tiers as a line in u, ``a + cum + (b − q·(mmr + fee))·u``
    (PnL less maintenance and the fee to close), summed by group."""

    def __init__(self, book: Book, collateral: np.ndarray, fee_rate: float) -> None:
        self.book = book
        self.collateral = collateral
        self.n_groups = len(book.group_market)
        q = book.leg_q
        self.const = (book.leg_a[:, None] + book.leg_cum).ravel()
        self.slope_by_tier = (book.leg_b[:, None] - q[:, None] * (book.leg_mmr + fee_rate)).ravel()
        self.base = np.arange(len(q)) * book.leg_floors.shape[1]

    def slope(self, tier: np.ndarray) -> np.ndarray:
        """Every group's slope with its legs on ``tier``."""
        return np.bincount(self.book.leg_group, self.slope_by_tier[self.base + tier], self.n_groups)

    def health(self, u: np.ndarray) -> np.ndarray:
        """Every group's collateral + PnL − MM − fee at its own ``u``."""
        book = self.book
        leg_u = u[book.leg_group]
        index = self.base + leg_tier(book, book.leg_q * leg_u)
        value = self.const[index] + self.slope_by_tier[index] * leg_u
        return self.collateral + np.bincount(book.leg_group, value, self.n_groups)

    def newton(self, tier: np.ndarray) -> np.ndarray:
        """Newton's method from the legs' ``tier``: every group's root (NaN where none)."""
        book = self.book
        group, q = book.leg_group, book.leg_q
        moved = np.zeros(len(q), dtype=bool)
        for _ in range(2 * book.leg_floors.shape[1] + 3):
            index = self.base + tier
            const = np.bincount(group, self.const[index], self.n_groups)
            slope = np.bincount(group, self.slope_by_tier[index], self.n_groups)
            root = -(self.collateral + const) / slope
            found = np.isfinite(root) & (root > 0)
            # A tangent crossing at u ≤ 0 does not mean there is no root above 0 (it lies on
            # the far side of the root): go on from u = 0, whose line settles the question.
            next_tier = leg_tier(book, q * np.where(found, root, 0.0)[group])
            moved = next_tier != tier
            if not moved.any():
                break
            tier = next_tier
        # A run that stopped without settling (no root: it wandered between tiers) is no
        # answer: a root must lie on the lines of the tiers that hold it.
        settled = np.bincount(group, moved, self.n_groups) == 0
        return np.where(found & settled, root, np.nan)


def _nearest_root(
    book: Book, mark_tier: np.ndarray, collateral: np.ndarray, fee_rate: float
) -> np.ndarray:
    """The root of every group's health nearer its mark (NaN where there is none).

    F is concave, so Newton's method moves monotonically onto a root after its first step, one
    tier per step. Started on the tiers at the mark it finds the root on the side where the
    group loses (where the tangent is flat, it starts from u = 0 instead). Only a group whose
    slope turns from rising (at u = 0) to falling (at u = ∞), or is flat at the mark, can have
    a root on the other side too; it is looked for only where the group is alive at the mark
    and fails at the mirror image of the first root (the same distance on the other side), or
    has no first root — starting there, or from the far end, Newton comes onto it from outside.
    """
    lines = _Lines(book, collateral, fee_rate)
    group = book.leg_group
    first = np.zeros(len(book.leg_q), dtype=np.intp)
    last = book.leg_last_tier
    at_mark = lines.slope(mark_tier)
    flat = at_mark == 0
    near = lines.newton(np.where(flat[group], first, mark_tier))
    two_sided = flat | ((lines.slope(first) > 0) & (lines.slope(last) < 0))
    if not two_sided.any():
        return near
    # (called under solve_groups' errstate: divisions by 0 and overflows give inf or NaN)
    mark_u = book.mark_u[book.group_market]
    has_near = np.isfinite(near)
    mirror = np.where(has_near, mark_u * (mark_u / near), mark_u)
    has_mirror = has_near & np.isfinite(mirror)
    mirror_alive = has_mirror & (lines.health(mirror) > 0)
    search = two_sided & (lines.health(mark_u) > 0) & ~mirror_alive
    if not search.any():
        return near
    upper = np.where(has_near, near < mark_u, at_mark >= 0)  # where the other root would be
    from_end = np.where(upper[group], last, first)
    mirror_tier = leg_tier(book, book.leg_q * mirror[group])
    start = np.where(has_mirror[group], mirror_tier, from_end)
    far = np.where(search, lines.newton(np.where(search[group], start, mark_tier)), np.nan)
    far_nearer = np.abs(np.log(far / mark_u)) < np.abs(np.log(near / mark_u))
    return np.where(far_nearer | ~has_near, far, near)


def _valid(u: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(u) & (u > 0), u, np.nan)


def analyze(plan: Plan, derived: Derivations | None = None) -> Analysis:
    """Every figure of the plan at its marks that the engine computes (spec/plan-format.md);
    ``derived`` (``plan_analysis``) adds the account figures, warnings and the plan in time —
    ``planner.analyze`` is this with them.

    A plan of at most ``small.SMALL_PLAN`` positions and collateral items is analysed in plain
    floats (``small_analysis``): the same figures, bit for bit, without numpy's cost per call."""
    if len(plan.positions) + len(plan.account.collateral) <= SMALL_PLAN:
        try:
            return analyze_small(plan, derived)
        except ZeroDivisionError:
            # a plan copied without validation (a quantity of 0, …): numpy's inf and NaN
            pass
    return analyze_arrays(plan, derived)


def analyze_arrays(plan: Plan, derived: Derivations | None = None) -> Analysis:
    """``analyze`` with numpy, whatever the plan's size."""
    book = build_book(plan)
    state = valuate(book, book.mark_u)
    collateral = group_collateral(book, state)
    liquidation_u, bankruptcy_u = solve_groups(book, state, collateral)
    return Analysis.from_arrays(book, state, liquidation_u, bankruptcy_u, derived=derived)
