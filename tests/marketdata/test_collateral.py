"""Collateral value ratios fetched on request (``--what collateral``): Bybit's and OKX's
marginal tiers written into the plan's collateral items, each broken answer refused naming
venue, asset and field, nothing asked for a plan without collateral, and a note where the
venue publishes no list."""

from __future__ import annotations

import json

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from planner.domain.plan_analysis import analyze
from planner.marketdata.errors import BadMarketInput, BadVenueResponse, FetchCancelled
from planner.marketdata.http import CancelToken
from planner.marketdata.refresh import (
    apply_market_data,
    fetch_market_data,
    parse_what,
    what_is_sent,
)
from planner.storage import plan_to_bytes
from tests.marketdata.helpers import (
    collateral_plan,
    fixture,
    local_env,
    serve_bybit,
    serve_bybit_collateral,
    serve_okx_collateral,
    single_market_plan,
)

BYBIT_PATH = "/v5/spot-margin-trade/collateral"
OKX_PATH = "/api/v5/public/discount-rate-interest-free-quota"
COLLATERAL = frozenset({"collateral"})


def _steps(plan) -> list[tuple[float, float]]:
    item = plan.account.collateral[0]
    assert item.value_ratio is None
    return [(t.amount_floor, t.ratio) for t in item.value_ratio_tiers]


def _paths(server: HTTPServer) -> list[str]:
    return [request.path for request, _ in server.log]


def test_parse_what_takes_collateral_and_names_it_when_refusing() -> None:
    assert parse_what("collateral") == {"collateral"}
    assert parse_what("marks,collateral") == {"marks", "collateral"}
    with pytest.raises(BadMarketInput, match="choose from marks, funding, tiers, collateral"):
        parse_what("haircuts")


def test_bybit_tiers_are_fetched_and_written_with_the_move(httpserver: HTTPServer) -> None:
    plan = collateral_plan("bybit")
    before = plan_to_bytes(plan)
    serve_bybit_collateral(httpserver)
    data = fetch_market_data(plan, COLLATERAL, env=local_env(httpserver))
    assert data.quotes == {}  # markets were not asked for
    assert len(data.requests) == 1 and data.requests[0].endswith(BYBIT_PATH)
    ((request, _),) = httpserver.log
    assert (request.path, request.args.to_dict()) == (BYBIT_PATH, {"currency": "BTC"})
    ratios = data.collateral["BTC"]
    assert [(t.amount_floor, t.ratio) for t in ratios.tiers] == [(0, 0.9), (1, 0.8), (1000, 0)]
    assert ratios.as_of == "2024-10-29T00:00:00Z"
    assert ratios.source == f"Bybit GET {BYBIT_PATH}?currency=BTC"

    new_plan, summary = apply_market_data(plan, data)
    assert plan_to_bytes(plan) == before
    assert _steps(new_plan) == [(0, 0.9), (1, 0.8), (1000, 0)]
    assert summary.collateral_changed == (("BTC", "0.95", "0.9 up to 1, 0.8 up to 1,000, 0 above"),)
    assert summary.collateral_fetched == 1 and summary.changed
    # 2 BTC counted at 0.9 + 0.8 instead of 2 × 0.95: the long's liquidation price rises
    (move,) = summary.liquidation_moves
    assert (move.before, move.after) == pytest.approx((38000, 40320))
    assert move.after == analyze(new_plan).positions[0].liquidation_price
    lines = summary.lines()
    assert lines[0] == (
        "bybit: 0 marks updated, 0 funding rates updated, 0 of 0 tier tables changed, "
        "1 of 1 collateral ratio list changed"
    )
    assert "  BTC: collateral value ratio 0.95 → 0.9 up to 1, 0.8 up to 1,000, 0 above" in lines
    assert "  core: liquidation 38,000 → 40,320 (+6.11%)" in lines


def test_okx_tiers_with_the_rate_above_the_last_tier(httpserver: HTTPServer) -> None:
    plan = collateral_plan("okx")
    serve_okx_collateral(httpserver)
    data = fetch_market_data(plan, COLLATERAL, env=local_env(httpserver))
    assert _paths(httpserver) == [OKX_PATH]
    new_plan, summary = apply_market_data(plan, data)
    # details end at 1.5 BTC; minDiscountRate 0.5 counts what lies above
    assert _steps(new_plan) == [(0, 0.98), (1, 0.9), (1.5, 0.5)]
    assert new_plan.account.collateral[0].value_at(58000) == pytest.approx(1.68 * 58000)
    assert summary.collateral_changed == (
        ("BTC", "0.95", "0.98 up to 1, 0.9 up to 1.5, 0.5 above"),
    )
    old, new = (analyze(p).positions[0].liquidation_price for p in (plan, new_plan))
    assert new > old and summary.liquidation_moves[0].after == new


def test_okx_older_answers_name_the_list_discount_info(httpserver: HTTPServer) -> None:
    serve_okx_collateral(httpserver, fixture("okx_discount_rate_BTC_discountInfo.json"))
    plan = collateral_plan("okx")
    new_plan, _ = apply_market_data(
        plan, fetch_market_data(plan, COLLATERAL, env=local_env(httpserver))
    )
    assert _steps(new_plan) == [(0, 0.98), (1, 0.9)]


def test_one_tier_from_zero_is_written_as_value_ratio(httpserver: HTTPServer) -> None:
    answer = fixture("okx_discount_rate_BTC.json")
    answer["data"][0]["details"] = [{"discountRate": "0.97", "minAmt": "0", "maxAmt": ""}]
    serve_okx_collateral(httpserver, answer)
    plan = collateral_plan(
        "okx",
        value_ratio_tiers=[{"amount_floor": 0, "ratio": 1}, {"amount_floor": 1, "ratio": 0.5}],
    )
    new_plan, summary = apply_market_data(
        plan, fetch_market_data(plan, COLLATERAL, env=local_env(httpserver))
    )
    item = new_plan.account.collateral[0]
    assert (item.value_ratio, item.value_ratio_tiers) == (0.97, None)
    assert summary.collateral_changed == (("BTC", "1 up to 1, 0.5 above", "0.97"),)


def test_the_same_ratios_again_change_nothing(httpserver: HTTPServer) -> None:
    serve_bybit_collateral(httpserver)
    env = local_env(httpserver)
    once, _ = apply_market_data(
        plan := collateral_plan("bybit"), fetch_market_data(plan, COLLATERAL, env=env)
    )
    twice, summary = apply_market_data(once, fetch_market_data(once, COLLATERAL, env=env))
    assert twice == once
    assert summary.collateral_changed == () and summary.collateral_fetched == 1
    assert not summary.changed
    assert "0 of 1 collateral ratio list changed" in summary.lines()[0]


def _bybit_tiers(**changes: dict) -> dict:
    answer = fixture("bybit_collateral_BTC.json")
    for index, fields in changes.items():
        answer["result"]["list"][0]["collateralRatioList"][int(index[1:])].update(fields)
    return answer


def _okx_tiers(**changes: dict) -> dict:
    answer = fixture("okx_discount_rate_BTC.json")
    for index, fields in changes.items():
        answer["data"][0]["details"][int(index[1:])].update(fields)
    return answer


BYBIT_TIER = "bybit BTC: result.list[0].collateralRatioList"
OKX_TIER = "okx BTC: data[0].details"


@pytest.mark.parametrize(
    ("venue", "answer", "message"),
    [
        (
            "bybit",
            _bybit_tiers(t1={"collateralRatio": "1.5"}),
            f"{BYBIT_TIER}[1].collateralRatio: 1.5 is not a ratio in [0, 1]",
        ),
        (
            "okx",
            _okx_tiers(t0={"discountRate": "-0.1"}),
            f"{OKX_TIER}[0].discountRate: -0.1 is not a ratio in [0, 1]",
        ),
        (
            "okx",
            _okx_tiers(t1={"minAmt": "1.2"}),
            f"{OKX_TIER}[1].minAmt: 1.2: a gap after the previous tier (it ends at 1)",
        ),
        (
            "bybit",
            _bybit_tiers(t1={"minQty": "0.5"}),
            f"{BYBIT_TIER}[1].minQty: 0.5: overlaps the previous tier (it ends at 1)",
        ),
        (
            "bybit",
            _bybit_tiers(t0={"maxQty": ""}),
            f"{BYBIT_TIER}[1].minQty: 1: overlaps the previous tier (it ends at no limit)",
        ),
        (
            "okx",
            _okx_tiers(t0={"minAmt": "0.5"}),
            f"{OKX_TIER}[0].minAmt: 0.5: must start at 0",
        ),
        (
            "bybit",
            _bybit_tiers(t2={"maxQty": "5000"}),
            f"{BYBIT_TIER}[2].maxQty: 5000: the last tier ends there and no ratio is given",
        ),
        (
            "okx",
            _okx_tiers(t0={"discountRate": "high"}),
            f"{OKX_TIER}[0].discountRate: Input should be a valid number",
        ),
    ],
    ids=[
        "ratio-above-1",
        "negative-ratio",
        "gap",
        "overlap",
        "open-tier-then-more",
        "floor",
        "capped-last-tier",
        "not-a-number",
    ],
)
def test_broken_tiers_are_refused_and_the_plan_is_unchanged(
    httpserver: HTTPServer, venue: str, answer: dict, message: str
) -> None:
    (serve_bybit_collateral if venue == "bybit" else serve_okx_collateral)(httpserver, answer)
    plan = collateral_plan(venue)
    before = plan_to_bytes(plan)
    with pytest.raises(BadVenueResponse) as caught:
        fetch_market_data(plan, env=local_env(httpserver), what=COLLATERAL)
    assert str(caught.value).startswith(message), str(caught.value)
    assert caught.value.exit_code == 3 and "\n" not in str(caught.value)
    assert plan_to_bytes(plan) == before


def test_okx_last_tier_capped_without_a_rate_above_is_refused(httpserver: HTTPServer) -> None:
    answer = fixture("okx_discount_rate_BTC.json")
    answer["data"][0]["minDiscountRate"] = ""
    serve_okx_collateral(httpserver, answer)
    with pytest.raises(BadVenueResponse, match=r"okx BTC: data\[0\]\.details\[1\]\.maxAmt: 1\.5"):
        fetch_market_data(collateral_plan("okx"), COLLATERAL, env=local_env(httpserver))


def test_okx_rate_above_the_last_tier_out_of_range_is_refused(httpserver: HTTPServer) -> None:
    answer = fixture("okx_discount_rate_BTC.json")
    answer["data"][0]["minDiscountRate"] = "2"
    serve_okx_collateral(httpserver, answer)
    with pytest.raises(
        BadVenueResponse, match=r"okx BTC: data\[0\]\.minDiscountRate: 2 is not a ratio"
    ):
        fetch_market_data(collateral_plan("okx"), COLLATERAL, env=local_env(httpserver))


@pytest.mark.parametrize(
    ("venue", "answer"),
    [
        ("bybit", fixture("bybit_collateral_unlisted.json")),
        ("okx", fixture("okx_discount_rate_unlisted.json")),
        ("okx", fixture("okx_discount_rate_BTC.json") | {"data": [{"ccy": "ETH", "details": []}]}),
    ],
    ids=["bybit-empty", "okx-empty", "okx-another-asset"],
)
def test_an_asset_missing_from_the_answer_is_bad_input(
    httpserver: HTTPServer, venue: str, answer: dict
) -> None:
    (serve_bybit_collateral if venue == "bybit" else serve_okx_collateral)(httpserver, answer)
    with pytest.raises(BadMarketInput) as caught:
        fetch_market_data(collateral_plan(venue), COLLATERAL, env=local_env(httpserver))
    assert str(caught.value) == (
        f"{venue} BTC: collateral: the venue lists no collateral ratio for this asset"
    )
    assert caught.value.exit_code == 2


def test_a_plan_without_collateral_asks_nothing_for_it(httpserver: HTTPServer) -> None:
    serve_bybit(httpserver)
    plan = single_market_plan("bybit", "BTCUSDT")
    data = fetch_market_data(plan, env=local_env(httpserver))  # everything, collateral included
    assert "collateral" in data.what
    assert BYBIT_PATH not in _paths(httpserver) and len(httpserver.log) == 2
    assert data.collateral == {}
    _, summary = apply_market_data(plan, data)
    assert not any("collateral" in line for line in summary.lines())
    # collateral alone: no request at all, and the summary says why
    before = len(httpserver.log)
    data = fetch_market_data(plan, COLLATERAL, env=local_env(httpserver))
    assert len(httpserver.log) == before and data.requests == ()
    assert data.notes == ("the plan has no collateral: no collateral ratios were asked for",)


def test_full_refresh_of_a_plan_with_collateral_asks_for_its_ratios(
    httpserver: HTTPServer,
) -> None:
    serve_bybit(httpserver)
    serve_bybit_collateral(httpserver)
    plan = collateral_plan("bybit")
    new_plan, summary = apply_market_data(plan, fetch_market_data(plan, env=local_env(httpserver)))
    assert _paths(httpserver)[-1] == BYBIT_PATH
    assert new_plan.markets[0].mark_price == 59000 and new_plan.markets[0].maintenance.as_of
    assert _steps(new_plan) == [(0, 0.9), (1, 0.8), (1000, 0)]
    assert summary.lines()[0].endswith("1 of 1 collateral ratio list changed")


@pytest.mark.parametrize("venue", ["binance", "hyperliquid"])
def test_venues_without_a_ratio_list_are_not_asked_and_say_so(
    httpserver: HTTPServer, venue: str
) -> None:
    plan = collateral_plan(venue, "BTCUSDT" if venue == "binance" else "BTC")
    data = fetch_market_data(plan, COLLATERAL, env=local_env(httpserver))
    assert httpserver.log == [] and data.collateral == {}
    note = f"{venue} publishes no collateral ratio list: BTC keeps its ratio from the plan"
    assert data.notes == (note,)
    new_plan, summary = apply_market_data(plan, data)
    assert new_plan.account.collateral == plan.account.collateral
    assert f"note: {note}" in summary.lines() and not summary.changed
    assert "collateral" not in what_is_sent(plan, env={})


def test_what_is_sent_names_the_collateral_request_and_assets() -> None:
    text = what_is_sent(collateral_plan("okx"), env={})
    assert f"GET {OKX_PATH})" in text
    assert "for the public data of BTCUSDT and the collateral ratios of BTC." in text
    bare = what_is_sent(single_market_plan("okx", "BTCUSDT"), env={})
    assert "discount-rate" not in bare and "collateral" not in bare
    assert f"GET {BYBIT_PATH})" in what_is_sent(collateral_plan("bybit"), env={})


def test_cancel_before_the_collateral_request_sends_none(httpserver: HTTPServer) -> None:
    token = CancelToken()

    def cancel_then_answer(request: Request) -> Response:
        token.cancel()  # the trader pressed Cancel while the venue answered the marks
        return Response(json.dumps(fixture("bybit_tickers_BTCUSDT.json")))

    httpserver.expect_request("/v5/market/tickers").respond_with_handler(cancel_then_answer)
    serve_bybit_collateral(httpserver)
    with pytest.raises(FetchCancelled):
        fetch_market_data(
            collateral_plan("bybit"),
            {"marks", "collateral"},
            cancel=token,
            env=local_env(httpserver),
        )
    assert _paths(httpserver) == ["/v5/market/tickers"]
