"""The equity view's legend never hides data: a tester saw it cover the "plan as it is" curve
in the top-left of the plot. It sits outside the plot area at every window size, whole, and
no curve point or liquidation marker lies under it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtWidgets import QApplication

from planner.storage import load_plan
from planner.ui.chart.equity_view import EquityView

EXAMPLES = Path(__file__).resolve().parents[3] / "resources" / "examples"
SIZES = [(1024, 700), (1280, 800), (1600, 1000), (1920, 1080)]


def scene_points(view: EquityView) -> list[QPointF]:
    """Every curve point and marker that is in view, in scene coordinates."""
    box = view.plot.getPlotItem().getViewBox()
    (x_low, x_high), (y_low, y_high) = box.viewRange()
    points = []
    for curve in view.curves.values():
        x, y = curve.getData()
        if x is None:
            continue
        inside = (x >= x_low) & (x <= x_high) & (y >= y_low) & (y <= y_high)
        points += [QPointF(float(a), float(b)) for a, b in zip(x[inside], y[inside], strict=True)]
    for markers in (view.bucket_markers, view.pool_markers):
        points += [spot.pos() for spot in markers.points()]
    return [box.mapViewToScene(p) for p in points]


def legend_rect(view: EquityView) -> QRectF:
    legend = view.legend
    return legend.mapRectToScene(legend.boundingRect())


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("selected", ["eth-conviction", "btc-short"])
def test_the_legend_hides_no_curve_at_any_window_size(qtbot, window, size, selected) -> None:
    window.document.reset(load_plan(EXAMPLES / "hybrid.tplan"))
    window.document.set_current(selected)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    window.chart.show_equity()
    view = window.chart.equity
    qtbot.waitUntil(lambda: bool(view.sweeps), timeout=3000)
    assert_legend_clear(qtbot, view, size)


def test_the_legend_reflows_as_the_window_narrows_and_widens(qtbot, window) -> None:
    window.document.reset(load_plan(EXAMPLES / "hybrid.tplan"))
    window.show()
    qtbot.waitExposed(window)
    window.chart.show_equity()
    view = window.chart.equity
    for size in [(1920, 1080), (1024, 700), (1600, 1000), (1024, 700), (1280, 800)]:
        window.resize(*size)
        qtbot.waitUntil(lambda: bool(view.sweeps), timeout=3000)
        assert_legend_clear(qtbot, view, size)


def assert_legend_clear(qtbot, view: EquityView, size: tuple[int, int]) -> None:
    """The legend is outside the plot area, covers no curve point or marker, and every entry
    of it is whole on screen."""
    qtbot.wait(100)  # the legend takes its columns once the plot is laid out
    QApplication.processEvents()
    assert view.legend.isVisible()
    rect = legend_rect(view)
    assert rect.width() > 0 and rect.height() > 0
    points = scene_points(view)
    assert len(points) > 100
    covered = [p for p in points if rect.contains(p)]
    assert covered == [], (size, rect, covered[:5])
    # outside the plot area altogether: nothing drawn later can go under it either
    box = view.plot.getPlotItem().getViewBox()
    assert not rect.intersects(box.sceneBoundingRect()), (rect, box.sceneBoundingRect())
    # and whole on screen, every entry of it
    scene_shown = view.plot.mapToScene(view.plot.viewport().rect()).boundingRect()
    for sample, label in view.legend.items:
        for part in (sample, label):
            part_rect = part.mapRectToScene(part.boundingRect())
            assert scene_shown.contains(part_rect), (label.text, part_rect, scene_shown)


def test_the_markers_are_named_and_the_curves_keep_their_names(qtbot, window) -> None:
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    window.chart.show_equity()
    view = window.chart.equity
    qtbot.waitUntil(lambda: bool(view.sweeps), timeout=3000)
    names = [label.text for _sample, label in view.legend.items]
    assert "bucket liquidated" in names and "cross pool liquidated" in names
    # the read-out under the plot names the three curves in their colours
    text = view.readout.text()
    for name in ("plan as it is", "all cross", "all isolated"):
        assert name in text, name
