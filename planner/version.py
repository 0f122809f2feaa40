"""The program's version, from the installed package's metadata (one place for the CLI, the
About dialog and the PDF report)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def app_version() -> str:
    try:
        return version("margin-planner")
    except PackageNotFoundError:
        return "unknown"
