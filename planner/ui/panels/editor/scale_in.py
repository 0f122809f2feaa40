"""The scale-in ladder of the position editor: the planned adds (price, quantity) with the
position after each fill (average entry, isolated margin, liquidation price, reachable), Add
and Remove buttons, and a generator that fills the table from rungs, step %, step scale ×,
size scale × and a first size (``time_solvers.ladder``) as one edit.

A row is red when its fill is unreachable: the liquidation price before it lies between the
mark and its price, so the position is liquidated on the way before the add can fill."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from planner.domain.analysis import Analysis
from planner.domain.errors import PlanError
from planner.domain.formatting import format_price
from planner.domain.plan import Plan
from planner.domain.time_solvers import ladder
from planner.domain.values_in import ValuesIn
from planner.ui.widgets.delegates import EditorSpec, configure_spin_box
from planner.ui.widgets.number_box import NumberBox
from planner.ui.widgets.reasons import reason_label
from planner.ui.widgets.sync import set_spin

Adds = list[dict[str, float]]

#: the colour of an unreachable fill (readable on light and dark palettes)
UNREACHABLE = QColor("#D32F2F")
FIGURE_HEADERS = ("Avg entry", "Margin", "Liq. price", "Fills")
#: what the Fills column says of an unreachable add (its tooltip says why)
UNREACHABLE_TEXT = "no ✗"
UNREACHABLE_TIP = (
    "Unreachable: the liquidation price before this add lies between the mark and its price, "
    "so the position is liquidated on the way before it can fill."
)
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def _box(spec: EditorSpec, value: float, tip: str) -> NumberBox:
    box = NumberBox()
    configure_spin_box(box, spec)
    box.setValue(value)
    box.setToolTip(tip)
    return box


class ScaleInLadder(QGroupBox):
    #: the adds as typed (merge: part of a run of edits of one field)
    adds_edited = Signal(list, bool)
    #: a typed value broke its rule: (text, rule)
    refused = Signal(str, str)
    #: a refused field's text was fixed or dropped
    input_accepted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Scale-in (planned adds)", parent)
        self.table = QTableWidget(0, 2 + len(FIGURE_HEADERS))
        self.table.setHorizontalHeaderLabels(["Price", "Qty", *FIGURE_HEADERS])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # the typed columns are sized to their widest value (cell widgets give no size hint)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.setMinimumSectionSize(30)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setMinimumHeight(150)  # the header and five rungs
        tips = (
            "The price at which this add fills.",
            "The quantity added at that price.",
            "The average entry of the whole position after this fill.",
            "The isolated margin after this fill (cross positions draw on the account).",
            "The liquidation price after this fill.",
            "Whether the add can fill: no (in red) when the liquidation price before it lies "
            "between the mark and its price, so the position is liquidated first.",
        )
        for column, tip in enumerate(tips):
            self.table.horizontalHeaderItem(column).setToolTip(tip)
        self.add_button = QPushButton("Add rung")
        self.remove_button = QPushButton("Remove rung")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._build_generator()
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.reason = reason_label()
        layout.addWidget(self.reason)
        layout.addWidget(self.summary)
        layout.addWidget(self.generator)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.fill_button.clicked.connect(self._on_fill_clicked)
        self._position: tuple[float, str, float | None, float] = (0.0, "long", None, 1.0)
        self._shown_id = ""
        #: the field whose edit is being offered (None: a button)
        self.last_edited: NumberBox | None = None
        #: the field whose text was refused last
        self.last_refused: NumberBox | None = None

    def _build_generator(self) -> None:
        self.generator = QGroupBox("Ladder generator")
        self.rungs_box = _box(EditorSpec("number", 1, 50, 0, 1), 5, "How many adds.")
        self.step_box = _box(
            EditorSpec("number", 0.01, 99, 2, 0.5, "", " %"),
            5,
            "How far each rung lies beyond the one before, in % of its price.",
        )
        self.step_scale_box = _box(
            EditorSpec("number", 0.01, 100, 2, 0.1, "", "×"),
            1,
            "Each step is this many times the one before (1 = evenly spaced).",
        )
        self.size_scale_box = _box(
            EditorSpec("number", 0.01, 100, 2, 0.1, "", "×"),
            1,
            "Each rung's quantity is this many times the one before (2 = martingale).",
        )
        self.first_size_box = _box(
            EditorSpec("number", 1e-8, 1e12, 8, 1), 1, "The quantity of the first add."
        )
        self.fill_button = QPushButton("Fill the table")
        self.fill_button.setToolTip("Replace the planned adds by the ladder (one undo step).")
        form = QFormLayout(self.generator)
        rows = QHBoxLayout()
        rows.addWidget(QLabel("Rungs"))
        rows.addWidget(self.rungs_box)
        rows.addWidget(QLabel("Step"))
        rows.addWidget(self.step_box)
        form.addRow(rows)
        scales = QHBoxLayout()
        scales.addWidget(QLabel("Step scale"))
        scales.addWidget(self.step_scale_box)
        scales.addWidget(QLabel("Size scale"))
        scales.addWidget(self.size_scale_box)
        form.addRow(scales)
        first = QHBoxLayout()
        first.addWidget(QLabel("First size"))
        first.addWidget(self.first_size_box, 1)
        first.addWidget(self.fill_button)
        form.addRow(first)
        for box in self.generator_fields():
            box.refused.connect(self._on_box_refused)
            box.accepted_input.connect(self.input_accepted)

    def generator_fields(self) -> list[NumberBox]:
        return [
            self.rungs_box,
            self.step_box,
            self.step_scale_box,
            self.size_scale_box,
            self.first_size_box,
        ]

    def fields(self) -> list[QWidget]:
        """The focusable fields in Tab order."""
        out: list[QWidget] = []
        for row in range(self.table.rowCount()):
            out += [self.table.cellWidget(row, 0), self.table.cellWidget(row, 1)]
        return [
            *out,
            self.add_button,
            self.remove_button,
            *self.generator_fields(),
            self.fill_button,
        ]

    # --- plan → widgets --------------------------------------------------------------------

    def show_adds(
        self,
        plan: Plan,
        analysis: Analysis,
        index: int,
        decimals: int,
        values: ValuesIn,
    ) -> None:
        """The position's adds and their fills; margins in ``values`` (the "values in" unit)."""
        position = plan.positions[index]
        market = plan.market(position.symbol)
        fills = analysis.timeline.fills[index] if analysis.timeline.fills else ()
        currency = plan.account.currency
        self._position = (position.entry_price, position.side, market.tick_size, position.quantity)
        table = self.table
        if table.rowCount() != len(position.scale_in):
            table.setRowCount(len(position.scale_in))
            for row in range(table.rowCount()):
                for column in (0, 1):
                    box = NumberBox()
                    box.setFrame(False)
                    box.setToolTip(self.table.horizontalHeaderItem(column).toolTip())
                    box.valueChanged.connect(self._on_value_changed)
                    box.refused.connect(self._on_box_refused)
                    box.accepted_input.connect(self.input_accepted)
                    table.setCellWidget(row, column, box)
                for column in range(2, table.columnCount()):
                    item = QTableWidgetItem()
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                    item.setTextAlignment(_RIGHT)
                    table.setItem(row, column, item)
        step = market.tick_size or 10.0**-decimals
        for row, add in enumerate(position.scale_in):
            price, quantity = table.cellWidget(row, 0), table.cellWidget(row, 1)
            assert isinstance(price, NumberBox) and isinstance(quantity, NumberBox)
            configure_spin_box(price, EditorSpec("number", 10.0**-decimals, 1e12, decimals, step))
            configure_spin_box(quantity, EditorSpec("number", 1e-12, 1e15, 8, 1.0))
            for box in (price, quantity):  # sized by their column, not by nine digits
                box.setMinimumWidth(0)
            set_spin(price, add.price)
            set_spin(quantity, add.quantity)
            fill = fills[row] if row < len(fills) else None
            texts = ("", "", "", "")
            if fill is not None:
                texts = (
                    format_price(fill.average_entry, market.tick_size),
                    "cross" if fill.margin is None else values.format_amount(fill.margin, currency),
                    format_price(fill.liquidation_price, market.tick_size),
                    "yes" if fill.reachable else UNREACHABLE_TEXT,
                )
            unreachable = fill is not None and not fill.reachable
            for column, text in enumerate(texts, start=2):
                item = table.item(row, column)
                item.setText(text)
                item.setForeground(QBrush(UNREACHABLE) if unreachable else QBrush())
                item.setToolTip(UNREACHABLE_TIP if unreachable else "")
            for box in (price, quantity):
                box.setStyleSheet(f"color: {UNREACHABLE.name()};" if unreachable else "")
        self._fit_typed_columns()
        self.summary.setText(self._summary(plan, analysis, index, fills))
        self.remove_button.setEnabled(bool(position.scale_in))
        if position.id != self._shown_id:  # a new position: its size is the first add's
            self._shown_id = position.id
            first = position.scale_in[0].quantity if position.scale_in else position.quantity
            set_spin(self.first_size_box, first)

    def _fit_typed_columns(self) -> None:
        metrics = self.table.fontMetrics()
        for column in (0, 1):
            texts = [self.table.horizontalHeaderItem(column).text()]
            texts += [self.table.cellWidget(r, column).text() for r in range(self.table.rowCount())]
            width = max(metrics.horizontalAdvance(text) for text in texts) + 18
            self.table.setColumnWidth(column, width)

    def _summary(self, plan: Plan, analysis: Analysis, index: int, fills: tuple) -> str:
        position = plan.positions[index]
        tick = plan.market(position.symbol).tick_size
        first = analysis.position(index).liquidation_price
        if not fills:
            return "No planned adds: the position is filled at its entry."
        last = fills[-1]
        unreachable = sum(1 for fill in fills if not fill.reachable)
        text = (
            f"Liquidation {format_price(first, tick)} after the first fill, "
            f"{format_price(last.liquidation_price, tick)} after the last."
        )
        if unreachable:
            text += f" {unreachable} add(s) unreachable: liquidated before they fill."
        return text

    def adds(self) -> Adds:
        out = []
        for row in range(self.table.rowCount()):
            price, quantity = self.table.cellWidget(row, 0), self.table.cellWidget(row, 1)
            assert isinstance(price, NumberBox) and isinstance(quantity, NumberBox)
            out.append({"price": price.value(), "quantity": quantity.value()})
        return out

    # --- widgets → edits -------------------------------------------------------------------

    def clear(self) -> None:
        """No adds (a new position has none until it is in the plan)."""
        self.table.setRowCount(0)
        self.summary.clear()
        self._shown_id = ""

    def _on_value_changed(self, _value: float) -> None:
        sender = self.sender()
        self.last_edited = sender if isinstance(sender, NumberBox) else None
        try:
            self.adds_edited.emit(self.adds(), True)
        finally:
            self.last_edited = None

    def _on_box_refused(self, text: str, rule: str) -> None:
        sender = self.sender()
        self.last_refused = sender if isinstance(sender, NumberBox) else None
        self.refused.emit(text, rule)

    def _on_add_clicked(self) -> None:
        adds = self.adds()
        entry, side, tick, quantity = self._position
        last = adds[-1] if adds else {"price": entry, "quantity": quantity}
        price = last["price"] * (0.95 if side == "long" else 1.05)
        if tick:
            price = round(round(price / tick) * tick, 10)
        adds.append({"price": price, "quantity": last["quantity"]})
        self.adds_edited.emit(adds, False)

    def _on_remove_clicked(self) -> None:
        adds = self.adds()
        if not adds:
            return
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        drop = rows or {len(adds) - 1}
        self.adds_edited.emit([a for i, a in enumerate(adds) if i not in drop], False)

    def generated(self) -> Adds:
        """The ladder the generator's fields describe, prices rounded to the tick."""
        for box in self.generator_fields():
            box.commit()
        entry, side, tick, _quantity = self._position
        rungs = ladder(
            entry,
            side,
            rungs=round(self.rungs_box.value()),
            step=self.step_box.value() / 100,
            first_size=self.first_size_box.value(),
            step_scale=self.step_scale_box.value(),
            size_scale=self.size_scale_box.value(),
        )
        out = []
        for rung in rungs:
            price = round(round(rung.price / tick) * tick, 10) if tick else rung.price
            out.append({"price": price, "quantity": float(f"{rung.quantity:.10g}")})
        return out

    def _on_fill_clicked(self) -> None:
        if any(box.is_refused() for box in self.generator_fields()):
            return
        try:
            adds = self.generated()
        except PlanError as error:
            text, _, rule = str(error).partition(": ")
            self.refused.emit(text, rule or str(error))
            return
        self.adds_edited.emit(adds, False)
