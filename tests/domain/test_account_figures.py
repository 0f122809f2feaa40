"""The account's decision figures (issue 13, spec/plan-format-v2.md): closed forms on hand
plans, ``worst_case_loss ≤ equity`` for every plan hypothesis makes — in analyze and in each
compare variant — and on every example."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from planner.domain.plan import Plan
from planner.domain.plan_analysis import analyze
from planner.domain.scenarios import shocked
from planner.domain.twin import compare
from planner.storage import load_plan
from tests.domain.decision_fixtures import inverse_plan, make_plan, pos, spec_plan
from tests.domain.test_properties import plans

EXAMPLES = sorted((Path(__file__).parents[2] / "resources" / "examples").glob("*.tplan"))


def _with_sol_stop() -> Plan:
    plan = spec_plan()
    data = plan.model_dump()
    data["positions"][2]["stop_loss"] = 170
    return Plan.model_validate(data)


def test_closed_form_on_the_spec_example_with_a_second_stop() -> None:
    plan = _with_sol_stop()
    # ETH 5 long isolated @3,000 (mark 2,900, stop 2,800); BTC 0.5 long cross @60,000 (mark
    # 58,000, no stop); SOL 100 short cross @150 (mark 160, stop 170); wallet 20,000, no fees
    figures = analyze(plan).figures
    gross = 5 * 2900 + 0.5 * 58000 + 100 * 160  # 59,500
    equity = 20000 + 5 * (2900 - 3000) + 0.5 * (58000 - 60000) - 100 * (160 - 150)  # 17,500
    assert figures.gross_notional == pytest.approx(gross)
    assert figures.effective_leverage == pytest.approx(gross / equity)
    loss = 5 * (3000 - 2800) + 100 * (170 - 150)  # 1,000 + 2,000
    assert figures.loss_at_stops == pytest.approx(loss)
    assert figures.risk_at_stops == pytest.approx(loss / equity)
    assert figures.positions_without_stop == 1
    # the ETH bucket's equity (1,500 − 500) and the pool's (18,500 − 1,000 − 1,000)
    assert figures.worst_case_loss == pytest.approx(1000 + 16500)
    assert figures.worst_case_loss == pytest.approx(equity)
    assert figures.position_risk == pytest.approx((1000 / equity, None, 2000 / equity))
    assert figures.stop_distance[0] == pytest.approx((2800 - 2900) / 2900)
    assert figures.shares_pool == (False, True, True)
    assert figures.worst_case_loss_of(0) == pytest.approx(1000)
    assert figures.worst_case_loss_of(1) == pytest.approx(16500)


def test_closed_form_with_fees_and_an_inverse_market() -> None:
    plan = inverse_plan()
    # BTCUSD 3,000 contracts × 100 USD long @52,000 (mark 50,000, stop 46,000);
    # ETHUSD 5,000 × 10 USD short @2,400 (mark 2,500, stop 2,800); wallet 12 BTC
    figures = analyze(plan).figures
    gross = 3000 * 100 / 50000 + 5000 * 10 / 2500
    pnl = 3000 * 100 * (1 / 52000 - 1 / 50000) - 5000 * 10 * (1 / 2400 - 1 / 2500)
    equity = 12 + pnl
    assert figures.gross_notional == pytest.approx(gross)
    assert figures.effective_leverage == pytest.approx(gross / equity)
    # the BTC bucket (10×: 3,000 × 100 / 52,000 / 10 BTC) is liquidated at ~47,521, before
    # its stop: it loses its margin, not the 0.75 BTC between entry and stop
    btc_stop = 3000 * 100 * (1 / 46000 - 1 / 52000)
    btc_bucket = 3000 * 100 / 52000 / 10
    assert btc_bucket < btc_stop
    loss = btc_bucket + 5000 * 10 * (1 / 2400 - 1 / 2800)
    assert figures.loss_at_stops == pytest.approx(loss)
    assert figures.risk_at_stops == pytest.approx(loss / equity)
    assert figures.positions_without_stop == 0


def test_fees_count_in_the_loss_at_stops() -> None:
    plan = make_plan(
        [pos("e", "ETHUSDT", "long", 10, 3000, 10, "isolated", stop_loss=2800)], taker=0.0005
    )
    figures = analyze(plan).figures
    assert figures.loss_at_stops == pytest.approx(10 * 200 + 0.0005 * 10 * (3000 + 2800))


def test_the_issue_13_figures_of_hybrid() -> None:
    plan = load_plan(Path(__file__).parents[2] / "resources" / "examples" / "hybrid.tplan")
    analysis = analyze(plan)
    figures = analysis.figures
    assert analysis.equity == pytest.approx(19750)
    # was 20,750: the bucket's 6,000 margin at entry plus the pool's 14,750 at the mark
    assert figures.worst_case_loss == pytest.approx(5000 + 14750)
    assert compare(plan).totals["planned"].worst_case_loss == pytest.approx(19750)
    eth = plan.positions[0]
    assert figures.position_risk[0] == pytest.approx(4058 / 19750)
    assert analysis.positions[0].loss_at_stop == pytest.approx(
        20 * (3000 - 2800) + 0.0005 * 20 * (3000 + 2800)
    )
    assert eth.id == "eth-conviction"


def test_no_cross_position_no_pool_in_the_worst_case() -> None:
    plan = make_plan([pos("e", "ETHUSDT", "long", 10, 3000, 10, "isolated")])
    figures = analyze(plan).figures
    assert figures.worst_case_loss == pytest.approx(3000 - 1000)  # the bucket at mark 2,900
    empty = analyze(make_plan([])).figures
    assert empty.worst_case_loss == 0 and empty.gross_notional == 0
    assert empty.effective_leverage == 0 and empty.loss_at_stops == 0


def test_a_liquidated_bucket_below_zero_never_lifts_the_worst_case_above_equity() -> None:
    plan = make_plan(
        [
            pos("e", "ETHUSDT", "long", 10, 3000, 50, "isolated"),
            pos("b", "BTCUSDT", "long", 0.1, 58000, 10, "cross"),
        ]
    )
    moved = shocked(plan, moves={"ETHUSDT": -0.2})
    analysis = analyze(moved)
    assert analysis.buckets[0].equity < 0  # past bankruptcy
    assert analysis.figures.worst_case_loss <= analysis.equity
    assert analysis.figures.worst_case_loss == pytest.approx(analysis.equity)


def test_json_carries_the_account_figures() -> None:
    data = json.loads(json.dumps(analyze(_with_sol_stop()).to_dict(), allow_nan=False))
    assert data["version"] == 2
    account = data["account"]
    for name in (
        "gross_notional",
        "effective_leverage",
        "loss_at_stops",
        "risk_at_stops",
        "positions_without_stop",
        "worst_case_loss",
    ):
        assert name in account, name
    assert account["positions_without_stop"] == 1
    assert isinstance(data["warnings"], list)


def test_effective_leverage_is_null_when_equity_is_not_positive() -> None:
    plan = make_plan([pos("b", "BTCUSDT", "long", 1, 58000, 20, "cross")], wallet=2000)
    analysis = analyze(shocked(plan, moves={"BTCUSDT": -0.2}))
    assert analysis.equity <= 0
    figures = analysis.figures
    assert figures.effective_leverage is None and figures.risk_at_stops is None
    assert figures.worst_case_loss == 0
    assert analysis.to_dict()["account"]["effective_leverage"] is None


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_compare_worst_case_is_within_equity_on_every_example(path: Path) -> None:
    comparison = compare(load_plan(path))
    for name, totals in comparison.totals.items():
        assert 0 <= totals.worst_case_loss <= max(totals.equity, 0) + 1e-9, name
        for row in comparison.positions:
            assert row.variants[name].worst_case_loss <= max(totals.equity, 0) + 1e-9


def _check_worst_case(analysis) -> None:
    worst = analysis.figures.worst_case_loss
    assert math.isfinite(worst)
    assert 0 <= worst <= max(analysis.equity, 0.0) * (1 + 1e-12) + 1e-9


PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@PROPERTY
@given(plans())
def test_worst_case_never_exceeds_equity_in_analyze(plan: Plan) -> None:
    analysis = analyze(plan)
    _check_worst_case(analysis)
    if analysis.equity >= 0:
        assert analysis.figures.worst_case_loss <= analysis.equity + 1e-9 * analysis.equity
    json.dumps(analysis.to_dict(), allow_nan=False)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(plans())
def test_worst_case_never_exceeds_equity_in_any_compare_variant(plan: Plan) -> None:
    comparison = compare(plan)
    for name, totals in comparison.totals.items():
        analysis = comparison.analyses[name]
        _check_worst_case(analysis)
        assert totals.worst_case_loss == analysis.figures.worst_case_loss, name
        assert totals.worst_case_loss <= max(totals.equity, 0) * (1 + 1e-12) + 1e-9, name
