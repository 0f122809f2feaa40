"""Refresh a plan from its venue: fetch (I/O, any thread, cancellable) and apply (pure).

    data = fetch_market_data(plan, {"marks", "funding", "tiers"}, cancel=token)  # worker
    new_plan, summary = apply_market_data(plan, data)                            # GUI thread

``"collateral"`` asks, for every ``account.collateral[]`` asset, the venue's current value
ratios (Bybit, OKX; Binance and Hyperliquid publish no list: a note says so and nothing is
sent); a plan without collateral asks nothing for it.

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
from planner.marketdata.quotes import (
    ALL_WHAT,
    WHAT_ORDER,
    CollateralRatios,
    MarketQuery,
    MarketQuote,
    VenueData,
    now_iso,
)

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
#: Venues that publish their collateral value ratios; the others keep the plan's.
COLLATERAL_FETCHERS: dict[
    str, Callable[[VenueSession, Sequence[str]], dict[str, CollateralRatios]]
] = {
    "bybit": bybit.fetch_collateral,
    "okx": okx.fetch_collateral,
}
V2_MARKET_FIELDS = ("funding_rate", "funding_interval_hours", "quote_as_of")


#: What each venue is asked, for the window's one-time "this will contact …" question.
ENDPOINTS: dict[str, tuple[str, ...]] = {
    "binance": ("GET /fapi/v1/premiumIndex", "GET /fapi/v1/fundingInfo"),
    "bybit": (
        "GET /v5/market/tickers",
        "GET /v5/market/risk-limit",
        f"GET {bybit.COLLATERAL_PATH}",
    ),
    "okx": (
        "GET /api/v5/public/mark-price",
        "GET /api/v5/public/funding-rate",
        "GET /api/v5/public/instruments",
        "GET /api/v5/public/position-tiers",
        f"GET {okx.DISCOUNT_PATH}",
    ),
    "hyperliquid": ('POST /info {"type": "metaAndAssetCtxs"}',),
}
#: The requests in ``ENDPOINTS`` that ask for collateral ratios (only made for a plan with
#: collateral).
COLLATERAL_ENDPOINTS: frozenset[str] = frozenset(
    {f"GET {bybit.COLLATERAL_PATH}", f"GET {okx.DISCOUNT_PATH}"}
)
#: "Refresh marks when opening a plan" is off until the trader turns it on.
REFRESH_ON_OPEN_DEFAULT = False
#: What a refresh on opening fetches.
REFRESH_ON_OPEN_WHAT: frozenset[str] = frozenset({"marks", "funding"})


def what_is_sent(plan: Plan, env: Mapping[str, str] | None = None) -> str:
    """One paragraph for the first-refresh question: which host, which requests, which names
    (the collateral request and assets only for a plan with collateral, at a venue that
    publishes ratios)."""
    venue = plan.account.venue
    host = base_url(venue, env)
    names = ", ".join(m.symbol for m in plan.markets) or "(no markets)"
    assets = ratio_assets_asked(plan, ALL_WHAT)
    requests = [r for r in ENDPOINTS[venue] if assets or r not in COLLATERAL_ENDPOINTS]
    ratios = f" and the collateral ratios of {', '.join(assets)}" if assets else ""
    return (
        f"Refreshing asks {host} ({'; '.join(requests)}) for the public data of "
        f"{names}{ratios}. Nothing else is sent: no key, no account, no positions."
    )


def collateral_assets(plan: Plan) -> list[str]:
    """The plan's collateral assets, in the plan's order."""
    return [item.asset for item in plan.account.collateral]


def ratio_assets_asked(plan: Plan, what: Iterable[str]) -> list[str]:
    """The collateral assets whose value ratios a fetch of ``what`` asks the plan's venue
    for: none unless ``what`` holds ``"collateral"`` and the venue publishes ratios."""
    if "collateral" not in frozenset(what) or plan.account.venue not in COLLATERAL_FETCHERS:
        return []
    return collateral_assets(plan)


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
            f"--what = {','.join(unknown) or '(nothing)'}: choose from {', '.join(WHAT_ORDER)}"
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
    for_markets = chosen - {"collateral"}
    if for_markets and not plan.markets:
        raise BadMarketInput("markets: the plan has no markets to refresh")
    assets = collateral_assets(plan) if "collateral" in chosen else []
    asked = ratio_assets_asked(plan, chosen)
    notes: list[str] = []
    if assets and not asked:
        notes.append(_no_ratio_list_note(venue, assets))
    elif chosen == {"collateral"} and not assets:
        notes.append("the plan has no collateral: no collateral ratios were asked for")
    options: dict[str, Any] = {"cancel": cancel, "env": env}
    if total_timeout is not None:
        options["total_timeout"] = total_timeout
    quotes: dict[str, MarketQuote] = {}
    ratios: dict[str, CollateralRatios] = {}
    with VenueSession(**options) as session:
        if for_markets:
            quotes, market_notes = FETCHERS[venue](session, market_queries(plan), for_markets)
            notes[:0] = market_notes
        if asked:
            ratios = COLLATERAL_FETCHERS[venue](session, asked)
        session.check_cancelled(venue)
        requests = tuple(session.requests)
    return VenueData(
        venue=venue,
        what=chosen,
        quotes=quotes,
        fetched_at=now_iso(),
        notes=tuple(notes),
        requests=requests,
        collateral=ratios,
    )


def _no_ratio_list_note(venue: str, assets: Sequence[str]) -> str:
    names = ", ".join(assets)
    keeps = "keeps its ratio" if len(assets) == 1 else "keep their ratios"
    return f"{venue} publishes no collateral ratio list: {names} {keeps} from the plan"


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
    #: (asset, ratios before, ratios after) for each collateral asset whose ratios changed
    collateral_changed: tuple[tuple[str, str, str], ...] = ()
    collateral_fetched: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.marks_updated
            or self.funding_updated
            or self.tables_changed
            or self.collateral_changed
        )

    def lines(self) -> list[str]:
        n_marks, n_funding = len(self.marks_updated), len(self.funding_updated)
        lines = [
            f"{self.venue}: {n_marks} mark{_s(n_marks)} updated, {n_funding} funding "
            f"rate{_s(n_funding)} updated, {len(self.tables_changed)} of "
            f"{self.tables_fetched} tier table{_s(self.tables_fetched)} changed"
        ]
        if self.collateral_fetched:
            lines[0] += (
                f", {len(self.collateral_changed)} of {self.collateral_fetched} collateral "
                f"ratio list{_s(self.collateral_fetched)} changed"
            )
        lines += [f"  {s}: mark {old:,.8g} → {new:,.8g}" for s, old, new in self.marks_updated]
        if self.tables_changed:
            lines.append("  tier tables changed: " + ", ".join(self.tables_changed))
        lines += [
            f"  {asset}: collateral value ratio {old} → {new}"
            for asset, old, new in self.collateral_changed
        ]
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
    collateral: list[tuple[str, str, str]] = []
    fetched_ratios = 0
    for item in raw["account"]["collateral"]:
        ratios = data.collateral.get(item["asset"])
        if ratios is None:
            continue
        fetched_ratios += 1
        before = _ratio_steps(item)
        item.update(ratios.plan_fields())
        after = _ratio_steps(item)
        if before != after:
            collateral.append((item["asset"], _ratio_text(before), _ratio_text(after)))
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
        collateral_changed=tuple(collateral),
        collateral_fetched=fetched_ratios,
    )
    return new_plan, summary


def _ratio_steps(item: Mapping[str, Any]) -> tuple[tuple[float, float], ...]:
    """A collateral item's ratios as (amount floor, ratio) steps: a flat ratio is one step from
    0, no ratio at all counts at 1."""
    tiers = item.get("value_ratio_tiers")
    if tiers:
        return tuple((float(t["amount_floor"]), float(t["ratio"])) for t in tiers)
    ratio = item.get("value_ratio")
    return ((0.0, 1.0 if ratio is None else float(ratio)),)


def _ratio_text(steps: tuple[tuple[float, float], ...]) -> str:
    """``0.95``, or ``0.9 up to 10, 0.5 up to 50, 0 above``."""
    if len(steps) == 1:
        return f"{steps[0][1]:g}"
    parts = [f"{ratio:g} up to {steps[k + 1][0]:,.8g}" for k, (_, ratio) in enumerate(steps[:-1])]
    return ", ".join([*parts, f"{steps[-1][1]:g} above"])


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
