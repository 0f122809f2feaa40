"""Plans for the storage tests."""

from __future__ import annotations

from typing import Any

from planner.domain.plan import Plan


def plan_data(**changes: Any) -> dict[str, Any]:
    """A small valid plan's data (version 1), with top-level changes."""
    data: dict[str, Any] = {
        "format": "margin-planner.plan",
        "version": 1,
        "name": "Storage test",
        "notes": "",
        "account": {"currency": "USDT", "wallet_balance": 10000},
        "markets": [
            {
                "symbol": "BTCUSDT",
                "mark_price": 50000,
                "tick_size": 0.1,
                "maintenance": {"mmr": 0.004, "max_leverage": 125},
            }
        ],
        "positions": [
            {
                "id": "btc",
                "symbol": "BTCUSDT",
                "side": "long",
                "quantity": 0.2,
                "entry_price": 50000,
                "leverage": 10,
                "margin_mode": "isolated",
            }
        ],
    }
    data.update(changes)
    return data


def make_plan(**changes: Any) -> Plan:
    return Plan.model_validate(plan_data(**changes))
