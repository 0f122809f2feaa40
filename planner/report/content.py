"""What the PDF report says, assembled from a plan and its analysis — pure Python, no Qt.

``build_report(plan)`` returns a ``ReportDocument`` (``planner.report.model``): sections of
paragraphs, key–value lists, tables and chart specs, with every number formatted by
``planner.domain.formatting`` so that the report agrees with the app to the last digit. The
report records every assumption behind its figures (venue rules, position mode, fees, each
market's contract, mark price and full tier table with its source and date) and embeds the plan
itself, so it can be reproduced later.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import PurePath

import numpy as np

from planner.domain.analysis import Analysis, PositionResult
from planner.domain.formatting import (
    MISSING,
    format_amount,
    format_leverage,
    format_percent,
    format_price,
    format_quantity,
    format_ratio,
)
from planner.domain.ladder import Level, symbol_ladder
from planner.domain.plan import FlatMaintenance, Market, Plan
from planner.domain.plan_analysis import analyze
from planner.domain.scenarios import VARIANTS, LiquidationEvent, Sweep, sweep, sweep_variants
from planner.domain.twin import VARIANT_TITLES, PlanFigures, beyond_stop, compare
from planner.domain.venues import VENUES
from planner.domain.warnings import plan_warnings
from planner.report.collateral_rows import collateral_rows
from planner.report.model import (
    Block,
    Column,
    Curve,
    CurveMarker,
    EquityCurveChart,
    Figure,
    KeyValueList,
    LadderLabel,
    LadderLevel,
    Paragraph,
    PriceLadderChart,
    ReportDocument,
    Row,
    Section,
    Subheading,
    Table,
)
from planner.storage import plan_to_bytes
from planner.version import app_version

__all__ = ["SHOCK_MOVES", "app_version", "build_report", "plan_fingerprint"]

#: The market-wide moves of the price-shock table: −50 % … +50 % in steps of 10 %.
SHOCK_MOVES: tuple[float, ...] = tuple(round(k / 10, 10) for k in range(-5, 6))
#: The symbol moves of the equity curves: −50 % … +50 % in steps of 0.25 %.
CURVE_MOVES: tuple[float, ...] = tuple(round(k / 400, 10) for k in range(-200, 201))

NOT_STATED = "not stated"


def plan_fingerprint(plan: Plan) -> str:
    """SHA-256 of the plan's canonical JSON: names the exact plan a report was made from."""
    canonical = json.dumps(
        plan.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def build_report(
    plan: Plan,
    *,
    analysis: Analysis | None = None,
    generated_at: datetime | None = None,
    source: str | None = None,
) -> ReportDocument:
    """The whole report of ``plan``. ``source`` is the plan file's path, if it has one."""
    analysis = analysis if analysis is not None else analyze(plan)
    builder = _Builder(plan, analysis)
    when = (generated_at or datetime.now().astimezone()).replace(microsecond=0)
    generated = _format_time(when)
    name = plan.name.strip() or "Untitled plan"
    ver = app_version()
    fingerprint = plan_fingerprint(plan)
    venue = VENUES[plan.account.venue]
    cover_items = [
        ("Generated", generated),
        ("Margin Planner", f"version {ver}"),
        ("Venue rules", venue.title),
        ("Settlement currency", plan.account.currency),
        ("Positions", _count_positions(plan)),
    ]
    if source:
        cover_items.append(("Plan file", PurePath(source).name))
    cover_items.append(("Plan fingerprint", f"SHA-256 {fingerprint[:16]}…"))
    attachment_name = _attachment_name(plan, source)
    sections = (
        builder.summary(),
        builder.assumptions(attachment_name),
        builder.account(),
        builder.positions(),
        builder.charts(),
        builder.twin(),
        builder.shocks(),
        builder.notes(),
        builder.explanation(),
        builder.disclaimer(),
    )
    return ReportDocument(
        title="Margin plan report",
        plan_name=name,
        generated=generated,
        app_version=ver,
        cover=KeyValueList(tuple(cover_items), columns=2),
        sections=sections,
        header_left=f"Margin plan report · {name}",
        header_right=generated,
        footer_left=f"Margin Planner {ver} · {venue.title} rules · plan {fingerprint[:12]}",
        attachments=((attachment_name, plan_to_bytes(plan), "application/json"),),
    )


def _format_time(when: datetime) -> str:
    if when.tzinfo is None:
        return when.strftime("%Y-%m-%d %H:%M")
    offset = when.strftime("%z")
    zone = "UTC" if offset in ("+0000", "-0000") else f"UTC{offset[:3]}:{offset[3:]}"
    return f"{when.strftime('%Y-%m-%d %H:%M')} {zone}"


def _attachment_name(plan: Plan, source: str | None) -> str:
    if source:
        stem = PurePath(source).stem or "plan"
    else:
        stem = "".join(c if c.isalnum() else "-" for c in plan.name.strip().lower())
        stem = "-".join(part for part in stem.split("-") if part)[:40].strip("-") or "plan"
    return f"{stem}.tplan"


def _count_positions(plan: Plan) -> str:
    cross = sum(p.margin_mode == "cross" for p in plan.positions)
    isolated = len(plan.positions) - cross
    return f"{len(plan.positions)} ({cross} cross, {isolated} isolated)"


def exact_percent(rate: float, least: int = 2, most: int = 4) -> str:
    """A rate with as many decimals (``least``…``most``) as it needs to be shown exactly."""
    for decimals in range(least, most + 1):
        if abs(round(rate * 100, decimals) - rate * 100) < 1e-9:
            return format_percent(rate, decimals)
    return format_percent(rate, most)


class _Builder:
    def __init__(self, plan: Plan, analysis: Analysis) -> None:
        self.plan = plan
        self.analysis = analysis
        self.currency = plan.account.currency
        self.ticks = {m.symbol: m.tick_size for m in plan.markets}
        self.results: tuple[PositionResult, ...] = analysis.positions

    # -- helpers ---------------------------------------------------------------------------

    def price(self, symbol: str, value: float | None) -> str:
        return format_price(value, self.ticks.get(symbol))

    def amount(self, value: float | None, *, unit: bool = False, sign: bool = False) -> str:
        return format_amount(value, self.currency, with_unit=unit, sign=sign)

    def notional(self, market: Market, value: float | None) -> str:
        if market.contract == "linear":
            return format_amount(value, self.currency)
        return format_amount(value, "coin")

    def symbols_in_use(self) -> list[str]:
        used = {p.symbol for p in self.plan.positions}
        return [m.symbol for m in self.plan.markets if m.symbol in used]

    # -- sections --------------------------------------------------------------------------

    def summary(self) -> Section:
        a = self.analysis
        cross = a.cross
        items = [
            ("Wallet balance", self.amount(a.wallet_balance, unit=True)),
            ("Unrealised PnL", self.amount(a.unrealized_pnl, unit=True, sign=True)),
            ("Equity", self.amount(a.equity, unit=True)),
            ("Isolated margin", self.amount(a.isolated_margin, unit=True)),
            ("Cross pool equity", self.amount(cross.equity, unit=True)),
            ("Cross available", self.amount(cross.available, unit=True)),
            ("Cross risk ratio", format_percent(cross.risk_ratio)),
        ]
        nearest = self._nearest_liquidation()
        if nearest is not None:
            r = nearest
            items.append(
                (
                    "Nearest liquidation",
                    f"{r.id} at {self.price(r.symbol, r.liquidation_price)} "
                    f"({format_percent(r.liquidation_distance, 1, sign=True)} from mark)",
                )
            )
        blocks: list[Block] = [KeyValueList(tuple(items), columns=2), Subheading("Warnings")]
        warnings = plan_warnings(self.plan, self.analysis)
        if warnings:
            blocks.append(
                Table(
                    (Column("Severity"), Column("Position"), Column("Warning", wrap=True)),
                    tuple(
                        Row(
                            (w.severity.upper(), w.position_id or "account", w.text),
                            emphasis=w.severity == "danger",
                        )
                        for w in warnings
                    ),
                )
            )
        else:
            blocks.append(Paragraph("None: nothing in this plan needs attention at these prices."))
        return Section("summary", "Summary", tuple(blocks))

    def _nearest_liquidation(self) -> PositionResult | None:
        candidates = [r for r in self.results if r.liquidation_distance is not None]
        if not candidates:
            return None
        return min(candidates, key=lambda r: abs(r.liquidation_distance or 0.0))

    def assumptions(self, attachment_name: str) -> Section:
        account = self.plan.account
        venue = VENUES[account.venue]
        mode = (
            "One-way: positions on one symbol share one side and are netted into one "
            "exchange position (summed quantity, quantity-weighted entry)."
            if account.position_mode == "one-way"
            else "Hedge: each symbol has a long leg and a short leg; positions of one symbol "
            "and side are netted into their leg, and cross legs of a symbol share one "
            "liquidation price."
        )
        blocks: list[Block] = [
            Paragraph(
                "Every figure in this report follows from the assumptions below. They are "
                f"stored in the plan, and the plan itself is embedded in this PDF as "
                f"“{attachment_name}”, so the report can be reproduced later.",
                style="lead",
            ),
            KeyValueList(
                (
                    ("Venue rules", f"{venue.title}: {venue.summary}"),
                    ("Position mode", mode),
                    ("Settlement currency", account.currency),
                    ("Wallet balance", self.amount(account.wallet_balance, unit=True)),
                    *collateral_rows(
                        self.analysis,
                        lambda value: self.amount(value, unit=True),
                        lambda symbol, value: self.price(symbol or "", value),
                    ),
                    ("Taker fee", exact_percent(account.taker_fee_rate)),
                    ("Maker fee", exact_percent(account.maker_fee_rate)),
                    (
                        "Prices",
                        "Every position is valued at its market's mark price below; "
                        "liquidation prices take the tier at the liquidation price.",
                    ),
                    (
                        "Fees in figures",
                        "The taker fee is charged on entry and exit in break-even prices, "
                        "losses at stops and rewards at take-profits.",
                    ),
                    ("Not included", "Funding payments, open orders and liquidation fees."),
                )
            ),
            self._markets_table(),
        ]
        for market in self.plan.markets:
            blocks.append(self._tier_table(market))
        return Section("assumptions", "Assumptions", tuple(blocks))

    def _markets_table(self) -> Table:
        rows = []
        for m in self.plan.markets:
            _, as_of = _tier_provenance(m)
            rule = (
                "flat rate"
                if isinstance(m.maintenance, FlatMaintenance)
                else f"{len(m.tiers)} tiers"
            )
            rows.append(
                Row(
                    (
                        m.symbol,
                        m.contract,
                        format_quantity(m.contract_size)
                        + (" USD" if m.contract == "inverse" else ""),
                        self.price(m.symbol, m.mark_price),
                        format_quantity(m.tick_size) if m.tick_size is not None else MISSING,
                        rule,
                        as_of,
                    )
                )
            )
        return Table(
            (
                Column("Symbol"),
                Column("Contract"),
                Column("Contract\nsize", "right"),
                Column("Mark price", "right"),
                Column("Tick size", "right"),
                Column("Maintenance"),
                Column("Tiers as of"),
            ),
            tuple(rows),
            caption="Markets",
            footnote="Each market's tier table, with its source, follows.",
        )

    def _tier_table(self, market: Market) -> Table:
        source, as_of = _tier_provenance(market)
        unit = self.currency if market.contract == "linear" else "coin"
        rows = []
        for k, tier in enumerate(market.tiers, start=1):
            rows.append(
                Row(
                    (
                        str(k),
                        self.notional(market, tier.notional_floor),
                        self.notional(market, tier.notional_cap)
                        if tier.notional_cap is not None
                        else "no cap",
                        format_leverage(tier.max_leverage)
                        if tier.max_leverage is not None
                        else "no limit",
                        exact_percent(tier.mmr),
                        self.notional(market, tier.maintenance_amount),
                    )
                )
            )
        return Table(
            (
                Column("Tier", "right"),
                Column(f"Notional floor\n({unit})", "right"),
                Column(f"Notional cap\n({unit})", "right"),
                Column("Max\nleverage", "right"),
                Column("Maintenance\nrate", "right"),
                Column(f"Maintenance\namount ({unit})", "right"),
            ),
            tuple(rows),
            caption=f"{market.symbol} maintenance tiers",
            subcaption=f"Source: {source}. As of: {as_of}.",
        )

    def account(self) -> Section:
        a = self.analysis
        cross = a.cross
        totals = KeyValueList(
            (
                ("Wallet balance", self.amount(a.wallet_balance, unit=True)),
                ("Unrealised PnL", self.amount(a.unrealized_pnl, unit=True, sign=True)),
                ("Equity", self.amount(a.equity, unit=True)),
                ("Isolated margin", self.amount(a.isolated_margin, unit=True)),
            ),
            title="Totals",
        )
        pool = KeyValueList(
            (
                ("Cross wallet balance", self.amount(cross.wallet_balance, unit=True)),
                ("Cross unrealised PnL", self.amount(cross.unrealized_pnl, unit=True, sign=True)),
                ("Cross equity", self.amount(cross.equity, unit=True)),
                ("Cross initial margin", self.amount(cross.initial_margin, unit=True)),
                ("Cross maintenance margin", self.amount(cross.maintenance_margin, unit=True)),
                ("Cross available", self.amount(cross.available, unit=True)),
                ("Cross risk ratio", format_percent(cross.risk_ratio)),
                ("Cross pool status", "LIQUIDATED" if cross.liquidated else "not liquidated"),
            ),
            title="Cross pool",
        )
        blocks: list[Block] = [totals, pool]
        if a.buckets:
            rows = []
            for b in a.buckets:
                rows.append(
                    Row(
                        (
                            b.symbol,
                            b.side,
                            ", ".join(b.position_ids),
                            self.amount(b.margin),
                            self.amount(b.unrealized_pnl, sign=True),
                            self.amount(b.equity),
                            self.amount(b.maintenance_margin),
                            format_percent(b.risk_ratio),
                            self.price(b.symbol, b.liquidation_price),
                            self.price(b.symbol, b.bankruptcy_price),
                            "LIQUIDATED" if b.liquidated else "ok",
                        ),
                        emphasis=b.liquidated,
                    )
                )
            blocks.append(
                Table(
                    (
                        Column("Symbol"),
                        Column("Side"),
                        Column("Positions", wrap=True),
                        Column("Margin", "right"),
                        Column("Unrealised\nPnL", "right"),
                        Column("Equity", "right"),
                        Column("Maintenance\nmargin", "right"),
                        Column("Risk\nratio", "right"),
                        Column("Liquidation\nprice", "right"),
                        Column("Bankruptcy\nprice", "right"),
                        Column("Status"),
                    ),
                    tuple(rows),
                    caption="Isolated buckets",
                    footnote=f"Amounts in {self.currency}. Risk ratio = maintenance margin / "
                    "equity; 100 % means liquidation.",
                )
            )
        else:
            blocks.append(Paragraph("Isolated buckets: none — every position is in cross margin."))
        return Section("account", "Account", tuple(blocks))

    def positions(self) -> Section:
        plan = self.plan
        if not plan.positions:
            return Section("positions", "Positions", (Paragraph("The plan has no positions."),))
        cur = self.currency
        prices, margins, targets, notes = [], [], [], []
        for pos, r in zip(plan.positions, self.results, strict=True):
            market = plan.market(pos.symbol)
            sym = pos.symbol
            prices.append(
                Row(
                    (
                        pos.id,
                        sym,
                        pos.side,
                        pos.margin_mode,
                        format_quantity(pos.quantity),
                        format_leverage(pos.leverage),
                        self.price(sym, r.entry_price),
                        self.price(sym, r.mark_price),
                        self.notional(market, r.notional),
                        self.amount(r.unrealized_pnl, sign=True),
                        self.price(sym, r.liquidation_price),
                        self.price(sym, r.bankruptcy_price),
                        format_percent(r.liquidation_distance, 1, sign=True),
                    ),
                    emphasis=r.liquidated,
                )
            )
            margins.append(
                Row(
                    (
                        pos.id,
                        self.amount(r.initial_margin),
                        self.amount(pos.added_margin) if pos.margin_mode == "isolated" else MISSING,
                        self.amount(r.margin),
                        self.amount(r.equity),
                        exact_percent(r.maintenance_rate),
                        self.notional(market, r.maintenance_amount),
                        self.amount(r.maintenance_margin),
                        format_percent(r.risk_ratio),
                        self.amount(r.max_loss),
                        "LIQUIDATED" if r.liquidated else "ok",
                    ),
                    emphasis=r.liquidated,
                )
            )
            tps = (
                "\n".join(
                    f"{self.price(sym, tp.price)} × {format_percent(tp.fraction, 0)} → "
                    f"{self.amount(tp.reward, sign=True)}"
                    for tp in r.take_profits
                )
                or MISSING
            )
            buffer = beyond_stop(r.mark_price, r.liquidation_price, pos.stop_loss)
            targets.append(
                Row(
                    (
                        pos.id,
                        self.price(sym, pos.stop_loss),
                        self.amount(r.loss_at_stop),
                        self.price(sym, r.break_even_price),
                        tps,
                        format_ratio(r.reward_to_risk),
                        _buffer_text(buffer),
                    ),
                    emphasis=buffer is not None and buffer < 0,
                )
            )
            if pos.notes.strip():
                notes.append(Row((pos.id, pos.notes.strip())))
        blocks: list[Block] = [
            Table(
                (
                    Column("Position"),
                    Column("Symbol"),
                    Column("Side"),
                    Column("Mode"),
                    Column("Quantity", "right"),
                    Column("Lever-\nage", "right"),
                    Column("Entry\nprice", "right"),
                    Column("Mark\nprice", "right"),
                    Column("Notional", "right"),
                    Column("Unrealised\nPnL", "right"),
                    Column("Liquidation\nprice", "right"),
                    Column("Bankruptcy\nprice", "right"),
                    Column("To liq.", "right"),
                ),
                tuple(prices),
                caption="Size and prices",
                footnote=f"Amounts in {cur}; notional at the mark (inverse contracts: in coin). "
                "“To liq.” is the distance from the mark to the liquidation price. A cross "
                "position's liquidation price assumes every other mark stays where it is.",
            ),
            Table(
                (
                    Column("Position"),
                    Column("Initial\nmargin", "right"),
                    Column("Added\nmargin", "right"),
                    Column("Isolated\nmargin", "right"),
                    Column("Isolated\nequity", "right"),
                    Column("Maint.\nrate", "right"),
                    Column("Maint.\namount", "right"),
                    Column("Maint.\nmargin", "right"),
                    Column("Risk\nratio", "right"),
                    Column("Max loss", "right"),
                    Column("Status"),
                ),
                tuple(margins),
                caption="Margin and maintenance",
                footnote=f"Amounts in {cur}. Isolated margin = initial + added margin (isolated "
                "positions only). Max loss: isolated — the bucket's margin; cross — the whole "
                "cross pool's equity. Risk ratio: the bucket's, or the cross pool's.",
            ),
            Table(
                (
                    Column("Position"),
                    Column("Stop", "right"),
                    Column("Loss at\nstop", "right"),
                    Column("Break-even", "right"),
                    Column("Take-profits (price × share → reward)", "right"),
                    Column("Reward /\nrisk", "right"),
                    Column("Liquidation vs stop", "right"),
                ),
                tuple(targets),
                caption="Plan: stop and targets",
                footnote=f"Amounts in {cur}, net of the taker fee on entry and exit.",
            ),
        ]
        if notes:
            blocks.append(
                Table(
                    (Column("Position"), Column("Notes", wrap=True)),
                    tuple(notes),
                    caption="Position notes",
                )
            )
        return Section("positions", "Positions", tuple(blocks))

    def charts(self) -> Section:
        symbols = self.symbols_in_use()
        if not symbols:
            return Section("charts", "Charts", (Paragraph("No positions to chart."),))
        blocks: list[Block] = [
            Paragraph(
                "For each symbol: on the left, the price ladder — every planned level and where "
                "the margin fails; on the right, account equity as that symbol alone moves "
                "(every other mark held), for the plan as it is, all-cross and all-isolated. "
                "Markers show where an isolated bucket or the cross pool is liquidated; a "
                "liquidated bucket or pool counts as zero from there on.",
                style="note",
            )
        ]
        for symbol in symbols:
            ladder = self.ladder_chart(symbol)
            curves = self.equity_chart(symbol)
            blocks.append(
                Figure(
                    (ladder, curves),
                    caption=f"{symbol}: price ladder and account equity against the move of "
                    f"{symbol}.",
                    widths=(0.5, 0.5),
                )
            )
        return Section("charts", "Charts", tuple(blocks), page_break_before=True)

    def ladder_chart(self, symbol: str) -> PriceLadderChart:
        """Every level as a line; labels merged where levels coincide (one netted bucket's
        liquidation price for all its positions) and summarised where one kind crowds the
        ladder (more than ``LADDER_KIND_LABELS`` entries, say)."""
        market = self.plan.market(symbol)
        found = symbol_ladder(self.analysis, symbol).levels
        # tier boundaries only where they fall among the other levels: far ones would squeeze
        # the levels that matter into a corner of the chart
        prices = [level.price for level in found if level.kind != "tier"]
        low, high = min(prices), max(prices)
        margin = (high - low) * 0.1 or high * 0.02
        found = tuple(
            level
            for level in found
            if level.kind != "tier" or low - margin <= level.price <= high + margin
        )
        levels = tuple(
            LadderLevel(level.kind, level.price, level.label, self.price(symbol, level.price))
            for level in found
        )
        return PriceLadderChart(
            symbol=symbol,
            mark_price=market.mark_price,
            levels=levels,
            labels=self._ladder_labels(symbol, found),
            title=f"{symbol} price ladder",
        )

    def _ladder_labels(self, symbol: str, levels: Sequence[Level]) -> tuple[LadderLabel, ...]:
        # coinciding levels of one kind share a label
        same: dict[tuple[str, str], list[Level]] = {}
        for level in levels:
            same.setdefault((level.kind, self.price(symbol, level.price)), []).append(level)
        merged: list[tuple[str, float, str, str, int]] = []
        for (kind, price_text), group in same.items():
            first = group[0]
            if len(group) == 1:
                text = first.label
            else:
                mode = f" ({first.margin_mode})" if first.margin_mode else ""
                text = f"{_KIND_WORDS[kind]}{mode} of {len(group)} positions"
            merged.append((kind, first.price, text, price_text, len(group)))
        labels: list[LadderLabel] = []
        for kind in _KIND_WORDS:
            of_kind = [m for m in merged if m[0] == kind]
            if len(of_kind) > LADDER_KIND_LABELS and kind not in ("mark", "liquidation"):
                low = min(of_kind, key=lambda m: m[1])
                high = max(of_kind, key=lambda m: m[1])
                count = sum(m[4] for m in of_kind)
                labels.append(
                    LadderLabel(
                        kind,  # type: ignore[arg-type]
                        (low[1] + high[1]) / 2,
                        f"{_KIND_WORDS[kind]} ×{count}",
                        f"{low[3]} – {high[3]}",
                        _LADDER_PRIORITY[kind],
                        count,
                    )
                )
            else:
                labels.extend(
                    LadderLabel(kind, price, text, price_text, _LADDER_PRIORITY[kind], count)  # type: ignore[arg-type]
                    for kind, price, text, price_text, count in of_kind
                )
        return tuple(labels)

    def equity_chart(self, symbol: str) -> EquityCurveChart:
        sweeps = sweep_variants(self.plan, symbol=symbol, moves=CURVE_MOVES)
        curves = []
        for key in VARIANTS:
            result = sweeps[key]
            moves, equity = _curve_points(result)
            markers = tuple(
                CurveMarker(e.move, e.equity_after, _event_title(e))
                for e in result.events
                if CURVE_MOVES[0] <= e.move <= CURVE_MOVES[-1]
            )
            curves.append(Curve(key, VARIANT_TITLES[key], moves, equity, markers))
        return EquityCurveChart(
            symbol=symbol,
            currency=self.currency,
            curves=tuple(curves),
            title=f"Account equity as {symbol} moves",
            x_label=f"move of {symbol} from its mark (every other mark held)",
            y_label=f"equity ({self.currency})",
            reference_equity=self.analysis.equity,
        )

    def twin(self) -> Section:
        comparison = compare(self.plan)
        if not comparison.positions:
            return Section("twin", "Cross or isolated", (Paragraph("The plan has no positions."),))
        rows: list[Row] = []
        for g, entry in enumerate(comparison.positions):
            for variant in VARIANTS:
                f = entry.variants[variant]
                rows.append(
                    Row(
                        (
                            entry.id if variant == "planned" else "",
                            VARIANT_TITLES[variant]
                            + (f" ({f.margin_mode})" if variant == "planned" else ""),
                            self.price(entry.symbol, f.liquidation_price),
                            _buffer_text(f.liquidation_beyond_stop),
                            self.amount(f.margin_locked),
                            self.amount(f.worst_case_loss),
                            self.amount(f.free_balance),
                        ),
                        group=g,
                        emphasis=f.liquidated or bool(f.liquidated_before_stop),
                    )
                )
            rows.append(Row((entry.sentence,), group=g, span=True))
        positions = Table(
            (
                Column("Position"),
                Column("Margin"),
                Column("Liquidation\nprice", "right"),
                Column("Liquidation vs stop", "right"),
                Column("Margin\nlocked", "right"),
                Column("Worst-case\nloss", "right"),
                Column("Free\nbalance", "right"),
            ),
            tuple(rows),
            caption="Position by position",
            footnote=f"Amounts in {self.currency}. Margin locked: the isolated bucket, or the "
            "initial margin a cross position ties up. Worst-case loss: the isolated bucket's "
            "margin, or the whole cross pool's equity. Free balance: what the cross pool still "
            "has available. Liquidation vs stop: how far liquidation lies beyond the stop, as a "
            "share of the stop price (BEFORE: liquidated before the stop is reached).",
        )
        totals = comparison.totals

        def line(label: str, value: Callable[[PlanFigures], str]) -> Row:
            return Row((label, *(value(totals[v]) for v in VARIANTS)))

        def pool_move(value: float | None) -> str:
            return MISSING if value is None else format_percent(value, 1, sign=True)

        plan_table = Table(
            (Column("Whole plan"), *(Column(VARIANT_TITLES[v], "right") for v in VARIANTS)),
            (
                line("Margin locked", lambda t: self.amount(t.margin_locked)),
                line("Worst-case loss", lambda t: self.amount(t.worst_case_loss)),
                line("Free balance", lambda t: self.amount(t.free_balance)),
                line("Isolated margin", lambda t: self.amount(t.isolated_margin)),
                line("Cross pool equity", lambda t: self.amount(t.cross_equity)),
                line("Market fall that liquidates the pool", lambda t: pool_move(t.pool_move_down)),
                line("Market rise that liquidates the pool", lambda t: pool_move(t.pool_move_up)),
                line("Positions liquidated now", lambda t: str(t.liquidated_positions)),
                line("Liquidated before the stop", lambda t: str(t.stops_after_liquidation)),
            ),
            caption="The whole plan",
            footnote=f"Amounts in {self.currency}. Market moves: every mark moved together "
            "(betas 1); — when no such move liquidates the cross pool.",
        )
        intro = Paragraph(
            "The same plan with every position in cross margin and with every position in "
            "isolated margin, side by side, and what that means for each position in one "
            "sentence.",
            style="note",
        )
        return Section("twin", "Cross or isolated", (intro, plan_table, positions))

    def shocks(self) -> Section:
        market = sweep(self.plan, symbol=None, moves=SHOCK_MOVES)
        now = self.analysis.equity
        buckets = len(market.buckets)
        rows = []
        for k, move in enumerate(market.moves.tolist()):
            alive = bool(market.cross_alive[k])
            equity = float(market.account_equity[k])
            cross_equity = float(market.cross_equity[k])
            maintenance = float(market.cross_maintenance[k])
            risk = maintenance / cross_equity if alive and cross_equity > 0 else None
            dead = int(buckets - np.count_nonzero(market.bucket_alive[k])) if buckets else 0
            pool = ("ok" if alive else "LIQUIDATED") if market.has_cross else MISSING
            rows.append(
                Row(
                    (
                        format_percent(move, 0, sign=True) if move else "0 %",
                        self.amount(equity),
                        self.amount(equity - now, sign=True),
                        self.amount(cross_equity),
                        format_percent(risk),
                        pool,
                        f"{dead} of {buckets}" if buckets else MISSING,
                    ),
                    emphasis=move == 0,
                )
            )
        table = Table(
            (
                Column("Market\nmove", "right"),
                Column("Account\nequity", "right"),
                Column("Change", "right"),
                Column("Cross pool\nequity", "right"),
                Column("Cross risk\nratio", "right"),
                Column("Cross pool"),
                Column("Isolated buckets\nliquidated", "right"),
            ),
            tuple(rows),
            caption="Every mark moved by the same percentage",
            footnote=f"Amounts in {self.currency}. Walking out from no move in each direction, "
            "an isolated bucket or the cross pool liquidated on the way counts as zero from "
            "there on: its margin is lost.",
        )
        blocks: list[Block] = [
            Paragraph(
                "What the account looks like if every market moves together by the same "
                "percentage (betas 1), from −50 % to +50 %. Real markets do not move in "
                "lockstep, but correlated moves are what liquidates a cross pool sooner than "
                "each position's own liquidation price suggests.",
                style="note",
            ),
            table,
            Subheading("Liquidations in order"),
        ]
        if market.events:
            event_rows = [
                Row(
                    (
                        str(n),
                        "at the marks"
                        if e.direction == 0
                        else format_percent(e.move, 1, sign=True),
                        _event_title(e),
                        self.price(e.symbol, e.price) if e.symbol else MISSING,
                        ", ".join(e.position_ids),
                        self.amount(e.equity_after),
                    )
                )
                for n, e in enumerate(market.events, start=1)
            ]
            blocks.append(
                Table(
                    (
                        Column("#", "right"),
                        Column("Market\nmove", "right"),
                        Column("Liquidated"),
                        Column("Price", "right"),
                        Column("Positions", wrap=True),
                        Column("Account equity\nafter", "right"),
                    ),
                    tuple(event_rows),
                    footnote="In order: anything liquidated at the marks already, then as the "
                    "market falls (nearest first), then as it rises. Price: the bucket's "
                    "symbol at that move.",
                )
            )
        else:
            blocks.append(Paragraph("Nothing is liquidated between −50 % and +50 %."))
        return Section("shocks", "Price shocks", tuple(blocks))

    def notes(self) -> Section:
        text = self.plan.notes.strip()
        if not text:
            return Section("notes", "Notes", (Paragraph("The plan has no notes."),))
        paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
        return Section("notes", "Notes", tuple(Paragraph(p, style="quote") for p in paragraphs))

    def explanation(self) -> Section:
        texts = (
            "Isolated margin gives a position its own bucket of collateral: the margin you "
            "assign to it. The most it can lose is that margin, whatever happens to the rest "
            "of the account. Because the bucket is small, liquidation comes sooner: the "
            "position is closed when its equity falls to its maintenance margin.",
            "Cross margin puts every cross position on one shared pool: the wallet balance "
            "less every isolated margin, plus the cross positions' unrealised profit and "
            "loss. Liquidation is further away and winners prop up losers, but one large "
            "move can take the whole pool.",
            "A liquidation price is where equity meets maintenance margin. Maintenance margin "
            "is a rate of the position's notional that rises in tiers as the notional grows, "
            "less a fixed amount per tier; the venue's rules decide at which notional it is "
            "valued and whether the fee to close is part of it.",
            "A cross position's liquidation price is conditional: it assumes every other mark "
            "stays where it is. When markets fall together, the cross pool fails sooner — the "
            "price-shock section shows by how much.",
            "The bankruptcy price is where the bucket's (or the free cross collateral's) "
            "equity reaches zero; between the liquidation and bankruptcy prices lies what the "
            "venue keeps to close the position.",
        )
        return Section(
            "explanation",
            "Cross and isolated margin in brief",
            tuple(Paragraph(t) for t in texts),
        )

    def disclaimer(self) -> Section:
        return Section(
            "disclaimer",
            "Disclaimer",
            (
                Paragraph(
                    "This report is a planning aid computed from the assumptions stated in it; "
                    "it is not financial advice and not a statement from any exchange. An "
                    "exchange's actual liquidation depends on its current rules and tier "
                    "tables, its mark price, fees, funding and how it closes positions, all of "
                    "which can change without notice. Check the figures against your venue "
                    "before you trade, and never risk money you cannot afford to lose.",
                    style="note",
                ),
            ),
        )


# --------------------------------------------------------------------------------------------


def _tier_provenance(market: Market) -> tuple[str, str]:
    m = market.maintenance
    if isinstance(m, FlatMaintenance):
        return "flat rule entered in the plan", NOT_STATED
    return (m.source or NOT_STATED), (m.as_of or NOT_STATED)


def _buffer_text(buffer: float | None) -> str:
    if buffer is None:
        return MISSING
    text = format_percent(abs(buffer), 1)
    return f"{text} beyond" if buffer >= 0 else f"{text} BEFORE"


def _event_title(event: LiquidationEvent) -> str:
    if event.kind == "cross":
        return "cross pool"
    return f"{event.symbol} {event.side} isolated bucket"


def _curve_points(result: Sweep) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The sweep's grid plus, at each liquidation, the equity just before and just after it,
    so that the curve drops straight down where a bucket or the pool fails (equity is linear
    in the move between grid points on the safe side, so extrapolating from there is exact
    for linear contracts and close for inverse ones)."""
    moves = [float(m) for m in result.moves.tolist()]
    equity = [float(v) for v in result.account_equity.tolist()]
    points = list(zip(moves, equity, strict=True))
    for event in result.events:
        if event.direction == 0 or not moves[0] <= event.move <= moves[-1]:
            continue
        before = _extrapolate_before(moves, equity, event.move)
        if before is not None:
            points.append((event.move - 1e-12 * event.direction, before))
        points.append((event.move, event.equity_after))
    points.sort(key=lambda p: p[0])
    return tuple(p[0] for p in points), tuple(p[1] for p in points)


def _extrapolate_before(moves: Sequence[float], equity: Sequence[float], x: float) -> float | None:
    """The equity at ``x`` from the two grid points on the side of ``x`` nearer to no move."""
    if x >= 0:
        inner = [(m, e) for m, e in zip(moves, equity, strict=True) if 0 <= m < x][-2:]
    else:
        inner = [(m, e) for m, e in zip(moves, equity, strict=True) if x < m <= 0][:2]
    if len(inner) < 2:
        return None
    (m0, e0), (m1, e1) = inner
    if m1 == m0:
        return None
    value = e0 + (e1 - e0) * (x - m0) / (m1 - m0)
    return value if math.isfinite(value) else None


#: A ladder labels at most this many levels of one kind one by one; more share one label.
LADDER_KIND_LABELS = 6

_KIND_WORDS: dict[str, str] = {
    "mark": "mark",
    "liquidation": "liquidation",
    "bankruptcy": "bankruptcy",
    "stop": "stop",
    "entry": "entry",
    "take_profit": "take-profit",
    "tier": "tier boundary",
}

_LADDER_PRIORITY: dict[str, int] = {
    "mark": 0,
    "liquidation": 0,
    "stop": 1,
    "entry": 1,
    "bankruptcy": 2,
    "take_profit": 2,
    "tier": 3,
}
