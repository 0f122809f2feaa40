"""Page 1: the figures a trader decides on, the warnings, each variant in one line, one chart."""

from __future__ import annotations

from planner.domain.analysis import Analysis
from planner.domain.formatting import MISSING, format_leverage, format_percent
from planner.domain.scenarios import liquidating_market_move
from planner.domain.twin import VARIANT_TITLES, beyond_stop
from planner.report.content.base import Context, move_text
from planner.report.model import (
    Block,
    BulletList,
    Curve,
    CurveMarker,
    EquityCurveChart,
    Figure,
    Flag,
    FlagList,
    KeyValueList,
    Paragraph,
    Section,
    Subheading,
)

#: Figure titles of page 1's box (tests read them back from the PDF).
BOX_TITLE = "Key figures"


def summary(ctx: Context) -> Section:
    blocks: list[Block] = [key_figures(ctx), warnings(ctx)]
    if ctx.plan.positions:
        blocks.append(Subheading("Cross or isolated: what fails where"))
        lines = [variant_line(ctx, v) for v in ctx.variants]
        if ctx.variant_error:
            lines.append(f"All cross, all isolated: not analysed — {ctx.variant_error}")
        blocks.append(BulletList(tuple(lines)))
        blocks.append(market_chart(ctx))
    else:
        blocks.append(Paragraph("The plan has no positions."))
    return Section("summary", "Summary", tuple(blocks))


def key_figures(ctx: Context) -> KeyValueList:
    a = ctx.analysis
    f = ctx.figures
    loss = ctx.amount(f.loss_at_stops, unit=True)
    share = MISSING if f.risk_at_stops is None else format_percent(f.risk_at_stops, 1)
    without = (
        f"; {f.positions_without_stop} position{'s' if f.positions_without_stop != 1 else ''} "
        "without a stop"
        if f.positions_without_stop
        else ""
    )
    stops = f"{loss} ({share} of equity){without}"
    if f.positions_without_stop == len(ctx.plan.positions) and ctx.plan.positions:
        stops = "no stops set: the loss is limited only by liquidation (see worst case)"
    items = [
        ("Equity", ctx.amount(a.equity, unit=True)),
        ("Gross notional", ctx.amount(f.gross_notional, unit=True)),
        ("Net notional", net_text(ctx)),
        ("Effective leverage", format_leverage(_round(f.effective_leverage))),
        ("Loss at stops", stops),
        ("Worst case", worst_text(ctx)),
        ("Nearest liquidation", nearest_text(ctx)),
        ("Wallet balance", ctx.amount(a.wallet_balance, unit=True)),
        ("Unrealised PnL", ctx.amount(a.unrealized_pnl, unit=True, sign=True)),
        ("Cross available", ctx.amount(a.cross.available, unit=True)),
        ("Cross risk ratio", format_percent(a.cross.risk_ratio)),
    ]
    return KeyValueList(tuple(items), title=BOX_TITLE, columns=2, boxed=True)


def net_text(ctx: Context) -> str:
    """Longs less shorts at the marks: which way the book leans, and by how much."""
    net = sum(
        ctx.notional_in_currency(i) * (1 if pos.side == "long" else -1)
        for i, pos in enumerate(ctx.plan.positions)
    )
    lean = "long" if net > 0 else "short" if net < 0 else "flat"
    return f"{ctx.amount(net, unit=True, sign=True)} ({lean})"


def worst_text(ctx: Context) -> str:
    worst = ctx.figures.worst_case_loss
    text = ctx.amount(worst, unit=True)
    equity = ctx.analysis.equity
    if equity > 0:
        text += f" ({format_percent(worst / equity, 1)} of equity)"
    return text


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def nearest_text(ctx: Context) -> str:
    r = ctx.nearest_liquidation()
    if r is None:
        return "none: no position has a liquidation price"
    pos = ctx.plan.positions[ctx.analysis.index_of(r.id)]
    text = (
        f"{r.id} ({r.symbol} {r.margin_mode}) at {ctx.price(r.symbol, r.liquidation_price)}, "
        f"{move_text(r.liquidation_distance)} from the mark"
    )
    gap = beyond_stop(r.mark_price, r.liquidation_price, pos.stop_loss)
    if pos.stop_loss is None:
        return f"{text}; no stop"
    if gap is None:
        return f"{text}; stop on the other side"
    if gap < 0:
        return f"{text}; {format_percent(-gap, 1)} BEFORE its stop"
    return f"{text}; {format_percent(gap, 1)} beyond its stop"


#: Page 1 shows at most this many warnings of one kind; the rest are counted in one line.
WARNINGS_PER_KIND = 3


def warnings(ctx: Context) -> FlagList:
    found = ctx.warnings
    if not found:
        return FlagList(
            (Flag("green", "Nothing flagged: no warning applies at these marks."),),
            title="Warnings",
        )
    order = {"red": 0, "amber": 1, "green": 2}
    kinds: dict[tuple[str, str], list] = {}
    for w in sorted(found, key=lambda w: order[w.severity]):
        kinds.setdefault((w.severity, w.code), []).append(w)
    flags: list[Flag] = []
    for (severity, code), of_kind in kinds.items():
        for w in of_kind[:WARNINGS_PER_KIND]:
            flags.append(Flag(severity, w.message, w.position or ""))  # type: ignore[arg-type]
        rest = of_kind[WARNINGS_PER_KIND:]
        if rest:
            ids = [w.position for w in rest if w.position]
            listed = ", ".join(ids[:8]) + (f" and {len(ids) - 8} more" if len(ids) > 8 else "")
            flags.append(
                Flag(
                    severity,  # type: ignore[arg-type]
                    f"{len(rest)} more of this kind ({code.replace('_', ' ')})"
                    + (f": {listed}." if listed else "."),
                )
            )
    return FlagList(tuple(flags), title="Warnings")


def variant_line(ctx: Context, variant: str) -> str:
    analysis: Analysis = ctx.variant_analysis(variant)
    parts: list[str] = []
    r = ctx.nearest_liquidation(analysis)
    if r is None:
        parts.append("no liquidation price")
    elif r.liquidated:
        parts.append(f"{r.id} is liquidated at the marks already")
    else:
        parts.append(
            f"{r.id} ({r.symbol} {r.margin_mode}) fails first, at "
            f"{ctx.price(r.symbol, r.liquidation_price)} ({move_text(r.liquidation_distance)})"
        )
    if ctx.variant_error is None:
        totals = ctx.comparison.totals[variant]
        pool_moves = (totals.pool_move_down, totals.pool_move_up)
        before_stop = totals.stops_after_liquidation
    else:  # the plan alone, without the comparison
        pool_moves = tuple(liquidating_market_move(analysis.plan, direction=d) for d in (-1, 1))
        before_stop = 0
    moves = [m for m in pool_moves if m is not None]
    if moves:
        move = min(moves, key=abs)
        parts.append(f"the cross pool fails on a {move_text(move)} move of every mark")
    elif any(p.margin_mode == "cross" for p in analysis.plan.positions):
        parts.append("no market-wide move liquidates the cross pool")
    if before_stop:
        n = before_stop
        parts.append(f"{n} position{'s' if n != 1 else ''} liquidated before the stop")
    worst = ctx.variant_figures[variant].worst_case_loss
    parts.append(f"worst case {ctx.amount(worst, unit=True)}")
    return f"{VARIANT_TITLES[variant]}: " + "; ".join(parts) + "."


def market_chart(ctx: Context) -> Figure:
    """Account equity as every mark moves together, for the three variants."""
    curves = []
    for v in ctx.variants:
        s = ctx.market_sweeps[v]
        markers = tuple(
            CurveMarker(e.move, e.equity_after, "cross pool" if e.kind == "cross" else "bucket")
            for e in s.events
            if e.direction != 0
        )
        curves.append(
            Curve(
                v,
                VARIANT_TITLES[v],
                tuple(s.moves.tolist()),
                tuple(s.account_equity.tolist()),
                markers,
            )
        )
    chart = EquityCurveChart(
        symbol="market",
        currency=ctx.currency,
        curves=tuple(curves),
        title="Account equity as every mark moves together",
        x_label="move of every mark (betas 1)",
        y_label=f"equity ({ctx.currency})",
        reference_equity=ctx.analysis.equity,
        move_range=(float(curves[0].moves[0]), float(curves[0].moves[-1])),
        note=coinciding_note(curves),
    )
    return Figure((chart,), height=215.0)


def coinciding_note(curves: list[Curve]) -> str:
    """ "All cross coincides with As planned" for every pair of equal curves."""
    notes = []
    for i, a in enumerate(curves):
        for b in curves[:i]:
            if len(a.equity) == len(b.equity) and all(
                abs(x - y) <= 1e-9 * max(1.0, abs(y))
                for x, y in zip(a.equity, b.equity, strict=True)
            ):
                notes.append(f"{a.name} coincides with {b.name}")
                break
    return "; ".join(notes) + (" (drawn on top of each other)." if notes else "")
