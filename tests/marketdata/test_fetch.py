"""Fetching from each venue against recorded answers on a local server: what comes back, what
is refused (naming venue, symbol and field), and how transport failures read."""

from __future__ import annotations

import json
import time

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from planner.marketdata.errors import (
    BadMarketInput,
    BadVenueResponse,
    FetchCancelled,
    UnknownSymbol,
    VenueUnreachable,
)
from planner.marketdata.http import CancelToken
from planner.marketdata.okx import instrument_id
from planner.marketdata.refresh import fetch_market_data, parse_what
from tests.marketdata.helpers import (
    binance_plan,
    fixture,
    local_env,
    serve_binance,
    serve_bybit,
    serve_hyperliquid,
    serve_okx,
    single_market_plan,
)


def test_binance_marks_funding_and_interval(httpserver: HTTPServer) -> None:
    serve_binance(httpserver)
    data = fetch_market_data(binance_plan(), env=local_env(httpserver))
    btc, eth = data.quotes["BTCUSDT"], data.quotes["ETHUSDT"]
    assert (btc.mark_price, btc.funding_rate, btc.funding_interval_hours) == (59000, 0.0001, 8)
    assert (eth.mark_price, eth.funding_rate) == (2950, -0.00005)
    assert btc.quote_as_of == "2024-10-29T00:00:00Z"  # premiumIndex "time" 1730160000000
    assert btc.tiers is None and eth.tiers is None  # brackets need a key
    assert any("API key" in note for note in data.notes)
    assert len(data.requests) == 3 and all("127.0.0.1" in r for r in data.requests)


def test_binance_interval_comes_from_funding_info(httpserver: HTTPServer) -> None:
    serve_binance(httpserver, ("SOLUSDT",))
    plan = single_market_plan("binance", "SOLUSDT", 160)
    data = fetch_market_data(plan, {"funding"}, env=local_env(httpserver))
    sol = data.quotes["SOLUSDT"]
    assert (sol.funding_rate, sol.funding_interval_hours, sol.mark_price) == (0.0002, 4, None)


def test_binance_unknown_symbol_is_bad_input(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/fapi/v1/premiumIndex").respond_with_json(
        fixture("binance_invalid_symbol.json"), status=400
    )
    plan = single_market_plan("binance", "NOPEUSDT")
    with pytest.raises(UnknownSymbol, match="binance NOPEUSDT: symbol: the venue does not list"):
        fetch_market_data(plan, {"marks"}, env=local_env(httpserver))


def test_negative_mark_is_refused_naming_venue_symbol_and_field(httpserver: HTTPServer) -> None:
    answer = fixture("binance_premiumIndex_BTCUSDT.json") | {"markPrice": "-1.5"}
    httpserver.expect_request("/fapi/v1/premiumIndex").respond_with_json(answer)
    plan = single_market_plan("binance", "BTCUSDT")
    with pytest.raises(BadVenueResponse) as caught:
        fetch_market_data(plan, {"marks"}, env=local_env(httpserver))
    message = str(caught.value)
    assert message.startswith("binance BTCUSDT: premiumIndex.markPrice:")
    assert "greater than 0" in message and "'-1.5'" in message
    assert caught.value.exit_code == 3


def test_bybit_marks_funding_and_tiers(httpserver: HTTPServer) -> None:
    serve_bybit(httpserver)
    data = fetch_market_data(single_market_plan("bybit", "BTCUSDT"), env=local_env(httpserver))
    quote = data.quotes["BTCUSDT"]
    assert (quote.mark_price, quote.funding_rate, quote.funding_interval_hours) == (
        59000,
        0.0001,
        8,
    )
    tiers = quote.tiers.tiers
    assert [(t.notional_floor, t.notional_cap, t.mmr) for t in tiers] == [
        (0, 2_000_000, 0.005),
        (2_000_000, 2_600_000, 0.0056),
        (2_600_000, 3_200_000, 0.0062),
    ]
    assert [t.maintenance_amount for t in tiers] == pytest.approx([0, 1200, 2760])
    assert [t.max_leverage for t in tiers] == [100, 89.28, 80.64]
    assert "risk-limit" in quote.tiers.source and quote.tiers.as_of == "2024-10-29T00:00:00Z"


def test_bybit_deduction_that_breaks_continuity_is_refused(httpserver: HTTPServer) -> None:
    answer = fixture("bybit_risk_limit_BTCUSDT.json")
    answer["result"]["list"][2]["mmDeduction"] = "9999"
    httpserver.expect_request("/v5/market/risk-limit").respond_with_json(answer)
    with pytest.raises(BadVenueResponse, match=r"bybit BTCUSDT: tiers\[2\]\.maintenance_amount"):
        fetch_market_data(
            single_market_plan("bybit", "BTCUSDT"), {"tiers"}, env=local_env(httpserver)
        )


def test_bybit_rates_in_percent_are_refused(httpserver: HTTPServer) -> None:
    answer = fixture("bybit_risk_limit_BTCUSDT.json")
    answer["result"]["list"][0]["maintenanceMargin"] = "0.5"  # 0.5 % written as a percentage
    httpserver.expect_request("/v5/market/risk-limit").respond_with_json(answer)
    with pytest.raises(BadVenueResponse, match=r"tiers\[0\]\.mmr: 0\.5 is not below the initial"):
        fetch_market_data(
            single_market_plan("bybit", "BTCUSDT"), {"tiers"}, env=local_env(httpserver)
        )


def test_bybit_unknown_symbol(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v5/market/tickers").respond_with_json(
        fixture("bybit_unknown_symbol.json")
    )
    with pytest.raises(UnknownSymbol, match="bybit NOPEUSDT"):
        fetch_market_data(
            single_market_plan("bybit", "NOPEUSDT"), {"marks"}, env=local_env(httpserver)
        )


def test_okx_marks_funding_interval_and_tiers_in_notional(httpserver: HTTPServer) -> None:
    serve_okx(httpserver)
    data = fetch_market_data(single_market_plan("okx", "BTCUSDT"), env=local_env(httpserver))
    quote = data.quotes["BTCUSDT"]
    assert (quote.mark_price, quote.funding_rate, quote.funding_interval_hours) == (
        59000,
        0.0001,
        8,
    )
    tiers = quote.tiers.tiers
    # 5000 contracts × 0.01 BTC × 59000 = 2,950,000 USDT; "5001" starts right after 5000
    assert [(t.notional_floor, t.notional_cap) for t in tiers] == [
        (0, 2_950_000),
        (2_950_000, 5_900_000),
        (5_900_000, 11_800_000),
    ]
    assert [t.mmr for t in tiers] == [0.004, 0.005, 0.01]
    assert tiers[2].maintenance_amount == pytest.approx(2_950_000 * 0.001 + 5_900_000 * 0.005)
    assert "ctVal 0.01" in quote.tiers.source


def test_okx_tier_table_with_a_gap_is_refused(httpserver: HTTPServer) -> None:
    serve_okx(httpserver)
    answer = fixture("okx_position_tiers_BTC-USDT.json")
    answer["data"][2]["minSz"] = "12000"
    httpserver.clear()
    serve_okx_with_tiers(httpserver, answer)
    with pytest.raises(
        BadVenueResponse, match=r"okx BTCUSDT: tiers\[2\]\.notional_floor: .*not contiguous"
    ):
        fetch_market_data(
            single_market_plan("okx", "BTCUSDT"), {"tiers"}, env=local_env(httpserver)
        )


def serve_okx_with_tiers(server: HTTPServer, tiers: dict) -> None:
    inst = "BTC-USDT-SWAP"
    server.expect_request("/api/v5/public/mark-price").respond_with_json(
        fixture(f"okx_mark_price_{inst}.json")
    )
    server.expect_request("/api/v5/public/instruments").respond_with_json(
        fixture(f"okx_instruments_{inst}.json")
    )
    server.expect_request("/api/v5/public/position-tiers").respond_with_json(tiers)


def test_okx_unknown_instrument(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/api/v5/public/mark-price").respond_with_json(
        fixture("okx_unknown_instrument.json")
    )
    with pytest.raises(UnknownSymbol, match=r"okx DOGEUSDT \(as DOGE-USDT-SWAP\)"):
        fetch_market_data(
            single_market_plan("okx", "DOGEUSDT", 0.1), {"marks"}, env=local_env(httpserver)
        )


@pytest.mark.parametrize(
    ("symbol", "instrument"),
    [
        ("BTCUSDT", "BTC-USDT-SWAP"),
        ("BTCUSD_PERP", "BTC-USD-SWAP"),
        ("eth-usdc-swap", "ETH-USDC-SWAP"),
        ("SOLUSDC", "SOL-USDC-SWAP"),
    ],
)
def test_okx_instrument_ids(symbol: str, instrument: str) -> None:
    assert instrument_id(symbol) == instrument


def test_okx_symbol_without_a_quote_is_bad_input() -> None:
    with pytest.raises(BadMarketInput, match="okx BTC: symbol: cannot tell"):
        instrument_id("BTC")


def test_hyperliquid_marks_hourly_funding_and_margin_tables(httpserver: HTTPServer) -> None:
    serve_hyperliquid(httpserver)
    plan = single_market_plan("hyperliquid", "BTC")
    data = fetch_market_data(plan, env=local_env(httpserver))
    quote = data.quotes["BTC"]
    assert (quote.mark_price, quote.funding_rate, quote.funding_interval_hours) == (
        59000,
        0.0000125,
        1,
    )
    tiers = quote.tiers.tiers
    assert [(t.notional_floor, t.notional_cap, t.max_leverage) for t in tiers] == [
        (0, 150_000_000, 40),
        (150_000_000, None, 20),
    ]
    assert [t.mmr for t in tiers] == [0.0125, 0.025]  # 1 / (2 · max leverage)
    assert tiers[1].maintenance_amount == pytest.approx(150_000_000 * 0.0125)


def test_hyperliquid_symbol_with_a_quote_and_delisted_coins(httpserver: HTTPServer) -> None:
    serve_hyperliquid(httpserver)
    env = local_env(httpserver)
    eth = fetch_market_data(single_market_plan("hyperliquid", "ETHUSDC", 2900), {"marks"}, env=env)
    assert eth.quotes["ETHUSDC"].mark_price == 2950
    with pytest.raises(UnknownSymbol, match="hyperliquid OLD"):
        fetch_market_data(single_market_plan("hyperliquid", "OLD", 1), {"marks"}, env=env)
    with pytest.raises(UnknownSymbol, match="hyperliquid DOGE"):
        fetch_market_data(single_market_plan("hyperliquid", "DOGE", 1), {"marks"}, env=env)


def test_hyperliquid_contexts_that_do_not_match_the_universe(httpserver: HTTPServer) -> None:
    answer = fixture("hyperliquid_metaAndAssetCtxs.json")
    answer[1].pop()
    httpserver.expect_request("/info", method="POST").respond_with_json(answer)
    with pytest.raises(BadVenueResponse, match="hyperliquid: assetCtxs: not one context"):
        fetch_market_data(
            single_market_plan("hyperliquid", "BTC"), {"marks"}, env=local_env(httpserver)
        )


# --- transport failures ------------------------------------------------------------------


def test_http_429_names_the_retry_after(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/fapi/v1/premiumIndex").respond_with_data(
        "", status=429, headers={"Retry-After": "30"}
    )
    with pytest.raises(VenueUnreachable) as caught:
        fetch_market_data(binance_plan(), {"marks"}, env=local_env(httpserver))
    assert str(caught.value).startswith("binance: rate limited (HTTP 429), retry after 30 s")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors(httpserver: HTTPServer, status: int) -> None:
    httpserver.expect_request("/v5/market/tickers").respond_with_data("busy", status=status)
    with pytest.raises(VenueUnreachable, match=rf"bybit: server error \(HTTP {status}\)"):
        fetch_market_data(
            single_market_plan("bybit", "BTCUSDT"), {"marks"}, env=local_env(httpserver)
        )


def test_truncated_json(httpserver: HTTPServer) -> None:
    text = json.dumps(fixture("okx_mark_price_BTC-USDT-SWAP.json"))
    httpserver.expect_request("/api/v5/public/mark-price").respond_with_data(
        text[:40], content_type="application/json"
    )
    with pytest.raises(VenueUnreachable, match="okx: the answer is truncated JSON"):
        fetch_market_data(
            single_market_plan("okx", "BTCUSDT"), {"marks"}, env=local_env(httpserver)
        )


def test_a_slow_venue_is_cut_off_by_the_deadline(httpserver: HTTPServer) -> None:
    def slow(request: Request) -> Response:
        time.sleep(2.5)
        return Response(json.dumps(fixture("hyperliquid_metaAndAssetCtxs.json")))

    httpserver.expect_request("/info", method="POST").respond_with_handler(slow)
    started = time.monotonic()
    with pytest.raises(VenueUnreachable, match="hyperliquid: no answer within"):
        fetch_market_data(
            single_market_plan("hyperliquid", "BTC"),
            {"marks"},
            env=local_env(httpserver),
            total_timeout=1.0,
        )
    assert time.monotonic() - started < 2.0


def test_closed_port_is_unreachable_quickly() -> None:
    env = {"MARGIN_PLANNER_BYBIT_URL": "http://127.0.0.1:9"}  # discard port: nothing listens
    started = time.monotonic()
    with pytest.raises(VenueUnreachable, match=r"bybit: cannot connect to 127\.0\.0\.1:9"):
        fetch_market_data(single_market_plan("bybit", "BTCUSDT"), {"marks"}, env=env)
    assert time.monotonic() - started < 5


def test_cancelled_before_the_first_request_makes_none(httpserver: HTTPServer) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(FetchCancelled, match="binance: cancelled"):
        fetch_market_data(binance_plan(), cancel=token, env=local_env(httpserver))
    assert httpserver.log == []


def test_cancel_during_a_fetch(httpserver: HTTPServer) -> None:
    token = CancelToken()

    def cancel_then_answer(request: Request) -> Response:
        token.cancel()  # the trader pressed Cancel while the venue was answering
        return Response(json.dumps(fixture("binance_fundingInfo.json")))

    httpserver.expect_request("/fapi/v1/fundingInfo").respond_with_handler(cancel_then_answer)
    with pytest.raises(FetchCancelled):
        fetch_market_data(binance_plan(), cancel=token, env=local_env(httpserver))
    paths = [request.path for request, _ in httpserver.log if request.path.startswith("/fapi")]
    assert paths == ["/fapi/v1/fundingInfo"]  # no request after the cancel


def test_base_url_override_must_be_http() -> None:
    env = {"MARGIN_PLANNER_OKX_URL": "ftp://example"}
    with pytest.raises(Exception, match="MARGIN_PLANNER_OKX_URL = 'ftp://example'"):
        fetch_market_data(single_market_plan("okx", "BTCUSDT"), {"marks"}, env=env)


def test_what_is_parsed_and_checked() -> None:
    assert parse_what("marks, tiers") == {"marks", "tiers"}
    with pytest.raises(BadMarketInput, match="--what = prices: choose from"):
        parse_what("marks,prices")


def test_fetch_on_a_worker_thread_cancelled_from_another(httpserver: HTTPServer) -> None:
    import threading

    from planner.marketdata import CancelToken as PublicCancelToken
    from planner.marketdata import fetch_market_data as public_fetch

    def slow(request: Request) -> Response:
        time.sleep(0.5)
        return Response(json.dumps(fixture("binance_fundingInfo.json")))

    httpserver.expect_request("/fapi/v1/fundingInfo").respond_with_handler(slow)
    token = PublicCancelToken()
    outcome: list[BaseException | object] = []

    def worker() -> None:
        try:
            outcome.append(public_fetch(binance_plan(), cancel=token, env=local_env(httpserver)))
        except BaseException as error:  # handed to the GUI thread
            outcome.append(error)

    thread = threading.Thread(target=worker)
    thread.start()
    time.sleep(0.1)
    token.cancel()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert isinstance(outcome[0], FetchCancelled)
    paths = [r.path for r, _ in httpserver.log if r.path.startswith("/fapi")]
    assert "/fapi/v1/premiumIndex" not in paths


def test_what_is_sent_names_the_host_the_requests_and_the_markets() -> None:
    from planner.marketdata import what_is_sent

    text = what_is_sent(binance_plan(), env={})
    assert text.startswith("Refreshing asks https://fapi.binance.com (GET /fapi/v1/premiumIndex")
    assert "BTCUSDT, ETHUSDT" in text and "no key" in text
    local = what_is_sent(binance_plan(), env={"MARGIN_PLANNER_BINANCE_URL": "http://127.0.0.1:1"})
    assert local.startswith("Refreshing asks http://127.0.0.1:1 ")


def test_inverse_markets_where_the_venue_has_none(httpserver: HTTPServer) -> None:
    plan = single_market_plan("hyperliquid", "BTC").model_dump()
    plan["markets"][0]["contract"] = "inverse"
    plan["markets"][0]["contract_size"] = 100
    from planner.domain.plan import Plan

    before = len(httpserver.log)
    with pytest.raises(BadMarketInput, match=r"hyperliquid BTC: contract: .*linear"):
        fetch_market_data(Plan.model_validate(plan), env=local_env(httpserver))
    assert len(httpserver.log) == before  # refused before any request
