"""``margin-planner analyze PLAN [--json] [--in ASSET]``: the analysis of a plan."""

from __future__ import annotations

import argparse

from planner.commands import json_output
from planner.commands.time_table import render_time
from planner.commands.values_in import ValuesIn, add_values_in_argument, render_collateral
from planner.domain.analysis import Analysis
from planner.domain.formatting import format_percent, format_price, format_quantity
from planner.domain.plan_analysis import analyze
from planner.domain.text_rules import terminal_text
from planner.marketdata.gap import add_venue_gaps, venue_gap_lines
from planner.storage import load_plan


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("plan", metavar="PLAN", help="a .tplan file")
    parser.add_argument(
        "--json", action="store_true", help="print the analysis as JSON (spec/plan-format.md)"
    )
    add_values_in_argument(parser)


def run(args: argparse.Namespace) -> int:
    analysis = analyze(load_plan(args.plan))
    values = ValuesIn.of(analysis.plan, args.values_in)
    if args.json:
        document = analysis.to_dict()
        add_venue_gaps(document, analysis)  # imported positions: ours beside the venue's
        print(json_output.dumps(document))
    else:
        print(
            terminal_text("\n".join([render_table(analysis, values), *venue_gap_lines(analysis)]))
        )
    return 0


def render_table(analysis: Analysis, values: ValuesIn | None = None) -> str:
    plan = analysis.plan
    values = values or ValuesIn.of(plan, None)
    format_amount = values.format_amount  # every amount below in the chosen unit
    cur = analysis.currency
    ticks = {m.symbol: m.tick_size for m in plan.markets}
    lines: list[str] = []
    account = plan.account
    title = plan.name or "Untitled plan"
    lines.append(f"{title}")
    lines.append(
        f"venue {account.venue} · {account.position_mode} · {cur} · "
        f"taker {format_percent(account.taker_fee_rate, 3)} · "
        f"maker {format_percent(account.maker_fee_rate, 3)}"
    )
    lines.append("")
    cross = analysis.cross
    figures = analysis.figures
    # (label, value, unit)
    summary = [
        ("Wallet balance", format_amount(analysis.wallet_balance, cur), cur),
        ("Unrealised PnL", format_amount(analysis.unrealized_pnl, cur), cur),
        ("Equity", format_amount(analysis.equity, cur), cur),
        ("Isolated margin", format_amount(analysis.isolated_margin, cur), cur),
        ("Cross wallet", format_amount(cross.wallet_balance, cur), cur),
        ("Cross equity", format_amount(cross.equity, cur), cur),
        ("Cross initial margin", format_amount(cross.initial_margin, cur), cur),
        ("Cross maintenance", format_amount(cross.maintenance_margin, cur), cur),
        ("Cross available", format_amount(cross.available, cur), cur),
        ("Cross risk ratio", format_percent(cross.risk_ratio), ""),
        ("Gross notional", format_amount(figures.gross_notional, cur), cur),
        ("Effective leverage", _times(figures.effective_leverage), ""),
        ("Loss at stops", format_amount(figures.loss_at_stops, cur), cur),
        ("Risk at stops", format_percent(figures.risk_at_stops), ""),
        ("Positions without stop", str(figures.positions_without_stop), ""),
        ("Worst-case loss", format_amount(figures.worst_case_loss, cur), cur),
    ]
    if analysis.collateral:
        summary.insert(5, ("Cross collateral", format_amount(cross.collateral_value, cur), cur))
    width = max(len(k) for k, _, _ in summary)
    value_width = max(len(v) for _, v, _ in summary)
    for key, value, unit in summary:
        unit = (values.unit if unit == cur else unit) if value != "—" else ""
        lines.append(f"  {key:<{width}}  {value:>{value_width}} {unit}".rstrip())
    if cross.liquidated:
        lines.append("  !! the cross pool is liquidated at these marks")
    lines.append("")
    lines.extend(render_collateral(analysis, values))

    headers = [
        "id",
        "symbol",
        "side",
        "mode",
        "qty",
        "entry",
        "mark",
        "notional",
        "margin",
        "uPnL",
        "liq. price",
        "bankruptcy",
        "to liq.",
        "risk",
        "loss@stop",
    ]
    rows = []
    for p in analysis.positions:
        tick = ticks.get(p.symbol)
        rows.append(
            [
                p.id,
                p.symbol,
                p.side,
                p.margin_mode,
                format_quantity(p.quantity),
                format_price(p.entry_price, tick),
                format_price(p.mark_price, tick),
                format_amount(
                    p.notional, cur if plan.market(p.symbol).contract == "linear" else "coin"
                ),
                format_amount(p.margin if p.margin is not None else p.initial_margin, cur),
                format_amount(p.unrealized_pnl, cur),
                format_price(p.liquidation_price, tick),
                format_price(p.bankruptcy_price, tick),
                format_percent(p.liquidation_distance, 1, sign=True),
                format_percent(p.risk_ratio, 1) + (" LIQ" if p.liquidated else ""),
                format_amount(p.loss_at_stop, cur),
            ]
        )
    if not rows:
        lines.append("  (no positions)")
        lines += ["", *render_warnings(analysis)]
        return "\n".join(lines)
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    left = {0, 1, 2, 3}

    def fmt(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i in left else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    lines.append(fmt(headers))
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(fmt(r) for r in rows)
    lines.extend(render_time(analysis))
    lines.append("")
    lines.append(
        f"amounts in {values.unit}{values.note()}; margin is the isolated bucket or, for cross, "
        "the initial margin; risk = maintenance / equity (100 % = liquidation)"
    )
    lines += ["", *render_warnings(analysis)]
    return "\n".join(lines)


def _times(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}×"


def render_warnings(analysis: Analysis) -> list[str]:
    """The "Warnings" block: one line per warning, most severe first."""
    warnings = analysis.warnings
    if not warnings:
        return ["Warnings: none"]
    lines = [f"Warnings ({len(warnings)})"]
    width = max(len(w.severity) for w in warnings)
    lines += [f"  {w.severity.upper():<{width}}  {w.message}" for w in warnings]
    return lines
