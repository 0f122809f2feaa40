"""The price ladder draws the selected position's planned adds and the liquidation price after
the last fill; dragging a rung with the mouse re-solves live (a preview) and its release is one
undo step. The PDF's ladder (``symbol_ladder`` without ``scale_in``) keeps its levels."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from planner.domain.ladder import TIME_KINDS, symbol_ladder
from planner.storage import load_plan
from planner.ui.chart import ChartPanel
from planner.ui.document.plan_document import PlanDocument

DCA = Path(__file__).resolve().parents[3] / "resources" / "examples" / "dca-ladder.tplan"
RUNG_5 = ("scale_in", "btc-dca", 4)
AFTER = ("liquidation_after_fills", "btc-dca", None)


@pytest.fixture
def panel(qtbot) -> ChartPanel:
    plan = load_plan(DCA)
    document = PlanDocument(plan)
    document.reset(plan, DCA)
    document.set_current("btc-dca")
    chart = ChartPanel(document)
    qtbot.addWidget(chart)
    chart.resize(480, 900)
    chart.show()
    qtbot.waitExposed(chart)
    chart.ladder.fit()
    return chart


def point(chart: ChartPanel, price: float) -> QPoint:
    view = chart.ladder.plot.getPlotItem().getViewBox()
    return chart.ladder.plot.mapFromScene(view.mapViewToScene(QPointF(0.3, price)))


def test_draws_the_rungs_and_the_liquidation_after_the_last_fill(panel: ChartPanel) -> None:
    ladder = panel.ladder
    fills = panel.document.analysis.timeline.fills[0]
    keys = ladder.line_keys()
    for k, fill in enumerate(fills):
        assert ladder.line_for(("scale_in", "btc-dca", k)).value() == fill.price
    assert ladder.line_for(AFTER).value() == pytest.approx(fills[-1].liquidation_price)
    assert ladder.line_for(RUNG_5).movable and not ladder.line_for(AFTER).movable
    assert "add 5 ✗ 42,000.0" in ladder.label_for(RUNG_5).textItem.toPlainText()
    assert "add 1 57,000.0" in ladder.label_for(("scale_in", "btc-dca", 0)).textItem.toPlainText()
    assert ("liquidation", "btc-dca", None) in keys
    # the report's ladder is unchanged: no level of the new kinds unless asked for
    plain = symbol_ladder(panel.document.analysis, "BTCUSDT")
    assert not [lv for lv in plain.levels if lv.kind in TIME_KINDS]


def test_dragging_a_rung_resolves_live_and_commits_one_step(qtbot, panel: ChartPanel) -> None:
    document, ladder = panel.document, panel.ladder
    depth = document.undo_stack.count()
    before_after = ladder.line_for(AFTER).value()
    viewport = ladder.plot.viewport()
    start, end = point(panel, 42000.0), point(panel, 44000.0)
    qtbot.mouseMove(viewport, start + QPoint(0, 20))
    qtbot.wait(30)
    qtbot.mouseMove(viewport, start)
    qtbot.wait(30)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 5):
        qtbot.wait(30)
        qtbot.mouseMove(viewport, start + (end - start) * (step / 4))
    qtbot.wait(30)
    # live: the plan shown is a preview with the rung moved and the fills re-solved
    assert document.is_previewing
    price = document.plan.positions[0].scale_in[4].price
    assert 43500 < price < 44500
    assert document.analysis.timeline.fills[0][4].reachable
    assert ladder.line_for(AFTER).value() != before_after
    assert document.undo_stack.count() == depth
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)
    assert not document.is_previewing
    assert document.undo_stack.count() == depth + 1
    assert document.plan.positions[0].scale_in[4].price == price
    assert "add 5 of btc-dca" in document.undo_stack.undoText()
    assert "✗" not in ladder.label_for(RUNG_5).textItem.toPlainText()
    document.undo_stack.undo()
    assert document.plan.positions[0].scale_in[4].price == 42000.0
    assert ladder.line_for(RUNG_5).value() == 42000.0
