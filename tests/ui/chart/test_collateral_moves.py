"""Collateral priced by a market moves with it in the window's what-if views
(btc-collateral.tplan: 10 BTC priced by BTCUSDT, a cross ETH long and a cross BTC short):
the equity-vs-move curve at a BTC move is the analysis of the plan re-priced by that move, and
the two-asset map takes the collateral's market as an axis and agrees with the same analysis."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from planner.domain.plan_analysis import analyze
from planner.domain.scenarios.what_if import shocked
from planner.storage import load_plan
from planner.ui.chart.equity_view import EquityView
from planner.ui.dialogs.map_dialog import MapView

EXAMPLE = Path(__file__).parents[3] / "resources" / "examples" / "btc-collateral.tplan"


@pytest.fixture
def btc_document(qtbot):
    from planner.ui.document.plan_document import PlanDocument

    plan = load_plan(EXAMPLE)
    document = PlanDocument(plan)
    document.reset(plan, EXAMPLE)
    yield document  # as tests/ui/conftest.py's document: no Qt parent, deleted after the view
    document.undo_stack.clear()
    document.deleteLater()


def _btc_short_id(plan) -> str:
    return next(p.id for p in plan.positions if p.symbol == "BTCUSDT")


def test_equity_curve_moves_the_collateral_with_btc(qtbot, btc_document) -> None:
    document = btc_document
    plan = document.plan
    assert plan.account.collateral[0].price_symbol == "BTCUSDT"
    document.set_current(_btc_short_id(plan))
    view = EquityView(document)
    qtbot.addWidget(view)
    view.refresh()
    planned = view.sweeps["planned"]
    assert planned.symbol == "BTCUSDT"
    checked = 0
    for i, move in enumerate(planned.moves.tolist()):
        if not planned.cross_alive[i] or abs(move) < 1e-12:
            continue
        repriced = analyze(shocked(plan, moves={"BTCUSDT": move}))
        assert planned.account_equity[i] == pytest.approx(repriced.equity, rel=1e-9, abs=1e-6)
        checked += 1
    assert checked > 10
    # the collateral's value follows BTC: with it held at today's price the curve would differ
    i = int(np.abs(planned.moves - (-0.2)).argmin())
    move = float(planned.moves[i])
    fixed_equity = analyze(shocked(_with_fixed_collateral(plan), moves={"BTCUSDT": move})).equity
    assert abs(planned.account_equity[i] - fixed_equity) > 1.0


def test_map_takes_the_collateral_market_as_an_axis(qtbot, btc_document) -> None:
    document = btc_document
    view = MapView(document)
    qtbot.addWidget(view)
    view.resize(700, 600)
    view.show()
    qtbot.waitExposed(view)
    collateral_market = document.plan.account.collateral[0].price_symbol
    assert view.x_combo.findText(collateral_market) >= 0
    view.set_symbols(collateral_market, "ETHUSDT")
    view.flush()
    asset_map = view.asset_map
    assert asset_map is not None and asset_map.symbol_x == "BTCUSDT"
    plan = document.plan
    for ix, iy in ((0, 0), (len(asset_map.moves_x) // 4, len(asset_map.moves_y) - 1)):
        mx, my = float(asset_map.moves_x[ix]), float(asset_map.moves_y[iy])
        repriced = analyze(shocked(plan, moves={"BTCUSDT": mx, "ETHUSDT": my}))
        assert asset_map.cross_equity[iy, ix] == pytest.approx(
            repriced.cross.equity, rel=1e-9, abs=1e-6
        )
    # BTC down with ETH still: the pool's equity falls by what the collateral loses
    ix = int(np.abs(asset_map.moves_x - (-0.2)).argmin())
    iy = int(np.abs(asset_map.moves_y).argmin())
    move = float(asset_map.moves_x[ix])
    fixed = _with_fixed_collateral(plan)
    fixed_equity = analyze(shocked(fixed, moves={"BTCUSDT": move})).cross.equity
    assert abs(asset_map.cross_equity[iy, ix] - fixed_equity) > 1.0
    assert "BTCUSDT" in view.read_out(-0.2, 0.0)


def _with_fixed_collateral(plan):
    """The plan with its collateral held at today's price instead of moving with BTCUSDT."""
    fixed_collateral = plan.account.collateral[0].model_copy(
        update={"price_symbol": None, "price": plan.market("BTCUSDT").mark_price}
    )
    account = plan.account.model_copy(update={"collateral": (fixed_collateral,)})
    return plan.model_copy(update={"account": account})
