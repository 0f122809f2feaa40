"""The tier tables shipped in ``resources/tiers/`` (copied from the reference brackets with
their sources and dates), loadable by venue and symbol so a new plan can start from them.
``tier_table`` falls back to the fuller market catalogue (``planner.storage.catalogue``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from planner.domain.plan import TierTable


@dataclass(frozen=True, slots=True)
class ShippedTable:
    venue: str
    symbol: str
    market: str
    contract: str
    notes: str
    table: TierTable


@cache
def shipped_tables() -> tuple[ShippedTable, ...]:
    text = files("planner.resources").joinpath("tiers/tier_tables.json").read_text("utf-8")
    return tuple(
        ShippedTable(
            venue=t["venue"],
            symbol=t["symbol"],
            market=t["market"],
            contract=t["contract"],
            notes=t.get("notes", ""),
            table=TierTable.model_validate(
                {"tiers": t["tiers"], "source": t["source"], "as_of": t["as_of"]}
            ),
        )
        for t in json.loads(text)["tables"]
    )


def tier_table(venue: str, symbol: str) -> TierTable:
    """The shipped table of ``symbol`` on ``venue``: the curated tables above first (the ones
    the examples use), then the venue's market catalogue; ``KeyError`` when neither has it."""
    for shipped in shipped_tables():
        if shipped.venue == venue and shipped.symbol.upper() == symbol.upper():
            return shipped.table
    from planner.storage.catalogue import CATALOGUE_VENUES, venue_catalogue

    entry = venue_catalogue(venue).get(symbol) if venue in CATALOGUE_VENUES else None
    if entry is not None:
        return entry.maintenance
    raise KeyError(f"no shipped tier table for {symbol} on {venue}")


def symbols_for(venue: str) -> list[str]:
    return [t.symbol for t in shipped_tables() if t.venue == venue]
