"""The position table's columns read off the account figures (spec v2): each position's loss at
its stop as a share of equity, coloured against the risk-per-position limit; its stop's distance
from the mark; and its worst case from the marks — for a cross position, the pool it shares,
said as "the pool: X" rather than as a loss of its own."""

from __future__ import annotations

from PySide6.QtGui import QColor

from planner.domain.account_figures import AccountFigures
from planner.domain.analysis import Analysis
from planner.domain.formatting import MISSING, format_percent
from planner.domain.values_in import ValuesIn
from planner.ui.panels.position_columns import RISK_FILLS
from planner.ui.risk import RiskLevel

#: the columns this module formats
FIGURE_COLUMNS = frozenset({"position_risk", "stop_distance", "worst_case_loss"})
#: at this share of the limit a position's risk is coloured as elevated
NEAR_LIMIT = 0.75


def pool_text(amount: str) -> str:
    """A cross position's worst case: the pool it shares, not a loss of its own."""
    return f"the pool: {amount}"


class RiskFigures:
    """The figures of one analysis for the table; the account figures are computed on first
    use (and cached by the analysis)."""

    def __init__(self, analysis: Analysis, values: ValuesIn | None = None) -> None:
        self._analysis = analysis
        plan = analysis.plan
        self._currency = plan.account.currency
        #: the "values in" unit the amounts are shown in
        self._values = values or ValuesIn.of(plan, None)
        self._limit = plan.account.risk_limits.risk_per_position

    @property
    def figures(self) -> AccountFigures:
        return self._analysis.figures

    def text(self, key: str, row: int) -> str:
        figures = self.figures
        if key == "position_risk":
            return format_percent(figures.position_risk[row], 2)
        if key == "stop_distance":
            return format_percent(figures.stop_distance[row], 2, sign=True)
        amount = self._values.format_amount(figures.worst_case_loss_of(row), self._currency)
        return pool_text(amount) if figures.shares_pool[row] else amount

    def sort_value(self, key: str, row: int) -> float | None:
        figures = self.figures
        if key == "position_risk":
            return figures.position_risk[row]
        if key == "stop_distance":
            return figures.stop_distance[row]
        return figures.worst_case_loss_of(row)

    def level(self, row: int) -> RiskLevel:
        """The position's risk at its stop against the risk-per-position limit."""
        risk = self.figures.position_risk[row]
        if risk is None:
            return RiskLevel.OK
        if risk > self._limit:
            return RiskLevel.HIGH
        if risk >= NEAR_LIMIT * self._limit:
            return RiskLevel.ELEVATED
        return RiskLevel.OK

    def values(self, key: str) -> tuple[float | bool | None, ...]:
        """What the column's cells show, per row (to tell which rows a change touched)."""
        figures = self.figures
        if key == "position_risk":
            return figures.position_risk
        if key == "stop_distance":
            return figures.stop_distance
        return tuple(zip(figures.position_worst_case, figures.shares_pool, strict=True))

    def changed_rows(self, before: RiskFigures, key: str) -> list[int]:
        """The rows whose cell in column ``key`` differs from ``before``'s."""
        old, new = before.values(key), self.values(key)
        if len(old) != len(new) or (key == "position_risk" and before._limit != self._limit):
            return list(range(len(new)))
        return [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]

    def fill(self, key: str, row: int) -> QColor | None:
        if key != "position_risk":
            return None
        return RISK_FILLS.get(self.level(row))

    def note(self, key: str, row: int) -> str:
        """What the tooltip adds to the column's explanation for this row."""
        if key == "position_risk":
            position = self._analysis.plan.positions[row]
            if position.stop_loss is None:
                return f"{MISSING}: the position has no stop."
            words = [f"Your limit: {format_percent(self._limit, 2)} of equity."]
            words += [w.text for w in self._analysis.warnings if w.position_id == position.id]
            return "\n".join(words)
        if key == "worst_case_loss" and self.figures.shares_pool[row]:
            return "The cross pool's equity, shared by every cross position."
        return ""
