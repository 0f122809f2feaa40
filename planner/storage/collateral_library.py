"""The collateral haircuts shipped in ``resources/collateral/`` — each venue's published value
ratios (1 − haircut) of BTC, ETH, USDC, SOL… with source and date — loadable by venue and
asset, so that a collateral item can start from them (spec v2 ``account.collateral``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from planner.domain.plan import Collateral, ValueRatioTier

COLLATERAL_VENUES = ("binance", "bybit", "okx")


@dataclass(frozen=True, slots=True)
class HaircutTable:
    """One asset's published ratio on one venue: a flat ``value_ratio`` or marginal tiers."""

    venue: str
    asset: str
    value_ratio: float | None
    value_ratio_tiers: tuple[ValueRatioTier, ...] | None
    source: str
    as_of: str | None
    illustrative: bool  # the venue's own worked example, not its live list

    def collateral(
        self, amount: float, *, price_symbol: str | None = None, price: float | None = None
    ) -> Collateral:
        """A plan's collateral item of ``amount`` units with this table's ratio (validated:
        give ``price_symbol`` or ``price``)."""
        return Collateral.model_validate(
            {
                "asset": self.asset,
                "amount": amount,
                "price_symbol": price_symbol,
                "price": price,
                "value_ratio": self.value_ratio,
                "value_ratio_tiers": None
                if self.value_ratio_tiers is None
                else [t.model_dump() for t in self.value_ratio_tiers],
            }
        )


@dataclass(frozen=True, slots=True)
class VenueHaircuts:
    venue: str
    account_mode: str
    source: str
    as_of: str | None
    notes: str
    tables: tuple[HaircutTable, ...]


def _read(venue: str) -> VenueHaircuts:
    text = files("planner.resources").joinpath(f"collateral/{venue}.json").read_text("utf-8")
    data = json.loads(text)
    illustrative = bool(data.get("illustrative", False))
    tables = []
    for asset, entry in data["assets"].items():
        tiers = entry.get("value_ratio_tiers")
        tables.append(
            HaircutTable(
                venue=venue,
                asset=asset,
                value_ratio=entry.get("value_ratio"),
                value_ratio_tiers=None
                if tiers is None
                else tuple(ValueRatioTier.model_validate(t) for t in tiers),
                source=data["source"],
                as_of=data["as_of"],
                illustrative=illustrative,
            )
        )
    return VenueHaircuts(
        venue=venue,
        account_mode=data["account_mode"],
        source=data["source"],
        as_of=data["as_of"],
        notes=data.get("notes", ""),
        tables=tuple(tables),
    )


@cache
def venue_haircuts(venue: str) -> VenueHaircuts:
    """Everything shipped for ``venue`` (``KeyError`` for a venue without a file)."""
    if venue not in COLLATERAL_VENUES:
        raise KeyError(f"no collateral haircuts shipped for {venue}")
    return _read(venue)


def haircut_table(venue: str, asset: str) -> HaircutTable:
    """The shipped ratio of ``asset`` on ``venue``; ``KeyError`` when none was published."""
    for table in venue_haircuts(venue).tables:
        if table.asset.upper() == asset.upper():
            return table
    raise KeyError(f"no shipped collateral ratio for {asset} on {venue}")


def assets_for(venue: str) -> list[str]:
    """The assets with a shipped ratio on ``venue`` (none for a venue without a file)."""
    if venue not in COLLATERAL_VENUES:
        return []
    return [t.asset for t in venue_haircuts(venue).tables]
