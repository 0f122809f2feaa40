"""The report's content, without Qt: every section, every assumption, the app's own figures."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from importlib.metadata import version

import numpy as np
import pytest

from planner.domain.formatting import format_amount, format_percent, format_price
from planner.domain.plan import FlatMaintenance, Plan, TierTable
from planner.domain.plan_analysis import analyze
from planner.domain.scenarios import VARIANTS, sweep, variant_plans
from planner.domain.twin import compare
from planner.domain.venues import VENUES
from planner.report.content import SHOCK_MOVES, build_report, exact_percent
from planner.report.content.base import Context
from planner.report.content.figures import report_warnings
from planner.report.curves import CURVE_GRID, symbol_curves
from planner.report.model import (
    EquityCurveChart,
    Figure,
    FlagList,
    KeyValueList,
    PriceLadderChart,
    ReportDocument,
    Table,
)
from planner.storage import load_plan, parse_plan_bytes
from tests.report.plans import REPO, SPEC_EXAMPLE, big_plan, example_paths, spec_plan

SECTIONS = [
    "summary",
    "disclaimer",
    "positions",
    "charts",
    "twin",
    "shocks",
    "assumptions",
    "notes",
    "explanation",
]


@pytest.fixture(scope="module")
def plan() -> Plan:
    return spec_plan()


@pytest.fixture(scope="module")
def report(plan: Plan) -> ReportDocument:
    when = datetime(2025, 3, 14, 9, 26, tzinfo=UTC)
    return build_report(plan, generated_at=when, source=str(SPEC_EXAMPLE))


def tables(document: ReportDocument, section: str) -> list[Table]:
    return [b for b in document.section(section).blocks if isinstance(b, Table)]


def table(document: ReportDocument, section: str, caption: str) -> Table:
    (found,) = [t for t in tables(document, section) if t.caption == caption]
    return found


def key_values(document: ReportDocument, section: str, title: str) -> dict[str, str]:
    (found,) = [
        b
        for b in document.section(section).blocks
        if isinstance(b, KeyValueList) and b.title == title
    ]
    return dict(found.items)


def test_every_section_in_order(report: ReportDocument) -> None:
    assert [s.key for s in report.sections] == SECTIONS
    for section in report.sections:
        assert section.blocks, section.key
    assert [s.key for s in report.sections if s.appendix] == SECTIONS[6:]


def test_title_date_version_and_metadata(report: ReportDocument, plan: Plan) -> None:
    assert report.plan_name == plan.name
    assert report.generated == "2025-03-14 09:26 UTC"
    assert report.app_version == version("margin-planner")
    cover = dict(report.cover.items)
    assert cover["Margin Planner"] == f"version {version('margin-planner')}"
    assert cover["Generated"] == report.generated
    assert cover["Plan file"] == "spec_example.tplan"
    assert report.author == ""  # empty unless set
    assert build_report(plan, author="A. Trader").author == "A. Trader"
    assert plan.name in report.subject
    assert {"BTCUSDT", "ETHUSDT", "SOLUSDT", "margin"} <= set(report.keywords)


def test_the_plan_itself_is_embedded(report: ReportDocument, plan: Plan) -> None:
    ((name, data, mime),) = report.attachments
    assert name == "spec_example.tplan"
    assert mime == "application/json"
    assert parse_plan_bytes(data) == plan


def test_page_one_figures_are_the_analysis(report: ReportDocument, plan: Plan) -> None:
    analysis = analyze(plan)
    box = key_values(report, "summary", "Key figures")
    assert box["Equity"] == "17,500.00 USDT"
    # 0.5 BTC × 58,000 + 5 ETH × 2,900 + 100 SOL × 160
    assert box["Gross notional"] == "59,500.00 USDT"
    assert box["Effective leverage"] == "3.4×"
    # longs 29,000 + 14,500, short 16,000
    assert box["Net notional"] == "+27,500.00 USDT (long)"
    # the ETH stop: 5 × (2,900 − 2,800) = 500 from the mark, 1,000 from the entry (no fees)
    assert box["Loss at stops"].startswith("1,000.00 USDT (5.7 % of equity)")
    assert "2 positions without a stop" in box["Loss at stops"]
    # the bucket's equity 1,000 + the pool's 16,500 = the whole equity
    assert box["Worst case"] == "17,500.00 USDT (100.0 % of equity)"
    assert box["Nearest liquidation"].startswith("eth-conviction (ETHUSDT isolated) at 2,710.84")
    assert "beyond its stop" in box["Nearest liquidation"]
    assert box["Cross risk ratio"] == format_percent(analysis.cross.risk_ratio)
    (flags,) = [b for b in report.section("summary").blocks if isinstance(b, FlagList)]
    # the ETH stop risks 1,000 of 17,500 (5.7 %): above the spec's default 2 % per position;
    # btc-core and sol-hedge have no stop
    assert [(f.severity, f.position) for f in flags.flags] == [
        ("amber", "eth-conviction"),
        ("amber", ""),
    ]
    assert "5.7 % of equity — above your 2 % limit" in flags.flags[0].text
    assert flags.flags[1].text.startswith("btc-core, sol-hedge have no stop")
    lines = report.section("summary").blocks[3].items  # type: ignore[union-attr]
    assert [line.split(":")[0] for line in lines] == ["As planned", "All cross", "All isolated"]
    assert "the cross pool fails on a -63.3 % move of every mark" in lines[1]


def test_the_report_figures_are_the_analysis_figures(plan: Plan) -> None:
    analysis = analyze(plan)
    ctx = Context(plan, analysis)
    assert ctx.figures is analysis.figures
    assert ctx.figures.gross_notional == pytest.approx(59500.0)
    for variant in ctx.variants:
        assert ctx.variant_figures[variant] is ctx.variant_analysis(variant).figures
    lights = {"danger": "red", "warning": "amber", "notice": "green"}
    assert [(w.code, w.position, w.severity) for w in report_warnings(analysis)] == [
        (w.code, w.position_id, lights[w.severity]) for w in analysis.warnings
    ]
    assert ctx.warnings == report_warnings(analysis)


def test_warnings_red_first_and_counted_when_many() -> None:
    data = json.loads(SPEC_EXAMPLE.read_text())
    data["positions"][0]["stop_loss"] = 2700.0  # below the bucket's liquidation at 2,710.84
    document = build_report(Plan.model_validate(data))
    (flags,) = [b for b in document.section("summary").blocks if isinstance(b, FlagList)]
    assert flags.flags[0].severity == "red"
    assert "before the stop" in flags.flags[0].text


def test_assumptions_name_venue_mode_and_fees(report: ReportDocument, plan: Plan) -> None:
    account = plan.account
    (settings,) = [b for b in report.section("assumptions").blocks if isinstance(b, KeyValueList)]
    items = dict(settings.items)
    venue = VENUES[account.venue]
    assert items["Venue rules"] == f"{venue.title}: {venue.summary}"
    assert items["Position mode"].lower().startswith(account.position_mode)
    assert items["Taker fee"] == exact_percent(account.taker_fee_rate)
    assert items["Maker fee"] == exact_percent(account.maker_fee_rate)
    assert items["Settlement currency"] == account.currency


@pytest.mark.parametrize("path", sorted({*example_paths(), SPEC_EXAMPLE}), ids=lambda p: p.name)
def test_tiers_in_use_and_the_next_with_source_and_date(path) -> None:
    plan = load_plan(path)
    document = build_report(plan)
    markets = table(document, "assumptions", "Markets")
    assert markets.column("Symbol") == tuple(m.symbol for m in plan.markets)
    tiers = table(document, "assumptions", "Maintenance tiers")
    spans = [r.cells[0] for r in tiers.rows if r.span]
    used = {p.symbol for p in plan.positions}
    for market in plan.markets:
        mark = markets.rows[plan.markets.index(market)].cells[3]
        assert mark == format_price(market.mark_price, market.tick_size)
        if market.symbol not in used:
            continue
        rows = [r for r in tiers.rows if not r.span and r.cells[0] == market.symbol]
        roles = [r.cells[-1] for r in rows]
        assert any(role.startswith("in use") for role in roles)
        assert len(rows) <= 2 * len({p.side for p in plan.positions if p.symbol == market.symbol})
        for row in rows:
            assert row.cells[5] == exact_percent(market.tiers[int(row.cells[1]) - 1].mmr)
        (span,) = [s for s in spans if s.startswith(f"{market.symbol}: ")]
        rule = market.maintenance
        if isinstance(rule, TierTable):
            assert f"source: {rule.source or 'not stated'}." in span
            assert f"As of: {rule.as_of or 'not stated'}." in span
        else:
            assert isinstance(rule, FlatMaintenance)
            assert "flat rule entered in the plan" in span
    # on request, every tier of every market
    full = table(build_report(plan, full_tiers=True), "assumptions", "Maintenance tiers")
    assert len([r for r in full.rows if not r.span]) == sum(len(m.tiers) for m in plan.markets)


def test_positions_show_the_analysis_as_the_app_formats_it(
    report: ReportDocument, plan: Plan
) -> None:
    analysis = analyze(plan)
    ticks = {m.symbol: m.tick_size for m in plan.markets}
    main = table(report, "positions", "Every position, with subtotals per symbol")
    body = [r for r in main.rows if not r.total]
    # grouped by symbol, in market order
    assert [r.cells[0] for r in body] == ["btc-core", "eth-conviction", "sol-hedge"]
    by_id = {r.cells[0]: r for r in body}
    for r in analysis.positions:
        row = by_id[r.id]
        assert row.cells[7] == format_price(r.liquidation_price, ticks[r.symbol])
    assert sorted(main.column("Liquidation price")[:3]) == sorted(
        ("2,710.84", "25,261.0", "322.23")  # MARGIN.md §5.3
    )
    total = main.rows[-1]
    assert total.total and total.cells[0] == "Total (3)"
    assert total.cells[6] == "59,500.00" and total.cells[11] == "1,000.00"
    assert by_id["eth-conviction"].cells[10] == "-3.4 %"  # the stop, 3.4 % below the mark
    assert by_id["eth-conviction"].cells[12] == "5.7 %"  # of equity
    targets = table(report, "positions", "Prices and targets")
    assert targets.column("Bankruptcy price") == tuple(
        format_price(r.bankruptcy_price, ticks[r.symbol]) for r in analysis.positions
    )
    margins = table(report, "positions", "Margin and maintenance")
    assert margins.column("Maint. margin") == tuple(
        format_amount(r.maintenance_margin, "USDT") for r in analysis.positions
    )
    assert margins.column("Risk ratio") == tuple(
        format_percent(r.risk_ratio) for r in analysis.positions
    )


def test_subtotals_per_symbol() -> None:
    plan = big_plan(24)
    document = build_report(plan)
    main = table(document, "positions", "Every position, with subtotals per symbol")
    subtotals = [r for r in main.rows if r.total][:-1]
    assert [r.cells[0] for r in subtotals] == [f"{s} (3)" for s in plan_symbols(plan)]
    analysis = analyze(plan)
    for row, symbol in zip(subtotals, plan_symbols(plan), strict=True):
        loss = sum(r.loss_at_stop for r in analysis.positions if r.symbol == symbol)
        assert row.cells[11] == format_amount(loss, "USDT")


def plan_symbols(plan: Plan) -> list[str]:
    return [m.symbol for m in plan.markets]


def test_cross_pool_and_buckets(report: ReportDocument, plan: Plan) -> None:
    analysis = analyze(plan)
    items = key_values(report, "positions", "Cross pool")
    assert items["Cross equity"] == "16,500.00 USDT"
    assert items["Cross maintenance margin"] == "196.00 USDT"
    assert items["Cross available"] == "12,000.00 USDT"
    assert items["Cross risk ratio"] == format_percent(analysis.cross.risk_ratio)
    buckets = table(report, "positions", "Isolated buckets")
    assert buckets.column("Positions") == tuple(", ".join(b.position_ids) for b in analysis.buckets)
    assert buckets.column("Liquidation price") == ("2,710.84",)


def test_twin_view_is_the_domain_comparison(report: ReportDocument, plan: Plan) -> None:
    comparison = compare(plan)
    by_position = table(report, "twin", "Position by position")
    sentences = tuple(r.cells[0] for r in by_position.rows if r.span)
    assert sentences == tuple(p.sentence for p in comparison.positions)
    rows = [r for r in by_position.rows if not r.span]
    assert len(rows) == len(plan.positions)  # one row per position
    eth = rows[0]
    assert eth.cells[3] == "2,710.84 (-6.5 %)"
    assert eth.cells[7] == "2,710.84 (-6.5 %)"  # all isolated: the same bucket
    whole = table(report, "twin", "The whole plan")
    assert [c.title for c in whole.columns] == [
        "Whole plan",
        "As planned",
        "All cross",
        "All isolated",
    ]
    # every bucket's equity (plus the pool's): all isolated, 1,000 + 1,900 + 600 (margins less
    # the losses at the marks)
    assert whole.rows[1].cells == ("Worst-case loss", "17,500.00", "17,500.00", "3,500.00")


def test_price_shocks_with_the_exact_failures_inserted(report: ReportDocument, plan: Plan) -> None:
    assert SHOCK_MOVES[0] == -0.5 and SHOCK_MOVES[-1] == 0.5
    assert {-0.01, 0.0, 0.01, -0.02, 0.02} <= set(SHOCK_MOVES)  # finer near no move
    shocks = table(report, "shocks", "Every mark moved by the same percentage")
    events = [e for e in sweep(plan, symbol=None, moves=SHOCK_MOVES).events if e.direction]
    moves = sorted({*SHOCK_MOVES, *(e.move for e in events)})
    expected = sweep(plan, symbol=None, moves=moves)
    assert shocks.column("Account equity") == tuple(
        format_amount(v, "USDT") for v in expected.account_equity.tolist()
    )
    failing = [r for r in shocks.rows if r.cells[5].startswith("FAILS")]
    assert [r.cells[0] for r in failing] == ["-6.5 %"]
    assert failing[0].cells[5] == "FAILS: ETHUSDT long isolated bucket"
    order = table(report, "shocks", "Liquidations in order")
    assert order.column("Positions") == tuple(", ".join(e.position_ids) for e in expected.events)
    correlated = [
        b.text
        for b in report.section("shocks").blocks
        if getattr(b, "text", "").startswith("A correlated fall")
    ]
    assert correlated and "BTCUSDT" in correlated[0]


def test_chart_specs_for_every_symbol(report: ReportDocument, plan: Plan) -> None:
    analysis = analyze(plan)
    figures = [b for b in report.section("charts").blocks if isinstance(b, Figure)]
    assert [f.charts[0].symbol for f in figures] == ["BTCUSDT", "ETHUSDT", "SOLUSDT"]
    assert [f.bookmark for f in figures] == ["BTCUSDT", "ETHUSDT", "SOLUSDT"]
    variants = {v: analyze(p) for v, p in variant_plans(plan).items()}
    for figure in figures:
        ladder, curves = figure.charts
        assert isinstance(ladder, PriceLadderChart) and isinstance(curves, EquityCurveChart)
        kinds = {level.kind for level in ladder.levels}
        assert {"mark", "entry", "liquidation", "bankruptcy"} <= kinds
        for r in analysis.positions:
            if r.symbol == ladder.symbol:
                liquidation = [lv for lv in ladder.levels if lv.kind == "liquidation"]
                assert r.liquidation_price in [lv.price for lv in liquidation]
        assert [c.key for c in curves.curves] == ["planned", "all_cross", "all_isolated"]
        assert "USDT" in curves.y_label
        lo, hi = curves.move_range
        # the range fits every variant's liquidation and every stop and target
        for v in VARIANTS:
            for r in variants[v].positions:
                d = r.liquidation_distance
                if (
                    r.symbol == ladder.symbol
                    and d is not None
                    and CURVE_GRID[0] <= d <= CURVE_GRID[-1]
                ):
                    assert lo <= d <= hi, (ladder.symbol, v, d)
        for mark in curves.marks:
            assert lo <= mark.move <= hi
        for curve in curves.curves:
            assert list(curve.moves) == sorted(curve.moves)
            assert len(curve.moves) == len(curve.equity) >= 100
    eth = figures[1].charts[0]
    assert {lv.kind for lv in eth.levels} >= {"stop", "take_profit"}
    # the isolated ETH bucket fails 6.5 % below the mark: a marker on the planned curve
    eth_curves = figures[1].charts[1]
    planned = eth_curves.curves[0]
    assert [round(m.move, 4) for m in planned.markers] == [-0.0652]
    assert {m.kind for m in eth_curves.marks} == {"stop", "take_profit", "break_even"}
    # all-isolated equals the plan for ETH (the ETH position is isolated already): said so
    assert eth_curves.note.startswith("All isolated coincides with As planned")


@pytest.mark.parametrize("path", sorted({*example_paths(), SPEC_EXAMPLE}), ids=lambda p: p.name)
def test_one_valuation_gives_every_symbols_sweep(path) -> None:
    """``symbol_curves`` (one valuation per variant for every symbol) agrees with the domain's
    ``sweep`` of each symbol alone, curve and liquidations."""
    plan = load_plan(path)
    for variant in variant_plans(plan).values():
        curves = symbol_curves(analyze(variant))
        for symbol in {p.symbol for p in plan.positions}:
            expected = sweep(variant, symbol=symbol, moves=CURVE_GRID)
            got = curves[symbol]
            np.testing.assert_allclose(got.equity, expected.account_equity, rtol=1e-9, atol=1e-6)
            assert [(round(e.move, 9), e.kind) for e in got.events] == [
                (round(e.move, 9), e.kind) for e in expected.events if e.direction
            ]


def test_notes_explanation_and_disclaimer(report: ReportDocument) -> None:
    assert "free text" in report.section("notes").blocks[0].text  # type: ignore[union-attr]
    blocks = report.section("explanation").blocks
    explanation = " ".join(b.text for b in blocks if hasattr(b, "text"))
    assert "Isolated margin" in explanation and "Cross margin" in explanation
    glossary = dict(next(b for b in blocks if isinstance(b, KeyValueList)).items)
    assert {"Gross notional", "Effective leverage", "Worst case"} <= set(glossary)
    assert "not financial advice" in report.section("disclaimer").blocks[0].text  # type: ignore[union-attr]


def test_a_plan_without_positions() -> None:
    data = json.loads(SPEC_EXAMPLE.read_text())
    data["positions"] = []
    document = build_report(Plan.model_validate(data))
    assert [s.key for s in document.sections] == SECTIONS
    assert "The plan has no positions." in document.text()


def test_big_plan_content_is_compact() -> None:
    plan = big_plan(200)
    document = build_report(plan)
    main = table(document, "positions", "Every position, with subtotals per symbol")
    assert main.compact
    assert len([r for r in main.rows if not r.total]) == 200
    assert len([r for r in main.rows if r.total]) == 8 + 1  # a subtotal per symbol, a total
    assert [t.caption for t in tables(document, "positions")] == [main.caption]
    figures = [b for b in document.section("charts").blocks if isinstance(b, Figure)]
    assert len(figures) == 8
    twin = table(document, "twin", "Position by position")
    assert len(twin.rows) == 200 and not any(r.span for r in twin.rows)


def test_content_does_not_import_qt() -> None:
    code = (
        "import sys, planner.report.content, planner.report.model\n"
        "from tests.report.plans import spec_plan\n"
        "planner.report.content.build_report(spec_plan())\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'shiboken6', 'pyqtgraph'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_a_variant_that_breaks_a_rule_still_reports_the_plan(
    plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the all-cross or all-isolated plan breaks a rule the plan itself keeps, the report
    shows the plan's own figures and says which rule, instead of refusing the export."""
    from planner.domain.errors import PlanError
    from planner.report.content import base

    def broken(_plan: Plan):
        raise PlanError("positions[0].leverage = 200: above the tier's max leverage 125")

    monkeypatch.setattr(base, "variant_plans", broken)
    document = build_report(plan)
    assert "cannot be analysed: positions[0].leverage = 200" in document.text()
    lines = document.section("summary").blocks[3].items  # type: ignore[union-attr]
    assert lines[0].startswith("As planned: eth-conviction")
    assert "not analysed" in lines[-1]
    figures = [b for b in document.section("charts").blocks if isinstance(b, Figure)]
    assert all([c.key for c in f.charts[1].curves] == ["planned"] for f in figures)


def test_a_market_the_window_made_up_is_not_reported_as_entered_by_the_trader() -> None:
    from planner.ui.document.edits import set_position_field

    plan = spec_plan()
    index = plan.position_index("btc-core")
    plan = set_position_field(plan, index, "symbol", "FOOUSDT")  # not in Binance's catalogue
    assert isinstance(plan.market("FOOUSDT").maintenance, FlatMaintenance)
    document = build_report(plan)
    spans = [r.cells[0] for r in table(document, "assumptions", "Maintenance tiers").rows if r.span]
    (span,) = [s for s in spans if s.startswith("FOOUSDT: ")]
    assert "entered in the plan" not in span
    assert (
        "source: default rule for a symbol not in the Binance catalogue — replace it with the "
        "venue's." in span
    )
    # a flat rule the trader typed is still theirs
    (eth,) = [s for s in spans if s.startswith("ETHUSDT: ")]
    assert "source: flat rule entered in the plan." in eth


def test_the_default_rule_on_a_catalogue_symbol_is_not_the_venues_table() -> None:
    from planner.ui.document.edits import default_market, validate

    plan = spec_plan()
    markets = [*plan.markets[:2], default_market("SOLUSDT", 160.0, None)]
    plan = validate(plan, markets=markets)
    document = build_report(plan)
    spans = [r.cells[0] for r in table(document, "assumptions", "Maintenance tiers").rows if r.span]
    (span,) = [s for s in spans if s.startswith("SOLUSDT: ")]
    assert "source: default rule, not the Binance catalogue's table for SOLUSDT" in span
