"""Bybit v5, public endpoints (no key), category ``linear`` or ``inverse`` from the market:

- ``GET /v5/market/tickers?category=C&symbol=S`` → ``result.list[0]``: ``markPrice``,
  ``fundingRate``, ``fundingIntervalHour`` (whole hours; 8 when absent); envelope ``time`` (ms).
- ``GET /v5/market/risk-limit?category=C&symbol=S`` → ``result.list[]``: ``riskLimitValue``
  (the tier's cap in position value), ``maintenanceMargin`` (rate), ``maxLeverage``,
  ``mmDeduction`` ("" or the maintenance amount). Floors are the previous tier's cap.
- ``GET /v5/spot-margin-trade/collateral?currency=A`` (one per collateral asset of the plan) →
  ``result.list[]``: ``currency``, ``collateralRatioList[]`` of ``minQty``, ``maxQty`` (coin
  quantities, ``""`` for no upper limit) and ``collateralRatio``: marginal tiers, each slice of
  the amount at its tier's ratio.

Source: bybit-exchange.github.io/docs/v5/market/tickers, …/v5/market/risk-limit and
…/v5/spot-margin-uta/tier-collateral-ratio. Every answer is ``{"retCode": 0, "retMsg": "OK",
"result": {...}, "time": ms}``; a ``retCode`` other than 0, or an empty list, for a symbol (or
an asset missing from the collateral list) means the venue does not list it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import Field, field_validator

from planner.marketdata.errors import (
    BadVenueResponse,
    UnknownAsset,
    UnknownSymbol,
    VenueUnreachable,
)
from planner.marketdata.http import VenueSession
from planner.marketdata.quotes import (
    CollateralRatios,
    MarketQuery,
    MarketQuote,
    RatioRow,
    TierRow,
    VenueModel,
    iso_from_ms,
    now_iso,
    ratio_tiers,
    tier_table,
    validated,
)

VENUE = "bybit"
DEFAULT_FUNDING_INTERVAL_H = 8
#: retCode for a request parameter Bybit refuses (an unknown symbol among them).
PARAMETER_ERROR = 10001


class Envelope(VenueModel):
    retCode: int
    retMsg: str = ""
    result: dict[str, Any] = Field(default_factory=dict)
    time: int | None = None


class Ticker(VenueModel):
    symbol: str
    markPrice: float = Field(gt=0)
    fundingRate: float = Field(gt=-1, lt=1)
    fundingIntervalHour: float | None = Field(default=None, gt=0, le=24 * 7)

    @field_validator("fundingIntervalHour", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if value == "" else value


class RiskLimit(VenueModel):
    symbol: str
    riskLimitValue: float = Field(gt=0)
    maintenanceMargin: float = Field(ge=0)
    maxLeverage: float = Field(gt=0)
    mmDeduction: float | None = None

    @field_validator("mmDeduction", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if value == "" else value


class CollateralCurrency(VenueModel):
    currency: str
    collateralRatioList: list[Any]


class CollateralTier(VenueModel):
    minQty: float
    maxQty: float | None = None
    collateralRatio: float

    @field_validator("maxQty", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if value == "" else value


def _category(query: MarketQuery) -> str:
    return "inverse" if query.contract == "inverse" else "linear"


def _listing(session: VenueSession, path: str, query: MarketQuery) -> tuple[list[Any], int | None]:
    answer = session.get(VENUE, path, {"category": _category(query), "symbol": query.symbol})
    envelope = validated(Envelope, answer, VENUE, query.symbol)
    if envelope.retCode == PARAMETER_ERROR:
        raise UnknownSymbol(VENUE, query.symbol)
    if envelope.retCode != 0:
        raise VenueUnreachable(
            f"bybit {query.symbol}: refused ({envelope.retCode} {envelope.retMsg})"
        )
    rows = envelope.result.get("list")
    if not isinstance(rows, list):
        raise BadVenueResponse(VENUE, query.symbol, "result.list", "missing or not a list")
    mine = [row for row in rows if isinstance(row, dict) and row.get("symbol") == query.symbol]
    if not mine:
        raise UnknownSymbol(VENUE, query.symbol)
    return mine, envelope.time


def fetch(
    session: VenueSession, queries: Sequence[MarketQuery], what: frozenset[str]
) -> tuple[dict[str, MarketQuote], list[str]]:
    quotes: dict[str, MarketQuote] = {}
    for query in queries:
        mark = rate = interval = as_of = None
        if what & {"marks", "funding"}:
            rows, stamp = _listing(session, "/v5/market/tickers", query)
            ticker = validated(Ticker, rows[0], VENUE, query.symbol, "result.list[0]")
            as_of = iso_from_ms(stamp) or now_iso()
            if "marks" in what:
                mark = ticker.markPrice
            if "funding" in what:
                rate = ticker.fundingRate
                interval = ticker.fundingIntervalHour or DEFAULT_FUNDING_INTERVAL_H
        table = None
        if "tiers" in what:
            rows, stamp = _listing(session, "/v5/market/risk-limit", query)
            limits = [
                validated(RiskLimit, row, VENUE, query.symbol, f"result.list[{i}]")
                for i, row in enumerate(rows)
            ]
            limits.sort(key=lambda limit: limit.riskLimitValue)
            tiers: list[TierRow] = []
            floor = 0.0
            for limit in limits:
                tiers.append(
                    TierRow(
                        floor=floor,
                        cap=limit.riskLimitValue,
                        mmr=limit.maintenanceMargin,
                        max_leverage=limit.maxLeverage,
                        deduction=limit.mmDeduction,
                    )
                )
                floor = limit.riskLimitValue
            fetched = iso_from_ms(stamp) or now_iso()
            table = tier_table(
                VENUE,
                query.symbol,
                tiers,
                source=f"Bybit GET /v5/market/risk-limit?category={_category(query)}"
                f"&symbol={query.symbol}",
                as_of=fetched,
            )
        quotes[query.symbol] = MarketQuote(
            symbol=query.symbol,
            mark_price=mark,
            funding_rate=rate,
            funding_interval_hours=interval,
            quote_as_of=as_of,
            tiers=table,
        )
    return quotes, []


COLLATERAL_PATH = "/v5/spot-margin-trade/collateral"


def fetch_collateral(session: VenueSession, assets: Sequence[str]) -> dict[str, CollateralRatios]:
    """Each asset's collateral value ratios, by the asset as the plan names it."""
    ratios: dict[str, CollateralRatios] = {}
    for asset in assets:
        currency = asset.upper()
        answer = session.get(VENUE, COLLATERAL_PATH, {"currency": currency})
        envelope = validated(Envelope, answer, VENUE, asset)
        if envelope.retCode == PARAMETER_ERROR:
            raise UnknownAsset(VENUE, asset)
        if envelope.retCode != 0:
            raise VenueUnreachable(f"bybit {asset}: refused ({envelope.retCode} {envelope.retMsg})")
        rows = envelope.result.get("list")
        if not isinstance(rows, list):
            raise BadVenueResponse(VENUE, asset, "result.list", "missing or not a list")
        index = next(
            (
                i
                for i, row in enumerate(rows)
                if isinstance(row, dict) and str(row.get("currency", "")).upper() == currency
            ),
            None,
        )
        if index is None:
            raise UnknownAsset(VENUE, asset)
        where = f"result.list[{index}]"
        listed = validated(CollateralCurrency, rows[index], VENUE, asset, where)
        tiers = [
            (validated(CollateralTier, row, VENUE, asset, f"{where}.collateralRatioList[{k}]"), k)
            for k, row in enumerate(listed.collateralRatioList)
        ]
        tiers.sort(key=lambda pair: pair[0].minQty)
        ratios[asset] = CollateralRatios(
            asset=asset,
            tiers=ratio_tiers(
                VENUE,
                asset,
                [
                    RatioRow(
                        floor=tier.minQty,
                        cap=tier.maxQty,
                        ratio=tier.collateralRatio,
                        where=f"{where}.collateralRatioList[{k}]",
                    )
                    for tier, k in tiers
                ],
                fields=("minQty", "maxQty", "collateralRatio"),
            ),
            source=f"Bybit GET {COLLATERAL_PATH}?currency={currency}",
            as_of=iso_from_ms(envelope.time) or now_iso(),
        )
    return ratios
