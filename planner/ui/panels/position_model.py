"""The position table: a QAbstractTableModel over the document.

``data()`` only formats what the analysis holds (through planner.domain.formatting);
``setData()`` turns an edit into a command on the document. Inputs are editable in place,
outputs are read-only; risk is shown by colour and by words and an icon.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyle

from planner.domain.formatting import (
    MISSING,
    amount_decimals,
    decimals_for_tick,
    format_amount,
    format_leverage,
    format_percent,
    format_price,
    format_quantity,
)
from planner.domain.plan import Plan, Position
from planner.domain.sizing import max_leverage
from planner.domain.values_in import ValuesIn
from planner.ui.document import edits
from planner.ui.document.plan_document import PlanDocument
from planner.ui.explanations import explain
from planner.ui.panels.position_columns import (
    COLUMN_INDEX,
    COLUMNS,
    RISK_COLUMNS,
    RISK_FILLS,
    Column,
)
from planner.ui.panels.risk_columns import FIGURE_COLUMNS, RiskFigures
from planner.ui.risk import RISK_WORDS, RiskLevel, liquidation_before_stop, risk_level
from planner.ui.widgets.amounts import amount_header
from planner.ui.widgets.delegates import EDITOR_ROLE, SORT_ROLE, EditorSpec

__all__ = ["COLUMNS", "COLUMN_INDEX", "RISK_COLUMNS", "RISK_FILLS", "Column", "PositionTableModel"]

ModelIndex = QModelIndex | QPersistentModelIndex

#: the role under which the model gives a row's position id
POSITION_ID_ROLE = Qt.ItemDataRole.UserRole + 1

SIDES = (("long", "Long"), ("short", "Short"))
MODES = (("cross", "Cross"), ("isolated", "Isolated"))


_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_EDIT = int(Qt.ItemDataRole.EditRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_HANDLED_ROLES = frozenset(
    {
        _DISPLAY,
        _EDIT,
        _ALIGNMENT,
        _BACKGROUND,
        _DECORATION,
        _TOOLTIP,
        int(SORT_ROLE),
        int(POSITION_ID_ROLE),
        int(EDITOR_ROLE),
    }
)

_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
#: flags are asked for every painted cell: built once, not with enum arithmetic per call
_READ_ONLY = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_EDITABLE = _READ_ONLY | Qt.ItemFlag.ItemIsEditable
_ALIGNMENTS = tuple(_RIGHT if column.numeric else _LEFT for column in COLUMNS)
_POSITION_RISK = COLUMN_INDEX["position_risk"]
_RISK_COLUMN_FLAGS = tuple(column.key in RISK_COLUMNS for column in COLUMNS)
#: the analysis columns each output column shows (its text, colour and icon)
OUTPUT_SOURCES: dict[str, tuple[str, ...]] = {
    "notional": ("notional",),
    "margin": ("margin", "initial_margin"),
    "unrealized_pnl": ("unrealized_pnl",),
    "liquidation_price": ("liquidation_price", "risk_ratio"),
    "bankruptcy_price": ("bankruptcy_price",),
    "liquidation_distance": ("liquidation_distance", "risk_ratio"),
    "risk_ratio": ("risk_ratio",),
    "loss_at_stop": ("loss_at_stop",),
}
#: outputs that also follow the liquidated flag (risk level)
_LIQUIDATED_OUTPUTS = frozenset(RISK_COLUMNS)


def _value(x: float) -> float | None:
    return x if math.isfinite(x) else None


class PositionTableModel(QAbstractTableModel):
    """Rows are the plan's positions in plan order; columns are ``COLUMNS``."""

    edit_refused = Signal(str)

    def __init__(self, document: PlanDocument, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self._ids: list[str] = [p.id for p in document.plan.positions]
        self._take(document)
        document.changed.connect(self._on_document_changed)
        document.amounts.changed.connect(self._on_document_changed)
        self._formatters: dict[str, Callable[[int], str]] = {
            "id": lambda r: self._plan.positions[r].id,
            "symbol": lambda r: self._plan.positions[r].symbol,
            "side": lambda r: self._plan.positions[r].side.capitalize(),
            "quantity": lambda r: format_quantity(self._plan.positions[r].quantity),
            "entry_price": lambda r: self._price(r, self._plan.positions[r].entry_price),
            "leverage": lambda r: format_leverage(self._plan.positions[r].leverage),
            "margin_mode": lambda r: self._plan.positions[r].margin_mode.capitalize(),
            "added_margin": self._format_added_margin,
            "stop_loss": lambda r: self._price(r, self._plan.positions[r].stop_loss),
            "notional": lambda r: self._amount(self._col["notional"][r]),
            "margin": lambda r: self._amount(self._margin(r)),
            "unrealized_pnl": lambda r: self._amount(self._col["unrealized_pnl"][r], sign=True),
            "liquidation_price": self._format_liquidation,
            "bankruptcy_price": lambda r: self._price(r, self._col["bankruptcy_price"][r]),
            "liquidation_distance": lambda r: format_percent(
                self._col["liquidation_distance"][r], sign=True
            ),
            "risk_ratio": self._format_risk,
            "loss_at_stop": lambda r: self._amount(self._col["loss_at_stop"][r]),
        }
        for key in FIGURE_COLUMNS:  # read off the account figures (risk_columns.py)
            self._formatters[key] = lambda r, k=key: self._risk_figures.text(k, r)

    # --- document → model ------------------------------------------------------------------

    def _take(self, document: PlanDocument) -> None:
        analysis = document.analysis
        self._plan: Plan = analysis.plan
        self._currency = self._plan.account.currency
        self._values = document.amounts.values()  # the "values in" unit and its rate
        self._markets = {m.symbol: m for m in self._plan.markets}
        self._arrays: dict[str, np.ndarray] = dict(analysis.columns)
        self._liquidated_array: np.ndarray = analysis.liquidated
        self._col: dict[str, list[float]] = {
            name: column.tolist() for name, column in analysis.columns.items()
        }
        self._liquidated: list[bool] = analysis.liquidated.tolist()
        self._risk_figures = RiskFigures(analysis, self._values)
        #: formatted text per column, per row: filled as cells are painted, kept for the
        #: columns a change leaves alone
        self._display: list[dict[int, str]] = [{} for _ in COLUMNS]

    def _on_document_changed(self) -> None:
        ids = [p.id for p in self._document.plan.positions]
        if ids != self._ids:  # rows added, removed or reordered
            self.beginResetModel()
            self._take(self._document)
            self._ids = ids
            self.endResetModel()
            return
        before = (
            self._plan,
            self._arrays,
            self._liquidated_array,
            self._risk_figures,
            self._values,
        )
        self._take(self._document)
        if before[-1].unit != self._values.unit:  # amount headers name the unit shown
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if not ids:
            return
        # figures only: one dataChanged per block of columns that changed, over the rows that
        # changed — the view repaints those cells and a sort on another column stays put
        spans = self._changed_spans(*before)
        for first_column, last_column, first_row, last_row in _blocks(spans):
            self.dataChanged.emit(
                self.index(first_row, first_column), self.index(last_row, last_column)
            )

    def _changed_spans(
        self,
        plan: Plan,
        arrays: dict[str, np.ndarray],
        dead_before: np.ndarray,
        risk: RiskFigures,
        values: ValuesIn,
    ) -> list[tuple[int, int] | None]:
        """For each column, the first and last row whose cells may show something new."""
        new = self._plan
        last = len(self._ids) - 1
        context_changed = (
            plan.account.currency != new.account.currency
            or values != self._values
            or [m.tick_size for m in plan.markets] != [m.tick_size for m in new.markets]
            or [m.symbol for m in plan.markets] != [m.symbol for m in new.markets]
            or arrays.keys() != self._arrays.keys()
        )
        if context_changed:  # every figure may be formatted anew
            for cache in self._display:
                cache.clear()
            return [(0, last)] * len(COLUMNS)
        rows = [
            i
            for i, (old, now) in enumerate(zip(plan.positions, new.positions, strict=True))
            if old is not now and old != now
        ]
        dead = np.flatnonzero(dead_before != self._liquidated_array)
        spans: list[tuple[int, int] | None] = []
        for c, column in enumerate(COLUMNS):
            changed = list(rows)
            sources = OUTPUT_SOURCES.get(column.key)
            if sources is not None:
                for name in sources:
                    changed.extend(_changed_rows(arrays[name], self._arrays[name]).tolist())
                if column.key in _LIQUIDATED_OUTPUTS:
                    changed.extend(dead.tolist())
            elif column.key in FIGURE_COLUMNS:
                changed = self._risk_figures.changed_rows(risk, column.key)
            elif column.field is None and column.key != "id":
                changed = list(range(last + 1))  # an output this diff does not know
            if changed:
                self._display[c].clear()
                spans.append((min(changed), max(changed)))
            else:
                spans.append(None)
        return spans

    # --- Qt model API ----------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            column = COLUMNS[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return amount_header(column.key, column.header, self._values)
            if role == Qt.ItemDataRole.ToolTipRole:
                if column.title:
                    return f"{column.title}. {explain(column.key)}"
                return explain(column.key)
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return _RIGHT if column.numeric else _LEFT
        elif orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        field = COLUMNS[index.column()].field
        if field is None:
            return _READ_ONLY
        if field == "added_margin" and self._plan.positions[index.row()].margin_mode != "isolated":
            return _READ_ONLY
        return _EDITABLE

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # a view asks for a dozen roles per visible cell on every repaint: answer the roles
        # this model does not use at once, and format each cell's text once per change
        if role not in _HANDLED_ROLES or not index.isValid():
            return None
        row, column_index = index.row(), index.column()
        if role == _DISPLAY:
            cache = self._display[column_index]
            text = cache.get(row)
            if text is None:
                text = cache[row] = self._formatters[COLUMNS[column_index].key](row)
            return text
        if role == _ALIGNMENT:
            return _ALIGNMENTS[column_index]
        if role == _BACKGROUND:
            if column_index == _POSITION_RISK:
                return self._risk_figures.fill("position_risk", row)
            if not _RISK_COLUMN_FLAGS[column_index]:
                return None
            return RISK_FILLS.get(self._risk_level(row))
        column = COLUMNS[column_index]
        if role == _DECORATION:
            if not _RISK_COLUMN_FLAGS[column_index]:
                return None
            return self._risk_icon(row, column, self._risk_level(row))
        if role == _EDIT:
            return self._edit_value(row, column)
        if role == SORT_ROLE:
            return self._sort_value(row, column)
        if role == POSITION_ID_ROLE:
            return self._ids[row]
        if role == _TOOLTIP:
            return self._tooltip(row, column)
        if role == EDITOR_ROLE and column.field is not None:
            return self._editor_spec(row, column.field)
        return None

    def setData(self, index: ModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        if not self.flags(index) & Qt.ItemFlag.ItemIsEditable:
            return False
        row, field = index.row(), COLUMNS[index.column()].field
        assert field is not None
        position = self._plan.positions[row]
        if field == "stop_loss" and (value is None or value == "" or value == 0):
            value = None
        label = edits.POSITION_FIELDS[field]
        error = self._document.edit(
            lambda plan: edits.set_position_field(plan, row, field, value),
            f"Change {label} of {position.id}",
            merge_key=f"{position.id}|{field}",
            select=position.id,
        )
        if error is not None:
            self.edit_refused.emit(str(error))
            return False
        return True

    # --- helpers ---------------------------------------------------------------------------

    def position_id(self, row: int) -> str:
        return self._ids[row]

    def row_of(self, position_id: str) -> int | None:
        try:
            return self._ids.index(position_id)
        except ValueError:
            return None

    def _position(self, row: int) -> Position:
        return self._plan.positions[row]

    def _tick(self, row: int) -> float | None:
        return self._markets[self._plan.positions[row].symbol].tick_size

    def _price(self, row: int, value: float | None) -> str:
        return format_price(value, self._tick(row))

    def _amount(self, value: float | None, *, sign: bool = False) -> str:
        return self._values.format_amount(value, self._currency, sign=sign)

    def _margin(self, row: int) -> float:
        if self._plan.positions[row].margin_mode == "isolated":
            return self._col["margin"][row]
        return self._col["initial_margin"][row]

    def _format_added_margin(self, row: int) -> str:
        position = self._plan.positions[row]
        if position.margin_mode == "cross":
            return MISSING
        # an input: shown in the currency it is typed in, whatever the "values in" unit
        added = position.added_margin
        return format_amount(added, self._currency, sign=added != 0)

    def _format_liquidation(self, row: int) -> str:
        return self._price(row, self._col["liquidation_price"][row])

    def _risk_level(self, row: int) -> RiskLevel:
        return risk_level(_value(self._col["risk_ratio"][row]), self._liquidated[row])

    def _liquidates_before_stop(self, row: int) -> bool:
        position = self._plan.positions[row]
        return liquidation_before_stop(
            position.side, _value(self._col["liquidation_price"][row]), position.stop_loss
        )

    def _format_risk(self, row: int) -> str:
        level = self._risk_level(row)
        if level == RiskLevel.LIQUIDATED:
            return "liquidated"
        return f"{format_percent(self._col['risk_ratio'][row])} · {RISK_WORDS[level]}"

    def _risk_icon(self, row: int, column: Column, level: RiskLevel) -> QIcon | None:
        if column.key == "liquidation_price" and self._liquidates_before_stop(row):
            return _standard_icon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        if column.key == "risk_ratio" and level >= RiskLevel.HIGH:
            return _standard_icon(QStyle.StandardPixmap.SP_MessageBoxCritical)
        return None

    def _tooltip(self, row: int, column: Column) -> str:
        text = explain(column.key)
        if column.key == "margin":
            mode = self._plan.positions[row].margin_mode
            text = explain("margin").split(" Cross:")[0] if mode == "isolated" else text
        shown = self._formatters[column.key](row)
        if shown == MISSING:
            text += "\n" + explain("missing")
        if column.key in FIGURE_COLUMNS:
            note = self._risk_figures.note(column.key, row)
            text += f"\n{note}" if note else ""
        if column.key in RISK_COLUMNS:
            level = self._risk_level(row)
            text += f"\nRisk: {RISK_WORDS[level]}."
            if column.key == "liquidation_price" and self._liquidates_before_stop(row):
                text += " Liquidation comes before the stop."
        return text

    def _edit_value(self, row: int, column: Column) -> Any:
        position = self._plan.positions[row]
        if column.field is None:
            return self._formatters[column.key](row)
        return getattr(position, column.field)

    def _sort_value(self, row: int, column: Column) -> Any:
        position = self._plan.positions[row]
        if not column.numeric:
            return getattr(position, column.key)
        if column.field is not None:
            value = getattr(position, column.field)
        elif column.key == "margin":
            value = self._margin(row)
        elif column.key in FIGURE_COLUMNS:
            value = self._risk_figures.sort_value(column.key, row)
        else:
            value = self._col[column.key][row]
        # missing figures sort after every number
        return math.inf if value is None or not math.isfinite(value) else float(value)

    def _editor_spec(self, row: int, field: str) -> EditorSpec:
        position = self._plan.positions[row]
        market = self._markets[position.symbol]
        if field == "symbol":
            return EditorSpec(
                "choice",
                choices=tuple((m.symbol, m.symbol) for m in self._plan.markets),
                editable_choice=True,
            )
        if field == "side":
            return EditorSpec("choice", choices=SIDES)
        if field == "margin_mode":
            return EditorSpec("choice", choices=MODES)
        if field == "quantity":
            return EditorSpec("number", minimum=1e-8, decimals=8, step=_step(position.quantity))
        if field in ("entry_price", "stop_loss"):
            decimals = decimals_for_tick(market.tick_size, position.entry_price)
            step = market.tick_size or 10.0**-decimals
            if field == "stop_loss":
                return EditorSpec("number", decimals=decimals, step=step, special="none")
            return EditorSpec("number", minimum=10.0**-decimals, decimals=decimals, step=step)
        if field == "leverage":
            limit = max_leverage(market, position.quantity, position.entry_price)
            return EditorSpec(
                "number", minimum=0.01, maximum=limit or 1000.0, decimals=2, suffix="×"
            )
        if field == "added_margin":
            decimals = amount_decimals(self._currency)
            return EditorSpec(
                "number", minimum=-1e12, decimals=decimals, step=_step(position.added_margin)
            )
        return EditorSpec("text")


_ICONS: dict[tuple[int, QStyle.StandardPixmap], QIcon] = {}


def _standard_icon(pixmap: QStyle.StandardPixmap) -> QIcon:
    """The style's icon, loaded once per style (a view asks for it on every paint)."""
    style = QApplication.style()
    key = (id(style), pixmap)
    icon = _ICONS.get(key)
    if icon is None:
        icon = _ICONS[key] = style.standardIcon(pixmap)
    return icon


def _changed_rows(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Rows where two figure columns differ (NaN equals NaN: both show "—")."""
    same = (before == after) | (np.isnan(before) & np.isnan(after))
    return np.flatnonzero(~same)


def _blocks(
    spans: list[tuple[int, int] | None],
) -> list[tuple[int, int, int, int]]:
    """Adjacent columns with the same row span, as (first column, last column, first row,
    last row) rectangles."""
    blocks: list[tuple[int, int, int, int]] = []
    for column, span in enumerate(spans):
        if span is None:
            continue
        if blocks and blocks[-1][1] == column - 1 and blocks[-1][2:] == span:
            first = blocks[-1][0]
            blocks[-1] = (first, column, *span)
        else:
            blocks.append((column, column, *span))
    return blocks


def _step(value: float) -> float:
    """A spin step of about a tenth of the value's magnitude."""
    if not value:
        return 1.0
    return 10.0 ** (math.floor(math.log10(abs(value))) - 1)


class PositionSortProxy(QSortFilterProxyModel):
    """Sorts by ``SORT_ROLE`` (numbers as numbers, missing figures last)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)
