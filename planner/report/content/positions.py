"""Positions: one row each with per-symbol subtotals and the plan's totals; for small plans the
margin and target detail; then the cross pool and the isolated buckets."""

from __future__ import annotations

import math

from planner.domain.formatting import (
    MISSING,
    format_leverage,
    format_percent,
    format_quantity,
    format_ratio,
)
from planner.domain.twin import beyond_stop
from planner.report.content.base import Context, exact_percent, move_text
from planner.report.model import Block, Column, KeyValueList, Paragraph, Row, Section, Table

POSITIONS_CAPTION = "Every position, with subtotals per symbol"


def positions(ctx: Context) -> Section:
    if not ctx.plan.positions:
        return Section("positions", "Positions", (Paragraph("The plan has no positions."),))
    blocks: list[Block] = [main_table(ctx)]
    if not ctx.compact:
        blocks += [margin_table(ctx), targets_table(ctx)]
        notes = [Row((p.id, p.notes.strip())) for p in ctx.plan.positions if p.notes.strip()]
        if notes:
            blocks.append(
                Table(
                    (Column("Position"), Column("Notes", wrap=True)),
                    tuple(notes),
                    caption="Position notes",
                )
            )
    blocks += pool_and_buckets(ctx)
    return Section("positions", "Positions", tuple(blocks), page_break_before=True)


def _sum(values: list[float | None]) -> float | None:
    found = [v for v in values if v is not None and math.isfinite(v)]
    return sum(found) if found else None


def main_table(ctx: Context) -> Table:
    plan, results = ctx.plan, ctx.results
    rows: list[Row] = []
    all_notional: list[float] = []
    all_loss: list[float | None] = []
    for group, (symbol, indices) in enumerate(ctx.positions_by_symbol().items()):
        notional: list[float] = []
        losses: list[float | None] = []
        for i in indices:
            pos, r = plan.positions[i], results[i]
            value = ctx.notional_in_currency(i)
            notional.append(value)
            losses.append(r.loss_at_stop)
            stop_distance = (
                None if pos.stop_loss is None else (pos.stop_loss - r.mark_price) / r.mark_price
            )
            gap = beyond_stop(r.mark_price, r.liquidation_price, pos.stop_loss)
            rows.append(
                Row(
                    (
                        pos.id,
                        symbol,
                        pos.side,
                        pos.margin_mode,
                        format_leverage(pos.leverage),
                        ctx.price(symbol, r.entry_price),
                        ctx.amount(value),
                        ctx.price(symbol, r.liquidation_price),
                        move_text(r.liquidation_distance),
                        ctx.price(symbol, pos.stop_loss),
                        move_text(stop_distance),
                        ctx.amount(r.loss_at_stop),
                        ctx.share_of_equity(r.loss_at_stop),
                    ),
                    group=group,
                    emphasis=r.liquidated or (gap is not None and gap < 0),
                )
            )
        all_notional += notional
        all_loss += losses
        if len(indices) > 1:
            loss = _sum(losses)
            rows.append(
                Row(
                    (
                        f"{symbol} ({len(indices)})",
                        "",
                        "",
                        "",
                        "",
                        "",
                        ctx.amount(sum(notional)),
                        "",
                        "",
                        "",
                        "",
                        ctx.amount(loss),
                        ctx.share_of_equity(loss),
                    ),
                    group=group,
                    total=True,
                )
            )
    loss = _sum(all_loss)
    rows.append(
        Row(
            (
                f"Total ({len(plan.positions)})",
                "",
                "",
                "",
                "",
                "",
                ctx.amount(sum(all_notional)),
                "",
                "",
                "",
                "",
                ctx.amount(loss),
                ctx.share_of_equity(loss),
            ),
            total=True,
            emphasis=True,
        )
    )
    return Table(
        (
            Column("Position"),
            Column("Symbol"),
            Column("Side"),
            Column("Mode"),
            Column("Lev.", "right"),
            Column("Entry", "right"),
            Column(f"Notional\n({ctx.currency})", "right"),
            Column("Liquidation\nprice", "right"),
            Column("To liq.", "right"),
            Column("Stop", "right"),
            Column("To stop", "right"),
            Column("Loss at\nstop", "right"),
            Column("Risk\n% equity", "right"),
        ),
        tuple(rows),
        caption=POSITIONS_CAPTION,
        footnote=f"Amounts in {ctx.currency}, notional at the mark. “To liq.” and “To stop”: "
        "distance from the mark. Loss at stop net of the taker fee on entry and exit; risk as a "
        "share of account equity. Bold: liquidated, or liquidated before the stop. A cross "
        "position's liquidation price assumes every other mark stays where it is. Subtotals per "
        "symbol with more than one position.",
        compact=ctx.compact,
    )


def margin_table(ctx: Context) -> Table:
    rows = []
    for pos, r in zip(ctx.plan.positions, ctx.results, strict=True):
        market = ctx.markets[pos.symbol]
        rows.append(
            Row(
                (
                    pos.id,
                    format_quantity(pos.quantity),
                    ctx.price(pos.symbol, r.mark_price),
                    ctx.amount(r.unrealized_pnl, sign=True),
                    ctx.amount(r.initial_margin),
                    ctx.amount(r.margin),
                    exact_percent(r.maintenance_rate),
                    ctx.notional(market, r.maintenance_amount),
                    ctx.amount(r.maintenance_margin),
                    format_percent(r.risk_ratio),
                    ctx.amount(r.max_loss),
                    "LIQUIDATED" if r.liquidated else "ok",
                ),
                emphasis=r.liquidated,
            )
        )
    return Table(
        (
            Column("Position"),
            Column("Quantity", "right"),
            Column("Mark\nprice", "right"),
            Column("Unrealised\nPnL", "right"),
            Column("Initial\nmargin", "right"),
            Column("Isolated\nmargin", "right"),
            Column("Maint.\nrate", "right"),
            Column("Maint.\namount", "right"),
            Column("Maint.\nmargin", "right"),
            Column("Risk\nratio", "right"),
            Column("Max loss", "right"),
            Column("Status"),
        ),
        tuple(rows),
        caption="Margin and maintenance",
        footnote=f"Amounts in {ctx.currency}. Isolated margin = initial + added margin (isolated "
        "positions only). Max loss: isolated — the bucket's margin; cross — the whole cross "
        "pool's equity. Risk ratio: the bucket's, or the cross pool's.",
    )


def targets_table(ctx: Context) -> Table:
    rows = []
    for pos, r in zip(ctx.plan.positions, ctx.results, strict=True):
        sym = pos.symbol
        tps = (
            "\n".join(
                f"{ctx.price(sym, tp.price)} × {format_percent(tp.fraction, 0)} → "
                f"{ctx.amount(tp.reward, sign=True)}"
                for tp in r.take_profits
            )
            or MISSING
        )
        gap = beyond_stop(r.mark_price, r.liquidation_price, pos.stop_loss)
        rows.append(
            Row(
                (
                    pos.id,
                    ctx.price(sym, r.bankruptcy_price),
                    ctx.price(sym, r.break_even_price),
                    tps,
                    format_ratio(r.reward_to_risk),
                    buffer_text(gap),
                ),
                emphasis=gap is not None and gap < 0,
            )
        )
    return Table(
        (
            Column("Position"),
            Column("Bankruptcy\nprice", "right"),
            Column("Break-even", "right"),
            Column("Take-profits (price × share → reward)", "right"),
            Column("Reward /\nrisk", "right"),
            Column("Liquidation vs stop", "right"),
        ),
        tuple(rows),
        caption="Prices and targets",
        footnote=f"Amounts in {ctx.currency}, net of the taker fee on entry and exit. "
        "Liquidation vs stop: how far liquidation lies beyond the stop, as a share of the stop "
        "price (BEFORE: liquidated before the stop is reached).",
    )


def buffer_text(buffer: float | None) -> str:
    if buffer is None:
        return MISSING
    text = format_percent(abs(buffer), 1)
    return f"{text} beyond" if buffer >= 0 else f"{text} BEFORE"


def pool_and_buckets(ctx: Context) -> list[Block]:
    a = ctx.analysis
    cross = a.cross
    pool = KeyValueList(
        (
            ("Cross wallet balance", ctx.amount(cross.wallet_balance, unit=True)),
            ("Cross unrealised PnL", ctx.amount(cross.unrealized_pnl, unit=True, sign=True)),
            ("Cross equity", ctx.amount(cross.equity, unit=True)),
            ("Cross initial margin", ctx.amount(cross.initial_margin, unit=True)),
            ("Cross maintenance margin", ctx.amount(cross.maintenance_margin, unit=True)),
            ("Cross available", ctx.amount(cross.available, unit=True)),
            ("Cross risk ratio", format_percent(cross.risk_ratio)),
            ("Isolated margin", ctx.amount(a.isolated_margin, unit=True)),
        ),
        title="Cross pool",
        columns=2,
    )
    if not a.buckets:
        return [pool, Paragraph("Isolated buckets: none — every position is in cross margin.")]
    if ctx.compact:
        return [
            pool,
            Paragraph(
                f"{len(a.buckets)} isolated buckets: each one's liquidation price is in the "
                "positions table above (netted positions of one symbol and side share it).",
                style="note",
            ),
        ]
    rows = [
        Row(
            (
                b.symbol,
                b.side,
                ", ".join(b.position_ids)
                if len(b.position_ids) <= 4
                else f"{', '.join(b.position_ids[:3])} and {len(b.position_ids) - 3} more",
                ctx.amount(b.margin),
                ctx.amount(b.equity),
                ctx.amount(b.maintenance_margin),
                format_percent(b.risk_ratio),
                ctx.price(b.symbol, b.liquidation_price),
                "LIQUIDATED" if b.liquidated else "ok",
            ),
            emphasis=b.liquidated,
        )
        for b in a.buckets
    ]
    buckets = Table(
        (
            Column("Symbol"),
            Column("Side"),
            Column("Positions", wrap=True),
            Column("Margin", "right"),
            Column("Equity", "right"),
            Column("Maint.\nmargin", "right"),
            Column("Risk\nratio", "right"),
            Column("Liquidation\nprice", "right"),
            Column("Status"),
        ),
        tuple(rows),
        caption="Isolated buckets",
        footnote=f"Amounts in {ctx.currency}. Risk ratio = maintenance margin / equity; 100 % "
        "means liquidation.",
        compact=ctx.compact,
    )
    return [pool, buckets]
