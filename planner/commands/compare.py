"""``margin-planner compare PLAN [--json] [--in ASSET]``: the plan as planned, all-cross and
all-isolated."""

from __future__ import annotations

import argparse

from planner.commands import json_output
from planner.commands.values_in import ValuesIn, add_values_in_argument
from planner.domain.formatting import format_percent, format_price
from planner.domain.text_rules import terminal_text
from planner.domain.twin import VARIANT_TITLES, Comparison, TwinFigures, compare
from planner.storage import load_plan


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("plan", metavar="PLAN", help="a .tplan file")
    parser.add_argument("--json", action="store_true", help="print the comparison as JSON")
    add_values_in_argument(parser)


def run(args: argparse.Namespace) -> int:
    plan = load_plan(args.plan)
    values = ValuesIn.of(plan, args.values_in)
    comparison = compare(plan)
    if args.json:
        print(json_output.dumps(comparison.to_dict()))
    else:
        print(terminal_text(render_table(comparison, values)))
    return 0


def _table(rows: list[tuple[str, list[str]]], titles: list[str], indent: str) -> list[str]:
    key_width = max(len(k) for k, _ in rows)
    widths = [max(len(t), *(len(cells[i]) for _, cells in rows)) for i, t in enumerate(titles)]
    lines = [
        indent
        + " " * key_width
        + "  "
        + "  ".join(t.rjust(w) for t, w in zip(titles, widths, strict=True))
    ]
    for key, cells in rows:
        line = f"{indent}{key:<{key_width}}  " + "  ".join(
            c.rjust(w) for c, w in zip(cells, widths, strict=True)
        )
        lines.append(line.rstrip())
    return lines


def _worst_case(figures: TwinFigures, currency: str, values: ValuesIn) -> str:
    """A cross position's worst case is the pool's, which it shares: say so."""
    amount = values.format_amount(figures.worst_case_loss, currency)
    return f"the pool: {amount}" if figures.shares_pool else amount


def render_table(comparison: Comparison, values: ValuesIn | None = None) -> str:
    plan = comparison.plan
    values = values or ValuesIn.of(plan, None)
    format_amount = values.format_amount  # every amount below in the chosen unit
    cur = comparison.currency
    variants = list(comparison.variants)
    titles = [VARIANT_TITLES[v] for v in variants]
    lines = [plan.name or "Untitled plan", f"amounts in {values.unit}{values.note()}", ""]

    totals = comparison.totals
    lines += _table(
        [
            ("Margin locked", [format_amount(totals[v].margin_locked, cur) for v in variants]),
            ("Worst-case loss", [format_amount(totals[v].worst_case_loss, cur) for v in variants]),
            ("Free balance", [format_amount(totals[v].free_balance, cur) for v in variants]),
            (
                "Pool fails on a fall of",
                [format_percent(totals[v].pool_move_down, 1) for v in variants],
            ),
            (
                "Pool fails on a rise of",
                [format_percent(totals[v].pool_move_up, 1) for v in variants],
            ),
            (
                "Liquidated before stop",
                [str(totals[v].stops_after_liquidation) for v in variants],
            ),
        ],
        titles,
        "",
    )

    ticks = {m.symbol: m.tick_size for m in plan.markets}
    for p in comparison.positions:
        tick = ticks.get(p.symbol)
        stop = "no stop" if p.stop_loss is None else f"stop {format_price(p.stop_loss, tick)}"
        lines += [
            "",
            f"{p.id}  {p.symbol} {p.side} {p.margin_mode}  "
            f"(mark {format_price(p.mark_price, tick)}, {stop})",
        ]
        f = [p.variants[v] for v in variants]
        lines += _table(
            [
                ("Mode", [x.margin_mode for x in f]),
                ("Liquidation price", [format_price(x.liquidation_price, tick) for x in f]),
                (
                    "To liquidation",
                    [format_percent(x.liquidation_distance, 1, sign=True) for x in f],
                ),
                (
                    "Liquidation beyond stop",
                    [format_percent(x.liquidation_beyond_stop, 1, sign=True) for x in f],
                ),
                ("Margin locked", [format_amount(x.margin_locked, cur) for x in f]),
                ("Worst-case loss", [_worst_case(x, cur, values) for x in f]),
                ("Loss at stop", [format_amount(x.loss_at_stop, cur) for x in f]),
            ],
            titles,
            "  ",
        )
        lines.append(f"  {p.sentence_in(lambda v: format_amount(v, cur, with_unit=True))}")
    if not comparison.positions:
        lines += ["", "  (no positions)"]
    lines += [
        "",
        "to liquidation: from the mark; beyond stop: how far liquidation lies past the stop "
        "(negative: liquidated first), a fraction of the stop price; worst-case loss: what can "
        "still be lost from the marks (a cross position shares the pool's)",
    ]
    return "\n".join(lines)
