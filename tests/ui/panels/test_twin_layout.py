"""Every figure of the Cross-vs-isolated tab is whole at every window size: a tester at
1600×1000 saw the Whole plan table beside the Position table cut off at "All isolated", with a
horizontal scroll bar. The Whole plan group goes below the Position group when the two do not
fit side by side, and back beside it when they do."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget

from planner.storage import load_plan
from planner.ui.panels.twin_panel import TwinPanel
from planner.ui.widgets.figure_table import FigureTable

EXAMPLES = Path(__file__).resolve().parents[3] / "resources" / "examples"
SIZES = [(1024, 700), (1280, 800), (1600, 1000), (1920, 1080)]


def assert_every_figure_whole(panel: TwinPanel, outer: QScrollArea | None = None) -> None:
    """No horizontal scrolling, and every cell of both tables inside the panel's viewport (and
    the dock's, ``outer``) and at least as wide as its text and its header's."""
    QApplication.processEvents()
    for area in (panel, outer) if outer is not None else (panel,):
        assert area.horizontalScrollBar().maximum() == 0, (area.objectName(), area.width())
        assert_cells_inside(panel, area.viewport())


def assert_cells_inside(panel: TwinPanel, viewport: QWidget) -> None:
    for table in (panel.plan_table, panel.position_table):
        assert isinstance(table, FigureTable)
        header = table.horizontalHeader()
        for c in range(table.columnCount()):
            assert table.columnWidth(c) >= header.sectionSizeHint(c), (table.objectName(), c)
            assert table.columnWidth(c) >= table.sizeHintForColumn(c), (table.objectName(), c)
        for r in range(table.rowCount()):
            for c in range(table.columnCount()):
                rect = table.visualRect(table.model().index(r, c))
                top_left = table.viewport().mapTo(viewport, rect.topLeft())
                cell = QRect(top_left, rect.size())
                # rows below the fold scroll into view; left and right must fit
                assert viewport.rect().left() <= cell.left(), (table.objectName(), r, c)
                assert cell.right() <= viewport.rect().right(), (
                    table.objectName(),
                    r,
                    c,
                    cell,
                    viewport.rect(),
                )


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("plan_name", ["spec", "hybrid.tplan"])
def test_every_figure_is_whole_at_every_window_size(qtbot, window, size, plan_name) -> None:
    if plan_name != "spec":
        window.document.reset(load_plan(EXAMPLES / plan_name))
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    window.twin_dock.raise_()
    panel, outer = window.twin, window.twin_dock.widget()
    assert isinstance(panel, TwinPanel) and isinstance(outer, QScrollArea)
    qtbot.waitUntil(panel.isVisible, timeout=2000)
    panel.refresh()
    assert_every_figure_whole(panel, outer)
    # selecting a position whose figures are wider ("the pool: …") keeps them whole
    for position in window.document.plan.positions:
        window.document.set_current(position.id)
        panel.refresh()
        assert_every_figure_whole(panel, outer)


def test_the_whole_plan_goes_below_when_narrow_and_beside_when_wide(qtbot, document) -> None:
    panel = TwinPanel(document)
    qtbot.addWidget(panel)
    panel.resize(600, 700)
    panel.show()
    qtbot.waitExposed(panel)
    panel.refresh()
    QApplication.processEvents()
    position, plan = panel._position_group, panel._plan_group
    assert plan.geometry().top() >= position.geometry().bottom()  # below
    assert_every_figure_whole(panel)
    panel.resize(1400, 700)
    QApplication.processEvents()
    assert plan.geometry().left() >= position.geometry().right()  # beside
    assert_every_figure_whole(panel)
    panel.resize(600, 700)
    QApplication.processEvents()
    assert plan.geometry().top() >= position.geometry().bottom()
    assert_every_figure_whole(panel)
    # at every width in between, one way or the other, nothing is cut off
    for width in range(640, 1400, 30):
        panel.resize(width, 700)
        assert_every_figure_whole(panel)
