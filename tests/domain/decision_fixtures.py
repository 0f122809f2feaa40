"""Plans for the decision-tool tests (scenarios, solvers, twin view, maps, warnings)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from planner.domain.plan import Plan
from planner.storage import load_plan

SPEC_EXAMPLE = Path(__file__).parent / "data" / "spec_example.tplan"

#: The first three Binance BTCUSDT tiers (spec/plan-format.md), continuous.
BTC_TIERS = {
    "tiers": [
        {
            "notional_floor": 0,
            "notional_cap": 50000,
            "max_leverage": 125,
            "mmr": 0.004,
            "maintenance_amount": 0,
        },
        {
            "notional_floor": 50000,
            "notional_cap": 600000,
            "max_leverage": 100,
            "mmr": 0.005,
            "maintenance_amount": 50,
        },
        {
            "notional_floor": 600000,
            "notional_cap": 3000000,
            "max_leverage": 75,
            "mmr": 0.0065,
            "maintenance_amount": 950,
        },
        {
            "notional_floor": 3000000,
            "notional_cap": None,
            "max_leverage": 50,
            "mmr": 0.01,
            "maintenance_amount": 11450,
        },
    ]
}

#: Coin-margined tiers (in coin), continuous.
COIN_TIERS = {
    "tiers": [
        {
            "notional_floor": 0,
            "notional_cap": 5,
            "max_leverage": 125,
            "mmr": 0.004,
            "maintenance_amount": 0,
        },
        {
            "notional_floor": 5,
            "notional_cap": 50,
            "max_leverage": 50,
            "mmr": 0.01,
            "maintenance_amount": 0.03,
        },
        {
            "notional_floor": 50,
            "notional_cap": None,
            "max_leverage": 20,
            "mmr": 0.025,
            "maintenance_amount": 0.78,
        },
    ]
}


def spec_plan() -> Plan:
    return load_plan(SPEC_EXAMPLE)


def make_plan(
    positions: list[dict[str, Any]],
    *,
    wallet: float = 20000.0,
    venue: str = "binance",
    mode: str = "one-way",
    taker: float = 0.0,
    currency: str = "USDT",
    markets: list[dict[str, Any]] | None = None,
) -> Plan:
    if markets is None:
        markets = [
            {"symbol": "BTCUSDT", "mark_price": 58000, "tick_size": 0.1, "maintenance": BTC_TIERS},
            {
                "symbol": "ETHUSDT",
                "mark_price": 2900,
                "tick_size": 0.01,
                "maintenance": {"mmr": 0.004, "max_leverage": 100},
            },
            {
                "symbol": "SOLUSDT",
                "mark_price": 160,
                "maintenance": {"mmr": 0.005, "max_leverage": 50},
            },
        ]
    return Plan.model_validate(
        {
            "account": {
                "currency": currency,
                "wallet_balance": wallet,
                "venue": venue,
                "position_mode": mode,
                "taker_fee_rate": taker,
            },
            "markets": markets,
            "positions": positions,
        }
    )


def pos(
    id: str,
    symbol: str,
    side: str,
    quantity: float,
    entry: float,
    leverage: float,
    mode: str,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "id": id,
        "symbol": symbol,
        "side": side,
        "quantity": quantity,
        "entry_price": entry,
        "leverage": leverage,
        "margin_mode": mode,
        **extra,
    }


def mixed_plan(venue: str = "binance", taker: float = 0.0, mode: str = "one-way") -> Plan:
    """Isolated ETH long and SOL short buckets; two cross BTC longs (tiered) in the pool."""
    return make_plan(
        [
            pos("eth", "ETHUSDT", "long", 5, 3000, 10, "isolated", stop_loss=2800),
            pos("sol", "SOLUSDT", "short", 100, 150, 8, "isolated", added_margin=100),
            pos("btc", "BTCUSDT", "long", 2, 60000, 10, "cross", stop_loss=52000),
            pos("btc2", "BTCUSDT", "long", 1, 57000, 20, "cross"),
        ],
        wallet=40000,
        venue=venue,
        taker=taker,
        mode=mode,
    )


def inverse_plan(venue: str = "binance") -> Plan:
    """A coin-margined account: an isolated BTCUSD long (tiered) and a cross ETHUSD short."""
    markets = [
        {
            "symbol": "BTCUSD",
            "contract": "inverse",
            "contract_size": 100,
            "mark_price": 50000,
            "maintenance": COIN_TIERS,
        },
        {
            "symbol": "ETHUSD",
            "contract": "inverse",
            "contract_size": 10,
            "mark_price": 2500,
            "maintenance": {"mmr": 0.005, "max_leverage": 75},
        },
    ]
    return make_plan(
        [
            pos("b", "BTCUSD", "long", 3000, 52000, 10, "isolated", stop_loss=46000),
            pos("e", "ETHUSD", "short", 5000, 2400, 10, "cross", stop_loss=2800),
        ],
        wallet=12.0,
        venue=venue,
        currency="BTC",
        markets=markets,
    )


def hedge_plan() -> Plan:
    """Hedge mode: BTC long and short legs together in cross, ETH isolated both ways."""
    return make_plan(
        [
            pos("bl", "BTCUSDT", "long", 12, 58000, 20, "cross"),
            pos("bs", "BTCUSDT", "short", 8, 59000, 20, "cross"),
            pos("el", "ETHUSDT", "long", 20, 3000, 20, "isolated"),
            pos("es", "ETHUSDT", "short", 10, 2800, 20, "isolated"),
        ],
        wallet=30000,
        mode="hedge",
    )


VENUES = ("binance", "bybit", "okx", "hyperliquid")


INVERSE_MARKETS = [
    {
        "symbol": "BTCUSD",
        "contract": "inverse",
        "contract_size": 100,
        "mark_price": 50000,
        "maintenance": COIN_TIERS,
    },
    {
        "symbol": "ETHUSD",
        "contract": "inverse",
        "contract_size": 10,
        "mark_price": 2500,
        "maintenance": {"mmr": 0.005, "max_leverage": 75},
    },
]


@st.composite
def random_plans(draw: st.DrawFn) -> Plan:
    """Small plans: 1–3 linear markets (tiered or flat) or 1–2 coin-margined ones, one-way or
    hedge mode, every venue; each symbol one margin mode (one side in one-way mode)."""
    venue = draw(st.sampled_from(VENUES))
    taker = draw(st.sampled_from([0.0, 0.0005]))
    hedge = draw(st.booleans())
    inverse = draw(st.booleans())
    if inverse:
        prices = {"BTCUSD": 50000.0, "ETHUSD": 2500.0}
        sizes = {"BTCUSD": 100.0, "ETHUSD": 10.0}
        leverages = [2, 5, 10, 20]
    else:
        prices = {"BTCUSDT": 58000.0, "ETHUSDT": 2900.0, "SOLUSDT": 160.0}
        sizes = dict.fromkeys(prices, 1.0)
        leverages = [2, 5, 10, 20, 40]
    symbols = list(prices)[: draw(st.integers(1, len(prices)))]
    positions = []
    for k, symbol in enumerate(symbols):
        price = prices[symbol]
        mode = draw(st.sampled_from(["cross", "isolated"]))
        one_side = draw(st.sampled_from(["long", "short"]))
        for j in range(draw(st.integers(1, 2))):
            side = draw(st.sampled_from(["long", "short"])) if hedge else one_side
            entry = price * draw(st.floats(0.9, 1.1))
            if inverse:  # notional in coin: contracts × size / entry
                quantity = draw(st.floats(0.05, 40)) * entry / sizes[symbol]
            else:
                quantity = draw(st.floats(1000, 400000)) / price
            positions.append(
                pos(
                    f"p{k}{j}",
                    symbol,
                    side,
                    quantity,
                    entry,
                    draw(st.sampled_from(leverages)),
                    mode,
                )
            )
    if inverse:
        wallet = draw(st.floats(0.2, 10))
        return make_plan(
            positions,
            wallet=wallet,
            venue=venue,
            taker=taker,
            mode="hedge" if hedge else "one-way",
            currency="BTC",
            markets=INVERSE_MARKETS,
        )
    wallet = draw(st.floats(5000, 200000))
    return make_plan(
        positions, wallet=wallet, venue=venue, taker=taker, mode="hedge" if hedge else "one-way"
    )
