"""Two-asset maps: every cell, and especially the cells on each side of a boundary, is the
state of analyze() on the plan shocked by that cell's moves."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from planner.domain import maps
from planner.domain.engine import valuate
from planner.domain.errors import PlanError
from planner.domain.maps import (
    ALIVE,
    BUCKETS_LIQUIDATED,
    POOL_LIQUIDATED,
    two_asset_map,
)
from planner.domain.plan import Plan
from planner.domain.plan_analysis import analyze
from planner.domain.scenarios import path as scenario_path
from planner.domain.scenarios import shocked
from tests.domain.decision_fixtures import (
    hedge_plan,
    inverse_plan,
    mixed_plan,
    random_plans,
    spec_plan,
)


def cell_state(plan: Plan, sx: str, sy: str, mx: float, my: float) -> tuple[int, float]:
    a = analyze(shocked(plan, moves={sx: mx, sy: my}))
    has_cross = any(p.margin_mode == "cross" for p in plan.positions)
    pool_dead = a.cross.liquidated and has_cross
    equity = 0.0 if pool_dead else a.cross.equity
    equity += sum(b.equity for b in a.buckets if not b.liquidated)
    if pool_dead:
        return POOL_LIQUIDATED, equity
    if any(b.liquidated for b in a.buckets):
        return BUCKETS_LIQUIDATED, equity
    return ALIVE, equity


CASES = [
    (spec_plan, "BTCUSDT", "ETHUSDT"),
    (spec_plan, "SOLUSDT", "BTCUSDT"),
    (mixed_plan, "BTCUSDT", "SOLUSDT"),
    (lambda: mixed_plan("okx", 0.0005), "ETHUSDT", "BTCUSDT"),
    (lambda: mixed_plan("bybit"), "BTCUSDT", "ETHUSDT"),
    (inverse_plan, "BTCUSD", "ETHUSD"),
    (hedge_plan, "BTCUSDT", "ETHUSDT"),
]


@pytest.mark.parametrize(("make", "sx", "sy"), CASES)
def test_small_map_matches_analyze_everywhere(make, sx: str, sy: str) -> None:
    plan = make()
    mx = np.linspace(-0.6, 1.2, 10)
    my = np.linspace(-0.5, 0.5, 7)
    result = two_asset_map(plan, sx, sy, mx, my)
    assert result.state.shape == (7, 10)
    for iy, y in enumerate(my):
        for ix, x in enumerate(mx):
            state, equity = cell_state(plan, sx, sy, float(x), float(y))
            assert result.state[iy, ix] == state, (x, y)
            assert result.account_equity[iy, ix] == pytest.approx(equity, rel=1e-9, abs=1e-7)


@pytest.mark.parametrize(("make", "sx", "sy"), CASES)
def test_boundary_cells_on_both_sides(make, sx: str, sy: str) -> None:
    plan = make()
    mx = np.linspace(-0.7, 1.5, 61)
    my = np.linspace(-0.6, 0.9, 53)
    result = two_asset_map(plan, sx, sy, mx, my)
    s = result.state
    boundary = np.zeros_like(s, dtype=bool)
    horizontal = s[:, 1:] != s[:, :-1]
    vertical = s[1:, :] != s[:-1, :]
    boundary[:, 1:] |= horizontal
    boundary[:, :-1] |= horizontal
    boundary[1:, :] |= vertical
    boundary[:-1, :] |= vertical
    cells = np.argwhere(boundary)
    assert len(cells) > 0, "each case crosses at least one boundary"
    for iy, ix in cells[:: max(1, len(cells) // 60)]:
        state, _ = cell_state(plan, sx, sy, float(mx[ix]), float(my[iy]))
        assert s[iy, ix] == state


@given(plan=random_plans())
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_random_maps_match_analyze(plan: Plan) -> None:
    symbols = [m.symbol for m in plan.markets]
    if len(symbols) < 2:
        return
    sx, sy = symbols[0], symbols[-1]
    mx, my = np.linspace(-0.5, 0.6, 6), np.linspace(-0.4, 0.4, 5)
    result = two_asset_map(plan, sx, sy, mx, my)
    for iy, y in enumerate(my):
        for ix, x in enumerate(mx):
            state, equity = cell_state(plan, sx, sy, float(x), float(y))
            assert result.state[iy, ix] == state
            assert result.account_equity[iy, ix] == pytest.approx(equity, rel=1e-9, abs=1e-7)


def test_map_is_one_valuation(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def counting(book, mark_u):
        calls.append(np.shape(mark_u))
        return valuate(book, mark_u)

    monkeypatch.setattr(scenario_path, "valuate", counting)
    plan = mixed_plan()
    result = two_asset_map(
        plan, "BTCUSDT", "ETHUSDT", np.linspace(-0.5, 0.5, 201), np.linspace(-0.4, 0.4, 101)
    )
    assert len(calls) == 1
    assert result.state.shape == (101, 201)
    assert set(np.unique(result.state)) <= {ALIVE, BUCKETS_LIQUIDATED, POOL_LIQUIDATED}


def test_map_refuses_bad_input() -> None:
    plan = spec_plan()
    with pytest.raises(PlanError):
        two_asset_map(plan, "BTCUSDT", "BTCUSDT", [0.0], [0.0])
    with pytest.raises(PlanError):
        two_asset_map(plan, "BTCUSDT", "DOGE", [0.0], [0.0])
    with pytest.raises(PlanError):
        two_asset_map(plan, "BTCUSDT", "ETHUSDT", [-1.5, 0.0], [0.0])
    with pytest.raises(PlanError):
        two_asset_map(plan, "BTCUSDT", "ETHUSDT", [], [0.0])


def test_to_dict_is_plain_json() -> None:
    result = two_asset_map(spec_plan(), "BTCUSDT", "ETHUSDT", [-0.6, 0.0], [-0.1, 0.0, 0.1])
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert data["format"] == maps.MAP_FORMAT
    assert np.array(data["state"]).shape == (3, 2)
    assert data["state"][0][0] == POOL_LIQUIDATED
    assert data["state"][0][1] == BUCKETS_LIQUIDATED  # ETH −10 % is below its 2,710.84
    assert data["state"][1][1] == ALIVE
