"""Shared pieces of the market-data tests: recorded answers, plans for each venue, and the
environment that points every venue at the local test server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer

from planner.domain.plan import Plan
from planner.marketdata.http import DEFAULT_BASE_URLS, env_variable

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text("utf-8"))


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text("utf-8")


def local_env(server: HTTPServer) -> dict[str, str]:
    """Every venue's base URL pointing at the test server (nothing else can be reached)."""
    url = server.url_for("/").rstrip("/")
    return {env_variable(venue): url for venue in DEFAULT_BASE_URLS}


BINANCE_BTC_TIERS = [
    {"notional_floor": 0, "notional_cap": 50000, "max_leverage": 125, "mmr": 0.004},
    {
        "notional_floor": 50000,
        "notional_cap": 600000,
        "max_leverage": 100,
        "mmr": 0.005,
        "maintenance_amount": 50,
    },
]


def plan_data(venue: str, markets: list[dict[str, Any]], positions: list[dict[str, Any]]):
    return {
        "format": "margin-planner.plan",
        "version": 1,
        "name": f"{venue} test plan",
        "account": {
            "currency": "USDC" if venue == "hyperliquid" else "USDT",
            "wallet_balance": 20000,
            "venue": venue,
        },
        "markets": markets,
        "positions": positions,
    }


def binance_plan() -> Plan:
    return Plan.model_validate(
        plan_data(
            "binance",
            [
                {
                    "symbol": "BTCUSDT",
                    "mark_price": 58000,
                    "maintenance": {"tiers": BINANCE_BTC_TIERS, "source": "shipped"},
                },
                {"symbol": "ETHUSDT", "mark_price": 2900, "maintenance": {"mmr": 0.004}},
            ],
            [
                {
                    "id": "btc-core",
                    "symbol": "BTCUSDT",
                    "side": "long",
                    "quantity": 0.5,
                    "entry_price": 60000,
                    "leverage": 10,
                    "margin_mode": "cross",
                },
                {
                    "id": "eth-iso",
                    "symbol": "ETHUSDT",
                    "side": "long",
                    "quantity": 5,
                    "entry_price": 3000,
                    "leverage": 10,
                    "margin_mode": "isolated",
                },
            ],
        )
    )


def single_market_plan(venue: str, symbol: str, mark: float = 58000) -> Plan:
    return Plan.model_validate(
        plan_data(
            venue,
            [{"symbol": symbol, "mark_price": mark, "maintenance": {"mmr": 0.004}}],
            [
                {
                    "id": "core",
                    "symbol": symbol,
                    "side": "long",
                    "quantity": 0.5,
                    "entry_price": 60000,
                    "leverage": 10,
                    "margin_mode": "cross",
                }
            ],
        )
    )


def serve_binance(server: HTTPServer, symbols: tuple[str, ...] = ("BTCUSDT", "ETHUSDT")) -> None:
    server.expect_request("/fapi/v1/fundingInfo").respond_with_json(
        fixture("binance_fundingInfo.json")
    )
    for symbol in symbols:
        server.expect_request(
            "/fapi/v1/premiumIndex", query_string={"symbol": symbol}
        ).respond_with_json(fixture(f"binance_premiumIndex_{symbol}.json"))


def serve_bybit(server: HTTPServer) -> None:
    query = {"category": "linear", "symbol": "BTCUSDT"}
    server.expect_request("/v5/market/tickers", query_string=query).respond_with_json(
        fixture("bybit_tickers_BTCUSDT.json")
    )
    server.expect_request("/v5/market/risk-limit", query_string=query).respond_with_json(
        fixture("bybit_risk_limit_BTCUSDT.json")
    )


def serve_okx(server: HTTPServer) -> None:
    inst = "BTC-USDT-SWAP"
    server.expect_request(
        "/api/v5/public/mark-price", query_string={"instType": "SWAP", "instId": inst}
    ).respond_with_json(fixture(f"okx_mark_price_{inst}.json"))
    server.expect_request(
        "/api/v5/public/funding-rate", query_string={"instId": inst}
    ).respond_with_json(fixture(f"okx_funding_rate_{inst}.json"))
    server.expect_request(
        "/api/v5/public/instruments", query_string={"instType": "SWAP", "instId": inst}
    ).respond_with_json(fixture(f"okx_instruments_{inst}.json"))
    server.expect_request(
        "/api/v5/public/position-tiers",
        query_string={"instType": "SWAP", "tdMode": "cross", "instFamily": "BTC-USDT"},
    ).respond_with_json(fixture("okx_position_tiers_BTC-USDT.json"))


def serve_hyperliquid(server: HTTPServer) -> None:
    server.expect_request(
        "/info", method="POST", json={"type": "metaAndAssetCtxs"}
    ).respond_with_json(fixture("hyperliquid_metaAndAssetCtxs.json"))


def collateral_plan(venue: str, symbol: str = "BTCUSDT", **ratio: Any) -> Plan:
    """A small wallet and 2 BTC of collateral (at a fixed 58,000; ``value_ratio`` 0.95 unless
    ``ratio`` says otherwise) behind a cross long of 5 BTC: its liquidation price moves with
    the collateral's value ratios."""
    data = plan_data(
        venue,
        [{"symbol": symbol, "mark_price": 58000, "maintenance": {"mmr": 0.004}}],
        [
            {
                "id": "core",
                "symbol": symbol,
                "side": "long",
                "quantity": 5,
                "entry_price": 60000,
                "leverage": 10,
                "margin_mode": "cross",
            }
        ],
    )
    data["account"]["wallet_balance"] = 1000
    data["account"]["collateral"] = [
        {"asset": "BTC", "amount": 2, "price": 58000, **(ratio or {"value_ratio": 0.95})}
    ]
    return Plan.model_validate(data)


def serve_bybit_collateral(server: HTTPServer, answer: Any = None) -> None:
    server.expect_request(
        "/v5/spot-margin-trade/collateral", query_string={"currency": "BTC"}
    ).respond_with_json(fixture("bybit_collateral_BTC.json") if answer is None else answer)


def serve_okx_collateral(server: HTTPServer, answer: Any = None) -> None:
    server.expect_request(
        "/api/v5/public/discount-rate-interest-free-quota", query_string={"ccy": "BTC"}
    ).respond_with_json(fixture("okx_discount_rate_BTC.json") if answer is None else answer)
