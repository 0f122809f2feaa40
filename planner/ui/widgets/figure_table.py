"""A small read-only table of named figures: one row per figure, one column per variant or
case. The decision-tool panels (twin view, scenarios) show their figures in it so that every
row and column carries its explanation and a figure in danger is marked by more than colour."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QHeaderView,
    QSizePolicy,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from planner.ui.explanations import explain

#: background of a figure that means trouble (liquidated, liquidation before the stop)
DANGER_BACKGROUND = QColor(220, 30, 30, 90)

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class FigureTable(QTableWidget):
    """``rows`` and ``columns`` are (key, title) pairs; tooltips come from ``explain(key)``.

    The table is as tall as its rows (no inner scroll bar): the panel around it scrolls."""

    def __init__(
        self,
        rows: Sequence[tuple[str, str]],
        columns: Sequence[tuple[str, str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(len(rows), len(columns), parent)
        self._rows = {key: r for r, (key, _) in enumerate(rows)}
        self._columns = {key: c for c, (key, _) in enumerate(columns)}
        self._row_keys = [key for key, _ in rows]
        for r, (key, title) in enumerate(rows):
            item = QTableWidgetItem(title)
            item.setToolTip(explain(key))
            item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            self.setVerticalHeaderItem(r, item)
            for c in range(len(columns)):
                cell = QTableWidgetItem("")
                cell.setTextAlignment(_RIGHT)
                cell.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.setItem(r, c, cell)
        for c, (key, title) in enumerate(columns):
            item = QTableWidgetItem(title)
            item.setToolTip(explain(key))
            self.setHorizontalHeaderItem(c, item)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setWordWrap(False)
        self.setCornerButtonEnabled(False)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        header = self.horizontalHeader()
        # every figure and title whole: columns share the width evenly, and the table is never
        # narrower than its widest column times their number (its panel scrolls instead)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(60)
        # one line per figure: rows of one fixed height, not re-measured on every change
        vertical = self.verticalHeader()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 8)
        self._danger_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)

    def _fit_width(self) -> None:
        header = self.horizontalHeader()
        widest = max(
            (
                max(header.sectionSizeHint(c), self.sizeHintForColumn(c))
                for c in range(self.columnCount())
            ),
            default=0,
        )
        needed = widest * self.columnCount() + self.verticalHeader().sizeHint().width()
        self.setMinimumWidth(needed + 2 * self.frameWidth() + 4)

    def row_keys(self) -> list[str]:
        return list(self._row_keys)

    def set_figure(
        self, row: str, column: str, text: str, *, danger: bool = False, tip: str = ""
    ) -> None:
        # each change of an item is a dataChanged and a re-measure of the table: only the
        # parts that differ are set
        item = self.item(self._rows[row], self._columns[column])
        if item.text() != text:
            item.setText(text)
            self._fit_width()
        marked = item.data(Qt.ItemDataRole.UserRole)
        if marked is None or bool(marked) != danger:
            if danger:
                item.setBackground(DANGER_BACKGROUND)
            else:
                item.setData(Qt.ItemDataRole.BackgroundRole, None)
            item.setIcon(self._danger_icon if danger else QIcon())
            item.setData(Qt.ItemDataRole.UserRole, danger)
        tip = tip or explain(row)
        if item.toolTip() != tip:
            item.setToolTip(tip)

    def figure(self, row: str, column: str) -> str:
        return self.item(self._rows[row], self._columns[column]).text()

    def is_danger(self, row: str, column: str) -> bool:
        return bool(
            self.item(self._rows[row], self._columns[column]).data(Qt.ItemDataRole.UserRole)
        )

    def clear_figures(self) -> None:
        for r in range(self.rowCount()):
            for c in range(self.columnCount()):
                self.item(r, c).setText("")
