"""The editor's scale-in table: typed adds and the ladder generator each make one undo step,
the figures after each fill come from the analysis, unreachable fills are red, and typed
input that breaks a rule is refused with the rule in words."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from planner.domain import time_solvers
from planner.domain.formatting import format_price
from planner.storage import load_plan
from planner.ui.panels.editor.scale_in import UNREACHABLE
from planner.ui.widgets.number_box import NumberBox

DCA = Path(__file__).resolve().parents[3] / "resources" / "examples" / "dca-ladder.tplan"


@pytest.fixture
def dca_window(qtbot, autosave_store, monkeypatch):
    from PySide6.QtCore import QSettings

    from planner.ui.document.plan_document import PlanDocument
    from planner.ui.main_window import MainWindow

    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.Ok)
    plan = load_plan(DCA)
    document = PlanDocument(plan)
    document.reset(plan, DCA)
    main = MainWindow(document, settings=QSettings(), autosave=autosave_store)
    document.setParent(main)
    qtbot.addWidget(main)
    document.set_current("btc-dca")
    return main


def _type(qtbot, box: NumberBox, text: str) -> None:
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Return)


def test_shows_each_fill_with_the_analysis_figures(dca_window) -> None:
    ladder = dca_window.editor.scale_in
    document = dca_window.document
    fills = document.analysis.timeline.fills[0]
    assert ladder.table.rowCount() == 5
    for row, fill in enumerate(fills):
        assert ladder.table.cellWidget(row, 0).value() == fill.price
        assert ladder.table.item(row, 4).text() == format_price(fill.liquidation_price, 0.1)
        assert ladder.table.item(row, 2).text() == format_price(fill.average_entry, 0.1)
        red = ladder.table.item(row, 5).foreground().color() == UNREACHABLE
        assert red == (not fill.reachable)
    assert ladder.table.item(4, 5).text() == "no ✗"  # 42,000 lies beyond 42,570
    assert "liquidated" in ladder.table.item(4, 4).toolTip()
    assert ladder.table.item(3, 5).text() == "yes"
    assert "1 add(s) unreachable" in ladder.summary.text()
    assert ladder.first_size_box.value() == 0.05  # the first add's size


def test_typed_rung_is_one_undo_step_and_makes_it_reachable(qtbot, dca_window) -> None:
    ladder = dca_window.editor.scale_in
    document = dca_window.document
    before = document.plan
    _type(qtbot, ladder.table.cellWidget(4, 0), "43000")
    assert document.plan.positions[0].scale_in[4].price == 43000
    assert document.analysis.timeline.fills[0][4].reachable
    assert ladder.table.item(4, 5).text() == "yes"
    assert document.plan.horizon_hours == 720  # an edit keeps the horizon
    document.undo_stack.undo()
    assert document.plan == before


def test_bad_quantity_is_refused_with_the_rule(qtbot, dca_window) -> None:
    ladder = dca_window.editor.scale_in
    document = dca_window.document
    before = document.plan
    _type(qtbot, ladder.table.cellWidget(0, 1), "-1")
    assert document.plan is before
    assert "positions[0].scale_in = -1" in dca_window.editor.error_label.text()


def test_add_and_remove_rungs_by_clicking(qtbot, dca_window) -> None:
    ladder = dca_window.editor.scale_in
    document = dca_window.document
    depth = document.undo_stack.count()
    qtbot.mouseClick(ladder.add_button, Qt.MouseButton.LeftButton)
    adds = document.plan.positions[0].scale_in
    assert len(adds) == 6 and adds[5].price < adds[4].price  # a long adds below
    assert ladder.table.rowCount() == 6
    qtbot.mouseClick(ladder.remove_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(ladder.remove_button, Qt.MouseButton.LeftButton)
    assert len(document.plan.positions[0].scale_in) == 4
    assert document.undo_stack.count() == depth + 3


def test_generator_fills_the_table_in_one_undo_step(qtbot, dca_window) -> None:
    ladder = dca_window.editor.scale_in
    document = dca_window.document
    depth = document.undo_stack.count()
    _type(qtbot, ladder.rungs_box, "3")
    _type(qtbot, ladder.step_box, "4")
    _type(qtbot, ladder.step_scale_box, "1.5")
    _type(qtbot, ladder.size_scale_box, "2")
    _type(qtbot, ladder.first_size_box, "0.02")
    qtbot.mouseClick(ladder.fill_button, Qt.MouseButton.LeftButton)
    adds = document.plan.positions[0].scale_in
    expected = time_solvers.ladder(
        60000, "long", rungs=3, step=0.04, first_size=0.02, step_scale=1.5, size_scale=2
    )
    assert [a.price for a in adds] == [round(e.price, 1) for e in expected]
    assert [a.quantity for a in adds] == pytest.approx([0.02, 0.04, 0.08])
    assert ladder.table.rowCount() == 3
    assert document.undo_stack.count() == depth + 1
    document.undo_stack.undo()
    assert len(document.plan.positions[0].scale_in) == 5


def test_generator_refuses_a_bad_step_in_words(qtbot, dca_window) -> None:
    ladder = dca_window.editor.scale_in
    document = dca_window.document
    before = document.plan
    _type(qtbot, ladder.step_box, "150")
    assert ladder.step_box.is_refused()
    qtbot.mouseClick(ladder.fill_button, Qt.MouseButton.LeftButton)
    assert document.plan is before
    assert "150" in dca_window.editor.error_label.text()
