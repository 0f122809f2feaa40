"""The plan in time, as figures: funding over the horizon and the position after each planned
add (spec/plan-format-v2.md). Plain data; ``funding`` and ``scale_in`` compute it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class FundingFigures:
    """Per position (plan order): ``cost`` over the horizon (positive = paid), ``hourly``
    payment at the held marks, ``runway_hours`` (None: never), ``liquidation_price_at_horizon``
    (None where there is none); ``total`` over the account."""

    cost: tuple[float, ...]
    hourly: tuple[float, ...]
    runway_hours: tuple[float | None, ...]
    liquidation_price_at_horizon: tuple[float | None, ...]
    total: float


@dataclass(frozen=True, slots=True)
class Fill:
    """The position right after one planned add."""

    price: float
    quantity: float
    total_quantity: float
    average_entry: float
    margin: float | None  # the isolated bucket after the fill; None for cross
    liquidation_price: float | None
    reachable: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "price": self.price,
            "quantity": self.quantity,
            "total_quantity": self.total_quantity,
            "average_entry": self.average_entry,
            "margin": self.margin,
            "liquidation_price": self.liquidation_price,
            "reachable": self.reachable,
        }


@dataclass(frozen=True, slots=True)
class TimeRisk:
    """A risk of the plan in time, for the plan's warnings (``warnings.compute_warnings``)."""

    severity: str  # "danger" or "warning"
    code: str
    position: str | None
    text: str


@dataclass(frozen=True, slots=True)
class Timeline:
    """Everything that moves with time, for one analysis."""

    funding: FundingFigures
    fills: tuple[tuple[Fill, ...], ...]  # per position, in fill order
