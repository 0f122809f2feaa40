"""The report lists each collateral item among its assumptions, with its value in the cross
pool and the asset's own liquidation price."""

from __future__ import annotations

from planner.domain.formatting import format_amount, format_price
from planner.domain.plan_analysis import analyze
from planner.report.content import build_report
from planner.report.model import KeyValueList
from planner.storage import load_plan
from tests.conftest import EXAMPLES


def test_assumptions_list_collateral_and_its_liquidation_price() -> None:
    plan = load_plan(EXAMPLES / "btc-collateral.tplan")
    report = build_report(plan)
    (settings,) = [b for b in report.section("assumptions").blocks if isinstance(b, KeyValueList)]
    items = dict(settings.items)
    (result,) = analyze(plan).collateral
    text = items["Collateral: BTC"]
    assert text.startswith("10 BTC priced by BTCUSDT (60,000.0) at 95.00 %")
    assert format_amount(result.value, "USDT", with_unit=True) in text
    assert format_price(result.liquidation_price, 0.1) in text
