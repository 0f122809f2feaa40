"""What each venue does differently in the one liquidation equation (reference/MARGIN.md §3, §9).

    collateral + Σ uPnL(P) − fee_to_close(P) = Σ MM(P)

A venue chooses where maintenance margin is valued (at the liquidation price or frozen at the
entry price) and whether the taker fee to close is part of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.domain.plan import Venue


@dataclass(frozen=True, slots=True)
class VenueRules:
    name: str
    title: str
    #: Maintenance margin valued at the entry notional (Bybit) instead of at the price.
    maintenance_at_entry: bool
    #: The taker fee to close at the price is added to maintenance margin (OKX, Gate, Bitget).
    fee_in_maintenance: bool
    summary: str


VENUES: dict[str, VenueRules] = {
    "binance": VenueRules(
        "binance",
        "Binance",
        maintenance_at_entry=False,
        fee_in_maintenance=False,
        summary="Maintenance margin valued at the liquidation price, tier taken there; "
        "no closing fee in the formula (MARGIN.md §4.1, §5.1).",
    ),
    "bybit": VenueRules(
        "bybit",
        "Bybit",
        maintenance_at_entry=True,
        fee_in_maintenance=False,
        summary="Maintenance margin valued at the entry notional; no closing fee in the "
        "formula (MARGIN.md §4.2).",
    ),
    "okx": VenueRules(
        "okx",
        "OKX / Gate / Bitget",
        maintenance_at_entry=False,
        fee_in_maintenance=True,
        summary="Maintenance margin valued at the liquidation price plus the taker fee to "
        "close there (MARGIN.md §4.3).",
    ),
    "hyperliquid": VenueRules(
        "hyperliquid",
        "Hyperliquid",
        maintenance_at_entry=False,
        fee_in_maintenance=False,
        summary="Maintenance margin valued at the liquidation price with the tier's deduction; "
        "no closing fee (MARGIN.md §4.4).",
    ),
}


def venue_rules(venue: Venue | str) -> VenueRules:
    return VENUES[venue]
