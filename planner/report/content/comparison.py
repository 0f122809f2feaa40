"""Cross or isolated: the whole plan's figures once, then one row per position."""

from __future__ import annotations

from collections.abc import Callable

from planner.domain.formatting import MISSING
from planner.domain.scenarios import VARIANTS
from planner.domain.twin import VARIANT_TITLES, PlanFigures, TwinFigures
from planner.report.content.base import Context, move_text
from planner.report.model import Block, Column, Paragraph, Row, Section, Table

SHORT = {"planned": "planned", "all_cross": "cross", "all_isolated": "isolated"}
#: Past this many positions the table has one row per netted leg (symbol and side): every
#: position of a leg shares its liquidation price in each variant.
LEG_ROWS_FROM = 500


def twin(ctx: Context) -> Section:
    if ctx.variant_error is not None:
        text = f"All cross and all isolated cannot be analysed: {ctx.variant_error}"
        return Section("twin", "Cross or isolated", (Paragraph(text),))
    comparison = ctx.comparison
    if not comparison.positions:
        return Section("twin", "Cross or isolated", (Paragraph("The plan has no positions."),))
    totals = comparison.totals

    def line(label: str, value: Callable[[PlanFigures], str]) -> Row:
        return Row((label, *(value(totals[v]) for v in VARIANTS)))

    whole = Table(
        (Column("Whole plan"), *(Column(VARIANT_TITLES[v], "right") for v in VARIANTS)),
        (
            line("Margin locked", lambda t: ctx.amount(t.margin_locked)),
            Row(
                (
                    "Worst-case loss",
                    *(ctx.amount(ctx.variant_figures[v].worst_case_loss) for v in VARIANTS),
                )
            ),
            line("Free balance", lambda t: ctx.amount(t.free_balance)),
            line("Isolated margin", lambda t: ctx.amount(t.isolated_margin)),
            line("Cross pool equity", lambda t: ctx.amount(t.cross_equity)),
            line("Market fall that liquidates the pool", lambda t: move_text(t.pool_move_down)),
            line("Market rise that liquidates the pool", lambda t: move_text(t.pool_move_up)),
            line("Positions liquidated now", lambda t: str(t.liquidated_positions)),
            line("Liquidated before the stop", lambda t: str(t.stops_after_liquidation)),
        ),
        caption="The whole plan",
        footnote=f"Amounts in {ctx.currency}. Market moves: every mark moved together "
        "(betas 1); — when no such move liquidates the cross pool. The free balance, the pool "
        "and the worst case are the account's: they are shown here once, not per position.",
    )

    def liq(f: TwinFigures, symbol: str) -> str:
        if f.liquidated:
            return "LIQUIDATED"
        if f.liquidation_price is None:
            return MISSING
        return f"{ctx.price(symbol, f.liquidation_price)} ({move_text(f.liquidation_distance)})"

    def vs_stop(f: TwinFigures) -> str:
        b = f.liquidation_beyond_stop
        if b is None:
            return MISSING
        return ("+" if b >= 0 else "BEFORE −") + move_text(abs(b)).lstrip("+")

    if len(comparison.positions) > LEG_ROWS_FROM:
        per_position = leg_table(ctx, liq, vs_stop)
        intro = Paragraph(
            "The same plan with every position in cross margin and with every position in "
            "isolated margin, beside the plan as it is.",
            style="note",
        )
        return Section("twin", "Cross or isolated", (intro, whole, per_position))
    rows = []
    for g, entry in enumerate(comparison.positions):
        cells = [entry.id, entry.margin_mode, ctx.amount(entry.planned.loss_at_stop)]
        for v in VARIANTS:
            f = entry.variants[v]
            cells += [liq(f, entry.symbol), vs_stop(f)]
        rows.append(
            Row(
                tuple(cells),
                group=None if ctx.compact else g,
                emphasis=any(
                    entry.variants[v].liquidated_before_stop or entry.variants[v].liquidated
                    for v in VARIANTS
                ),
            )
        )
        if not ctx.compact:
            rows.append(Row((entry.sentence,), group=g, span=True))
    columns = [Column("Position"), Column("Planned"), Column("Loss at\nstop", "right")]
    for v in VARIANTS:
        columns += [
            Column(f"Liquidation\n{SHORT[v]}", "right"),
            Column(f"vs stop\n{SHORT[v]}", "right"),
        ]
    per_position = Table(
        tuple(columns),
        tuple(rows),
        caption="Position by position",
        footnote=f"Amounts in {ctx.currency}. Liquidation price with its distance from the mark; "
        "vs stop: how far the liquidation lies beyond the stop (+) as a share of the stop price, "
        "or BEFORE it. Bold: some variant liquidates before the stop.",
        compact=ctx.compact,
    )
    intro = Paragraph(
        "The same plan with every position in cross margin and with every position in "
        "isolated margin, beside the plan as it is.",
        style="note",
    )
    blocks: list[Block] = [intro, whole, per_position]
    return Section("twin", "Cross or isolated", tuple(blocks))


def leg_table(ctx: Context, liq, vs_stop) -> Table:
    """One row per netted leg (symbol and side): its positions share every liquidation price;
    the loss at stop is their sum and "vs stop" the least buffer among them."""
    legs: dict[tuple[str, str], list] = {}
    for entry in ctx.comparison.positions:
        legs.setdefault((entry.symbol, entry.side), []).append(entry)
    rows = []
    for (symbol, side), entries in legs.items():
        first = entries[0]
        losses = [e.planned.loss_at_stop for e in entries if e.planned.loss_at_stop is not None]
        cells = [
            f"{symbol} {side} ({len(entries)})",
            first.margin_mode,
            ctx.amount(sum(losses)) if losses else MISSING,
        ]
        for v in VARIANTS:
            buffers = [
                e.variants[v] for e in entries if e.variants[v].liquidation_beyond_stop is not None
            ]
            worst = min(buffers, key=lambda f: f.liquidation_beyond_stop) if buffers else None
            cells += [liq(first.variants[v], symbol), vs_stop(worst) if worst else MISSING]
        rows.append(Row(tuple(cells)))
    columns = [Column("Leg (positions)"), Column("Planned"), Column("Loss at\nstop", "right")]
    for v in VARIANTS:
        columns += [
            Column(f"Liquidation\n{SHORT[v]}", "right"),
            Column(f"vs stop\n{SHORT[v]}", "right"),
        ]
    return Table(
        tuple(columns),
        tuple(rows),
        caption="Leg by leg",
        footnote=f"{len(ctx.comparison.positions)} positions, one row per netted leg (symbol and "
        "side): they share each variant's liquidation price. Loss at stop: the leg's sum; vs "
        "stop: the least buffer of its positions.",
        compact=True,
    )
