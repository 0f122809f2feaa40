"""The plan model, version 2 — the single source of truth for `spec/plan-format.md` and
`spec/plan-format-v2.md`.

Every model is immutable (frozen pydantic v2). An edit makes a new plan with
``model_copy(update=...)`` or, better, ``Plan.model_validate({...})`` so that the rules run
again. Rules that involve more than one field are checked in ``Plan``'s validator and raise
``plan_rule`` errors that carry the path of the offending field, so every refusal names the
field, the value and the rule. Every number has a sane range (``plan_base``), so no figure
derived from a valid plan overflows.

Version 2 only adds optional fields to version 1, so version-1 data is version-2 data: the
model reads ``"version": 1`` as 2 (files of older versions go through
``storage.migrations``).
"""

from __future__ import annotations

import math
import weakref
from collections import defaultdict
from datetime import datetime
from functools import cached_property, lru_cache
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from planner.domain.plan_account import (
    Account,
    Collateral,
    PositionMode,
    RiskLimits,
    ValueRatioTier,
    Venue,
)
from planner.domain.plan_base import (
    FUNDING_INTERVAL_MAX_HOURS,
    FUNDING_RATE_MAX,
    HORIZON_MAX_HOURS,
    Amount,
    Leverage,
    Notional,
    Number,
    PlanModel,
    PositiveNotional,
    Price,
    Quantity,
    Rate,
    TierLeverage,
    rule_error,
    show_value,
    within,
)
from planner.domain.text_rules import check_identifier
from planner.domain.tiers import maintenance_amount_after

PLAN_FORMAT = "margin-planner.plan"
PLAN_VERSION = 2

ContractType = Literal["linear", "inverse"]
Side = Literal["long", "short"]
MarginMode = Literal["cross", "isolated"]

#: Kept for code that names the v1 types; ranges live in ``plan_base``.
PositiveFloat = Annotated[Number, Field(gt=0)]
_Model = PlanModel
_show = show_value

#: Relative tolerance of the maintenance-amount continuity rule (reference/MARGIN.md §2.2).
CONTINUITY_TOLERANCE = 1e-6

__all__ = [
    "DEFAULT_FLAT_RULE",
    "PLAN_FORMAT",
    "PLAN_VERSION",
    "Account",
    "Collateral",
    "FlatMaintenance",
    "Market",
    "Plan",
    "Position",
    "PositionMode",
    "RiskLimits",
    "ScaleIn",
    "TakeProfit",
    "Tier",
    "TierTable",
    "ValueRatioTier",
    "Venue",
    "rule_error",
]


class Tier(_Model):
    notional_floor: Notional
    notional_cap: PositiveNotional | None = None
    max_leverage: TierLeverage | None = None
    mmr: Rate
    maintenance_amount: Amount = 0.0

    @model_validator(mode="after")
    def _cap_above_floor(self) -> Tier:
        if self.notional_cap is not None and self.notional_cap <= self.notional_floor:
            raise rule_error("notional_cap", self.notional_cap, "must be above notional_floor")
        return self


class FlatMaintenance(_Model):
    """One maintenance rate for every notional."""

    mmr: Rate
    maintenance_amount: Amount = 0.0
    max_leverage: TierLeverage | None = None


#: The rule the window gives a market it makes up for a new symbol when the venue's catalogue
#: has no table for it. The spec has no ``source`` on a flat rule to say so, so the report tells
#: this rule apart by its values (``planner.report.content.appendix.tier_provenance``).
DEFAULT_FLAT_RULE = FlatMaintenance(mmr=0.005, maintenance_amount=0.0, max_leverage=100.0)


class TierTable(_Model):
    """Maintenance tiers, floor-inclusive, contiguous, continuous in maintenance margin."""

    tiers: tuple[Tier, ...] = Field(min_length=1, max_length=100)
    source: str | None = None
    as_of: str | None = None

    @cached_property
    def columns(self) -> tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]]:
        """The tiers' floors, rates and maintenance amounts, read once per table (the table is
        immutable, and an edit keeps the plan's tables): what the engines compute with."""
        tiers = self.tiers
        return (
            tuple(t.notional_floor for t in tiers),
            tuple(t.mmr for t in tiers),
            tuple(t.maintenance_amount for t in tiers),
        )

    @model_validator(mode="after")
    def _tiers_contiguous_and_continuous(self) -> TierTable:
        tiers = self.tiers
        if tiers[0].notional_floor != 0:
            raise rule_error(
                "tiers[0].notional_floor", tiers[0].notional_floor, "the first tier starts at 0"
            )
        for k in range(1, len(tiers)):
            prev, tier = tiers[k - 1], tiers[k]
            if prev.notional_cap is None:
                raise rule_error(
                    f"tiers[{k - 1}].notional_cap", None, "only the last tier may have no cap"
                )
            if tier.notional_floor != prev.notional_cap:
                raise rule_error(
                    f"tiers[{k}].notional_floor",
                    tier.notional_floor,
                    "tiers must be contiguous: expected the previous cap "
                    f"{_show(prev.notional_cap)}",
                )
            if tier.mmr < prev.mmr:
                raise rule_error(
                    f"tiers[{k}].mmr", tier.mmr, "maintenance rates must not fall from tier to tier"
                )
            expected = maintenance_amount_after(
                prev.maintenance_amount, prev.mmr, tier.notional_floor, tier.mmr
            )
            scale = max(1.0, abs(expected), abs(tier.notional_floor * tier.mmr))
            if abs(tier.maintenance_amount - expected) > CONTINUITY_TOLERANCE * scale:
                raise rule_error(
                    f"tiers[{k}].maintenance_amount",
                    tier.maintenance_amount,
                    f"must be {_show(round(expected, 8))} to keep maintenance margin continuous "
                    "(previous amount + floor × (mmr − previous mmr))",
                )
        return self


Maintenance = TierTable | FlatMaintenance


class Market(_Model):
    symbol: str = Field(min_length=1, max_length=64)
    contract: ContractType = "linear"
    contract_size: Quantity = 1.0
    mark_price: Price
    tick_size: Price | None = None
    quantity_step: Quantity | None = Field(
        default=None, description="The venue's lot step; sizes are rounded down to it."
    )
    min_quantity: Quantity | None = Field(default=None, description="The smallest order.")
    funding_rate: Annotated[
        Number, within(-FUNDING_RATE_MAX, FUNDING_RATE_MAX, "funding rates")
    ] = Field(default=0.0, description="Rate per interval; positive: longs pay shorts.")
    funding_interval_hours: Annotated[
        Number, Field(gt=0), within(0.0, FUNDING_INTERVAL_MAX_HOURS, "funding intervals (hours)")
    ] = 8.0
    quote_as_of: str | None = Field(
        default=None,
        max_length=64,
        description="ISO 8601 time at which mark_price and funding_rate were taken.",
    )
    maintenance: Maintenance

    @field_validator("quote_as_of")
    @classmethod
    def _iso_time(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
        except ValueError:
            raise PydanticCustomError(
                "plan_range", "not an ISO 8601 time such as 2024-10-24T08:00:00Z"
            ) from None
        return value

    @field_validator("maintenance", mode="before")
    @classmethod
    def _pick_maintenance_kind(cls, value: Any) -> Any:
        # Decide by shape so that errors speak of the right kind, not of both.
        if isinstance(value, dict):
            return (
                TierTable.model_validate(value)
                if "tiers" in value
                else (FlatMaintenance.model_validate(value))
            )
        return value

    @property
    def tiers(self) -> tuple[Tier, ...]:
        """The maintenance rule as tiers; a flat rule is one tier without a cap."""
        m = self.maintenance
        if isinstance(m, TierTable):
            return m.tiers
        return _flat_tiers(m.mmr, m.maintenance_amount, m.max_leverage)

    def tier_for(self, notional: float) -> Tier:
        """The tier that holds ``notional`` (floor-inclusive; beyond the table, the last)."""
        tiers = self.tiers
        for tier in tiers:
            if tier.notional_cap is None or notional < tier.notional_cap:
                return tier
        return tiers[-1]

    def entry_notional(self, quantity: float, entry_price: float) -> float:
        """Entry notional in the unit the tiers use: quote for linear, coin for inverse."""
        if self.contract == "linear":
            return quantity * self.contract_size * entry_price
        return quantity * self.contract_size / entry_price

    def max_leverage_for(self, notional: float) -> float | None:
        return self.tier_for(notional).max_leverage


@lru_cache(maxsize=4096)
def _flat_tiers(mmr: float, amount: float, max_leverage: float | None) -> tuple[Tier, ...]:
    """A flat rule's one tier, built once per rule (tiers are immutable, so they are shared)."""
    return (
        Tier(
            notional_floor=0.0,
            notional_cap=None,
            max_leverage=max_leverage,
            mmr=mmr,
            maintenance_amount=amount,
        ),
    )


class TakeProfit(_Model):
    price: Price
    fraction: Number = Field(gt=0, le=1)


class ScaleIn(_Model):
    """A planned add after the first fill, at the position's leverage and margin mode."""

    price: Price
    quantity: Quantity


class Position(_Model):
    id: str = Field(min_length=1, max_length=128)
    symbol: str = Field(min_length=1, max_length=64)
    side: Side
    quantity: Quantity
    entry_price: Price
    leverage: Leverage
    margin_mode: MarginMode
    added_margin: Amount = 0.0
    stop_loss: Price | None = None
    take_profits: tuple[TakeProfit, ...] = Field(default=(), max_length=50)
    scale_in: tuple[ScaleIn, ...] = Field(
        default=(), max_length=50, description="Planned adds, in the order they fill."
    )
    venue_liquidation_price: Price | None = Field(
        default=None, description="The liquidation price the venue reported."
    )
    notes: str = Field(default="", max_length=20000)

    @field_validator("id")
    @classmethod
    def _id_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise PydanticCustomError("plan_rule", "must not be blank")
        return check_identifier(value)

    @model_validator(mode="after")
    def _take_profit_fractions(self) -> Position:
        total = math.fsum(tp.fraction for tp in self.take_profits)
        if total > 1 + 1e-9:
            raise rule_error(
                "take_profits", round(total, 9), "take-profit fractions must sum to at most 1"
            )
        if self.margin_mode == "cross" and self.added_margin != 0:
            raise rule_error(
                "added_margin", self.added_margin, "added margin applies to isolated positions only"
            )
        return self

    @property
    def sign(self) -> int:
        return 1 if self.side == "long" else -1


class Plan(_Model):
    format: Literal["margin-planner.plan"] = PLAN_FORMAT
    version: Literal[2] = PLAN_VERSION
    name: str = Field(default="", max_length=500)
    notes: str = Field(default="", max_length=100000)
    horizon_hours: Annotated[
        Number, Field(ge=0), within(0.0, HORIZON_MAX_HOURS, "horizons (hours)")
    ] = Field(default=0.0, description="How long the plan is held; funding is charged over it.")
    account: Account
    markets: tuple[Market, ...] = Field(default=(), max_length=1000)
    positions: tuple[Position, ...] = Field(default=(), max_length=20000)

    @field_validator("version", mode="before")
    @classmethod
    def _version_1_is_version_2(cls, value: Any) -> Any:
        # version 2 only adds optional fields: version-1 data is version-2 data
        return PLAN_VERSION if value == 1 and not isinstance(value, bool) else value

    @model_validator(mode="after")
    def _cross_field_rules(self) -> Plan:
        markets: dict[str, Market] = {}
        for i, market in enumerate(self.markets):
            if market.symbol in markets:
                raise rule_error(f"markets[{i}].symbol", market.symbol, "symbols must be unique")
            markets[market.symbol] = market
        for i, item in enumerate(self.account.collateral):
            if item.price_symbol is None:
                continue
            pricing = markets.get(item.price_symbol)
            if pricing is None:
                raise rule_error(
                    f"account.collateral[{i}].price_symbol",
                    item.price_symbol,
                    "no market with this symbol",
                )
            if pricing.contract == "inverse":
                # an inverse market's mark is in USD, not in the account's currency
                raise rule_error(
                    f"account.collateral[{i}].price_symbol",
                    item.price_symbol,
                    "an inverse market's mark is not a price in the account's currency; "
                    "price collateral by a linear market or give a fixed price",
                )

        ids: set[str] = set()
        legs: dict[str, list[tuple[int, Position]]] = defaultdict(list)
        for i, pos in enumerate(self.positions):
            path = f"positions[{i}]"
            if pos.id in ids:
                raise rule_error(f"{path}.id", pos.id, "position ids must be unique")
            ids.add(pos.id)
            market = markets.get(pos.symbol)
            if market is None:
                raise rule_error(f"{path}.symbol", pos.symbol, "no market with this symbol")
            _check_leverage(path, pos, market)
            legs[pos.symbol].append((i, pos))

        hedge = self.account.position_mode == "hedge"
        for positions in legs.values():
            _, first = positions[0]
            for i, pos in positions[1:]:
                if not hedge and pos.side != first.side:
                    raise rule_error(
                        f"positions[{i}].side",
                        pos.side,
                        f"in one-way mode every position on {pos.symbol} must share one side "
                        f"({first.id!r} is {first.side}, {pos.id!r} {pos.side}); use hedge mode "
                        "for both sides",
                    )
                if pos.margin_mode != first.margin_mode:
                    raise rule_error(
                        f"positions[{i}].margin_mode",
                        pos.margin_mode,
                        f"every position on {pos.symbol} must share one margin mode "
                        f"({first.id!r} is {first.margin_mode}, {pos.id!r} {pos.margin_mode})",
                    )
        return self

    def market(self, symbol: str) -> Market:
        return self.markets[self.market_index(symbol)]

    def market_index(self, symbol: str) -> int:
        """The index of ``symbol``'s market in ``markets`` (``KeyError`` if none)."""
        return _lookups(self).market_index(symbol)

    def position(self, position_id: str) -> Position:
        return self.positions[self.position_index(position_id)]

    def position_index(self, position_id: str) -> int:
        """The index of position ``position_id`` in ``positions`` (``KeyError`` if none)."""
        return _lookups(self).position_index(position_id)


class _Lookups:
    """A plan's symbol → market index and id → position index, each built on first use."""

    __slots__ = ("ids", "markets", "plan_ref", "positions", "symbols")

    def __init__(self, plan: Plan, plan_ref: weakref.ref[Plan]) -> None:
        self.plan_ref = plan_ref
        self.markets = plan.markets
        self.positions = plan.positions
        self.symbols: dict[str, int] | None = None
        self.ids: dict[str, int] | None = None

    def market_index(self, symbol: str) -> int:
        if self.symbols is None:  # the first of equal keys wins, as a scan would find it
            n = len(self.markets)
            self.symbols = {m.symbol: n - 1 - i for i, m in enumerate(reversed(self.markets))}
        return self.symbols[symbol]

    def position_index(self, position_id: str) -> int:
        if self.ids is None:
            n = len(self.positions)
            self.ids = {p.id: n - 1 - i for i, p in enumerate(reversed(self.positions))}
        return self.ids[position_id]


# Plans are immutable, so their lookups are kept by plan identity, weakly: an entry goes when
# its plan does (not on the plan itself: a private attribute would take part in ``==``).
_LOOKUPS: dict[int, _Lookups] = {}


def _lookups(plan: Plan) -> _Lookups:
    key = id(plan)
    hit = _LOOKUPS.get(key)
    if hit is not None and hit.plan_ref() is plan:
        return hit

    def forget(ref: weakref.ref[Plan]) -> None:
        entry = _LOOKUPS.get(key)
        if entry is not None and entry.plan_ref is ref:
            del _LOOKUPS[key]

    entry = _LOOKUPS[key] = _Lookups(plan, weakref.ref(plan, forget))
    return entry


def _check_leverage(path: str, pos: Position, market: Market) -> None:
    notional = market.entry_notional(pos.quantity, pos.entry_price)
    tiers = market.tiers
    last_cap = tiers[-1].notional_cap
    if last_cap is not None and notional >= last_cap:
        raise rule_error(
            f"{path}.quantity",
            pos.quantity,
            f"entry notional {_show(notional)} is beyond the last tier's cap {_show(last_cap)}",
        )
    max_leverage = market.max_leverage_for(notional)
    if max_leverage is not None and pos.leverage > max_leverage:
        raise rule_error(
            f"{path}.leverage",
            pos.leverage,
            f"above the tier's max leverage {_show(max_leverage)} "
            f"for entry notional {_show(round(notional, 8))}",
        )
    margin = notional / pos.leverage + pos.added_margin
    if pos.margin_mode == "isolated" and margin <= 0:
        raise rule_error(
            f"{path}.added_margin",
            pos.added_margin,
            "the isolated margin (initial margin + added margin) must stay above 0",
        )
