from __future__ import annotations

import pytest

from planner.domain import sizing
from planner.domain.plan import Market


def _linear() -> Market:
    return Market.model_validate(
        {
            "symbol": "BTCUSDT",
            "contract": "linear",
            "contract_size": 1,
            "mark_price": 58000,
            "maintenance": {
                "tiers": [
                    {"notional_floor": 0, "notional_cap": 50000, "max_leverage": 125, "mmr": 0.004},
                    {
                        "notional_floor": 50000,
                        "notional_cap": 600000,
                        "max_leverage": 100,
                        "mmr": 0.005,
                        "maintenance_amount": 50,
                    },
                ]
            },
        }
    )


def _inverse() -> Market:
    return Market.model_validate(
        {
            "symbol": "BTCUSD_PERP",
            "contract": "inverse",
            "contract_size": 100,
            "mark_price": 50000,
            "maintenance": {"mmr": 0.005, "max_leverage": 50},
        }
    )


def test_linear_conversions() -> None:
    market = _linear()
    assert sizing.notional_for_quantity(market, 0.5, 60000) == pytest.approx(30000)
    assert sizing.quantity_for_notional(market, 30000, 60000) == pytest.approx(0.5)
    assert sizing.margin_for_quantity(market, 0.5, 60000, 10) == pytest.approx(3000)
    assert sizing.quantity_for_margin(market, 3000, 60000, 10) == pytest.approx(0.5)


def test_inverse_conversions_are_in_coin() -> None:
    market = _inverse()
    # 1000 contracts of 100 USD at 50,000 = 2 BTC of notional
    assert sizing.notional_for_quantity(market, 1000, 50000) == pytest.approx(2.0)
    assert sizing.quantity_for_notional(market, 2.0, 50000) == pytest.approx(1000)
    assert sizing.margin_for_quantity(market, 1000, 50000, 20) == pytest.approx(0.1)
    assert sizing.quantity_for_margin(market, 0.1, 50000, 20) == pytest.approx(1000)


@pytest.mark.parametrize("unit", ["quantity", "notional", "margin"])
@pytest.mark.parametrize("market", [_linear(), _inverse()], ids=["linear", "inverse"])
def test_size_round_trips(market: Market, unit: sizing.SizeUnit) -> None:
    value = sizing.size_in(market, unit, 3.25, 41234.5, 7.5)
    assert sizing.quantity_for(market, unit, value, 41234.5, 7.5) == pytest.approx(3.25)


def test_max_leverage_follows_the_tier_of_the_entry_notional() -> None:
    market = _linear()
    assert sizing.max_leverage(market, 1.0, 60000) == 100  # 60,000: the second tier
    assert sizing.max_leverage(market, 0.5, 60000) == 125  # 30,000: the first tier
    assert sizing.max_leverage(_inverse(), 1, 50000) == 50
