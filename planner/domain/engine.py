"""The margin engine: one pure function from a plan to its analysis.

Everything is computed for the whole account at once with numpy. ``valuate`` values every leg
at any array of marks (one scenario, or a grid of them for sweeps); ``solve_groups`` solves the
one equation of reference/MARGIN.md §3 for every isolated bucket and every cross symbol:

    collateral + Σ PnL(u) = Σ (MM(u) + fee_to_close(u))

In ``u`` (price for linear, 1/price for inverse) the left side is linear and maintenance margin
is convex and piecewise linear (continuous tiers with rising rates), so the difference is
concave. Taking the tier at the trial price and solving the straight line — what Binance
describes as "recompute with the bracket at the liquidation price" — is Newton's method on that
concave function, which reaches the exact root in at most one step per tier.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.domain.analysis import Analysis
from planner.domain.book import Book, build_book
from planner.domain.plan import Plan


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


def tier_index(book: Book, market: np.ndarray, notional: np.ndarray) -> np.ndarray:
    """Floor-inclusive tier lookup; notional beyond the table stays in the last tier."""
    floors = book.floors[market]  # (..., K)
    k = np.count_nonzero(floors <= notional[..., None], axis=-1) - 1
    return np.maximum(k, 0)


def entry_notional(book: Book) -> np.ndarray:
    inverse = book.inverse[book.leg_market]
    return np.where(inverse, book.leg_q / book.leg_entry, book.leg_q * book.leg_entry)


def valuate(book: Book, mark_u: np.ndarray) -> LegState:
    """Value every leg at ``mark_u`` (shape ``(..., markets)``, prices in u)."""
    u = mark_u[..., book.leg_market]
    pnl = book.leg_a + book.leg_b * u
    notional = book.leg_q * u
    valued = entry_notional(book) if book.rules.maintenance_at_entry else notional
    tier = tier_index(book, book.leg_market, valued)
    mmr = book.mmr[book.leg_market, tier]
    cum = book.cum[book.leg_market, tier]
    fee = book.taker * notional if book.rules.fee_in_maintenance else np.zeros_like(notional)
    maintenance = valued * mmr - cum + fee
    return LegState(u, pnl, notional, tier, mmr, cum, maintenance, fee)


def cross_wallet(book: Book) -> float:
    return book.plan.account.wallet_balance - float(book.leg_margin.sum())


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
    """Liquidation and bankruptcy prices in u for every group (NaN where there is none)."""
    n_groups = len(book.group_market)
    group = book.leg_group
    fee_rate = book.taker if book.rules.fee_in_maintenance else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        bankrupt_slope = np.bincount(group, book.leg_b - book.leg_q * fee_rate, n_groups)
        bankrupt = -(collateral + np.bincount(group, book.leg_a, n_groups)) / bankrupt_slope

        if book.rules.maintenance_at_entry:
            const = np.bincount(group, book.leg_a - state.maintenance, n_groups)
            slope = np.bincount(group, book.leg_b, n_groups)
            liquidation = -(collateral + const) / slope
        else:
            tier = state.tier
            liquidation = np.full(n_groups, np.nan)
            for _ in range(book.floors.shape[1] + 2):
                mmr = book.mmr[book.leg_market, tier] + fee_rate
                const = np.bincount(group, book.leg_a + book.cum[book.leg_market, tier], n_groups)
                slope = np.bincount(group, book.leg_b - book.leg_q * mmr, n_groups)
                liquidation = -(collateral + const) / slope
                trial = liquidation[group]
                trial = np.where(np.isfinite(trial) & (trial > 0), trial, 0.0)
                next_tier = tier_index(book, book.leg_market, book.leg_q * trial)
                if np.array_equal(next_tier, tier):
                    break
                tier = next_tier
    return _valid(liquidation), _valid(bankrupt)


def _valid(u: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(u) & (u > 0), u, np.nan)


def analyze(plan: Plan) -> Analysis:
    """Every figure of the plan at its marks (spec/plan-format.md, analysis output)."""
    book = build_book(plan)
    state = valuate(book, book.mark_u)
    collateral = group_collateral(book, state)
    liquidation_u, bankruptcy_u = solve_groups(book, state, collateral)
    return Analysis.from_arrays(book, state, liquidation_u, bankruptcy_u)
