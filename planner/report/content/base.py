"""What every section of the report shares: the plan, its analyses and number formatting.

Everything expensive is computed once here and shared: the comparison (three analyses, one per
variant), the market-wide sweep of each variant, and the per-symbol equity curves of each
variant (``planner.report.curves``: one valuation of the account per variant for every chart).
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from planner.domain.account_figures import AccountFigures
from planner.domain.analysis import Analysis, PositionResult
from planner.domain.errors import PlanError
from planner.domain.formatting import (
    MISSING,
    format_amount,
    format_percent,
    format_price,
)
from planner.domain.plan import Market, Plan
from planner.domain.scenarios import VARIANTS, Sweep, sweep, variant_plans
from planner.domain.twin import Comparison, compare
from planner.report.content.figures import ReportWarning, report_warnings
from planner.report.curves import SymbolCurve, symbol_curves

#: Past this many positions the report switches to its compact layout (one row per position,
#: no per-position detail tables).
COMPACT_POSITIONS = 20
#: In the compact layout at most this many symbols get charts (the largest by notional).
COMPACT_CHARTED_SYMBOLS = 8

#: Market-wide moves for the page-1 chart (and the shocks' failure points): −60 % … +60 %.
MARKET_GRID: np.ndarray = np.round(np.linspace(-0.6, 0.6, 241), 10)


def exact_percent(rate: float, least: int = 2, most: int = 4) -> str:
    """A rate with as many decimals (``least``…``most``) as it needs to be shown exactly."""
    for decimals in range(least, most + 1):
        if abs(round(rate * 100, decimals) - rate * 100) < 1e-9:
            return format_percent(rate, decimals)
    return format_percent(rate, most)


def move_text(move: float | None, decimals: int = 1) -> str:
    if move is None or not np.isfinite(move):
        return MISSING
    if round(move * 100, decimals) == 0:
        return "0 %"
    return format_percent(move, decimals, sign=True)


class Context:
    """The plan and everything computed from it, shared by the section builders."""

    def __init__(self, plan: Plan, analysis: Analysis, *, full_tiers: bool = False) -> None:
        self.plan = plan
        self.analysis = analysis
        self.full_tiers = full_tiers
        self.currency = plan.account.currency
        self.markets: dict[str, Market] = {m.symbol: m for m in plan.markets}
        self.ticks = {m.symbol: m.tick_size for m in plan.markets}
        self.results: tuple[PositionResult, ...] = analysis.positions
        self.compact = len(plan.positions) > COMPACT_POSITIONS

    # -- shared computations (each once) ---------------------------------------------------

    @cached_property
    def figures(self) -> AccountFigures:
        return self.analysis.figures

    @cached_property
    def warnings(self) -> tuple[ReportWarning, ...]:
        return report_warnings(self.analysis)

    @cached_property
    def variant_error(self) -> str | None:
        """Why the all-cross / all-isolated variants cannot be analysed (a variant breaks a
        plan rule that the plan itself keeps), or None. The report then shows the plan alone
        and says so."""
        try:
            variant_plans(self.plan)
        except PlanError as error:
            return str(error)
        return None

    @property
    def variants(self) -> tuple[str, ...]:
        """The variants the report compares: all three, or the plan alone."""
        return VARIANTS if self.variant_error is None else VARIANTS[:1]

    @cached_property
    def variant_figures(self) -> dict[str, AccountFigures]:
        """The decision figures of each variant (worst case, loss at stops …)."""
        return {v: self.variant_analysis(v).figures for v in self.variants}

    @cached_property
    def comparison(self) -> Comparison:
        return compare(self.plan)

    def variant_analysis(self, variant: str) -> Analysis:
        if variant == "planned":
            return self.analysis
        return self.comparison.analyses[variant]

    @cached_property
    def market_sweeps(self) -> dict[str, Sweep]:
        """Every mark moved together (betas 1), for each variant."""
        return {
            v: sweep(self.variant_analysis(v).plan, symbol=None, moves=MARKET_GRID)
            for v in self.variants
        }

    @cached_property
    def curves(self) -> dict[str, dict[str, SymbolCurve]]:
        """variant → symbol → equity curve as that symbol alone moves."""
        return {v: symbol_curves(self.variant_analysis(v)) for v in self.variants}

    # -- plan facts ------------------------------------------------------------------------

    def symbols_in_use(self) -> list[str]:
        used = {p.symbol for p in self.plan.positions}
        return [m.symbol for m in self.plan.markets if m.symbol in used]

    def positions_by_symbol(self) -> dict[str, list[int]]:
        """Position indices grouped by symbol, symbols in market order."""
        groups: dict[str, list[int]] = {s: [] for s in self.symbols_in_use()}
        for i, pos in enumerate(self.plan.positions):
            groups[pos.symbol].append(i)
        return groups

    def notional_in_currency(self, index: int) -> float:
        """|notional| at the mark in the settlement currency: linear contracts count it in
        the quote (the currency), inverse ones in the coin (the currency of a coin-margined
        account)."""
        return abs(float(self.analysis.columns["notional"][index]))

    def charted_symbols(self) -> list[str]:
        symbols = self.symbols_in_use()
        if not self.compact or len(symbols) <= COMPACT_CHARTED_SYMBOLS:
            return symbols
        size: dict[str, float] = dict.fromkeys(symbols, 0.0)
        for i, pos in enumerate(self.plan.positions):
            size[pos.symbol] += self.notional_in_currency(i)
        top = set(sorted(symbols, key=lambda s: -size[s])[:COMPACT_CHARTED_SYMBOLS])
        return [s for s in symbols if s in top]

    # -- formatting ------------------------------------------------------------------------

    def price(self, symbol: str, value: float | None) -> str:
        return format_price(value, self.ticks.get(symbol))

    def amount(self, value: float | None, *, unit: bool = False, sign: bool = False) -> str:
        return format_amount(value, self.currency, with_unit=unit, sign=sign)

    def notional(self, market: Market, value: float | None) -> str:
        if market.contract == "linear":
            return format_amount(value, self.currency)
        return format_amount(value, "coin")

    def share_of_equity(self, value: float | None) -> str:
        equity = self.analysis.equity
        if value is None or not equity > 0:
            return MISSING
        return format_percent(value / equity, 1)

    def nearest_liquidation(self, analysis: Analysis | None = None) -> PositionResult | None:
        """The position whose liquidation price is nearest its mark (read off the analysis's
        columns: no record is built for the others)."""
        analysis = analysis or self.analysis
        distance = np.abs(analysis.columns["liquidation_distance"])
        if distance.size == 0 or not np.isfinite(distance).any():
            return None
        return analysis.position(
            int(np.nanargmin(np.where(np.isfinite(distance), distance, np.nan)))
        )
