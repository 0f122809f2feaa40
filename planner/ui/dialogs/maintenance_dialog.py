"""Editing one market's maintenance rule: a flat rate, or a tier table (typed in, or loaded
from the tables shipped with the program by venue and symbol)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from planner.domain.errors import PlanError
from planner.domain.plan import TierTable
from planner.domain.tiers import continuous_maintenance_amounts
from planner.storage.tier_library import shipped_tables
from planner.ui.document import edits
from planner.ui.document.plan_document import PlanDocument
from planner.ui.explanations import explain
from planner.ui.widgets.delegates import EditorSpec, configure_spin_box

TIER_COLUMNS = (
    ("notional_floor", "Floor"),
    ("notional_cap", "Cap"),
    ("max_leverage", "Max leverage"),
    ("mmr", "Rate %"),
    ("maintenance_amount", "Amount"),
)


class MaintenanceDialog(QDialog):
    def __init__(self, document: PlanDocument, row: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self._row = row
        market = document.plan.markets[row]
        self.setWindowTitle(f"Maintenance rule of {market.symbol}")
        self.flat_button = QRadioButton("Flat rate")
        self.tiers_button = QRadioButton("Tier table")
        kind_row = QHBoxLayout()
        kind_row.addWidget(self.flat_button)
        kind_row.addWidget(self.tiers_button)
        kind_row.addStretch(1)

        self.flat_page = QWidget()
        flat = QFormLayout(self.flat_page)
        self.mmr_spin = QDoubleSpinBox()
        configure_spin_box(self.mmr_spin, EditorSpec("number", 0, 99.99, 4, 0.1, "", " %"))
        self.amount_spin = QDoubleSpinBox()
        configure_spin_box(self.amount_spin, EditorSpec("number", -1e12, 1e12, 6, 1))
        self.max_leverage_spin = QDoubleSpinBox()
        configure_spin_box(
            self.max_leverage_spin, EditorSpec("number", 0, 10000, 2, 1, "no limit", "×")
        )
        for label, widget, key in (
            ("Maintenance rate", self.mmr_spin, "mmr"),
            ("Maintenance amount", self.amount_spin, "maintenance_amount"),
            ("Max leverage", self.max_leverage_spin, "max_leverage"),
        ):
            widget.setToolTip(explain(key))
            flat.addRow(label, widget)

        self.tiers_page = QWidget()
        tiers_layout = QVBoxLayout(self.tiers_page)
        shipped = QGroupBox("Load a shipped table")
        shipped_row = QHBoxLayout(shipped)
        self.venue_combo = QComboBox()
        for venue in sorted({t.venue for t in shipped_tables()}):
            self.venue_combo.addItem(venue.capitalize(), venue)
        self.symbol_combo = QComboBox()
        self.load_button = QPushButton("Load")
        shipped_row.addWidget(QLabel("Venue"))
        shipped_row.addWidget(self.venue_combo)
        shipped_row.addWidget(QLabel("Symbol"))
        shipped_row.addWidget(self.symbol_combo, 1)
        shipped_row.addWidget(self.load_button)
        tiers_layout.addWidget(shipped)
        self.tier_table = QTableWidget(0, len(TIER_COLUMNS))
        self.tier_table.setHorizontalHeaderLabels([h for _, h in TIER_COLUMNS])
        for column, (key, _) in enumerate(TIER_COLUMNS):
            self.tier_table.horizontalHeaderItem(column).setToolTip(explain(key))
        self.tier_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        tiers_layout.addWidget(self.tier_table, 1)
        tier_buttons = QHBoxLayout()
        self.add_tier = QPushButton("Add tier")
        self.remove_tier = QPushButton("Remove tier")
        self.fill_amounts = QPushButton("Make amounts continuous")
        self.fill_amounts.setToolTip(explain("maintenance_amount"))
        for button in (self.add_tier, self.remove_tier, self.fill_amounts):
            tier_buttons.addWidget(button)
        tier_buttons.addStretch(1)
        tiers_layout.addLayout(tier_buttons)
        source_form = QFormLayout()
        self.source_edit = QLineEdit()
        self.as_of_edit = QLineEdit()
        source_form.addRow("Source", self.source_edit)
        source_form.addRow("As of", self.as_of_edit)
        tiers_layout.addLayout(source_form)

        self.pages = QStackedWidget()
        self.pages.addWidget(self.flat_page)
        self.pages.addWidget(self.tiers_page)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        layout = QVBoxLayout(self)
        layout.addLayout(kind_row)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.resize(640, 480)

        self.flat_button.toggled.connect(self._on_flat_button_toggled)
        self.venue_combo.currentIndexChanged.connect(self._on_venue_combo_changed)
        self.load_button.clicked.connect(self._on_load_button_clicked)
        self.add_tier.clicked.connect(self._on_add_tier_clicked)
        self.remove_tier.clicked.connect(self._on_remove_tier_clicked)
        self.fill_amounts.clicked.connect(self._on_fill_amounts_clicked)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self._show_rule()

    def _show_rule(self) -> None:
        market = self._document.plan.markets[self._row]
        rule = market.maintenance
        venue = self._document.plan.account.venue
        at = self.venue_combo.findData(venue)
        self.venue_combo.setCurrentIndex(max(at, 0))
        self._on_venue_combo_changed(self.venue_combo.currentIndex())
        at = self.symbol_combo.findText(market.symbol)
        if at >= 0:
            self.symbol_combo.setCurrentIndex(at)
        if isinstance(rule, TierTable):
            self.tiers_button.setChecked(True)
            self._fill_tiers(rule)
        else:
            self.flat_button.setChecked(True)
            self.mmr_spin.setValue(rule.mmr * 100)
            self.amount_spin.setValue(rule.maintenance_amount)
            self.max_leverage_spin.setValue(rule.max_leverage or 0)
            self._fill_tiers(
                TierTable.model_validate({"tiers": [dict(market.tiers[0].model_dump())]})
            )
        self.pages.setCurrentIndex(0 if self.flat_button.isChecked() else 1)

    def _fill_tiers(self, table: TierTable) -> None:
        self.tier_table.setRowCount(len(table.tiers))
        for row, tier in enumerate(table.tiers):
            values = tier.model_dump()
            for column, (key, _) in enumerate(TIER_COLUMNS):
                value = values[key]
                if key == "mmr":
                    value = float(f"{value * 100:.12g}")
                text = "" if value is None else f"{value:.12g}"
                self.tier_table.setItem(row, column, QTableWidgetItem(text))
        self.source_edit.setText(table.source or "")
        self.as_of_edit.setText(table.as_of or "")

    def _tiers_in_table(self) -> list[dict[str, Any]]:
        tiers = []
        for row in range(self.tier_table.rowCount()):
            tier: dict[str, Any] = {}
            for column, (key, header) in enumerate(TIER_COLUMNS):
                item = self.tier_table.item(row, column)
                text = item.text().strip().replace(",", "") if item else ""
                if not text:
                    tier[key] = None if key in ("notional_cap", "max_leverage") else 0.0
                    continue
                try:
                    value = float(text)
                except ValueError:
                    raise PlanError(
                        f"tiers[{row}].{key} = {text!r}: {header} must be a number",
                        field=f"tiers[{row}].{key}",
                    ) from None
                # percent → fraction without float noise (0.65 % → 0.0065, not 0.006500…01)
                tier[key] = float(f"{value / 100:.12g}") if key == "mmr" else value
            tiers.append(tier)
        return tiers

    def rule(self) -> dict[str, Any]:
        """The rule as typed, as plan data."""
        if self.flat_button.isChecked():
            limit = self.max_leverage_spin.value()
            return {
                "mmr": float(f"{self.mmr_spin.value() / 100:.12g}"),
                "maintenance_amount": self.amount_spin.value(),
                "max_leverage": limit or None,
            }
        return {
            "tiers": self._tiers_in_table(),
            "source": self.source_edit.text().strip() or None,
            "as_of": self.as_of_edit.text().strip() or None,
        }

    def _on_flat_button_toggled(self, flat: bool) -> None:
        self.pages.setCurrentIndex(0 if flat else 1)

    def _on_venue_combo_changed(self, _row: int) -> None:
        venue = self.venue_combo.currentData()
        self.symbol_combo.clear()
        self.symbol_combo.addItems([t.symbol for t in shipped_tables() if t.venue == venue])

    def _on_load_button_clicked(self) -> None:
        venue, symbol = self.venue_combo.currentData(), self.symbol_combo.currentText()
        for shipped in shipped_tables():
            if shipped.venue == venue and shipped.symbol == symbol:
                self._fill_tiers(shipped.table)
                self.error_label.setText(f"Loaded {len(shipped.table.tiers)} tiers.")
                return

    def _on_add_tier_clicked(self) -> None:
        row = self.tier_table.rowCount()
        self.tier_table.insertRow(row)
        previous_cap = self.tier_table.item(row - 1, 1) if row else None
        floor = previous_cap.text() if previous_cap and previous_cap.text() else "0"
        for column, text in enumerate((floor, "", "", "", "")):
            self.tier_table.setItem(row, column, QTableWidgetItem(text))

    def _on_remove_tier_clicked(self) -> None:
        row = self.tier_table.currentRow()
        self.tier_table.removeRow(row if row >= 0 else self.tier_table.rowCount() - 1)

    def _on_fill_amounts_clicked(self) -> None:
        try:
            tiers = self._tiers_in_table()
        except PlanError as error:
            self.error_label.setText(str(error))
            return
        amounts = continuous_maintenance_amounts(
            [t["notional_floor"] for t in tiers], [t["mmr"] for t in tiers]
        )
        column = [k for k, _ in TIER_COLUMNS].index("maintenance_amount")
        for row, amount in enumerate(amounts):
            self.tier_table.setItem(row, column, QTableWidgetItem(f"{amount:.12g}"))

    def _on_buttons_accepted(self) -> None:
        symbol = self._document.plan.markets[self._row].symbol
        try:
            rule = self.rule()
        except PlanError as error:
            self.error_label.setText(str(error))
            return
        error = self._document.edit(
            lambda plan: edits.set_market_field(plan, self._row, "maintenance", rule),
            f"Change maintenance rule of {symbol}",
        )
        if error is not None:
            self.error_label.setText(str(error))
            return
        self.accept()
