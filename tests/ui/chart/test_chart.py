"""The live chart: the price ladder follows the analysis, its lines drag as previews that commit
one undo step, Escape cancels, items are built once; the equity view's liquidation markers sit
where the margin equations (recomputed here from the plan's inputs) say they must."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtTest import QTest

from planner.domain.formatting import format_price
from planner.domain.ladder import symbol_ladder
from planner.domain.plan import Plan
from planner.ui.chart import ChartPanel
from planner.ui.chart.ladder_levels import level_key, level_style, snap_to_tick
from planner.ui.document import edits
from planner.ui.document.plan_document import PlanDocument
from planner.ui.panels.position_model import COLUMN_INDEX

#: showing a top-level widget on the offscreen platform logs this; it says nothing about the app
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

ETH_STOP = ("stop", "eth-conviction", None)
ETH_ENTRY = ("entry", "eth-conviction", None)
ETH_LIQ = ("liquidation", "eth-conviction", None)
MARK = ("mark", None, None)


@pytest.fixture
def panel(qtbot, document: PlanDocument) -> ChartPanel:
    chart = ChartPanel(document)
    qtbot.addWidget(chart)
    chart.resize(480, 720)
    chart.show()
    qtbot.waitExposed(chart)
    return chart


def assert_ladder_matches_analysis(chart: ChartPanel) -> None:
    """Every level of the analysis's ladder is drawn at its price, and nothing else: the mark,
    tiers and the selected position's levels as lines of their own, the other positions'
    levels as segments of the faint curve of their style."""
    document = chart.document
    selected = document.current_id
    symbol = document.plan.position(selected).symbol
    ladder = symbol_ladder(document.analysis, symbol)
    own = [lv for lv in ladder.levels if lv.position_id in (None, selected)]
    faint = [lv for lv in ladder.levels if lv.position_id not in (None, selected)]
    assert set(chart.ladder.line_keys()) == {level_key(level) for level in own}
    for level in own:
        line = chart.ladder.line_for(level_key(level))
        assert line is not None and line.isVisible()
        assert line.value() == pytest.approx(level.price, rel=1e-12), level
    for style, curve in chart.ladder.faint_curves.items():
        expected = sorted({lv.price for lv in faint if level_style(lv) == style})
        _x, y = curve.getData()
        drawn = sorted(set(y.tolist())) if y is not None else []
        assert drawn == pytest.approx(expected, rel=1e-12), style


# --- the ladder -----------------------------------------------------------------------------


def test_ladder_lines_sit_at_the_analysis_prices(panel: ChartPanel) -> None:
    assert panel.ladder.symbol == "ETHUSDT"
    assert_ladder_matches_analysis(panel)
    analysis = panel.document.analysis
    liquidation = analysis.position(0).liquidation_price
    label = panel.ladder.label_for(ETH_LIQ)
    assert label is not None
    assert format_price(liquidation, 0.01) in label.toPlainText()
    # issue 12 item 9: a position's levels are read as moves from its entry (3,000), no longer
    # from the mark (2,900: it read "-6.52 %"), and the mark carries no percentage
    assert "-9.64 %" in label.toPlainText()
    assert panel.ladder.label_for(MARK).toPlainText() == "mark 2,900.00"
    assert panel.ladder.line_for(MARK).value() == 2900


def test_ladder_follows_edits_from_the_table_and_commands(qtbot, window) -> None:
    window.show()
    qtbot.waitExposed(window)
    chart, document, model = window.chart, window.document, window.table.model
    assert model.setData(model.index(0, COLUMN_INDEX["stop_loss"]), 2750.0)
    assert chart.ladder.line_for(ETH_STOP).value() == 2750.0
    assert model.setData(model.index(0, COLUMN_INDEX["entry_price"]), 3100.0)
    assert_ladder_matches_analysis(chart)
    document.edit(lambda plan: edits.set_market_field(plan, 1, "mark_price", 3050.0), "Mark")
    assert_ladder_matches_analysis(chart)
    assert chart.ladder.line_for(MARK).value() == 3050.0
    document.undo_stack.undo()
    document.undo_stack.undo()
    assert_ladder_matches_analysis(chart)
    assert chart.ladder.line_for(ETH_ENTRY).value() == 3000.0
    # selecting a position of another symbol shows that symbol's ladder, tiers included
    document.set_current("btc-core")
    assert chart.ladder.symbol == "BTCUSDT"
    assert_ladder_matches_analysis(chart)
    tier = chart.ladder.line_for(("tier", "long leg enters tier 2", None))
    assert tier is not None and tier.value() == pytest.approx(50000 / 0.5)


def test_items_are_built_once_and_updated(panel: ChartPanel) -> None:
    ladder, equity, document = panel.ladder, panel.equity, panel.document
    keys = ladder.line_keys()
    curves_before = {style: id(curve) for style, curve in ladder.faint_curves.items()}
    lines = {key: id(ladder.line_for(key)) for key in keys}
    labels = {key: id(ladder.label_for(key)) for key in keys}
    zones = (id(ladder.loss_zone), id(ladder.profit_zone))
    ladder_items = [id(item) for item in ladder.plot.getPlotItem().items]
    panel.show_equity()
    equity.refresh()
    plot_items = [id(item) for item in equity.plot.getPlotItem().items]
    curves = {name: id(curve) for name, curve in equity.curves.items()}
    markers = (id(equity.bucket_markers), id(equity.pool_markers))
    panel.show_ladder()
    for stop in (2790.0, 2780.0, 2770.0):
        document.edit(lambda plan, s=stop: edits.set_position_field(plan, 0, "stop_loss", s), "s")
    document.edit(lambda plan: edits.set_position_field(plan, 0, "quantity", 6.0), "size")
    assert {key: id(ladder.line_for(key)) for key in keys} == lines
    assert {key: id(ladder.label_for(key)) for key in keys} == labels
    assert (id(ladder.loss_zone), id(ladder.profit_zone)) == zones
    assert [id(item) for item in ladder.plot.getPlotItem().items] == ladder_items
    assert {style: id(curve) for style, curve in ladder.faint_curves.items()} == curves_before
    panel.show_equity()
    equity.refresh()
    assert [id(item) for item in equity.plot.getPlotItem().items] == plot_items
    assert {name: id(curve) for name, curve in equity.curves.items()} == curves
    assert (id(equity.bucket_markers), id(equity.pool_markers)) == markers
    # a level that goes away is hidden and its items serve the next new level
    panel.show_ladder()
    built = ladder.pool_size()
    document.edit(lambda plan: edits.set_position_field(plan, 0, "take_profits", []), "no TPs")
    assert ladder.line_for(("take_profit", "eth-conviction", 0)) is None
    assert ladder.pool_size() == built
    document.undo_stack.undo()
    assert ladder.pool_size() == built
    assert_ladder_matches_analysis(panel)


def test_every_position_of_the_symbol_is_shown_the_selected_one_emphasised(
    panel: ChartPanel,
) -> None:
    document = panel.document
    plan, new_id = edits.add_position(document.plan, 0)
    document.apply(plan, "Add", select=new_id)
    assert document.plan.position(new_id).symbol == "ETHUSDT"
    assert_ladder_matches_analysis(panel)
    selected = panel.ladder.line_for(("entry", new_id, None))
    assert selected is not None and selected.movable
    # the other position is drawn faint and thin, and cannot be dragged
    assert panel.ladder.line_for(ETH_ENTRY) is None
    other = panel.ladder.faint_curves["entry"]
    assert 3000.0 in panel.ladder.faint_prices("entry")
    assert selected.pen.widthF() > other.opts["pen"].widthF()
    background = panel.ladder.plot.backgroundBrush().color()

    def contrast(colour: QColor) -> float:
        return abs(colour.lightnessF() - background.lightnessF()) + abs(
            colour.saturationF() - background.saturationF()
        )

    assert contrast(selected.pen.color()) > contrast(other.opts["pen"].color())
    # isolated and cross liquidations look different
    document.set_current("btc-core")
    cross = panel.ladder.line_for(("liquidation", "btc-core", None))
    document.set_current("eth-conviction")
    isolated = panel.ladder.line_for(ETH_LIQ)
    assert cross is not None and isolated is not None
    assert cross.pen.style() == Qt.PenStyle.DashLine
    assert isolated.pen.style() == Qt.PenStyle.SolidLine


# --- dragging -------------------------------------------------------------------------------


def test_dragging_a_stop_previews_and_records_one_undo_step(panel: ChartPanel) -> None:
    document = panel.document
    line = panel.ladder.line_for(ETH_STOP)
    committed = document.committed_plan
    for price in (2795.123, 2792.5, 2790.004):  # the mouse moving; prices snap to the tick
        line.setValue(price)
        assert document.is_previewing
        assert document.plan.positions[0].stop_loss == snap_to_tick(price, 0.01)
    assert document.committed_plan is committed
    assert document.undo_stack.count() == 0
    assert document.analysis.position(0).loss_at_stop == pytest.approx(5 * (3000 - 2790.0))
    line.sigPositionChangeFinished.emit(line)
    assert not document.is_previewing
    assert document.undo_stack.count() == 1
    assert document.undo_stack.undoText() == "Move stop of eth-conviction to 2,790.00"
    assert document.plan.positions[0].stop_loss == 2790.0
    assert line.value() == 2790.0
    document.undo_stack.undo()
    assert document.plan.positions[0].stop_loss == 2800.0
    assert line.value() == 2800.0


def test_every_figure_follows_a_drag_live(qtbot, window) -> None:
    window.show()
    qtbot.waitExposed(window)
    chart, document, model = window.chart, window.document, window.table.model
    entry = chart.ladder.line_for(ETH_ENTRY)
    chart.ladder.drag_to(ETH_ENTRY, 3050.0)
    live = document.analysis.position(0).liquidation_price
    assert live != pytest.approx(2710.84, abs=0.01)
    # the table, and the liquidation line, show the previewed plan while dragging
    shown = model.data(model.index(0, COLUMN_INDEX["entry_price"]))
    assert shown == "3,050.00"
    assert chart.ladder.line_for(ETH_LIQ).value() == pytest.approx(live)
    chart.ladder.finish_drag()
    assert document.undo_stack.undoText() == "Move entry of eth-conviction to 3,050.00"
    assert document.undo_stack.count() == 1
    assert entry.value() == 3050.0


def test_dragging_the_mark_and_take_profits(panel: ChartPanel) -> None:
    document = panel.document
    panel.ladder.drag_to(MARK, 2950.006)
    panel.ladder.finish_drag()
    assert document.plan.market("ETHUSDT").mark_price == 2950.01
    assert document.undo_stack.undoText() == "Move ETHUSDT mark to 2,950.01"
    panel.ladder.drag_to(("take_profit", "eth-conviction", 1), 3700.0)
    panel.ladder.finish_drag()
    assert [tp.price for tp in document.plan.positions[0].take_profits] == [3300.0, 3700.0]
    assert document.undo_stack.undoText() == "Move take-profit 2 of eth-conviction to 3,700.00"
    assert document.undo_stack.count() == 2


def _viewport_point(chart: ChartPanel, price: float) -> QPoint:
    """Where ``price`` is on the ladder's viewport (a third of the way across)."""
    view = chart.ladder.plot.getPlotItem().getViewBox()
    return chart.ladder.plot.mapFromScene(view.mapViewToScene(QPointF(0.3, price)))


def _mouse_move(qtbot, chart: ChartPanel, point: QPoint) -> None:
    qtbot.wait(25)  # pyqtgraph drops mouse moves that come faster than it redraws
    QTest.mouseMove(chart.ladder.plot.viewport(), point)


def test_dragging_with_the_mouse(qtbot, panel: ChartPanel) -> None:
    document, viewport = panel.document, panel.ladder.plot.viewport()
    start, end = _viewport_point(panel, 2800.0), _viewport_point(panel, 2750.0)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for step in range(1, 6):
        _mouse_move(qtbot, panel, start + (end - start) * (step / 5))
        assert document.undo_stack.count() == 0
    assert document.is_previewing
    dragged = document.plan.positions[0].stop_loss
    assert dragged < 2800.0 and dragged == snap_to_tick(dragged, 0.01)
    qtbot.wait(25)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    assert not document.is_previewing
    assert document.undo_stack.count() == 1
    assert document.undo_stack.undoText() == (
        f"Move stop of eth-conviction to {format_price(dragged, 0.01)}"
    )
    # Escape in the middle of a mouse drag: the plan and the line go back, the rest of the
    # drag and the release change nothing
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    for step in range(1, 4):
        _mouse_move(qtbot, panel, end + (end - start) * (step / 3))
    assert document.plan.positions[0].stop_loss < dragged
    QTest.keyClick(panel.ladder.plot, Qt.Key.Key_Escape)
    assert document.plan.positions[0].stop_loss == dragged
    _mouse_move(qtbot, panel, end + (end - start) * 2)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    assert document.plan.positions[0].stop_loss == dragged
    assert document.undo_stack.count() == 1
    assert panel.ladder.line_for(ETH_STOP).value() == dragged


def test_clicking_a_faint_line_selects_its_position(qtbot, panel: ChartPanel) -> None:
    document = panel.document
    plan, new_id = edits.add_position(document.plan, 0)
    plan = edits.set_position_field(plan, 1, "stop_loss", 2600.0)
    document.apply(plan, "Add", select=new_id)
    assert 2800.0 in panel.ladder.faint_prices("stop")  # eth-conviction's stop, faint
    qtbot.wait(25)
    QTest.mouseClick(
        panel.ladder.plot.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        _viewport_point(panel, 2800.0),
    )
    assert document.current_id == "eth-conviction"
    assert panel.ladder.line_for(ETH_STOP) is not None
    assert 2600.0 in panel.ladder.faint_prices("stop")


def test_a_palette_change_restyles_the_same_items(panel: ChartPanel) -> None:
    ladder, equity = panel.ladder, panel.equity
    line = ladder.line_for(ETH_STOP)
    light = line.pen.color().name()
    curve = equity.curves["planned"]
    dark = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, "#353535"),
        (QPalette.ColorRole.Base, "#2a2a2a"),
        (QPalette.ColorRole.Text, "#e8e8e8"),
        (QPalette.ColorRole.WindowText, "#e8e8e8"),
    ):
        dark.setColor(role, QColor(colour))
    panel.setPalette(dark)
    assert ladder.line_for(ETH_STOP) is line
    assert equity.curves["planned"] is curve
    assert line.pen.color().name() != light
    assert ladder.plot.backgroundBrush().color().name() == "#2a2a2a"
    label = ladder.label_for(ETH_STOP)
    assert label is not None and label.color.lightnessF() > 0.5  # light text on dark


def test_escape_cancels_a_drag(qtbot, panel: ChartPanel) -> None:
    document = panel.document
    before = document.plan
    line = panel.ladder.line_for(ETH_STOP)
    line.setValue(2700.0)
    line.setValue(2650.0)
    assert document.plan.positions[0].stop_loss == 2650.0
    panel.ladder.plot.setFocus()
    qtbot.keyClick(panel.ladder.plot, Qt.Key.Key_Escape)
    assert not panel.ladder.is_dragging
    assert not document.is_previewing
    assert document.plan is before
    assert line.value() == 2800.0
    line.sigPositionChangeFinished.emit(line)  # the mouse is released afterwards
    assert document.undo_stack.count() == 0
    assert document.plan is before


def test_a_drag_the_plan_refuses_is_held_at_the_last_valid_price(
    qtbot,
    panel: ChartPanel,
) -> None:
    document = panel.document
    document.set_current("btc-core")
    messages: list[str] = []
    panel.status_message.connect(lambda text, _ms: messages.append(text))
    panel.ladder.drag_to(("entry", "btc-core", None), 100000.0)
    assert document.plan.position("btc-core").entry_price == 100000.0
    # 0.5 BTC at 7,000,000 is beyond the last tier's cap: refused, the preview stays
    panel.ladder.drag_to(("entry", "btc-core", None), 7_000_000.0)
    assert document.plan.position("btc-core").entry_price == 100000.0
    assert messages and "entry of btc-core held" in messages[-1]
    assert "cap" in messages[-1]
    panel.ladder.finish_drag()
    assert document.plan.position("btc-core").entry_price == 100000.0
    assert document.undo_stack.count() == 1
    assert panel.ladder.line_for(("entry", "btc-core", None)).value() == 100000.0
    # below zero: the line is clamped at one tick, the stop stays a valid price
    document.set_current("eth-conviction")
    panel.ladder.drag_to(ETH_STOP, -50.0)
    assert panel.ladder.line_for(ETH_STOP).value() == pytest.approx(0.01)
    panel.ladder.finish_drag()
    assert document.plan.positions[0].stop_loss == 0.01


def test_window_has_a_chart_dock_with_a_view_toggle(window) -> None:
    assert window.chart_dock.widget() is window.chart
    assert window.chart_dock.toggleViewAction() in window.view_menu.actions()


# --- the equity view ------------------------------------------------------------------------


def _pool_health(plan: Plan, symbol: str, move: float) -> tuple[float, float]:
    """Cross pool equity and maintenance margin with ``symbol`` moved by ``move``, from the
    plan's inputs (Binance, linear, no fees): wallet − isolated margins + Σ s·q·(P − E) against
    Σ (q·P·mmr − cum) with each leg's tier taken at its notional q·P."""
    isolated_margin = sum(
        p.quantity * p.entry_price / p.leverage + p.added_margin
        for p in plan.positions
        if p.margin_mode == "isolated"
    )
    equity = plan.account.wallet_balance - isolated_margin
    maintenance = 0.0
    for p in plan.positions:
        if p.margin_mode != "cross":
            continue
        market = plan.market(p.symbol)
        price = market.mark_price * (1 + move) if p.symbol == symbol else market.mark_price
        equity += p.sign * p.quantity * (price - p.entry_price)
        tier = market.tier_for(p.quantity * price)
        maintenance += p.quantity * price * tier.mmr - tier.maintenance_amount
    return equity, maintenance


def _isolated_liquidation_price(plan: Plan, position_id: str, mode_isolated: bool) -> float:
    """Binance linear isolated bucket: LP = (M + cum − s·q·E) / (q·MMR − s·q), with the tier
    taken at the liquidation price (solved tier by tier)."""
    p = plan.position(position_id)
    market = plan.market(p.symbol)
    margin = p.quantity * p.entry_price / p.leverage + (p.added_margin if mode_isolated else 0)
    s, q, e = p.sign, p.quantity, p.entry_price
    for tier in market.tiers:
        lp = (margin + tier.maintenance_amount - s * q * e) / (q * tier.mmr - s * q)
        if market.tier_for(q * lp) == tier:
            return lp
    raise AssertionError("no tier holds the liquidation price")


def test_markers_sit_where_buckets_and_the_pool_liquidate(panel: ChartPanel) -> None:
    document, equity = panel.document, panel.equity
    document.set_current("btc-core")
    panel.show_equity()
    equity.range_spin.setValue(80)
    equity.refresh()
    plan = document.plan
    mark = plan.market("BTCUSDT").mark_price
    markers = equity.marker_points()
    by_variant = {(variant, event.kind): x / 100 for variant, event, x, _y in markers}
    # the plan as it is and all-cross: the pool (BTC and SOL cross) fails on a BTC fall
    for variant, variant_plan in (
        ("planned", plan),
        ("all_cross", _all(plan, "cross")),
    ):
        move = by_variant[(variant, "cross")]
        pool_equity, maintenance = _pool_health(variant_plan, "BTCUSDT", move)
        assert pool_equity == pytest.approx(maintenance, rel=1e-9, abs=1e-6), variant
        # and not a step earlier: the pool is healthy 0.1 % closer to the mark
        healthier, need = _pool_health(variant_plan, "BTCUSDT", move + 0.001)
        assert healthier > need
    # all-isolated: btc-core's own bucket fails where the bucket equation says
    move = by_variant[("all_isolated", "isolated")]
    lp = _isolated_liquidation_price(plan, "btc-core", mode_isolated=True)
    assert move == pytest.approx(lp / mark - 1, rel=1e-9)
    assert lp == pytest.approx((3000 - 0.5 * 60000) / (0.5 * 0.004 - 0.5))
    # ETH's isolated bucket on an ETH move
    document.set_current("eth-conviction")
    equity.refresh()
    markers = equity.marker_points()
    isolated = [x / 100 for v, e, x, _ in markers if v == "planned" and e.kind == "isolated"]
    lp = _isolated_liquidation_price(plan, "eth-conviction", mode_isolated=True)
    assert isolated == [pytest.approx(lp / plan.market("ETHUSDT").mark_price - 1, rel=1e-9)]
    assert lp == pytest.approx((1500 - 5 * 3000) / (5 * 0.004 - 5))


def _all(plan: Plan, mode: str) -> Plan:
    positions = [
        p.model_dump() | {"margin_mode": mode, "added_margin": 0.0} for p in plan.positions
    ]
    return edits.validate(plan, positions=positions)


def test_curves_come_from_the_sweeps_and_the_crosshair_reads_them(panel: ChartPanel) -> None:
    document, equity = panel.document, panel.equity
    document.set_current("btc-core")
    panel.show_equity()
    equity.range_spin.setValue(80)
    equity.refresh()
    assert set(equity.sweeps) == {"planned", "all_cross", "all_isolated"}
    for variant, curve in equity.curves.items():
        sweep = equity.sweeps[variant]
        x, y = curve.getData()
        on_grid = {round(a, 9): b for a, b in zip(x, y, strict=True)}
        for move, value in zip(sweep.moves[::50], sweep.account_equity[::50], strict=True):
            assert on_grid[round(move * 100, 9)] == pytest.approx(value)
    # past the pool's liquidation, the cross positions are gone, eth-conviction is alive
    text = equity.hover_move(-0.60)
    planned = equity.sweeps["planned"]
    i = int(abs(planned.moves + 0.60).argmin())
    assert "liquidated btc-core, sol-hedge" in text
    assert f"{planned.account_equity[i]:,.2f}" in text
    assert equity.crosshair.isVisible()
    assert equity.crosshair.value() == pytest.approx(planned.moves[i] * 100)
    text = equity.hover_move(-0.01)
    assert "every position alive" in text
    equity.hover_move(None)
    assert not equity.crosshair.isVisible()


def test_market_wide_moves_with_betas_are_view_state(panel: ChartPanel) -> None:
    document, equity = panel.document, panel.equity
    panel.show_equity()
    equity.set_market_wide(True)
    assert equity.beta_table.isVisible()
    assert equity.beta_table.rowCount() == len(document.plan.markets)
    equity.set_beta("SOLUSDT", 2.0)
    equity.refresh()
    sweep = equity.sweeps["planned"]
    assert sweep.symbol is None
    assert sweep.betas["SOLUSDT"] == 2.0
    assert sweep.betas["BTCUSDT"] == 1.0
    # SOL falls twice as fast: the grid stops before SOL's price would reach zero
    assert sweep.moves[0] > -0.5
    assert document.undo_stack.count() == 0  # betas are not plan data
    assert "beta" not in document.plan.model_dump_json()


def test_a_hidden_equity_view_catches_up_when_shown(panel: ChartPanel) -> None:
    document, equity = panel.document, panel.equity
    panel.show_equity()
    equity.refresh()
    before = equity.sweeps["planned"]
    panel.show_ladder()
    document.edit(lambda plan: edits.set_account_field(plan, "wallet_balance", 30000.0), "w")
    assert equity.sweeps["planned"] is before  # hidden: nothing swept
    panel.show_equity()
    assert equity.sweeps["planned"].plan is document.plan
    assert math.isclose(
        float(equity.sweeps["planned"].account_equity[250]),
        float(before.account_equity[250]) + 10000.0,
    )


def test_the_equity_view_coalesces_changes_and_throttles_previews(
    qtbot,
    panel: ChartPanel,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    document, equity = panel.document, panel.equity
    panel.show_equity()
    equity.refresh()
    sweeps: list[object] = []
    recompute = equity._recompute
    monkeypatch.setattr(equity, "_recompute", lambda: (sweeps.append(1), recompute()))
    for wallet in (21000.0, 22000.0, 23000.0):
        document.edit(
            lambda plan, w=wallet: edits.set_account_field(plan, "wallet_balance", w), "w"
        )
    assert not sweeps  # not swept inside the edit
    qtbot.waitUntil(lambda: equity.sweeps["planned"].plan is document.plan, timeout=2000)
    assert len(sweeps) == 1  # one sweep for the burst
    # while a drag previews, the curves follow at most every PREVIEW_INTERVAL_MS
    base = document.committed_plan
    for stop in (2790.0, 2780.0, 2770.0, 2760.0):
        document.preview(edits.set_position_field(base, 0, "stop_loss", stop))
    qtbot.waitUntil(lambda: equity.sweeps["planned"].plan is document.plan, timeout=2000)
    assert len(sweeps) == 2
    document.end_preview()
