"""The solver dialog: each answer is the domain solver's, Apply records exactly one undo step,
and the applied plan round-trips through ``analyze()`` to what was asked. The warnings of the
decision tools reach the account panel."""

from __future__ import annotations

import math

import pytest

from planner.domain import solvers
from planner.domain.formatting import format_quantity
from planner.domain.plan_analysis import analyze
from planner.domain.warnings import plan_warnings
from planner.ui.dialogs.solvers.solver_dialog import (
    QUANTITY_DECIMALS,
    SOLVERS,
    SolverDialog,
    floor_to,
)
from planner.ui.document import edits


@pytest.fixture
def dialog(qtbot, document) -> SolverDialog:
    view = SolverDialog(document)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    return view


def _apply_once(dialog: SolverDialog, document) -> None:
    before = document.undo_stack.count()
    answer = dialog.answer
    assert answer.applicable, answer.text
    assert dialog.apply_button.isEnabled()
    dialog.apply_button.click()
    assert document.undo_stack.count() == before + 1
    assert document.undo_stack.undoText() == answer.label


def test_size_for_risk(dialog: SolverDialog, document) -> None:
    dialog.show_solver("size_for_risk")
    page = dialog.pages["size_for_risk"]
    page.position_combo.setCurrentIndex(0)  # eth-conviction, stop 2800
    page.set_risk(1.0)
    expected = solvers.size_for_risk(document.plan, "eth-conviction", risk_fraction=0.01)
    size = floor_to(expected, QUANTITY_DECIMALS)
    assert dialog.answer.value == expected
    assert format_quantity(size) in dialog.answer.text
    _apply_once(dialog, document)
    result = analyze(document.plan).position(0)
    assert result.quantity == size
    wallet = document.plan.account.wallet_balance
    assert result.loss_at_stop == pytest.approx(0.01 * wallet, rel=1e-6)
    document.undo_stack.undo()
    assert document.plan.positions[0].quantity == 5


def test_size_for_an_amount_and_a_typed_stop(dialog: SolverDialog, document) -> None:
    dialog.show_solver("size_for_risk")
    page = dialog.pages["size_for_risk"]
    page.set_risk(250.0, amount=True)
    page.stop_spin.setValue(2750.0)
    expected = solvers.size_for_risk(
        document.plan, "eth-conviction", risk_amount=250.0, stop=2750.0
    )
    assert dialog.answer.text.count(format_quantity(floor_to(expected, QUANTITY_DECIMALS))) == 1
    _apply_once(dialog, document)
    result = analyze(document.plan).position(0)
    assert document.plan.positions[0].stop_loss == 2750.0
    assert result.loss_at_stop == pytest.approx(250.0, rel=1e-6)


def test_least_isolated_margin_round_trips(dialog: SolverDialog, document) -> None:
    dialog.show_solver("least_isolated_margin")
    page = dialog.pages["least_isolated_margin"]
    # the buffer starts at the plan's stop buffer (1 %) and is the warning's measure: a share
    # of the mark (the solvers take a share of the stop)
    assert document.plan.account.risk_limits.stop_buffer == 0.01
    assert page.buffer_spin.value() == 1.0
    plan = document.plan
    mark, stop = plan.market("ETHUSDT").mark_price, plan.positions[0].stop_loss
    expected = solvers.least_isolated_margin(plan, "eth-conviction", 0.01 * mark / stop)
    assert dialog.answer.value == expected  # the solver's own answer, before rounding
    _apply_once(dialog, document)
    position = document.plan.positions[0]
    assert position.added_margin == pytest.approx(expected, abs=0.01)
    assert position.added_margin >= expected  # rounded up: never short of margin
    analysis = analyze(document.plan)
    result = analysis.position(0)
    gap = abs(position.stop_loss - result.liquidation_price) / result.mark_price
    assert gap == pytest.approx(0.01, abs=1e-5)
    assert gap >= 0.01 - 1e-12
    # applied, the answer does not raise the warning it was asked to avoid
    assert "stop_near_liquidation" not in [w.code for w in analysis.warnings]


def test_most_leverage_round_trips(dialog: SolverDialog, document) -> None:
    dialog.show_solver("most_leverage")
    page = dialog.pages["most_leverage"]
    page.buffer_spin.setValue(0.5)
    plan = document.plan
    mark, stop = plan.market("ETHUSDT").mark_price, plan.positions[0].stop_loss
    expected = solvers.most_leverage(plan, "eth-conviction", 0.005 * mark / stop)
    assert dialog.answer.value == expected
    _apply_once(dialog, document)
    position = document.plan.positions[0]
    assert position.leverage == math.floor(expected)
    result = analyze(document.plan).position(0)
    assert abs(position.stop_loss - result.liquidation_price) / result.mark_price >= 0.005


def test_largest_cross_quantity_adds_one_position(dialog: SolverDialog, document) -> None:
    dialog.show_solver("largest_cross_quantity")
    page = dialog.pages["largest_cross_quantity"]
    page.symbol_combo.setCurrentText("BTCUSDT")
    page.side_combo.setCurrentIndex(0)
    page.leverage_spin.setValue(20.0)
    mark = document.plan.market("BTCUSDT").mark_price
    assert page.entry_spin.value() == mark
    expected = solvers.largest_cross_quantity(document.plan, "BTCUSDT", "long", 20.0, mark)
    assert dialog.answer.value == expected
    count = len(document.plan.positions)
    _apply_once(dialog, document)
    assert len(document.plan.positions) == count + 1
    added = document.plan.positions[-1]
    assert (added.symbol, added.side, added.margin_mode) == ("BTCUSDT", "long", "cross")
    assert added.quantity == floor_to(expected, QUANTITY_DECIMALS)
    assert document.current_id == added.id
    available = analyze(document.plan).cross.available
    assert 0 <= available < 1.0  # the pool is used up (to the rounding of the size)


def test_quantity_at_next_tier(dialog: SolverDialog, document) -> None:
    document.set_current("btc-core")
    dialog.show_solver("quantity_at_next_tier")
    expected = solvers.quantity_at_next_tier(document.plan, "btc-core")
    assert dialog.answer.value == expected
    before = analyze(document.plan).position(1).maintenance_rate
    _apply_once(dialog, document)
    assert document.plan.positions[1].quantity == expected
    assert analyze(document.plan).position(1).maintenance_rate > before


def test_margin_for_liquidation_price(dialog: SolverDialog, document) -> None:
    dialog.show_solver("margin_for_liquidation_price")
    page = dialog.pages["margin_for_liquidation_price"]
    page.target_spin.setValue(2600.0)
    expected = solvers.margin_for_liquidation_price(document.plan, "eth-conviction", 2600.0)
    assert dialog.answer.value == expected
    _apply_once(dialog, document)
    assert document.plan.positions[0].added_margin == pytest.approx(expected, abs=0.01)
    liquidation = analyze(document.plan).position(0).liquidation_price
    assert liquidation == pytest.approx(2600.0, abs=0.01)
    assert liquidation <= 2600.0 + 1e-9  # rounded margin: at or beyond the target


def test_pool_move_is_an_answer_without_apply(dialog: SolverDialog, document) -> None:
    dialog.show_solver("pool_liquidating_move")
    down = solvers.market_move_to_liquidate_pool(document.plan, direction=-1)
    up = solvers.market_move_to_liquidate_pool(document.plan, direction=1)
    nearest = min((m for m in (down, up) if m is not None), key=abs, default=None)
    assert dialog.answer.value == nearest
    assert not dialog.apply_button.isEnabled()
    count = document.undo_stack.count()
    assert dialog.apply() is False
    assert document.undo_stack.count() == count


def test_no_answer_is_explained(dialog: SolverDialog, document) -> None:
    # a long's stop above its mark: no margin keeps liquidation "beyond" it
    dialog.show_solver("least_isolated_margin")
    page = dialog.pages["least_isolated_margin"]
    page.stop_spin.setValue(2950.0)
    assert (
        solvers.least_isolated_margin(document.plan, "eth-conviction", 0.005, stop=2950.0) is None
    )
    answer = dialog.answer
    assert not answer.applicable and not dialog.apply_button.isEnabled()
    assert answer.text.startswith("No answer") and "below the mark 2,900.00" in answer.text

    # a cross symbol's side taken in one-way mode
    dialog.show_solver("largest_cross_quantity")
    page = dialog.pages["largest_cross_quantity"]
    page.symbol_combo.setCurrentText("SOLUSDT")
    page.side_combo.setCurrentIndex(0)  # long, the plan holds a short
    assert "one-way mode" in dialog.answer.text

    # the isolated-only solvers without an isolated position
    document.edit(lambda plan: edits.set_position_field(plan, 0, "margin_mode", "cross"), "Cross")
    dialog.show_solver("most_leverage")
    assert dialog.answer.text.startswith("No isolated position")


def test_the_answer_follows_the_plan(qtbot, dialog: SolverDialog, document) -> None:
    dialog.show_solver("size_for_risk")
    first = dialog.answer.text
    document.edit(lambda plan: edits.set_account_field(plan, "wallet_balance", 40000.0), "Wallet")
    qtbot.waitUntil(lambda: dialog.answer_label.text() != first, timeout=2000)
    expected = solvers.size_for_risk(document.plan, "eth-conviction", risk_fraction=0.01)
    assert format_quantity(floor_to(expected, QUANTITY_DECIMALS)) in dialog.answer.text


def test_tools_menu_opens_each_solver(qtbot, window) -> None:
    for key, _ in SOLVERS:
        window.actions.solvers()[key].trigger()
        dialog = window.tools.solver_dialog
        assert dialog is not None and dialog.isVisible()
        assert dialog.page.key == key
    assert window.tools.solver_dialog is dialog  # one dialog, reused
    dialog.close()


def test_decision_tool_warnings_show_in_the_account_panel(qtbot, window) -> None:
    document, panel = window.document, window.account

    def shown(code: str) -> None:
        warnings = plan_warnings(document.plan, document.analysis)
        texts = [w.text for w in warnings if w.code == code]
        assert texts, f"the plan should raise {code}"
        on_screen = panel.warning_texts()
        for text in texts:
            assert text in on_screen

    # liquidation before the stop
    document.edit(lambda plan: edits.set_position_field(plan, 0, "stop_loss", 2705.0), "Stop")
    shown("liquidation_before_stop")
    document.undo_stack.undo()
    # the next tier within 10 % of the BTC position's notional (floor 50,000 at 58,000 a BTC)
    document.edit(lambda plan: edits.set_position_field(plan, 1, "quantity", 0.84), "Size")
    shown("tier_cliff")
    document.undo_stack.undo()
    # one market-wide move (≤ 10 %) away from losing the pool
    document.edit(lambda plan: edits.set_position_field(plan, 1, "quantity", 4.0), "Size")
    shown("pool_near_liquidation")


def test_a_closed_dialog_catches_up_when_shown(qtbot, dialog: SolverDialog, document) -> None:
    dialog.hide()
    plan, new_id = edits.add_position(document.plan, 0)  # an isolated ETH long, no stop
    document.apply(plan, "Add", select=new_id)
    dialog.show_solver("least_isolated_margin")
    dialog.show()
    qtbot.waitExposed(dialog)
    combo = dialog.pages["least_isolated_margin"].position_combo
    assert combo.position_id() == new_id
    assert dialog.answer.text == f"{new_id} has no stop: type the stop to keep liquidation beyond."


def test_size_for_risk_answers_on_the_venue_lot_step(qtbot, document) -> None:
    """Issue 12: not 0.01768596 BTC but a size on Binance's 0.001 step, rounded down, and the
    notional at the entry (as in the editor), not at the mark."""
    plan = edits.new_plan()
    plan, _ = edits.create_position(
        plan, {"symbol": "BTCUSDT", "side": "long", "entry_price": 61000.0, "stop_loss": 59000.0}
    )
    document.reset(plan)
    dialog = SolverDialog(document)
    qtbot.addWidget(dialog)
    dialog.show_solver("size_for_risk")
    page = dialog.pages["size_for_risk"]
    page.set_risk(1.0)
    exact = solvers.size_for_risk(document.plan, "btc", risk_fraction=0.01)
    assert dialog.answer.value == exact
    assert "lot step 0.001" in dialog.answer.text
    assert format_quantity(math.floor(exact * 1000) / 1000) in dialog.answer.text
    _apply_once(dialog, document)
    position = document.plan.position("btc")
    assert position.quantity == math.floor(exact * 1000) / 1000
    assert analyze(document.plan).position(0).loss_at_stop <= 100.0
    notional = f"entry notional {position.quantity * 61000:,.2f}"
    assert notional in dialog.after_label.text() or notional in dialog.answer.text
