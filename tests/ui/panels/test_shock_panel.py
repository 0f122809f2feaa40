"""The scenarios panel shows ``analyze(shocked(...))`` and ``sweep(...)`` of the document's
plan, formatted: one symbol moved, or the whole market with betas (view state)."""

from __future__ import annotations

import numpy as np
import pytest

from planner.domain.analysis import Analysis
from planner.domain.formatting import format_amount, format_percent, format_price
from planner.domain.plan_analysis import analyze
from planner.domain.scenarios import shocked, sweep
from planner.ui.document import edits
from planner.ui.panels.shock_panel import SWEEP_STEPS, ShockPanel


@pytest.fixture
def panel(qtbot, document) -> ShockPanel:
    view = ShockPanel(document)
    qtbot.addWidget(view)
    view.resize(480, 900)
    view.show()
    qtbot.waitExposed(view)
    return view


def _expected_figures(analysis: Analysis) -> dict[str, str]:
    cur = analysis.currency
    cross = analysis.cross
    return {
        "account_equity": format_amount(analysis.equity, cur),
        "unrealized_pnl": format_amount(analysis.unrealized_pnl, cur, sign=True),
        "cross_equity": format_amount(cross.equity, cur),
        "cross_maintenance_margin": format_amount(cross.maintenance_margin, cur),
        "cross_risk_ratio": format_percent(cross.risk_ratio, 1),
        "cross_available": format_amount(cross.available, cur),
        "cross_status": "Liquidated" if cross.liquidated else "Alive",
        "buckets_liquidated": (
            f"{sum(b.liquidated for b in analysis.buckets)} of {len(analysis.buckets)}"
        ),
    }


def _expected_positions(analysis: Analysis) -> list[tuple[str, ...]]:
    plan = analysis.plan
    return [
        (
            f"{pos.id} ({pos.margin_mode})",
            format_price(r.mark_price, plan.market(pos.symbol).tick_size),
            format_amount(r.unrealized_pnl, analysis.currency, sign=True),
            "Liquidated" if r.liquidated else "Alive",
        )
        for pos, r in zip(plan.positions, analysis.positions, strict=True)
    ]


def test_one_symbol_move_shows_the_shocked_analysis(panel: ShockPanel, document) -> None:
    panel.set_move(-8.5, symbol="ETHUSDT")
    after = analyze(shocked(document.plan, moves={"ETHUSDT": -0.085}))
    for row, text in _expected_figures(after).items():
        assert panel.figure(row) == text, row
    for row, text in _expected_figures(document.analysis).items():
        assert panel.figure(row, "shock_now") == text, row
    assert panel.position_rows() == _expected_positions(after)
    # the ETH bucket (liquidation at −8.10 %) is gone after −8.5 %
    assert after.positions[0].liquidated
    assert panel.position_rows()[0][3] == "Liquidated"
    assert panel.figure_table.is_danger("buckets_liquidated", "shock_after")


def test_market_move_uses_the_betas(panel: ShockPanel, document) -> None:
    panel.set_beta("SOLUSDT", 2.0)
    panel.set_beta("BTCUSDT", 1.5)
    panel.set_move(-20.0, symbol=None)
    assert panel.market_wide and panel.symbol is None
    betas = {"BTCUSDT": 1.5, "ETHUSDT": 1.0, "SOLUSDT": 2.0}
    after = analyze(shocked(document.plan, market_move=-0.2, betas=betas))
    for row, text in _expected_figures(after).items():
        assert panel.figure(row) == text, row
    assert panel.position_rows() == _expected_positions(after)
    assert not panel._betas_box.isHidden()


def test_sweep_lists_liquidations_in_order_with_what_is_left(panel: ShockPanel, document) -> None:
    panel.set_move(-10.0, symbol="ETHUSDT")
    moves = np.linspace(-0.5, 0.5, SWEEP_STEPS)
    expected = sweep(document.plan, symbol="ETHUSDT", moves=moves).events
    assert len(expected) == 1  # the ETH bucket
    cur = document.plan.account.currency
    tick = document.plan.market("ETHUSDT").tick_size
    event = expected[0]
    assert panel.event_rows() == [
        (
            format_percent(event.move, 2, sign=True),
            format_price(event.price, tick),
            "Isolated ETHUSDT long (eth-conviction)",
            format_amount(event.equity_after, cur),
        )
    ]

    # market-wide with betas, over ±30 %: the bucket first, then the cross pool
    panel.sweep_spin.setValue(30.0)
    panel.set_beta("BTCUSDT", 3.0)
    panel.set_move(-5.0, symbol=None)
    expected = sweep(
        document.plan,
        symbol=None,
        moves=np.linspace(-0.3, 0.3, SWEEP_STEPS),
        betas={"BTCUSDT": 3.0, "ETHUSDT": 1.0, "SOLUSDT": 1.0},
    ).events
    assert [e.kind for e in expected] == ["isolated", "cross"]
    rows = panel.event_rows()
    assert [r[0] for r in rows] == [format_percent(e.move, 2, sign=True) for e in expected]
    assert [r[3] for r in rows] == [format_amount(e.equity_after, cur) for e in expected]
    assert rows[1][1] == "—"  # no single price for the pool in a market-wide move
    assert rows[1][2] == "Cross pool (btc-core, sol-hedge)"


def test_a_move_to_a_non_positive_price_is_explained(panel: ShockPanel) -> None:
    panel.set_beta("SOLUSDT", 3.0)
    panel.set_move(-40.0, symbol=None)
    panel.flush()
    assert "prices must stay above 0" in panel.error
    assert not panel.error_label.isHidden()
    assert panel.figure("account_equity") == "—"
    panel.set_beta("SOLUSDT", 1.0)
    panel.flush()
    assert panel.error == ""


def test_follows_the_plan_and_keeps_betas_for_symbols_that_stay(
    qtbot, panel: ShockPanel, document
) -> None:
    panel.set_beta("BTCUSDT", 1.7)
    plan, _ = edits.add_market(document.plan, "DOGEUSDT")
    document.apply(plan, "Add market")
    assert panel.betas == {"BTCUSDT": 1.7, "ETHUSDT": 1.0, "SOLUSDT": 1.0, "DOGEUSDT": 1.0}
    assert [panel.symbol_combo.itemText(i) for i in range(panel.symbol_combo.count())] == [
        "BTCUSDT",
        "ETHUSDT",
        "SOLUSDT",
        "DOGEUSDT",
    ]
    panel.set_move(-10.0, symbol="ETHUSDT")
    document.edit(
        lambda plan: edits.set_position_field(plan, 0, "quantity", 6.0), "Size", merge_key=None
    )
    qtbot.waitUntil(
        lambda: (
            panel.figure_table.figure("account_equity", "shock_after")
            == format_amount(
                analyze(shocked(document.plan, moves={"ETHUSDT": -0.1})).equity, "USDT"
            )
        ),
        timeout=2000,
    )
