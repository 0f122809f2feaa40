"""Issue 12: the window by keyboard (Ctrl+1…5, Help pages), Save As names an untitled plan, a
venue brings its fees, account fields refuse out-of-rule values with the rule in words."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox, QTextBrowser

from planner.ui.document import edits
from tests.ui.typing import show_active


def test_ctrl_1_to_5_switch_the_bottom_panels(qtbot, window) -> None:
    show_active(qtbot, window)
    docks = window.bottom_docks()
    assert [a.shortcut().toString() for a in window.panel_actions] == [
        f"Ctrl+{n}" for n in range(1, 6)
    ]
    for action, dock in zip(window.panel_actions, docks, strict=True):
        action.trigger()
        assert not dock.visibleRegion().isEmpty() or dock.isVisible()
        focus = QApplication.focusWidget()
        assert focus is not None and dock.isAncestorOf(focus), dock.objectName()


def test_help_has_more_than_about(qtbot, window) -> None:
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    help_menu = window.menuBar().actions()[titles.index("Help")].menu()
    entries = [a.text().replace("&", "") for a in help_menu.actions() if a.text()]
    assert "How Margin Works Here" in entries and "Keyboard Shortcuts" in entries
    next(a for a in help_menu.actions() if "Shortcuts" in a.text()).trigger()
    page = window.findChild(QDialog, "help_dialog")
    text = page.findChild(QTextBrowser).toPlainText()
    assert "Ctrl+Shift+N" in text and "Ctrl+3" in text and "61k" in text
    page.close()


def test_save_as_names_an_untitled_plan(qtbot, window, monkeypatch, tmp_path: Path) -> None:
    window.document.reset(edits.new_plan())
    target = tmp_path / "swing trades.tplan"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    assert window.files.save_as()
    assert window.document.plan.name == "swing trades"
    assert "swing trades" in target.read_text()
    assert window.windowTitle().startswith("swing trades.tplan")


def test_a_new_plan_has_the_venues_fees(qtbot) -> None:
    account = edits.new_plan().account
    assert (account.taker_fee_rate, account.maker_fee_rate) == (0.0005, 0.0002)


def test_a_venue_change_offers_its_fees(qtbot, window, dialogs) -> None:
    dialogs.answers["question"] = QMessageBox.StandardButton.Yes
    panel = window.account
    combo = panel.venue_combo
    combo.setCurrentIndex(combo.findData("bybit"))
    combo.activated.emit(combo.currentIndex())
    account = window.document.plan.account
    assert account.venue == "bybit"
    assert (account.taker_fee_rate, account.maker_fee_rate) == (0.00055, 0.0002)
    assert "0.055 %" in dialogs.calls[-1][2]
    window.document.undo_stack.undo()  # one step for the venue and its fees
    assert window.document.plan.account.venue != "bybit"


def test_wallet_refuses_a_negative_balance_in_words(qtbot, window) -> None:
    show_active(qtbot, window)
    window.show_panel(window.account_dock)
    before = window.document.plan
    box = window.account.wallet_spin
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, "-100")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert window.document.plan is before
    assert box.text() == "-100" and box.property("invalid") is True
    assert "account.wallet_balance = -100: must be" in window.account.input_error.text()


def test_tab_goes_through_every_account_field(qtbot, window) -> None:
    show_active(qtbot, window)
    panel = window.account
    panel.name_edit.setFocus()
    seen = []
    for _ in range(7):
        seen.append(QApplication.focusWidget())
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert seen == [
        panel.name_edit,
        panel.wallet_spin,
        panel.currency_edit,
        panel.venue_combo,
        panel.mode_combo,
        panel.taker_spin,
        panel.maker_spin,
    ]
