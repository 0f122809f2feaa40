"""The report's content, without Qt: every section, every assumption, the app's own figures."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from importlib.metadata import version

import pytest

from planner.domain.formatting import format_amount, format_percent, format_price
from planner.domain.plan import FlatMaintenance, Plan, TierTable
from planner.domain.plan_analysis import analyze
from planner.domain.scenarios import sweep
from planner.domain.twin import compare
from planner.domain.venues import VENUES
from planner.report.content import SHOCK_MOVES, build_report, exact_percent
from planner.report.model import (
    EquityCurveChart,
    Figure,
    KeyValueList,
    PriceLadderChart,
    ReportDocument,
    Table,
)
from planner.storage import load_plan, parse_plan_bytes
from tests.report.plans import REPO, SPEC_EXAMPLE, big_plan, example_paths, spec_plan

SECTIONS = [
    "summary",
    "assumptions",
    "account",
    "positions",
    "charts",
    "twin",
    "shocks",
    "notes",
    "explanation",
    "disclaimer",
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


def test_every_section_in_order(report: ReportDocument) -> None:
    assert [s.key for s in report.sections] == SECTIONS
    for section in report.sections:
        assert section.blocks, section.key


def test_title_date_and_version(report: ReportDocument, plan: Plan) -> None:
    assert report.plan_name == plan.name
    assert report.generated == "2025-03-14 09:26 UTC"
    assert report.app_version == version("margin-planner")
    cover = dict(report.cover.items)
    assert cover["Margin Planner"] == f"version {version('margin-planner')}"
    assert cover["Generated"] == report.generated
    assert cover["Plan file"] == "spec_example.tplan"


def test_the_plan_itself_is_embedded(report: ReportDocument, plan: Plan) -> None:
    ((name, data, mime),) = report.attachments
    assert name == "spec_example.tplan"
    assert mime == "application/json"
    assert parse_plan_bytes(data) == plan


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
def test_every_tier_of_every_market_with_source_and_date(path) -> None:
    plan = load_plan(path)
    document = build_report(plan)
    markets = table(document, "assumptions", "Markets")
    assert markets.column("Symbol") == tuple(m.symbol for m in plan.markets)
    for market in plan.markets:
        tiers = table(document, "assumptions", f"{market.symbol} maintenance tiers")
        assert len(tiers.rows) == len(market.tiers)
        assert tiers.column("Maintenance rate") == tuple(exact_percent(t.mmr) for t in market.tiers)
        mark = markets.rows[plan.markets.index(market)].cells[3]
        assert mark == format_price(market.mark_price, market.tick_size)
        rule = market.maintenance
        if isinstance(rule, TierTable):
            assert f"Source: {rule.source or 'not stated'}." in tiers.subcaption
            assert f"As of: {rule.as_of or 'not stated'}." in tiers.subcaption
            if rule.source and rule.as_of:
                assert rule.source in document.text() and rule.as_of in document.text()
        else:
            assert isinstance(rule, FlatMaintenance)
            assert "flat rule entered in the plan" in tiers.subcaption


def test_flat_source_and_date_of_the_spec_example(report: ReportDocument) -> None:
    btc = table(report, "assumptions", "BTCUSDT maintenance tiers")
    assert btc.subcaption == (
        "Source: Binance USD-M leverage brackets (first three tiers). As of: 2024-10-24."
    )
    assert btc.column("Notional cap (USDT)") == ("50,000.00", "600,000.00", "3,000,000.00")


def test_positions_show_the_analysis_as_the_app_formats_it(
    report: ReportDocument, plan: Plan
) -> None:
    analysis = analyze(plan)
    ticks = {m.symbol: m.tick_size for m in plan.markets}
    prices = table(report, "positions", "Size and prices")
    assert prices.column("Position") == tuple(p.id for p in plan.positions)
    expected = tuple(format_price(r.liquidation_price, ticks[r.symbol]) for r in analysis.positions)
    assert prices.column("Liquidation price") == expected
    assert expected == ("2,710.84", "25,261.0", "322.23")  # MARGIN.md §5.3
    assert prices.column("Bankruptcy price") == tuple(
        format_price(r.bankruptcy_price, ticks[r.symbol]) for r in analysis.positions
    )
    margins = table(report, "positions", "Margin and maintenance")
    assert margins.column("Maint. margin") == tuple(
        format_amount(r.maintenance_margin, "USDT") for r in analysis.positions
    )
    assert margins.column("Risk ratio") == tuple(
        format_percent(r.risk_ratio) for r in analysis.positions
    )


def test_account_summary(report: ReportDocument, plan: Plan) -> None:
    analysis = analyze(plan)
    blocks = report.section("account").blocks
    pool = next(b for b in blocks if isinstance(b, KeyValueList) and b.title == "Cross pool")
    items = dict(pool.items)
    assert items["Cross equity"] == "16,500.00 USDT"
    assert items["Cross maintenance margin"] == "196.00 USDT"
    assert items["Cross available"] == "12,000.00 USDT"
    assert items["Cross risk ratio"] == format_percent(analysis.cross.risk_ratio)
    (buckets,) = tables(report, "account")
    assert buckets.column("Positions") == tuple(", ".join(b.position_ids) for b in analysis.buckets)
    assert buckets.column("Liquidation price") == ("2,710.84",)


def test_twin_view_is_the_domain_comparison(report: ReportDocument, plan: Plan) -> None:
    comparison = compare(plan)
    by_position = table(report, "twin", "Position by position")
    sentences = tuple(r.cells[0] for r in by_position.rows if r.span)
    assert sentences == tuple(p.sentence for p in comparison.positions)
    assert len([r for r in by_position.rows if not r.span]) == 3 * len(plan.positions)
    whole = table(report, "twin", "The whole plan")
    assert [c.title for c in whole.columns] == [
        "Whole plan",
        "As planned",
        "All cross",
        "All isolated",
    ]


def test_price_shocks_every_ten_percent_with_liquidations_in_order(
    report: ReportDocument, plan: Plan
) -> None:
    assert SHOCK_MOVES == (-0.5, -0.4, -0.3, -0.2, -0.1, 0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
    shocks = table(report, "shocks", "Every mark moved by the same percentage")
    assert shocks.column("Market move")[0] == "-50 %"
    assert shocks.column("Market move")[5] == "0 %"
    assert shocks.column("Market move")[-1] == "+50 %"
    expected = sweep(plan, symbol=None, moves=SHOCK_MOVES)
    assert shocks.column("Account equity") == tuple(
        format_amount(v, "USDT") for v in expected.account_equity.tolist()
    )
    events = [t for t in tables(report, "shocks") if t is not shocks]
    (order,) = events
    assert order.column("Positions") == tuple(", ".join(e.position_ids) for e in expected.events)
    assert order.column("Liquidated")[0] == "ETHUSDT long isolated bucket"


def test_chart_specs_for_every_symbol(report: ReportDocument, plan: Plan) -> None:
    analysis = analyze(plan)
    figures = [b for b in report.section("charts").blocks if isinstance(b, Figure)]
    assert [f.charts[0].symbol for f in figures] == ["BTCUSDT", "ETHUSDT", "SOLUSDT"]
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
        for curve in curves.curves:
            assert len(curve.moves) == len(curve.equity) >= 401
            assert list(curve.moves) == sorted(curve.moves)
    eth = figures[1].charts[0]
    assert {lv.kind for lv in eth.levels} >= {"stop", "take_profit"}
    # the isolated ETH bucket fails 6.5 % below the mark: a marker on the planned curve
    planned = figures[1].charts[1].curves[0]
    assert [round(m.move, 4) for m in planned.markers] == [-0.0652]


def test_notes_explanation_and_disclaimer(report: ReportDocument) -> None:
    assert "free text" in report.section("notes").blocks[0].text  # type: ignore[union-attr]
    explanation = " ".join(b.text for b in report.section("explanation").blocks)  # type: ignore[union-attr]
    assert "Isolated margin" in explanation and "Cross margin" in explanation
    assert "not financial advice" in report.section("disclaimer").blocks[0].text  # type: ignore[union-attr]


def test_a_plan_without_positions() -> None:
    data = json.loads(SPEC_EXAMPLE.read_text())
    data["positions"] = []
    document = build_report(Plan.model_validate(data))
    assert [s.key for s in document.sections] == SECTIONS
    assert "The plan has no positions." in document.text()


def test_big_plan_content() -> None:
    plan = big_plan(200)
    document = build_report(plan)
    prices = table(document, "positions", "Size and prices")
    assert len(prices.rows) == 200
    figures = [b for b in document.section("charts").blocks if isinstance(b, Figure)]
    assert len(figures) == 8


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
