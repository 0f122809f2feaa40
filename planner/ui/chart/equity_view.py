"""Account equity against a move of the selected symbol (or of the whole market, with a beta per
symbol): the plan as it is, all-cross and all-isolated, with a marker where each isolated bucket
and the cross pool liquidate, and a crosshair that reads out every curve and who is still alive.

The curves are the engine's vectorised sweeps (``sweep_variants``), not a loop of analyses; the
view draws them. Items are built once and updated with ``setData``.

A sweep of three variants costs a few to a few tens of milliseconds on large plans, so the view
recomputes only while it is visible, coalesces bursts of changes into one sweep, and while a
drag previews elsewhere refreshes at most every ``PREVIEW_INTERVAL_MS``.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from planner.domain.errors import PlanError
from planner.domain.formatting import format_percent, format_price
from planner.domain.scenarios import VARIANTS, LiquidationEvent, Sweep, sweep_variants
from planner.ui.chart.equity_legend import LegendBelow
from planner.ui.chart.equity_points import (
    VARIANT_NAMES,
    MarkerInfo,
    alive_positions,
    curve_points,
    event_text,
    marker_tip,
    names,
    position_count,
    sweep_moves,
)
from planner.ui.chart.theme import ChartTheme, is_palette_change, style_plot, theme_for
from planner.ui.document.plan_document import PlanDocument
from planner.ui.widgets.lazy import LazyRefresh

DEFAULT_RANGE_PERCENT = 30
#: while a drag previews the plan, the curves follow at most this often
PREVIEW_INTERVAL_MS = 120


class _BetaDelegate(QStyledItemDelegate):
    """Betas are typed in a spin box: −10 … 10, two decimals."""

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        spin = QDoubleSpinBox(parent)
        spin.setRange(-10.0, 10.0)
        spin.setDecimals(2)
        spin.setSingleStep(0.1)
        spin.setFrame(False)
        return spin


class EquityView(QWidget):
    """Equity against a move for the three variants, with liquidation markers and a read-out."""

    def __init__(self, document: PlanDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self._theme: ChartTheme = theme_for(self.palette())
        self._betas: dict[str, float] = {}
        self._beta_symbols: tuple[str, ...] = ()
        self._sweeps: dict[str, Sweep] = {}
        self._symbol: str | None = None
        self._hover_move: float | None = None
        # the lambda looks ``_recompute`` up at each call (tests wrap it)
        self._lazy = LazyRefresh(
            self,
            lambda: self._recompute(),
            delay_ms=0,
            document=document,
            preview_interval_ms=PREVIEW_INTERVAL_MS,
        )

        self.move_combo = QComboBox()
        self.move_combo.addItem("Symbol only", "symbol")
        self.move_combo.addItem("Whole market (betas)", "market")
        self.move_combo.setToolTip(
            "Move only the selected position's symbol, or every market together, each by "
            "its beta times the move"
        )
        self.move_combo.currentIndexChanged.connect(self._on_move_combo_current_index_changed)
        self.range_spin = QSpinBox()
        self.range_spin.setRange(1, 95)
        self.range_spin.setValue(DEFAULT_RANGE_PERCENT)
        self.range_spin.setPrefix("± ")
        self.range_spin.setSuffix(" %")
        self.range_spin.setToolTip("How far the price is moved each way")
        self.range_spin.valueChanged.connect(self._on_range_spin_value_changed)
        controls = QHBoxLayout()
        controls.setContentsMargins(0, 0, 0, 0)
        controls.addWidget(QLabel("Move"))
        controls.addWidget(self.move_combo, 1)
        controls.addWidget(QLabel("Range"))
        controls.addWidget(self.range_spin)

        self.beta_table = QTableWidget(0, 2)
        self.beta_table.setHorizontalHeaderLabels(["Symbol", "Beta"])
        self.beta_table.verticalHeader().hide()
        self.beta_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.beta_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.beta_table.setItemDelegateForColumn(1, _BetaDelegate(self.beta_table))
        self.beta_table.setMaximumHeight(120)
        self.beta_table.setToolTip(
            "How much each symbol moves per unit of market move (view only: betas are not "
            "saved in the plan)"
        )
        self.beta_table.itemChanged.connect(self._on_beta_table_item_changed)
        self.beta_table.hide()

        self.plot = pg.PlotWidget()
        self.plot.setObjectName("equity_plot")
        item = self.plot.getPlotItem()
        item.setMenuEnabled(False)
        item.showGrid(x=True, y=True, alpha=0.12)
        self.curves: dict[str, pg.PlotDataItem] = {}
        for z, variant in enumerate(VARIANTS):
            self.curves[variant] = item.plot([], [], name=VARIANT_NAMES[variant])
            self.curves[variant].setZValue(z)
        self.bucket_markers = pg.ScatterPlotItem(
            symbol="t", size=13, hoverable=True, tip=marker_tip
        )
        self.pool_markers = pg.ScatterPlotItem(
            symbol="star", size=16, hoverable=True, tip=marker_tip
        )
        # the markers' key, under the plot and never over the curves (which the read-out names
        # in their colours)
        self.legend = LegendBelow(item, labelTextSize="8pt")
        for markers, name in (
            (self.bucket_markers, "bucket liquidated"),
            (self.pool_markers, "cross pool liquidated"),
        ):
            markers.setZValue(10)
            item.addItem(markers)
            self.legend.addItem(markers, name)
        self.zero_line = pg.InfiniteLine(angle=90, movable=False)
        self.crosshair = pg.InfiniteLine(angle=90, movable=False)
        self.crosshair.hide()
        self.hover_dots = pg.ScatterPlotItem(size=8)
        self.hover_dots.setZValue(11)
        for extra in (self.zero_line, self.crosshair, self.hover_dots):
            item.addItem(extra, ignoreBounds=True)
        self._mouse_proxy = pg.SignalProxy(
            self.plot.scene().sigMouseMoved, rateLimit=60, slot=self._on_plot_mouse_moved
        )
        self.plot.viewport().installEventFilter(self)

        self.readout = QLabel()
        self.readout.setTextFormat(Qt.TextFormat.RichText)
        self.readout.setWordWrap(True)
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(controls)
        layout.addWidget(self.beta_table)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.readout)

        document.changed.connect(self._on_document_changed)
        document.amounts.changed.connect(self._draw)  # the "values in" unit: same sweeps
        document.current_changed.connect(self._on_document_current_changed)
        self._apply_theme()

    # --- public ----------------------------------------------------------------------------

    @property
    def sweeps(self) -> Mapping[str, Sweep]:
        """The sweeps on show, by variant (empty before the first refresh)."""
        return self._sweeps

    @property
    def market_wide(self) -> bool:
        return self.move_combo.currentData() == "market"

    @property
    def betas(self) -> dict[str, float]:
        return dict(self._betas)

    def set_beta(self, symbol: str, beta: float) -> None:
        self._betas[symbol] = float(beta)
        self._sync_beta_table(force=True)
        self._schedule()

    def set_market_wide(self, market_wide: bool) -> None:
        self.move_combo.setCurrentIndex(1 if market_wide else 0)

    def marker_points(self) -> list[tuple[str, LiquidationEvent, float, float]]:
        """Every marker on show: (variant, event, x in %, y) — for tests and the report."""
        points = []
        for markers in (self.bucket_markers, self.pool_markers):
            for spot in markers.points():
                info: MarkerInfo = spot.data()
                points.append((info.variant, info.event, spot.pos().x(), spot.pos().y()))
        return points

    def refresh(self) -> None:
        """Sweep the plan and redraw now."""
        self._lazy.run()

    def hover_move(self, move: float | None) -> str:
        """Show the crosshair at ``move`` (a fraction; None hides it); returns the read-out."""
        self._hover_move = move
        self._sync_crosshair()
        return self.readout.text()

    # --- scheduling ------------------------------------------------------------------------

    def _on_document_changed(self) -> None:
        self._schedule()

    def _on_document_current_changed(self, _position_id: str) -> None:
        if self._document.current_symbol != self._symbol:
            self._schedule()

    def _schedule(self) -> None:
        # out of sight: swept when shown; else one sweep for a burst of changes, and while a
        # drag previews, at most one every PREVIEW_INTERVAL_MS
        self._lazy.invalidate()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._lazy.shown()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if is_palette_change(event) and hasattr(self, "readout"):  # not during __init__
            self._apply_theme()

    def _apply_theme(self) -> None:
        theme = self._theme = theme_for(self.palette())
        style_plot(self.plot, theme)
        for variant, curve in self.curves.items():
            curve.setPen(theme.variant_pen(variant))
        outline = pg.mkPen(theme.background, width=1)
        for markers in (self.bucket_markers, self.pool_markers):
            markers.setPen(outline)
            markers.setBrush(theme.foreground)
        self.zero_line.setPen(pg.mkPen(theme.colour("foreground", 90), style=Qt.PenStyle.DotLine))
        self.crosshair.setPen(pg.mkPen(theme.colour("foreground", 160), style=Qt.PenStyle.DashLine))
        self.hover_dots.setPen(outline)
        self.legend.setBrush(pg.mkBrush(theme.label_fill))
        self.legend.setLabelTextColor(theme.foreground)
        for _sample, label in self.legend.items:  # the colour applies when the text is set
            label.setText(label.text, color=theme.foreground.name())
        self.legend.setPen(pg.mkPen(theme.colour("foreground", 60)))
        if self._sweeps:
            self._draw()

    # --- sweeping --------------------------------------------------------------------------

    def _recompute(self) -> None:
        plan = self._document.plan
        self._symbol = symbol = self._document.current_symbol
        self._sync_beta_table()
        self.move_combo.setItemText(0, f"{symbol} only" if symbol else "Symbol only")
        if symbol is None:
            self._sweeps = {}
            self._draw()
            self.readout.setText("No market in the plan.")
            return
        market_wide = self.market_wide
        betas = {s: b for s, b in self._betas.items() if s in self._beta_symbols}
        moves = sweep_moves(
            self.range_spin.value() / 100.0, list(betas.values()) if market_wide else []
        )
        try:
            self._sweeps = sweep_variants(
                plan,
                symbol=None if market_wide else symbol,
                moves=moves,
                betas=betas if market_wide else None,
            )
        except PlanError as error:
            self._sweeps = {}
            self._draw()
            self.readout.setText(html.escape(f"Cannot sweep this plan: {error}"))
            return
        self._draw()

    def _draw(self) -> None:
        sweeps = self._sweeps
        theme = self._theme
        values = self._document.amounts.values()  # the "values in" unit, at today's marks
        scale = 1.0 / values.rate
        for variant, curve in self.curves.items():
            sweep = sweeps.get(variant)
            if sweep is None:
                curve.setData([], [])
                continue
            x, y = curve_points(sweep)
            curve.setData(x * 100.0, y * scale)
        spots: dict[str, list[tuple[float, float, MarkerInfo]]] = {"isolated": [], "cross": []}
        for variant in VARIANTS:
            sweep = sweeps.get(variant)
            if sweep is None:
                continue
            for event in sweep.events:
                before = getattr(event, "equity_before", math.nan)
                y = before if math.isfinite(before) else event.equity_after
                text = event_text(variant, event, sweep, values)
                marker = MarkerInfo(variant, event, text)
                spots[event.kind].append((event.move * 100.0, y * scale, marker))
        for kind, markers in (("isolated", self.bucket_markers), ("cross", self.pool_markers)):
            rows = spots[kind]
            markers.setData(
                x=[r[0] for r in rows],
                y=[r[1] for r in rows],
                brush=[pg.mkBrush(theme.colour(r[2].variant)) for r in rows],
                data=[r[2] for r in rows],
            )
        bottom = self.plot.getPlotItem().getAxis("bottom")
        left = self.plot.getPlotItem().getAxis("left")
        if self.market_wide:
            bottom.setLabel("Market move × beta (%)")
        else:
            bottom.setLabel(f"Move of {self._symbol or 'the symbol'} (%)")
        left.setLabel(f"Equity ({values.unit})")  # short (whole at 1024×700); rate: read-out
        self._sync_crosshair()

    # --- read-out --------------------------------------------------------------------------

    def _on_plot_mouse_moved(self, args: tuple[object, ...]) -> None:
        pos = args[0]
        view = self.plot.getPlotItem().getViewBox()
        if not view.sceneBoundingRect().contains(pos):  # type: ignore[arg-type]
            self.hover_move(None)
            return
        self.hover_move(view.mapSceneToView(pos).x() / 100.0)  # type: ignore[arg-type]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Leave and self._hover_move is not None:
            self.hover_move(None)
        return super().eventFilter(watched, event)

    def _sync_crosshair(self) -> None:
        sweeps = self._sweeps
        planned = sweeps.get("planned")
        if planned is None:
            self.crosshair.hide()
            self.hover_dots.setData([], [])
            return
        move = self._hover_move
        hovering = move is not None
        values = self._document.amounts.values()
        moves = planned.moves
        at = 0.0 if move is None else float(np.clip(move, moves[0], moves[-1]))
        i = int(np.abs(moves - at).argmin())
        x = float(moves[i]) * 100.0
        if hovering:
            self.crosshair.setValue(x)
            self.crosshair.show()
            variants = [v for v in VARIANTS if v in sweeps]
            self.hover_dots.setData(
                x=[x] * len(variants),
                y=[float(sweeps[v].account_equity[i]) / values.rate for v in variants],
                brush=[pg.mkBrush(self._theme.colour(v)) for v in variants],
            )
        else:
            self.crosshair.hide()
            self.hover_dots.setData([], [])
        self.readout.setText(self._readout_html(i, hovering))

    def _readout_html(self, i: int, hovering: bool) -> str:
        sweeps = self._sweeps
        planned = sweeps["planned"]
        plan = planned.plan
        currency = plan.account.currency
        amounts = self._document.amounts  # converted amounts carry their unit
        values = amounts.values()
        move = float(planned.moves[i])
        where = f"at {format_percent(move, 2, sign=True)}"
        if planned.symbol is not None:
            k = [m.symbol for m in plan.markets].index(planned.symbol)
            tick = plan.markets[k].tick_size
            where += f" ({planned.symbol} {format_price(float(planned.prices[i, k]), tick)})"
        else:
            where += " market move"
        head = "Equity " + html.escape(where) + ("" if hovering else " — hover to read")
        head += html.escape(values.note())  # "(converted at 1 BTC = … USDT)" in another unit
        figures = []
        for variant in VARIANTS:
            sweep = sweeps.get(variant)
            if sweep is None:
                continue
            alive, dead = alive_positions(sweep, i)
            colour = self._theme.colour(variant).name()
            figures.append(
                f'<span style="color:{colour}">■</span> {VARIANT_NAMES[variant]} '
                f"<b>{amounts.format(float(sweep.account_equity[i]), currency)}</b> "
                f"({len(alive)}/{len(alive) + len(dead)} alive)"
            )
        alive, dead = alive_positions(planned, i)
        lines = [head + ": " + " · ".join(figures)]
        if dead:
            lines.append(
                "Plan: liquidated " + html.escape(names(dead)) + " · alive " + position_count(alive)
            )
        else:
            lines.append("Plan: every position alive (" + html.escape(names(alive)) + ")")
        return "<br>".join(lines)

    # --- betas -----------------------------------------------------------------------------

    def _sync_beta_table(self, *, force: bool = False) -> None:
        symbols = tuple(m.symbol for m in self._document.plan.markets)
        self.beta_table.setVisible(self.market_wide)
        if symbols == self._beta_symbols and not force:
            return
        self._beta_symbols = symbols
        table = self.beta_table
        table.blockSignals(True)
        try:
            table.setRowCount(len(symbols))
            for row, symbol in enumerate(symbols):
                name = QTableWidgetItem(symbol)
                name.setFlags(Qt.ItemFlag.ItemIsEnabled)
                table.setItem(row, 0, name)
                beta = QTableWidgetItem()
                beta.setData(Qt.ItemDataRole.EditRole, self._betas.get(symbol, 1.0))
                table.setItem(row, 1, beta)
        finally:
            table.blockSignals(False)

    def _on_beta_table_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() != 1:
            return
        symbol = self._beta_symbols[item.row()]
        try:
            beta = float(item.data(Qt.ItemDataRole.EditRole))
        except (TypeError, ValueError):
            beta = math.nan
        if not math.isfinite(beta):
            self._sync_beta_table(force=True)
            return
        self._betas[symbol] = beta
        self._schedule()

    def _on_move_combo_current_index_changed(self, _index: int) -> None:
        self.beta_table.setVisible(self.market_wide)
        self._schedule()

    def _on_range_spin_value_changed(self, _value: int) -> None:
        self._schedule()
