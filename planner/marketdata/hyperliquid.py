"""Hyperliquid, public ``POST /info`` (no key):

- ``{"type": "metaAndAssetCtxs"}`` → ``[meta, assetCtxs]``: ``meta.universe[i]`` (``name``,
  ``maxLeverage``, ``marginTableId``, ``isDelisted``) pairs with ``assetCtxs[i]`` (``markPx``,
  ``funding`` — the hourly rate); ``meta.marginTables`` is ``[[id, {"marginTiers":
  [{"lowerBound", "maxLeverage"}, …]}], …]``.
- ``{"type": "clearinghouseState", "user": "0x…"}`` → an account's positions (for import).

Source: hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/info-endpoint/perpetuals and
…/trading/margin-tiers. A tier's maintenance rate is half the initial margin rate at its max
leverage, MMR = 1 / (2 · maxLeverage), and the deduction keeps maintenance margin continuous;
a margin table id below 50 without an entry is one tier at that leverage. Funding is paid every
hour, so the interval is 1 h. The answer carries no time: the quote is dated by the fetch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import Field

from planner.marketdata.errors import BadMarketInput, BadVenueResponse, UnknownSymbol
from planner.marketdata.http import VenueSession
from planner.marketdata.quotes import (
    MarketQuery,
    MarketQuote,
    TierRow,
    VenueModel,
    now_iso,
    tier_table,
    validated,
)

VENUE = "hyperliquid"
FUNDING_INTERVAL_H = 1
#: Table ids below this without an entry in marginTables are "one tier at this leverage".
SINGLE_TIER_IDS = 50


class Asset(VenueModel):
    name: str = Field(min_length=1)
    maxLeverage: float = Field(gt=0)
    marginTableId: int | None = None
    isDelisted: bool = False


class MarginTier(VenueModel):
    lowerBound: float = Field(ge=0)
    maxLeverage: float = Field(gt=0)


class MarginTable(VenueModel):
    description: str = ""
    marginTiers: list[MarginTier] = Field(min_length=1)


class Meta(VenueModel):
    universe: list[Asset]
    marginTables: list[tuple[int, MarginTable]] = Field(default_factory=list)


class AssetContext(VenueModel):
    markPx: float = Field(gt=0)
    funding: float = Field(gt=-1, lt=1)


def coin_name(symbol: str, names: set[str]) -> str | None:
    """The Hyperliquid coin a plan symbol names: ``BTC`` as is, or ``BTCUSDC`` / ``BTC-USD`` /
    ``BTC-PERP`` with the quote stripped."""
    if symbol in names:
        return symbol
    upper = symbol.upper()
    for suffix in ("-PERP", "-USDC", "-USD", "USDC", "USD"):
        if upper.endswith(suffix) and upper[: -len(suffix)] in names:
            return upper[: -len(suffix)]
    return None


class Universe:
    """A validated ``metaAndAssetCtxs`` answer, by coin."""

    def __init__(self, answer: Any) -> None:
        if not isinstance(answer, list) or len(answer) != 2:
            raise BadVenueResponse(VENUE, None, "metaAndAssetCtxs", "not [meta, assetCtxs]")
        self.meta = validated(Meta, answer[0], VENUE, None, "meta")
        contexts = answer[1]
        if not isinstance(contexts, list) or len(contexts) != len(self.meta.universe):
            raise BadVenueResponse(
                VENUE, None, "assetCtxs", "not one context per asset of meta.universe"
            )
        self.assets = {asset.name: asset for asset in self.meta.universe}
        self._contexts = {
            asset.name: ctx for asset, ctx in zip(self.meta.universe, contexts, strict=True)
        }
        self.tables = dict(self.meta.marginTables)
        self.fetched_at = now_iso()

    def coin(self, symbol: str) -> str:
        coin = coin_name(symbol, set(self.assets))
        if coin is None or self.assets[coin].isDelisted:
            raise UnknownSymbol(VENUE, symbol)
        return coin

    def context(self, symbol: str, coin: str) -> AssetContext:
        index = self.meta.universe.index(self.assets[coin])
        return validated(AssetContext, self._contexts[coin], VENUE, symbol, f"assetCtxs[{index}]")

    def tier_table(self, symbol: str, coin: str):
        asset = self.assets[coin]
        table_id = asset.marginTableId
        if table_id is not None and table_id in self.tables:
            tiers = self.tables[table_id].marginTiers
            label = f"margin table {table_id}"
        elif table_id is None or table_id < SINGLE_TIER_IDS:
            tiers = [MarginTier(lowerBound=0, maxLeverage=table_id or asset.maxLeverage)]
            label = f"one tier at {tiers[0].maxLeverage:g}x"
        else:
            raise BadVenueResponse(
                VENUE, symbol, "meta.universe.marginTableId", f"{table_id}: no such margin table"
            )
        rows = [
            TierRow(
                floor=tier.lowerBound,
                cap=tiers[k + 1].lowerBound if k + 1 < len(tiers) else None,
                mmr=1 / (2 * tier.maxLeverage),
                max_leverage=tier.maxLeverage,
            )
            for k, tier in enumerate(tiers)
        ]
        return tier_table(
            VENUE,
            symbol,
            rows,
            source=f"Hyperliquid POST /info metaAndAssetCtxs ({label}; MMR = 1/(2·max leverage))",
            as_of=self.fetched_at,
        )


def fetch_universe(session: VenueSession) -> Universe:
    return Universe(session.post(VENUE, "/info", {"type": "metaAndAssetCtxs"}))


def fetch(
    session: VenueSession, queries: Sequence[MarketQuery], what: frozenset[str]
) -> tuple[dict[str, MarketQuote], list[str]]:
    for query in queries:
        if query.contract != "linear":
            raise BadMarketInput(
                f"hyperliquid {query.symbol}: contract: Hyperliquid lists linear (USDC) "
                "perpetuals only"
            )
    universe = fetch_universe(session)
    quotes: dict[str, MarketQuote] = {}
    for query in queries:
        coin = universe.coin(query.symbol)
        context = universe.context(query.symbol, coin)
        quotes[query.symbol] = MarketQuote(
            symbol=query.symbol,
            mark_price=context.markPx if "marks" in what else None,
            funding_rate=context.funding if "funding" in what else None,
            funding_interval_hours=FUNDING_INTERVAL_H if "funding" in what else None,
            quote_as_of=universe.fetched_at if what & {"marks", "funding"} else None,
            tiers=universe.tier_table(query.symbol, coin) if "tiers" in what else None,
        )
    return quotes, []
