"""Applying fetched data to a plan: pure, validated, one new plan and a summary."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from planner.domain.plan import TierTable
from planner.domain.plan_analysis import analyze
from planner.marketdata.errors import BadMarketInput
from planner.marketdata.quotes import MarketQuote, VenueData
from planner.marketdata.refresh import apply_market_data, fetch_market_data
from planner.storage import plan_to_bytes
from tests.marketdata.helpers import (
    binance_plan,
    local_env,
    serve_binance,
    serve_bybit,
    serve_hyperliquid,
    single_market_plan,
)


def test_binance_refresh_moves_marks_and_liquidation_prices(httpserver: HTTPServer) -> None:
    plan = binance_plan()
    before = plan_to_bytes(plan)
    serve_binance(httpserver)
    data = fetch_market_data(plan, env=local_env(httpserver))
    new_plan, summary = apply_market_data(plan, data)
    assert plan_to_bytes(plan) == before  # the input plan is untouched
    assert [m.mark_price for m in new_plan.markets] == [59000, 2950]
    assert summary.marks_updated == (("BTCUSDT", 58000, 59000), ("ETHUSDT", 2900, 2950))
    assert new_plan.markets[0].maintenance == plan.markets[0].maintenance  # Binance: kept
    assert summary.tables_changed == () and summary.tables_fetched == 0
    moves = {m.position_id: m for m in summary.liquidation_moves}
    expected = {p.id: p.liquidation_price for p in analyze(new_plan).positions}
    assert {k: m.after for k, m in moves.items()} == expected
    text = "\n".join(summary.lines())
    assert "binance: 2 marks updated" in text
    assert "BTCUSDT: mark 58,000 → 59,000" in text
    assert "API key" in text


def test_bybit_refresh_replaces_the_tier_table_and_reports_the_move(
    httpserver: HTTPServer,
) -> None:
    plan = single_market_plan("bybit", "BTCUSDT")  # flat 0.4 % rule
    serve_bybit(httpserver)
    new_plan, summary = apply_market_data(plan, fetch_market_data(plan, env=local_env(httpserver)))
    table = new_plan.markets[0].maintenance
    assert table.source.startswith("Bybit GET /v5/market/risk-limit")
    assert table.as_of == "2024-10-29T00:00:00Z"
    assert summary.tables_changed == ("BTCUSDT",) and summary.tables_fetched == 1
    (move,) = summary.liquidation_moves
    old = analyze(plan).positions[0].liquidation_price
    new = analyze(new_plan).positions[0].liquidation_price
    assert (move.before, move.after) == (old, new) and old != new
    assert move.change == pytest.approx((new - old) / old)
    assert f"core: liquidation {old:,.8g} → {new:,.8g}" in "\n".join(summary.lines())


def test_same_data_twice_changes_nothing_the_second_time(httpserver: HTTPServer) -> None:
    plan = single_market_plan("hyperliquid", "BTC")
    serve_hyperliquid(httpserver)
    env = local_env(httpserver)
    once, _ = apply_market_data(plan, fetch_market_data(plan, env=env))
    twice, summary = apply_market_data(once, fetch_market_data(once, env=env))
    assert summary.marks_updated == () and summary.tables_changed == ()
    assert all(m.before == m.after for m in summary.liquidation_moves)
    assert twice.markets[0].tiers == once.markets[0].tiers


def test_data_of_another_venue_is_refused() -> None:
    plan = binance_plan()
    data = VenueData("bybit", frozenset({"marks"}), {}, fetched_at="2024-10-29T00:00:00Z")
    with pytest.raises(BadMarketInput, match=r"account\.venue = binance: the data is from bybit"):
        apply_market_data(plan, data)


def test_tiers_that_no_longer_allow_a_leverage_are_refused() -> None:
    plan = single_market_plan("bybit", "BTCUSDT")  # 10× on 30,000 notional
    table = TierTable.model_validate(
        {"tiers": [{"notional_floor": 0, "mmr": 0.05, "max_leverage": 5}]}
    )
    data = VenueData(
        "bybit",
        frozenset({"tiers"}),
        {"BTCUSDT": MarketQuote("BTCUSDT", tiers=table)},
        fetched_at="2024-10-29T00:00:00Z",
    )
    with pytest.raises(BadMarketInput, match=r"positions\[0\]\.leverage = 10: above the tier"):
        apply_market_data(plan, data)


def test_v2_funding_interval_and_quote_time_are_written(httpserver: HTTPServer) -> None:
    serve_binance(httpserver)
    plan = binance_plan()
    new_plan, summary = apply_market_data(plan, fetch_market_data(plan, env=local_env(httpserver)))
    btc, eth = new_plan.markets
    assert (btc.funding_rate, btc.funding_interval_hours) == (0.0001, 8)
    assert (eth.funding_rate, eth.funding_interval_hours) == (-0.00005, 8)
    assert btc.quote_as_of == "2024-10-29T00:00:00Z"
    assert summary.funding_updated == ("BTCUSDT", "ETHUSDT")


def test_v2_hyperliquid_funding_is_hourly(httpserver: HTTPServer) -> None:
    serve_hyperliquid(httpserver)
    plan = single_market_plan("hyperliquid", "BTC")
    new_plan, _ = apply_market_data(plan, fetch_market_data(plan, env=local_env(httpserver)))
    market = new_plan.markets[0]
    assert (market.funding_rate, market.funding_interval_hours) == (0.0000125, 1)
    assert market.quote_as_of is not None
