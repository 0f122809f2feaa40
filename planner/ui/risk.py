"""How risky a figure looks: a level for colours, icons and words.

Only comparisons of figures the analysis already holds; no margin arithmetic. The plan's
warnings in plain words come from ``planner.domain.warnings``.
"""

from __future__ import annotations

from enum import IntEnum


class RiskLevel(IntEnum):
    OK = 0
    ELEVATED = 1
    HIGH = 2
    LIQUIDATED = 3


RISK_WORDS = {
    RiskLevel.OK: "ok",
    RiskLevel.ELEVATED: "elevated",
    RiskLevel.HIGH: "high",
    RiskLevel.LIQUIDATED: "liquidated",
}

#: risk ratio at or above which a position or bucket is shown as elevated / high
ELEVATED_RISK = 0.3
HIGH_RISK = 0.6


def risk_level(risk_ratio: float | None, liquidated: bool) -> RiskLevel:
    if liquidated:
        return RiskLevel.LIQUIDATED
    if risk_ratio is None:
        return RiskLevel.OK
    if risk_ratio >= HIGH_RISK:
        return RiskLevel.HIGH
    if risk_ratio >= ELEVATED_RISK:
        return RiskLevel.ELEVATED
    return RiskLevel.OK


def liquidation_before_stop(side: str, liquidation: float | None, stop: float | None) -> bool:
    """True when the price reaches the liquidation price before the stop."""
    if liquidation is None or stop is None:
        return False
    return liquidation >= stop if side == "long" else liquidation <= stop
