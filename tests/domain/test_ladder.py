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


def test_a_positions_levels_are_read_as_moves_from_its_entry(plan: Plan) -> None:
    # btc-core is a long entered at 60,000 with the mark at 58,000: a stop at 59,000 is a
    # 1.67 % fall from its entry, though it sits 1.72 % above the mark
    data = plan.model_dump()
    btc = next(p for p in data["positions"] if p["id"] == "btc-core")
    btc["stop_loss"] = 59_000
    btc["take_profits"] = [{"price": 63_000, "fraction": 1.0}]
    ladder = symbol_ladder(analyze(Plan.model_validate(data)), "BTCUSDT")
    by_kind = {lv.kind: lv for lv in ladder.of_position("btc-core")}
    assert by_kind["stop"].entry_price == 60_000
    assert by_kind["stop"].move_from_entry() == pytest.approx(-1_000 / 60_000)
    assert by_kind["stop"].distance_from(ladder.mark_price) == pytest.approx(1_000 / 58_000)
    assert by_kind["take_profit"].move_from_entry() == pytest.approx(0.05)
    liquidation = by_kind["liquidation"]
    assert liquidation.move_from_entry() == pytest.approx((liquidation.price - 60_000) / 60_000)
    # the entry and the mark have no move of their own
    assert by_kind["entry"].move_from_entry() is None
    mark = next(lv for lv in ladder.levels if lv.kind == "mark")
    assert mark.move_from_entry() is None
