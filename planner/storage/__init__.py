"""Plan files and autosave: pure Python, no Qt."""

from planner.storage.plan_file import load_plan, parse_plan_bytes

__all__ = ["load_plan", "parse_plan_bytes"]
