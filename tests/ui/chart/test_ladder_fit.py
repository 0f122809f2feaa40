"""The ladder never keeps a stale scale: an edit that brings the selected position's far lines
back near the mark refits it (a tester saw ETH's lines squeezed into the bottom of a
0–35,000 scale until Fit), a selection change fits the new position's lines and ends a zoom by
hand, and while zoomed by hand edits leave the view alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from planner.domain.ladder import symbol_ladder
from planner.storage import load_plan
from planner.ui.document import edits
from tests.ui.chart.test_ladder_follows import wheel

EXAMPLES = Path(__file__).resolve().parents[3] / "resources" / "examples"
#: the selected position's levels fill at least this share of a view that follows them
LEAST_FILL = 0.4


def y_range(window) -> tuple[float, float]:
    (_, _), (low, high) = window.chart.ladder.view_box.viewRange()
    return low, high


def fitted(window) -> bool:
    """Every line of the selected position in view, and the symbol's levels filling at least
    ``LEAST_FILL`` of its height (no scale left over from lines that have since moved)."""
    QApplication.processEvents()
    document = window.document
    ladder = symbol_ladder(document.analysis, window.chart.ladder.symbol, scale_in=True)
    low, high = y_range(window)
    own = [lv.price for lv in ladder.of_position(document.current_id)]
    levels_low, levels_high = ladder.price_range()
    in_view = bool(own) and all(low <= price <= high for price in own)
    return in_view and levels_high - levels_low >= LEAST_FILL * (high - low)


@pytest.fixture
def shown(qtbot, window):
    window.resize(1600, 1000)
    window.show()
    qtbot.waitExposed(window)
    window.chart.show_ladder()
    return window


def test_an_edit_that_brings_far_lines_back_refits_the_view(shown) -> None:
    # the tester's steps: a BTC long, then an ETH short added at 3,000 with the default size
    # (its cross liquidation far above, ~31,000: the view fits 0–35,000), then sized to 5
    # (liquidation at ~7,900) and made isolated (~3,600): the view stayed at 0–35,000
    document = shown.document
    plan = edits.new_plan()
    plan, btc = edits.create_position(
        plan, {"symbol": "BTCUSDT", "side": "long", "entry_price": 60000.0, "quantity": 0.5}
    )
    document.reset(plan)
    draft = {"symbol": "ETHUSDT", "side": "short", "entry_price": 3000.0}
    plan, eth = edits.create_position(document.committed_plan, draft, 0)
    document.apply(plan, "Add position", select=eth)
    assert shown.chart.ladder.symbol == "ETHUSDT"
    assert fitted(shown), y_range(shown)
    far = y_range(shown)
    document.edit(lambda p: edits.set_position_field(p, 1, "quantity", 5.0), "Size")
    assert y_range(shown) != far
    assert fitted(shown), y_range(shown)
    document.edit(lambda p: edits.set_position_field(p, 1, "stop_loss", 3150.0), "Stop")
    document.edit(lambda p: edits.set_position_field(p, 1, "margin_mode", "isolated"), "Mode")
    assert fitted(shown), y_range(shown)
    # and back to BTC, and to ETH again: each fitted
    document.set_current(btc)
    assert fitted(shown), y_range(shown)
    document.set_current(eth)
    assert fitted(shown), y_range(shown)


def test_an_edit_within_a_fitting_view_leaves_it_alone(shown) -> None:
    document = shown.document
    document.reset(load_plan(EXAMPLES / "hybrid.tplan"))
    assert fitted(shown)
    before = y_range(shown)
    stop = document.plan.positions[0].stop_loss
    document.edit(lambda p: edits.set_position_field(p, 0, "stop_loss", stop + 20.0), "Stop")
    assert y_range(shown) == before


def test_a_selection_change_fits_the_new_position_and_ends_a_zoom_by_hand(shown) -> None:
    document, ladder = shown.document, shown.chart.ladder
    document.reset(load_plan(EXAMPLES / "hedge-mode.tplan"))
    assert document.current_id == "btc-core-long"
    assert fitted(shown)
    # zoomed in by hand on the long's entry: edits leave the view alone
    ladder.view_box.setYRange(59500.0, 60500.0, padding=0)
    wheel(shown.chart, 2)
    assert not ladder.follows_edits
    zoomed = y_range(shown)
    document.edit(lambda p: edits.set_position_field(p, 0, "stop_loss", 55000.0), "Stop")
    assert y_range(shown) == zoomed
    # the hedge (same symbol) selected: its lines are out of the zoomed view, it is fitted,
    # and the view follows edits again
    document.set_current("btc-hedge-short")
    assert ladder.follows_edits
    assert fitted(shown), y_range(shown)
    document.edit(lambda p: edits.set_position_field(p, 1, "stop_loss", 90000.0), "Stop")
    assert fitted(shown), y_range(shown)
