"""Issue 13 in the window: risk limits typed in the account panel (one undo step per edit, bad
input refused in words), the account totals, warnings that select their position, the status
bar's count, and the table's risk columns — all read off the one analysis."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from planner.domain.formatting import format_amount, format_percent
from planner.storage import load_plan
from planner.ui.document import edits
from planner.ui.panels.position_columns import COLUMN_INDEX, RISK_FILLS
from planner.ui.risk import RiskLevel

HYBRID = Path(__file__).resolve().parents[3] / "resources" / "examples" / "hybrid.tplan"


@pytest.fixture
def hybrid_window(qtbot, autosave_store):
    from planner.ui.document.plan_document import PlanDocument
    from planner.ui.main_window import MainWindow

    plan = load_plan(HYBRID)
    document = PlanDocument(plan)
    document.reset(plan, HYBRID)
    main = MainWindow(document, settings=QSettings(), autosave=autosave_store)
    document.setParent(main)
    qtbot.addWidget(main)
    main.resize(1600, 1000)
    main.show()
    qtbot.waitExposed(main)
    main.account_dock.raise_()
    return main


def _type_into(qtbot, box, text: str) -> None:
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Return)


def test_a_typed_limit_is_one_undo_step_and_changes_the_warnings(qtbot, hybrid_window) -> None:
    window = hybrid_window
    document, group = window.document, window.account.risk_group
    box = group.limit_boxes["risk_per_position"]
    assert box.text().startswith("2")
    texts = " ".join(window.account.warning_texts())
    assert "btc-short risks" in texts  # 3.9 % of equity: above 2 %
    steps = document.undo_stack.count()
    _type_into(qtbot, box, "5")
    assert document.plan.account.risk_limits.risk_per_position == pytest.approx(0.05)
    assert document.undo_stack.count() == steps + 1
    assert document.undo_stack.undoText() == "Change risk per position limit"
    texts = " ".join(window.account.warning_texts())
    assert "btc-short risks" not in texts  # 3.9 % is within 5 %
    assert "above your 5 % limit" in texts  # eth-conviction's 20.5 %
    document.undo_stack.undo()
    assert document.plan.account.risk_limits.risk_per_position == pytest.approx(0.02)
    assert box.text().startswith("2")
    # each limit, each its own step, saved in the plan
    _type_into(qtbot, group.limit_boxes["total_risk"], "40")
    _type_into(qtbot, group.limit_boxes["stop_buffer"], "1.5")
    limits = document.plan.account.risk_limits
    assert (limits.total_risk, limits.stop_buffer) == pytest.approx((0.40, 0.015))
    assert document.undo_stack.count() == steps + 2
    assert not any("If every stop is hit" in t for t in window.account.warning_texts())


def test_bad_limits_are_refused_in_words(qtbot, hybrid_window) -> None:
    document, group = hybrid_window.document, hybrid_window.account.risk_group
    before, steps = document.plan, document.undo_stack.count()
    box = group.limit_boxes["risk_per_position"]
    _type_into(qtbot, box, "abc")
    assert group.input_error.isVisible()
    assert group.input_error.text() == "account.risk_limits.risk_per_position = abc: not a number"
    _type_into(qtbot, box, "150")
    assert group.input_error.text().endswith("must be at most 100")
    assert box.is_refused()
    assert document.plan is before and document.undo_stack.count() == steps
    _type_into(qtbot, box, "3")
    assert not group.input_error.isVisible()
    assert document.plan.account.risk_limits.risk_per_position == pytest.approx(0.03)


def test_a_leverage_cap_warns_and_no_cap_clears_it(qtbot, hybrid_window) -> None:
    window = hybrid_window
    document, group = window.document, window.account.risk_group
    box = group.limit_boxes["max_leverage"]
    assert box.text() == "" and box.placeholderText() == "no cap"  # typing needs no clearing
    assert document.plan.account.risk_limits.max_leverage is None
    _type_into(qtbot, box, "3")  # the plan runs at 4.52×
    assert document.plan.account.risk_limits.max_leverage == 3
    assert any(w.code == "leverage_above_limit" for w in document.analysis.warnings)
    assert "color: #d02020" in group.figures["effective_leverage"].styleSheet()
    _type_into(qtbot, box, "0")
    assert document.plan.account.risk_limits.max_leverage is None
    assert not any(w.code == "leverage_above_limit" for w in document.analysis.warnings)
    assert group.figures["effective_leverage"].styleSheet() == ""


def test_the_account_totals_are_the_analysis_figures(qtbot, hybrid_window) -> None:
    document, group = hybrid_window.document, hybrid_window.account.risk_group
    figures = document.analysis.figures
    shown = {key: label.text() for key, label in group.figures.items()}
    assert shown["gross_notional"] == "89,250.00 USDT"
    assert shown["effective_leverage"] == "4.52×"
    assert shown["loss_at_stops"] == format_amount(figures.loss_at_stops, "USDT", with_unit=True)
    assert shown["risk_at_stops"] == format_percent(figures.risk_at_stops) == "32.09 %"
    assert shown["positions_without_stop"] == "none"
    # never above equity (19,750): the old sum said 20,750
    assert shown["account_worst_case_loss"] == "19,750.00 USDT"
    assert "color: #d02020" in group.figures["loss_at_stops"].styleSheet()  # above 6 %
    for label in group.figures.values():
        assert label.toolTip()
    document.edit(lambda plan: edits.set_position_field(plan, 1, "stop_loss", None), "No stop")
    assert group.figures["positions_without_stop"].text() == "1"


def test_a_clicked_warning_selects_its_position(qtbot, hybrid_window) -> None:
    window = hybrid_window
    document, panel = window.document, window.account
    panel.warning_texts()
    listing = panel.warning_list
    rows = {listing.item(i).text().split()[0]: i for i in range(listing.count())}
    assert {"eth-conviction", "btc-short", "sol-long"} <= rows.keys()
    for position_id in ("sol-long", "btc-short"):
        item = listing.item(rows[position_id])
        listing.scrollToItem(item)
        qtbot.mouseClick(
            listing.viewport(), Qt.MouseButton.LeftButton, pos=listing.visualItemRect(item).center()
        )
        assert document.current_id == position_id
        assert window.table.view.currentIndex().row() == window.table.model.row_of(position_id)
    # the account-wide warning selects nothing
    before = document.current_id
    item = listing.item(rows["If"])
    listing.scrollToItem(item)
    qtbot.mouseClick(
        listing.viewport(), Qt.MouseButton.LeftButton, pos=listing.visualItemRect(item).center()
    )
    assert document.current_id == before
    # coloured by severity: a warning in amber, a danger in red
    assert listing.item(rows["btc-short"]).foreground().color().name() == "#b46400"
    document.edit(lambda plan: edits.set_position_field(plan, 0, "stop_loss", 3200.0), "Stop")
    panel.warning_texts()
    danger = [
        listing.item(i)
        for i in range(listing.count())
        if "eth-conviction" in listing.item(i).text()
        and listing.item(i).foreground().color().name() == "#c81e1e"
    ]
    assert danger  # a long's stop above the mark: already hit


def test_the_status_bar_counts_the_warnings_on_every_change(qtbot, hybrid_window) -> None:
    window = hybrid_window
    document, label = window.document, window.warning_count
    assert label.text() == "4 warnings"
    assert label.toolTip()
    _type_into(qtbot, window.account.risk_group.limit_boxes["risk_per_position"], "10")
    assert label.text() == "2 warnings"  # eth-conviction's 20.5 % and the total risk
    document.edit(lambda plan: edits.set_position_field(plan, 0, "stop_loss", 3200.0), "Stop")
    # the long's stop is above its mark: already hit, it fills now at the mark — still a loss
    # (5 % of equity, within the 10 %), and the total risk stays above its 6 % limit
    assert [w.code for w in document.analysis.warnings] == ["stop_already_hit", "total_risk"]
    assert label.text() == "2 warnings (1 danger)"
    assert "color: #d02020" in label.styleSheet()
    document.undo_stack.undo()
    document.undo_stack.undo()
    assert label.text() == "4 warnings"


def test_the_table_shows_risk_and_stop_distance(qtbot, hybrid_window) -> None:
    window = hybrid_window
    table, model = window.table, window.table.model
    figures = window.document.analysis.figures

    def cell(row: int, key: str, role=Qt.ItemDataRole.DisplayRole):
        return model.index(row, COLUMN_INDEX[key]).data(role)

    eth, btc = model.row_of("eth-conviction"), model.row_of("btc-short")
    assert cell(eth, "position_risk") == "20.55 %"
    assert cell(eth, "position_risk", Qt.ItemDataRole.BackgroundRole) == RISK_FILLS[RiskLevel.HIGH]
    assert "above your 2 % limit" in cell(eth, "position_risk", Qt.ItemDataRole.ToolTipRole)
    assert cell(btc, "stop_distance") == format_percent(figures.stop_distance[btc], 2, sign=True)
    # a cross position's worst case is the pool it shares, said so; an isolated one's its own
    assert cell(btc, "worst_case_loss") == "the pool: 14,750.00"
    assert cell(eth, "worst_case_loss") == "5,000.00"
    # hideable like the other columns, from the header's menu
    assert "stop_distance" in table.hidden_columns()
    table.set_column_shown("stop_distance", True)
    table.set_column_shown("position_risk", False)
    assert "stop_distance" not in table.hidden_columns()
    assert "position_risk" in table.hidden_columns()
    # shown from the menu, a column is as wide as its widest figure: "the pool: …" whole
    table.set_column_shown("worst_case_loss", True)
    header = table.view.horizontalHeader()
    text = cell(btc, "worst_case_loss")
    width = table.view.fontMetrics().horizontalAdvance(text)
    assert header.sectionSize(COLUMN_INDEX["worst_case_loss"]) >= width
    # a limit typed in the account panel recolours the column
    _type_into(qtbot, window.account.risk_group.limit_boxes["risk_per_position"], "25")
    assert (
        cell(eth, "position_risk", Qt.ItemDataRole.BackgroundRole) == RISK_FILLS[RiskLevel.ELEVATED]
    )
    assert QApplication.instance() is not None


def test_the_count_follows_a_drag_preview(qtbot, hybrid_window) -> None:
    document, label = hybrid_window.document, hybrid_window.warning_count
    moved = edits.set_position_field(document.plan, 0, "stop_loss", 3200.0)
    document.preview(moved)
    assert label.text() == "4 warnings"  # not on every previewed plan at once
    # stop_already_hit, the three positions' risk and the total risk
    qtbot.waitUntil(lambda: label.text() == "5 warnings (1 danger)", timeout=2000)
    document.end_preview()
    assert label.text() == "4 warnings"
