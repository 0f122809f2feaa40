"""Markets: mark prices, ticks, contracts and maintenance rules, each edit a command.

A table of the plan's markets (editable in place through the shared delegate) with buttons to
add and remove a market and to edit its maintenance rule — flat, or a tier table that can be
loaded from the tables shipped with the program.
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from planner.domain.formatting import (
    MISSING,
    decimals_for_tick,
    format_leverage,
    format_percent,
    format_price,
    format_quantity,
)
from planner.domain.plan import Market, TierTable
from planner.domain.plan_base import FUNDING_INTERVAL_MAX_HOURS, FUNDING_RATE_MAX
from planner.ui.document import edits
from planner.ui.document.plan_document import PlanDocument
from planner.ui.explanations import explain
from planner.ui.widgets.delegates import EDITOR_ROLE, EditorSpec, FieldDelegate

ModelIndex = QModelIndex | QPersistentModelIndex

MARKET_COLUMNS: tuple[tuple[str, str], ...] = (
    ("symbol", "Symbol"),
    ("contract", "Contract"),
    ("contract_size", "Contract size"),
    ("mark_price", "Mark"),
    ("tick_size", "Tick"),
    ("funding_rate", "Funding"),
    ("funding_interval_hours", "Every"),
    ("maintenance", "Maintenance"),
)
#: funding columns: shown and typed in % and hours, stored as a fraction and hours
FUNDING_TIPS = {
    "funding_rate": (
        "The funding rate per interval, in %: positive, longs pay shorts; negative, shorts "
        "pay longs. Charged over the plan's horizon on the notional at the mark."
    ),
    "funding_interval_hours": "How often funding is paid, in hours (8 on most venues).",
}
CONTRACTS = (("linear", "Linear"), ("inverse", "Inverse"))


_HASH = re.compile(r"\b[0-9a-f]{7,40}\b")


def short_source(source: str) -> str:
    """A tier table's source in a few words for a table cell: no commit hashes, no notes in
    brackets, a web page by its site and a file by its name (the full text is the tooltip)."""
    text = _HASH.sub("", source).split(" (")[0].split(";")[0].split(": ")[0]
    text = text.replace("@", " ").strip()
    words = text.split()
    for word in words:
        if word.startswith(("http://", "https://")):
            return word.split("/")[2].removeprefix("www.")
    if words and "/" in words[-1]:
        return words[-1].rsplit("/", 1)[-1]
    return " ".join(words[:6])


def describe_maintenance(market: Market, *, full: bool = False) -> str:
    rule = market.maintenance
    if isinstance(rule, TierTable):
        text = f"{len(rule.tiers)} tiers"
        if rule.source:
            text += f" · {rule.source if full else short_source(rule.source)}"
        if rule.as_of:
            text += f" ({rule.as_of})"
        return text
    limit = f", max {format_leverage(rule.max_leverage)}" if rule.max_leverage else ""
    return f"flat {format_percent(rule.mmr)}{limit}"


class MarketTableModel(QAbstractTableModel):
    edit_refused = Signal(str)

    def __init__(self, document: PlanDocument, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self._symbols = [m.symbol for m in document.plan.markets]
        document.changed.connect(self._on_document_changed)

    def _on_document_changed(self) -> None:
        symbols = [m.symbol for m in self._document.plan.markets]
        if len(symbols) == len(self._symbols):
            self._symbols = symbols
            if symbols:
                self.dataChanged.emit(
                    self.index(0, 0), self.index(len(symbols) - 1, len(MARKET_COLUMNS) - 1)
                )
            return
        self.beginResetModel()
        self._symbols = symbols
        self.endResetModel()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._symbols)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(MARKET_COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(MARKET_COLUMNS):
            return None
        key, header = MARKET_COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return header
        if role == Qt.ItemDataRole.ToolTipRole:
            return FUNDING_TIPS.get(key) or explain(key)
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if MARKET_COLUMNS[index.column()][0] != "maintenance":
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        market = self._document.plan.markets[index.row()]
        key = MARKET_COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            if key == "symbol":
                return market.symbol
            if key == "contract":
                return market.contract.capitalize()
            if key == "contract_size":
                return format_quantity(market.contract_size)
            if key == "mark_price":
                return format_price(market.mark_price, market.tick_size)
            if key == "tick_size":
                return MISSING if market.tick_size is None else format_quantity(market.tick_size)
            if key == "funding_rate":
                return format_percent(market.funding_rate, 4, sign=bool(market.funding_rate))
            if key == "funding_interval_hours":
                return f"{market.funding_interval_hours:g} h"
            return describe_maintenance(market)
        if role == Qt.ItemDataRole.EditRole:
            if key == "funding_rate":
                return round(market.funding_rate * 100, 10)
            return None if key == "maintenance" else getattr(market, key)
        if role == Qt.ItemDataRole.ToolTipRole:
            if key in FUNDING_TIPS:
                return FUNDING_TIPS[key]
            if key == "maintenance":
                return f"{explain(key)}\n\n{describe_maintenance(market, full=True)}"
            return explain(key)
        if role == Qt.ItemDataRole.TextAlignmentRole and key in (
            "contract_size",
            "mark_price",
            "tick_size",
            "funding_rate",
            "funding_interval_hours",
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == EDITOR_ROLE:
            return self._editor_spec(market, key)
        return None

    def _editor_spec(self, market: Market, key: str) -> EditorSpec | None:
        if key == "contract":
            return EditorSpec("choice", choices=CONTRACTS)
        if key == "symbol":
            return EditorSpec("text")
        if key == "mark_price":
            decimals = decimals_for_tick(market.tick_size, market.mark_price)
            step = market.tick_size or 10.0**-decimals
            return EditorSpec("number", 10.0**-decimals, 1e12, decimals, step)
        if key == "tick_size":
            return EditorSpec("number", 0, 1e6, 8, 0.01, "none")
        if key == "contract_size":
            return EditorSpec("number", 1e-8, 1e9, 8, 1.0)
        if key == "funding_rate":
            limit = FUNDING_RATE_MAX * 100
            return EditorSpec("number", -limit, limit, 4, 0.01, "", " %")
        if key == "funding_interval_hours":
            return EditorSpec("number", 0.01, FUNDING_INTERVAL_MAX_HOURS, 2, 1.0, "", " h")
        return None

    def setData(self, index: ModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        key = MARKET_COLUMNS[index.column()][0]
        if key == "maintenance":
            return False
        row = index.row()
        symbol = self._document.plan.markets[row].symbol
        if key == "tick_size" and not value:
            value = None
        if key == "symbol":
            value = str(value).strip()
        if key == "funding_rate":
            value = round(float(value) / 100, 12)
        error = self._document.edit(
            lambda plan: edits.set_market_field(plan, row, key, value),
            f"Change {edits.MARKET_FIELDS[key]} of {symbol}",
            merge_key=f"market:{symbol}|{key}",
        )
        if error is not None:
            self.edit_refused.emit(str(error))
            return False
        return True


class MarketsPanel(QWidget):
    edit_refused = Signal(str)

    def __init__(self, document: PlanDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self.setObjectName("markets_panel")
        self.model = MarketTableModel(document, self)
        self.view = QTableView()
        self.view.setObjectName("market_table")
        self.view.setModel(self.model)
        delegate = FieldDelegate(self.view)
        delegate.refused.connect(self._on_delegate_refused)
        self.view.setItemDelegate(delegate)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().setVisible(False)
        header = self.view.horizontalHeader()
        # sized once per reset: ResizeToContents would measure every cell on every edit
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.view.resizeColumnsToContents()
        self.model.modelReset.connect(self.view.resizeColumnsToContents)
        self.add_button = QPushButton("Add market")
        self.remove_button = QPushButton("Remove")
        self.maintenance_button = QPushButton("Maintenance…")
        self.maintenance_button.setToolTip(explain("maintenance"))
        buttons = QHBoxLayout()
        for button in (self.add_button, self.remove_button, self.maintenance_button):
            # narrow docks may clip the words rather than widen the window
            button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            button.setMinimumWidth(40)
            buttons.addWidget(button, 1)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.model.edit_refused.connect(self.edit_refused)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        self.maintenance_button.clicked.connect(self._on_maintenance_button_clicked)
        self.view.doubleClicked.connect(self._on_view_double_clicked)

    def _on_delegate_refused(self, text: str, rule: str) -> None:
        index = self.view.currentIndex()
        where = f"markets[{index.row()}].{MARKET_COLUMNS[index.column()][0]}"
        self.edit_refused.emit(f"{where} = {text.strip() or '(empty)'}: {rule}")

    def current_row(self) -> int | None:
        index = self.view.currentIndex()
        return index.row() if index.isValid() else None

    def _on_add_button_clicked(self) -> None:
        try:
            plan, row = edits.add_market(self._document.plan)
        except edits.PlanError as error:
            self.edit_refused.emit(str(error))
            return
        self._document.apply(plan, f"Add market {plan.markets[row].symbol}")
        self.view.setCurrentIndex(self.model.index(row, 0))

    def _on_remove_button_clicked(self) -> None:
        row = self.current_row()
        if row is None:
            return
        symbol = self._document.plan.markets[row].symbol
        error = self._document.edit(
            lambda plan: edits.remove_market(plan, row), f"Remove market {symbol}"
        )
        if error is not None:
            self.edit_refused.emit(str(error))

    def _on_view_double_clicked(self, index: QModelIndex) -> None:
        if MARKET_COLUMNS[index.column()][0] == "maintenance":
            self._on_maintenance_button_clicked()

    def _on_maintenance_button_clicked(self) -> None:
        row = self.current_row()
        if row is None:
            if not self._document.plan.markets:
                return
            row = 0
        from planner.ui.dialogs.maintenance_dialog import MaintenanceDialog

        dialog = MaintenanceDialog(self._document, row, self)
        dialog.exec()
        dialog.deleteLater()
