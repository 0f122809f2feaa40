"""The plan in time: each position's planned adds ("Scaling in": the position after every fill,
its liquidation price and whether the add can fill) and funding over the horizon."""

from __future__ import annotations

from planner.domain.formatting import format_percent, format_quantity
from planner.report.content.base import Context
from planner.report.model import Block, Column, Paragraph, Row, Section, Subheading, Table


def funding_line(ctx: Context) -> str | None:
    """ "Funding over 30 days: …" — None for a plan held without a horizon or funding."""
    plan = ctx.plan
    if plan.horizon_hours <= 0 and not any(m.funding_rate for m in plan.markets):
        return None
    funding = ctx.analysis.timeline.funding
    days = plan.horizon_hours / 24
    paid = "paid" if funding.total >= 0 else "received"
    text = (
        f"Funding over {days:,.1f} days ({plan.horizon_hours:g} h at the held marks): "
        f"{ctx.amount(abs(funding.total), unit=True)} {paid} in all."
    )
    moved = []
    for i, result in enumerate(ctx.analysis.positions):
        now, later = result.liquidation_price, funding.liquidation_price_at_horizon[i]
        if funding.cost[i] and now is not None and later is not None and later != now:
            moved.append(
                f"{result.id} pays {ctx.amount(funding.cost[i], unit=True)}, its liquidation "
                f"moves from {ctx.price(result.symbol, now)} to "
                f"{ctx.price(result.symbol, later)}"
            )
    if moved:
        text += " " + "; ".join(moved) + "."
    return text


def scaling_in(ctx: Context) -> Section | None:
    """The "Scaling in" section: one ladder per position with planned adds (None without)."""
    plan, analysis = ctx.plan, ctx.analysis
    blocks: list[Block] = []
    line = funding_line(ctx)
    if line:
        blocks.append(Paragraph(line))
    fills_of = analysis.timeline.fills
    for i, result in enumerate(analysis.positions):
        fills = fills_of[i]
        if not fills:
            continue
        symbol = result.symbol
        blocks.append(Subheading(f"{result.id}: {result.side} {symbol}, {result.margin_mode}"))
        rows = [
            Row(
                (
                    "first fill",
                    ctx.price(symbol, result.entry_price),
                    format_quantity(result.quantity),
                    format_quantity(result.quantity),
                    ctx.price(symbol, result.entry_price),
                    ctx.amount(result.margin) if result.margin is not None else "cross",
                    ctx.price(symbol, result.liquidation_price),
                    "yes",
                )
            )
        ]
        for k, fill in enumerate(fills, start=1):
            rows.append(
                Row(
                    (
                        f"add {k}",
                        ctx.price(symbol, fill.price),
                        format_quantity(fill.quantity),
                        format_quantity(fill.total_quantity),
                        ctx.price(symbol, fill.average_entry),
                        ctx.amount(fill.margin) if fill.margin is not None else "cross",
                        ctx.price(symbol, fill.liquidation_price),
                        "yes" if fill.reachable else "NO — liquidated first",
                    ),
                    emphasis=not fill.reachable,
                )
            )
        last = fills[-1]
        stop = plan.positions[i].stop_loss
        note = ""
        if stop is not None and last.liquidation_price is not None:
            gap = (stop - last.liquidation_price) / result.mark_price
            note = (
                f" After the last fill the stop at {ctx.price(symbol, stop)} lies "
                f"{format_percent(abs(gap), 1)} of the mark "
                f"{'before' if gap * (1 if result.side == 'long' else -1) > 0 else 'BEYOND'} "
                "the liquidation price."
            )
        blocks.append(
            Table(
                (
                    Column("Fill"),
                    Column("Price", "right"),
                    Column("Qty", "right"),
                    Column("Total", "right"),
                    Column("Avg entry", "right"),
                    Column(f"Margin\n({ctx.currency})", "right"),
                    Column("Liquidation\nafter", "right"),
                    Column("Fills?"),
                ),
                tuple(rows),
                footnote="Each add at the position's leverage and margin mode; the liquidation "
                "price after each fill with every other position as it is (tiers at the "
                "liquidation price). An add cannot fill when the liquidation price before it lies "
                "between the mark and its price." + note,
            )
        )
    if not blocks:
        return None
    return Section("time", "Scaling in and funding", tuple(blocks))
