"""``margin-planner sweep PLAN (--symbol S | --market [--beta SYM=B ...]) --from -50 --to 50
--steps N [--json]``: the account along a range of price moves (in percent), and the
liquidations in the order they happen with the equity left after each."""

from __future__ import annotations

import argparse
import math

import numpy as np

from planner.commands import json_output
from planner.domain.errors import PlanError
from planner.domain.formatting import format_amount, format_percent, format_price
from planner.domain.scenarios import Sweep, sweep
from planner.domain.text_rules import terminal_text
from planner.storage import load_plan

#: The most moves a sweep takes: 100,001 moves of an example plan print in about 3 s; ten
#: times as many take 13 s and a 100,000,000 ran for over a minute. (The window sweeps 201
#: moves in its shock panel and 501 in its equity chart.)
MAX_STEPS = 100_001


def _beta(text: str) -> tuple[str, float]:
    symbol, sep, value = text.partition("=")
    if not sep or not symbol.strip():
        raise argparse.ArgumentTypeError(f"{text!r}: expected SYMBOL=BETA, e.g. SOLUSDT=1.4")
    try:
        beta = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: the beta must be a number") from None
    if not math.isfinite(beta):
        raise argparse.ArgumentTypeError(f"{text!r}: the beta must be a finite number")
    return symbol.strip(), beta


def _finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r}: expected a finite number")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("plan", metavar="PLAN", help="a .tplan file")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--symbol", metavar="S", help="move this symbol alone (others held)")
    what.add_argument(
        "--market", action="store_true", help="move every symbol together (see --beta)"
    )
    parser.add_argument(
        "--beta",
        metavar="SYM=B",
        type=_beta,
        action="append",
        default=[],
        help="with --market: SYM moves B times the market (default 1); repeatable",
    )
    parser.add_argument(
        "--from", dest="start", type=_finite, default=-50.0, help="first move in %% (-50)"
    )
    parser.add_argument(
        "--to", dest="stop", type=_finite, default=50.0, help="last move in %% (50)"
    )
    parser.add_argument(
        "--steps", type=int, default=21, help=f"number of moves, 2 … {MAX_STEPS:,} (21)"
    )
    parser.add_argument("--json", action="store_true", help="print the sweep as JSON")


def run(args: argparse.Namespace) -> int:
    if args.steps < 2:
        raise PlanError(f"--steps = {args.steps}: give at least 2 steps", field="steps")
    if args.steps > MAX_STEPS:  # refused before the plan is read: no minute-long run
        raise PlanError(f"--steps = {args.steps}: at most {MAX_STEPS:,}", field="steps")
    if args.start >= args.stop:
        raise PlanError(
            f"--from = {args.start:g}, --to = {args.stop:g}: --from must be below --to",
            field="from",
        )
    if args.beta and not args.market:
        raise PlanError("--beta applies to --market sweeps only", field="beta")
    betas: dict[str, float] = {}
    for symbol, beta in args.beta:
        if symbol in betas:
            raise PlanError(f"--beta {symbol}: given twice", field="beta")
        betas[symbol] = beta
    plan = load_plan(args.plan)
    moves = np.linspace(args.start, args.stop, args.steps) / 100.0
    result = sweep(plan, symbol=args.symbol, moves=moves, betas=betas or None)
    if args.json:
        print(json_output.dumps(result.to_dict()))
    else:
        print(terminal_text(render_table(result)))
    return 0


def render_table(result: Sweep) -> str:
    plan = result.plan
    cur = plan.account.currency
    ticks = {m.symbol: m.tick_size for m in plan.markets}
    if result.symbol is None:
        betas = ", ".join(f"{s} {b:g}" for s, b in result.betas.items() if b != 1.0)
        title = "every price moved together" + (f" (betas: {betas}; others 1)" if betas else "")
    else:
        title = f"{result.symbol} moved, every other price held"
    lines = [plan.name or "Untitled plan", title, f"amounts in {cur}", ""]

    headers = ["move"]
    if result.symbol is not None:
        headers.append(f"{result.symbol} price")
    headers += ["account equity", "cross equity", "cross maint.", "buckets alive", "pool"]
    k = None if result.symbol is None else plan.markets.index(plan.market(result.symbol))
    n_buckets = len(result.buckets)
    rows = []
    for step, move in enumerate(result.moves.tolist()):
        row = [format_percent(move, 2, sign=True)]
        if k is not None:
            row.append(format_price(float(result.prices[step, k]), ticks.get(result.symbol)))
        alive = int(result.bucket_alive[step].sum())
        row += [
            format_amount(float(result.account_equity[step]), cur),
            format_amount(float(result.cross_equity[step]), cur),
            format_amount(float(result.cross_maintenance[step]), cur),
            f"{alive}/{n_buckets}",
            ("alive" if result.cross_alive[step] else "LIQUIDATED") if result.has_cross else "—",
        ]
        rows.append(row)
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    lines.append("  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True)))
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.append("")

    if not result.events:
        lines.append("No liquidation in this range.")
        return "\n".join(lines)
    lines.append("Liquidations, in the order they happen moving away from the marks:")
    event_rows = []
    for e in result.events:
        if e.kind == "cross":
            what = f"cross pool ({', '.join(e.position_ids)})"
        else:
            what = f"isolated {e.symbol} {e.side} ({', '.join(e.position_ids)})"
        where = "at the marks" if e.direction == 0 else format_percent(e.move, 2, sign=True)
        price = format_price(e.price, ticks.get(e.symbol or result.symbol or ""))
        event_rows.append(
            [where, price if e.price is not None else "", what, format_amount(e.equity_after, cur)]
        )
    headers = ["move", "price", "liquidated", "equity left"]
    widths = [max(len(h), *(len(r[i]) for r in event_rows)) for i, h in enumerate(headers)]
    left = {2}
    lines.append(
        "  ".join(
            h.ljust(w) if i in left else h.rjust(w)
            for i, (h, w) in enumerate(zip(headers, widths, strict=True))
        )
    )
    lines.append("  ".join("-" * w for w in widths))
    for r in event_rows:
        lines.append(
            "  ".join(
                c.ljust(w) if i in left else c.rjust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            ).rstrip()
        )
    lines.append("")
    lines.append(
        "a liquidated isolated bucket loses its whole margin; a liquidated cross pool closes "
        "every cross position and keeps nothing (the venue takes its maintenance margin)"
    )
    return "\n".join(lines)
