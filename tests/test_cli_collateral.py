"""``analyze`` and ``compare`` with collateral: the collateral block with its liquidation price,
and ``--in ASSET`` showing amounts in a collateral asset at the current marks."""

from __future__ import annotations

import json

import pytest

from planner.cli import main
from planner.domain.formatting import format_amount, format_price
from planner.domain.plan_analysis import analyze
from planner.storage import load_plan
from tests.conftest import EXAMPLES

EXAMPLE = EXAMPLES / "btc-collateral.tplan"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_analyze_lists_collateral_and_its_liquidation_price(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = _run(capsys, "analyze", str(EXAMPLE))
    assert code == 0
    analysis = analyze(load_plan(EXAMPLE))
    (item,) = analysis.collateral
    assert item.liquidation_price is not None
    row = next(line for line in out.splitlines() if line.split()[:2] == ["BTC", "10"])
    assert format_amount(item.value, "USDT") in row
    assert format_price(item.liquidation_price, 0.1) in row
    assert "BTCUSDT" in row and "95.00 %" in row
    assert "Cross collateral" in out


def test_analyze_in_btc_converts_amounts_at_the_mark(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "analyze", str(EXAMPLE), "--in", "BTC")
    assert code == 0
    analysis = analyze(load_plan(EXAMPLE))
    btc = analysis.plan.market("BTCUSDT").mark_price
    equity_line = next(line for line in out.splitlines() if line.strip().startswith("Equity"))
    assert equity_line.split()[-2:] == [format_amount(analysis.equity / btc, "BTC"), "BTC"]
    assert "amounts in BTC (converted at 1 BTC = 60,000.00 USDT)" in out
    # prices stay in the quote currency
    assert format_price(analysis.positions[0].liquidation_price, 0.01) in out


def test_compare_in_btc(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "compare", str(EXAMPLE), "--in", "BTC")
    assert code == 0
    analysis = analyze(load_plan(EXAMPLE))
    btc = analysis.plan.market("BTCUSDT").mark_price
    worst = next(line for line in out.splitlines() if line.startswith("Worst-case loss"))
    # as planned: the whole pool, collateral included
    assert worst.split()[2] == format_amount(analysis.cross.equity / btc, "BTC")
    # the sentences say the same amounts in BTC, not USDT
    sentences = [line for line in out.splitlines() if line.startswith("  Isolated")]
    assert len(sentences) == len(analysis.plan.positions)
    assert all(" BTC" in line and " USDT" not in line for line in sentences)


def test_in_refuses_an_asset_that_is_neither_currency_nor_collateral(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = _run(capsys, "analyze", str(EXAMPLE), "--in", "ETH")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "--in = ETH" in err and "BTC" in err


def test_json_stays_in_the_currency(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "analyze", str(EXAMPLE), "--json", "--in", "BTC")
    assert code == 0
    document = json.loads(out)
    assert document["currency"] == "USDT"
    assert document["account"]["cross"]["collateral_value"] == pytest.approx(570_000)
    (item,) = document["account"]["collateral"]
    assert item["asset"] == "BTC" and item["value"] == pytest.approx(570_000)
