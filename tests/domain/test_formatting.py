"""Numbers are formatted in one place; these are its rules."""

from __future__ import annotations

import math

import pytest

from planner.domain.formatting import (
    MISSING,
    decimals_for_tick,
    format_amount,
    format_leverage,
    format_percent,
    format_price,
    format_quantity,
)


@pytest.mark.parametrize(
    ("tick", "decimals"), [(0.01, 2), (0.1, 1), (0.5, 1), (1, 0), (10, 0), (0.00001, 5)]
)
def test_prices_take_the_decimals_of_the_tick(tick: float, decimals: int) -> None:
    assert decimals_for_tick(tick) == decimals


def test_price_by_tick_and_without_tick() -> None:
    assert format_price(2710.843373, 0.01) == "2,710.84"
    assert format_price(25261.044, 0.1) == "25,261.0"
    assert format_price(322.2288) == "322.23"  # no tick: at least 2 decimals
    assert format_price(0.0594569) == "0.059457"  # small prices keep significant figures


@pytest.mark.parametrize("value", [None, math.nan, math.inf, -math.inf])
def test_missing_figures_are_a_dash(value: float | None) -> None:
    for text in (
        format_price(value),
        format_amount(value, "USDT"),
        format_percent(value),
        format_quantity(value),
        format_leverage(value),
    ):
        assert text == MISSING


def test_amounts_by_currency_and_sign() -> None:
    assert format_amount(-2500, "USDT") == "-2,500.00"
    assert format_amount(0.0016, "BTC", with_unit=True) == "0.001600 BTC"
    assert format_amount(250, "USDT", sign=True) == "+250.00"
    assert format_amount(-0.001, "USDT") == "0.00"  # never "-0.00"


def test_percent_never_shows_minus_zero() -> None:
    assert format_percent(-0.0652, sign=True) == "-6.52 %"
    assert format_percent(0.0123, sign=True) == "+1.23 %"
    assert format_percent(-1e-9) == "0.00 %"
    assert format_percent(-1e-9, sign=True) == "0.00 %"


def test_quantity_and_leverage() -> None:
    assert format_quantity(0.5) == "0.5"
    assert format_quantity(1234.0) == "1,234"
    assert format_leverage(10.0) == "10×"
    assert format_leverage(2.5) == "2.5×"
