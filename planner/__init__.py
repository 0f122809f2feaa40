"""Margin Planner: plan crypto futures positions and see what cross and isolated margin do.

For scripts and notebooks::

    from planner import load_plan, analyze, compare, sweep
    plan = load_plan("plan.tplan")
    analyze(plan).to_dict()  # exactly what `margin-planner analyze PLAN --json` prints
    compare(plan).to_dict()  # exactly what `margin-planner compare PLAN --json` prints
    sweep(plan, symbol=None, moves=[-0.2, 0.0, 0.2]).to_dict()  # as `sweep --market --json`

Names are imported on first use, so ``import planner`` (and the command line, which lives in
this package) loads neither numpy nor the engine until they are needed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from planner.domain.analysis import Analysis
    from planner.domain.errors import PlanError
    from planner.domain.plan import Plan
    from planner.domain.plan_analysis import analyze
    from planner.domain.scenarios import Sweep, sweep
    from planner.domain.twin import Comparison, compare
    from planner.storage import load_plan

#: public name → the module that defines it
_EXPORTS: dict[str, str] = {
    "Analysis": "planner.domain.analysis",
    "Comparison": "planner.domain.twin",
    "Plan": "planner.domain.plan",
    "PlanError": "planner.domain.errors",
    "Sweep": "planner.domain.scenarios",
    "analyze": "planner.domain.plan_analysis",
    "compare": "planner.domain.twin",
    "load_plan": "planner.storage",
    "sweep": "planner.domain.scenarios",
}

__all__ = [
    "Analysis",
    "Comparison",
    "Plan",
    "PlanError",
    "Sweep",
    "analyze",
    "compare",
    "load_plan",
    "sweep",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'planner' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
