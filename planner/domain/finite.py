"""Strict JSON for every document the domain emits: no NaN, no infinity, ever."""

from __future__ import annotations

import math
from typing import Any

_PLAIN = (str, int, bool, type(None))


def finite_or_none(value: Any) -> Any:
    """``value`` (dicts, lists, tuples, scalars) with every non-finite float made ``None`` —
    a figure that does not exist, as spec/plan-format.md writes it (``null``). Numpy scalars
    become Python numbers; tuples become lists."""
    kind = type(value)
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is dict:
        return {key: finite_or_none(item) for key, item in value.items()}
    if kind is list or kind is tuple:
        return [finite_or_none(item) for item in value]
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, float):  # a float subclass, e.g. numpy.float64
        return float(value) if math.isfinite(value) else None
    if hasattr(value, "item"):  # another numpy scalar
        return finite_or_none(value.item())
    if isinstance(value, dict):
        return {key: finite_or_none(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_or_none(item) for item in value]
    return value
