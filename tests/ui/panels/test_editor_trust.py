"""The position editor as a trader trusting it with real money uses it (QA round on the editor).

A field shows the plan's value or a refused text with its red frame and its reason in words
under it; committing an unchanged field never edits the plan; the form of a new position shows
what will be created."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QScrollArea

from planner.ui.document import edits
from planner.ui.widgets.number_box import NumberBox
from tests.ui.typing import Keyboard, add_position, show_active


def _click(qtbot, widget) -> None:
    """A click on ``widget``, scrolled into view first (as the trader scrolls to it)."""
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    QApplication.processEvents()  # the layout settled, as on screen
    if not widget.window().isActiveWindow():  # offscreen: a closed completer kept activation
        show_active(qtbot, widget.window())
    if parent is not None:
        parent.ensureWidgetVisible(widget)
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
    assert widget.hasFocus(), QApplication.focusWidget()


def _type_over(qtbot, box: NumberBox, text: str) -> None:
    _click(qtbot, box)
    box.selectAll()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Return)


def _reason(editor, box) -> str:
    label = editor.reason_label(box)
    return label.text() if label.isVisibleTo(editor) else ""


@pytest.fixture
def editor(qtbot, window):
    window.resize(1600, 1000)
    show_active(qtbot, window)
    window.document.set_current("btc-core")  # 0.5 BTC at 60,000, cross 10×, no stop
    return window.editor


# --- 1: an unchanged field never edits the plan -------------------------------------------------


@pytest.fixture
def risk_sized(qtbot, window, tmp_path: Path):
    """A BTC long on the venue's lot step, sized to 1 % of a 20,000 wallet, saved (clean)."""
    document = window.document
    window.resize(1600, 1000)
    plan = edits.new_plan()
    document.reset(edits.set_account_field(plan, "wallet_balance", 20000.0))
    add_position(qtbot, window, "btc", "60000")
    editor = window.editor
    _type_over(qtbot, editor.stop_spin, "57000")
    editor.size_unit.setCurrentIndex(editor.size_unit.findData("risk_percent"))
    _type_over(qtbot, editor.size_spin, "1")
    document.save(tmp_path / "risk.tplan")
    assert not document.is_modified
    return document


def test_recommitting_a_risk_percent_leaves_the_quantity(qtbot, window, risk_sized) -> None:
    document, editor = risk_sized, window.editor
    quantity = document.plan.positions[0].quantity
    steps = document.undo_stack.index()
    shown = editor.size_spin.text()
    assert shown != "1"  # the rounded-down quantity's real risk, not the typed 1 %
    _click(qtbot, editor.size_spin)
    qtbot.keyClick(editor.size_spin, Qt.Key.Key_Return)
    _click(qtbot, editor.entry_spin)  # and away again
    _click(qtbot, editor.size_spin)
    _click(qtbot, editor.notes_edit)
    assert document.plan.positions[0].quantity == quantity
    assert document.undo_stack.index() == steps  # no undo step
    assert not document.is_modified
    assert editor.size_spin.text() == shown


def test_editing_the_wallet_does_not_resize(qtbot, window, risk_sized) -> None:
    document, editor = risk_sized, window.editor
    quantity = document.plan.positions[0].quantity
    steps = document.undo_stack.index()
    _click(qtbot, editor.size_spin)  # the size field has the focus when the wallet is clicked
    _type_over(qtbot, window.account.wallet_spin, "30000")
    assert document.plan.account.wallet_balance == 30000
    assert document.plan.positions[0].quantity == quantity
    assert document.undo_stack.index() == steps + 1  # the wallet only
    document.undo_stack.undo()
    assert document.plan.account.wallet_balance == 20000
    assert document.plan.positions[0].quantity == quantity
    assert not document.is_modified


# --- 2: the form of a new position shows what will be created ----------------------------------


def test_the_new_position_form_shows_what_is_created(qtbot, window, editor) -> None:
    document = window.document
    document.set_current("eth-conviction")  # isolated, with two take-profits
    _type_over(qtbot, editor.leverage_spin, "5")
    assert document.plan.position("eth-conviction").leverage == 5
    keys = Keyboard(qtbot)
    keys.shortcut(window.actions.add_position)
    assert editor.cross_button.isChecked() and not editor.isolated_button.isChecked()
    assert editor.tp_table.rowCount() == 0  # no take-profit rows of another position
    assert editor.scale_in.table.rowCount() == 0
    assert editor.leverage_spin.text() == ""
    assert "10" in editor.leverage_spin.placeholderText()
    assert editor.added_margin_spin.text() == ""
    assert editor.notes_edit.toPlainText() == ""
    assert "2,700" not in editor.tp_summary.text() and "Reward to risk" not in (
        editor.tp_summary.text()
    )
    keys.type("xrp")
    keys.enter()
    keys.tab()
    keys.type("0.5")
    keys.enter()
    added = document.plan.position(document.current_id)
    assert added.symbol == "XRPUSDT"
    assert added.margin_mode == "cross" and added.leverage == 10
    assert added.take_profits == ()


def test_the_draft_shows_a_known_markets_mark_and_the_default_size(qtbot, window, editor):
    """QA round 2: for BTCUSDT the form said "Mark = entry" but the position kept the market's
    59,000 mark; the size was blank in another unit yet a default size was created."""
    document = window.document
    plan = document.plan
    mark = plan.market("BTCUSDT").mark_price
    wallet = plan.account.wallet_balance
    keys = Keyboard(qtbot)
    keys.shortcut(window.actions.add_position)
    assert "notional" in editor.size_spin.placeholderText()
    assert f"{wallet / 10:,.2f}" in editor.size_spin.placeholderText()
    editor.symbol_combo.setFocus()
    keys.type("btcusdt")
    keys.enter()
    assert editor.mark_spin.value() == mark and editor.mark_spin.text() != ""
    keys.tab()
    keys.type("61000")
    keys.enter()
    added = document.plan.position(document.current_id)
    assert document.plan.market("BTCUSDT").mark_price == mark  # as the form said
    # the default size: a tenth of the wallet in notional (rounded to a few figures)
    assert added.quantity * 61000 == pytest.approx(wallet / 10, rel=0.02)


def test_add_from_a_focused_field_opens_a_clean_form(qtbot, window, editor) -> None:
    """QA round 2: Ctrl+Shift+N with the cursor in Entry opened the form with a red Entry,
    "(empty): a number is needed"."""
    _click(qtbot, editor.entry_spin)
    Keyboard(qtbot).shortcut(window.actions.add_position)
    QApplication.processEvents()
    assert editor.is_drafting
    assert not editor.entry_spin.is_refused()
    assert _reason(editor, editor.entry_spin) == ""
    assert editor.entry_spin.text() == ""


def test_a_margin_mode_chosen_in_the_draft_is_the_one_created(qtbot, window, editor) -> None:
    document = window.document
    Keyboard(qtbot).shortcut(window.actions.add_position)
    editor.isolated_button.click()
    assert editor.isolated_button.isChecked()
    keys = Keyboard(qtbot)
    editor.symbol_combo.setFocus()
    keys.type("xrp")
    keys.enter()
    assert editor.isolated_button.isChecked()
    keys.tab()
    keys.type("0.5")
    keys.enter()
    assert document.plan.position(document.current_id).margin_mode == "isolated"


# --- 3: a refused value keeps its frame and reason until fixed or Escape -----------------------


def test_a_refused_size_stays_marked_when_another_field_is_refused(qtbot, window, editor) -> None:
    document = window.document
    before = document.plan
    _type_over(qtbot, editor.size_spin, "100000")  # beyond the last tier's cap
    assert editor.size_spin.is_refused()
    editor.tp_add.click()
    fraction = editor.tp_table.cellWidget(0, 1)
    _type_over(qtbot, fraction, "150")
    assert fraction.is_refused()
    assert editor.size_spin.text() == "100000"
    assert editor.size_spin.is_refused()  # still framed, with its reason in view
    assert "cap" in _reason(editor, editor.size_spin)
    assert "at most 100" in _reason(editor, fraction)
    assert document.plan.position("btc-core").quantity == before.position("btc-core").quantity
    # an accepted edit elsewhere keeps both
    _type_over(qtbot, editor.entry_spin, "61000")
    assert editor.size_spin.is_refused() and fraction.is_refused()
    # Escape restores the plan's value
    _click(qtbot, editor.size_spin)
    qtbot.keyClick(editor.size_spin, Qt.Key.Key_Escape)
    assert editor.size_spin.text() == "0.5" and not editor.size_spin.is_refused()
    assert _reason(editor, editor.size_spin) == ""
    _click(qtbot, fraction)
    qtbot.keyClick(fraction, Qt.Key.Key_Escape)
    assert fraction.text() == "100" and not fraction.is_refused()


def test_a_refused_combination_marks_the_field_just_edited(qtbot, window, editor) -> None:
    document = window.document
    _type_over(qtbot, editor.leverage_spin, "100")
    assert document.plan.position("btc-core").leverage == 100
    _type_over(qtbot, editor.size_spin, "20")  # 1.2 M notional: 75× at most
    assert document.plan.position("btc-core").quantity == 0.5
    assert editor.size_spin.text() == "20" and editor.size_spin.is_refused()
    assert "leverage" in _reason(editor, editor.size_spin)
    assert not editor.leverage_spin.is_refused()
    # the plan still holds 0.5: re-typing a size the plan takes clears the mark
    _type_over(qtbot, editor.size_spin, "0.6")
    assert document.plan.position("btc-core").quantity == 0.6
    assert not editor.size_spin.is_refused() and _reason(editor, editor.size_spin) == ""


def test_switching_position_shows_its_values(qtbot, window, editor) -> None:
    document = window.document
    document.set_current("eth-conviction")
    fraction = editor.tp_table.cellWidget(0, 1)
    _type_over(qtbot, fraction, "150")
    _type_over(qtbot, editor.leverage_spin, "500")
    assert fraction.is_refused() and editor.leverage_spin.is_refused()
    _click(qtbot, window.table.view)
    document.set_current("btc-core")  # also 10×: the same value as eth's
    assert editor.leverage_spin.text() == "10" and not editor.leverage_spin.is_refused()
    editor.tp_add.click()
    assert editor.tp_table.cellWidget(0, 1).text() == "100"
    assert editor.marked_fields() == []
    assert not any(box.is_refused() for box in editor.findChildren(NumberBox))


# --- 4: an empty optional price is empty text ---------------------------------------------------


def test_the_empty_stop_takes_typing_however_it_is_entered(qtbot, window, editor) -> None:
    document = window.document
    assert editor.stop_spin.text() == "" and editor.stop_spin.placeholderText() == "none"
    assert editor.take_profit_spin.text() == ""
    _type_over(qtbot, editor.stop_spin, "57000")  # clicked, not tabbed
    assert document.plan.position("btc-core").stop_loss == 57000
    _click(qtbot, editor.stop_spin)
    editor.stop_spin.selectAll()
    qtbot.keyClick(editor.stop_spin, Qt.Key.Key_Delete)
    qtbot.keyClick(editor.stop_spin, Qt.Key.Key_Return)
    assert document.plan.position("btc-core").stop_loss is None
    assert editor.stop_spin.text() == ""


# --- 5: the reason is in view without hovering -------------------------------------------------


@pytest.mark.parametrize(
    ("field", "text", "rule"),
    [
        ("entry_spin", "abc", "not a number"),
        ("size_spin", "-1", "must be above 0"),
        ("stop_spin", "5x", "not a number"),
        ("take_profit_spin", "-3", "must be at least"),
        ("leverage_spin", "500", "must be at most 100"),
        ("added_margin_spin", "x", "not a number"),
        ("mark_spin", "0", "must be above 0"),
    ],
)
def test_every_numeric_field_shows_its_reason(qtbot, editor, field, text, rule) -> None:
    editor.window().document.set_current("eth-conviction")  # isolated: added margin editable
    box = getattr(editor, field)
    _type_over(qtbot, box, text)
    assert box.is_refused()
    assert rule in _reason(editor, box)
    assert rule in box.toolTip()  # the hover says the rule too, not only the description
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert _reason(editor, box) == "" and not box.is_refused()


# --- 6: the reward-to-risk line says the real reason ------------------------------------------


def test_reward_to_risk_says_why_it_is_missing(qtbot, window, editor) -> None:
    summary = editor.tp_summary
    assert "needs a stop" in summary.text()
    editor.tp_add.click()
    assert summary.text() == "Reward to risk needs a stop."
    # from 50,000, marked at 58,000: a stop at 55,000 locks in a profit
    _type_over(qtbot, editor.entry_spin, "50000")
    _type_over(qtbot, editor.stop_spin, "55000")
    assert window.document.plan.position("btc-core").stop_loss == 55000
    assert "needs a stop" not in summary.text()
    assert "stop does not risk" in summary.text()
    _type_over(qtbot, editor.entry_spin, "60000")
    _type_over(qtbot, editor.stop_spin, "57000")
    _type_over(qtbot, editor.tp_table.cellWidget(0, 0), "55000")
    assert "losing side" in summary.text()


# --- 7: a huge number is out of range, not "not a number" -------------------------------------


def test_an_exponent_is_a_number_held_to_the_range(qtbot, editor) -> None:
    _type_over(qtbot, editor.entry_spin, "1e20")
    assert "must be at most 1,000,000,000,000" in editor.entry_spin.toolTip()
    assert "not a number" not in editor.error_label.text()
    assert "must be at most" in _reason(editor, editor.entry_spin)
    _type_over(qtbot, editor.entry_spin, "6.1e4")
    assert editor.window().document.plan.position("btc-core").entry_price == 61000
    assert QApplication.focusWidget() is editor.entry_spin


def test_a_refusal_in_the_status_bar_goes_when_another_position_is_selected(
    qtbot, window, editor
) -> None:
    """QA round 2: "Not changed — positions[0].leverage = …" stayed in the status bar after
    another position was selected."""
    _type_over(qtbot, editor.size_spin, "100000")  # beyond the last tier: the plan refuses
    status = window.statusBar()
    assert status.currentMessage().startswith("Not changed — ")
    view = window.table.view
    row = window.table.model.row_of("sol-hedge")
    rect = view.visualRect(view.model().index(row, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.document.current_id == "sol-hedge"
    assert status.currentMessage() == ""
