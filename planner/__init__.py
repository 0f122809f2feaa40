"""Margin Planner: plan crypto futures positions and see what cross and isolated margin do.

For scripts and notebooks::

    from planner import load_plan, analyze
    analysis = analyze(load_plan("plan.tplan"))
    analysis.to_dict()  # exactly what `margin-planner analyze PLAN --json` prints
"""

from planner.domain.analysis import Analysis
from planner.domain.errors import PlanError
from planner.domain.plan import Plan
from planner.domain.plan_analysis import analyze
from planner.storage import load_plan

__all__ = ["Analysis", "Plan", "PlanError", "analyze", "load_plan"]
