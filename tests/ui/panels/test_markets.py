"""Markets: mark prices, ticks and maintenance rules are edited as commands."""

from __future__ import annotations

from PySide6.QtCore import Qt

from planner.domain.plan import FlatMaintenance, TierTable
from planner.ui.dialogs.maintenance_dialog import MaintenanceDialog
from planner.ui.panels.markets_panel import MARKET_COLUMNS

COLUMN = {key: i for i, (key, _) in enumerate(MARKET_COLUMNS)}


def test_model_passes_the_model_tester(qtbot, qtmodeltester, window) -> None:
    qtmodeltester.check(window.markets.model)


def test_mark_price_edit_moves_the_analysis(qtbot, window) -> None:
    model, document = window.markets.model, window.document
    pnl_before = document.analysis.position(1).unrealized_pnl
    assert model.setData(model.index(0, COLUMN["mark_price"]), 62000.0, Qt.ItemDataRole.EditRole)
    assert document.plan.market("BTCUSDT").mark_price == 62000.0
    assert document.analysis.position(1).unrealized_pnl > pnl_before
    assert document.undo_stack.undoText() == "Change mark price of BTCUSDT"
    assert model.index(0, COLUMN["mark_price"]).data() == "62,000.0"
    assert model.setData(model.index(0, COLUMN["tick_size"]), None)
    assert document.plan.market("BTCUSDT").tick_size is None
    assert not model.setData(model.index(0, COLUMN["mark_price"]), -1.0)


def test_renaming_a_symbol_renames_it_in_positions(qtbot, window) -> None:
    model, document = window.markets.model, window.document
    assert model.setData(model.index(0, COLUMN["symbol"]), "BTCUSDC")
    assert document.plan.positions[1].symbol == "BTCUSDC"


def test_add_and_remove_markets(qtbot, window) -> None:
    panel, document = window.markets, window.document
    panel.add_button.click()
    assert len(document.plan.markets) == 4
    panel.view.setCurrentIndex(panel.model.index(3, 0))
    panel.remove_button.click()
    assert len(document.plan.markets) == 3
    panel.view.setCurrentIndex(panel.model.index(0, 0))
    before = document.plan
    panel.remove_button.click()  # BTCUSDT is used by btc-core
    assert document.plan is before
    assert "still used by btc-core" in window.statusBar().currentMessage()


def test_maintenance_dialog_loads_a_shipped_table(qtbot, window) -> None:
    document = window.document
    dialog = MaintenanceDialog(document, 1, window)  # ETHUSDT, flat 0.4 %
    qtbot.addWidget(dialog)
    assert dialog.flat_button.isChecked()
    assert dialog.mmr_spin.value() == 0.4
    dialog.tiers_button.setChecked(True)
    dialog.venue_combo.setCurrentIndex(dialog.venue_combo.findData("binance"))
    dialog.symbol_combo.setCurrentIndex(dialog.symbol_combo.findText("ETHUSDT"))
    dialog.load_button.click()
    assert dialog.tier_table.rowCount() > 3
    dialog.buttons.accepted.emit()
    rule = document.plan.market("ETHUSDT").maintenance
    assert isinstance(rule, TierTable)
    assert rule.source
    assert document.undo_stack.undoText() == "Change maintenance rule of ETHUSDT"
    document.undo_stack.undo()
    assert isinstance(document.plan.market("ETHUSDT").maintenance, FlatMaintenance)


def test_maintenance_dialog_refuses_a_broken_table(qtbot, window) -> None:
    document = window.document
    before = document.plan
    dialog = MaintenanceDialog(document, 0, window)  # BTCUSDT, three tiers
    qtbot.addWidget(dialog)
    assert dialog.tiers_button.isChecked()
    dialog.tier_table.item(1, 4).setText("999")  # breaks continuity
    dialog.buttons.accepted.emit()
    assert document.plan is before
    assert "tiers[1].maintenance_amount" in dialog.error_label.text()
    dialog.fill_amounts.click()
    assert dialog.tier_table.item(1, 4).text() == "50"
    dialog.flat_button.setChecked(True)
    dialog.mmr_spin.setValue(0.5)
    dialog.max_leverage_spin.setValue(50)
    dialog.buttons.accepted.emit()
    assert document.plan.market("BTCUSDT").maintenance == FlatMaintenance(
        mmr=0.005, max_leverage=50
    )
