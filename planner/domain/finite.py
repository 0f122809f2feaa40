"""Strict JSON for every document the domain emits: no NaN, no infinity, ever."""

from __future__ import annotations

import math
from typing import Any


def finite_or_none(value: Any) -> Any:
    """``value`` (dicts, lists, tuples, scalars) with every non-finite float made ``None`` —
    a figure that does not exist, as spec/plan-format.md writes it (``null``). Numpy scalars
    become Python numbers."""
    if isinstance(value, dict):
        return {key: finite_or_none(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_or_none(item) for item in value]
    if isinstance(value, bool) or value is None or isinstance(value, (str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if hasattr(value, "item"):  # a numpy scalar
        return finite_or_none(value.item())
    return value
