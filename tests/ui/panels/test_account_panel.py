"""The account panel: account inputs as commands, the cross pool, buckets and warnings."""

from __future__ import annotations

from planner.domain.formatting import format_amount
from planner.domain.plan import RiskLimits
from planner.ui.document import edits
from planner.ui.panels.account_panel import BAR_ROLE


def test_shows_the_cross_pool(qtbot, window) -> None:
    cross = window.document.analysis.cross
    figures = window.account.figures
    assert figures["cross_equity"].text() == format_amount(cross.equity, "USDT", with_unit=True)
    assert figures["cross_available"].text() == "12,000.00 USDT"
    assert figures["cross_risk_ratio"].text() == "1.19 % · ok"
    assert figures["cross_equity"].toolTip()


def test_account_inputs_are_commands(qtbot, window) -> None:
    document, panel = window.document, window.account
    panel.wallet_spin.setValue(25000)
    assert document.plan.account.wallet_balance == 25000
    assert panel.figures["cross_wallet_balance"].text() == "23,500.00 USDT"
    panel.wallet_spin.setValue(26000)
    assert document.undo_stack.count() == 1  # spins of one field merge
    panel.taker_spin.setValue(0.05)
    assert document.plan.account.taker_fee_rate == 0.0005
    panel.venue_combo.setCurrentIndex(panel.venue_combo.findData("bybit"))
    panel.venue_combo.activated.emit(panel.venue_combo.currentIndex())
    assert document.plan.account.venue == "bybit"
    panel.mode_combo.setCurrentIndex(panel.mode_combo.findData("hedge"))
    panel.mode_combo.activated.emit(panel.mode_combo.currentIndex())
    assert document.plan.account.position_mode == "hedge"
    panel.currency_edit.setText("usdc")
    panel.currency_edit.editingFinished.emit()
    assert document.plan.account.currency == "USDC"
    panel.name_edit.setText("Renamed")
    panel.name_edit.editingFinished.emit()
    assert document.plan.name == "Renamed"
    assert document.undo_stack.undoText() == "Rename the plan"
    while document.undo_stack.canUndo():
        document.undo_stack.undo()
    assert panel.wallet_spin.value() == 20000
    assert panel.venue_combo.currentData() == "binance"


def test_buckets_show_how_close_they_are_to_liquidation(qtbot, window) -> None:
    model = window.account.bucket_model
    assert model.rowCount() == 1
    assert model.index(0, 0).data() == "ETHUSDT long"
    assert model.index(0, 4).data(BAR_ROLE) == 58  # risk ratio 5.8 %
    assert model.index(0, 4).data().startswith("5.8 %")
    window.document.edit(
        lambda plan: edits.set_position_field(plan, 1, "margin_mode", "isolated"), "Isolate"
    )
    assert model.rowCount() == 2


def test_warnings_in_plain_words(qtbot, window) -> None:
    panel, document = window.account, window.document
    # the example risks 5.7 % of equity at its stop: within a 6 % limit, it has no warnings
    limits = RiskLimits(risk_per_position=0.06, total_risk=0.2)
    document.edit(
        lambda plan: plan.model_copy(
            update={"account": plan.account.model_copy(update={"risk_limits": limits})}
        ),
        "Risk limits",
    )
    panel.refresh_warnings()
    # … but for its two positions without a stop
    (no_stop,) = panel.warning_texts()
    assert no_stop.startswith("btc-core, sol-hedge have no stop")
    # btc-core long from 60,000 and sol-hedge short from 150 each risk under 6 % (of 17,500)
    for index, stop in ((1, 57950.0), (2, 160.4)):
        document.edit(
            lambda plan, i=index, s=stop: edits.set_position_field(plan, i, "stop_loss", s),
            "Change stop",
        )
    panel.refresh_warnings()
    assert panel.warning_texts() == ["No warnings."]
    document.edit(
        lambda plan: edits.set_position_field(plan, 0, "stop_loss", 2705.0), "Change stop"
    )
    assert any("before the stop" in text for text in panel.warning_texts())
    document.edit(
        lambda plan: edits.set_position_field(plan, 0, "added_margin", 30000.0), "Add margin"
    )
    texts = " ".join(panel.warning_texts())
    assert "more than the wallet" in texts
    assert "liquidated" in texts
