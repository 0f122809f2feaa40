"""``--in ASSET`` for ``analyze`` and ``compare``: amounts shown in the account's currency or in
a collateral asset, converted at the current marks (spec v2 ``account.collateral``), and the
collateral block of the ``analyze`` table.

Only the tables change: ``--json`` stays in the account's currency (the analysis format is a
public contract). Prices stay in their quote currency; an amount in another unit (an inverse
market's coin notional) is shown as it is.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from planner.domain.analysis import Analysis
from planner.domain.errors import PlanError
from planner.domain.formatting import format_amount as format_in_currency
from planner.domain.formatting import format_percent, format_price, format_quantity
from planner.domain.plan import Plan


def add_values_in_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--in",
        dest="values_in",
        metavar="ASSET",
        default=None,
        help="show amounts in ASSET — the account's currency or a collateral asset (e.g. BTC) — "
        "converted at the current marks (tables only; --json stays in the currency)",
    )


def collateral_price(plan: Plan, asset: str) -> float | None:
    """The price of a collateral asset in the account's currency at the plan's marks."""
    for item in plan.account.collateral:
        if item.asset == asset:
            if item.price_symbol is not None:
                return plan.market(item.price_symbol).mark_price
            return item.price
    return None


@dataclass(frozen=True, slots=True)
class ValuesIn:
    """How amounts in the account's ``currency`` are shown: in ``unit``, one unit being worth
    ``rate`` of the currency."""

    currency: str
    unit: str
    rate: float

    @classmethod
    def of(cls, plan: Plan, asset: str | None) -> ValuesIn:
        currency = plan.account.currency
        if asset is None or asset == currency:
            return cls(currency, currency, 1.0)
        rate = collateral_price(plan, asset)
        if rate is None:
            assets = ", ".join(c.asset for c in plan.account.collateral)
            choices = f"{currency} or a collateral asset ({assets})" if assets else currency
            raise PlanError(f"--in = {asset}: amounts can be shown in {choices}", field="--in")
        return cls(currency, asset, rate)

    def format_amount(
        self, value: float | None, currency: str, *, with_unit: bool = False, sign: bool = False
    ) -> str:
        """``formatting.format_amount`` in this unit: an amount in the account's currency is
        converted; one in another unit (a coin notional) is shown as it is."""
        if currency != self.currency:
            return format_in_currency(value, currency, with_unit=with_unit, sign=sign)
        converted = None if value is None else value / self.rate
        return format_in_currency(converted, self.unit, with_unit=with_unit, sign=sign)

    def note(self) -> str:
        if self.unit == self.currency:
            return ""
        return f" (converted at 1 {self.unit} = {self.rate:,.2f} {self.currency})"


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
