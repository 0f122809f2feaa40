"""Binance USDⓈ-M futures, public endpoints (no key):

- ``GET /fapi/v1/premiumIndex?symbol=S`` → ``markPrice``, ``lastFundingRate``, ``time`` (ms).
- ``GET /fapi/v1/fundingInfo`` → ``fundingIntervalHours`` for the symbols whose funding was
  adjusted; a symbol not listed keeps the default 8 h (Binance: "only returns symbols that had
  FundingRateCap/FundingRateFloor/fundingIntervalHours adjustment").

Source: developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/
Mark-Price and …/Get-Funding-Rate-Info. An unknown symbol is HTTP 400 ``{"code": -1121,
"msg": "Invalid symbol."}``. Leverage brackets (``/fapi/v1/leverageBracket``) need an API key,
so tier tables are never fetched from Binance: the plan keeps its (shipped) tables.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field

from planner.marketdata.errors import BadMarketInput, UnknownSymbol, VenueUnreachable
from planner.marketdata.http import VenueSession
from planner.marketdata.quotes import (
    MarketQuery,
    MarketQuote,
    VenueModel,
    iso_from_ms,
    validated,
)

VENUE = "binance"
DEFAULT_FUNDING_INTERVAL_H = 8
BAD_SYMBOL = -1121
BRACKETS_NOTE = (
    "Binance tier tables kept: its leverage brackets need an API key, so the plan's "
    "(shipped) tables were not refreshed"
)


class PremiumIndex(VenueModel):
    symbol: str
    markPrice: float = Field(gt=0)
    lastFundingRate: float = Field(gt=-1, lt=1)
    time: int = Field(ge=0)


class FundingInfo(VenueModel):
    symbol: str
    fundingIntervalHours: int = Field(gt=0, le=24 * 7)


class BinanceError(VenueModel):
    code: int
    msg: str = ""


def fetch(
    session: VenueSession, queries: Sequence[MarketQuery], what: frozenset[str]
) -> tuple[dict[str, MarketQuote], list[str]]:
    notes: list[str] = []
    if "tiers" in what:
        notes.append(BRACKETS_NOTE)
    if not what & {"marks", "funding"}:
        return {}, notes
    for query in queries:
        if query.contract != "linear":
            raise BadMarketInput(
                f"binance {query.symbol}: contract: inverse (COIN-M) markets are not fetched; "
                "only USDⓈ-M (linear) markets are"
            )
    intervals: dict[str, int] = {}
    if "funding" in what:
        answer = session.get(VENUE, "/fapi/v1/fundingInfo")
        if not isinstance(answer, list):
            raise VenueUnreachable("binance: fundingInfo: the answer is not a list")
        for i, item in enumerate(answer):
            info = validated(FundingInfo, item, VENUE, None, f"fundingInfo[{i}]")
            intervals[info.symbol] = info.fundingIntervalHours
    quotes: dict[str, MarketQuote] = {}
    for query in queries:
        status, answer = session.request(
            VENUE,
            "GET",
            "/fapi/v1/premiumIndex",
            params={"symbol": query.symbol},
            accept_status=frozenset({400}),
        )
        if status == 400:
            error = validated(BinanceError, answer, VENUE, query.symbol)
            if error.code == BAD_SYMBOL:
                raise UnknownSymbol(VENUE, query.symbol)
            raise VenueUnreachable(f"binance {query.symbol}: refused ({error.code} {error.msg})")
        index = validated(PremiumIndex, answer, VENUE, query.symbol, "premiumIndex")
        if index.symbol != query.symbol:
            raise VenueUnreachable(
                f"binance {query.symbol}: premiumIndex.symbol: answered for {index.symbol!r}"
            )
        with_funding = "funding" in what
        quotes[query.symbol] = MarketQuote(
            symbol=query.symbol,
            mark_price=index.markPrice if "marks" in what else None,
            funding_rate=index.lastFundingRate if with_funding else None,
            funding_interval_hours=(
                intervals.get(query.symbol, DEFAULT_FUNDING_INTERVAL_H) if with_funding else None
            ),
            quote_as_of=iso_from_ms(index.time),
        )
    return quotes, notes
