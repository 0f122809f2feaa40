"""``margin-planner refresh`` and ``import`` end to end, in a subprocess, against the local
server through ``MARGIN_PLANNER_<VENUE>_URL``: exit codes, one-line failures, and the plan
file byte-identical whenever anything fails."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from planner.storage import load_plan, plan_to_bytes
from tests.marketdata.helpers import (
    binance_plan,
    collateral_plan,
    fixture,
    local_env,
    serve_binance,
    serve_bybit,
    serve_bybit_collateral,
    serve_hyperliquid,
    serve_okx,
    serve_okx_collateral,
    single_market_plan,
)

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "resources" / "templates" / "positions.csv"
ADDRESS = "0x31ca8395cf837de08b24da3f660e77761dfb974b"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MARGIN_PLANNER_")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "planner", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        check=False,
    )


def one_line_failure(result: subprocess.CompletedProcess[str], code: int, words: str) -> None:
    assert result.returncode == code, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and words in lines[0], lines[0]


def write(path: Path, plan) -> bytes:
    data = plan_to_bytes(plan)
    path.write_bytes(data)
    return data


@pytest.mark.parametrize(
    ("venue", "symbol", "serve", "mark"),
    [
        ("binance", "BTCUSDT", serve_binance, 59000),
        ("bybit", "BTCUSDT", serve_bybit, 59000),
        ("okx", "BTCUSDT", serve_okx, 59000),
        ("hyperliquid", "BTC", serve_hyperliquid, 59000),
    ],
)
def test_refresh_each_venue(
    httpserver: HTTPServer, tmp_path: Path, venue: str, symbol: str, serve, mark: float
) -> None:
    if venue == "binance":
        serve(httpserver, ("BTCUSDT",))
    else:
        serve(httpserver)
    path = tmp_path / "plan.tplan"
    original = write(path, single_market_plan(venue, symbol))
    result = run("refresh", str(path), env=local_env(httpserver))
    assert result.returncode == 0, result.stderr
    refreshed = load_plan(path)
    assert refreshed.markets[0].mark_price == mark
    assert (tmp_path / "plan.tplan.bak").read_bytes() == original
    assert result.stdout.startswith(f"{venue}: 1 mark updated")
    assert f"wrote {path}" in result.stdout
    if venue == "binance":
        assert "API key" in result.stdout
    else:
        assert refreshed.markets[0].maintenance.as_of  # a fetched table, dated
        assert "1 of 1 tier table changed" in result.stdout
    if venue in ("bybit", "hyperliquid"):  # their first tier's rate differs from the plan's 0.4 %
        assert "liquidation prices that moved:\n  core: liquidation " in result.stdout


def test_refresh_to_another_file_leaves_the_plan_alone(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    serve_binance(httpserver)
    path, out = tmp_path / "plan.tplan", tmp_path / "out.tplan"
    original = write(path, binance_plan())
    result = run("refresh", str(path), "-o", str(out), "--what", "marks", env=local_env(httpserver))
    assert result.returncode == 0, result.stderr
    assert path.read_bytes() == original
    assert [m.mark_price for m in load_plan(out).markets] == [59000, 2950]
    assert not any("fundingInfo" in r.path for r, _ in httpserver.log)  # marks only


def test_unknown_symbol_is_exit_2_and_the_plan_is_untouched(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request("/v5/market/tickers").respond_with_json(
        fixture("bybit_unknown_symbol.json")
    )
    path = tmp_path / "plan.tplan"
    original = write(path, single_market_plan("bybit", "NOPEUSDT"))
    result = run("refresh", str(path), env=local_env(httpserver))
    one_line_failure(result, 2, "bybit NOPEUSDT: symbol: the venue does not list this market")
    assert path.read_bytes() == original
    assert not (tmp_path / "plan.tplan.bak").exists()


@pytest.mark.parametrize(
    ("status", "headers", "words"),
    [
        (429, {"Retry-After": "12"}, "rate limited (HTTP 429), retry after 12 s"),
        (503, {}, "server error (HTTP 503)"),
    ],
)
def test_venue_errors_are_exit_3_and_the_plan_is_untouched(
    httpserver: HTTPServer, tmp_path: Path, status: int, headers: dict, words: str
) -> None:
    httpserver.expect_request("/info", method="POST").respond_with_data(
        "", status=status, headers=headers
    )
    path = tmp_path / "plan.tplan"
    original = write(path, single_market_plan("hyperliquid", "BTC"))
    result = run("refresh", str(path), env=local_env(httpserver))
    one_line_failure(result, 3, words)
    assert path.read_bytes() == original


def test_bad_what_is_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "plan.tplan"
    write(path, binance_plan())
    one_line_failure(run("refresh", str(path), "--what", "prices"), 2, "--what = prices")


def test_refresh_collateral_ratios_only(httpserver: HTTPServer, tmp_path: Path) -> None:
    serve_bybit_collateral(httpserver)
    path = tmp_path / "plan.tplan"
    original = write(path, collateral_plan("bybit"))
    result = run("refresh", str(path), "--what", "collateral", env=local_env(httpserver))
    assert result.returncode == 0, result.stderr
    item = load_plan(path).account.collateral[0]
    assert item.value_ratio is None
    assert [(t.amount_floor, t.ratio) for t in item.value_ratio_tiers] == [
        (0, 0.9),
        (1, 0.8),
        (1000, 0),
    ]
    assert (tmp_path / "plan.tplan.bak").read_bytes() == original
    lines = result.stdout.splitlines()
    assert lines[0].endswith("1 of 1 collateral ratio list changed")
    assert "  BTC: collateral value ratio 0.95 → 0.9 up to 1, 0.8 up to 1,000, 0 above" in lines
    assert "  core: liquidation 38,000 → 40,320 (+6.11%)" in lines
    assert [r.path for r, _ in httpserver.log] == ["/v5/spot-margin-trade/collateral"]


def test_refresh_collateral_where_the_venue_has_no_list(tmp_path: Path) -> None:
    path = tmp_path / "plan.tplan"
    original = write(path, collateral_plan("binance"))
    # nothing may be asked: the only address there is is this machine's discard port
    env = {"MARGIN_PLANNER_BINANCE_URL": "http://127.0.0.1:9"}
    result = run("refresh", str(path), "--what", "collateral", env=env)
    assert result.returncode == 0, result.stderr
    assert (
        "note: binance publishes no collateral ratio list: BTC keeps its ratio from the plan"
        in result.stdout.splitlines()
    )
    assert load_plan(path).account.collateral == collateral_plan("binance").account.collateral
    assert (tmp_path / "plan.tplan.bak").read_bytes() == original


def test_collateral_asset_the_venue_does_not_list_is_exit_2(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    serve_okx_collateral(httpserver, fixture("okx_discount_rate_unlisted.json"))
    path = tmp_path / "plan.tplan"
    original = write(path, collateral_plan("okx"))
    result = run("refresh", str(path), "--what", "collateral", env=local_env(httpserver))
    one_line_failure(
        result, 2, "okx BTC: collateral: the venue lists no collateral ratio for this asset"
    )
    assert path.read_bytes() == original
    assert not (tmp_path / "plan.tplan.bak").exists()


def test_collateral_ratio_out_of_range_is_exit_3(httpserver: HTTPServer, tmp_path: Path) -> None:
    answer = fixture("bybit_collateral_BTC.json")
    answer["result"]["list"][0]["collateralRatioList"][0]["collateralRatio"] = "85"  # a percent
    serve_bybit_collateral(httpserver, answer)
    path = tmp_path / "plan.tplan"
    original = write(path, collateral_plan("bybit"))
    result = run("refresh", str(path), "--what", "collateral", env=local_env(httpserver))
    one_line_failure(
        result,
        3,
        "bybit BTC: result.list[0].collateralRatioList[0].collateralRatio: 85 is not a ratio",
    )
    assert path.read_bytes() == original


def test_closed_port_fails_fast_with_exit_3(tmp_path: Path) -> None:
    path = tmp_path / "plan.tplan"
    original = write(path, binance_plan())
    started = time.monotonic()
    result = run("refresh", str(path), env={"MARGIN_PLANNER_BINANCE_URL": "http://127.0.0.1:9"})
    one_line_failure(result, 3, "binance: cannot connect to 127.0.0.1:9")
    assert time.monotonic() - started < 25
    assert path.read_bytes() == original


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A port on 127.0.0.1 that takes connections (the kernel's backlog) and never answers:
    what a dead network path looks like from the client."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()


def test_no_answer_at_all_fails_within_25_s_with_exit_3(silent_server: str, tmp_path: Path) -> None:
    path = tmp_path / "plan.tplan"
    original = write(path, single_market_plan("okx", "BTCUSDT"))
    started = time.monotonic()
    result = run("refresh", str(path), env={"MARGIN_PLANNER_OKX_URL": silent_server})
    elapsed = time.monotonic() - started
    one_line_failure(result, 3, "okx: no answer within 20 s")
    assert elapsed < 25, elapsed
    assert path.read_bytes() == original


def test_import_hyperliquid(httpserver: HTTPServer, tmp_path: Path) -> None:
    serve_hyperliquid(httpserver)
    httpserver.expect_request(
        "/info", method="POST", json={"type": "clearinghouseState", "user": ADDRESS}
    ).respond_with_json(fixture("hyperliquid_clearinghouseState.json"))
    out = tmp_path / "wallet.tplan"
    result = run("import", "hyperliquid", ADDRESS, "-o", str(out), env=local_env(httpserver))
    assert result.returncode == 0, result.stderr
    assert "wrote" in result.stdout and "(2 positions)" in result.stdout
    plan = load_plan(out)
    assert [p.id for p in plan.positions] == ["eth-long", "btc-short"]
    assert plan.account.venue == "hyperliquid" and plan.account.currency == "USDC"


def test_import_hyperliquid_bad_address_is_exit_2_without_a_request(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    out = tmp_path / "wallet.tplan"
    result = run("import", "hyperliquid", "0x1234", "-o", str(out), env=local_env(httpserver))
    one_line_failure(result, 2, "ADDRESS = '0x1234': not a wallet address")
    assert not out.exists() and httpserver.log == []


def test_import_csv_template(tmp_path: Path) -> None:
    out = tmp_path / "csv.tplan"
    result = run("import", "csv", str(TEMPLATE), "-o", str(out), "--wallet-balance", "20000")
    assert result.returncode == 0, result.stderr
    plan = load_plan(out)
    assert [p.id for p in plan.positions] == ["btc-core", "eth-swing", "doge-hedge"]
    assert plan.positions[1].venue_liquidation_price == 2712.5
    assert "note:" not in result.stdout


def test_import_csv_bad_row_is_exit_2(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(
        TEMPLATE.read_text("utf-8").replace(",5,3000,10,isolated", ",five,3000,10,isolated")
    )
    out = tmp_path / "csv.tplan"
    result = run("import", "csv", str(source), "-o", str(out), "--wallet-balance", "20000")
    one_line_failure(result, 2, "line 24: quantity = 'five': not a number")
    assert not out.exists()
