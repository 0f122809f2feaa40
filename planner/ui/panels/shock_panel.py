"""The scenarios panel: move one symbol, or the whole market with a beta per symbol, and see
every key figure after the move; then the liquidations, in the order they happen, along a
sweep of moves and what the account is left with after each.

Every figure is ``analyze(shocked(plan, ...))`` or ``sweep(plan, ...)`` from
``planner.domain.scenarios``; the panel only formats them. The move, the symbol and the betas
are view state: they are not part of the plan and are not undone.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from planner.domain.analysis import Analysis
from planner.domain.errors import PlanError
from planner.domain.formatting import (
    MISSING,
    format_percent,
    format_price,
)
from planner.domain.plan import Plan
from planner.domain.plan_analysis import analyze
from planner.domain.scenarios import Sweep, shocked, sweep
from planner.ui.document.plan_document import PlanDocument
from planner.ui.explanations import explain
from planner.ui.panels.sweep_events import event_move as _event_move
from planner.ui.panels.sweep_events import event_tick as _tick
from planner.ui.panels.sweep_events import event_what as _event_what
from planner.ui.widgets.figure_table import DANGER_BACKGROUND, FigureTable
from planner.ui.widgets.lazy import LazyRefresh
from planner.ui.widgets.number_box import NumberBox
from planner.ui.widgets.text_table import TextRow, TextTable, TextTableModel

#: the move a new panel starts with, in percent
DEFAULT_MOVE_PERCENT = -10.0
#: the sweep runs from −range to +range (percent), in this many steps
DEFAULT_SWEEP_PERCENT = 50.0
SWEEP_STEPS = 201
#: at this width and wider the figures and the positions sit side by side
TWO_COLUMNS_WIDTH = 760
#: betas per row
BETA_COLUMNS = 3

ACCOUNT_ROWS: tuple[tuple[str, str], ...] = (
    ("account_equity", "Account equity"),
    ("unrealized_pnl", "Unrealised PnL"),
    ("cross_equity", "Cross pool equity"),
    ("cross_maintenance_margin", "Cross maintenance"),
    ("cross_risk_ratio", "Cross risk ratio"),
    ("cross_available", "Available"),
    ("cross_status", "Cross pool"),
    ("buckets_liquidated", "Isolated buckets liquidated"),
)
STAGE_COLUMNS: tuple[tuple[str, str], ...] = (("shock_now", "Now"), ("shock_after", "After"))

POSITION_HEADERS = ("Position", "Price after", "PnL after", "Status")
POSITION_TIPS = ("id", "shock_price", "unrealized_pnl", "shock_liquidated")
EVENT_HEADERS = ("Move", "Price", "Liquidated", "Equity left")
EVENT_TIPS = ("sweep_move", "sweep_price", "sweep_what", "sweep_equity_after")


class ShockPanel(QScrollArea):
    """Price shocks and sweeps of the document's plan."""

    def __init__(self, document: PlanDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shock_panel")
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.document = document
        #: beta of every symbol for market-wide moves (view state, 1 unless changed)
        self.betas: dict[str, float] = {}
        self._beta_spins: dict[str, NumberBox] = {}
        self._symbols: list[str] = []
        self._columns = 0
        self.shocked_analysis: Analysis | None = None
        self.sweep_result: Sweep | None = None
        self.error = ""
        self._lazy = LazyRefresh(self, self._recompute, document=document)

        content = QWidget()
        outer = QVBoxLayout(content)
        outer.addWidget(self._build_move())
        self._grid = QGridLayout()
        outer.addLayout(self._grid)
        self._figures_group = self._build_figures()
        self._positions_group = self._build_positions()
        outer.addWidget(self._build_sweep())
        outer.addStretch(1)
        self.setWidget(content)
        self._arrange(1)

        self._sync_symbols()
        self._on_mode_changed()
        document.changed.connect(self._on_document_changed)
        document.amounts.changed.connect(self._lazy.invalidate)

    # --- building --------------------------------------------------------------------------

    def _build_move(self) -> QGroupBox:
        group = QGroupBox("Move")
        layout = QVBoxLayout(group)
        row = QHBoxLayout()
        self.symbol_radio = QRadioButton("One symbol")
        self.symbol_radio.setToolTip(explain("shock_symbol"))
        self.market_radio = QRadioButton("Whole market")
        self.market_radio.setToolTip(explain("market_move"))
        self._mode_group = QButtonGroup(self)
        self._mode_group.addButton(self.symbol_radio)
        self._mode_group.addButton(self.market_radio)
        self.symbol_radio.setChecked(True)
        self.symbol_combo = QComboBox()
        self.symbol_combo.setObjectName("shock_symbol_combo")
        self.symbol_combo.setToolTip(explain("shock_symbol"))
        self.move_spin = NumberBox()
        self.move_spin.setObjectName("shock_move_spin")
        self.move_spin.setRange(-99.0, 500.0)
        self.move_spin.setDecimals(1)
        self.move_spin.setSingleStep(1.0)
        self.move_spin.setSuffix(" %")
        self.move_spin.setValue(DEFAULT_MOVE_PERCENT)
        self.move_spin.setToolTip(explain("shock_move"))
        self.move_spin.setMinimumWidth(
            self.move_spin.fontMetrics().horizontalAdvance("-000.0 %") + 40
        )
        row.addWidget(self.symbol_radio)
        row.addWidget(self.symbol_combo, 1)
        row.addWidget(self.market_radio)
        layout.addLayout(row)
        move_row = QHBoxLayout()
        move_row.addWidget(QLabel("Move by"))
        move_row.addWidget(self.move_spin)
        move_row.addStretch(1)
        layout.addLayout(move_row)
        self._betas_box = QGroupBox("Betas")
        self._betas_box.setToolTip(explain("beta"))
        self._betas_layout = QGridLayout(self._betas_box)
        layout.addWidget(self._betas_box)
        self.error_label = QLabel()
        self.error_label.setObjectName("shock_error")
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(False)
        layout.addWidget(self.error_label)

        self.symbol_radio.toggled.connect(self._on_symbol_radio_toggled)
        self.symbol_combo.currentIndexChanged.connect(self._on_symbol_combo_changed)
        self.move_spin.valueChanged.connect(self._on_move_spin_changed)
        return group

    def _build_figures(self) -> QGroupBox:
        group = QGroupBox("Account after the move")
        self.figure_table = FigureTable(ACCOUNT_ROWS, STAGE_COLUMNS)
        self.figure_table.setObjectName("shock_figures")
        QVBoxLayout(group).addWidget(self.figure_table)
        group.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        return group

    def _build_positions(self) -> QGroupBox:
        group = QGroupBox("Positions after the move")
        self.position_model = TextTableModel(POSITION_HEADERS, POSITION_TIPS, right=(1, 2))
        self.position_table = TextTable(self.position_model, stretch=0)
        self.position_table.setObjectName("shock_positions")
        QVBoxLayout(group).addWidget(self.position_table)
        return group

    def _build_sweep(self) -> QGroupBox:
        group = QGroupBox("Liquidations along the way")
        group.setToolTip(explain("sweep_events"))
        layout = QVBoxLayout(group)
        row = QHBoxLayout()
        self.sweep_spin = NumberBox()
        self.sweep_spin.setObjectName("sweep_range_spin")
        self.sweep_spin.setRange(1.0, 99.0)
        self.sweep_spin.setDecimals(0)
        self.sweep_spin.setSingleStep(5.0)
        self.sweep_spin.setPrefix("± ")
        self.sweep_spin.setSuffix(" %")
        self.sweep_spin.setValue(DEFAULT_SWEEP_PERCENT)
        self.sweep_spin.setToolTip(explain("sweep_range"))
        row.addWidget(QLabel("Moves of"))
        row.addWidget(self.sweep_spin)
        self.sweep_caption = QLabel()
        self.sweep_caption.setWordWrap(True)
        row.addWidget(self.sweep_caption, 1)
        layout.addLayout(row)
        self.event_model = TextTableModel(EVENT_HEADERS, EVENT_TIPS, right=(0, 1, 3))
        self.event_table = TextTable(self.event_model, stretch=2)
        self.event_table.setObjectName("sweep_events")
        layout.addWidget(self.event_table)
        self.sweep_spin.valueChanged.connect(self._on_sweep_spin_changed)
        return group

    def _arrange(self, columns: int) -> None:
        if columns == self._columns:
            return
        self._columns = columns
        for group in (self._figures_group, self._positions_group):
            self._grid.removeWidget(group)
        top = Qt.AlignmentFlag.AlignTop
        self._grid.addWidget(self._figures_group, 0, 0, alignment=top)
        if columns == 2:
            self._grid.addWidget(self._positions_group, 0, 1, alignment=top)
        else:
            self._grid.addWidget(self._positions_group, 1, 0, alignment=top)
        self._grid.setColumnStretch(0, 1)
        self._grid.setColumnStretch(1, 1 if columns == 2 else 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange(2 if event.size().width() >= TWO_COLUMNS_WIDTH else 1)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._lazy.shown()

    # --- inputs (view state) ---------------------------------------------------------------

    @property
    def market_wide(self) -> bool:
        return self.market_radio.isChecked()

    @property
    def symbol(self) -> str | None:
        """The symbol moved alone, None for a market-wide move."""
        if self.market_wide:
            return None
        return self.symbol_combo.currentText() or None

    @property
    def move(self) -> float:
        """The move as a fraction (the spin box shows percent)."""
        return self.move_spin.value() / 100.0

    def set_move(self, percent: float, *, symbol: str | None = None) -> None:
        """Move ``symbol`` (or, with None, the whole market) by ``percent``."""
        if symbol is None:
            self.market_radio.setChecked(True)
        else:
            self.symbol_radio.setChecked(True)
            self.symbol_combo.setCurrentText(symbol)
        self.move_spin.setValue(percent)
        self._lazy.invalidate()

    def set_beta(self, symbol: str, beta: float) -> None:
        self.betas[symbol] = beta
        spin = self._beta_spins.get(symbol)
        if spin is not None:
            spin.blockSignals(True)
            spin.setValue(beta)
            spin.blockSignals(False)
        self._lazy.invalidate()

    def shock_arguments(self) -> dict[str, Any]:
        """The arguments of ``shocked`` (and ``sweep``) for the current inputs."""
        if self.market_wide:
            return {"market_move": self.move, "betas": dict(self.betas)}
        symbol = self.symbol
        return {"moves": {symbol: self.move} if symbol else {}}

    def sweep_moves(self) -> np.ndarray:
        reach = self.sweep_spin.value() / 100.0
        return np.linspace(-reach, reach, SWEEP_STEPS)

    def _sync_symbols(self) -> None:
        symbols = [m.symbol for m in self.document.plan.markets]
        if symbols == self._symbols:
            return
        self._symbols = symbols
        current = self.symbol_combo.currentText()
        self.symbol_combo.blockSignals(True)
        self.symbol_combo.clear()
        self.symbol_combo.addItems(symbols)
        if current in symbols:
            self.symbol_combo.setCurrentText(current)
        self.symbol_combo.blockSignals(False)
        self.betas = {s: self.betas.get(s, 1.0) for s in symbols}
        while self._betas_layout.count():
            item = self._betas_layout.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()
        self._beta_spins = {}
        for k, symbol in enumerate(symbols):
            spin = NumberBox()
            spin.setRange(-10.0, 10.0)
            spin.setDecimals(2)
            spin.setSingleStep(0.1)
            spin.setValue(self.betas[symbol])
            spin.setToolTip(explain("beta"))
            spin.valueChanged.connect(lambda value, s=symbol: self._on_beta_spin_changed(s, value))
            spin.setMaximumWidth(spin.fontMetrics().horizontalAdvance("-00.00") + 40)
            self._beta_spins[symbol] = spin
            label = QLabel(symbol)
            label.setToolTip(explain("beta"))
            row, column = divmod(k, BETA_COLUMNS)
            self._betas_layout.addWidget(label, row, 2 * column)
            self._betas_layout.addWidget(spin, row, 2 * column + 1)
        self._betas_layout.setColumnStretch(2 * BETA_COLUMNS, 1)

    # --- slots -----------------------------------------------------------------------------

    def _on_document_changed(self) -> None:
        self._sync_symbols()
        self._lazy.invalidate()

    def _on_symbol_radio_toggled(self, _checked: bool) -> None:
        self._on_mode_changed()

    def _on_mode_changed(self) -> None:
        market = self.market_wide
        self.symbol_combo.setEnabled(not market)
        self._betas_box.setVisible(market)
        self._lazy.invalidate()

    def _on_symbol_combo_changed(self, _index: int) -> None:
        self._lazy.invalidate()

    def _on_move_spin_changed(self, _value: float) -> None:
        self._lazy.invalidate()

    def _on_sweep_spin_changed(self, _value: float) -> None:
        self._lazy.invalidate()

    def _on_beta_spin_changed(self, symbol: str, value: float) -> None:
        self.betas[symbol] = value
        self._lazy.invalidate()

    # --- figures ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Recompute now (the panel otherwise follows the plan while visible)."""
        self._lazy.run()

    def flush(self) -> None:
        self._lazy.flush()

    def _recompute(self) -> None:
        plan = self.document.plan
        errors: list[str] = []
        try:
            self.shocked_analysis = analyze(shocked(plan, **self.shock_arguments()))
        except PlanError as error:
            self.shocked_analysis = None
            errors.append(f"Cannot move the prices: {error}")
        try:
            self.sweep_result = (
                sweep(plan, symbol=self.symbol, moves=self.sweep_moves(), betas=self._sweep_betas())
                if plan.markets
                else None
            )
        except PlanError as error:
            self.sweep_result = None
            errors.append(f"Cannot sweep the prices: {error}")
        self.error = " ".join(errors)
        self.error_label.setText(self.error)
        self.error_label.setVisible(bool(self.error))
        self._show_figures(plan)
        self._show_positions(plan)
        self._show_events(plan)

    def _sweep_betas(self) -> dict[str, float] | None:
        return dict(self.betas) if self.market_wide else None

    def _show_figures(self, plan: Plan) -> None:
        table = self.figure_table
        for column, analysis in (
            ("shock_now", self.document.analysis),
            ("shock_after", self.shocked_analysis),
        ):
            if analysis is None:
                for key in table.row_keys():
                    table.set_figure(key, column, MISSING)
                continue
            currency = analysis.currency
            cross = analysis.cross
            has_cross = any(p.margin_mode == "cross" for p in plan.positions)
            pool_lost = has_cross and cross.liquidated
            liquidated = sum(b.liquidated for b in analysis.buckets)
            table.set_figure(
                "account_equity", column, self.document.amounts.format(analysis.equity, currency)
            )
            table.set_figure(
                "unrealized_pnl",
                column,
                self.document.amounts.format(analysis.unrealized_pnl, currency, sign=True),
            )
            table.set_figure(
                "cross_equity",
                column,
                self.document.amounts.format(cross.equity, currency),
                danger=pool_lost,
            )
            table.set_figure(
                "cross_maintenance_margin",
                column,
                self.document.amounts.format(cross.maintenance_margin, currency),
            )
            table.set_figure(
                "cross_risk_ratio", column, format_percent(cross.risk_ratio, 1), danger=pool_lost
            )
            table.set_figure(
                "cross_available", column, self.document.amounts.format(cross.available, currency)
            )
            status = (
                "No cross positions" if not has_cross else "Liquidated" if pool_lost else "Alive"
            )
            table.set_figure("cross_status", column, status, danger=pool_lost)
            table.set_figure(
                "buckets_liquidated",
                column,
                f"{liquidated} of {len(analysis.buckets)}",
                danger=liquidated > 0,
            )

    def _show_positions(self, plan: Plan) -> None:
        analysis = self.shocked_analysis
        if analysis is None:
            self.position_model.set_rows([])
            return
        currency = analysis.currency
        danger_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical)
        ticks = {m.symbol: m.tick_size for m in plan.markets}
        rows = []
        for pos, result in zip(plan.positions, analysis.positions, strict=True):
            liquidated = result.liquidated
            rows.append(
                TextRow(
                    (
                        f"{pos.id} ({pos.margin_mode})",
                        format_price(result.mark_price, ticks[pos.symbol]),
                        self.document.amounts.format(result.unrealized_pnl, currency, sign=True),
                        "Liquidated" if liquidated else "Alive",
                    ),
                    danger=DANGER_BACKGROUND if liquidated else None,
                    icon=danger_icon if liquidated else None,
                    icon_column=3,
                )
            )
        self.position_model.set_rows(rows)

    def _show_events(self, plan: Plan) -> None:
        result = self.sweep_result
        events = result.events if result is not None else ()
        reach = format_percent(self.sweep_spin.value() / 100.0, 0)
        what = self.symbol or "every price (with its beta)"
        if result is None:
            self.sweep_caption.setText("")
        elif events:
            self.sweep_caption.setText(f"{what} from −{reach} to +{reach}, nearest first")
        else:
            self.sweep_caption.setText(f"Nothing is liquidated moving {what} within ±{reach}.")
        currency = plan.account.currency
        rows = []
        for event in events:
            equity_tip = (
                f"{explain('sweep_equity_after')} Just before: "
                f"{self.document.amounts.format(event.equity_before, currency, with_unit=True)}."
            )
            rows.append(
                TextRow(
                    (
                        _event_move(event),
                        format_price(event.price, _tick(plan, event, self.symbol)),
                        _event_what(event),
                        self.document.amounts.format(event.equity_after, currency),
                    ),
                    tips=("", "", "", equity_tip),
                )
            )
        self.event_model.set_rows(rows)

    # --- reading (tests) -------------------------------------------------------------------

    def figure(self, row: str, column: str = "shock_after") -> str:
        self._lazy.flush()
        return self.figure_table.figure(row, column)

    def position_rows(self) -> list[tuple[str, ...]]:
        self._lazy.flush()
        return self.position_model.texts()

    def event_rows(self) -> list[tuple[str, ...]]:
        self._lazy.flush()
        return self.event_model.texts()


__all__ = ["ShockPanel"]
