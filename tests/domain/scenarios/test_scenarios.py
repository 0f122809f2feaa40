"""What-ifs, shocks and sweeps against the engine: every figure is checked with ``analyze()``
on the modified plan, and every liquidation event against the liquidation equation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.domain import engine
from planner.domain.analysis import Analysis
from planner.domain.errors import PlanError
from planner.domain.plan import Plan
from planner.domain.plan_analysis import analyze
from planner.domain.scenarios import (
    LiquidationEvent,
    Sweep,
    liquidating_market_move,
    shocked,
    sweep,
    sweep_variants,
    with_added_margin,
    with_margin_mode,
    with_position_mode,
)
from planner.domain.scenarios import path as scenario_path
from tests.domain.decision_fixtures import (
    hedge_plan,
    inverse_plan,
    make_plan,
    mixed_plan,
    pos,
    random_plans,
    spec_plan,
)

REL = 1e-9


# --------------------------------------------------------------------------------------------
# plan edits


def test_with_margin_mode_switches_every_position() -> None:
    plan = mixed_plan()
    cross = with_margin_mode(plan, "cross")
    assert {p.margin_mode for p in cross.positions} == {"cross"}
    assert all(p.added_margin == 0 for p in cross.positions)
    a = analyze(cross)
    assert a.isolated_margin == 0
    assert a.cross.wallet_balance == pytest.approx(plan.account.wallet_balance)

    isolated = with_margin_mode(plan, "isolated")
    assert {p.margin_mode for p in isolated.positions} == {"isolated"}
    # isolated positions keep their added margin; switched ones start without
    assert isolated.position("sol").added_margin == 100
    assert isolated.position("btc").added_margin == 0
    b = analyze(isolated)
    expected = sum(
        p.quantity * p.entry_price / p.leverage + p.added_margin for p in isolated.positions
    )
    assert b.isolated_margin == pytest.approx(expected)
    assert with_margin_mode(cross, "cross").positions == cross.positions


def test_with_position_mode_switches_the_whole_symbol() -> None:
    plan = mixed_plan()
    switched = with_position_mode(plan, "btc", "isolated")
    modes = {p.id: p.margin_mode for p in switched.positions}
    assert modes == {"eth": "isolated", "sol": "isolated", "btc": "isolated", "btc2": "isolated"}
    back = with_position_mode(switched, "sol", "cross")
    assert back.position("sol").margin_mode == "cross"
    assert back.position("sol").added_margin == 0
    assert back.position("eth").margin_mode == "isolated"
    with pytest.raises(PlanError, match="no position"):
        with_position_mode(plan, "nope", "cross")
    with pytest.raises(PlanError, match="mode"):
        with_position_mode(plan, "btc", "both")  # type: ignore[arg-type]


def test_adding_isolated_margin_matches_the_reference_vector() -> None:
    """MARGIN.md §7 ``derived_add_margin_isolated_effect_on_cross``: 500 more on ETH."""
    after = analyze(with_added_margin(spec_plan(), "eth-conviction", 500))
    lp = {p.id: p.liquidation_price for p in after.positions}
    assert lp["eth-conviction"] == pytest.approx(2610.44, abs=0.005)
    assert lp["btc-core"] == pytest.approx(26265.06, abs=0.005)
    assert lp["sol-hedge"] == pytest.approx(317.25, abs=0.005)
    assert after.cross.wallet_balance == pytest.approx(18000)


def test_added_margin_is_refused_where_it_cannot_go() -> None:
    plan = spec_plan()
    with pytest.raises(PlanError, match="isolated positions only"):
        with_added_margin(plan, "btc-core", 10)
    with pytest.raises(PlanError, match="added_margin"):
        with_added_margin(plan, "eth-conviction", -1500)  # margin would reach 0
    with pytest.raises(PlanError):
        with_added_margin(plan, "eth-conviction", math.nan)


def test_shocked_moves_each_mark_by_its_move_and_beta() -> None:
    plan = spec_plan()
    moved = shocked(
        plan, moves={"ETHUSDT": 0.05}, market_move=-0.1, betas={"SOLUSDT": 1.5, "ETHUSDT": 0.5}
    )
    marks = {m.symbol: m.mark_price for m in moved.markets}
    assert marks["BTCUSDT"] == pytest.approx(58000 * (1 - 0.1))
    assert marks["ETHUSDT"] == pytest.approx(2900 * (1 + 0.05 - 0.1 * 0.5))
    assert marks["SOLUSDT"] == pytest.approx(160 * (1 - 0.15))
    assert moved.positions == plan.positions
    # no move at all is the same plan's figures
    assert analyze(shocked(plan)).to_dict() == analyze(plan).to_dict()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"moves": {"DOGE": 0.1}},
        {"betas": {"DOGE": 1.0}, "market_move": 0.1},
        {"moves": {"BTCUSDT": -1.0}},
        {"market_move": -0.5, "betas": {"SOLUSDT": 3.0}},
        {"market_move": math.inf},
    ],
)
def test_shocked_refuses_bad_moves(kwargs: dict) -> None:
    with pytest.raises(PlanError):
        shocked(spec_plan(), **kwargs)


# --------------------------------------------------------------------------------------------
# helpers: the expected figures, from analyze() of shocked plans


def shock(plan: Plan, result: Sweep, move: float) -> Plan:
    if result.symbol is None:
        return shocked(plan, market_move=move, betas=result.betas)
    return shocked(plan, moves={result.symbol: move})


def group_state(analysis: Analysis, event: LiquidationEvent) -> tuple[float, float]:
    """(equity, maintenance) of the event's bucket or of the cross pool."""
    if event.kind == "cross":
        return analysis.cross.equity, analysis.cross.maintenance_margin
    bucket = analysis.buckets[event.bucket]
    assert bucket.position_ids == event.position_ids
    return bucket.equity, bucket.maintenance_margin


def group_failed(analysis: Analysis, event: LiquidationEvent) -> bool:
    if event.kind == "cross":
        return analysis.cross.liquidated
    return analysis.buckets[event.bucket].liquidated


def check_events(plan: Plan, result: Sweep) -> None:
    """Every event sits on the liquidation equation, fails there and not just before, comes in
    order, and leaves the equity that the surviving groups add up to."""
    last = {-1: 0.0, 1: 0.0}
    dead: dict[int, set] = {-1: set(), 1: set()}
    at_marks = analyze(plan)
    for event in result.events:
        if event.direction == 0:
            assert event.move == 0.0
            assert group_failed(at_marks, event)
            for d in (-1, 1):
                dead[d].add((event.kind, event.bucket))
            continue
        d = event.direction
        assert event.move * d > 0
        assert abs(event.move) >= abs(last[d])
        last[d] = event.move
        at = analyze(shock(plan, result, event.move))
        equity, maintenance = group_state(at, event)
        scale = max(abs(maintenance), abs(equity), 1e-9 * plan.account.wallet_balance)
        assert equity == pytest.approx(maintenance, rel=REL, abs=REL * scale), event
        before = analyze(shock(plan, result, event.move * (1 - 1e-6)))
        after = analyze(shock(plan, result, event.move * (1 + 1e-6)))
        assert not group_failed(before, event)
        assert group_failed(after, event)
        dead[d].add((event.kind, event.bucket))
        expected = sum(b.equity for j, b in enumerate(at.buckets) if ("isolated", j) not in dead[d])
        if ("cross", None) not in dead[d]:
            expected += at.cross.equity
        assert event.equity_after == pytest.approx(expected, rel=1e-9, abs=1e-6)
        assert event.equity_before == pytest.approx(expected + equity, rel=1e-9, abs=1e-6)


def check_curves(plan: Plan, result: Sweep) -> None:
    """Each step equals analyze() of the shocked plan, with every group that failed on the
    way out from 0 (at this step or closer to 0) counted as 0."""
    order = np.argsort(np.abs(result.moves), kind="stable")
    base = analyze(plan)
    dead = {
        d: {j for j, b in enumerate(base.buckets) if b.liquidated}
        | ({"pool"} if base.cross.liquidated and result.has_cross else set())
        for d in (-1, 1)
    }
    for k in order.tolist():
        move = float(result.moves[k])
        d = -1 if move < 0 else 1
        at = analyze(shock(plan, result, move))
        dead[d] |= {j for j, b in enumerate(at.buckets) if b.liquidated}
        if at.cross.liquidated and result.has_cross:
            dead[d].add("pool")
        buckets = np.array([0.0 if j in dead[d] else b.equity for j, b in enumerate(at.buckets)])
        pool = 0.0 if "pool" in dead[d] else at.cross.equity
        np.testing.assert_allclose(result.bucket_equity[k], buckets, rtol=1e-9, atol=1e-7)
        assert result.cross_equity[k] == pytest.approx(pool, rel=1e-9, abs=1e-7)
        assert result.account_equity[k] == pytest.approx(pool + buckets.sum(), rel=1e-9, abs=1e-6)
        assert bool(result.cross_alive[k]) == ("pool" not in dead[d])
        alive_mm = 0.0 if "pool" in dead[d] else at.cross.maintenance_margin
        assert result.cross_maintenance[k] == pytest.approx(alive_mm, rel=1e-9, abs=1e-9)


# --------------------------------------------------------------------------------------------
# sweeps


@pytest.mark.parametrize("symbol", ["ETHUSDT", "BTCUSDT", "SOLUSDT", None])
def test_spec_plan_sweeps_match_the_engine(symbol: str | None) -> None:
    plan = spec_plan()
    result = sweep(plan, symbol=symbol, moves=np.linspace(-0.8, 1.5, 47))
    check_curves(plan, result)
    check_events(plan, result)


def test_single_symbol_events_are_the_engines_liquidation_prices() -> None:
    plan = spec_plan()
    a = analyze(plan)
    eth = sweep(plan, symbol="ETHUSDT", moves=np.linspace(-0.5, 0.5, 11))
    (event,) = eth.events
    assert event.kind == "isolated" and event.position_ids == ("eth-conviction",)
    assert event.price == pytest.approx(a.position(0).liquidation_price, rel=1e-12)
    assert event.move == pytest.approx(2710.843373493976 / 2900 - 1, rel=1e-9)
    # the bucket's margin is lost, the pool is untouched by ETH
    assert event.equity_after == pytest.approx(a.cross.equity)

    btc = sweep(plan, symbol="BTCUSDT", moves=np.linspace(-0.6, 0.2, 9))
    (event,) = btc.events
    assert event.kind == "cross"
    assert set(event.position_ids) == {"btc-core", "sol-hedge"}
    assert event.price == pytest.approx(a.position(1).liquidation_price, rel=1e-12)
    # after the pool fails only the isolated ETH bucket is left
    assert event.equity_after == pytest.approx(a.buckets[0].equity)
    tail = btc.moves < event.move
    assert np.all(btc.cross_equity[tail] == 0)
    assert np.all(btc.account_equity[tail] == pytest.approx(a.buckets[0].equity))


@pytest.mark.parametrize(
    ("make", "betas"),
    [
        (mixed_plan, None),
        (mixed_plan, {"SOLUSDT": -1.0, "ETHUSDT": 0.5}),
        (lambda: mixed_plan("okx", 0.0005), {"BTCUSDT": 1.5}),
        (lambda: mixed_plan("bybit"), None),
        (lambda: mixed_plan("hyperliquid"), {"ETHUSDT": 1.3}),
        (inverse_plan, None),
        (lambda: inverse_plan("okx"), {"ETHUSD": -0.8}),
        (hedge_plan, None),
    ],
)
def test_market_sweeps_match_the_engine(make, betas) -> None:
    plan = make()
    result = sweep(plan, symbol=None, moves=np.linspace(-0.6, 0.6, 25), betas=betas)
    check_curves(plan, result)
    check_events(plan, result)
    assert result.events, "these plans fail somewhere in ±60 %"


@pytest.mark.parametrize("make", [mixed_plan, inverse_plan, hedge_plan])
def test_symbol_sweeps_match_the_engine(make) -> None:
    plan = make()
    for market in plan.markets:
        result = sweep(plan, symbol=market.symbol, moves=np.linspace(-0.7, 0.9, 33))
        check_curves(plan, result)
        check_events(plan, result)


def test_a_hedged_cross_symbol_fails_on_a_rally_and_on_a_fall() -> None:
    """Hedge legs of 510 and 500 BTC: maintenance on both legs (MARGIN.md §5.2) outgrows the
    net 10 BTC's gains on a rally, and the net long fails on a deep fall — two roots. Each leg
    has its own tier and maintenance amount: in the last tier (1 %, 11,450 per leg) the rally
    root is 578,000 + 10(P − 58,000) = 10.1·P − 2·11,450, i.e. P = 209,000; the fall root sits
    in the second tier (0.5 %, 50 per leg): 578,000 + 10(P − 58,000) = 5.05·P − 100."""
    plan = make_plan(
        [
            pos("l", "BTCUSDT", "long", 510, 58000, 20, "cross"),
            pos("s", "BTCUSDT", "short", 500, 58000, 20, "cross"),
        ],
        wallet=578000,
        mode="hedge",
    )
    result = sweep(plan, symbol="BTCUSDT", moves=np.linspace(-0.999, 3.0, 81))
    assert [e.direction for e in result.events] == [-1, 1]
    down, up = result.events
    assert up.price == pytest.approx(209000, rel=1e-9)
    assert down.price == pytest.approx(1900 / 4.95, rel=1e-9)
    check_events(plan, result)
    check_curves(plan, result)


def test_groups_liquidated_at_the_marks_come_first_and_stay_down() -> None:
    plan = shocked(spec_plan(), moves={"ETHUSDT": -0.08})  # ETH below its liquidation price
    result = sweep(plan, symbol="BTCUSDT", moves=np.linspace(-0.3, 0.3, 7))
    first = result.events[0]
    assert (first.direction, first.move, first.kind) == (0, 0.0, "isolated")
    assert not result.bucket_alive.any()
    assert np.all(result.bucket_equity == 0)
    check_curves(plan, result)


@given(plan=random_plans(), data=st.data())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_random_sweeps_match_the_engine(plan: Plan, data: st.DataObject) -> None:
    symbols = [m.symbol for m in plan.markets if any(p.symbol == m.symbol for p in plan.positions)]
    symbol = data.draw(st.sampled_from([None, *symbols]))
    betas = None
    if symbol is None:
        betas = {s: data.draw(st.sampled_from([-1.0, 0.5, 1.0, 1.5])) for s in symbols}
    result = sweep(plan, symbol=symbol, moves=np.linspace(-0.45, 0.45, 19), betas=betas)
    check_events(plan, result)
    check_curves(plan, result)


def test_a_sweep_is_one_valuation_however_many_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    plan = mixed_plan()
    calls: list[tuple[int, ...]] = []
    real = engine.valuate

    def counting(book, mark_u):
        calls.append(np.shape(mark_u))
        return real(book, mark_u)

    monkeypatch.setattr(scenario_path, "valuate", counting)
    counts = []
    for steps in (11, 1001):
        calls.clear()
        sweep(plan, symbol="ETHUSDT", moves=np.linspace(-0.5, 0.5, steps))
        counts.append(len(calls))
        assert calls[0] == (steps + 1, len(plan.markets))  # the grid, with the marks' row
    assert counts == [1, 1]
    # solving the pool's liquidation adds a few one-row valuations, not one per step
    for steps in (11, 1001):
        calls.clear()
        result = sweep(plan, symbol=None, moves=np.linspace(-0.5, 0.5, steps))
        assert any(e.kind == "cross" for e in result.events)
        assert calls[0][0] == steps + 1
        assert len(calls) <= 12 and all(shape[0] <= 2 for shape in calls[1:])


def test_sweep_variants_are_sweeps_of_the_switched_plans() -> None:
    plan = spec_plan()
    moves = np.linspace(-0.5, 0.5, 21)
    variants = sweep_variants(plan, symbol="BTCUSDT", moves=moves)
    assert list(variants) == ["planned", "all_cross", "all_isolated"]
    for name, mode in (("all_cross", "cross"), ("all_isolated", "isolated")):
        direct = sweep(with_margin_mode(plan, mode), symbol="BTCUSDT", moves=moves)
        np.testing.assert_allclose(variants[name].account_equity, direct.account_equity)
        assert variants[name].events == direct.events
    # all-isolated: the BTC bucket fails at its own liquidation price, 6.5 % down
    iso = variants["all_isolated"]
    (event,) = iso.events
    assert (event.kind, event.symbol, event.side) == ("isolated", "BTCUSDT", "long")
    lp = analyze(with_margin_mode(plan, "isolated")).position(1).liquidation_price
    assert event.price == pytest.approx(lp, rel=1e-12)
    check_events(with_margin_mode(plan, "isolated"), iso)


def test_sweep_to_dict_is_plain_json() -> None:
    import json

    result = sweep(spec_plan(), symbol=None, moves=[-0.5, 0.0, 0.5], betas={"SOLUSDT": -1})
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert data["format"] == "margin-planner.sweep"
    assert data["moves"] == [-0.5, 0.0, 0.5]
    assert data["betas"]["SOLUSDT"] == -1
    assert len(data["buckets"]) == 1 and len(data["buckets"][0]["equity"]) == 3
    assert [e["kind"] for e in data["events"]] == [e.kind for e in result.events]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"symbol": "DOGE", "moves": [0.1]},
        {"symbol": "BTCUSDT", "moves": [0.1], "betas": {"BTCUSDT": 2}},
        {"symbol": None, "moves": [0.1], "betas": {"DOGE": 2}},
        {"symbol": None, "moves": []},
        {"symbol": None, "moves": [0.1, math.nan]},
        {"symbol": "BTCUSDT", "moves": [-1.2, 0.0]},
    ],
)
def test_sweep_refuses_bad_input(kwargs: dict) -> None:
    with pytest.raises(PlanError):
        sweep(spec_plan(), **kwargs)


# --------------------------------------------------------------------------------------------
# the joint shock


@pytest.mark.parametrize(
    ("make", "betas"),
    [
        (lambda: with_margin_mode(spec_plan(), "cross"), None),
        (mixed_plan, None),
        (mixed_plan, {"BTCUSDT": 0.5}),
        (lambda: mixed_plan("okx", 0.0005), None),
        (inverse_plan, {"ETHUSD": -1.0}),
        (hedge_plan, {"BTCUSDT": 1.0}),
    ],
)
@pytest.mark.parametrize("direction", [-1, 1])
def test_liquidating_market_move_solves_the_pool_equation(make, betas, direction) -> None:
    plan = make()
    x = liquidating_market_move(plan, betas=betas, direction=direction)
    if x is None:
        # nothing fails that way: check a long way out
        far = np.linspace(0.01, 0.95, 40) * direction
        for move in far:
            try:
                assert not analyze(shocked(plan, market_move=move, betas=betas)).cross.liquidated
            except PlanError:  # a price would reach 0
                break
        return
    assert x * direction > 0
    at = analyze(shocked(plan, market_move=x, betas=betas))
    assert at.cross.equity == pytest.approx(at.cross.maintenance_margin, rel=REL)
    assert not analyze(shocked(plan, market_move=x * (1 - 1e-6), betas=betas)).cross.liquidated
    assert analyze(shocked(plan, market_move=x * (1 + 1e-6), betas=betas)).cross.liquidated
    # and the sweep finds the same move
    moves = np.linspace(0, 1.2 * x, 13)
    cross = [
        e for e in sweep(plan, symbol=None, moves=moves, betas=betas).events if e.kind == "cross"
    ]
    assert cross and cross[0].move == pytest.approx(x, rel=1e-9)


def test_liquidating_market_move_special_cases() -> None:
    plan = spec_plan()
    # the spec plan's BTC long and SOL short offset each other with betas 1
    assert liquidating_market_move(plan, direction=-1) is None
    assert liquidating_market_move(with_margin_mode(plan, "isolated")) is None
    dead = shocked(plan, moves={"BTCUSDT": -0.6})
    assert analyze(dead).cross.liquidated
    assert liquidating_market_move(dead) == 0.0
    with pytest.raises(PlanError):
        liquidating_market_move(plan, direction=0)
    # with SOL moving against the market both legs lose on a fall
    x = liquidating_market_move(plan, betas={"SOLUSDT": -1.0})
    # closed form (no tier change): 18,500 + 0.5·(58,000(1+x) − 60,000) − 100·(160(1−x) − 150)
    #   = 0.004·0.5·58,000(1+x) + 0.005·100·160(1−x)
    lhs_const, lhs_slope = (
        18500 + 0.5 * (58000 - 60000) - 100 * (160 - 150),
        0.5 * 58000 + 100 * 160,
    )
    mm_const, mm_slope = (
        0.004 * 0.5 * 58000 + 0.005 * 100 * 160,
        0.004 * 0.5 * 58000 - 0.005 * 100 * 160,
    )
    assert x == pytest.approx((mm_const - lhs_const) / (lhs_slope - mm_slope), rel=1e-12)
