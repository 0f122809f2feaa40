"""The engine for small plans (``planner.domain.small``) gives exactly the numpy engine's analysis
(issue 16): every figure of ``to_dict`` and every column, bit for bit (NaN equal to NaN), on
random plans — every venue, linear and inverse, cross and isolated, long and short, one-way and
hedge, flat, random and shipped tier tables, stops, take-profits, collateral at a fixed price and
priced by a market — and ``engine.analyze`` takes it for small plans."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.engine import mixed_plan
from planner.domain import engine
from planner.domain.analysis import Analysis
from planner.domain.plan import Plan
from planner.domain.plan_analysis import DERIVATIONS
from planner.domain.small import SMALL_PLAN, _sum
from planner.domain.small_analysis import analyze_small
from planner.storage import load_plan
from planner.storage.tier_library import tier_table
from tests.domain.test_properties import VENUES, plans
from tests.perf.test_json_output import EXAMPLES

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _same(fast: Any, slow: Any, path: str = "") -> None:
    """Equal values of the same type, floats bit for bit (NaN equal to NaN)."""
    if isinstance(slow, dict):
        assert isinstance(fast, dict) and fast.keys() == slow.keys(), path
        for key in slow:
            _same(fast[key], slow[key], f"{path}.{key}")
    elif isinstance(slow, list | tuple):
        assert type(fast) is type(slow) and len(fast) == len(slow), path
        for i, (a, b) in enumerate(zip(fast, slow, strict=True)):
            _same(a, b, f"{path}[{i}]")
    elif isinstance(slow, np.ndarray):
        assert isinstance(fast, np.ndarray) and fast.dtype == slow.dtype, path
        assert fast.shape == slow.shape, path
        assert np.array_equal(fast, slow, equal_nan=slow.dtype.kind == "f"), (path, fast, slow)
    elif isinstance(slow, float) and math.isnan(slow):
        assert isinstance(fast, float) and math.isnan(fast), (path, fast)
    else:
        assert type(fast) is type(slow) and fast == slow, (path, fast, slow)


def assert_same_analysis(plan: Plan) -> None:
    fast = analyze_small(plan, DERIVATIONS)
    slow = engine.analyze_arrays(plan, DERIVATIONS)
    for name in ("wallet_balance", "unrealized_pnl", "equity", "isolated_margin"):
        _same(getattr(fast, name), getattr(slow, name), name)
    _same(fast.columns, slow.columns, "columns")
    for name in ("liquidated", "break_even", "reward_to_risk", "take_profit_rewards"):
        _same(getattr(fast, name), getattr(slow, name), name)
    for name in ("cross", "buckets", "collateral", "positions"):
        _same(repr(getattr(fast, name)), repr(getattr(slow, name)), name)
    _same(fast.to_dict(), slow.to_dict(), "to_dict")


@st.composite
def planning(draw: st.DrawFn, plan: Plan) -> Plan:
    """``plan`` with stops, take-profits and collateral (at a fixed price, or priced by one of
    its linear markets; the wallet may then be 0)."""
    data = plan.model_dump()
    for pos in data["positions"]:
        mark = next(m["mark_price"] for m in data["markets"] if m["symbol"] == pos["symbol"])
        if draw(st.booleans()):
            pos["stop_loss"] = mark * draw(st.floats(0.5, 1.5))
        fractions = draw(st.lists(st.floats(0.05, 0.3), max_size=3))
        pos["take_profits"] = [
            {"price": mark * draw(st.floats(0.5, 1.5)), "fraction": f} for f in fractions
        ]
    linear = [m["symbol"] for m in data["markets"] if m["contract"] == "linear"]
    collateral = []
    for k in range(draw(st.integers(0, 2))):
        item: dict[str, Any] = {"asset": f"C{k}", "amount": draw(st.floats(0.01, 100.0))}
        if linear and draw(st.booleans()):
            item["price_symbol"] = draw(st.sampled_from(linear))
        else:
            item["price"] = draw(st.floats(0.1, 50_000.0))
        kind = draw(st.sampled_from(["none", "ratio", "tiers"]))
        if kind == "ratio":
            item["value_ratio"] = draw(st.floats(0.5, 1.0))
        elif kind == "tiers":
            item["value_ratio_tiers"] = [
                {"amount_floor": 0.0, "ratio": 0.95},
                {"amount_floor": item["amount"] / 2, "ratio": 0.8},
            ]
        collateral.append(item)
    data["account"]["collateral"] = collateral
    if collateral and draw(st.booleans()):
        data["account"]["wallet_balance"] = 0.0
    return Plan.model_validate(data)


SHIPPED = {"BTCUSDT": 60_000.0, "ETHUSDT": 3_000.0, "SOLUSDT": 150.0}


@st.composite
def shipped_plans(draw: st.DrawFn) -> Plan:
    """Linear plans on the shipped Binance tables, sized from a few hundred to a few million
    USDT: legs far into the tables, where Newton takes several tiers."""
    markets = [
        {
            "symbol": s,
            "mark_price": mark * draw(st.floats(0.8, 1.2)),
            "maintenance": tier_table("binance", s).model_dump(),
        }
        for s, mark in SHIPPED.items()
    ]
    markets.append({"symbol": "XRPUSDT", "mark_price": 0.6, "maintenance": {"mmr": 0.01}})
    hedge = draw(st.booleans())
    modes = {m["symbol"]: draw(st.sampled_from(["cross", "isolated"])) for m in markets}
    sides: dict[str, str] = {}
    positions = []
    for i in range(draw(st.integers(1, 40))):
        market = draw(st.sampled_from(markets))
        symbol, mark = market["symbol"], market["mark_price"]
        side = draw(st.sampled_from(["long", "short"]))
        side = side if hedge else sides.setdefault(symbol, side)
        notional = 10 ** draw(st.floats(2.0, 6.8))
        entry = mark * draw(st.floats(0.8, 1.2))
        isolated = modes[symbol] == "isolated"
        positions.append(
            {
                "id": f"p{i}",
                "symbol": symbol,
                "side": side,
                "quantity": notional / entry,
                "entry_price": entry,
                "leverage": draw(st.sampled_from([1, 2, 3, 5])),
                "margin_mode": modes[symbol],
                "added_margin": draw(st.floats(0.0, notional / 10)) if isolated else 0.0,
            }
        )
    total = sum(p["quantity"] * p["entry_price"] for p in positions)
    data = {
        "account": {
            "currency": "USDT",
            "wallet_balance": total * draw(st.floats(0.05, 1.5)),
            "venue": draw(st.sampled_from(VENUES)),
            "position_mode": "hedge" if hedge else "one-way",
            "taker_fee_rate": draw(st.sampled_from([0.0, 0.0004, 0.001])),
        },
        "markets": markets,
        "positions": positions,
    }
    return Plan.model_validate(data)


@st.composite
def two_sided_pools(draw: st.DrawFn) -> Plan:
    """One hedged cross symbol whose legs nearly cancel, under rates rising to 45 %
    (``test_a_hedged_cross_pool_can_fail_on_a_rally``, randomised): the pool may fail on a fall
    and on a rally, where the engine searches for the second root."""
    scale = draw(st.floats(0.2, 5.0))
    tiers = [
        {"notional_floor": 0, "notional_cap": 20_000 * scale, "mmr": 0.01},
        {
            "notional_floor": 20_000 * scale,
            "notional_cap": 40_000 * scale,
            "mmr": 0.1,
            "maintenance_amount": 1800 * scale,
        },
        {"notional_floor": 40_000 * scale, "mmr": 0.45, "maintenance_amount": 15_800 * scale},
    ]
    mark = draw(st.floats(50.0, 200.0))
    quantity = 100 * scale * 100 / mark * draw(st.floats(0.3, 1.5))
    positions = [
        {
            "id": side,
            "symbol": "S0",
            "side": side,
            "quantity": quantity * (draw(st.floats(0.85, 1.15)) if side == "short" else 1.0),
            "entry_price": mark * draw(st.floats(0.9, 1.1)),
            "leverage": 1,
            "margin_mode": "cross",
        }
        for side in ("long", "short")
    ]
    return Plan.model_validate(
        {
            "account": {
                "currency": "USDT",
                "wallet_balance": 10 ** draw(st.floats(2.0, 5.0)) * scale,
                "position_mode": "hedge",
                "venue": draw(st.sampled_from(["binance", "okx"])),
                "taker_fee_rate": draw(st.sampled_from([0.0, 0.0005])),
            },
            "markets": [{"symbol": "S0", "mark_price": mark, "maintenance": {"tiers": tiers}}],
            "positions": positions,
        }
    )


@SETTINGS
@given(two_sided_pools())
def test_pools_failing_on_both_sides_give_the_numpy_analysis(plan: Plan) -> None:
    assert_same_analysis(plan)


@SETTINGS
@given(st.data())
def test_random_plans_give_the_numpy_analysis(data: st.DataObject) -> None:
    plan = data.draw(plans(hedged_cross=data.draw(st.booleans())))
    assert_same_analysis(data.draw(planning(plan)))


@SETTINGS
@given(st.data())
def test_plans_on_shipped_tables_give_the_numpy_analysis(data: st.DataObject) -> None:
    assert_same_analysis(data.draw(planning(data.draw(shipped_plans()))))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_give_the_numpy_analysis(path: Any) -> None:
    assert_same_analysis(load_plan(path))


@pytest.mark.parametrize("n", [1, 2, 7, 10, 24, SMALL_PLAN, 100])
def test_benchmark_plans_give_the_numpy_analysis(n: int) -> None:
    assert_same_analysis(mixed_plan(n))


@given(st.lists(st.floats(-1e6, 1e6) | st.sampled_from([0.0, -0.0, 1e300]), max_size=300))
def test_sum_is_numpys(values: list[float]) -> None:
    _same(_sum(values), float(np.array(values, dtype=float).sum()))


def test_long_sums_are_numpys() -> None:
    rng = np.random.default_rng(16)
    for n in range(400):
        values = (rng.standard_normal(n) * 10.0 ** rng.integers(-5, 6, n)).tolist()
        _same(_sum(values), float(np.array(values).sum()))


def test_small_plans_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    taken: list[Plan] = []

    def spy(plan: Plan, derived: Any = None) -> Analysis:
        taken.append(plan)
        return analyze_small(plan, derived)

    monkeypatch.setattr(engine, "analyze_small", spy)
    one, large = mixed_plan(1), mixed_plan(SMALL_PLAN + 1)
    engine.analyze(one)
    engine.analyze(large)
    from planner import analyze

    analyze(one)
    assert taken == [one, one]


def test_a_degenerate_copy_falls_back_to_numpy() -> None:
    """A plan copied without validation may hold a quantity of 0: numpy divides it into inf
    and NaN where plain floats raise, so the engine answers with numpy."""
    plan = mixed_plan(3)
    positions = list(plan.positions)
    positions[1] = positions[1].model_copy(update={"quantity": 0.0})
    degenerate = plan.model_copy(update={"positions": tuple(positions)})
    with pytest.raises(ZeroDivisionError):
        analyze_small(degenerate)
    with np.errstate(divide="ignore", invalid="ignore"):  # numpy's engine warns of 0/0
        _same(engine.analyze(degenerate).columns, engine.analyze_arrays(degenerate).columns)
