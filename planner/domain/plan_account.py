"""The account of a plan: wallet, venue, fees, and the version-2 additions — risk limits and
collateral (spec/plan-format-v2.md, "account")."""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from planner.domain.plan_base import (
    AMOUNT_MAX,
    FeeRate,
    Fraction,
    Leverage,
    Number,
    PlanModel,
    Price,
    Quantity,
    rule_error,
    show_value,
    within,
)

Venue = Literal["binance", "bybit", "okx", "hyperliquid"]
PositionMode = Literal["one-way", "hedge"]


class RiskLimits(PlanModel):
    """Limits that decide warnings; they never refuse a plan. Fractions of account equity
    (``risk_per_position``, ``total_risk``) and of the mark (``stop_buffer``)."""

    risk_per_position: Fraction = Field(
        default=0.02, description="Largest loss at one position's stop, a fraction of equity."
    )
    total_risk: Fraction = Field(
        default=0.06, description="Largest loss if every stop is hit, a fraction of equity."
    )
    stop_buffer: Number = Field(
        default=0.01,
        ge=0,
        lt=1,
        description="Least distance between a stop and the liquidation price behind it, "
        "a fraction of the mark.",
    )
    max_leverage: Leverage | None = Field(
        default=None, description="Cap on the account's effective leverage (null: no cap)."
    )


class ValueRatioTier(PlanModel):
    """From ``amount_floor`` (in units of the asset) up, the slice counts at ``ratio``. A ratio
    may be 0: the venues' lists end in a tier that counts nothing (Bybit: "> 50 BTC: 0")."""

    amount_floor: Annotated[Number, Field(ge=0), within(0.0, 1e12, "quantities")]
    ratio: Annotated[Number, Field(ge=0, le=1)]


class Collateral(PlanModel):
    """An asset other than the account's currency that backs the cross pool."""

    asset: str = Field(min_length=1, max_length=20)
    amount: Quantity
    price_symbol: str | None = Field(
        default=None, min_length=1, max_length=64, description="A market whose mark prices it."
    )
    price: Price | None = Field(default=None, description="A fixed price in the currency.")
    value_ratio: Fraction | None = Field(
        default=None, description="1 − haircut; 1 when neither it nor the tiers are given."
    )
    value_ratio_tiers: tuple[ValueRatioTier, ...] | None = Field(
        default=None, min_length=1, max_length=50
    )

    @field_validator("asset")
    @classmethod
    def _asset_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise PydanticCustomError("plan_rule", "must not be blank")
        return value

    @model_validator(mode="after")
    def _price_and_ratio(self) -> Collateral:
        if (self.price_symbol is None) == (self.price is None):
            raise rule_error(
                "price_symbol" if self.price is None else "price",
                self.price_symbol if self.price is None else self.price,
                "give either price_symbol (a market of the plan) or a fixed price, not both"
                if self.price is not None
                else "give either price_symbol (a market of the plan) or a fixed price",
            )
        tiers = self.value_ratio_tiers
        if tiers is not None:
            if self.value_ratio is not None:
                raise rule_error(
                    "value_ratio",
                    self.value_ratio,
                    "give value_ratio or value_ratio_tiers, not both",
                )
            if tiers[0].amount_floor != 0:
                raise rule_error(
                    "value_ratio_tiers[0].amount_floor",
                    tiers[0].amount_floor,
                    "the first tier starts at 0",
                )
            for k in range(1, len(tiers)):
                if tiers[k].amount_floor <= tiers[k - 1].amount_floor:
                    raise rule_error(
                        f"value_ratio_tiers[{k}].amount_floor",
                        tiers[k].amount_floor,
                        "tiers must be sorted: above the previous floor "
                        f"{show_value(tiers[k - 1].amount_floor)}",
                    )
        return self

    def value_at(self, price: float) -> float:
        """Σ slices × price × ratio: each slice of the amount at its tier's ratio."""
        tiers = self.value_ratio_tiers
        if tiers is None:
            return self.amount * price * (1.0 if self.value_ratio is None else self.value_ratio)
        counted = []
        for k, tier in enumerate(tiers):
            top = tiers[k + 1].amount_floor if k + 1 < len(tiers) else math.inf
            piece = min(self.amount, top) - tier.amount_floor
            if piece <= 0:
                break
            counted.append(piece * tier.ratio)
        return math.fsum(counted) * price


class Account(PlanModel):
    currency: str = Field(min_length=1, max_length=20, description="Settlement asset.")
    wallet_balance: Annotated[Number, Field(ge=0), within(0.0, AMOUNT_MAX, "wallet balances")] = (
        Field(description="Wallet balance before unrealised PnL (> 0; may be 0 with collateral).")
    )
    venue: Venue = "binance"
    position_mode: PositionMode = "one-way"
    taker_fee_rate: FeeRate = 0.0
    maker_fee_rate: FeeRate = 0.0
    risk_limits: RiskLimits = RiskLimits()
    collateral: tuple[Collateral, ...] = Field(default=(), max_length=50)

    @model_validator(mode="after")
    def _collateral_rules(self) -> Account:
        if self.wallet_balance <= 0 and not self.collateral:
            raise rule_error(
                "wallet_balance",
                self.wallet_balance,
                "Input should be greater than 0 (0 only when collateral backs the account)",
            )
        seen: set[str] = set()
        for i, item in enumerate(self.collateral):
            if item.asset == self.currency:
                raise rule_error(
                    f"collateral[{i}].asset",
                    item.asset,
                    "is the account's currency; collateral is any other asset",
                )
            if item.asset in seen:
                raise rule_error(f"collateral[{i}].asset", item.asset, "assets must be unique")
            seen.add(item.asset)
        return self
