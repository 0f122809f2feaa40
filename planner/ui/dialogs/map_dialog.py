"""The two-asset map: what is left of the account over a grid of moves of two symbols (every
other price held) — everything alive, some isolated bucket liquidated, or the cross pool lost.

The grid is ``planner.domain.maps.two_asset_map`` (one vectorised valuation, no loop over
cells); this view only draws its ``state`` as an image in three colours that also differ in
lightness (they read in greyscale print), outlines the boundaries between them and reads out
the cell under the crosshair.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from planner.domain.errors import PlanError
from planner.domain.formatting import format_percent
from planner.domain.maps import (
    ALIVE,
    BUCKETS_LIQUIDATED,
    POOL_LIQUIDATED,
    AssetMap,
    two_asset_map,
)
from planner.ui.chart.theme import is_palette_change, style_plot, theme_for
from planner.ui.document.plan_document import PlanDocument
from planner.ui.explanations import explain
from planner.ui.widgets.lazy import LazyRefresh

#: cells per axis
GRID_STEPS = 201
DEFAULT_RANGE_PERCENT = 50.0

#: state → (colour, words). Light, middle and dark: told apart in greyscale too.
STATE_STYLES: dict[int, tuple[str, str]] = {
    ALIVE: ("#DDEEDD", "everything alive"),
    BUCKETS_LIQUIDATED: ("#E69F00", "an isolated bucket liquidated"),
    POOL_LIQUIDATED: ("#4B1B52", "the cross pool liquidated"),
}
STATE_LEGEND: dict[int, str] = {
    ALIVE: "All alive",
    BUCKETS_LIQUIDATED: "Isolated bucket liquidated",
    POOL_LIQUIDATED: "Cross pool liquidated",
}


def state_lookup_table() -> np.ndarray:
    """The image's lookup table: one RGB row per state."""
    rows = []
    for state in (ALIVE, BUCKETS_LIQUIDATED, POOL_LIQUIDATED):
        colour = QColor(STATE_STYLES[state][0])
        rows.append((colour.red(), colour.green(), colour.blue()))
    return np.array(rows, dtype=np.ubyte)


class MapView(QWidget):
    """Pick two symbols and a range; see the account's state over every pair of moves."""

    def __init__(self, document: PlanDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("map_view")
        self.document = document
        self.asset_map: AssetMap | None = None
        self._symbols: list[str] = []
        self._lazy = LazyRefresh(self, self._recompute, document=document)

        self.x_combo = QComboBox()
        self.x_combo.setObjectName("map_symbol_x")
        self.x_combo.setToolTip("The symbol moved along the horizontal axis")
        self.y_combo = QComboBox()
        self.y_combo.setObjectName("map_symbol_y")
        self.y_combo.setToolTip("The symbol moved along the vertical axis")
        self.range_spin = QDoubleSpinBox()
        self.range_spin.setObjectName("map_range")
        self.range_spin.setRange(1.0, 95.0)
        self.range_spin.setDecimals(0)
        self.range_spin.setSingleStep(5.0)
        self.range_spin.setPrefix("± ")
        self.range_spin.setSuffix(" %")
        self.range_spin.setValue(DEFAULT_RANGE_PERCENT)
        self.range_spin.setKeyboardTracking(False)
        self.range_spin.setToolTip(explain("map_range"))
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Across"))
        controls.addWidget(self.x_combo, 1)
        controls.addWidget(QLabel("Up"))
        controls.addWidget(self.y_combo, 1)
        controls.addWidget(QLabel("Moves of"))
        controls.addWidget(self.range_spin)

        self.plot = pg.PlotWidget()
        self.plot.setObjectName("map_plot")
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setToolTip(explain("map_state"))
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(state_lookup_table())
        self.image.setLevels((0, 2))
        self.plot.addItem(self.image)
        # boundaries: between alive and any liquidation, and where the pool goes too
        self.boundaries = [
            pg.IsocurveItem(level=level, axisOrder="row-major") for level in (0.5, 1.5)
        ]
        for curve in self.boundaries:
            curve.setParentItem(self.image)
            curve.setPos(0.5, 0.5)  # isocurves run through cell indices, pixels centre at +½
        self.now_marker = pg.ScatterPlotItem(
            [0.0], [0.0], symbol="+", size=14, pen=pg.mkPen("k", width=2), brush=None
        )
        self.now_marker.setZValue(10)
        self.plot.addItem(self.now_marker)
        self.v_line = pg.InfiniteLine(angle=90, movable=False)
        self.h_line = pg.InfiniteLine(angle=0, movable=False)
        for line in (self.v_line, self.h_line):
            line.setZValue(11)
            self.plot.addItem(line, ignoreBounds=True)
        self.plot.scene().sigMouseMoved.connect(self._on_plot_mouse_moved)

        self.readout = QLabel()
        self.readout.setObjectName("map_readout")
        self.readout.setWordWrap(True)
        self.readout.setMinimumHeight(self.readout.fontMetrics().height() * 2)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setVisible(False)

        legend = QHBoxLayout()
        for state in (ALIVE, BUCKETS_LIQUIDATED, POOL_LIQUIDATED):
            swatch = QLabel()
            pixmap = QPixmap(14, 14)
            pixmap.fill(QColor(STATE_STYLES[state][0]))
            swatch.setPixmap(pixmap)
            legend.addWidget(swatch)
            legend.addWidget(QLabel(STATE_LEGEND[state]))
            legend.addSpacing(12)
        legend.addWidget(QLabel("+ the prices now; lines: where the state changes"))
        legend.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.message)
        layout.addWidget(self.plot, 1)
        layout.addLayout(legend)
        layout.addWidget(self.readout)

        self._apply_theme()
        self._sync_symbols()
        self.x_combo.currentIndexChanged.connect(self._on_symbol_combo_changed)
        self.y_combo.currentIndexChanged.connect(self._on_symbol_combo_changed)
        self.range_spin.valueChanged.connect(self._on_range_spin_changed)
        document.changed.connect(self._on_document_changed)
        document.amounts.changed.connect(self._lazy.invalidate)  # the read-out's unit

    # --- inputs ----------------------------------------------------------------------------

    @property
    def symbol_x(self) -> str:
        return self.x_combo.currentText()

    @property
    def symbol_y(self) -> str:
        return self.y_combo.currentText()

    def moves(self) -> np.ndarray:
        """The moves of each axis, as fractions."""
        reach = self.range_spin.value() / 100.0
        return np.linspace(-reach, reach, GRID_STEPS)

    def set_symbols(self, symbol_x: str, symbol_y: str) -> None:
        self.x_combo.setCurrentText(symbol_x)
        self.y_combo.setCurrentText(symbol_y)
        self._lazy.invalidate()

    def _sync_symbols(self) -> None:
        symbols = [m.symbol for m in self.document.plan.markets]
        if symbols == self._symbols:
            return
        self._symbols = symbols
        keep = (self.symbol_x, self.symbol_y)
        defaults = self._default_symbols(symbols)
        for combo, kept, default in zip((self.x_combo, self.y_combo), keep, defaults, strict=True):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(symbols)
            combo.setCurrentText(kept if kept in symbols else default)
            combo.blockSignals(False)

    def _default_symbols(self, symbols: list[str]) -> tuple[str, str]:
        """The two symbols the plan holds most positions in (market order breaks ties)."""
        plan = self.document.plan
        used = [p.symbol for p in plan.positions]
        ranked = sorted(symbols, key=lambda s: (-used.count(s), symbols.index(s)))
        if len(ranked) < 2:
            first = ranked[0] if ranked else ""
            return first, first
        return ranked[0], ranked[1]

    # --- drawing ---------------------------------------------------------------------------

    def refresh(self) -> None:
        self._lazy.run()

    def flush(self) -> None:
        self._lazy.flush()

    def _recompute(self) -> None:
        plan = self.document.plan
        self.asset_map = None
        if len(plan.markets) < 2:
            self._show_message("The map needs two markets: add a second one under Markets.")
            return
        if self.symbol_x == self.symbol_y:
            self._show_message("Choose two different symbols.")
            return
        moves = self.moves()
        try:
            asset_map = two_asset_map(plan, self.symbol_x, self.symbol_y, moves, moves)
        except PlanError as error:
            self._show_message(f"No map: {error}")
            return
        self.asset_map = asset_map
        self.message.setVisible(False)
        self.plot.setVisible(True)
        percent_x = asset_map.moves_x * 100.0
        percent_y = asset_map.moves_y * 100.0
        step_x = percent_x[1] - percent_x[0] if percent_x.size > 1 else 1.0
        step_y = percent_y[1] - percent_y[0] if percent_y.size > 1 else 1.0
        self.image.setImage(asset_map.state, autoLevels=False, levels=(0, 2))
        # cells centred on their moves
        self.image.setRect(
            QRectF(
                percent_x[0] - step_x / 2,
                percent_y[0] - step_y / 2,
                step_x * percent_x.size,
                step_y * percent_y.size,
            )
        )
        grid = asset_map.state.astype(float)
        for curve in self.boundaries:
            curve.setData(grid)
        item = self.plot.getPlotItem()
        item.setLabel("bottom", f"{asset_map.symbol_x} move", units="%")
        item.setLabel("left", f"{asset_map.symbol_y} move", units="%")
        item.getAxis("bottom").enableAutoSIPrefix(False)
        item.getAxis("left").enableAutoSIPrefix(False)
        self.plot.setRange(
            xRange=(percent_x[0], percent_x[-1]), yRange=(percent_y[0], percent_y[-1]), padding=0
        )
        self.read_out(0, 0)

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(True)
        self.plot.setVisible(False)
        self.readout.setText("")

    def _apply_theme(self) -> None:
        theme = theme_for(self.palette())
        style_plot(self.plot, theme)
        # one colour that reads on the light, the middle and the dark state alike
        pen = pg.mkPen(QColor("#0072B2"), width=1.5, style=Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        for line in (self.v_line, self.h_line):
            line.setPen(pen)
        boundary = pg.mkPen(QColor("#111111"), width=1.5)
        boundary.setCosmetic(True)
        for curve in self.boundaries:
            curve.setPen(boundary)

    def read_out(self, move_x: float, move_y: float) -> str:
        """Describe the cell nearest to (``move_x``, ``move_y``) (fractions) and move the
        crosshair there; returns the text."""
        asset_map = self.asset_map
        if asset_map is None:
            return ""
        ix = int(np.abs(asset_map.moves_x - move_x).argmin())
        iy = int(np.abs(asset_map.moves_y - move_y).argmin())
        mx, my = float(asset_map.moves_x[ix]), float(asset_map.moves_y[iy])
        state = int(asset_map.state[iy, ix])
        currency = asset_map.plan.account.currency
        values = self.document.amounts.values()  # the "values in" unit
        equity = float(asset_map.account_equity[iy, ix])
        words = STATE_STYLES[state][1]
        if state == BUCKETS_LIQUIDATED:
            count = int(asset_map.buckets_liquidated[iy, ix])
            words = f"{count} isolated bucket{'s' if count != 1 else ''} liquidated"
        text = (
            f"{asset_map.symbol_x} {format_percent(mx, 1, sign=True)} · "
            f"{asset_map.symbol_y} {format_percent(my, 1, sign=True)}: {words}; account equity "
            f"{values.format_amount(equity, currency, with_unit=True)}"
        )
        self.v_line.setPos(mx * 100.0)
        self.h_line.setPos(my * 100.0)
        self.readout.setText(text)
        return text

    # --- slots -----------------------------------------------------------------------------

    def _on_plot_mouse_moved(self, position: QPointF) -> None:
        view = self.plot.getPlotItem().vb
        if self.asset_map is None or not view.sceneBoundingRect().contains(position):
            return
        point = view.mapSceneToView(position)
        self.read_out(point.x() / 100.0, point.y() / 100.0)

    def _on_document_changed(self) -> None:
        self._sync_symbols()
        self._lazy.invalidate()

    def _on_symbol_combo_changed(self, _index: int) -> None:
        self._lazy.invalidate()

    def _on_range_spin_changed(self, _value: float) -> None:
        self._lazy.invalidate()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._lazy.shown()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if is_palette_change(event) and hasattr(self, "readout"):  # not during __init__
            self._apply_theme()


class MapDialog(QDialog):
    """The map in a window of its own (Tools ▸ Two-Asset Map…), following the plan."""

    def __init__(self, document: PlanDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("map_dialog")
        self.setWindowTitle("Two-asset map")
        self.view = MapView(document)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.view)
        self.resize(720, 640)
