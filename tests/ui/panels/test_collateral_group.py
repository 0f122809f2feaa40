"""The account panel's collateral group: add BTC collateral by typing and clicking, see its
value and own liquidation price, take the haircut from the venue's table, remove it."""

from __future__ import annotations

from PySide6.QtCore import Qt

from planner.domain.formatting import format_amount, format_price
from planner.ui.panels.collateral_group import FIXED, CollateralGroup


def _group(window) -> CollateralGroup:
    return window.account.findChild(CollateralGroup)


def test_add_btc_collateral_priced_by_its_market(qtbot, window) -> None:
    document, group = window.document, _group(window)
    assert group.table.rowCount() == 0
    equity_before = document.analysis.cross.equity
    group.asset_combo.setFocus()
    group.asset_combo.lineEdit().selectAll()
    qtbot.keyClicks(group.asset_combo.lineEdit(), "BTC")
    # Binance's published 5 % haircut is filled in, and BTC is priced by BTCUSDT
    assert group.haircut_spin.value() == 5.0
    assert group.source_combo.currentText() == "BTCUSDT"
    assert "binance haircut as of" in group.source_note.text()
    group.amount_spin.setValue(2)
    qtbot.mouseClick(group.add_button, Qt.MouseButton.LeftButton)

    (item,) = document.plan.account.collateral
    assert (item.asset, item.amount, item.price_symbol, item.value_ratio) == (
        "BTC",
        2,
        "BTCUSDT",
        0.95,
    )
    analysis = document.analysis
    mark = document.plan.market("BTCUSDT").mark_price
    assert analysis.cross.equity == equity_before + 2 * mark * 0.95
    assert group.table.rowCount() == 1
    assert group.table.item(0, 0).text() == "BTC"
    assert group.table.item(0, 3).text() == "5.00 %"
    assert group.table.item(0, 4).text() == format_amount(2 * mark * 0.95, "USDT", with_unit=True)
    tick = document.plan.market("BTCUSDT").tick_size
    assert group.table.item(0, 5).text() == format_price(
        analysis.collateral[0].liquidation_price, tick
    )
    assert "Counted in the cross pool" in group.total.text()
    assert document.undo_stack.undoText() == "Set BTC collateral"

    # with collateral the wallet may go to 0
    window.account.wallet_spin.setValue(0)
    assert document.plan.account.wallet_balance == 0

    # … and then the collateral cannot go: nothing would back the account
    qtbot.mouseClick(group.remove_button, Qt.MouseButton.LeftButton)
    assert len(document.plan.account.collateral) == 1
    window.account.wallet_spin.setValue(1000)
    qtbot.mouseClick(group.remove_button, Qt.MouseButton.LeftButton)
    assert document.plan.account.collateral == ()
    assert group.table.rowCount() == 0
    assert "No collateral" in group.total.text()


def test_fixed_price_collateral_with_a_typed_haircut(qtbot, window) -> None:
    document, group = window.document, _group(window)
    group.asset_combo.lineEdit().selectAll()
    qtbot.keyClicks(group.asset_combo.lineEdit(), "DOGE")
    assert "No published haircut" in group.source_note.text()
    group.source_combo.setCurrentText(FIXED)
    assert group.price_spin.isEnabled()
    group.price_spin.setValue(0.2)
    group.amount_spin.setValue(10_000)
    group.haircut_spin.setValue(20)
    qtbot.mouseClick(group.add_button, Qt.MouseButton.LeftButton)
    (item,) = document.plan.account.collateral
    assert (item.price, item.value_ratio, item.price_symbol) == (0.2, 0.8, None)
    assert document.analysis.cross.collateral_value == 10_000 * 0.2 * 0.8


def test_a_refused_item_leaves_the_plan_untouched(qtbot, window) -> None:
    document, group = window.document, _group(window)
    refused = []
    document.edit_refused.connect(refused.append)
    group.asset_combo.lineEdit().selectAll()
    qtbot.keyClicks(group.asset_combo.lineEdit(), "SOL")
    group.source_combo.setCurrentText(FIXED)
    group.amount_spin.setValue(0)  # amount must be > 0
    before = document.plan
    qtbot.mouseClick(group.add_button, Qt.MouseButton.LeftButton)
    assert document.plan is before
    assert refused and "account.collateral[0].amount" in str(refused[0])
