"""The account panel's collateral group (spec v2 ``account.collateral``): every asset backing the
cross pool with its price source, haircut, value and own liquidation price, and a row of inputs
to add, update or remove one — the haircut taken from the venue's published table
(``resources/collateral``) when there is one."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from planner.domain.analysis import Analysis
from planner.domain.formatting import format_percent, format_price
from planner.domain.plan import Plan
from planner.storage.collateral_library import assets_for, haircut_table
from planner.ui.document import edits
from planner.ui.document.plan_document import PlanDocument
from planner.ui.widgets.delegates import EditorSpec, configure_spin_box

FIXED = "Fixed price"
HEADERS = ("Asset", "Amount", "Priced by", "Haircut", "Value", "Liq. price", "To liq.")
TIP = (
    "Assets other than the currency that back the cross pool (Binance Multi-Assets, Bybit "
    "UTA, OKX multi-currency margin), each counted at price × (1 − haircut). Priced by a "
    "market, an asset moves with it in every liquidation price, sweep and map; its own "
    "liquidation price is the asset's price alone at which the pool fails. Isolated "
    "positions draw nothing from it."
)


def _haircut_text(item: Any) -> str:
    if item.value_ratio_tiers is not None:
        return "tiered"
    ratio = 1.0 if item.value_ratio is None else item.value_ratio
    return format_percent(1.0 - ratio, 2)


class CollateralGroup(QGroupBox):
    def __init__(self, document: PlanDocument, parent: QWidget | None = None) -> None:
        super().__init__("Collateral", parent)
        self._document = document
        self.setToolTip(TIP)
        grid = QGridLayout(self)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setObjectName("collateral_table")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMinimumHeight(70)
        self.table.setMaximumHeight(140)
        self.total = QLabel()
        self.total.setObjectName("collateral_value")
        self.asset_combo = QComboBox()
        self.asset_combo.setEditable(True)
        self.asset_combo.setToolTip("The asset: pick one with a published haircut, or type one.")
        self.amount_spin = QDoubleSpinBox()
        configure_spin_box(self.amount_spin, EditorSpec("number", 0, 1e12, 8, 1.0, "", ""))
        self.amount_spin.setToolTip("How many units of the asset the account holds.")
        self.source_combo = QComboBox()
        self.source_combo.setToolTip("The market whose mark prices the asset, or a fixed price.")
        self.price_spin = QDoubleSpinBox()
        configure_spin_box(self.price_spin, EditorSpec("number", 0, 1e12, 8, 1.0, "", ""))
        self.price_spin.setToolTip("The asset's fixed price in the account's currency.")
        self.haircut_spin = QDoubleSpinBox()
        configure_spin_box(self.haircut_spin, EditorSpec("number", 0, 99.99, 2, 1.0, "", " %"))
        self.haircut_spin.setToolTip("1 − value ratio: the share of the value the venue ignores.")
        self.source_note = QLabel()
        self.source_note.setWordWrap(True)
        self.add_button = QPushButton("Add / update")
        self.remove_button = QPushButton("Remove")
        inputs = (
            self.asset_combo,
            self.amount_spin,
            self.source_combo,
            self.price_spin,
            self.haircut_spin,
        )
        grid.addWidget(self.table, 0, 0, 1, 5)
        grid.addWidget(self.total, 1, 0, 1, 5)
        for column, text in enumerate(("Asset", "Amount", "Priced by", "Price", "Haircut")):
            grid.addWidget(QLabel(text), 2, column)
        for column, widget in enumerate(inputs):
            grid.addWidget(widget, 3, column)
        grid.addWidget(self.source_note, 4, 0, 1, 3)
        grid.addWidget(self.add_button, 4, 3)
        grid.addWidget(self.remove_button, 4, 4)
        #: the venue's tiers for the chosen asset, used until the haircut is typed over
        self._tiers: list[dict[str, float]] | None = None
        self.asset_combo.currentTextChanged.connect(self._on_asset_changed)
        self.source_combo.currentTextChanged.connect(self._on_source_changed)
        self.haircut_spin.valueChanged.connect(self._on_haircut_typed)
        self.table.itemSelectionChanged.connect(self._on_row_selected)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        document.changed.connect(self.refresh)
        document.amounts.changed.connect(self.refresh)
        self.refresh()

    # --- document → widgets ----------------------------------------------------------------

    def refresh(self) -> None:
        analysis: Analysis = self._document.analysis
        plan = analysis.plan
        currency = plan.account.currency
        items = {c.asset: c for c in plan.account.collateral}
        self.table.setRowCount(len(analysis.collateral))
        for row, result in enumerate(analysis.collateral):
            item = items[result.asset]
            tick = plan.market(item.price_symbol).tick_size if item.price_symbol else None
            distance = (
                None
                if result.liquidation_price is None
                else (result.liquidation_price - result.price) / result.price
            )
            cells = (
                result.asset,
                f"{result.amount:,.8g}",
                item.price_symbol or f"{FIXED} {format_price(result.price, tick)}",
                _haircut_text(item),
                self._document.amounts.format(result.value, currency, with_unit=True),
                format_price(result.liquidation_price, tick),
                format_percent(distance, 1, sign=True),
            )
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        amounts = self._document.amounts

        def amount(value: float) -> str:
            return amounts.format(value, currency, with_unit=True)

        self.total.setText(
            f"Counted in the cross pool: {amount(analysis.cross.collateral_value)}"
            if items
            else "No collateral: the wallet alone backs the cross pool."
        )
        self._fill_choices(plan)

    def _fill_choices(self, plan: Plan) -> None:
        asset = self.asset_combo.currentText()
        shipped = assets_for(plan.account.venue)
        if [self.asset_combo.itemText(i) for i in range(self.asset_combo.count())] != shipped:
            self.asset_combo.blockSignals(True)
            self.asset_combo.clear()
            self.asset_combo.addItems(shipped)
            self.asset_combo.setEditText(asset)
            self.asset_combo.blockSignals(False)
        source = self.source_combo.currentText()
        choices = [m.symbol for m in plan.markets if m.contract == "linear"] + [FIXED]
        if [self.source_combo.itemText(i) for i in range(self.source_combo.count())] != choices:
            self.source_combo.blockSignals(True)
            self.source_combo.clear()
            self.source_combo.addItems(choices)
            self.source_combo.setCurrentText(source if source in choices else FIXED)
            self.source_combo.blockSignals(False)
        self._on_source_changed(self.source_combo.currentText())

    # --- inputs ----------------------------------------------------------------------------

    def _on_asset_changed(self, asset: str) -> None:
        plan = self._document.plan
        venue = plan.account.venue
        try:
            table = haircut_table(venue, asset)
        except KeyError:
            self._tiers = None
            self.source_note.setText(f"No published haircut for {asset} on {venue}: type it.")
        else:
            self.haircut_spin.blockSignals(True)
            if table.value_ratio_tiers is not None:
                self._tiers = [t.model_dump() for t in table.value_ratio_tiers]
                self.haircut_spin.setValue((1.0 - table.value_ratio_tiers[0].ratio) * 100)
            else:
                self._tiers = None
                self.haircut_spin.setValue((1.0 - (table.value_ratio or 1.0)) * 100)
            self.haircut_spin.blockSignals(False)
            kind = "tiers by amount" if self._tiers else "haircut"
            example = " (the venue's illustrative example)" if table.illustrative else ""
            self.source_note.setText(f"{venue} {kind} as of {table.as_of}{example}.")
        market = next(
            (
                m.symbol
                for m in plan.markets
                if m.contract == "linear" and m.symbol.startswith(asset)
            ),
            None,
        )
        if asset and market is not None:
            self.source_combo.setCurrentText(market)

    def _on_source_changed(self, source: str) -> None:
        self.price_spin.setEnabled(source == FIXED)

    def _on_haircut_typed(self, _value: float) -> None:
        self._tiers = None  # a typed haircut is one flat ratio

    def _on_row_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        item = self._document.plan.account.collateral[rows[0].row()]
        self.asset_combo.setEditText(item.asset)
        self.amount_spin.setValue(item.amount)
        self.source_combo.setCurrentText(item.price_symbol or FIXED)
        if item.price is not None:
            self.price_spin.setValue(item.price)
        self._tiers = (
            None
            if item.value_ratio_tiers is None
            else [t.model_dump() for t in item.value_ratio_tiers]
        )

    def item_from_inputs(self) -> dict[str, Any]:
        source = self.source_combo.currentText()
        item: dict[str, Any] = {
            "asset": self.asset_combo.currentText().strip().upper(),
            "amount": self.amount_spin.value(),
        }
        if source == FIXED:
            item["price"] = self.price_spin.value()
        else:
            item["price_symbol"] = source
        if self._tiers is not None:
            item["value_ratio_tiers"] = self._tiers
        else:
            item["value_ratio"] = float(f"{1.0 - self.haircut_spin.value() / 100:.12g}")
        return item

    def _on_add_clicked(self) -> None:
        item = self.item_from_inputs()
        asset = item["asset"]

        def make(plan: Plan) -> Plan:
            items = [c.model_dump(exclude_none=True) for c in plan.account.collateral]
            kept = [c for c in items if c["asset"] != asset]
            at = next((i for i, c in enumerate(items) if c["asset"] == asset), len(kept))
            kept.insert(at, item)
            return edits.validate(plan, account=plan.account.model_dump() | {"collateral": kept})

        self._document.edit(make, f"Set {asset} collateral")

    def _on_remove_clicked(self) -> None:
        asset = self.asset_combo.currentText().strip().upper()

        def make(plan: Plan) -> Plan:
            items = [
                c.model_dump(exclude_none=True) for c in plan.account.collateral if c.asset != asset
            ]
            return edits.validate(plan, account=plan.account.model_dump() | {"collateral": items})

        if any(c.asset == asset for c in self._document.plan.account.collateral):
            self._document.edit(make, f"Remove {asset} collateral")
