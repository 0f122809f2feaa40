"""Decision tools: two-asset maps and sweeps (``python3 -m benchmarks decision``).

Goals: a 201 × 201 two-asset map of a 50-position plan in ≤ 100 ms; a 1,001-step market-wide
sweep of a 200-position plan in ≤ 10 ms (issue 16); a 501-step sweep of a 100-position plan in
≤ 10 ms; compare, sweeps and maps grow linearly: ×10 legs (100 → 1,000) costs ≤ ×11 time.
Plans mix cross and isolated positions, long and short, on markets with the shipped 10–20
tier tables, so that tiers, buckets and the pool all take part; by default every position is
its own leg (the most work for the engine), and one case nets 200 positions into 40 symbols.
The verdict uses the best CPU time of 15 runs (wall time on a shared machine wanders with
the other work on it); the wall times are printed too.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

from planner.domain.maps import two_asset_map
from planner.domain.plan import Plan
from planner.domain.scenarios import sweep
from planner.domain.twin import compare
from planner.memory import keep_freed_memory
from planner.storage.tier_library import shipped_tables

GOALS_MS = {"map": 100.0, "sweep_1001": 10.0, "sweep_501": 10.0}
LINEAR_FACTOR = 11.0


def make_plan(n_positions: int, n_markets: int | None = None, seed: int = 7) -> Plan:
    """A valid one-way plan of ``n_positions`` on ``n_markets`` linear markets (default: one
    market each, so every position is its own leg — the engine's worst case) with the
    shipped 10–20 tier tables; half the markets isolated, most positions long, so that a
    market-wide fall liquidates isolated buckets one by one and then the cross pool."""
    n_markets = n_markets or n_positions
    rng = np.random.default_rng(seed)
    tables = [t.table for t in shipped_tables() if len(t.table.tiers) >= 10]
    markets = []
    for k in range(n_markets):
        markets.append(
            {
                "symbol": f"M{k}USDT",
                "contract": "linear",
                "mark_price": float(rng.uniform(50, 60000)),
                "maintenance": tables[k % len(tables)].model_dump(),
            }
        )
    sides = ["long" if rng.random() < 0.75 else "short" for _ in range(n_markets)]
    positions = []
    for i in range(n_positions):
        k = i % n_markets
        price = markets[k]["mark_price"]
        notional = float(rng.uniform(2000, 40000))
        positions.append(
            {
                "id": f"p{i}",
                "symbol": markets[k]["symbol"],
                "side": sides[k],
                "quantity": notional / price,
                "entry_price": price * float(rng.uniform(0.95, 1.05)),
                "leverage": float(rng.choice([3, 5, 10, 20])),
                "margin_mode": "isolated" if k % 2 == 0 else "cross",
            }
        )
    return Plan.model_validate(
        {
            "account": {"currency": "USDT", "wallet_balance": 2500.0 * n_positions},
            "markets": markets,
            "positions": positions,
        }
    )


def _time(fn: Callable[[], object], repeat: int = 15) -> tuple[float, float, float]:
    """Median and best wall time, and best CPU time (the fair figure on a busy machine), ms."""
    fn()  # warm up (book cache, imports)
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    return statistics.median(wall), min(wall), min(cpu)


def main() -> None:
    allocator_note()
    plan50 = make_plan(50)
    plan100 = make_plan(100)
    plan200 = make_plan(200)
    netted200 = make_plan(200, n_markets=40)
    grid = np.linspace(-0.5, 0.5, 201)
    cases = [
        (
            "map",
            "two-asset map 201 × 201, 50 positions",
            lambda: two_asset_map(plan50, "M0USDT", "M1USDT", grid, grid),
        ),
        (
            "sweep_1001",
            "market sweep 1,001 steps, 200 positions",
            lambda: sweep(plan200, symbol=None, moves=np.linspace(-0.5, 0.5, 1001)),
        ),
        (
            "sweep_501",
            "market sweep 501 steps, 100 positions",
            lambda: sweep(plan100, symbol=None, moves=np.linspace(-0.5, 0.5, 501)),
        ),
        (
            "",
            "symbol sweep 501 steps, 100 positions",
            lambda: sweep(plan100, symbol="M1USDT", moves=np.linspace(-0.5, 0.5, 501)),
        ),
        (
            "",
            "market sweep 1,001 steps, 200 pos. on 40 sym.",
            lambda: sweep(netted200, symbol=None, moves=np.linspace(-0.5, 0.5, 1001)),
        ),
    ]
    for key, title, fn in cases:
        median, best, cpu = _time(fn)
        goal = GOALS_MS.get(key)
        verdict = ""
        if goal is not None:
            verdict = f"  goal ≤ {goal:g} ms (best cpu): {'met' if cpu <= goal else 'NOT MET'}"
        print(
            f"{title:<46} median {median:7.2f} ms  best {best:7.2f} ms  cpu {cpu:7.2f} ms{verdict}"
        )
    scaling()
    events = sweep(plan200, symbol=None, moves=np.linspace(-0.5, 0.5, 1001)).events
    pool = [e.move for e in events if e.kind == "cross"]
    print(
        f"(every position is its own leg; the 200-position sweep finds {len(events)} "
        f"liquidations, the pool's at {pool[0]:+.4%})"
        if pool
        else f"(the 200-position sweep finds {len(events)} liquidations)"
    )


def allocator_note() -> None:
    """The 1,001-step sweep with glibc's default allocator settings, then with the heap top
    kept (``planner.memory.keep_freed_memory``, as an entry point would); the figures below
    are with it."""
    plan200 = make_plan(200)
    moves = np.linspace(-0.5, 0.5, 1001)
    run = lambda: sweep(plan200, symbol=None, moves=moves)  # noqa: E731
    default = _time(run)[2]
    kept = keep_freed_memory()
    tuned = _time(run)[2]
    print(
        f"market sweep 1,001 steps, 200 positions: best cpu {default:.2f} ms with the default "
        f"allocator, {tuned:.2f} ms with the heap top kept"
        + ("" if kept else " (not glibc: no change)")
    )


def scaling() -> None:
    """×10 legs, ×11 time at most: compare, market and symbol sweeps, a two-asset map."""
    plans = {n: make_plan(n) for n in (100, 1_000)}
    grid = np.linspace(-0.5, 0.5, 51)
    moves = np.linspace(-0.5, 0.5, 501)
    cases: list[tuple[str, Callable[[Plan], object]]] = [
        ("compare()", compare),
        ("market sweep, 501 steps", lambda p: sweep(p, symbol=None, moves=moves)),
        ("symbol sweep, 501 steps", lambda p: sweep(p, symbol="M1USDT", moves=moves)),
        ("two-asset map 51 × 51", lambda p: two_asset_map(p, "M0USDT", "M1USDT", grid, grid)),
    ]
    print(f"scaling, 100 → 1,000 legs (best CPU time; goal ≤ ×{LINEAR_FACTOR:g}):")
    for title, fn in cases:
        best = {
            n: _time(lambda plan=plan, fn=fn: fn(plan), repeat=7)[2] for n, plan in plans.items()
        }
        ratio = best[1_000] / best[100]
        print(
            f"  {title:<26} {best[100]:8.2f} ms → {best[1_000]:8.2f} ms  ×{ratio:5.2f}  "
            f"{'met' if ratio <= LINEAR_FACTOR else 'NOT MET'}"
        )


if __name__ == "__main__":
    main()
