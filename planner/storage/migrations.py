"""Migrations of plan data from every older version to the current one.

Each step takes the JSON data of version N and returns that of version N + 1; ``migrate`` runs
the chain. Data is plain JSON here (dicts and lists), never a model: migrations must keep
working when the models change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from planner.domain.plan import PLAN_VERSION

Data = dict[str, Any]

#: version N → function that turns version-N data into version-(N + 1) data
STEPS: dict[int, Callable[[Data], Data]] = {}


def migrate(data: Data) -> Data:
    version = data["version"]
    while version < PLAN_VERSION:
        step = STEPS.get(version)
        if step is None:
            from planner.domain.errors import PlanError

            raise PlanError(
                f"version = {version}: no migration from this version "
                f"(this program reads versions {min(STEPS, default=PLAN_VERSION)} "
                f"to {PLAN_VERSION})",
                field="version",
            )
        data = step(data)
        version += 1
        data["version"] = version
    return data
