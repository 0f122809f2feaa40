"""Plan files and autosave: pure Python, no Qt.

- ``load_plan(path)`` / ``parse_plan_bytes(data)``: read, migrate and validate (``PlanError``).
- ``plan_to_bytes(plan)`` / ``save_plan(plan, path)``: write atomically, keeping
  ``NAME.tplan.bak`` (``SaveError``).
- ``AutosaveStore`` / ``RecoveryEntry``: autosave and crash recovery.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from planner.storage.atomic import SaveError
    from planner.storage.autosave import AutosaveStore, RecoveryEntry
    from planner.storage.plan_file import load_plan, parse_plan_bytes, plan_to_bytes, save_plan

# Imported on first use: reading a plan does not load the autosave machinery (platformdirs).
_EXPORTS: dict[str, str] = {
    "AutosaveStore": "planner.storage.autosave",
    "RecoveryEntry": "planner.storage.autosave",
    "SaveError": "planner.storage.atomic",
    "load_plan": "planner.storage.plan_file",
    "parse_plan_bytes": "planner.storage.plan_file",
    "plan_to_bytes": "planner.storage.plan_file",
    "save_plan": "planner.storage.plan_file",
}

__all__ = [
    "AutosaveStore",
    "RecoveryEntry",
    "SaveError",
    "load_plan",
    "parse_plan_bytes",
    "plan_to_bytes",
    "save_plan",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'planner.storage' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
