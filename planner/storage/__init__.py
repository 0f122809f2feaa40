"""Plan files and autosave: pure Python, no Qt.

- ``load_plan(path)`` / ``parse_plan_bytes(data)``: read, migrate and validate (``PlanError``).
- ``plan_to_bytes(plan)`` / ``save_plan(plan, path)``: write atomically, keeping
  ``NAME.tplan.bak`` (``SaveError``).
- ``AutosaveStore`` / ``RecoveryEntry``: autosave and crash recovery.
"""

from planner.storage.atomic import SaveError
from planner.storage.autosave import AutosaveStore, RecoveryEntry
from planner.storage.plan_file import load_plan, parse_plan_bytes, plan_to_bytes, save_plan

__all__ = [
    "AutosaveStore",
    "RecoveryEntry",
    "SaveError",
    "load_plan",
    "parse_plan_bytes",
    "plan_to_bytes",
    "save_plan",
]
