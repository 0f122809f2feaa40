"""The plan in time as text for ``analyze``: funding over the horizon and each planned add."""

from __future__ import annotations

from planner.domain.analysis import Analysis
from planner.domain.formatting import format_amount, format_percent, format_price, format_quantity


def _table(headers: list[str], rows: list[list[str]], indent: str = "  ") -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def fmt(cells: list[str]) -> str:
        return (
            indent
            + "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            ).rstrip()
        )

    return [fmt(headers), indent + "  ".join("-" * w for w in widths), *map(fmt, rows)]


def _hours(hours: float | None) -> str:
    if hours is None:
        return "never"
    return f"{hours:,.0f} h" if hours < 48 else f"{hours / 24:,.1f} d"


def render_time(analysis: Analysis) -> list[str]:
    """Lines for the funding and scaling-in blocks (none for a plan held as it is)."""
    plan = analysis.plan
    cur = analysis.currency
    timeline = analysis.timeline
    funding = timeline.funding
    ticks = {m.symbol: m.tick_size for m in plan.markets}
    markets = {m.symbol: m for m in plan.markets}
    lines: list[str] = []
    charged = any(m.funding_rate for m in plan.markets)
    if plan.horizon_hours > 0 or charged:
        days = plan.horizon_hours / 24
        lines += ["", f"Funding over {days:,.1f} days ({plan.horizon_hours:g} h held at the marks)"]
        rows = []
        for i, p in enumerate(analysis.positions):
            market = markets[p.symbol]
            rows.append(
                [
                    p.id,
                    f"{format_percent(market.funding_rate, 4, sign=True)}/"
                    f"{market.funding_interval_hours:g}h",
                    format_amount(funding.cost[i], cur, sign=True),
                    format_price(p.liquidation_price, ticks[p.symbol]),
                    format_price(funding.liquidation_price_at_horizon[i], ticks[p.symbol]),
                    _hours(funding.runway_hours[i]),
                ]
            )
        headers = ["id", "rate", "cost", "liq. now", "liq. at horizon", "runway"]
        lines += _table(headers, rows)
        lines.append(
            f"  total funding {format_amount(funding.total, cur, sign=True)} {cur} "
            "(positive = paid)"
        )
    for i, p in enumerate(analysis.positions):
        fills = timeline.fills[i]
        if not fills:
            continue
        tick = ticks[p.symbol]
        lines += ["", f"Scaling in: {p.id} ({p.side} {p.symbol}, {p.margin_mode})"]
        rows = [
            [
                "first fill",
                format_price(p.entry_price, tick),
                format_quantity(p.quantity),
                format_quantity(p.quantity),
                format_price(p.entry_price, tick),
                format_amount(p.margin, cur) if p.margin is not None else "cross",
                format_price(p.liquidation_price, tick),
                "yes",
            ]
        ]
        rows += [
            [
                f"add {k}",
                format_price(f.price, tick),
                format_quantity(f.quantity),
                format_quantity(f.total_quantity),
                format_price(f.average_entry, tick),
                format_amount(f.margin, cur) if f.margin is not None else "cross",
                format_price(f.liquidation_price, tick),
                "yes" if f.reachable else "NO",
            ]
            for k, f in enumerate(fills, start=1)
        ]
        headers = ["fill", "price", "qty", "total", "avg entry", "margin", "liq. after", "fills?"]
        lines += _table(headers, rows)
    return lines
