"""Issue 12, the chart's part: the ladder fits a plan opened at launch, follows edits that take
a line of the selected position out of view (not after a zoom by hand), picks the entry before
the mark when they coincide, keeps every label on its own line at any window size, reads a
position's levels from its entry, shows TradingView's risk/reward box and nudges lines with
the arrow keys, one undo step per burst."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from planner.domain.formatting import format_amount, format_percent
from planner.domain.ladder import symbol_ladder
from planner.ui.chart import ChartPanel
from planner.ui.document import edits
from planner.ui.document.plan_document import PlanDocument

EXAMPLES = Path(__file__).resolve().parents[3] / "resources" / "examples"
ETH = "eth-conviction"
ETH_ENTRY = ("entry", ETH, None)
ETH_STOP = ("stop", ETH, None)
MARK = ("mark", None, None)


@pytest.fixture
def panel(qtbot, document: PlanDocument) -> ChartPanel:
    chart = ChartPanel(document)
    qtbot.addWidget(chart)
    chart.resize(480, 720)
    chart.show()
    qtbot.waitExposed(chart)
    return chart


def view_box(chart: ChartPanel):
    return chart.ladder.plot.getPlotItem().getViewBox()


def y_range(chart: ChartPanel) -> tuple[float, float]:
    (_, _), (low, high) = view_box(chart).viewRange()
    return low, high


def selected_levels_in_view(chart: ChartPanel) -> bool:
    document = chart.document
    ladder = symbol_ladder(document.analysis, chart.ladder.symbol)
    low, high = y_range(chart)
    levels = ladder.of_position(document.current_id)
    return bool(levels) and all(low <= lv.price <= high for lv in levels)


def viewport_point(chart: ChartPanel, price: float) -> QPoint:
    view = view_box(chart)
    return chart.ladder.plot.mapFromScene(view.mapViewToScene(QPointF(0.3, price)))


def drag(qtbot, chart: ChartPanel, start: QPoint, end: QPoint, *, hover: bool) -> None:
    viewport = chart.ladder.plot.viewport()
    if hover:  # the pointer arrives first, as a real mouse does
        qtbot.mouseMove(viewport, start + QPoint(0, 30))
        qtbot.wait(30)
        qtbot.mouseMove(viewport, start)
        qtbot.wait(30)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 5):
        qtbot.wait(30)
        qtbot.mouseMove(viewport, start + (end - start) * (step / 4))
    qtbot.wait(30)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)


# --- item 4: fitted on launch ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["same-trade-isolated.tplan", "hedger.tplan", "hybrid.tplan"])
def test_a_plan_opened_at_launch_is_fitted(qtbot, window, name: str) -> None:
    # the app starts on a new plan (BTCUSDT at 60,000) and then opens the file given
    window.document.reset(edits.new_plan())
    window.resize(1024, 700)
    window.show()
    qtbot.waitExposed(window)
    assert window.files.open_path(EXAMPLES / name, ask=False)
    QApplication.processEvents()
    assert selected_levels_in_view(window.chart), (name, y_range(window.chart))


# --- item 5: the line under the pointer, entry before mark -----------------------------------


@pytest.mark.parametrize("hover", [True, False])
def test_dragging_an_entry_on_the_mark_moves_the_entry(qtbot, panel: ChartPanel, hover) -> None:
    document = panel.document
    document.edit(lambda plan: edits.set_position_field(plan, 0, "entry_price", 2900.0), "e")
    assert document.plan.market("ETHUSDT").mark_price == 2900.0
    panel.ladder.fit()
    start, end = viewport_point(panel, 2900.0), viewport_point(panel, 2950.0)
    drag(qtbot, panel, start, end, hover=hover)
    assert document.plan.market("ETHUSDT").mark_price == 2900.0
    assert document.plan.positions[0].entry_price > 2900.0
    assert document.undo_stack.undoText().startswith("Move entry of eth-conviction")
    # a pointer nearer the mark than the entry still takes the mark
    entry = document.plan.positions[0].entry_price
    start = viewport_point(panel, 2900.0) + QPoint(0, 1)
    drag(qtbot, panel, start, start + QPoint(0, 40), hover=hover)
    assert document.plan.positions[0].entry_price == entry
    assert document.plan.market("ETHUSDT").mark_price < 2900.0


# --- item 6: labels on their lines ------------------------------------------------------------


def assert_labels_on_their_lines(chart: ChartPanel) -> int:
    """Every shown label of the ladder is centred on its own line and overlaps no other;
    returns how many are shown."""
    QApplication.processEvents()  # text items take the new view transform when painted
    ladder = chart.ladder
    view = view_box(chart)
    rects = []
    for key in ladder.line_keys():
        label, line = ladder.label_for(key), ladder.line_for(key)
        if not label.isVisible():
            continue
        assert label.pos().y() == pytest.approx(line.value(), rel=1e-12), key
        rect = label.mapRectToScene(label.boundingRect())
        line_y = view.mapViewToScene(QPointF(0.5, line.value())).y()
        assert rect.top() < line_y < rect.bottom(), key
        assert abs(rect.center().y() - line_y) < 1.5, key
        rects.append((key, rect))
    for label, _low, _high in ladder.rr_box.captions() if hasattr(ladder, "rr_box") else ():
        if label.isVisible():
            rects.append((label.toPlainText(), label.mapRectToScene(label.boundingRect())))
    for i, (key, rect) in enumerate(rects):
        for other, other_rect in rects[i + 1 :]:
            assert not rect.intersects(other_rect), (key, other)
    return len(rects)


@pytest.mark.parametrize("size", [(1024, 700), (1920, 1080), (1280, 800)])
def test_labels_never_leave_their_lines(qtbot, window, size) -> None:
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    assert window.files.open_path(EXAMPLES / "hybrid.tplan", ask=False)
    QApplication.processEvents()
    chart = window.chart
    assert assert_labels_on_their_lines(chart) >= 4
    ladder = chart.ladder
    # hybrid's crowded lines: the stop, the isolated liquidation and the mark each keep their
    # own label on their own line
    for key in (("stop", ETH, None), ("liquidation", ETH, None), MARK):
        assert ladder.label_for(key).isVisible(), key
    # the same after a drag and after zooming in and out
    ladder.drag_to(("stop", ETH, None), 2720.0)
    ladder.finish_drag()
    assert_labels_on_their_lines(chart)
    view_box(chart).scaleBy((1, 3))
    assert_labels_on_their_lines(chart)
    view_box(chart).scaleBy((1, 0.2))
    assert_labels_on_their_lines(chart)


# --- item 9: percentages from the entry, and a view that follows ------------------------------


def test_a_longs_take_profit_above_its_entry_reads_as_a_rise(panel: ChartPanel) -> None:
    document = panel.document
    document.set_current("btc-core")
    plan = edits.set_position_field(document.plan, 1, "entry_price", 52_500.0)
    plan = edits.set_position_field(plan, 1, "take_profits", [{"price": 56_000, "fraction": 1}])
    plan = edits.set_market_field(plan, 0, "mark_price", 60_000.0)
    document.apply(plan, "long below the mark")
    text = panel.ladder.label_for(("take_profit", "btc-core", 0)).toPlainText()
    assert "+6.67 %" in text and "-6.67 %" not in text
    assert panel.ladder.label_for(MARK).toPlainText() == "mark 60,000.0"
    assert "%" not in panel.ladder.label_for(("entry", "btc-core", None)).toPlainText()


def wheel(chart: ChartPanel, steps: int) -> None:
    viewport = chart.ladder.plot.viewport()
    at = QPointF(viewport.width() / 2, viewport.height() / 2)
    event = QWheelEvent(
        at,
        viewport.mapToGlobal(at),
        QPoint(),
        QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(viewport, event)


def test_the_view_follows_edits_until_zoomed_by_hand(qtbot, panel: ChartPanel) -> None:
    document, ladder = panel.document, panel.ladder
    assert selected_levels_in_view(panel)
    # a new entry far off-screen: the view fits again
    document.edit(lambda plan: edits.set_position_field(plan, 0, "entry_price", 4500.0), "e")
    assert selected_levels_in_view(panel)
    document.edit(
        lambda plan: edits.set_position_field(
            plan, 0, "take_profits", [{"price": 6000, "fraction": 1}]
        ),
        "tp",
    )
    assert selected_levels_in_view(panel)
    # an edit that stays in view leaves the view alone
    before = y_range(panel)
    document.edit(lambda plan: edits.set_position_field(plan, 0, "entry_price", 4400.0), "e")
    assert y_range(panel) == before
    # zoomed in by hand: edits no longer move the view
    wheel(panel, 3)
    zoomed = y_range(panel)
    assert zoomed != before
    document.edit(lambda plan: edits.set_position_field(plan, 0, "entry_price", 5500.0), "e")
    assert y_range(panel) == zoomed
    # Fit: fitted, and following again
    qtbot.mouseClick(ladder.fit_button, Qt.MouseButton.LeftButton)
    assert selected_levels_in_view(panel)
    document.edit(lambda plan: edits.set_position_field(plan, 0, "entry_price", 9000.0), "e")
    assert selected_levels_in_view(panel)


# --- the risk/reward box ----------------------------------------------------------------------


def test_the_risk_reward_box_shows_zones_amounts_r_and_share(qtbot, window) -> None:
    window.resize(1920, 1080)
    window.show()
    qtbot.waitExposed(window)
    chart, document = window.chart, window.document
    box = chart.ladder.rr_box
    result = document.analysis.position(0)
    assert tuple(box.loss_zone.getRegion()) == (2800.0, 3000.0)
    assert tuple(box.profit_zone.getRegion()) == (3000.0, 3600.0)
    risk, reward = box.risk_label.toPlainText(), box.reward_label.toPlainText()
    equity = document.analysis.equity
    assert format_amount(-result.loss_at_stop, "USDT", with_unit=True, sign=True) in risk
    assert format_percent(result.loss_at_stop / equity) in risk
    total = sum(tp.reward for tp in result.take_profits)
    assert format_amount(total, "USDT", with_unit=True, sign=True) in reward
    assert f"{result.reward_to_risk:.2f} R" in reward
    assert format_percent(total / equity) in reward
    assert box.risk_label.isVisible() and box.reward_label.isVisible()
    # it follows a drag of the stop
    chart.ladder.drag_to(ETH_STOP, 2900.0)
    chart.ladder.finish_drag()
    assert tuple(box.loss_zone.getRegion()) == (2900.0, 3000.0)
    loss = document.analysis.position(0).loss_at_stop
    assert format_amount(-loss, "USDT", with_unit=True, sign=True) in box.risk_label.toPlainText()
    # no stop: no risk zone, no R
    document.edit(lambda plan: edits.set_position_field(plan, 0, "stop_loss", None), "no stop")
    assert not box.loss_zone.isVisible() and not box.risk_label.isVisible()
    assert " R" not in box.reward_label.toPlainText()
    profit_brush = box.profit_zone.brush.color()
    assert profit_brush != box.loss_zone.brush.color()
    # take-profits below the long's entry lose: their zone is shaded and worded as a loss
    # (QA round 2: a negative "Reward" was shaded green)
    document.edit(
        lambda plan: edits.set_position_field(
            plan, 0, "take_profits", [{"price": 2900.0, "fraction": 1.0}]
        ),
        "losing take-profit",
    )
    assert box.reward_loses
    assert box.reward_label.toPlainText().startswith("Take-profits lose · -")
    assert box.profit_zone.brush.color() == box.loss_zone.brush.color()


# --- keyboard nudges --------------------------------------------------------------------------


def test_arrow_keys_nudge_the_chosen_line_one_undo_step_per_burst(qtbot, panel) -> None:
    document, ladder, plot = panel.document, panel.ladder, panel.ladder.plot
    assert ladder.keyboard_line() == ETH_ENTRY  # by default the selected position's entry
    # a click on the stop line chooses it
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=viewport_point(panel, 2800))
    assert ladder.keyboard_line() == ETH_STOP
    assert plot.hasFocus()
    # its label is marked while the ladder has the focus
    assert ladder.label_for(ETH_STOP).toPlainText().startswith("▸ stop")
    assert not ladder.label_for(ETH_ENTRY).toPlainText().startswith("▸")
    for _ in range(3):
        qtbot.keyClick(plot, Qt.Key.Key_Up)
    assert document.plan.positions[0].stop_loss == pytest.approx(2800.03)
    qtbot.keyClick(plot, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert document.plan.positions[0].stop_loss == pytest.approx(2799.93)
    assert document.undo_stack.count() == 1
    assert document.undo_stack.undoText() == "Nudge stop of eth-conviction"
    assert ladder.line_for(ETH_STOP).value() == pytest.approx(2799.93)
    # Page Up chooses the line above (the mark at 2,900), whose nudges are a new step
    qtbot.keyClick(plot, Qt.Key.Key_PageUp)
    assert ladder.keyboard_line() == MARK
    assert ladder.label_for(MARK).toPlainText().startswith("▸ mark")
    qtbot.keyClick(plot, Qt.Key.Key_Up)
    assert document.plan.market("ETHUSDT").mark_price == pytest.approx(2900.01)
    assert document.undo_stack.count() == 2
    document.undo_stack.undo()
    document.undo_stack.undo()
    assert document.plan.positions[0].stop_loss == 2800.0
    assert document.plan.market("ETHUSDT").mark_price == 2900.0


def test_label_placement_keeps_every_label_on_its_line_and_apart() -> None:
    """Crowded random ladders of every size: each placed label is centred on its own line,
    inside the plot, and clear of every other; a label is hidden only when even its shortest
    text has no room on its row."""
    import random

    from planner.ui.chart.ladder_levels import LABEL_MARGIN, LABEL_SPACING, place_on_lines

    rng = random.Random(12)
    gap = 20.0
    for _ in range(300):
        width, height = rng.uniform(120, 900), rng.uniform(80, 900)
        y_range = (1000.0, 1000.0 + rng.uniform(10, 500))
        labels = []
        for _ in range(rng.randint(1, 12)):
            full = rng.uniform(60, 260)
            labels.append((rng.uniform(*y_range), (full, full * 0.7, 40.0)))
        spots, boxes = place_on_lines(labels, y_range, (width, height), gap)
        per_pixel = (y_range[1] - y_range[0]) / height
        placed = []
        for (price, widths), spot in zip(labels, spots, strict=True):
            if spot is None:
                continue
            right, variant = spot
            left = right - widths[variant]
            assert left >= LABEL_MARGIN and right <= width - LABEL_MARGIN
            placed.append(((y_range[1] - price) / per_pixel, left, right))
        assert sorted(placed) == sorted(boxes)
        for i, (y, left, right) in enumerate(placed):
            for other_y, other_left, other_right in placed[i + 1 :]:
                apart = abs(y - other_y) >= gap
                assert apart or right < other_left or other_right < left
        for (price, widths), spot in zip(labels, spots, strict=True):
            if spot is not None:
                continue
            y, shortest = (y_range[1] - price) / per_pixel, widths[-1]
            right = width - LABEL_MARGIN
            while right - shortest >= LABEL_MARGIN:  # no free place on its row, pixel by pixel
                free = all(
                    abs(y - by) >= gap
                    or right + LABEL_SPACING <= bl
                    or br + LABEL_SPACING <= right - shortest
                    for by, bl, br in placed
                )
                assert not free, (price, right)
                right -= 1.0
