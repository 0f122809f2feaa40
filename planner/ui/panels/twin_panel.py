"""The twin view ("Cross vs isolated"): the plan as planned, all cross and all isolated, side
by side — for the whole plan, for the selected position, and one plain sentence per position.

Every figure comes from ``planner.domain.twin.compare``; this view only formats it. ``compare``
analyses the plan three times and searches the pool's liquidating moves, which costs a few
milliseconds for a hundred positions, so the view recomputes only while it is visible and at
most once per short pause (a drag previews dozens of plans a second), and catches up when it is
shown again.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from planner.domain.formatting import MISSING, format_percent, format_price
from planner.domain.scenarios import VARIANTS
from planner.domain.twin import VARIANT_TITLES, Comparison, PositionComparison, compare
from planner.domain.warnings import POOL_MOVE_WARNING
from planner.ui.document.plan_document import PlanDocument
from planner.ui.explanations import explain
from planner.ui.panels.risk_columns import pool_text
from planner.ui.widgets.figure_table import FigureTable
from planner.ui.widgets.lazy import LazyRefresh

#: the view follows the plan at most this often while it is visible
REFRESH_DELAY_MS = 40
#: the whole-plan and position tables sit side by side only at this width and wider, and only
#: where both fit whole (``two_columns_width``)
TWO_COLUMNS_WIDTH = 760

VARIANT_COLUMNS: tuple[tuple[str, str], ...] = tuple(
    (name, VARIANT_TITLES[name]) for name in VARIANTS
)

PLAN_ROWS: tuple[tuple[str, str], ...] = (
    ("plan_margin_locked", "Margin locked"),
    ("plan_worst_case_loss", "Worst-case loss"),
    ("free_balance", "Balance left free"),
    ("account_equity", "Account equity"),
    ("pool_move_down", "Pool lost at a fall of"),
    ("pool_move_up", "Pool lost at a rise of"),
    ("stops_after_liquidation", "Liquidated before stop"),
)

POSITION_ROWS: tuple[tuple[str, str], ...] = (
    ("liquidation_price", "Liquidation price"),
    ("liquidation_distance", "To liquidation"),
    ("stop_distance", "To the stop"),
    ("liquidation_beyond_stop", "Liquidation past stop"),
    ("margin_locked", "Margin locked"),
    ("worst_case_loss", "Worst-case loss"),
    ("loss_at_stop", "Loss at the stop"),
    ("free_balance", "Balance left free"),
)


class TwinPanel(QScrollArea):
    """Cross against isolated for the document's plan; the selected position first."""

    def __init__(self, document: PlanDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("twin_panel")
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.document = document
        self._comparison: Comparison | None = None
        self._combo_ids: list[str] = []
        self._bold_row = -1
        self._columns = 0
        self._lazy = LazyRefresh(
            self, self._recompute, delay_ms=REFRESH_DELAY_MS, document=document
        )

        self.plan_table = FigureTable(PLAN_ROWS, VARIANT_COLUMNS)
        self.plan_table.setObjectName("twin_plan_table")
        self.position_table = FigureTable(POSITION_ROWS, VARIANT_COLUMNS)
        self.position_table.setObjectName("twin_position_table")
        self.position_combo = QComboBox()
        self.position_combo.setObjectName("twin_position_combo")
        self.position_combo.setToolTip("The position whose figures are shown")
        self.position_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.position_combo.setMinimumContentsLength(12)
        self.sentence_label = QLabel()
        self.sentence_label.setObjectName("twin_sentence")
        self.sentence_label.setWordWrap(True)
        self.sentence_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sentence_list = QListWidget()
        self.sentence_list.setObjectName("twin_sentence_list")
        self.sentence_list.setWordWrap(True)
        self.sentence_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.sentence_list.setMinimumHeight(90)
        # a long plan's sentences are laid out a batch at a time, between events
        self.sentence_list.setLayoutMode(QListView.LayoutMode.Batched)
        self.sentence_list.setBatchSize(50)
        self.sentence_list.setToolTip("Every position in one sentence; click one to select it")

        self._plan_group = QGroupBox("Whole plan")
        QVBoxLayout(self._plan_group).addWidget(self.plan_table)
        self._position_group = QGroupBox("Position")
        position_layout = QVBoxLayout(self._position_group)
        picker = QHBoxLayout()
        picker.addWidget(QLabel("Position"))
        picker.addWidget(self.position_combo, 1)
        position_layout.addLayout(picker)
        position_layout.addWidget(self.position_table)
        position_layout.addWidget(self.sentence_label)
        self._list_group = QGroupBox("Every position")
        QVBoxLayout(self._list_group).addWidget(self.sentence_list)
        self._empty_label = QLabel("Add a position to compare cross and isolated margin.")
        self._empty_label.setWordWrap(True)

        content = QWidget()
        self._outer = outer = QVBoxLayout(content)
        outer.addWidget(self._empty_label)
        self._grid = QGridLayout()
        outer.addLayout(self._grid)
        outer.addWidget(self._list_group, 1)
        self._plan_group.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._position_group.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.setWidget(content)
        self._arrange(1)

        document.changed.connect(self._on_document_changed)
        document.amounts.changed.connect(self._lazy.invalidate)
        document.current_changed.connect(self._on_document_current_changed)
        self.position_combo.activated.connect(self._on_position_combo_activated)
        self.sentence_list.itemClicked.connect(self._on_sentence_list_item_clicked)

    # --- state -----------------------------------------------------------------------------

    @property
    def comparison(self) -> Comparison:
        """The comparison on screen, brought up to date first."""
        self._lazy.flush()
        assert self._comparison is not None
        return self._comparison

    def refresh(self) -> None:
        """Recompute now (the view otherwise follows the plan while visible)."""
        self._lazy.run()

    def _recompute(self) -> None:
        self._comparison = compare(self.document.plan)
        self._show_plan()
        self._show_positions()
        self._show_current()
        self._reflow()  # new figures may have widened a table

    # --- layout ----------------------------------------------------------------------------

    def _arrange(self, columns: int) -> None:
        if columns == self._columns:
            return
        self._columns = columns
        for group in (self._plan_group, self._position_group):
            self._grid.removeWidget(group)
        if columns == 2:
            self._grid.addWidget(self._position_group, 0, 0)
            self._grid.addWidget(self._plan_group, 0, 1)
        else:
            self._grid.addWidget(self._position_group, 0, 0)
            self._grid.addWidget(self._plan_group, 1, 0)

    def _reflow(self) -> None:
        self._arrange(2 if self.width() >= self.two_columns_width() else 1)

    def two_columns_width(self) -> int:
        """The least width that shows the Position and Whole plan groups side by side with
        every figure whole: both groups' least widths (their tables are as wide as their
        widest figure), the gaps and a vertical scroll bar; never less than
        ``TWO_COLUMNS_WIDTH``."""
        groups = self._position_group.minimumSizeHint().width()
        groups += self._plan_group.minimumSizeHint().width()
        margins = self._outer.contentsMargins()
        chrome = margins.left() + margins.right() + max(0, self._grid.horizontalSpacing())
        chrome += self.verticalScrollBar().sizeHint().width() + 2 * self.frameWidth()
        return max(TWO_COLUMNS_WIDTH, groups + chrome)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._reflow()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._lazy.shown()

    # --- slots -----------------------------------------------------------------------------

    def _on_document_changed(self) -> None:
        self._lazy.invalidate()

    def _on_document_current_changed(self, _position_id: str) -> None:
        if self._comparison is not None and not self._lazy.stale:
            self._show_current()

    def _on_position_combo_activated(self, index: int) -> None:
        position_id = self.position_combo.itemData(index)
        if position_id:
            self.document.set_current(str(position_id))

    def _on_sentence_list_item_clicked(self, item: QListWidgetItem) -> None:
        position_id = item.data(Qt.ItemDataRole.UserRole)
        if position_id:
            self.document.set_current(str(position_id))

    # --- drawing ---------------------------------------------------------------------------

    def _show_plan(self) -> None:
        comparison = self._comparison
        assert comparison is not None
        currency = comparison.currency
        count = len(comparison.positions)
        table = self.plan_table
        for name in VARIANTS:
            totals = comparison.totals[name]
            table.set_figure(
                "plan_margin_locked",
                name,
                self.document.amounts.format(totals.margin_locked, currency),
            )
            table.set_figure(
                "plan_worst_case_loss",
                name,
                self.document.amounts.format(totals.worst_case_loss, currency),
            )
            table.set_figure(
                "free_balance",
                name,
                self.document.amounts.format(totals.free_balance, currency),
                danger=count > 0 and totals.free_balance <= 0,
            )
            table.set_figure(
                "account_equity", name, self.document.amounts.format(totals.equity, currency)
            )
            for key, move in (
                ("pool_move_down", totals.pool_move_down),
                ("pool_move_up", totals.pool_move_up),
            ):
                near = move is not None and abs(move) <= POOL_MOVE_WARNING
                tip = explain(key)
                if move is None:
                    tip = f"{tip} {MISSING}: no market-wide move that way liquidates the pool."
                table.set_figure(
                    key, name, format_percent(move, 1, sign=True), danger=near, tip=tip
                )
            table.set_figure(
                "stops_after_liquidation",
                name,
                f"{totals.stops_after_liquidation} of {count}",
                danger=totals.stops_after_liquidation > 0,
            )

    def _show_positions(self) -> None:
        """The picker and the list of sentences, changed item by item: a list rebuilt on every
        change would lay out every wrapped sentence again."""
        comparison = self._comparison
        assert comparison is not None
        ids = [p.id for p in comparison.positions]
        titles = [_position_title(p) for p in comparison.positions]
        combo = self.position_combo
        combo.blockSignals(True)
        if self._combo_ids != ids:
            combo.clear()
            for p, title in zip(comparison.positions, titles, strict=True):
                combo.addItem(title, p.id)
            self._combo_ids = ids
        else:
            for i, title in enumerate(titles):
                if combo.itemText(i) != title:
                    combo.setItemText(i, title)
        combo.blockSignals(False)

        listing = self.sentence_list
        listing.blockSignals(True)
        if listing.count() != len(ids):
            listing.clear()
            self._bold_row = -1
            for _ in ids:
                listing.addItem(QListWidgetItem())
        for row, (p, title) in enumerate(zip(comparison.positions, titles, strict=True)):
            item = listing.item(row)
            text = f"{p.id}: {self._sentence(p)}"
            if item.text() != text:
                item.setText(text)
            if item.data(Qt.ItemDataRole.UserRole) != p.id:
                item.setData(Qt.ItemDataRole.UserRole, p.id)
            if item.toolTip() != title:
                item.setToolTip(title)
        listing.blockSignals(False)

        has_positions = bool(ids)
        self._empty_label.setVisible(not has_positions)
        for group in (self._plan_group, self._position_group, self._list_group):
            group.setVisible(has_positions)

    def _show_current(self) -> None:
        comparison = self._comparison
        assert comparison is not None
        position = self._current_comparison()
        table = self.position_table
        if position is None:
            table.clear_figures()
            self.sentence_label.setText("")
            return
        row = comparison.positions.index(position)
        if self.position_combo.currentIndex() != row:
            self.position_combo.setCurrentIndex(row)
        listing = self.sentence_list
        listing.blockSignals(True)
        if listing.currentRow() != row:
            listing.setCurrentRow(row)
        if self._bold_row != row:
            for r, bold in ((self._bold_row, False), (row, True)):
                item = listing.item(r) if 0 <= r < listing.count() else None
                if item is not None:
                    font = QFont(item.font())
                    font.setBold(bold)
                    item.setFont(font)
            self._bold_row = row
        listing.blockSignals(False)

        currency = comparison.currency
        tick = comparison.plan.market(position.symbol).tick_size
        for name in VARIANTS:
            figures = position.variants[name]
            table.set_figure(
                "liquidation_price",
                name,
                format_price(figures.liquidation_price, tick),
                danger=figures.liquidated,
            )
            table.set_figure(
                "liquidation_distance",
                name,
                format_percent(figures.liquidation_distance, 2, sign=True),
            )
            stop_tip = explain("stop_distance")
            if position.stop_loss is None:
                stop_tip = f"{stop_tip} {MISSING}: the position has no stop."
            table.set_figure(
                "stop_distance",
                name,
                format_percent(figures.stop_distance, 2, sign=True),
                tip=stop_tip,
            )
            beyond_tip = explain("liquidation_beyond_stop")
            if figures.liquidated_before_stop:
                beyond_tip = f"{beyond_tip} Here liquidation comes before the stop."
            elif figures.liquidation_beyond_stop is None:
                beyond_tip = (
                    f"{beyond_tip} {MISSING}: no stop, no liquidation price, or liquidation "
                    "is not on the way from the mark to the stop."
                )
            table.set_figure(
                "liquidation_beyond_stop",
                name,
                format_percent(figures.liquidation_beyond_stop, 2, sign=True),
                danger=bool(figures.liquidated_before_stop),
                tip=beyond_tip,
            )
            amounts = self.document.amounts
            table.set_figure("margin_locked", name, amounts.format(figures.margin_locked, currency))
            worst = amounts.format(figures.worst_case_loss, currency)
            table.set_figure(
                "worst_case_loss", name, pool_text(worst) if figures.shares_pool else worst
            )
            table.set_figure("loss_at_stop", name, amounts.format(figures.loss_at_stop, currency))
            table.set_figure(
                "free_balance",
                name,
                self.document.amounts.format(figures.free_balance, currency),
                danger=figures.free_balance <= 0,
            )
        table.horizontalHeaderItem(0).setToolTip(
            f"{explain('planned')} {position.id} is {position.margin_mode}."
        )
        self.sentence_label.setText(self._sentence(position))
        self.sentence_label.setToolTip(explain("twin_sentence"))

    def _sentence(self, position: PositionComparison) -> str:
        """The position's sentence with its amounts in the "values in" unit."""
        assert self._comparison is not None
        currency = self._comparison.currency
        amounts = self.document.amounts
        return position.sentence_in(lambda value: amounts.format(value, currency, with_unit=True))

    def _current_comparison(self) -> PositionComparison | None:
        comparison = self._comparison
        if comparison is None or not comparison.positions:
            return None
        current = self.document.current_id
        for position in comparison.positions:
            if position.id == current:
                return position
        return comparison.positions[0]

    # --- reading (tests, screenshots) ------------------------------------------------------

    def position_figure(self, row: str, variant: str) -> str:
        self._lazy.flush()
        return self.position_table.figure(row, variant)

    def plan_figure(self, row: str, variant: str) -> str:
        self._lazy.flush()
        return self.plan_table.figure(row, variant)


def _position_title(position: PositionComparison) -> str:
    return f"{position.id} · {position.symbol} {position.side} · {position.margin_mode}"
