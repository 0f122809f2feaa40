"""Our liquidation price beside the venue's for imported positions, and the likely cause of a
gap, in ``analyze`` (table and JSON)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner.cli import main
from planner.domain.plan import Plan
from planner.domain.plan_analysis import analyze
from planner.marketdata.gap import GAP_THRESHOLD, venue_liquidation_gaps
from planner.storage import plan_to_bytes
from tests.marketdata.helpers import plan_data


def imported_plan(venue_prices: dict[str, float], taker: float = 0.0) -> Plan:
    raw = plan_data(
        "binance",
        [
            {"symbol": "BTCUSDT", "mark_price": 58000, "maintenance": {"mmr": 0.004}},
            {"symbol": "ETHUSDT", "mark_price": 2900, "maintenance": {"mmr": 0.004}},
        ],
        [
            {
                "id": "btc",
                "symbol": "BTCUSDT",
                "side": "long",
                "quantity": 0.5,
                "entry_price": 60000,
                "leverage": 10,
                "margin_mode": "cross",
            },
            {
                "id": "eth",
                "symbol": "ETHUSDT",
                "side": "short",
                "quantity": 10,
                "entry_price": 2800,
                "leverage": 10,
                "margin_mode": "cross",
            },
        ],
    )
    raw["account"]["taker_fee_rate"] = taker
    for position in raw["positions"]:
        if position["id"] in venue_prices:
            position["venue_liquidation_price"] = venue_prices[position["id"]]
    return Plan.model_validate(raw)


def ours(plan: Plan, position_id: str) -> float:
    return next(p for p in analyze(plan).positions if p.id == position_id).liquidation_price


def test_gap_is_relative_to_the_venue_price() -> None:
    plan = imported_plan({})
    price = ours(plan, "btc")
    plan = imported_plan({"btc": price * 1.0005})
    (gap,) = venue_liquidation_gaps(plan)
    assert gap.gap == pytest.approx((price - price * 1.0005) / (price * 1.0005))
    assert abs(gap.gap) < GAP_THRESHOLD and gap.likely_cause is None  # small: no search


def test_other_positions_pnl_explains_a_venue_that_sees_the_position_alone() -> None:
    alone = Plan.model_validate(
        imported_plan({}).model_dump() | {"positions": [imported_plan({}).positions[0]]}
    )
    venue = ours(alone, "btc")  # what a venue that ignores the ETH short would show
    (gap,) = venue_liquidation_gaps(imported_plan({"btc": venue}))
    assert abs(gap.gap) > GAP_THRESHOLD
    assert gap.likely_cause == "other positions' PnL"
    assert gap.gap_after_cause == pytest.approx(0, abs=1e-9)


def test_tier_explains_a_venue_with_a_higher_maintenance_rate() -> None:
    base = imported_plan({}).model_dump()
    base["markets"][0]["maintenance"] = {"mmr": 0.008}
    venue = ours(Plan.model_validate(base), "btc")
    (gap,) = venue_liquidation_gaps(imported_plan({"btc": venue}))
    assert gap.likely_cause == "tier"
    assert abs(gap.gap_after_cause) < abs(gap.gap)


def test_analyze_shows_ours_beside_the_venue_with_the_gap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    alone = Plan.model_validate(
        imported_plan({}).model_dump() | {"positions": [imported_plan({}).positions[0]]}
    )
    venue = round(ours(alone, "btc"), 2)
    path = tmp_path / "imported.tplan"
    path.write_bytes(plan_to_bytes(imported_plan({"btc": venue})))
    assert main(["analyze", str(path)]) == 0
    table = capsys.readouterr().out
    assert "Venue liquidation prices (ours beside the venue's):" in table
    assert f"venue {venue:,.8g}" in table and "most likely other positions' PnL" in table
    assert main(["analyze", str(path), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    btc, eth = document["positions"]
    assert btc["venue_liquidation_price"] == venue
    expected = (btc["liquidation_price"] - venue) / venue
    assert btc["venue_liquidation_gap"] == pytest.approx(expected)
    assert btc["venue_liquidation_gap_cause"] == "other positions' PnL"
    assert "venue_liquidation_gap" not in eth  # only with a venue price


def test_a_gap_no_single_input_explains_is_said_so() -> None:
    plan = imported_plan({})
    far = ours(plan, "eth") * 1.3
    (gap,) = venue_liquidation_gaps(imported_plan({"eth": far}))
    assert gap.likely_cause is None and gap.gap == pytest.approx(1 / 1.3 - 1)
    assert gap.line().endswith("none of tier, fees, other positions' PnL, funding explains it")
