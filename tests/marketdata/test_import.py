"""Imports: a Hyperliquid wallet's positions and a CSV of positions become valid plans."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from planner.domain.errors import PlanError
from planner.domain.plan_analysis import analyze
from planner.marketdata.errors import BadMarketInput, BadVenueResponse
from planner.marketdata.importers import (
    check_address,
    csv_from_rows,
    fetch_hyperliquid_account,
    plan_from_csv,
    plan_from_hyperliquid,
)
from tests.marketdata.helpers import fixture, local_env, serve_hyperliquid

ADDRESS = "0x31CA8395cf837de08b24da3f660e77761dfb974b"


def serve_wallet(server: HTTPServer, state: dict | None = None) -> None:
    serve_hyperliquid(server)
    server.expect_request(
        "/info", method="POST", json={"type": "clearinghouseState", "user": ADDRESS.lower()}
    ).respond_with_json(state or fixture("hyperliquid_clearinghouseState.json"))


def test_hyperliquid_wallet_becomes_a_plan(httpserver: HTTPServer) -> None:
    serve_wallet(httpserver)
    account = fetch_hyperliquid_account(ADDRESS, env=local_env(httpserver))
    plan, notes = plan_from_hyperliquid(account)
    eth, btc = plan.positions
    assert (eth.side, eth.quantity, eth.entry_price, eth.leverage, eth.margin_mode) == (
        "long",
        5,
        3000,
        10,
        "isolated",
    )
    # bucket before PnL = marginUsed 1250 − uPnL (−250) = 1500 = 5 × 3000 / 10: nothing added
    assert eth.added_margin == pytest.approx(0)
    assert (btc.side, btc.quantity, btc.margin_mode, btc.leverage) == ("short", 0.5, "cross", 20)
    # wallet before PnL = accountValue 21000 − (−250 + 500)
    assert plan.account.wallet_balance == pytest.approx(20750)
    assert {m.symbol: m.mark_price for m in plan.markets} == {"ETH": 2950, "BTC": 59000}
    assert [t.max_leverage for t in plan.market("ETH").tiers] == [25, 15]
    # at the venue's marks the plan's equity is the venue's account value
    assert analyze(plan).equity == pytest.approx(21000)
    assert (eth.venue_liquidation_price, btc.venue_liquidation_price) == (2718.27, 65100)
    btc_market = plan.market("BTC")
    assert (btc_market.funding_rate, btc_market.funding_interval_hours) == (0.0000125, 1)
    assert plan.market("ETH").quote_as_of is not None
    assert notes == []


def test_empty_wallet_is_a_plan_without_positions(httpserver: HTTPServer) -> None:
    state = fixture("hyperliquid_clearinghouseState.json") | {"assetPositions": []}
    serve_wallet(httpserver, state)
    plan, notes = plan_from_hyperliquid(
        fetch_hyperliquid_account(ADDRESS, env=local_env(httpserver))
    )
    assert plan.positions == () and plan.account.wallet_balance == 21000
    assert notes == ["the wallet holds no perpetual positions"]


def test_bad_clearinghouse_state_names_the_field(httpserver: HTTPServer) -> None:
    state = fixture("hyperliquid_clearinghouseState.json")
    state["assetPositions"][0]["position"]["leverage"]["type"] = "portfolio"
    serve_wallet(httpserver, state)
    with pytest.raises(BadVenueResponse) as caught:
        fetch_hyperliquid_account(ADDRESS, env=local_env(httpserver))
    assert str(caught.value).startswith(
        "hyperliquid: clearinghouseState.assetPositions[0].position.leverage.type:"
    )


@pytest.mark.parametrize("address", ["0x1234", "31ca8395cf837de08b24da3f660e77761dfb974b", ""])
def test_addresses_are_checked_before_any_request(address: str) -> None:
    with pytest.raises(BadMarketInput, match="not a wallet address"):
        check_address(address)


ROW = {
    "symbol": "BTCUSDT",
    "side": "long",
    "quantity": "0.5",
    "entry_price": "60000",
    "leverage": "10",
    "margin_mode": "cross",
    "mark_price": "58000",
}


def test_csv_uses_shipped_tiers_or_the_row_rule() -> None:
    xrp = ROW | {"symbol": "XRPUSDT", "mark_price": "0.5", "entry_price": "0.6", "mmr": "0.01"}
    plan, _ = plan_from_csv(csv_from_rows([ROW, xrp]), venue="binance", wallet_balance=10000)
    assert plan.market("BTCUSDT").maintenance.source.startswith("github freqtrade")
    assert plan.market("XRPUSDT").maintenance.mmr == 0.01
    assert [p.id for p in plan.positions] == ["btcusdt-1", "xrpusdt-2"]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([ROW | {"symbol": "NOTLISTEDUSDT"}], "line 2: mmr: required for NOTLISTEDUSDT"),
        ([ROW | {"quantity": ""}], "line 2: quantity: required"),
        ([ROW, ROW | {"mark_price": "1"}], "line 3: mark_price = 1: differs from an earlier row"),
        ([ROW | {"leverage": "500"}], "line 2: positions[0].leverage = 500: above the tier"),
        ([ROW | {"side": "up"}], "line 2: positions[0].side = 'up'"),
    ],
)
def test_csv_refusals_name_the_line_and_the_column(rows: list, message: str) -> None:
    with pytest.raises(PlanError) as caught:
        plan_from_csv(csv_from_rows(rows), wallet_balance=10000, source="p.csv")
    assert message in str(caught.value)
    assert str(caught.value).startswith("p.csv")


def test_csv_header_problems() -> None:
    with pytest.raises(PlanError, match="header: missing column mark_price"):
        plan_from_csv("symbol,side,quantity,entry_price,leverage,margin_mode\n", wallet_balance=1)
    with pytest.raises(PlanError, match="header: unknown column 'stoploss'"):
        plan_from_csv(csv_from_rows([ROW]).replace("stop_loss", "stoploss", 1), wallet_balance=1)
    with pytest.raises(PlanError, match="no positions"):
        plan_from_csv(csv_from_rows([]), wallet_balance=1)
