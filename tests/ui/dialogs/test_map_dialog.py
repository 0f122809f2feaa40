"""The two-asset map draws ``two_asset_map(...).state`` as it is, in three colours that differ
in greyscale too, and reads out the cell under the crosshair."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from planner.domain.formatting import format_amount, format_percent
from planner.domain.maps import POOL_LIQUIDATED, two_asset_map
from planner.ui.dialogs.map_dialog import GRID_STEPS, MapView, state_lookup_table
from planner.ui.document import edits


@pytest.fixture
def view(qtbot, document) -> MapView:
    widget = MapView(document)
    qtbot.addWidget(widget)
    widget.resize(700, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_image_is_the_domain_state_grid(view: MapView, document) -> None:
    view.set_symbols("BTCUSDT", "SOLUSDT")
    view.range_spin.setValue(80.0)
    view.flush()
    moves = np.linspace(-0.8, 0.8, GRID_STEPS)
    expected = two_asset_map(document.plan, "BTCUSDT", "SOLUSDT", moves, moves)
    assert view.image.image.shape == (GRID_STEPS, GRID_STEPS)
    np.testing.assert_array_equal(view.image.image, expected.state)
    # the example plan's pool is lost when BTC falls and SOL rises far enough
    assert (expected.state == POOL_LIQUIDATED).any()
    # the image spans the moves in percent, one cell centred on each move
    rect = view.image.mapRectToParent(view.image.boundingRect())
    step = 160.0 / (GRID_STEPS - 1)
    assert rect.left() == pytest.approx(-80.0 - step / 2)
    assert rect.right() == pytest.approx(80.0 + step / 2)
    # boundaries drawn where the state changes
    assert all(not curve.boundingRect().isEmpty() for curve in view.boundaries)


def test_readout_names_the_cell(view: MapView, document) -> None:
    view.set_symbols("BTCUSDT", "SOLUSDT")
    view.flush()
    asset_map = view.asset_map
    assert asset_map is not None
    ix = iy = GRID_STEPS // 2
    text = view.read_out(0.0, 0.0)
    equity = format_amount(float(asset_map.account_equity[iy, ix]), "USDT", with_unit=True)
    zero = format_percent(0.0, 1, sign=True)
    assert text == f"BTCUSDT {zero} · SOLUSDT {zero}: everything alive; account equity {equity}"
    assert view.readout.text() == text

    # far corner: BTC −50 %, SOL +50 %
    text = view.read_out(-0.5, 0.5)
    assert "the cross pool liquidated" in text
    assert format_amount(float(asset_map.account_equity[-1, 0]), "USDT", with_unit=True) in text
    assert view.v_line.value() == pytest.approx(-50.0)
    assert view.h_line.value() == pytest.approx(50.0)

    # the mouse moves the crosshair
    plot_item = view.plot.getPlotItem()
    scene_point = plot_item.vb.mapViewToScene(QPointF(10.0, -20.0))
    view._on_plot_mouse_moved(scene_point)
    assert view.v_line.value() == pytest.approx(10.0, abs=0.5)
    assert "BTCUSDT +10.0 %" in view.readout.text()


def test_colours_differ_in_greyscale() -> None:
    lut = state_lookup_table().astype(float)
    grey = lut @ np.array([0.299, 0.587, 0.114])
    assert len(lut) == 3
    assert np.diff(np.sort(grey)).min() > 50  # light, middle, dark


def test_follows_the_plan_and_needs_two_markets(qtbot, view: MapView, document) -> None:
    view.set_symbols("BTCUSDT", "SOLUSDT")
    view.flush()
    document.edit(lambda plan: edits.set_position_field(plan, 1, "quantity", 2.0), "Size")
    qtbot.waitUntil(lambda: view.asset_map is not None and view.asset_map.plan is document.plan)
    moves = np.linspace(-0.5, 0.5, GRID_STEPS)
    expected = two_asset_map(document.plan, "BTCUSDT", "SOLUSDT", moves, moves)
    np.testing.assert_array_equal(view.image.image, expected.state)

    view.set_symbols("BTCUSDT", "BTCUSDT")
    view.flush()
    assert view.asset_map is None and "two different symbols" in view.message.text()

    document.reset(edits.new_plan())
    view.flush()
    assert view.asset_map is None and "two markets" in view.message.text()


def test_tools_menu_opens_the_map(qtbot, window) -> None:
    window.actions.two_asset_map.trigger()
    dialog = window.tools.map_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.view.flush()
    assert dialog.view.asset_map is not None
    # the plan's most used symbols by default (ties: market order)
    assert (dialog.view.symbol_x, dialog.view.symbol_y) == ("BTCUSDT", "ETHUSDT")
    dialog.close()
