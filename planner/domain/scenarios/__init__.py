"""What-ifs and paths: shocks and variants of a plan (``what_if``), the account along a range of
moves (``sweeps``), and where and in which order it is liquidated on the way (``events``).

The public names are gathered here so that callers import them from ``planner.domain.scenarios``.
"""

from planner.domain.scenarios.events import (
    MAX_MARKET_MOVE,
    EventKind,
    LiquidationEvent,
    liquidating_market_move,
)
from planner.domain.scenarios.path import SweepBucket
from planner.domain.scenarios.sweeps import (
    SWEEP_FORMAT,
    SWEEP_VERSION,
    Sweep,
    sweep,
    sweep_variants,
)
from planner.domain.scenarios.what_if import (
    VARIANTS,
    beta_vector,
    position_index,
    shock_factors,
    shocked,
    variant_plans,
    with_added_margin,
    with_margin_mode,
    with_position_mode,
)

__all__ = [
    "MAX_MARKET_MOVE",
    "SWEEP_FORMAT",
    "SWEEP_VERSION",
    "VARIANTS",
    "EventKind",
    "LiquidationEvent",
    "Sweep",
    "SweepBucket",
    "beta_vector",
    "liquidating_market_move",
    "position_index",
    "shock_factors",
    "shocked",
    "sweep",
    "sweep_variants",
    "variant_plans",
    "with_added_margin",
    "with_margin_mode",
    "with_position_mode",
]
