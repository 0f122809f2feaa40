"""The example plan of spec/plan-format.md gives the figures the spec prints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner import analyze, load_plan

SPEC_EXAMPLE = Path(__file__).parent / "data" / "spec_example.tplan"


@pytest.fixture(scope="module")
def result() -> dict:
    return analyze(load_plan(SPEC_EXAMPLE)).to_dict()


def test_account_figures_match_the_spec(result: dict) -> None:
    account = result["account"]
    assert account["wallet_balance"] == 20000
    assert account["unrealized_pnl"] == pytest.approx(-2500)
    assert account["equity"] == pytest.approx(17500)
    assert account["isolated_margin"] == pytest.approx(1500)
    cross = account["cross"]
    assert cross["wallet_balance"] == pytest.approx(18500)
    assert cross["unrealized_pnl"] == pytest.approx(-2000)
    assert cross["equity"] == pytest.approx(16500)
    assert cross["initial_margin"] == pytest.approx(4500)
    assert cross["maintenance_margin"] == pytest.approx(196)
    assert cross["available"] == pytest.approx(12000)
    assert cross["risk_ratio"] == pytest.approx(0.011879, abs=5e-7)
    assert cross["liquidated"] is False


def test_isolated_eth_position_matches_the_spec(result: dict) -> None:
    eth = result["positions"][0]
    expected = {
        "notional": 14500.0,
        "initial_margin": 1500.0,
        "margin": 1500.0,
        "unrealized_pnl": -500.0,
        "equity": 1000.0,
        "maintenance_rate": 0.004,
        "maintenance_amount": 0.0,
        "maintenance_margin": 58.0,
        "risk_ratio": 0.058,
        "bankruptcy_price": 2700.0,
        "loss_at_stop": 1000.0,
        "max_loss": 1500.0,
    }
    for key, value in expected.items():
        assert eth[key] == pytest.approx(value), key
    assert eth["liquidation_price"] == pytest.approx(2710.84, abs=0.005)
    assert eth["liquidation_distance"] == pytest.approx(-0.0652, abs=5e-5)
    assert eth["liquidated"] is False


def test_cross_liquidation_prices_match_the_derived_vector(result: dict) -> None:
    by_id = {p["id"]: p for p in result["positions"]}
    assert by_id["btc-core"]["liquidation_price"] == pytest.approx(25261.044177, abs=1e-6)
    assert by_id["sol-hedge"]["liquidation_price"] == pytest.approx(322.228856, abs=1e-6)
    assert by_id["btc-core"]["margin"] is None
    assert by_id["btc-core"]["equity"] is None


def test_json_round_trips(result: dict) -> None:
    assert json.loads(json.dumps(result, allow_nan=False)) == result
