"""The report's lines for collateral in other assets (spec v2 ``account.collateral``): one
assumption row per item — amount, price source, ratio, value in the cross pool and the asset's
own liquidation price."""

from __future__ import annotations

from collections.abc import Callable

from planner.domain.analysis import Analysis
from planner.domain.formatting import format_percent, format_quantity


def collateral_rows(
    analysis: Analysis,
    amount: Callable[[float], str],
    price: Callable[[str | None, float | None], str],
) -> tuple[tuple[str, str], ...]:
    """``("Collateral: BTC", "10 BTC priced by BTCUSDT (60,000.0) at 95.00 % …")`` rows."""
    sources = {c.asset: c for c in analysis.plan.account.collateral}
    rows = []
    for item in analysis.collateral:
        source = sources[item.asset]
        symbol = source.price_symbol
        ratio = (
            "tiered ratios"
            if source.value_ratio_tiers
            else format_percent(item.value / (item.amount * item.price), 2)
        )
        priced = f"priced by {symbol}" if symbol else "at a fixed price"
        at = price(symbol, item.liquidation_price)
        liquidation = (
            "the pool does not fail on this asset's price alone"
            if item.liquidation_price is None
            else f"the pool fails with {item.asset} alone at {at}"
        )
        rows.append(
            (
                f"Collateral: {item.asset}",
                f"{format_quantity(item.amount)} {item.asset} {priced} "
                f"({price(symbol, item.price)}) at {ratio}: {amount(item.value)} in the cross "
                f"pool; {liquidation}.",
            )
        )
    return tuple(rows)
