"""The price ladder holds every planned level of a symbol at the analysis's prices."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner import analyze, load_plan
from planner.domain.ladder import symbol_ladder
from planner.domain.plan import Plan

SPEC_EXAMPLE = Path(__file__).parent / "data" / "spec_example.tplan"


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan(SPEC_EXAMPLE)


def test_levels_sit_at_the_plans_and_the_analysis_prices(plan: Plan) -> None:
    analysis = analyze(plan)
    ladder = symbol_ladder(analysis, "ETHUSDT")
    by_kind = {(lv.kind, lv.index): lv for lv in ladder.levels if lv.kind != "tier"}
    eth = plan.position("eth-conviction")
    result = analysis.position(analysis.index_of("eth-conviction"))
    assert by_kind[("mark", None)].price == plan.market("ETHUSDT").mark_price
    assert by_kind[("entry", None)].price == eth.entry_price
    assert by_kind[("stop", None)].price == eth.stop_loss
    assert [by_kind[("take_profit", k)].price for k in range(2)] == [3300, 3600]
    assert by_kind[("liquidation", None)].price == result.liquidation_price
    assert by_kind[("liquidation", None)].margin_mode == "isolated"
    assert by_kind[("bankruptcy", None)].price == result.bankruptcy_price
    draggable = {lv.kind for lv in ladder.levels if lv.draggable}
    assert draggable == {"mark", "entry", "stop", "take_profit"}


def test_tier_boundaries_are_where_the_leg_notional_reaches_a_floor(plan: Plan) -> None:
    # BTC long 0.5: tier 2 starts at notional 50,000 → price 100,000 (within 4× of 58,000)
    ladder = symbol_ladder(analyze(plan), "BTCUSDT")
    tiers = [lv for lv in ladder.levels if lv.kind == "tier"]
    assert [lv.price for lv in tiers] == [pytest.approx(50_000 / 0.5)]
    market = plan.market("BTCUSDT")
    assert market.tier_for(0.5 * tiers[0].price).mmr == 0.005
    assert market.tier_for(0.5 * tiers[0].price * 0.999).mmr == 0.004


def test_a_position_without_stop_has_no_stop_level(plan: Plan) -> None:
    ladder = symbol_ladder(analyze(plan), "SOLUSDT")
    kinds = [lv.kind for lv in ladder.of_position("sol-hedge")]
    assert "stop" not in kinds
    assert {"entry", "liquidation", "bankruptcy"} <= set(kinds)
