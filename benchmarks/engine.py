"""How long ``analyze()`` takes for mixed accounts of 10 to 10,000 positions.

The account is what the window recomputes on every edit: Binance tier tables as shipped
(BTC, ETH, SOL) plus flat-rule markets, hedge mode, cross and isolated symbols, several
entries netted into each leg. Two figures per size:

- *fresh*: a plan the engine has not seen — building the arrays from the plan included (what
  an edit costs; ``build_book`` caches by plan identity, so the cache is cleared each run);
- *cached*: the same plan again (what a second view asking for the same analysis costs).

Goals on a 2-core machine: ≤ 0.3 ms for 10 positions, ≤ 5 ms for 1,000, near-linear beyond.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from planner.domain import book as book_module
from planner.domain.engine import analyze
from planner.domain.plan import Plan
from planner.storage.tier_library import tier_table

SIZES = (10, 100, 1_000, 10_000)
SHIPPED = {"BTCUSDT": 60_000.0, "ETHUSDT": 3_000.0, "SOLUSDT": 150.0}
FLAT = {"XRPUSDT": 0.6, "DOGEUSDT": 0.15, "ADAUSDT": 0.45, "LINKUSDT": 14.0, "AVAXUSDT": 35.0}
ISOLATED = {"ETHUSDT", "DOGEUSDT", "LINKUSDT"}


def mixed_plan(n_positions: int) -> Plan:
    markets: list[dict[str, Any]] = []
    for symbol, mark in SHIPPED.items():
        table = tier_table("binance", symbol).model_dump()
        markets.append({"symbol": symbol, "mark_price": mark, "maintenance": table})
    for symbol, mark in FLAT.items():
        markets.append(
            {
                "symbol": symbol,
                "mark_price": mark,
                "maintenance": {"mmr": 0.01, "maintenance_amount": 0, "max_leverage": 50},
            }
        )
    marks = {**SHIPPED, **FLAT}
    symbols = list(marks)
    positions = []
    for i in range(n_positions):
        symbol = symbols[i % len(symbols)]
        side = "long" if (i // len(symbols)) % 3 else "short"
        mark = marks[symbol]
        # a few hundred USDT each: every leg stays inside the first tiers' leverage limits
        notional = 200.0 + (i % 7) * 50.0
        positions.append(
            {
                "id": f"p{i}",
                "symbol": symbol,
                "side": side,
                "quantity": notional / mark,
                "entry_price": mark * (0.97 + 0.01 * (i % 7)),
                "leverage": 5 + i % 4,
                "margin_mode": "isolated" if symbol in ISOLATED else "cross",
                "added_margin": 5.0 if symbol in ISOLATED and i % 5 == 0 else 0.0,
                "stop_loss": mark * (0.9 if side == "long" else 1.1),
            }
        )
    return Plan.model_validate(
        {
            "name": f"benchmark, {n_positions} positions",
            "account": {
                "currency": "USDT",
                "wallet_balance": 400.0 * n_positions,
                "venue": "binance",
                "position_mode": "hedge",
                "taker_fee_rate": 0.0005,
            },
            "markets": markets,
            "positions": positions,
        }
    )


def timings(run: Callable[[], object], *, budget: float = 1.0, least: int = 15) -> list[float]:
    """Seconds of repeated runs: as many as fit in ``budget`` seconds, at least ``least``."""
    run()  # warm caches of code paths, not of results
    times: list[float] = []
    started = time.perf_counter()
    while len(times) < least or time.perf_counter() - started < budget:
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
        if len(times) >= 20_000:
            break
    return times


def _best(times: list[float]) -> float:
    """The mean of the fastest tenth: what the code costs when other work leaves the CPU."""
    fastest = sorted(times)[: max(1, len(times) // 10)]
    return statistics.fmean(fastest)


def _fresh(plan: Plan) -> Callable[[], object]:
    def run() -> object:
        book_module._CACHE.clear()
        return analyze(plan)

    return run


def main() -> None:
    print(
        f"{'positions':>10}  {'fresh median':>12}  {'fresh best':>10}  "
        f"{'cached median':>13}  {'cached best':>11}  {'µs/position':>11}"
    )
    timings(_fresh(mixed_plan(100)), budget=0.5)  # steady state: imports, caches, clocks
    for n in SIZES:
        plan = mixed_plan(n)
        fresh = timings(_fresh(plan))
        cached = timings(lambda plan=plan: analyze(plan))
        median = statistics.median(fresh)
        print(
            f"{n:>10,}  {median * 1e3:>9.3f} ms  {_best(fresh) * 1e3:>7.3f} ms  "
            f"{statistics.median(cached) * 1e3:>10.3f} ms  {_best(cached) * 1e3:>8.3f} ms  "
            f"{median / n * 1e6:>11.2f}"
        )
    print(
        "fresh: a plan not seen before (arrays built from it); cached: the same plan again.\n"
        "goals (fresh median): ≤ 0.3 ms at 10 positions, ≤ 5 ms at 1,000, near-linear beyond"
    )


if __name__ == "__main__":
    main()
