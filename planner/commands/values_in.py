"""``--in ASSET`` for ``analyze`` and ``compare``: amounts shown in the account's currency or in
a collateral asset, converted at the current marks (spec v2 ``account.collateral``), and the
collateral block of the ``analyze`` table.

Only the tables change: ``--json`` stays in the account's currency (the analysis format is a
public contract). Prices stay in their quote currency; an amount in another unit (an inverse
market's coin notional) is shown as it is.
"""

from __future__ import annotations

import argparse

from planner.domain.analysis import Analysis
from planner.domain.formatting import format_percent, format_price, format_quantity
from planner.domain.values_in import ValuesIn, collateral_price

__all__ = ["ValuesIn", "add_values_in_argument", "collateral_price", "render_collateral"]


def add_values_in_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--in",
        dest="values_in",
        metavar="ASSET",
        default=None,
        help="show amounts in ASSET — the account's currency or a collateral asset (e.g. BTC) — "
        "converted at the current marks (tables only; --json stays in the currency)",
    )


def render_collateral(analysis: Analysis, values: ValuesIn) -> list[str]:
    """The collateral block of ``analyze``: every item's amount, price, value in the pool
    and its own liquidation price (the asset's price alone at which the pool fails)."""
    items = analysis.collateral
    if not items:
        return []
    plan = analysis.plan
    ticks = {m.symbol: m.tick_size for m in plan.markets}
    sources = {c.asset: c for c in plan.account.collateral}
    headers = ["asset", "amount", "price", "priced by", "ratio", "value", "liq. price", "to liq."]
    rows = []
    for item in items:
        source = sources[item.asset]
        tick = ticks.get(source.price_symbol) if source.price_symbol else None
        ratio = item.value / (item.amount * item.price)
        distance = (
            None
            if item.liquidation_price is None
            else (item.liquidation_price - item.price) / item.price
        )
        rows.append(
            [
                item.asset,
                format_quantity(item.amount),
                format_price(item.price, tick),
                source.price_symbol or "fixed",
                format_percent(ratio, 2),
                values.format_amount(item.value, values.currency),
                format_price(item.liquidation_price, tick),
                format_percent(distance, 1, sign=True),
            ]
        )
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def fmt(cells: list[str]) -> str:
        return (
            "  "
            + "  ".join(
                c.ljust(w) if i in (0, 3) else c.rjust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            ).rstrip()
        )

    return [
        f"Collateral in the cross pool (value in {values.unit}; ratio = 1 − haircut; "
        f"liq. price: the asset's price alone at which the pool fails)",
        fmt(headers),
        "  " + "  ".join("-" * w for w in widths),
        *map(fmt, rows),
        "",
    ]
