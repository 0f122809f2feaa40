"""The account-wide decision figures of the report, read from the analysis
(spec/plan-format-v2.md: gross notional, effective leverage, loss and risk at the stops,
positions without a stop, worst-case loss, and the warnings as red / amber / green)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from planner.domain.analysis import Analysis
from planner.domain.plan import Plan

#: warning codes (v2 and the v1 domain's) that mean "act now": red
RED_CODES = frozenset(
    {
        "liquidated",
        "liquidation_before_stop",
        "funding_liquidates",
        "pool_liquidated",
        "bucket_liquidated",
        "isolated_exceeds_wallet",
        "stop_beyond_liquidation",
        "pool_near_liquidation",
    }
)
#: codes that are for information only: green
GREEN_CODES = frozenset({"tier_cliff", "quantity_off_step"})


@dataclass(frozen=True, slots=True)
class ReportWarning:
    code: str
    position: str | None
    message: str
    severity: str  # "red" | "amber" | "green"


@dataclass(frozen=True, slots=True)
class AccountFigures:
    gross_notional: float
    effective_leverage: float | None
    loss_at_stops: float
    risk_at_stops: float | None
    positions_without_stop: int
    worst_case_loss: float
    warnings: tuple[ReportWarning, ...]


def account_figures(
    plan: Plan, analysis: Analysis, *, with_warnings: bool = True
) -> AccountFigures:
    """The decision figures of ``analysis`` (``planner.analyze``: ``analysis.figures`` and
    ``analysis.warnings``); ``with_warnings=False`` leaves the warnings out (the all-cross and
    all-isolated variants)."""
    figures = analysis.figures
    warnings = tuple(_from_domain(w) for w in analysis.warnings) if with_warnings else ()
    return AccountFigures(
        gross_notional=float(figures.gross_notional),
        effective_leverage=figures.effective_leverage,
        loss_at_stops=float(figures.loss_at_stops),
        risk_at_stops=figures.risk_at_stops,
        positions_without_stop=int(figures.positions_without_stop),
        worst_case_loss=float(figures.worst_case_loss),
        warnings=warnings,
    )


def severity_of(code: str) -> str:
    if code in RED_CODES:
        return "red"
    if code in GREEN_CODES:
        return "green"
    return "amber"


#: the domain's severities as the report's traffic lights
LIGHTS = {"danger": "red", "warning": "amber", "notice": "green"}


def _from_domain(warning: Any) -> ReportWarning:
    code = str(warning.code)
    light = LIGHTS.get(warning.severity) or severity_of(code)
    return ReportWarning(code, warning.position_id, warning.text, light)
