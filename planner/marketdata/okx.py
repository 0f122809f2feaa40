"""OKX v5, public endpoints (no key), perpetual swaps (``instType=SWAP``):

- ``GET /api/v5/public/mark-price?instType=SWAP&instId=I`` → ``markPx``, ``ts`` (ms).
- ``GET /api/v5/public/funding-rate?instId=I`` → ``fundingRate``; the interval is
  ``nextFundingTime − fundingTime`` (OKX: "users should focus on the difference between
  fundingTime and nextFundingTime fields to determine the funding fee interval").
- ``GET /api/v5/public/instruments?instType=SWAP&instId=I`` → ``ctVal``, ``ctType`` (needed to
  turn tier sizes into notional).
- ``GET /api/v5/public/position-tiers?instType=SWAP&tdMode=M&instFamily=F`` → ``minSz``,
  ``maxSz`` (position size in contracts), ``mmr``, ``maxLever``.
- ``GET /api/v5/public/discount-rate-interest-free-quota?ccy=A`` (one per collateral asset of
  the plan) → ``data[]``: ``ccy``, ``minDiscountRate`` and ``details[]`` (older answers:
  ``discountInfo[]``) of ``minAmt``, ``maxAmt`` (amounts of the asset, ``""`` for no upper
  limit) and ``discountRate``: marginal tiers, each slice of the amount at its tier's rate;
  above a last tier that has an upper limit, ``minDiscountRate`` applies.

Source: www.okx.com/docs-v5/en/#public-data-rest-api-get-mark-price, …-get-funding-rate,
…-get-instruments, …-get-position-tiers, …-get-discount-rate-and-interest-free-quota. Every
answer is ``{"code": "0", "msg": "", "data":
[...]}``; code ``51001`` ("Instrument ID … doesn't exist") or an empty ``data`` means the venue
does not list the market.

A plan symbol maps to an instrument: ``BTC-USDT-SWAP`` as written, or ``BTCUSDT`` →
``BTC-USDT-SWAP``, ``BTCUSD_PERP`` → ``BTC-USD-SWAP``. OKX tiers are by position size in
contracts; the plan's tiers are by notional, so sizes are converted at the fetched mark
(linear: contracts × ctVal × mark; inverse: contracts × ctVal / mark), which the table's
``source`` says. Boundaries given in whole contracts (``maxSz`` 500, next ``minSz`` 501) are
read as contiguous.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import Field, field_validator

from planner.marketdata.errors import (
    BadMarketInput,
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

VENUE = "okx"
NOT_LISTED = "51001"
QUOTES = ("USDT", "USDC", "USD")


class Envelope(VenueModel):
    code: str
    msg: str = ""
    data: list[Any] = Field(default_factory=list)


class MarkPrice(VenueModel):
    instId: str
    markPx: float = Field(gt=0)
    ts: int = Field(ge=0)


class FundingRate(VenueModel):
    instId: str
    fundingRate: float = Field(gt=-1, lt=1)
    fundingTime: int = Field(gt=0)
    nextFundingTime: int = Field(gt=0)
    ts: int | None = None


class Instrument(VenueModel):
    instId: str
    instFamily: str = ""
    ctVal: float = Field(gt=0)
    ctType: str


class PositionTier(VenueModel):
    tier: int = Field(ge=1)
    minSz: float = Field(ge=0)
    maxSz: float = Field(gt=0)
    mmr: float = Field(ge=0)
    maxLever: float = Field(gt=0)


class DiscountQuota(VenueModel):
    ccy: str
    minDiscountRate: float | None = None
    details: list[Any] | None = None
    discountInfo: list[Any] | None = None  # the list's name in older answers

    @field_validator("minDiscountRate", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if value == "" else value


class DiscountTier(VenueModel):
    minAmt: float
    maxAmt: float | None = None
    discountRate: float

    @field_validator("maxAmt", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if value == "" else value


def instrument_id(symbol: str) -> str:
    """The OKX swap a plan symbol names (see the module docstring)."""
    if "-" in symbol:
        return symbol.upper()
    name = symbol.upper().removesuffix("_PERP").removesuffix("_SWAP")
    for quote in QUOTES:
        if name.endswith(quote) and len(name) > len(quote):
            return f"{name[: -len(quote)]}-{quote}-SWAP"
    raise BadMarketInput(
        f"okx {symbol}: symbol: cannot tell the OKX swap (write it as BASE-QUOTE-SWAP, "
        "e.g. BTC-USDT-SWAP)"
    )


def _data(
    session: VenueSession, path: str, params: dict[str, str], symbol: str, inst: str
) -> list[Any]:
    envelope = validated(Envelope, session.get(VENUE, path, params), VENUE, symbol)
    if envelope.code == NOT_LISTED:
        raise UnknownSymbol(VENUE, symbol, inst)
    if envelope.code != "0":
        raise VenueUnreachable(f"okx {symbol}: refused ({envelope.code} {envelope.msg})")
    if not envelope.data:
        raise UnknownSymbol(VENUE, symbol, inst)
    return envelope.data


def fetch(
    session: VenueSession, queries: Sequence[MarketQuery], what: frozenset[str]
) -> tuple[dict[str, MarketQuote], list[str]]:
    quotes: dict[str, MarketQuote] = {}
    for query in queries:
        inst = instrument_id(query.symbol)
        symbol = query.symbol
        mark = rate = interval = as_of = None
        if "marks" in what or "tiers" in what:
            rows = _data(
                session,
                "/api/v5/public/mark-price",
                {"instType": "SWAP", "instId": inst},
                symbol,
                inst,
            )
            fetched = validated(MarkPrice, rows[0], VENUE, symbol, "data[0]")
            _same_instrument(fetched.instId, inst, symbol)
            mark = fetched.markPx
            as_of = iso_from_ms(fetched.ts)
        if "funding" in what:
            rows = _data(session, "/api/v5/public/funding-rate", {"instId": inst}, symbol, inst)
            funding = validated(FundingRate, rows[0], VENUE, symbol, "data[0]")
            _same_instrument(funding.instId, inst, symbol)
            gap_ms = funding.nextFundingTime - funding.fundingTime
            if gap_ms <= 0 or gap_ms % 3_600_000:
                raise BadVenueResponse(
                    VENUE,
                    symbol,
                    "data[0].nextFundingTime",
                    f"{funding.nextFundingTime} is not a whole number of hours after "
                    f"fundingTime {funding.fundingTime}",
                )
            rate = funding.fundingRate
            interval = gap_ms / 3_600_000
            as_of = as_of or iso_from_ms(funding.ts) or now_iso()
        table = None
        if "tiers" in what:
            assert mark is not None
            table = _tiers(session, query, inst, mark)
        quotes[symbol] = MarketQuote(
            symbol=symbol,
            mark_price=mark if "marks" in what else None,
            funding_rate=rate,
            funding_interval_hours=interval,
            quote_as_of=as_of if what & {"marks", "funding"} else None,
            tiers=table,
        )
    return quotes, []


def _same_instrument(answered: str, asked: str, symbol: str) -> None:
    if answered != asked:
        raise BadVenueResponse(VENUE, symbol, "data[0].instId", f"answered for {answered!r}")


def _tiers(session: VenueSession, query: MarketQuery, inst: str, mark: float):
    symbol = query.symbol
    rows = _data(
        session, "/api/v5/public/instruments", {"instType": "SWAP", "instId": inst}, symbol, inst
    )
    instrument = validated(Instrument, rows[0], VENUE, symbol, "data[0]")
    if instrument.ctType != query.contract:
        raise BadMarketInput(
            f"okx {symbol}: contract: the plan says {query.contract}, OKX lists {inst} as "
            f"{instrument.ctType}"
        )
    family = instrument.instFamily or inst.removesuffix("-SWAP")
    mode = "isolated" if query.margin_mode == "isolated" else "cross"
    rows = _data(
        session,
        "/api/v5/public/position-tiers",
        {"instType": "SWAP", "tdMode": mode, "instFamily": family},
        symbol,
        inst,
    )
    tiers = sorted(
        (validated(PositionTier, row, VENUE, symbol, f"data[{i}]") for i, row in enumerate(rows)),
        key=lambda tier: tier.tier,
    )

    def notional(contracts: float) -> float:
        value = contracts * instrument.ctVal
        return value * mark if query.contract == "linear" else value / mark

    table_rows: list[TierRow] = []
    for k, tier in enumerate(tiers):
        start = tier.minSz
        if k > 0:
            previous = tiers[k - 1].maxSz
            if start in (previous, previous + 1):  # whole-contract boundaries
                start = previous
        table_rows.append(
            TierRow(
                floor=0.0 if start == 0 else notional(start),
                cap=notional(tier.maxSz),
                mmr=tier.mmr,
                max_leverage=tier.maxLever,
            )
        )
    return tier_table(
        VENUE,
        symbol,
        table_rows,
        source=(
            f"OKX GET /api/v5/public/position-tiers?instType=SWAP&tdMode={mode}"
            f"&instFamily={family} (sizes in contracts × ctVal {instrument.ctVal:g} "
            f"{'×' if query.contract == 'linear' else '÷'} mark {mark:g} at fetch time)"
        ),
        as_of=now_iso(),
    )


DISCOUNT_PATH = "/api/v5/public/discount-rate-interest-free-quota"


def fetch_collateral(session: VenueSession, assets: Sequence[str]) -> dict[str, CollateralRatios]:
    """Each asset's collateral discount rates (value ratios), by the asset as the plan names
    it."""
    ratios: dict[str, CollateralRatios] = {}
    for asset in assets:
        ccy = asset.upper()
        answer = session.get(VENUE, DISCOUNT_PATH, {"ccy": ccy})
        envelope = validated(Envelope, answer, VENUE, asset)
        if envelope.code != "0":
            raise VenueUnreachable(f"okx {asset}: refused ({envelope.code} {envelope.msg})")
        index = next(
            (
                i
                for i, row in enumerate(envelope.data)
                if isinstance(row, dict) and str(row.get("ccy", "")).upper() == ccy
            ),
            None,
        )
        if index is None:
            raise UnknownAsset(VENUE, asset)
        where = f"data[{index}]"
        quota = validated(DiscountQuota, envelope.data[index], VENUE, asset, where)
        name = "details" if quota.details is not None else "discountInfo"
        listed = quota.details if quota.details is not None else quota.discountInfo
        if listed is None:
            raise BadVenueResponse(VENUE, asset, f"{where}.details", "missing (nor discountInfo)")
        tiers = sorted(
            (
                (validated(DiscountTier, row, VENUE, asset, f"{where}.{name}[{k}]"), k)
                for k, row in enumerate(listed)
            ),
            key=lambda pair: pair[0].minAmt,
        )
        above = (
            None
            if quota.minDiscountRate is None
            else (quota.minDiscountRate, f"{where}.minDiscountRate")
        )
        ratios[asset] = CollateralRatios(
            asset=asset,
            tiers=ratio_tiers(
                VENUE,
                asset,
                [
                    RatioRow(
                        floor=tier.minAmt,
                        cap=tier.maxAmt,
                        ratio=tier.discountRate,
                        where=f"{where}.{name}[{k}]",
                    )
                    for tier, k in tiers
                ],
                fields=("minAmt", "maxAmt", "discountRate"),
                above_last=above,
            ),
            source=f"OKX GET {DISCOUNT_PATH}?ccy={ccy}",
            as_of=now_iso(),
        )
    return ratios
