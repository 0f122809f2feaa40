"""The position editor: every field of the selected position.

Each widget turns a change into one edit of the document (consecutive changes of one field
merge into one undo step); the widgets are refreshed from the document, never from each other.
Input the plan refuses is marked at its field with the reason and never reaches the plan.
"""

from __future__ import annotations

import math
import re
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QSlider,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from planner.domain import sizing
from planner.domain.errors import PlanError
from planner.domain.formatting import (
    amount_decimals,
    decimals_for_tick,
    format_amount,
    format_quantity,
)
from planner.domain.plan import Plan
from planner.ui.document import edits
from planner.ui.document.plan_document import PlanDocument
from planner.ui.explanations import explain
from planner.ui.widgets.delegates import EditorSpec, NumberBox, configure_spin_box
from planner.ui.widgets.sync import set_combo, set_spin, set_text

SIZE_UNITS: tuple[tuple[sizing.SizeUnit, str], ...] = (
    ("quantity", "Quantity"),
    ("notional", "Notional"),
    ("margin", "Margin"),
)
_FIELD_PATH = re.compile(r"^positions\[\d+\]\.(\w+)")


def _field_of(error: PlanError) -> str:
    """``positions[2].take_profits[0].price`` → ``take_profits``; other paths → ""."""
    match = _FIELD_PATH.match(error.field)
    return match.group(1) if match else ""


class PositionEditor(QWidget):
    def __init__(self, document: PlanDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self.setObjectName("position_editor")
        self._build()
        self._fields: dict[str, QWidget] = {
            "id": self.id_edit,
            "symbol": self.symbol_combo,
            "side": self.side_combo,
            "quantity": self.size_spin,
            "entry_price": self.entry_spin,
            "leverage": self.leverage_spin,
            "margin_mode": self.mode_box,
            "added_margin": self.added_margin_spin,
            "stop_loss": self.stop_spin,
            "take_profits": self.tp_table,
            "notes": self.notes_edit,
        }
        for field, widget in self._fields.items():
            widget.setToolTip(explain("size" if field == "quantity" else field))
        self._connect()
        document.changed.connect(self._on_document_changed)
        document.current_changed.connect(self._on_document_current_changed)
        self._show()

    # --- building --------------------------------------------------------------------------

    def _build(self) -> None:
        self.id_edit = QLineEdit()
        self.symbol_combo = QComboBox()
        self.symbol_combo.setEditable(True)
        self.symbol_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.side_combo = QComboBox()
        self.side_combo.addItem("Long", "long")
        self.side_combo.addItem("Short", "short")

        self.mode_box = QWidget()
        self.cross_button = QRadioButton("Cross")
        self.isolated_button = QRadioButton("Isolated")
        self.mode_group = QButtonGroup(self)
        self.mode_group.addButton(self.cross_button)
        self.mode_group.addButton(self.isolated_button)
        mode_row = QHBoxLayout(self.mode_box)
        mode_row.setContentsMargins(0, 0, 0, 0)
        mode_row.addWidget(self.cross_button)
        mode_row.addWidget(self.isolated_button)
        mode_row.addStretch(1)

        self.size_unit = QComboBox()
        for unit, label in SIZE_UNITS:
            self.size_unit.addItem(label, unit)
        self.size_unit.setToolTip(
            "Type the size as a quantity, as the entry notional or as "
            "the initial margin; the other two are shown below."
        )
        self.size_spin = NumberBox(trim=True)
        self.size_other = QLabel()
        self.size_other.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.size_other.setWordWrap(True)
        size_row = QHBoxLayout()
        size_row.addWidget(self.size_unit)
        size_row.addWidget(self.size_spin, 1)

        self.entry_spin = QDoubleSpinBox()
        self.stop_spin = QDoubleSpinBox()
        self.leverage_slider = QSlider(Qt.Orientation.Horizontal)
        self.leverage_slider.setMinimum(1)
        self.leverage_slider.setToolTip(explain("leverage"))
        self.leverage_spin = QDoubleSpinBox()
        configure_spin_box(self.leverage_spin, EditorSpec("number", 0.01, 1000, 2, 1, "", "×"))
        self.leverage_limit = QLabel()
        self.leverage_limit.setWordWrap(True)
        leverage_row = QHBoxLayout()
        leverage_row.addWidget(self.leverage_slider, 1)
        leverage_row.addWidget(self.leverage_spin)
        self.added_margin_spin = QDoubleSpinBox()

        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setPlaceholderText("Notes")
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

        self.tp_table = QTableWidget(0, 3)
        self.tp_table.setHorizontalHeaderLabels(["Price", "Fraction", "Reward"])
        tp_header = self.tp_table.horizontalHeader()
        tp_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        tp_header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tp_table.verticalHeader().setVisible(False)
        self.tp_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tp_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header_tips = (
            explain("take_profits"),
            "The share of the position closed there.",
            explain("reward"),
        )
        for column, tip in enumerate(header_tips):
            self.tp_table.horizontalHeaderItem(column).setToolTip(tip)
        self.tp_add = QPushButton("Add level")
        self.tp_remove = QPushButton("Remove level")
        self.tp_summary = QLabel()
        self.tp_summary.setWordWrap(True)

        self.error_icon = QLabel()
        icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        self.error_icon.setPixmap(icon.pixmap(16, 16))
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setObjectName("editor_error")
        self.empty_label = QLabel("No position selected. Add one with Positions ▸ Add.")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        left = QFormLayout()
        left.addRow(self._label("ID", "id"), self.id_edit)
        left.addRow(self._label("Symbol", "symbol"), self.symbol_combo)
        left.addRow(self._label("Side", "side"), self.side_combo)
        left.addRow(self._label("Margin", "margin_mode"), self.mode_box)
        left.addRow(self._label("Entry", "entry_price"), self.entry_spin)
        left.addRow(self._label("Stop", "stop_loss"), self.stop_spin)
        left.addRow(self._label("Notes", "notes"), self.notes_edit)

        right = QFormLayout()
        right.addRow(self._label("Size", "size"), size_row)
        right.addRow("", self.size_other)
        right.addRow(self._label("Leverage", "leverage"), leverage_row)
        right.addRow("", self.leverage_limit)
        right.addRow(self._label("Added margin", "added_margin"), self.added_margin_spin)

        tp_group = QGroupBox("Take-profit levels")
        tp_layout = QVBoxLayout(tp_group)
        tp_layout.addWidget(self.tp_table, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.tp_add)
        buttons.addWidget(self.tp_remove)
        buttons.addStretch(1)
        tp_layout.addLayout(buttons)
        tp_layout.addWidget(self.tp_summary)
        right_column = QVBoxLayout()
        right_column.addLayout(right)
        right_column.addWidget(tp_group, 1)

        self.form = QWidget()
        columns = QHBoxLayout(self.form)
        columns.setContentsMargins(0, 0, 0, 0)
        columns.addLayout(left, 1)
        columns.addLayout(right_column, 1)

        error_row = QHBoxLayout()
        error_row.addWidget(self.error_icon, 0, Qt.AlignmentFlag.AlignTop)
        error_row.addWidget(self.error_label, 1)
        outer = QVBoxLayout(self)
        outer.addWidget(self.empty_label)
        outer.addWidget(self.form, 1)
        outer.addLayout(error_row)
        # a border, not a text colour, so marked fields read on light and dark palettes
        self.setStyleSheet(
            '*[invalid="true"] { border: 2px solid rgb(220, 50, 50); border-radius: 3px; }'
        )

    def _label(self, text: str, key: str) -> QLabel:
        label = QLabel(text)
        label.setToolTip(explain(key))
        return label

    def _connect(self) -> None:
        self.id_edit.editingFinished.connect(self._on_id_edit_finished)
        self.symbol_combo.activated.connect(self._on_symbol_combo_activated)
        self.symbol_combo.lineEdit().editingFinished.connect(self._on_symbol_combo_activated)
        self.side_combo.activated.connect(self._on_side_combo_activated)
        self.mode_group.buttonClicked.connect(self._on_mode_group_clicked)
        self.size_unit.currentIndexChanged.connect(self._on_size_unit_changed)
        self.size_spin.valueChanged.connect(self._on_size_spin_changed)
        self.entry_spin.valueChanged.connect(self._on_entry_spin_changed)
        self.stop_spin.valueChanged.connect(self._on_stop_spin_changed)
        self.leverage_spin.valueChanged.connect(self._on_leverage_spin_changed)
        self.leverage_slider.valueChanged.connect(self._on_leverage_slider_changed)
        self.leverage_slider.sliderReleased.connect(self._on_leverage_slider_released)
        self.added_margin_spin.valueChanged.connect(self._on_added_margin_spin_changed)
        self.notes_edit.textChanged.connect(self._on_notes_edit_changed)
        self.tp_add.clicked.connect(self._on_tp_add_clicked)
        self.tp_remove.clicked.connect(self._on_tp_remove_clicked)

    # --- document → widgets ----------------------------------------------------------------

    def _on_document_changed(self) -> None:
        self._show()

    def _on_document_current_changed(self, _position_id: str) -> None:
        self._show()

    def _show(self) -> None:
        self._clear_marks()
        index = self._document.current_index
        has_position = index is not None
        self.form.setVisible(has_position)
        self.empty_label.setVisible(not has_position)
        if index is None:
            return
        plan = self._document.plan
        position = plan.positions[index]
        market = plan.market(position.symbol)
        currency = plan.account.currency

        if not self.id_edit.hasFocus() or self.id_edit.text() != position.id:
            set_text(self.id_edit, position.id, quiet=True)
        symbols = [m.symbol for m in plan.markets]
        if [self.symbol_combo.itemText(i) for i in range(self.symbol_combo.count())] != symbols:
            self.symbol_combo.blockSignals(True)
            self.symbol_combo.clear()
            self.symbol_combo.addItems(symbols)
            self.symbol_combo.blockSignals(False)
        if self.symbol_combo.currentText() != position.symbol:
            self.symbol_combo.blockSignals(True)
            self.symbol_combo.setCurrentText(position.symbol)
            self.symbol_combo.blockSignals(False)
        set_combo(self.side_combo, position.side)
        button = self.cross_button if position.margin_mode == "cross" else self.isolated_button
        if not button.isChecked():
            button.setChecked(True)

        price_decimals = decimals_for_tick(market.tick_size, position.entry_price)
        price_step = market.tick_size or 10.0**-price_decimals
        configure_spin_box(
            self.entry_spin,
            EditorSpec("number", 10.0**-price_decimals, 1e12, price_decimals, price_step),
        )
        set_spin(self.entry_spin, position.entry_price)
        configure_spin_box(
            self.stop_spin, EditorSpec("number", 0, 1e12, price_decimals, price_step, "none")
        )
        set_spin(self.stop_spin, position.stop_loss or 0.0)

        self._show_size(plan, index)

        limit = sizing.max_leverage(market, position.quantity, position.entry_price)
        configure_spin_box(
            self.leverage_spin, EditorSpec("number", 0.01, limit or 1000.0, 2, 1.0, "", "×")
        )
        set_spin(self.leverage_spin, position.leverage)
        self.leverage_slider.blockSignals(True)
        self.leverage_slider.setMaximum(max(1, math.floor(limit or 200)))
        if not self.leverage_slider.isSliderDown():
            self.leverage_slider.setValue(round(position.leverage))
        self.leverage_slider.blockSignals(False)
        self.leverage_limit.setText(
            f"The tier allows up to {limit:g}× at this size." if limit else "No leverage limit."
        )

        amount = amount_decimals(currency)
        configure_spin_box(
            self.added_margin_spin,
            EditorSpec("number", -1e12, 1e12, amount, 10.0 ** (2 - amount), "", f" {currency}"),
        )
        set_spin(self.added_margin_spin, position.added_margin)
        self.added_margin_spin.setEnabled(position.margin_mode == "isolated")

        self._show_take_profits(plan, index, price_decimals)
        if self.notes_edit.toPlainText() != position.notes:
            self.notes_edit.blockSignals(True)
            self.notes_edit.setPlainText(position.notes)
            self.notes_edit.blockSignals(False)

    def _show_size(self, plan: Plan, index: int) -> None:
        position = plan.positions[index]
        market = plan.market(position.symbol)
        currency = plan.account.currency
        unit: sizing.SizeUnit = self.size_unit.currentData()
        args = (position.quantity, position.entry_price, position.leverage)
        if unit == "quantity":
            spec = EditorSpec("number", 1e-8, 1e12, 8, _step(position.quantity))
        else:
            decimals = amount_decimals(currency)
            value = sizing.size_in(market, unit, *args)
            spec = EditorSpec(
                "number", 10.0**-decimals, 1e15, decimals, _step(value), "", f" {currency}"
            )
        configure_spin_box(self.size_spin, spec)
        set_spin(self.size_spin, sizing.size_in(market, unit, *args))
        shown = []
        for other, label in SIZE_UNITS:
            if other == unit:
                continue
            value = sizing.size_in(market, other, *args)
            text = (
                format_quantity(value)
                if other == "quantity"
                else format_amount(value, currency, with_unit=True)
            )
            shown.append(f"{label.lower()} {text}")
        self.size_other.setText(" · ".join(shown))

    def _show_take_profits(self, plan: Plan, index: int, decimals: int) -> None:
        position = plan.positions[index]
        result = self._document.analysis.position(index)
        currency = plan.account.currency
        market = plan.market(position.symbol)
        table = self.tp_table
        if table.rowCount() != len(position.take_profits):
            table.setRowCount(len(position.take_profits))
            for row in range(table.rowCount()):
                price = QDoubleSpinBox()
                price.setFrame(False)
                price.setToolTip(explain("take_profits"))
                fraction = QDoubleSpinBox()
                fraction.setFrame(False)
                configure_spin_box(fraction, EditorSpec("number", 0.01, 100, 2, 5, "", " %"))
                fraction.setToolTip("The share of the position closed at this price.")
                for box in (price, fraction):  # arrows would leave the digits no room
                    box.setButtonSymbols(QDoubleSpinBox.ButtonSymbols.NoButtons)
                price.valueChanged.connect(self._on_tp_value_changed)
                fraction.valueChanged.connect(self._on_tp_value_changed)
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
            price = table.cellWidget(row, 0)
            fraction = table.cellWidget(row, 1)
            assert isinstance(price, QDoubleSpinBox) and isinstance(fraction, QDoubleSpinBox)
            configure_spin_box(price, EditorSpec("number", 10.0**-decimals, 1e12, decimals, step))
            set_spin(price, tp.price)
            set_spin(fraction, tp.fraction * 100)
            table.item(row, 2).setText(format_amount(tp_result.reward, currency, sign=True))
        if result.reward_to_risk is not None:
            self.tp_summary.setText(f"Reward to risk {result.reward_to_risk:.2f} : 1")
        else:
            self.tp_summary.setText("Reward to risk needs a stop and a take-profit.")
        self.tp_summary.setToolTip(explain("reward_to_risk"))
        self.tp_remove.setEnabled(bool(position.take_profits))

    # --- widgets → document ----------------------------------------------------------------

    def _commit(self, field: str, value: Any, *, merge: bool = True) -> None:
        index = self._document.current_index
        if index is None:
            return
        position_id = self._document.plan.positions[index].id
        select = str(value) if field == "id" else position_id
        self._apply(
            lambda plan: edits.set_position_field(plan, index, field, value),
            field,
            merge=merge,
            select=select,
        )

    def _apply(
        self, make: Any, field: str, *, merge: bool = True, select: str = "", preview: bool = False
    ) -> None:
        index = self._document.current_index
        if index is None:
            return
        position_id = self._document.plan.positions[index].id
        label = edits.POSITION_FIELDS[field]
        if preview:
            try:
                self._document.preview(make(self._document.committed_plan))
            except PlanError as error:
                self._mark(error, field)
            return
        error = self._document.edit(
            make,
            f"Change {label} of {position_id}",
            merge_key=f"{position_id}|{field}" if merge else None,
            select=select or position_id,
        )
        if error is not None:
            self._mark(error, field)

    def _on_id_edit_finished(self) -> None:
        text = self.id_edit.text().strip()
        index = self._document.current_index
        if index is not None and text != self._document.plan.positions[index].id:
            self._commit("id", text, merge=False)

    def _on_symbol_combo_activated(self, *_args: object) -> None:
        text = self.symbol_combo.currentText().strip()
        index = self._document.current_index
        if index is not None and text != self._document.plan.positions[index].symbol:
            self._commit("symbol", text, merge=False)

    def _on_side_combo_activated(self, _row: int) -> None:
        self._commit("side", self.side_combo.currentData(), merge=False)

    def _on_mode_group_clicked(self, button: QRadioButton) -> None:
        mode = "cross" if button is self.cross_button else "isolated"
        self._commit("margin_mode", mode, merge=False)

    def _on_size_unit_changed(self, _row: int) -> None:
        self._show()

    def _on_size_spin_changed(self, value: float) -> None:
        index = self._document.current_index
        if index is None:
            return
        unit: sizing.SizeUnit = self.size_unit.currentData()
        self._apply(lambda plan: edits.set_position_size(plan, index, unit, value), "quantity")

    def _on_entry_spin_changed(self, value: float) -> None:
        self._commit("entry_price", value)

    def _on_stop_spin_changed(self, value: float) -> None:
        self._commit("stop_loss", None if value == self.stop_spin.minimum() else value)

    def _on_leverage_spin_changed(self, value: float) -> None:
        self._commit("leverage", value)

    def _on_leverage_slider_changed(self, value: int) -> None:
        index = self._document.current_index
        if index is None:
            return
        make = lambda plan: edits.set_position_field(plan, index, "leverage", float(value))  # noqa: E731
        self._apply(make, "leverage", preview=self.leverage_slider.isSliderDown())

    def _on_leverage_slider_released(self) -> None:
        self._on_leverage_slider_changed(self.leverage_slider.value())

    def _on_added_margin_spin_changed(self, value: float) -> None:
        self._commit("added_margin", value)

    def _on_notes_edit_changed(self) -> None:
        self._commit("notes", self.notes_edit.toPlainText())

    def _take_profits_in_table(self) -> list[dict[str, float]]:
        levels = []
        for row in range(self.tp_table.rowCount()):
            price = self.tp_table.cellWidget(row, 0)
            fraction = self.tp_table.cellWidget(row, 1)
            assert isinstance(price, QDoubleSpinBox) and isinstance(fraction, QDoubleSpinBox)
            levels.append({"price": price.value(), "fraction": fraction.value() / 100})
        return levels

    def _on_tp_value_changed(self, _value: float) -> None:
        self._commit("take_profits", self._take_profits_in_table())

    def _on_tp_add_clicked(self) -> None:
        index = self._document.current_index
        if index is None:
            return
        position = self._document.plan.positions[index]
        levels = self._take_profits_in_table()
        left = 1.0 - math.fsum(level["fraction"] for level in levels)
        if left <= 1e-9:
            error = PlanError(
                f"positions[{index}].take_profits: the levels already close the whole "
                "position; lower a fraction first",
                field=f"positions[{index}].take_profits",
            )
            self._mark(error, "take_profits")
            return
        price = levels[-1]["price"] if levels else position.entry_price
        levels.append({"price": price, "fraction": round(min(left, 0.5), 4)})
        self._commit("take_profits", levels, merge=False)

    def _on_tp_remove_clicked(self) -> None:
        levels = self._take_profits_in_table()
        if not levels:
            return
        rows = {index.row() for index in self.tp_table.selectionModel().selectedRows()}
        drop = rows or {len(levels) - 1}
        self._commit(
            "take_profits", [lv for i, lv in enumerate(levels) if i not in drop], merge=False
        )

    # --- marks -----------------------------------------------------------------------------

    def _mark(self, error: PlanError, fallback: str) -> None:
        field = _field_of(error) or fallback
        widget = self._fields.get(field, self._fields[fallback])
        self._clear_marks()
        widget.setProperty("invalid", True)
        widget.setToolTip(f"{error}\n\n{explain('size' if field == 'quantity' else field)}")
        _repolish(widget)
        self.error_label.setText(str(error))
        self.error_icon.setVisible(True)
        self.error_label.setVisible(True)

    def _clear_marks(self) -> None:
        for field, widget in self._fields.items():
            if widget.property("invalid"):
                widget.setProperty("invalid", False)
                widget.setToolTip(explain("size" if field == "quantity" else field))
                _repolish(widget)
        self.error_label.clear()
        self.error_icon.setVisible(False)
        self.error_label.setVisible(False)

    def marked_fields(self) -> list[str]:
        return [field for field, widget in self._fields.items() if widget.property("invalid")]


def _repolish(widget: QWidget) -> None:
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def _step(value: float) -> float:
    if not value or not math.isfinite(value):
        return 1.0
    return 10.0 ** (math.floor(math.log10(abs(value))) - 1)
