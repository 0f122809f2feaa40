"""The take-profit levels of the position editor: a table of price and fraction fields with Add
and Remove buttons that Tab reaches (the table does not keep Tab for itself)."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
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
from planner.domain.formatting import format_price
from planner.domain.plan import Plan, Position
from planner.domain.results import PositionResult
from planner.domain.values_in import ValuesIn
from planner.ui.explanations import explain
from planner.ui.widgets.delegates import EditorSpec, configure_spin_box
from planner.ui.widgets.number_box import NumberBox
from planner.ui.widgets.reasons import reason_label
from planner.ui.widgets.sync import set_spin

Levels = list[dict[str, float]]


def suggested_level(side: str, entry: float, stop: float | None, tick: float | None) -> float:
    """Where a first take-profit goes: two times the risk beyond the entry (2 R) when there is
    a stop, else 5 % beyond it; never at the entry itself."""
    sign = 1.0 if side == "long" else -1.0
    price = entry + 2 * (entry - stop) if stop else entry * (1 + sign * 0.05)
    if tick:
        price = round(round(price / tick) * tick, 10)
    return price if price > 0 else entry * (1 + sign * 0.05)


def reward_to_risk_text(position: Position, result: PositionResult, tick: float | None) -> str:
    """The reward-to-risk line, or what keeps it from being one, in the trader's words."""
    has_stop, has_tp = position.stop_loss is not None, bool(position.take_profits)
    if not (has_stop and has_tp):
        missing = "a stop and a take-profit" if not (has_stop or has_tp) else "a stop"
        return f"Reward to risk needs {missing if not has_stop else 'a take-profit'}."
    if result.reward_to_risk is None:  # the stop loses nothing: there is no risk to divide by
        stop = format_price(position.stop_loss, tick)
        return (
            f"No reward to risk: the stop does not risk anything (at {stop} this "
            f"{position.side} closes at a profit, fees included)."
        )
    text = f"Reward to risk {result.reward_to_risk:.2f} : 1"
    sign = 1.0 if position.side == "long" else -1.0
    for tp, tp_result in zip(position.take_profits, result.take_profits, strict=True):
        if tp_result.reward >= 0:
            continue
        price = format_price(tp.price, tick)
        if sign * (tp.price - position.entry_price) <= 0:
            return f"{text}: the take-profit at {price} is on the losing side of the entry."
        return f"{text}: the take-profit at {price} does not cover the fees."
    return text + "."


class TakeProfitLevels(QGroupBox):
    #: the levels as typed (merge: part of a run of edits of one field)
    levels_edited = Signal(list, bool)
    #: a typed value broke its rule: (text, rule)
    refused = Signal(str, str)
    #: Add level pressed when the levels already close the whole position
    full = Signal()
    #: a refused field's text was fixed or dropped
    input_accepted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Take-profit levels", parent)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Price", "Fraction", "Reward"])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # Tab leaves the table for Add and Remove level instead of cycling through its cells
        self.table.setTabKeyNavigation(False)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        tips = (
            explain("take_profits"),
            "The share of the position closed there.",
            explain("reward"),
        )
        for column, tip in enumerate(tips):
            self.table.horizontalHeaderItem(column).setToolTip(tip)
        self.add_button = QPushButton("Add level")
        self.remove_button = QPushButton("Remove level")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
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
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self._suggest = (0.0, None, None, "long")
        #: the field whose edit is being offered (None: Add or Remove level)
        self.last_edited: NumberBox | None = None
        #: the field whose text was refused last
        self.last_refused: NumberBox | None = None

    def fields(self) -> list[QWidget]:
        """The focusable fields in Tab order."""
        out: list[QWidget] = []
        for row in range(self.table.rowCount()):
            out += [self.table.cellWidget(row, 0), self.table.cellWidget(row, 1)]
        return [*out, self.add_button, self.remove_button]

    def show_levels(
        self,
        plan: Plan,
        analysis: Analysis,
        index: int,
        decimals: int,
        values: ValuesIn,
    ) -> None:
        """The position's levels; rewards in ``values`` (the "values in" unit)."""
        position = plan.positions[index]
        result = analysis.position(index)
        market = plan.market(position.symbol)
        currency = plan.account.currency
        table = self.table
        self._suggest = (
            position.entry_price,
            position.stop_loss,
            market.tick_size,
            position.side,
        )
        if table.rowCount() != len(position.take_profits):
            table.setRowCount(len(position.take_profits))
            for row in range(table.rowCount()):
                price, fraction = NumberBox(), NumberBox()
                price.setToolTip(explain("take_profits"))
                configure_spin_box(fraction, EditorSpec("number", 0.01, 100, 2, 5, "", " %"))
                fraction.setToolTip("The share of the position closed at this price.")
                for box in (price, fraction):
                    box.setFrame(False)
                    box.valueChanged.connect(self._on_value_changed)
                    box.refused.connect(self._on_box_refused)
                    box.accepted_input.connect(self.input_accepted)
                table.setCellWidget(row, 0, price)
                table.setCellWidget(row, 1, fraction)
                item = QTableWidgetItem()
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                item.setToolTip(explain("reward"))
                table.setItem(row, 2, item)
        step = market.tick_size or 10.0**-decimals
        for row, (tp, tp_result) in enumerate(
            zip(position.take_profits, result.take_profits, strict=True)
        ):
            price, fraction = table.cellWidget(row, 0), table.cellWidget(row, 1)
            assert isinstance(price, NumberBox) and isinstance(fraction, NumberBox)
            configure_spin_box(price, EditorSpec("number", 10.0**-decimals, 1e12, decimals, step))
            set_spin(price, tp.price)
            set_spin(fraction, tp.fraction * 100)
            table.item(row, 2).setText(values.format_amount(tp_result.reward, currency, sign=True))
        self.summary.setText(reward_to_risk_text(position, result, market.tick_size))
        self.summary.setToolTip(explain("reward_to_risk"))
        self.remove_button.setEnabled(bool(position.take_profits))

    def clear(self) -> None:
        """No levels (a new position has none until it is in the plan)."""
        self.table.setRowCount(0)
        self.summary.clear()

    def levels(self) -> Levels:
        out = []
        for row in range(self.table.rowCount()):
            price, fraction = self.table.cellWidget(row, 0), self.table.cellWidget(row, 1)
            assert isinstance(price, NumberBox) and isinstance(fraction, NumberBox)
            out.append({"price": price.value(), "fraction": fraction.value() / 100})
        return out

    def _on_value_changed(self, _value: float) -> None:
        sender = self.sender()
        self.last_edited = sender if isinstance(sender, NumberBox) else None
        try:
            self.levels_edited.emit(self.levels(), True)
        finally:
            self.last_edited = None

    def _on_box_refused(self, text: str, rule: str) -> None:
        sender = self.sender()
        self.last_refused = sender if isinstance(sender, NumberBox) else None
        self.refused.emit(text, rule)

    def _on_add_clicked(self) -> None:
        levels = self.levels()
        left = 1.0 - math.fsum(level["fraction"] for level in levels)
        if left <= 1e-9:
            self.full.emit()
            return
        entry, stop, tick, side = self._suggest
        if levels:
            price = levels[-1]["price"]
            fraction = round(min(left, 0.5), 4)
        else:
            price = suggested_level(side, entry, stop, tick)
            fraction = 1.0
        levels.append({"price": price, "fraction": fraction})
        self.levels_edited.emit(levels, False)

    def _on_remove_clicked(self) -> None:
        levels = self.levels()
        if not levels:
            return
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        drop = rows or {len(levels) - 1}
        self.levels_edited.emit([lv for i, lv in enumerate(levels) if i not in drop], False)
