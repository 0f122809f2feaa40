"""Plans for the report tests: the spec example, the shipped examples, a 200-position book."""

from __future__ import annotations

import random
from pathlib import Path

from planner.domain.plan import Plan
from planner.storage import load_plan

REPO = Path(__file__).resolve().parents[2]
SPEC_EXAMPLE = REPO / "tests" / "domain" / "data" / "spec_example.tplan"
EXAMPLES = REPO / "resources" / "examples"


def example_paths() -> list[Path]:
    """Every shipped example plan, or the spec example while there are none."""
    found = sorted(EXAMPLES.glob("*.tplan")) if EXAMPLES.is_dir() else []
    return found or [SPEC_EXAMPLE]


def spec_plan() -> Plan:
    return load_plan(SPEC_EXAMPLE)


_MARKETS = (
    ("BTCUSDT", 58000.0, 0.1),
    ("ETHUSDT", 2900.0, 0.01),
    ("SOLUSDT", 160.0, 0.001),
    ("XRPUSDT", 0.52, 0.0001),
    ("DOGEUSDT", 0.12, 0.00001),
    ("BNBUSDT", 560.0, 0.01),
    ("ADAUSDT", 0.35, 0.0001),
    ("AVAXUSDT", 26.0, 0.001),
)


def big_plan(count: int = 200, seed: int = 7) -> Plan:
    """``count`` positions over eight markets with two-tier tables: longs and shorts, cross and
    isolated (one side and one mode per symbol, as one-way mode requires), stops and targets."""
    rng = random.Random(seed)
    markets = [
        {
            "symbol": symbol,
            "mark_price": mark,
            "tick_size": tick,
            "maintenance": {
                "tiers": [
                    {
                        "notional_floor": 0,
                        "notional_cap": 50000,
                        "max_leverage": 50,
                        "mmr": 0.01,
                        "maintenance_amount": 0,
                    },
                    {
                        "notional_floor": 50000,
                        "notional_cap": 5000000,
                        "max_leverage": 20,
                        "mmr": 0.025,
                        "maintenance_amount": 750,
                    },
                ],
                "source": f"test brackets for {symbol}",
                "as_of": "2024-11-01",
            },
        }
        for symbol, mark, tick in _MARKETS
    ]
    positions = []
    for i in range(count):
        k = i % len(_MARKETS)
        symbol, mark, tick = _MARKETS[k]
        side = "long" if k % 2 == 0 else "short"
        entry = round(mark * (1 + rng.uniform(-0.05, 0.05)) / tick) * tick
        quantity = round(rng.uniform(200, 2000) / entry, 6)
        away = 0.93 if side == "long" else 1.07
        target = 1.12 if side == "long" else 0.88
        positions.append(
            {
                "id": f"p{i:03d}",
                "symbol": symbol,
                "side": side,
                "quantity": quantity,
                "entry_price": entry,
                "leverage": rng.choice([3, 5, 10, 20]),
                "margin_mode": "isolated" if k % 3 == 0 else "cross",
                "stop_loss": round(entry * away, 6),
                "take_profits": [{"price": round(entry * target, 6), "fraction": 1}],
            }
        )
    return Plan.model_validate(
        {
            "name": f"Book of {count} positions",
            "notes": "Generated for the report tests.",
            "account": {
                "currency": "USDT",
                "wallet_balance": 60000,
                "taker_fee_rate": 0.0005,
                "maker_fee_rate": 0.0002,
            },
            "markets": markets,
            "positions": positions,
        }
    )
