"""The position editor round-trips every field, both ways, and marks refused input at its
field without touching the plan."""

from __future__ import annotations

import pytest

from planner.domain import sizing
from planner.ui.document import edits
from planner.ui.widgets.number_box import NumberBox


@pytest.fixture
def editor(window):
    window.document.set_current("eth-conviction")
    return window.editor


def _position(window):
    return window.document.plan.position(window.document.current_id)


def test_shows_the_selected_position(qtbot, window, editor) -> None:
    assert editor.id_edit.text() == "eth-conviction"
    assert editor.symbol_combo.currentText() == "ETHUSDT"
    assert editor.side_combo.currentData() == "long"
    assert editor.isolated_button.isChecked()
    assert editor.entry_spin.value() == 3000.0
    assert editor.entry_spin.decimals() == 2  # tick 0.01
    assert editor.stop_spin.value() == 2800.0
    assert editor.leverage_spin.value() == 10.0
    assert editor.leverage_spin.maximum() == 100.0  # ETHUSDT's flat rule
    assert editor.leverage_slider.value() == 10
    assert editor.size_spin.value() == 5.0
    assert "notional 15,000.00 USDT" in editor.size_other.text()
    assert editor.tp_table.rowCount() == 2
    assert editor.notes_edit.toPlainText() == "protocol upgrade thesis"
    window.document.set_current("btc-core")
    assert editor.id_edit.text() == "btc-core"
    assert editor.cross_button.isChecked()
    assert not editor.added_margin_spin.isEnabled()
    assert editor.stop_spin.text() == ""  # no stop: empty, the placeholder says "none"
    assert editor.stop_spin.placeholderText() == "none"


def test_every_field_round_trips(qtbot, window, editor) -> None:
    document = window.document
    editor.entry_spin.setValue(3050.0)
    assert _position(window).entry_price == 3050.0
    editor.stop_spin.setValue(2850.0)
    assert _position(window).stop_loss == 2850.0
    editor.stop_spin.setValue(0.0)
    assert _position(window).stop_loss is None
    editor.leverage_spin.setValue(12.5)
    assert _position(window).leverage == 12.5
    assert editor.leverage_slider.value() == 12  # the other widget follows the document
    editor.leverage_slider.setValue(20)
    assert _position(window).leverage == 20.0
    assert editor.leverage_spin.value() == 20.0
    editor.added_margin_spin.setValue(250.0)
    assert _position(window).added_margin == 250.0
    editor.size_spin.setValue(6.0)
    assert _position(window).quantity == 6.0
    editor.notes_edit.setPlainText("new thesis")
    assert _position(window).notes == "new thesis"
    editor.side_combo.setCurrentIndex(editor.side_combo.findData("short"))
    editor.side_combo.activated.emit(editor.side_combo.currentIndex())
    assert _position(window).side == "short"
    editor.cross_button.click()
    assert _position(window).margin_mode == "cross"
    assert _position(window).added_margin == 0.0  # switching to cross drops added margin
    editor.isolated_button.click()
    assert _position(window).margin_mode == "isolated"
    editor.symbol_combo.setEditText("ADAUSDT")
    editor.symbol_combo.lineEdit().editingFinished.emit()
    assert _position(window).symbol == "ADAUSDT"
    assert document.plan.market("ADAUSDT").mark_price == _position(window).entry_price
    editor.id_edit.setText("eth-renamed")
    editor.id_edit.editingFinished.emit()
    assert document.current_id == "eth-renamed"
    assert _position(window).id == "eth-renamed"
    # plan → widgets: undo everything and the editor shows the original again
    while document.undo_stack.canUndo():
        document.undo_stack.undo()
    assert editor.id_edit.text() == "eth-conviction"
    assert editor.entry_spin.value() == 3000.0
    assert editor.notes_edit.toPlainText() == "protocol upgrade thesis"
    assert editor.symbol_combo.currentText() == "ETHUSDT"


def test_size_typed_as_notional_or_margin(qtbot, window, editor) -> None:
    market = window.document.plan.market("ETHUSDT")
    editor.size_unit.setCurrentIndex(editor.size_unit.findData("notional"))
    assert editor.size_spin.value() == 15000.0
    assert editor.size_other.text().startswith("quantity 5")
    editor.size_spin.setValue(30000.0)
    assert _position(window).quantity == pytest.approx(
        sizing.quantity_for_notional(market, 30000.0, 3000.0)
    )
    editor.size_unit.setCurrentIndex(editor.size_unit.findData("margin"))
    assert editor.size_spin.value() == pytest.approx(3000.0)
    editor.size_spin.setValue(1500.0)
    assert _position(window).quantity == pytest.approx(5.0)


def test_take_profit_levels(qtbot, window, editor) -> None:
    table = editor.tp_table
    price = table.cellWidget(0, 0)
    assert isinstance(price, NumberBox)
    price.setValue(3400.0)
    assert _position(window).take_profits[0].price == 3400.0
    assert table.item(0, 2).text() == "+1,000.00"  # the reward comes from the analysis
    fraction = table.cellWidget(1, 1)
    fraction.setValue(25.0)
    assert _position(window).take_profits[1].fraction == 0.25
    editor.tp_add.click()
    assert len(_position(window).take_profits) == 3
    assert _position(window).take_profits[2].fraction == 0.25
    editor.tp_add.click()  # the levels already close the whole position
    assert len(_position(window).take_profits) == 3
    assert editor.marked_fields() == ["take_profits"]
    editor.tp_remove.click()
    editor.tp_remove.click()
    editor.tp_remove.click()
    assert _position(window).take_profits == ()
    assert table.rowCount() == 0


def test_refused_input_is_marked_at_its_field(qtbot, window, editor) -> None:
    document = window.document
    before = document.plan
    fraction = editor.tp_table.cellWidget(1, 1)
    fraction.setValue(80.0)  # 50 % + 80 % > 100 %
    assert document.plan is before
    # the field just edited is marked, keeps what was typed, and says why under the levels
    assert fraction.is_refused() and fraction.text() == "80"
    assert fraction.value() == 50.0  # the plan's value
    assert "take-profit fractions must sum to at most 1" in editor.error_label.text()
    assert "at most 1" in fraction.toolTip()
    assert "at most 1" in editor.tp_levels.reason.text()
    # an accepted edit of another field leaves it marked; fixing it clears the mark
    editor.entry_spin.setValue(3010.0)
    assert fraction.is_refused()
    fraction.setValue(40.0)
    assert not fraction.is_refused()
    assert document.plan.position("eth-conviction").take_profits[1].fraction == 0.4
    assert not editor.error_label.isVisible()
    assert not editor.tp_levels.reason.isVisible()

    document.set_current("btc-core")
    before = document.plan
    editor.id_edit.setText("eth-conviction")  # taken
    editor.id_edit.editingFinished.emit()
    assert document.plan is before
    assert editor.marked_fields() == ["id"]
    assert "unique" in editor.error_label.text()


def test_leverage_is_limited_by_the_tier(qtbot, window, editor) -> None:
    window.document.set_current("btc-core")  # 0.5 BTC at 60,000: tier 1, up to 125×
    assert editor.leverage_spin.maximum() == 125
    assert editor.leverage_slider.maximum() == 125
    editor.size_spin.setValue(1.0)  # 60,000: tier 2, up to 100×
    assert editor.leverage_spin.maximum() == 100
    assert "100×" in editor.leverage_limit.text()


def test_slider_drag_previews_and_commits_once(qtbot, window, editor) -> None:
    document = window.document
    slider = editor.leverage_slider
    slider.setSliderDown(True)
    for value in (11, 12, 13, 14):
        slider.setValue(value)
    assert document.is_previewing
    assert document.plan.positions[0].leverage == 14.0
    assert document.undo_stack.count() == 0
    slider.setSliderDown(False)  # emits sliderReleased
    assert not document.is_previewing
    assert document.undo_stack.count() == 1
    assert document.plan.positions[0].leverage == 14.0
    document.undo_stack.undo()
    assert document.plan.positions[0].leverage == 10.0


def test_nothing_selected(qtbot, window, editor) -> None:
    window.document.edit(lambda plan: edits.delete_positions(plan, [0, 1, 2]), "Delete all")
    assert window.document.current_id == ""
    assert editor.form.isHidden()
    assert not editor.empty_label.isHidden()
