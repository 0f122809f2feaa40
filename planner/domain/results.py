"""The records an analysis is read as: the cross pool, each collateral item, each position
with its take-profits, and each isolated bucket (spec/plan-format.md, plan-format-v2.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class CrossPool:
    wallet_balance: float
    unrealized_pnl: float
    equity: float
    initial_margin: float
    maintenance_margin: float
    available: float
    risk_ratio: float | None
    liquidated: bool
    #: Σ value of the collateral at the marks (spec v2); ``equity`` includes it
    collateral_value: float = 0.0


@dataclass(frozen=True, slots=True)
class CollateralResult:
    """One collateral item at the marks (spec v2 ``account.collateral[]``)."""

    asset: str
    amount: float
    price: float
    value: float
    #: the asset's price, alone, at which the cross pool is liquidated (None: none)
    liquidation_price: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "asset": self.asset,
            "amount": self.amount,
            "price": self.price,
            "value": self.value,
            "liquidation_price": self.liquidation_price,
        }


@dataclass(frozen=True, slots=True)
class TakeProfitResult:
    price: float
    fraction: float
    reward: float  # net of entry and exit taker fees on that fraction


@dataclass(frozen=True, slots=True)
class PositionResult:
    id: str
    symbol: str
    side: str
    margin_mode: str
    quantity: float
    entry_price: float
    mark_price: float
    notional: float
    initial_margin: float
    margin: float | None
    unrealized_pnl: float
    equity: float | None
    maintenance_rate: float
    maintenance_amount: float
    maintenance_margin: float
    risk_ratio: float | None
    liquidation_price: float | None
    bankruptcy_price: float | None
    liquidation_distance: float | None
    loss_at_stop: float | None
    max_loss: float
    liquidated: bool
    break_even_price: float
    take_profits: tuple[TakeProfitResult, ...]
    reward_to_risk: float | None


@dataclass(frozen=True, slots=True)
class IsolatedBucket:
    """One isolated exchange position: the netted positions of one symbol and side."""

    symbol: str
    side: str
    position_ids: tuple[str, ...]
    margin: float
    unrealized_pnl: float
    equity: float
    maintenance_margin: float
    risk_ratio: float | None
    liquidation_price: float | None
    bankruptcy_price: float | None
    liquidated: bool
