"""The whole analysis of a plan: the engine's figures, then — on first use, each cached — the
account's decision figures, the warnings and the plan in time. ``planner.analyze`` is this
module's ``analyze``; the engine's own ``analyze`` (figures at the marks alone) is what
solvers, sweeps and what-ifs call many times over.

The derived figures come from modules that themselves use the engine, so the analysis does
not import them: this module hands them to it (``Analysis.derived``).
"""

from __future__ import annotations

from typing import Any

from planner.domain import engine
from planner.domain.account_figures import AccountFigures, account_figures
from planner.domain.analysis import Analysis
from planner.domain.plan import Plan
from planner.domain.time_figures import Timeline
from planner.domain.timeline import plan_in_time
from planner.domain.warnings import compute_warnings


class PlanDerivations:
    """Account figures, warnings and the plan in time of an analysis."""

    def figures(self, analysis: Analysis) -> AccountFigures:
        return account_figures(analysis)

    def warnings(self, analysis: Analysis) -> tuple[Any, ...]:
        return tuple(compute_warnings(analysis))

    def timeline(self, analysis: Analysis) -> Timeline:
        return plan_in_time(analysis, engine.analyze)


DERIVATIONS = PlanDerivations()


def analyze(plan: Plan) -> Analysis:
    """Every figure of ``plan`` (spec/plan-format.md and plan-format-v2.md)."""
    return engine.analyze(plan, DERIVATIONS)
