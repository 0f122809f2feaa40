"""The plan in time (spec/plan-format-v2.md): planned adds and funding over the horizon, through
the public API, against published examples, closed forms and the defining equations."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.domain.plan import Plan
from planner.domain.plan_analysis import analyze
from planner.domain.scale_in import average_entry
from planner.storage import load_plan

EXAMPLES = sorted((Path(__file__).parents[2] / "resources" / "examples").glob("*.tplan"))
TIME_CODES = {"scale_in_unreachable", "funding_liquidates"}
V2_FIELDS = {"funding_cost", "liquidation_price_at_horizon", "funding_runway_hours", "scale_in"}


def flat(mmr: float) -> dict[str, Any]:
    return {"mmr": mmr, "maintenance_amount": 0}


def plan(
    *,
    venue: str = "binance",
    wallet: float = 10_000.0,
    contract: str = "linear",
    mark: float = 50_000.0,
    maintenance: dict[str, Any] | None = None,
    positions: list[dict[str, Any]],
    funding_rate: float = 0.0,
    interval: float = 8.0,
    horizon: float = 0.0,
    taker: float = 0.0,
) -> Plan:
    return Plan.model_validate(
        {
            "format": "margin-planner.plan",
            "version": 2,
            "horizon_hours": horizon,
            "account": {
                "currency": "BTC" if contract == "inverse" else "USDT",
                "wallet_balance": wallet,
                "venue": venue,
                "position_mode": "hedge",
                "taker_fee_rate": taker,
                "maker_fee_rate": 0,
            },
            "markets": [
                {
                    "symbol": "BTCUSD" if contract == "inverse" else "BTCUSDT",
                    "contract": contract,
                    "contract_size": 1,
                    "mark_price": mark,
                    "maintenance": maintenance or flat(0.005),
                    "funding_rate": funding_rate,
                    "funding_interval_hours": interval,
                }
            ],
            "positions": positions,
        }
    )


def long(**fields: Any) -> dict[str, Any]:
    base = {
        "id": "btc",
        "symbol": "BTCUSDT",
        "side": "long",
        "quantity": 0.2,
        "entry_price": 50_000,
        "leverage": 10,
        "margin_mode": "isolated",
    }
    return base | fields


# --- planned adds --------------------------------------------------------------------------


def test_bybit_inverse_average_entry_example() -> None:
    # Bybit help "average entry price" (inverse): 50 contracts at 10,000 and 50 at 15,000
    assert average_entry([(10_000, 50), (15_000, 50)], inverse=True) == pytest.approx(12_000)
    p = plan(
        venue="bybit",
        contract="inverse",
        mark=10_000,
        wallet=1.0,
        positions=[
            long(
                symbol="BTCUSD",
                quantity=50,
                entry_price=10_000,
                leverage=5,
                scale_in=[{"price": 15_000, "quantity": 50}],
            )
        ],
    )
    fill = analyze(p).to_dict()["positions"][0]["scale_in"][0]
    assert fill["average_entry"] == pytest.approx(12_000)
    assert fill["total_quantity"] == 100


def isolated_long_lp(q: float, entry: float, margin: float, mmr: float) -> float:
    """Closed form, flat rate, no fee: M + q(P − E) = mmr·q·P."""
    return (q * entry - margin) / (q * (1 - mmr))


def test_each_fill_matches_the_closed_form_on_the_cumulative_position() -> None:
    rungs = [(48_000, 0.1), (46_000, 0.2), (44_000, 0.3)]
    p = plan(
        positions=[long(scale_in=[{"price": pr, "quantity": q} for pr, q in rungs])],
        wallet=50_000,
    )
    fills = analyze(p).to_dict()["positions"][0]["scale_in"]
    q, cost = 0.2, 0.2 * 50_000
    for (price, quantity), fill in zip(rungs, fills, strict=True):
        q += quantity
        cost += price * quantity
        entry = cost / q
        margin = cost / 10  # each fill brings its own initial margin at 10×
        assert fill["total_quantity"] == pytest.approx(q)
        assert fill["average_entry"] == pytest.approx(entry)
        assert fill["margin"] == pytest.approx(margin)
        assert fill["liquidation_price"] == pytest.approx(
            isolated_long_lp(q, entry, margin, 0.005), rel=1e-12
        )


def test_an_add_beyond_the_liquidation_price_before_it_is_unreachable() -> None:
    # 10× isolated long at 50,000: liquidated near 45,226 — an add at 44,000 never fills
    p = plan(
        positions=[
            long(scale_in=[{"price": 47_000, "quantity": 0.1}, {"price": 44_000, "quantity": 0.1}])
        ]
    )
    analysis = analyze(p)
    fills = analysis.to_dict()["positions"][0]["scale_in"]
    assert [f["reachable"] for f in fills] == [True, False]
    assert fills[0]["liquidation_price"] > 44_000
    codes = [(w.code, w.position) for w in analysis.warnings if w.code in TIME_CODES]
    assert codes == [("scale_in_unreachable", "btc")]
    # a nearby plan: the same add a little above the liquidation price after the first fill
    near = fills[0]["liquidation_price"] * 1.001
    p2 = plan(
        positions=[
            long(scale_in=[{"price": 47_000, "quantity": 0.1}, {"price": near, "quantity": 0.1}])
        ]
    )
    assert not [w for w in analyze(p2).warnings if w.code in TIME_CODES]


def test_cross_fill_liquidation_follows_the_pool_equation() -> None:
    # cross long, flat rate: W + Σq(P − E) = mmr·Σq·P  →  P = (ΣqE − W) / (Σq(1 − mmr))
    p = plan(
        wallet=3_000,
        positions=[long(margin_mode="cross", scale_in=[{"price": 49_000, "quantity": 0.1}])],
    )
    fill = analyze(p).to_dict()["positions"][0]["scale_in"][0]
    cost = 0.2 * 50_000 + 0.1 * 49_000
    assert fill["margin"] is None
    assert fill["liquidation_price"] == pytest.approx((cost - 3_000) / (0.3 * 0.995))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    venue=st.sampled_from(["binance", "bybit", "okx", "hyperliquid"]),
    mode=st.sampled_from(["cross", "isolated"]),
    leverage=st.integers(2, 50),
    worse=st.floats(0.0, 0.05),
    size=st.floats(0.01, 2.0),
    tiered=st.booleans(),
)
def test_a_rung_at_a_worse_price_never_moves_a_long_liquidation_down(
    venue: str, mode: str, leverage: int, worse: float, size: float, tiered: bool
) -> None:
    from tests.domain.decision_fixtures import BTC_TIERS

    p = plan(
        venue=venue,
        wallet=100_000,
        maintenance=BTC_TIERS if tiered else flat(0.005),
        taker=0.0004,
        positions=[
            long(
                margin_mode=mode,
                leverage=leverage,
                scale_in=[{"price": 50_000 * (1 + worse), "quantity": size}],
            )
        ],
    )
    analysis = analyze(p)
    before = analysis.positions[0].liquidation_price
    after = analysis.to_dict()["positions"][0]["scale_in"][0]["liquidation_price"]
    if before is not None and after is not None:
        assert after >= before * (1 - 1e-9)


# --- funding -------------------------------------------------------------------------------


def test_liquidation_at_the_horizon_is_the_v1_price_with_the_bucket_less_the_funding() -> None:
    rate, interval, horizon = 0.0005, 8.0, 24 * 30
    p = plan(positions=[long()], funding_rate=rate, interval=interval, horizon=horizon)
    d = analyze(p).to_dict()
    pos = d["positions"][0]
    payments = math.floor(horizon / interval)
    cost = 0.2 * 50_000 * rate * payments
    assert pos["funding_cost"] == pytest.approx(cost)
    assert d["account"]["funding_cost"] == pytest.approx(cost)
    drained = plan(positions=[long(added_margin=0.0)], wallet=10_000 - cost)
    margin = 0.2 * 50_000 / 10 - cost
    assert pos["liquidation_price_at_horizon"] == pytest.approx(
        isolated_long_lp(0.2, 50_000, margin, 0.005), rel=1e-12
    )
    assert analyze(drained).positions[0].liquidation_price < pos["liquidation_price_at_horizon"]


def test_runway_times_rate_times_notional_is_the_bucket_excess() -> None:
    rate = 0.001
    p = plan(positions=[long()], funding_rate=rate, interval=1.0, horizon=24)
    analysis = analyze(p)
    bucket = analysis.buckets[0]
    runway = analysis.to_dict()["positions"][0]["funding_runway_hours"]
    excess = bucket.equity - bucket.maintenance_margin
    assert runway * rate * 0.2 * 50_000 == pytest.approx(excess)
    # a short receives at a positive rate: never liquidated by funding
    short = plan(positions=[long(side="short")], funding_rate=rate, interval=1.0, horizon=24)
    assert analyze(short).to_dict()["positions"][0]["funding_runway_hours"] is None


def test_funding_alone_liquidates_within_the_horizon_warns() -> None:
    # 10× isolated: ~9.5 % of entry above maintenance; 0.1 %/h eats it in ~95 h
    hot = plan(positions=[long()], funding_rate=0.001, interval=1.0, horizon=24 * 7)
    analysis = analyze(hot)
    found = [w for w in analysis.warnings if w.code in TIME_CODES]
    assert [w.code for w in found] == ["funding_liquidates"]
    assert "btc" in found[0].message
    # nearby: the same rate over three days does not reach it
    calm = plan(positions=[long()], funding_rate=0.001, interval=1.0, horizon=72)
    assert not [w for w in analyze(calm).warnings if w.code in TIME_CODES]


def test_bybit_takes_isolated_funding_from_the_available_balance_first() -> None:
    rate, horizon = 0.0005, 24 * 30
    on = {"funding_rate": rate, "interval": 8.0, "horizon": horizon}
    bybit = analyze(plan(venue="bybit", positions=[long()], **on)).to_dict()["positions"][0]
    before = analyze(plan(venue="bybit", positions=[long()])).positions[0].liquidation_price
    # the wallet's 9,000 available covers 360 of funding: the bucket, and the price, stay
    assert bybit["funding_cost"] == pytest.approx(0.2 * 50_000 * rate * 90)
    assert bybit["liquidation_price_at_horizon"] == pytest.approx(before)
    binance = analyze(plan(positions=[long()], **on)).to_dict()["positions"][0]
    assert binance["liquidation_price_at_horizon"] > before


@given(
    venue=st.sampled_from(["binance", "bybit", "okx", "hyperliquid"]),
    mode=st.sampled_from(["cross", "isolated"]),
    horizon=st.floats(0, 24 * 365),
)
@settings(max_examples=40, deadline=None)
def test_zero_funding_changes_nothing(venue: str, mode: str, horizon: float) -> None:
    p = plan(venue=venue, positions=[long(margin_mode=mode)], horizon=horizon)
    analysis = analyze(p)
    pos = analysis.to_dict()["positions"][0]
    assert pos["funding_cost"] == 0
    assert pos["funding_runway_hours"] is None
    assert pos["liquidation_price_at_horizon"] == analysis.positions[0].liquidation_price


def _held_as_it_is(path: Path) -> bool:
    p = load_plan(path)
    return not any(pos.scale_in for pos in p.positions) and not any(
        m.funding_rate for m in p.markets
    )


@pytest.mark.parametrize("path", [p for p in EXAMPLES if _held_as_it_is(p)], ids=lambda p: p.stem)
def test_v1_plans_analyse_as_before(path: Path) -> None:
    """A plan without v2 fields: every v1 figure comes from the analysis at the marks, and the
    time figures are neutral (nothing paid, no adds, the same liquidation price)."""
    p = load_plan(path)
    d = analyze(p).to_dict()
    for pos, result in zip(d["positions"], analyze(p).positions, strict=True):
        assert pos["funding_cost"] == 0
        assert pos["scale_in"] == []
        assert pos["funding_runway_hours"] is None
        assert pos["liquidation_price_at_horizon"] == result.liquidation_price
        assert pos["liquidation_price"] == result.liquidation_price
    assert d["account"]["funding_cost"] == 0
    assert set(d["positions"][0]) >= V2_FIELDS
