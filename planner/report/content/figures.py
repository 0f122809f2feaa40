"""The plan's warnings as the report shows them: red / amber / green (spec/plan-format-v2.md).
The account's decision figures are the analysis's own (``analysis.figures``)."""

from __future__ import annotations

from dataclasses import dataclass

from planner.domain.analysis import Analysis
from planner.domain.warnings import PlanWarning


@dataclass(frozen=True, slots=True)
class ReportWarning:
    code: str
    position: str | None
    message: str
    severity: str  # "red" | "amber" | "green"


def report_warnings(analysis: Analysis) -> tuple[ReportWarning, ...]:
    """The analysis's warnings (``planner.analyze``: ``analysis.warnings``) as the report's
    red / amber / green flags."""
    return tuple(_from_domain(w) for w in analysis.warnings)


#: the domain's severities as the report's traffic lights
LIGHTS = {"danger": "red", "warning": "amber", "notice": "green"}


def _from_domain(warning: PlanWarning) -> ReportWarning:
    return ReportWarning(warning.code, warning.position_id, warning.text, LIGHTS[warning.severity])
