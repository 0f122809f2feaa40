"""Charts per symbol: the price ladder and account equity as the symbol alone moves.

The equity curves come from ``Context.curves`` — one valuation of the account per variant,
shared by every symbol (``planner.report.curves``) — so charting is linear in symbols.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from planner.domain.ladder import Level, symbol_ladder
from planner.domain.twin import VARIANT_TITLES
from planner.report.content.base import Context
from planner.report.curves import SymbolCurve
from planner.report.model import (
    Block,
    Curve,
    CurveMarker,
    EquityCurveChart,
    Figure,
    LadderLabel,
    LadderLevel,
    MoveMark,
    Paragraph,
    PriceLadderChart,
    Section,
)

#: The least range of moves a chart shows either side of the mark.
LEAST_RANGE = 0.05

KIND_WORDS: dict[str, str] = {
    "mark": "mark",
    "liquidation": "liquidation",
    "bankruptcy": "bankruptcy",
    "stop": "stop",
    "entry": "entry",
    "take_profit": "take-profit",
    "tier": "tier boundary",
    "break_even": "break-even",
}

LADDER_PRIORITY: dict[str, int] = {
    "mark": 0,
    "liquidation": 0,
    "stop": 1,
    "entry": 1,
    "bankruptcy": 2,
    "take_profit": 2,
    "tier": 3,
}


def charts(ctx: Context) -> Section:
    symbols = ctx.charted_symbols()
    if not symbols:
        return Section("charts", "Charts", (Paragraph("No positions to chart."),))
    intro = (
        "For each symbol: on the left, the price ladder — every planned level and where the "
        "margin fails; on the right, account equity as that symbol alone moves (every other "
        "mark held), as planned, all cross and all isolated. Markers show where an isolated "
        "bucket or the cross pool is liquidated; from there on it counts as zero. Vertical "
        "ticks mark the stops (S), take-profits (T) and break-even (B)."
    )
    used = ctx.symbols_in_use()
    if len(symbols) < len(used):
        intro += (
            f" Charts for the {len(symbols)} symbols with the largest notional of "
            f"{len(used)}; every position is in the tables."
        )
    blocks: list[Block] = [Paragraph(intro, style="note")]
    for symbol in symbols:
        blocks.append(
            Figure(
                (ladder_chart(ctx, symbol), equity_chart(ctx, symbol)),
                caption=f"{symbol}: price ladder and account equity against the move of {symbol}.",
                widths=(0.46, 0.54),
                height=212.0,
                bookmark=symbol,
            )
        )
    return Section("charts", "Charts", tuple(blocks))


def ladder_chart(ctx: Context, symbol: str) -> PriceLadderChart:
    """Every level as a line; coinciding levels of one kind share a label (the renderer also
    merges labels that crowd each other)."""
    market = ctx.markets[symbol]
    found = symbol_ladder(ctx.analysis, symbol).levels
    prices = [level.price for level in found if level.kind != "tier"]
    low, high = min(prices), max(prices)
    margin = (high - low) * 0.1 or high * 0.02
    found = tuple(
        level
        for level in found
        if level.kind != "tier" or low - margin <= level.price <= high + margin
    )
    levels = tuple(
        LadderLevel(level.kind, level.price, level.label, ctx.price(symbol, level.price))
        for level in found
    )
    return PriceLadderChart(
        symbol=symbol,
        mark_price=market.mark_price,
        levels=levels,
        labels=ladder_labels(ctx, symbol, found),
        title=f"{symbol} price ladder ({ctx.currency if market.contract == 'linear' else 'USD'})",
    )


def ladder_labels(ctx: Context, symbol: str, levels: Sequence[Level]) -> tuple[LadderLabel, ...]:
    same: dict[tuple[str, str], list[Level]] = {}
    for level in levels:
        same.setdefault((level.kind, ctx.price(symbol, level.price)), []).append(level)
    labels = []
    for (kind, price_text), group in same.items():
        first = group[0]
        if len(group) == 1:
            text = first.label
        else:
            mode = f" ({first.margin_mode})" if first.margin_mode else ""
            text = f"{KIND_WORDS[kind]} ×{len(group)}{mode}"
        labels.append(
            LadderLabel(
                kind,  # type: ignore[arg-type]
                first.price,
                text,
                price_text,
                LADDER_PRIORITY[kind],
                len(group),
            )
        )
    return tuple(labels)


def equity_chart(ctx: Context, symbol: str) -> EquityCurveChart:
    indices = ctx.positions_by_symbol().get(symbol, [])
    mark = ctx.markets[symbol].mark_price
    marks = move_marks(ctx, indices, mark)
    wanted = [m.move for m in marks]
    for v in ctx.variants:
        distance = ctx.variant_analysis(v).columns["liquidation_distance"][indices]
        wanted += distance[np.isfinite(distance)].tolist()
        wanted += [e.move for e in ctx.curves[v][symbol].events]
    grid = ctx.curves["planned"][symbol].moves
    lo = min([-LEAST_RANGE, *wanted])
    hi = max([LEAST_RANGE, *wanted])
    pad = 0.08 * (hi - lo)
    lo, hi = max(float(grid[0]), lo - pad), min(float(grid[-1]), hi + pad)
    curves = []
    for v in ctx.variants:
        result = ctx.curves[v][symbol]
        moves, equity = curve_points(result, lo, hi)
        markers = tuple(
            CurveMarker(
                e.move,
                e.equity_after,
                "cross pool" if e.kind == "cross" else f"{symbol} {e.side} isolated bucket",
            )
            for e in result.events
            if lo <= e.move <= hi
        )
        curves.append(Curve(v, VARIANT_TITLES[v], moves, equity, markers))
    return EquityCurveChart(
        symbol=symbol,
        currency=ctx.currency,
        curves=tuple(curves),
        title=f"Account equity as {symbol} moves",
        x_label=f"move of {symbol} from its mark (every other mark held)",
        y_label=f"equity ({ctx.currency})",
        reference_equity=ctx.analysis.equity,
        move_range=(lo, hi),
        marks=marks,
        note=coincide_note(ctx, symbol, lo, hi),
    )


def move_marks(ctx: Context, indices: list[int], mark: float) -> tuple[MoveMark, ...]:
    found = []
    for i in indices:
        pos, r = ctx.plan.positions[i], ctx.results[i]
        if pos.stop_loss is not None:
            found.append(MoveMark("stop", pos.stop_loss / mark - 1.0, f"{pos.id} stop"))
        for k, tp in enumerate(pos.take_profits, start=1):
            found.append(MoveMark("take_profit", tp.price / mark - 1.0, f"{pos.id} TP{k}"))
        found.append(MoveMark("break_even", r.break_even_price / mark - 1.0, f"{pos.id} B/E"))
    return tuple(found)


def coincide_note(ctx: Context, symbol: str, lo: float, hi: float) -> str:
    variants = ctx.variants
    arrays = {v: ctx.curves[v][symbol] for v in variants}
    grid = arrays["planned"].moves
    inside = (grid >= lo) & (grid <= hi)
    notes = []
    for i, v in enumerate(variants):
        for w in variants[:i]:
            a, b = arrays[v].equity[inside], arrays[w].equity[inside]
            if np.allclose(a, b, rtol=1e-9, atol=1e-9):
                notes.append(f"{VARIANT_TITLES[v]} coincides with {VARIANT_TITLES[w]}")
                break
    return "; ".join(notes) + (" (lines drawn on top of each other)." if notes else "")


def curve_points(
    result: SymbolCurve, lo: float, hi: float
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The grid within [lo, hi] plus, at each liquidation, the equity just before and just
    after it, so that the curve drops straight down where a bucket or the pool fails."""
    moves = result.moves
    inside = (moves >= lo) & (moves <= hi)
    points = list(zip(moves[inside].tolist(), result.equity[inside].tolist(), strict=True))
    for e in result.events:
        if lo <= e.move <= hi:
            toward_zero = -1e-12 if e.move > 0 else 1e-12
            points.append((e.move + toward_zero, e.equity_before))
            points.append((e.move, e.equity_after))
    points.sort(key=lambda p: p[0])
    return tuple(p[0] for p in points), tuple(p[1] for p in points)
