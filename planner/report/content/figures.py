"""The account-wide decision figures of the report, read from the analysis.

``account_figures`` is the ONE adapter between the report and the analysis's v2 decision
figures (spec/plan-format-v2.md: ``analysis.account.gross_notional``, ``effective_leverage``,
``loss_at_stops``, ``risk_at_stops``, ``positions_without_stop``, ``worst_case_loss`` and the
top-level ``warnings`` list of ``{code, position, message}``). It reads each one from the
analysis when the analysis has it, and otherwise computes it here from the per-position
figures. Once the analysis carries them all, delete every ``_fallback_*`` below and the
``if … is None`` branches.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from planner.domain.analysis import Analysis
from planner.domain.formatting import format_amount, format_percent, format_price
from planner.domain.plan import Plan
from planner.domain.warnings import plan_warnings

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
    """The decision figures: the analysis's own where it has them (v2), else computed
    (``with_warnings=False`` skips the warnings, for the all-cross / all-isolated variants)."""
    account = getattr(analysis, "account", None)

    def read(name: str) -> Any:
        value = getattr(analysis, name, None)  # on the analysis itself, or under .account
        if value is None and isinstance(account, dict):
            value = account.get(name)
        elif value is None and account is not None:
            value = getattr(account, name, None)
        return value

    gross = read("gross_notional")
    if gross is None:
        gross = _fallback_gross_notional(plan, analysis)
    leverage = read("effective_leverage")
    if leverage is None and analysis.equity > 0:
        leverage = gross / analysis.equity
    loss = read("loss_at_stops")
    if loss is None:
        loss = _fallback_loss_at_stops(analysis)
    risk = read("risk_at_stops")
    if risk is None and analysis.equity > 0:
        risk = loss / analysis.equity
    without = read("positions_without_stop")
    if without is None:
        without = sum(p.stop_loss is None for p in plan.positions)
    worst = read("worst_case_loss")
    if worst is None:
        worst = _fallback_worst_case(plan, analysis)
    found = getattr(analysis, "warnings", None)
    if found is not None:
        warnings = tuple(_from_v2(w) for w in found)
    elif with_warnings:
        warnings = _fallback_warnings(plan, analysis)
    else:
        warnings = ()
    return AccountFigures(
        gross_notional=float(gross),
        effective_leverage=None if leverage is None else float(leverage),
        loss_at_stops=float(loss),
        risk_at_stops=None if risk is None else float(risk),
        positions_without_stop=int(without),
        worst_case_loss=float(worst),
        warnings=warnings,
    )


def severity_of(code: str) -> str:
    if code in RED_CODES:
        return "red"
    if code in GREEN_CODES:
        return "green"
    return "amber"


def _from_v2(warning: Any) -> ReportWarning:
    def field(name: str) -> Any:
        return warning.get(name) if isinstance(warning, dict) else getattr(warning, name, None)

    code = str(field("code") or "")
    return ReportWarning(code, field("position"), str(field("message") or ""), severity_of(code))


# -- fallbacks: delete once the analysis carries the v2 figures ---------------------------------


def _fallback_gross_notional(plan: Plan, analysis: Analysis) -> float:
    """Σ |notional| at the marks in the settlement currency (linear: quote; inverse: coin,
    the currency of a coin-margined account)."""
    del plan
    return float(np.abs(analysis.columns["notional"]).sum())


def _fallback_loss_at_stops(analysis: Analysis) -> float:
    losses = analysis.columns["loss_at_stop"]
    return float(np.nansum(losses)) if losses.size else 0.0


def _fallback_worst_case(plan: Plan, analysis: Analysis) -> float:
    """Every isolated bucket's equity plus the cross pool's equity when it carries a position;
    never more than the account's equity."""
    buckets = sum(max(b.equity, 0.0) for b in analysis.buckets if not b.liquidated)
    has_cross = any(p.margin_mode == "cross" for p in plan.positions)
    pool = max(analysis.cross.equity, 0.0) if has_cross and not analysis.cross.liquidated else 0.0
    worst = buckets + pool
    equity = analysis.equity
    return min(worst, equity) if math.isfinite(equity) and equity > 0 else worst


#: spec/plan-format-v2.md ``account.risk_limits`` defaults
DEFAULT_LIMITS = {"risk_per_position": 0.02, "total_risk": 0.06, "stop_buffer": 0.01}


def _limit(plan: Plan, name: str) -> float:
    limits = getattr(plan.account, "risk_limits", None)
    value = getattr(limits, name, None) if limits is not None else None
    return float(value) if value is not None else DEFAULT_LIMITS[name]


def _fallback_risk_warnings(plan: Plan, analysis: Analysis) -> list[ReportWarning]:
    """The v2 risk warnings (``total_risk``, ``risk_per_position``, ``stop_near_liquidation``,
    ``stop_already_hit``) with the spec's default limits."""
    found: list[ReportWarning] = []
    equity = analysis.equity
    ticks = {m.symbol: m.tick_size for m in plan.markets}

    def amount(value: float) -> str:
        return format_amount(value, plan.account.currency, with_unit=True)

    loss = _fallback_loss_at_stops(analysis)
    total = _limit(plan, "total_risk")
    if equity > 0 and loss / equity > total:
        text = (
            f"The stops together risk {amount(loss)}, {format_percent(loss / equity, 1)} of "
            f"equity — more than the {format_percent(total, 0)} limit."
        )
        found.append(ReportWarning("total_risk", None, text, "amber"))
    per = _limit(plan, "risk_per_position")
    buffer = _limit(plan, "stop_buffer")
    for pos, r in zip(plan.positions, analysis.positions, strict=True):
        stop = pos.stop_loss
        if stop is None:
            continue
        tick = ticks.get(pos.symbol)
        if (stop - r.mark_price) * (1 if pos.side == "long" else -1) >= 0:
            text = (
                f"{pos.id}: the mark {format_price(r.mark_price, tick)} is already past the "
                f"stop {format_price(stop, tick)}."
            )
            found.append(ReportWarning("stop_already_hit", pos.id, text, "red"))
            continue
        if equity > 0 and r.loss_at_stop is not None and r.loss_at_stop / equity > per:
            text = (
                f"{pos.id}: its stop risks {amount(r.loss_at_stop)}, "
                f"{format_percent(r.loss_at_stop / equity, 1)} of equity (limit "
                f"{format_percent(per, 0)})."
            )
            found.append(ReportWarning("risk_per_position", pos.id, text, "amber"))
        lp = r.liquidation_price
        if lp is not None and abs(stop - lp) / r.mark_price < buffer:
            text = (
                f"{pos.id}: the stop {format_price(stop, tick)} is within "
                f"{format_percent(buffer, 0)} of the mark of the liquidation price "
                f"{format_price(lp, tick)}."
            )
            found.append(ReportWarning("stop_near_liquidation", pos.id, text, "amber"))
    return found


def _fallback_warnings(plan: Plan, analysis: Analysis) -> tuple[ReportWarning, ...]:
    """The v1 domain's warnings, coloured by their code and severity, and the v2 risk
    warnings."""
    found = _fallback_risk_warnings(plan, analysis)
    for w in plan_warnings(plan, analysis):
        severity = severity_of(w.code)
        if w.severity == "danger":
            severity = "red"
        elif w.severity == "notice":
            severity = "green"
        found.append(ReportWarning(w.code, w.position_id, w.text, severity))
    return tuple(found)
