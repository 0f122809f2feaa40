"""``loss_at_stop`` is the planned risk (spec: "a positive number"): the loss from the entry to
the stop with taker fees on entry and exit — where the stop fills now at the mark when the mark
is already past it, never below 0 (a stop that locks in a profit risks nothing) and never above
what the position can lose (``max_loss``: its isolated margin, or the cross pool's equity,
because liquidation comes first). Found by a trader's session: a long's stop typed above the
mark showed a negative loss that cancelled the other positions' risk and hid ``total_risk``; an
isolated stop beyond liquidation showed a loss above the bucket's margin."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.domain.plan import Plan
from planner.domain.plan_analysis import analyze
from planner.domain.solvers import loss_per_unit
from planner.domain.twin import compare
from tests.domain.decision_fixtures import make_plan, pos
from tests.domain.test_properties import plans
from tests.perf.test_small_engine import planning


def _exit(side: str, stop: float, mark: float) -> float:
    """Where the stop fills: at the stop, or now at the mark when the mark is past it."""
    return min(stop, mark) if side == "long" else max(stop, mark)


@given(st.data())
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_planned_risk_is_the_loss_to_the_stop_within_what_the_position_can_lose(
    data: st.DataObject,
) -> None:
    plan: Plan = data.draw(planning(data.draw(plans())))
    taker = plan.account.taker_fee_rate
    for pos_, result in zip(plan.positions, analyze(plan).positions, strict=True):
        if pos_.stop_loss is None:
            assert result.loss_at_stop is None
            continue
        market = plan.market(pos_.symbol)
        exit_price = _exit(pos_.side, pos_.stop_loss, market.mark_price)
        loss = pos_.quantity * loss_per_unit(market, pos_.side, pos_.entry_price, exit_price, taker)
        expected = min(max(loss, 0.0), result.max_loss)
        assert result.loss_at_stop is not None
        assert 0.0 <= result.loss_at_stop <= result.max_loss
        assert result.loss_at_stop == pytest.approx(expected, rel=1e-9, abs=1e-9)


def _wrong_side_plan(stop: float) -> Plan:
    # BTC long at 58,000 (the mark) and an ETH long that risks 8.3 % of equity at its stop
    return make_plan(
        [
            pos("btc", "BTCUSDT", "long", 0.5, 58000, 10, "cross", stop_loss=stop),
            pos("eth", "ETHUSDT", "long", 10, 2900, 10, "cross", stop_loss=2734),
        ],
        taker=0.0005,
    )


def test_a_long_stop_above_the_mark_fills_at_the_mark_and_hides_no_risk() -> None:
    analysis = analyze(_wrong_side_plan(65000))
    btc, eth = analysis.positions
    # fills now at 58,000 = the entry: the loss is the two taker fees, not a 3,500 profit
    assert btc.loss_at_stop == pytest.approx(0.5 * 58000 * 0.0005 * 2)
    assert eth.loss_at_stop == pytest.approx(10 * 166 + 0.0005 * 10 * (2900 + 2734))
    figures = analysis.figures
    assert figures.loss_at_stops == pytest.approx(btc.loss_at_stop + eth.loss_at_stop)
    codes = [w.code for w in analysis.warnings]
    assert "stop_already_hit" in codes
    assert "total_risk" in codes  # 8.4 % of equity > the 6 % default limit


def test_a_stop_that_locks_in_a_profit_risks_nothing() -> None:
    # long from 50,000, marked at 58,000, stop at 55,000: at the stop it still gains 2,500
    plan = make_plan([pos("btc", "BTCUSDT", "long", 0.5, 50000, 10, "cross", stop_loss=55000)])
    (btc,) = analyze(plan).positions
    assert btc.loss_at_stop == 0.0
    assert btc.reward_to_risk is None
    assert analyze(plan).figures.risk_at_stops == 0.0


def test_an_isolated_stop_beyond_liquidation_loses_the_bucket_and_compare_agrees() -> None:
    # ETH short at 2,900, isolated 5×: 5,800 of margin, liquidated near 3,466 — stop at 3,700
    plan = make_plan([pos("eth", "ETHUSDT", "short", 10, 2900, 5, "isolated", stop_loss=3700)])
    analysis = analyze(plan)
    (eth,) = analysis.positions
    assert eth.liquidation_price is not None and eth.liquidation_price < 3700
    assert eth.margin < 10 * (3700 - 2900)  # the distance to the stop is more than the margin
    assert eth.loss_at_stop == pytest.approx(eth.margin) == pytest.approx(eth.max_loss)
    assert analysis.figures.loss_at_stops <= analysis.figures.worst_case_loss
    assert "liquidation_before_stop" in [w.code for w in analysis.warnings]
    # `compare` printed "Worst-case loss 3,000" and "Loss at stop 3,516" in one column
    comparison = compare(plan)
    for variant in comparison.variants:
        at_stop = comparison.positions[0].variants[variant].loss_at_stop
        assert at_stop is not None
        assert at_stop <= comparison.totals[variant].worst_case_loss + 1e-9


def test_a_cross_stop_beyond_the_pools_liquidation_loses_at_most_the_pool() -> None:
    plan = make_plan(
        [pos("btc", "BTCUSDT", "long", 2, 58000, 20, "cross", stop_loss=40000)], wallet=10000
    )
    (btc,) = analyze(plan).positions
    assert btc.max_loss < 2 * (58000 - 40000)  # 36,000 against a 10,000 pool
    assert btc.loss_at_stop == pytest.approx(btc.max_loss)
    assert math.isfinite(btc.max_loss) and btc.max_loss == pytest.approx(10000)
