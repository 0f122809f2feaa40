"""The horizon (hours or days) in the account panel with the funding it costs, and the markets'
funding rate and interval columns: typed, one undo step each, refused with the rule in words."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from planner.domain.formatting import format_amount
from planner.ui.panels.horizon_group import HorizonGroup
from planner.ui.panels.markets_panel import MARKET_COLUMNS
from planner.ui.widgets.number_box import NumberBox
from tests.ui.panels.test_scale_in_editor import _type, dca_window  # noqa: F401
from tests.ui.typing import show_active

COLUMN = {key: i for i, (key, _) in enumerate(MARKET_COLUMNS)}


@pytest.fixture
def horizon(dca_window) -> HorizonGroup:  # noqa: F811
    group = dca_window.account.findChild(HorizonGroup)
    assert group is not None
    return group


def test_shows_the_horizon_in_days_and_the_total_funding(dca_window, horizon) -> None:  # noqa: F811
    funding = dca_window.document.analysis.timeline.funding
    assert horizon.unit_combo.currentData() == "days"
    assert horizon.horizon_box.value() == 30
    assert format_amount(funding.total, "USDT", with_unit=True) in horizon.total.text()
    assert horizon.total.text() == "81.00 USDT paid over 30 days"
    assert "btc-dca" in horizon.positions.text() and "49,819.3" in horizon.positions.text()


def test_typed_horizon_is_one_undo_step(qtbot, dca_window, horizon) -> None:  # noqa: F811
    document = dca_window.document
    depth = document.undo_stack.count()
    _type(qtbot, horizon.horizon_box, "60")
    assert document.plan.horizon_hours == 60 * 24
    assert document.undo_stack.count() == depth + 1
    assert horizon.total.text() == "162.00 USDT paid over 60 days"
    horizon.unit_combo.setCurrentIndex(0)  # hours
    assert horizon.horizon_box.value() == 1440
    _type(qtbot, horizon.horizon_box, "48")
    assert document.plan.horizon_hours == 48
    assert document.undo_stack.count() == depth + 1  # a run of horizon edits merges
    document.undo_stack.undo()
    assert document.plan.horizon_hours == 720


def test_bad_horizon_is_refused_in_words(qtbot, dca_window, horizon) -> None:  # noqa: F811
    document = dca_window.document
    before = document.plan
    _type(qtbot, horizon.horizon_box, "-3")
    assert document.plan is before
    assert horizon.error.text() == "horizon_hours = -3 (days): must be at least 0"
    _type(qtbot, horizon.horizon_box, "9000")
    assert "must be at most 3,650" in horizon.error.text()
    assert document.plan is before


def _edit_cell(qtbot, window, column: str, text: str) -> NumberBox:
    show_active(qtbot, window)
    view = window.markets.view
    window.markets_dock.raise_()
    index = view.model().index(0, COLUMN[column])
    view.setCurrentIndex(index)
    view.setFocus()
    view.edit(index)
    cell = QApplication.focusWidget()
    assert isinstance(cell, NumberBox)
    cell.selectAll()
    qtbot.keyClicks(cell, text)
    qtbot.keyClick(cell, Qt.Key.Key_Return)
    qtbot.wait(20)  # the delegate commits on a queued call
    return cell


def test_funding_columns_are_typed_in_percent_and_hours(qtbot, dca_window) -> None:  # noqa: F811
    document, model = dca_window.document, dca_window.markets.model
    assert model.index(0, COLUMN["funding_rate"]).data() == "+0.0300 %"
    assert model.index(0, COLUMN["funding_interval_hours"]).data() == "8 h"
    cost = document.analysis.timeline.funding.total
    _edit_cell(qtbot, dca_window, "funding_rate", "0.06")
    assert document.plan.markets[0].funding_rate == pytest.approx(0.0006)
    assert document.analysis.timeline.funding.total == pytest.approx(2 * cost)
    _edit_cell(qtbot, dca_window, "funding_interval_hours", "4")
    assert document.plan.markets[0].funding_interval_hours == 4
    assert document.analysis.timeline.funding.total == pytest.approx(4 * cost)
    assert document.undo_stack.undoText() == "Change funding interval of BTCUSDT"
    document.undo_stack.undo()
    assert document.plan.markets[0].funding_interval_hours == 8


@pytest.mark.parametrize(
    ("column", "text", "rule"),
    [
        ("funding_rate", "15", "must be at most 10"),
        ("funding_interval_hours", "0", "must be above 0"),
        ("funding_interval_hours", "200", "must be at most 168"),
    ],
)
def test_funding_columns_refuse_out_of_range(qtbot, dca_window, column, text, rule) -> None:  # noqa: F811
    document = dca_window.document
    before = document.plan
    cell = _edit_cell(qtbot, dca_window, column, text)
    assert document.plan is before
    assert cell.property("invalid") is True
    message = dca_window.statusBar().currentMessage()
    assert f"markets[0].{column} = {text}: {rule}" in message
