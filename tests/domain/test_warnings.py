"""Each warning appears when its condition holds — checked with analyze() — and not otherwise."""

from __future__ import annotations

import pytest

from planner.domain.plan import Plan, RiskLimits
from planner.domain.plan_analysis import analyze
from planner.domain.scenarios import liquidating_market_move, shocked
from planner.domain.warnings import SEVERITY_ORDER, PlanWarning, Warning, plan_warnings
from tests.domain.decision_fixtures import make_plan, pos, spec_plan


def warnings_of(plan: Plan) -> list[PlanWarning]:
    return plan_warnings(plan, analyze(plan))


def codes(plan: Plan) -> dict[str, list[str | None]]:
    found: dict[str, list[str | None]] = {}
    for w in warnings_of(plan):
        found.setdefault(w.code, []).append(w.position_id)
    return found


def within_limits(plan: Plan, **limits: float) -> Plan:
    """``plan`` with its risk limits set (the spec example risks 5.7 % of equity at its one
    stop: above the default 2 % per position)."""
    return plan.model_copy(
        update={
            "account": plan.account.model_copy(
                update={"risk_limits": RiskLimits.model_validate(limits)}
            )
        }
    )


def with_near_stops(plan: Plan) -> Plan:
    """``plan`` with a stop 0.5 % beyond the mark on every position that has none."""
    data = plan.model_dump()
    marks = {m["symbol"]: m["mark_price"] for m in data["markets"]}
    for p in data["positions"]:
        if p["stop_loss"] is None:
            p["stop_loss"] = marks[p["symbol"]] * (0.995 if p["side"] == "long" else 1.005)
    return Plan.model_validate(data)


def test_a_sound_plan_has_no_warnings() -> None:
    # the spec example leaves btc-core and sol-hedge without a stop
    spec = within_limits(spec_plan(), risk_per_position=0.06)
    assert [(w.code, w.position_id) for w in warnings_of(spec)] == [("no_stop", None)]
    assert [w.code for w in warnings_of(spec_plan())] == ["risk_per_position", "no_stop"]
    sound = within_limits(with_near_stops(spec_plan()), risk_per_position=0.08, total_risk=0.2)
    assert warnings_of(sound) == []
    assert Warning is PlanWarning


def test_stop_beyond_liquidation() -> None:
    plan = make_plan(
        [
            pos("eth", "ETHUSDT", "long", 10, 2900, 25, "isolated", stop_loss=2750),
            pos("sol", "SOLUSDT", "short", 10, 160, 10, "isolated", stop_loss=170),
        ]
    )
    a = analyze(plan)
    assert a.position(0).liquidation_price > 2750  # liquidated before the stop
    assert a.position(1).liquidation_price > 170  # the stop comes first
    found = [w for w in warnings_of(plan) if w.code == "liquidation_before_stop"]
    assert [w.position_id for w in found] == ["eth"]
    assert found[0].severity == "danger"
    assert "2,750.00" in found[0].text and "before the stop" in found[0].text


def test_leverage_above_the_netted_legs_tier() -> None:
    # each 0.8 BTC (46,400) is in the 125× tier; together (92,800) they are in the 100× tier
    plan = make_plan(
        [
            pos("a", "BTCUSDT", "long", 0.8, 58000, 110, "cross"),
            pos("b", "BTCUSDT", "long", 0.8, 58000, 20, "cross"),
        ]
    )
    assert codes(plan)["leverage_above_tier"] == ["a"]
    alone = make_plan([pos("a", "BTCUSDT", "long", 0.8, 58000, 110, "cross")])
    assert "leverage_above_tier" not in codes(alone)


def test_nothing_available() -> None:
    plan = make_plan([pos("a", "BTCUSDT", "long", 1, 60000, 2, "cross")], wallet=20000)
    assert analyze(plan).cross.available == 0
    assert "nothing_available" in codes(plan)


def test_pool_and_bucket_liquidated() -> None:
    plan = shocked(spec_plan(), moves={"BTCUSDT": -0.6, "ETHUSDT": -0.08})
    a = analyze(plan)
    assert a.cross.liquidated and a.buckets[0].liquidated
    found = codes(plan)
    assert found["liquidated"] == [None, "eth-conviction"]  # the pool, then the bucket
    assert all(w.severity == "danger" for w in warnings_of(plan)[:2])


def test_isolated_margins_exceed_the_wallet() -> None:
    plan = make_plan(
        [
            pos("a", "BTCUSDT", "long", 1, 58000, 2, "isolated"),
            pos("b", "ETHUSDT", "short", 10, 2900, 2, "isolated"),
        ],
        wallet=40000,
    )
    assert analyze(plan).isolated_margin > 40000
    assert "isolated_exceeds_wallet" in codes(plan)


@pytest.mark.parametrize(("wallet", "warned"), [(9000, True), (15000, False)])
def test_pool_one_market_move_from_liquidation(wallet: float, warned: bool) -> None:
    plan = make_plan(
        [
            pos("btc", "BTCUSDT", "long", 1, 58000, 10, "cross"),
            pos("eth", "ETHUSDT", "long", 20, 2900, 10, "cross"),
        ],
        wallet=wallet,
    )
    move = liquidating_market_move(plan, direction=-1)
    assert move is not None
    assert (abs(move) <= 0.10) == warned
    found = [w for w in warnings_of(plan) if w.code == "pool_near_liquidation"]
    assert bool(found) == warned
    if warned:
        assert f"{abs(move) * 100:.1f} % fall" in found[0].text


def test_tier_cliff_just_above_the_planned_size() -> None:
    # 0.82 BTC at 58,000 is 47,560: 5.1 % below the 50,000 floor of the next tier
    near = make_plan([pos("a", "BTCUSDT", "long", 0.82, 58000, 10, "cross")])
    found = [w for w in warnings_of(near) if w.code == "tier_cliff"]
    assert [w.position_id for w in found] == ["a"]
    assert "5.1 %" in found[0].text and "0.40 % → 0.50 %" in found[0].text
    far = make_plan([pos("a", "BTCUSDT", "long", 0.7, 58000, 10, "cross")])
    assert "tier_cliff" not in codes(far)


def test_warnings_come_most_severe_first() -> None:
    plan = make_plan(
        [
            pos("a", "BTCUSDT", "long", 0.82, 58000, 2, "cross"),
            pos("e", "ETHUSDT", "long", 10, 2900, 25, "isolated", stop_loss=2750),
        ],
        wallet=24000,
    )
    found = warnings_of(plan)
    assert {w.code for w in found} >= {"liquidation_before_stop", "tier_cliff", "nothing_available"}
    ranks = [SEVERITY_ORDER[w.severity] for w in found]
    assert ranks == sorted(ranks)
    assert found[0].to_dict()["severity"] == "danger"
