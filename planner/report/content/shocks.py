"""Price shocks: every mark moved together, with the exact failure moves as rows of their own,
finer steps near no move, and one correlated scenario."""

from __future__ import annotations

import numpy as np

from planner.domain.formatting import MISSING, format_percent
from planner.domain.scenarios import LiquidationEvent, liquidating_market_move, sweep
from planner.report.content.base import Context, move_text
from planner.report.model import Block, Column, Paragraph, Row, Section, Table

#: The market-wide moves of the shock table: finer near no move, −50 % … +50 %.
SHOCK_MOVES: tuple[float, ...] = tuple(
    round(p / 100, 10)
    for p in (-50, -40, -30, -20, -15, -10, -7.5, -5, -3, -2, -1, 0,
              1, 2, 3, 5, 7.5, 10, 15, 20, 30, 40, 50)
)  # fmt: skip
#: The correlated scenario: the leading market (largest notional) falls this much.
CORRELATED_MOVE = -0.10
#: Beta of every other market against the leading one when the plan states none.
DEFAULT_BETA = 1.5

SHOCK_CAPTION = "Every mark moved by the same percentage"


def event_title(event: LiquidationEvent) -> str:
    if event.kind == "cross":
        return "cross pool"
    return f"{event.symbol} {event.side} isolated bucket"


def shock_moves(ctx: Context) -> tuple[list[float], dict[float, list[LiquidationEvent]]]:
    """The table's moves: ``SHOCK_MOVES`` plus every exact liquidation move between them."""
    first = sweep(ctx.plan, symbol=None, moves=SHOCK_MOVES)
    at: dict[float, list[LiquidationEvent]] = {}
    for e in first.events:
        if e.direction != 0:
            at.setdefault(e.move, []).append(e)
    return sorted({*SHOCK_MOVES, *at}), at


def shocks(ctx: Context) -> Section:
    plan = ctx.plan
    if not plan.positions:
        return Section("shocks", "Price shocks", (Paragraph("The plan has no positions."),))
    moves, failing = shock_moves(ctx)
    market = sweep(plan, symbol=None, moves=moves)
    now = ctx.analysis.equity
    n_buckets = len(market.buckets)
    rows = []
    for k, move in enumerate(market.moves.tolist()):
        alive = bool(market.cross_alive[k])
        cross_equity = float(market.cross_equity[k])
        maintenance = float(market.cross_maintenance[k])
        risk = maintenance / cross_equity if alive and cross_equity > 0 else None
        dead = int(n_buckets - np.count_nonzero(market.bucket_alive[k])) if n_buckets else 0
        events = failing.get(move, [])
        if events:
            status = "FAILS: " + ", ".join(event_title(e) for e in events)
        elif not market.has_cross:
            status = MISSING
        else:
            status = "ok" if alive else "LIQUIDATED"
        rows.append(
            Row(
                (
                    move_text(move),
                    ctx.amount(float(market.account_equity[k])),
                    ctx.amount(float(market.account_equity[k]) - now, sign=True),
                    ctx.amount(cross_equity),
                    format_percent(risk),
                    status,
                    f"{dead} of {n_buckets}" if n_buckets else MISSING,
                ),
                emphasis=move == 0 or bool(events),
                total=bool(events),
            )
        )
    table = Table(
        (
            Column("Market\nmove", "right"),
            Column("Account\nequity", "right"),
            Column("Change", "right"),
            Column("Cross pool\nequity", "right"),
            Column("Cross risk\nratio", "right"),
            Column("Cross pool", wrap=True),
            Column("Isolated buckets\nliquidated", "right"),
        ),
        tuple(rows),
        caption=SHOCK_CAPTION,
        footnote=f"Amounts in {ctx.currency}. Shaded rows: the exact move at which a bucket or "
        "the pool is liquidated (equity right after it). Walking out from no move in each "
        "direction, a bucket or pool liquidated on the way counts as zero from there on.",
    )
    blocks: list[Block] = [
        Paragraph(
            "What the account looks like if every market moves together by the same "
            "percentage (betas 1). Real markets do not move in lockstep, but correlated moves "
            "are what liquidates a cross pool sooner than each position's own liquidation "
            "price suggests.",
            style="note",
        ),
        table,
        correlated(ctx),
    ]
    if market.events:
        blocks.append(events_table(ctx, market.events))
    else:
        blocks.append(Paragraph("Nothing is liquidated between −50 % and +50 %."))
    return Section("shocks", "Price shocks", tuple(blocks))


def betas(ctx: Context) -> tuple[str, dict[str, float], bool]:
    """The leading market, every market's beta against it, and whether the plan stated them
    (a ``beta`` on a market; otherwise ``DEFAULT_BETA`` for every other market)."""
    size: dict[str, float] = {}
    for i, pos in enumerate(ctx.plan.positions):
        size[pos.symbol] = size.get(pos.symbol, 0.0) + ctx.notional_in_currency(i)
    leader = max(size, key=lambda s: size[s]) if size else ctx.plan.markets[0].symbol
    stated = {
        m.symbol: float(b) for m in ctx.plan.markets if (b := getattr(m, "beta", None)) is not None
    }
    if stated:
        found = {m.symbol: stated.get(m.symbol, 1.0) for m in ctx.plan.markets}
        return leader, found, True
    found = {m.symbol: (1.0 if m.symbol == leader else DEFAULT_BETA) for m in ctx.plan.markets}
    return leader, found, False


def correlated(ctx: Context) -> Block:
    if not ctx.plan.positions:
        return Paragraph("No positions: no correlated scenario.")
    leader, weights, stated = betas(ctx)
    result = sweep(ctx.plan, symbol=None, moves=[CORRELATED_MOVE], betas=weights)
    fall = liquidating_market_move(ctx.plan, weights, direction=-1)
    equity = float(result.account_equity[0])
    dead = [event_title(e) for e in result.events if e.direction <= 0]
    source = (
        "the betas stated in the plan"
        if stated
        else f"beta 1 for {leader}, the largest market, and {DEFAULT_BETA:g} for every other"
    )
    text = (
        f"A correlated fall: {leader} {move_text(CORRELATED_MOVE, 0)}, every other market by "
        f"its beta ({source}). Account equity "
        f"{ctx.amount(equity, unit=True)} ({ctx.amount(equity - ctx.analysis.equity, sign=True)}"
        f"); liquidated: {', '.join(dead) if dead else 'nothing'}. "
    )
    if any(p.margin_mode == "cross" for p in ctx.plan.positions):
        text += (
            f"With these betas the cross pool fails when {leader} falls "
            f"{format_percent(abs(fall), 1)}."
            if fall is not None
            else "With these betas no fall liquidates the cross pool."
        )
    return Paragraph(text)


#: The compact layout lists at most this many liquidations in order.
COMPACT_EVENTS = 20


def events_table(ctx: Context, events: tuple[LiquidationEvent, ...]) -> Table:
    rows = []
    shown = events[:COMPACT_EVENTS] if ctx.compact else events
    for n, e in enumerate(shown, start=1):
        ids = ", ".join(e.position_ids[:6]) + (
            f" and {len(e.position_ids) - 6} more" if len(e.position_ids) > 6 else ""
        )
        rows.append(
            Row(
                (
                    str(n),
                    "at the marks" if e.direction == 0 else format_percent(e.move, 1, sign=True),
                    event_title(e),
                    ctx.price(e.symbol, e.price) if e.symbol else MISSING,
                    ids,
                    ctx.amount(e.equity_after),
                )
            )
        )
    return Table(
        (
            Column("#", "right"),
            Column("Market\nmove", "right"),
            Column("Liquidated"),
            Column("Price", "right"),
            Column("Positions", wrap=True),
            Column("Account equity\nafter", "right"),
        ),
        tuple(rows),
        caption="Liquidations in order",
        footnote="In order: anything liquidated at the marks already, then as the market falls "
        "(nearest first), then as it rises. Price: the bucket's symbol at that move."
        + (f" The first {len(shown)} of {len(events)}." if len(shown) < len(events) else ""),
        compact=ctx.compact,
    )
