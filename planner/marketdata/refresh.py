"""Refresh a plan from its venue: fetch (I/O, any thread, cancellable) and apply (pure).

    data = fetch_market_data(plan, {"marks", "funding", "tiers"}, cancel=token)  # worker
    new_plan, summary = apply_market_data(plan, data)                            # GUI thread

``apply_market_data`` never touches the network and never changes ``plan``: it returns a new,
validated plan (one undo step for the window) and a ``RefreshSummary`` whose ``lines()`` is
what the CLI prints. The v2 fields (``funding_rate``, ``funding_interval_hours``,
``quote_as_of``) are written only when the plan model has them; otherwise the summary says
they were not stored.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from planner.domain.engine import analyze
from planner.domain.errors import describe
from planner.domain.plan import Market, Plan
from planner.marketdata import binance, bybit, hyperliquid, okx
from planner.marketdata.errors import BadMarketInput
from planner.marketdata.http import CancelToken, VenueSession, base_url
from planner.marketdata.quotes import ALL_WHAT, MarketQuery, MarketQuote, VenueData, now_iso

Fetcher = Callable[
    [VenueSession, Sequence[MarketQuery], frozenset[str]],
    tuple[dict[str, MarketQuote], list[str]],
]
FETCHERS: dict[str, Fetcher] = {
    "binance": binance.fetch,
    "bybit": bybit.fetch,
    "okx": okx.fetch,
    "hyperliquid": hyperliquid.fetch,
}
V2_MARKET_FIELDS = ("funding_rate", "funding_interval_hours", "quote_as_of")


#: What each venue is asked, for the window's one-time "this will contact …" question.
ENDPOINTS: dict[str, tuple[str, ...]] = {
    "binance": ("GET /fapi/v1/premiumIndex", "GET /fapi/v1/fundingInfo"),
    "bybit": ("GET /v5/market/tickers", "GET /v5/market/risk-limit"),
    "okx": (
        "GET /api/v5/public/mark-price",
        "GET /api/v5/public/funding-rate",
        "GET /api/v5/public/instruments",
        "GET /api/v5/public/position-tiers",
    ),
    "hyperliquid": ('POST /info {"type": "metaAndAssetCtxs"}',),
}
#: "Refresh marks when opening a plan" is off until the trader turns it on.
REFRESH_ON_OPEN_DEFAULT = False
#: What a refresh on opening fetches.
REFRESH_ON_OPEN_WHAT: frozenset[str] = frozenset({"marks", "funding"})


def what_is_sent(plan: Plan, env: Mapping[str, str] | None = None) -> str:
    """One paragraph for the first-refresh question: which host, which requests, which names."""
    venue = plan.account.venue
    host = base_url(venue, env)
    names = ", ".join(m.symbol for m in plan.markets) or "(no markets)"
    return (
        f"Refreshing asks {host} ({'; '.join(ENDPOINTS[venue])}) for the public data of "
        f"{names}. Nothing else is sent: no key, no account, no positions."
    )


def plan_supports(field_name: str) -> bool:
    """Whether this program's plan model has the market field ``field_name`` (plan v2)."""
    return field_name in Market.model_fields


def parse_what(text: str | Iterable[str]) -> frozenset[str]:
    """``"marks,funding"`` → ``{"marks", "funding"}``; anything else is ``BadMarketInput``."""
    items = text.split(",") if isinstance(text, str) else list(text)
    chosen = frozenset(item.strip().lower() for item in items if item.strip())
    unknown = sorted(chosen - ALL_WHAT)
    if unknown or not chosen:
        raise BadMarketInput(
            f"--what = {','.join(unknown) or '(nothing)'}: choose from marks, funding, tiers"
        )
    return chosen


def market_queries(plan: Plan) -> list[MarketQuery]:
    modes = {pos.symbol: pos.margin_mode for pos in plan.positions}
    return [
        MarketQuery(
            symbol=m.symbol,
            contract=m.contract,
            contract_size=m.contract_size,
            margin_mode=modes.get(m.symbol, "cross"),
            mark_price=m.mark_price,
        )
        for m in plan.markets
    ]


def fetch_market_data(
    plan: Plan,
    what: Iterable[str] = ALL_WHAT,
    *,
    cancel: CancelToken | None = None,
    env: Mapping[str, str] | None = None,
    total_timeout: float | None = None,
) -> VenueData:
    """Everything the plan's venue says about the plan's markets. Runs on any thread; raises a
    ``MarketDataError`` (one line) and changes nothing when anything fails or is cancelled."""
    chosen = frozenset(what)
    venue = plan.account.venue
    if not plan.markets:
        raise BadMarketInput("markets: the plan has no markets to refresh")
    options: dict[str, Any] = {"cancel": cancel, "env": env}
    if total_timeout is not None:
        options["total_timeout"] = total_timeout
    with VenueSession(**options) as session:
        quotes, notes = FETCHERS[venue](session, market_queries(plan), chosen)
        session.check_cancelled(venue)
        requests = tuple(session.requests)
    return VenueData(
        venue=venue,
        what=chosen,
        quotes=quotes,
        fetched_at=now_iso(),
        notes=tuple(notes),
        requests=requests,
    )


@dataclass(frozen=True, slots=True)
class LiquidationMove:
    position_id: str
    before: float | None
    after: float | None

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None or self.before == 0:
            return None
        return (self.after - self.before) / self.before

    def line(self) -> str:
        def show(value: float | None) -> str:
            return "none" if value is None else f"{value:,.8g}"

        change = self.change
        tail = "" if change is None else f" ({change:+.2%})"
        return f"  {self.position_id}: liquidation {show(self.before)} → {show(self.after)}{tail}"


@dataclass(frozen=True, slots=True)
class RefreshSummary:
    venue: str
    what: frozenset[str]
    marks_updated: tuple[tuple[str, float, float], ...] = ()
    funding_updated: tuple[str, ...] = ()
    tables_changed: tuple[str, ...] = ()
    tables_fetched: int = 0
    liquidation_moves: tuple[LiquidationMove, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def changed(self) -> bool:
        return bool(self.marks_updated or self.funding_updated or self.tables_changed)

    def lines(self) -> list[str]:
        n_marks, n_funding = len(self.marks_updated), len(self.funding_updated)
        lines = [
            f"{self.venue}: {n_marks} mark{_s(n_marks)} updated, {n_funding} funding "
            f"rate{_s(n_funding)} updated, {len(self.tables_changed)} of "
            f"{self.tables_fetched} tier table{_s(self.tables_fetched)} changed"
        ]
        lines += [f"  {s}: mark {old:,.8g} → {new:,.8g}" for s, old, new in self.marks_updated]
        if self.tables_changed:
            lines.append("  tier tables changed: " + ", ".join(self.tables_changed))
        moved = [move for move in self.liquidation_moves if move.before != move.after]
        if moved:
            lines.append("liquidation prices that moved:")
            lines += [move.line() for move in moved]
        lines += [f"note: {note}" for note in self.notes]
        return lines


def apply_market_data(plan: Plan, data: VenueData) -> tuple[Plan, RefreshSummary]:
    """The plan with what was fetched written in, and what changed. Pure; refuses (with
    ``BadMarketInput``, plan unchanged) data for another venue or a result the plan rules
    refuse, e.g. a position whose leverage the new tiers no longer allow."""
    if data.venue != plan.account.venue:
        raise BadMarketInput(f"account.venue = {plan.account.venue}: the data is from {data.venue}")
    raw = plan.model_dump(mode="python")
    notes = list(data.notes)
    unsupported = [name for name in V2_MARKET_FIELDS if not plan_supports(name)]
    marks: list[tuple[str, float, float]] = []
    funding: list[str] = []
    tables: list[str] = []
    fetched_tables = 0
    for market in raw["markets"]:
        quote = data.quotes.get(market["symbol"])
        if quote is None:
            continue
        if quote.mark_price is not None:
            if quote.mark_price != market["mark_price"]:
                marks.append((market["symbol"], market["mark_price"], quote.mark_price))
            market["mark_price"] = quote.mark_price
        if quote.funding_rate is not None and plan_supports("funding_rate"):
            if (market.get("funding_rate"), market.get("funding_interval_hours")) != (
                quote.funding_rate,
                quote.funding_interval_hours,
            ):
                funding.append(market["symbol"])
            market["funding_rate"] = quote.funding_rate
            if plan_supports("funding_interval_hours") and quote.funding_interval_hours:
                market["funding_interval_hours"] = quote.funding_interval_hours
        if quote.quote_as_of and plan_supports("quote_as_of"):
            market["quote_as_of"] = quote.quote_as_of
        if quote.tiers is not None:
            fetched_tables += 1
            new_table = quote.tiers.model_dump(mode="python")
            old = market["maintenance"]
            if old.get("tiers") != new_table["tiers"]:
                tables.append(market["symbol"])
            market["maintenance"] = new_table
    if unsupported and data.what & {"marks", "funding"}:
        notes.append(
            "not stored (this plan format has no field for them yet): " + ", ".join(unsupported)
        )
    try:
        new_plan = Plan.model_validate(raw)
    except ValidationError as error:
        raise BadMarketInput(f"the fetched data does not fit the plan: {describe(error)}") from None
    summary = RefreshSummary(
        venue=data.venue,
        what=data.what,
        marks_updated=tuple(marks),
        funding_updated=tuple(funding),
        tables_changed=tuple(tables),
        tables_fetched=fetched_tables,
        liquidation_moves=_liquidation_moves(plan, new_plan),
        notes=tuple(notes),
    )
    return new_plan, summary


def _liquidation_moves(before: Plan, after: Plan) -> tuple[LiquidationMove, ...]:
    if not before.positions:
        return ()
    old = analyze(before).positions
    new = analyze(after).positions
    moves = []
    for a, b in zip(old, new, strict=True):
        same = a.liquidation_price == b.liquidation_price or (
            a.liquidation_price is not None
            and b.liquidation_price is not None
            and math.isclose(a.liquidation_price, b.liquidation_price, rel_tol=1e-12)
        )
        moves.append(
            LiquidationMove(
                a.id, a.liquidation_price, a.liquidation_price if same else b.liquidation_price
            )
        )
    return tuple(moves)


def _s(count: int) -> str:
    return "" if count == 1 else "s"
