"""Issue 12: every keystroke in the position editor and the table means what the trader meant.

Values outside a field's rule are refused at the field (red frame, the rule in words, the typed
text kept) and the plan is untouched; nothing is clamped, truncated or silently reverted."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from planner.ui.document import edits
from planner.ui.panels.position_model import COLUMN_INDEX
from planner.ui.widgets.number_box import NumberBox
from tests.ui.typing import Keyboard, add_position, show_active


@pytest.fixture
def editor(qtbot, window):
    show_active(qtbot, window)
    window.document.set_current("btc-core")  # 0.5 BTC at 60,000: tier 1, up to 125×
    return window.editor


def _type_over(qtbot, box: NumberBox, text: str) -> None:
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Return)


@pytest.mark.parametrize(
    ("field", "text", "rule"),
    [
        ("leverage_spin", "500", "must be at most 125"),
        ("size_spin", "-1", "must be above 0"),
        ("entry_spin", "0", "must be above 0"),
        ("entry_spin", "abc", "not a number"),
        ("stop_spin", "5x", "not a number"),
    ],
)
def test_a_value_outside_the_rule_is_refused_at_its_field(
    qtbot, window, editor, field: str, text: str, rule: str
) -> None:
    document = window.document
    before = document.plan
    box = getattr(editor, field)
    _type_over(qtbot, box, text)
    assert document.plan is before  # the plan untouched
    assert box.text() == text  # what was typed stays: not clamped, truncated or reverted
    assert box.property("invalid") is True
    assert rule in editor.error_label.text()
    assert text in editor.error_label.text()
    assert editor.error_label.isVisibleTo(editor)
    # leaving the field keeps the refused text and its mark
    editor.notes_edit.setFocus()
    assert box.text() == text and box.property("invalid") is True
    assert document.plan is before
    # a valid value clears the mark and is committed
    valid = {"leverage_spin": "20", "size_spin": "0.6"}.get(field, "61000")
    _type_over(qtbot, box, valid)
    assert box.property("invalid") is False
    assert document.plan is not before


def test_leverage_500_is_not_50(qtbot, window, editor) -> None:
    _type_over(qtbot, editor.leverage_spin, "500")
    assert window.document.plan.position("btc-core").leverage == 10.0
    assert "the tier's limit" in editor.error_label.text()


@pytest.mark.parametrize(
    ("column", "text"),
    [("quantity", "-5"), ("entry_price", "0"), ("leverage", "500"), ("stop_loss", "abc")],
)
def test_table_cell_refuses_out_of_rule_text(qtbot, window, column: str, text: str) -> None:
    show_active(qtbot, window)
    document, view = window.document, window.table.view
    before = document.plan
    index = view.model().index(1, COLUMN_INDEX[column])
    view.setCurrentIndex(index)
    view.setFocus()
    view.edit(index)
    cell = QApplication.focusWidget()
    assert isinstance(cell, NumberBox)
    cell.selectAll()
    qtbot.keyClicks(cell, text)
    qtbot.keyClick(cell, Qt.Key.Key_Return)
    assert document.plan is before  # -5 is not 5 BTC, 500× is not 50×
    assert cell.text() == text and cell.property("invalid") is True
    message = window.statusBar().currentMessage()
    assert f"positions[1].{column} = {text}:" in message
    assert "must be" in message or "not a number" in message


def test_a_new_symbol_is_marked_at_the_typed_entry_with_its_catalogue_table(qtbot, window) -> None:
    document = window.document
    document.reset(edits.new_plan())  # BTCUSDT at 60,000 is the only market
    add_position(qtbot, window, "eth", "3000", side="short")
    plan = document.plan
    new = plan.position(document.current_id)
    assert new.symbol == "ETHUSDT" and new.side == "short" and new.id == "eth"
    assert plan.market("ETHUSDT").mark_price == 3000.0  # never BTC's 60,000
    assert len(plan.market("ETHUSDT").maintenance.tiers) > 1  # Binance's ETH table


def test_one_way_conflict_is_refused_with_words_and_the_draft_kept(qtbot, window) -> None:
    document = window.document
    before = document.plan
    add_position(qtbot, window, "eth", "3000", side="short")  # eth-conviction is long
    assert document.plan is before
    assert window.editor.is_drafting
    assert "one-way mode" in window.editor.error_label.text()


def test_a_catalogue_symbol_brings_its_tiers_tick_and_lot_step(qtbot, window) -> None:
    document = window.document
    add_position(qtbot, window, "xrp", "0.5")
    plan = document.plan
    market = plan.market("XRPUSDT")
    assert market.mark_price == 0.5
    assert len(market.maintenance.tiers) > 1
    assert market.tick_size and market.quantity_step
    position = plan.position(document.current_id)
    assert position.id == "xrp"
    assert position.take_profits == ()  # no take-profit until one is typed


def test_add_opens_a_draft_that_neither_clones_nor_merges(qtbot, window) -> None:
    document = window.document
    show_active(qtbot, window)
    document.set_current("btc-core")
    before = document.plan
    keys = Keyboard(qtbot)
    keys.shortcut(window.actions.add_position)
    editor = window.editor
    assert editor.is_drafting and editor.symbol_combo.hasFocus()
    assert editor.symbol_combo.currentText() == ""  # not the selected position's symbol
    keys.type("btc")
    keys.enter()
    assert document.plan is before  # no entry yet: nothing merged into btc-core
    keys.tab()
    keys.type("61000")
    keys.enter()
    assert len(document.plan.positions) == len(before.positions) + 1
    added = document.plan.position(document.current_id)
    assert added.entry_price == 61000 and added.id == "btc"


def test_escape_drops_the_draft(qtbot, window) -> None:
    show_active(qtbot, window)
    window.actions.add_position.trigger()
    qtbot.keyClick(window.editor, Qt.Key.Key_Escape)
    assert not window.editor.is_drafting


def test_size_for_a_risk_follows_the_lot_step(qtbot, window) -> None:
    document = window.document
    document.reset(edits.new_plan())  # the catalogue's BTCUSDT, with its lot step
    add_position(qtbot, window, "btc", "61000")
    editor = window.editor
    _type_over(qtbot, editor.stop_spin, "59000")
    editor.size_unit.setCurrentIndex(editor.size_unit.findData("risk_percent"))
    _type_over(qtbot, editor.size_spin, "1")
    position = document.plan.position(document.current_id)
    step = document.plan.market("BTCUSDT").quantity_step
    assert round(position.quantity / step, 6).is_integer()  # on the venue's lot step
    loss = document.analysis.position(document.plan.positions.index(position)).loss_at_stop
    wallet = document.plan.account.wallet_balance
    assert loss <= 0.01 * wallet  # rounded down: never more than the risk
    assert loss > 0.01 * wallet - 2 * step * 2000  # and no more than a step below it


def test_a_typed_quantity_rounds_down_to_the_lot_step(qtbot, window) -> None:
    document = window.document
    document.reset(edits.new_plan())
    add_position(qtbot, window, "btc", "61000")
    editor = window.editor
    editor.size_unit.setCurrentIndex(editor.size_unit.findData("quantity"))
    _type_over(qtbot, editor.size_spin, "0.12345")
    assert document.plan.position(document.current_id).quantity == 0.123
    assert "lot step 0.001" in editor.size_other.text()


def test_tab_reaches_every_field_and_the_take_profit_buttons(qtbot, window, editor) -> None:
    window.document.set_current("btc-core")
    editor.tp_add.click()  # one level, so the table has fields to pass through
    assert window.document.plan.position("btc-core").take_profits
    editor.symbol_combo.setFocus()
    seen = []
    for _ in range(40):
        seen.append(QApplication.focusWidget())
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    wanted = [
        editor.symbol_combo,
        editor.side_combo,
        editor.entry_spin,
        editor.size_spin,
        editor.stop_spin,
        editor.take_profit_spin,
        editor.leverage_spin,
        editor.mark_spin,
        editor.id_edit,
        editor.notes_edit,
        editor.tp_table.cellWidget(0, 0),
        editor.tp_table.cellWidget(0, 1),
        editor.tp_add,
        editor.tp_remove,
    ]
    for widget in wanted:
        assert widget in seen or widget.focusProxy() in seen, widget
    assert seen.index(editor.entry_spin) < seen.index(editor.size_spin)
    assert seen.index(editor.size_spin) < seen.index(editor.stop_spin)
