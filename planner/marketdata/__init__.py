"""Live market data on request, and positions imported — the only package that uses the network.

API for the window (pure of Qt; run the fetches on a worker thread):

    from planner.marketdata import (
        CancelToken, MarketDataError, fetch_market_data, apply_market_data, what_is_sent,
        fetch_hyperliquid_account, plan_from_hyperliquid, plan_from_csv, venue_liquidation_gaps,
    )

    token = CancelToken()                                       # Cancel button: token.cancel()
    data = fetch_market_data(plan, {"marks", "funding", "tiers"}, cancel=token)   # worker
    new_plan, summary = apply_market_data(plan, data)           # GUI thread: one undo step
    summary.lines()                                             # the summary, line by line

``what`` is any of ``"marks"``, ``"funding"``, ``"tiers"`` and ``"collateral"`` (the value ratios
of ``account.collateral[]`` assets, from Bybit and OKX; ``ratio_assets_asked(plan, what)`` says
which assets a fetch asks for).

Every failure is a ``MarketDataError`` whose ``str`` is one line and whose ``exit_code`` is 3
(venue unreachable / unusable answer), 2 (bad input: unknown symbol, bad address) or 1
(``FetchCancelled``); nothing is applied. A cancel takes effect before the next request and
between reads of an answer. ``REFRESH_ON_OPEN_DEFAULT`` (False) and ``REFRESH_ON_OPEN_WHAT``
are the "Refresh marks when opening a plan" setting's default and scope; ``what_is_sent(plan)``
is the text for the question asked before the first refresh.

Names are loaded on first use, so importing ``planner.marketdata.gap`` (used by ``analyze``)
does not load the HTTP client.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "CancelToken": "planner.marketdata.http",
    "MarketDataError": "planner.marketdata.errors",
    "VenueUnreachable": "planner.marketdata.errors",
    "BadMarketInput": "planner.marketdata.errors",
    "BadVenueResponse": "planner.marketdata.errors",
    "UnknownSymbol": "planner.marketdata.errors",
    "FetchCancelled": "planner.marketdata.errors",
    "VenueData": "planner.marketdata.quotes",
    "MarketQuote": "planner.marketdata.quotes",
    "fetch_market_data": "planner.marketdata.refresh",
    "apply_market_data": "planner.marketdata.refresh",
    "parse_what": "planner.marketdata.refresh",
    "what_is_sent": "planner.marketdata.refresh",
    "ratio_assets_asked": "planner.marketdata.refresh",
    "RefreshSummary": "planner.marketdata.refresh",
    "REFRESH_ON_OPEN_DEFAULT": "planner.marketdata.refresh",
    "REFRESH_ON_OPEN_WHAT": "planner.marketdata.refresh",
    "fetch_hyperliquid_account": "planner.marketdata.importers",
    "plan_from_hyperliquid": "planner.marketdata.importers",
    "plan_from_csv": "planner.marketdata.importers",
    "venue_liquidation_gaps": "planner.marketdata.gap",
    "VenueGap": "planner.marketdata.gap",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'planner.marketdata' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
