"""Each warning code of spec/plan-format-v2.md: a plan that triggers it and a nearby plan that
does not; each message says what, how much and what the trader can do."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from planner.domain.plan import Plan
from planner.domain.plan_analysis import analyze
from planner.domain.scenarios import shocked
from planner.domain.solvers import size_for_risk
from planner.domain.warnings import PlanWarning, plan_warnings
from planner.storage import load_plan
from tests.domain.decision_fixtures import make_plan, pos

EXAMPLES = Path(__file__).parents[2] / "resources" / "examples"


def edited(plan: Plan, *, limits: dict[str, Any] | None = None, **markets: dict) -> Plan:
    """``plan`` with risk limits and market fields set (``ETHUSDT={"quantity_step": 0.1}``)."""
    data = plan.model_dump()
    if limits is not None:
        data["account"]["risk_limits"] = limits
    for market in data["markets"]:
        market.update(markets.get(market["symbol"], {}))
    return Plan.model_validate(data)


def found(plan: Plan, code: str) -> list[PlanWarning]:
    return [w for w in analyze(plan).warnings if w.code == code]


def eth_long(stop: float | None = None, leverage: float = 25, quantity: float = 10) -> Plan:
    extra = {} if stop is None else {"stop_loss": stop}
    return make_plan([pos("eth", "ETHUSDT", "long", quantity, 2900, leverage, "isolated", **extra)])


def eth_liquidation_price() -> float:
    lp = analyze(eth_long()).positions[0].liquidation_price
    assert lp is not None
    return lp


def test_liquidation_before_stop() -> None:
    lp = eth_liquidation_price()  # about 2,795 at 25×
    hit = found(eth_long(stop=lp - 40), "liquidation_before_stop")
    assert [w.position_id for w in hit] == ["eth"]
    assert hit[0].severity == "danger"
    assert "before the stop" in hit[0].message
    assert "add" in hit[0].message and "of margin" in hit[0].message  # what to do
    assert not found(eth_long(stop=lp + 60), "liquidation_before_stop")


def test_liquidation_before_stop_of_a_cross_position_speaks_of_the_pool() -> None:
    plan = make_plan([pos("b", "BTCUSDT", "long", 1, 58000, 20, "cross", stop_loss=30000)])
    lp = analyze(plan).positions[0].liquidation_price
    assert lp is not None and lp > 30000
    hit = found(plan, "liquidation_before_stop")
    assert "cross pool" in hit[0].message and "fund the cross pool" in hit[0].message
    safe = make_plan([pos("b", "BTCUSDT", "long", 1, 58000, 20, "cross", stop_loss=lp + 2000)])
    assert not found(safe, "liquidation_before_stop")


def test_stop_near_liquidation_follows_the_buffer() -> None:
    lp = eth_liquidation_price()
    near = eth_long(stop=lp + 0.005 * 2900)  # 0.5 % of the mark: inside the 1 % buffer
    hit = found(near, "stop_near_liquidation")
    assert [w.position_id for w in hit] == ["eth"]
    assert "0.50 %" in hit[0].message and "1 % buffer" in hit[0].message
    assert "Move the stop to" in hit[0].message
    assert not found(eth_long(stop=lp + 0.015 * 2900), "stop_near_liquidation")
    # the limit decides: a 0.4 % buffer accepts the same stop
    assert not found(edited(near, limits={"stop_buffer": 0.004}), "stop_near_liquidation")
    assert not found(near, "liquidation_before_stop")


def test_stop_already_hit() -> None:
    hit = found(
        make_plan([pos("b", "BTCUSDT", "long", 0.1, 60000, 10, "cross", stop_loss=59000)]),
        "stop_already_hit",
    )  # mark 58,000
    assert [w.position_id for w in hit] == ["b"]
    assert "already below its stop at 59,000.0" in hit[0].message
    # the stop fills now, at the mark: 0.1 × (60,000 − 58,000), not the 100 at the stop
    assert "loss of 200.00 USDT" in hit[0].message
    assert "Move the stop" in hit[0].message
    below = make_plan([pos("b", "BTCUSDT", "long", 0.1, 60000, 10, "cross", stop_loss=57000)])
    assert not found(below, "stop_already_hit")
    short = make_plan([pos("s", "SOLUSDT", "short", 10, 150, 10, "cross", stop_loss=155)])
    assert "already above" in found(short, "stop_already_hit")[0].message  # mark 160
    above = make_plan([pos("s", "SOLUSDT", "short", 10, 150, 10, "cross", stop_loss=165)])
    assert not found(above, "stop_already_hit")


def test_risk_per_position_suggests_the_size_for_the_limit() -> None:
    # entry 2,900 = mark: equity is the 20,000 wallet; 2 % is 400 USDT, 50 USDT per ETH
    over = eth_long(stop=2850, leverage=10)  # 500: 2.5 %
    hit = found(over, "risk_per_position")
    assert [w.position_id for w in hit] == ["eth"]
    assert hit[0].message == (
        "eth risks 500.00 USDT at its stop, 2.5 % of equity — above your 2 % limit. "
        "Size for 2 %: 8 ETH."
    )
    assert not found(eth_long(stop=2870, leverage=10), "risk_per_position")  # 300: 1.5 %
    # the suggested size is the solver's, rounded down to the market's lot step
    assert size_for_risk(over, "eth", risk_amount=400) == pytest.approx(8)
    stepped = edited(over, ETHUSDT={"quantity_step": 0.3})
    assert size_for_risk(stepped, "eth", risk_amount=400) == pytest.approx(7.8)
    assert "Size for 2 %: 7.8 ETH." in found(stepped, "risk_per_position")[0].message
    assert not found(edited(over, limits={"risk_per_position": 0.03}), "risk_per_position")


def test_risk_per_position_of_hybrid_names_eth_conviction() -> None:
    plan = load_plan(EXAMPLES / "hybrid.tplan")
    hit = {w.position_id: w for w in found(plan, "risk_per_position")}
    message = hit["eth-conviction"].message
    assert message.startswith("eth-conviction risks 4,058.00 USDT at its stop, 20.5 % of equity")
    assert "above your 2 % limit. Size for 2 %: 1.94 ETH." in message
    # 1.94 ETH stays within 2 % of equity; 1.95 would not
    per_eth = 200 + 0.0005 * (3000 + 2800)
    assert 1.94 * per_eth <= 0.02 * 19750 < 1.95 * per_eth


def test_total_risk() -> None:
    positions = [
        pos(f"e{k}", "ETHUSDT", "long", 6, 2900, 10, "isolated", stop_loss=2850) for k in range(3)
    ]  # 300 each: 1.5 % each, 4.5 % together
    plan = make_plan(positions)
    assert not found(plan, "risk_per_position")
    assert not found(plan, "total_risk")  # within the default 6 %
    tight = edited(plan, limits={"total_risk": 0.04})
    hit = found(tight, "total_risk")
    assert len(hit) == 1 and hit[0].position_id is None
    assert "loses 900.00 USDT, 4.5 % of equity — above your 4 % limit" in hit[0].message
    assert "Cut the positions' sizes by 11 %" in hit[0].message


def test_leverage_above_limit() -> None:
    plan = make_plan([pos("b", "BTCUSDT", "long", 1, 58000, 10, "cross")])  # 58,000 on 20,000
    assert not found(plan, "leverage_above_limit")  # no cap by default
    hit = found(edited(plan, limits={"max_leverage": 2}), "leverage_above_limit")
    assert len(hit) == 1
    assert "2.90×" in hit[0].message and "above your 2× limit" in hit[0].message
    assert "Cut 18,000.00 USDT of notional or add 9,000.00 USDT of equity" in hit[0].message
    assert not found(edited(plan, limits={"max_leverage": 3}), "leverage_above_limit")


def test_liquidated() -> None:
    plan = eth_long()
    lp = eth_liquidation_price()
    past = shocked(plan, moves={"ETHUSDT": (lp - 10) / 2900 - 1})
    hit = found(past, "liquidated")
    assert [w.position_id for w in hit] == ["eth"]
    assert "Add more than" in hit[0].message and hit[0].severity == "danger"
    before = shocked(plan, moves={"ETHUSDT": (lp + 10) / 2900 - 1})
    assert not found(before, "liquidated")


def test_quantity_off_step_and_below_minimum() -> None:
    plan = make_plan([pos("e", "ETHUSDT", "long", 1.005, 2900, 10, "cross")])
    assert not found(plan, "quantity_off_step")  # no step known
    stepped = edited(plan, ETHUSDT={"quantity_step": 0.01})
    hit = found(stepped, "quantity_off_step")
    assert [w.position_id for w in hit] == ["e"]
    assert "not a multiple of ETHUSDT's lot step 0.01" in hit[0].message
    assert "takes 1 or 1.01" in hit[0].message
    on_step = make_plan([pos("e", "ETHUSDT", "long", 0.3, 2900, 10, "cross")])
    assert not found(edited(on_step, ETHUSDT={"quantity_step": 0.1}), "quantity_off_step")
    small = edited(on_step, ETHUSDT={"min_quantity": 0.5})
    assert "below ETHUSDT's smallest order of 0.5" in found(small, "quantity_off_step")[0].message
    assert not found(edited(on_step, ETHUSDT={"min_quantity": 0.3}), "quantity_off_step")


def test_warnings_are_in_the_json_and_computed_once() -> None:
    plan = load_plan(EXAMPLES / "hybrid.tplan")
    analysis = analyze(plan)
    assert analysis.warnings is analysis.warnings  # cached on the analysis
    assert plan_warnings(plan, analysis) == list(analysis.warnings)
    data = json.loads(json.dumps(analysis.to_dict(), allow_nan=False))
    entries = [w for w in data["warnings"] if w["code"] == "risk_per_position"]
    assert {"code", "position", "message"} <= set(entries[0])
    assert "eth-conviction" in [w["position"] for w in entries]
    assert [w.to_dict() for w in analysis.warnings] == data["warnings"]


def test_positions_without_a_stop_are_named_with_what_they_can_lose() -> None:
    plan = make_plan(
        [
            pos("c", "BTCUSDT", "long", 0.1, 58000, 10, "cross"),
            pos("i", "ETHUSDT", "short", 2, 2900, 5, "isolated"),
            pos("s", "SOLUSDT", "long", 10, 160, 10, "cross", stop_loss=150),
        ]
    )
    (warning,) = found(plan, "no_stop")
    assert warning.severity == "warning" and warning.position_id is None
    assert warning.message.startswith("c, i have no stop")
    analysis = analyze(plan)
    at_stake = analysis.positions[1].margin + analysis.cross.equity
    assert f"up to {at_stake:,.2f} USDT" in warning.message
    assert "(their isolated margin and the cross pool's equity)" in warning.message
    one = make_plan([pos("i", "ETHUSDT", "short", 2, 2900, 5, "isolated")])
    (warning,) = found(one, "no_stop")
    assert warning.position_id == "i"
    assert "up to 1,160.00 USDT (its isolated margin)" in warning.message  # 2 × 2,900 / 5
    stopped = make_plan([pos("s", "SOLUSDT", "long", 10, 160, 10, "cross", stop_loss=150)])
    assert not found(stopped, "no_stop")


def test_a_take_profit_that_closes_at_a_loss() -> None:
    plan = make_plan(
        [
            pos("s", "SOLUSDT", "long", 10, 150, 10, "cross", stop_loss=140)
            | {"take_profits": [{"price": 130, "fraction": 0.5}, {"price": 170, "fraction": 0.5}]},
            pos("e", "ETHUSDT", "short", 1, 2900, 10, "cross", stop_loss=3000)
            | {"take_profits": [{"price": 2899.9, "fraction": 1}]},
        ],
        taker=0.0005,
    )
    wrong, fees = found(plan, "take_profit_on_losing_side")
    assert wrong.position_id == "s"
    assert "take-profit at 130.00 is below the entry 150.00" in wrong.message
    assert "closes 50 % at a loss of 100.70 USDT" in wrong.message  # 5 × 20 + fees 0.70
    assert fees.position_id == "e"
    assert "within the fees of the entry" in fees.message  # 0.1 of gain, 2.9 of fees
    good = make_plan(
        [
            pos("s", "SOLUSDT", "long", 10, 150, 10, "cross", stop_loss=140)
            | {"take_profits": [{"price": 170, "fraction": 1}]}
        ]
    )
    assert not found(good, "take_profit_on_losing_side")


def test_a_market_on_the_default_rule_is_named() -> None:
    default = {"mmr": 0.005, "maintenance_amount": 0.0, "max_leverage": 100}
    markets = [
        {"symbol": "FOOUSDT", "mark_price": 1.2345, "maintenance": default},
        {"symbol": "BARUSDT", "mark_price": 2.0, "maintenance": default},  # no position
        {"symbol": "SOLUSDT", "mark_price": 160, "maintenance": {"mmr": 0.005, "max_leverage": 50}},
    ]
    plan = make_plan(
        [
            pos("foo", "FOOUSDT", "long", 1000, 1.2345, 10, "cross", stop_loss=1.1),
            pos("sol", "SOLUSDT", "long", 10, 160, 10, "cross", stop_loss=150),
        ],
        markets=markets,
    )
    (warning,) = found(plan, "default_market_rule")
    assert warning.position_id == "foo"
    assert warning.message.startswith(
        "FOOUSDT has the default maintenance rule (0.50 %, up to 100×)"
    )
    assert "not binance's" in warning.message


def test_a_stop_already_passed_in_profit_takes_the_profit_not_a_loss_of_0() -> None:
    # long from 50,000, marked at 58,000, stop typed at 59,000: it fills now, at the mark
    plan = make_plan(
        [pos("b", "BTCUSDT", "long", 0.1, 50000, 10, "cross", stop_loss=59000)], taker=0.0005
    )
    (hit,) = found(plan, "stop_already_hit")
    assert hit.severity == "warning"  # not a danger: it closes at a profit
    # 0.1 × 8,000 less fees 0.0005 × (5,000 + 5,800)
    assert "taking 794.60 USDT of profit now (fees paid)" in hit.message
    assert "loss of 0.00" not in hit.message
    assert analyze(plan).positions[0].loss_at_stop == 0.0
