"""A read-only table of formatted text: the rows a panel shows (scenario positions, sweep
events), replaced as a whole when the panel refreshes.

A ``QTableWidget`` filled item by item re-measures its columns and rows after every
``setItem`` when they size to their contents — quadratic in the rows. This model takes the
rows at once: the same number of rows is one ``dataChanged``, another number one reset, and
the view sizes its columns once, from the rows it can show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QSizePolicy,
    QTableView,
    QWidget,
)

from planner.ui.explanations import explain

ModelIndex = QModelIndex | QPersistentModelIndex

_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
#: the rows a column's width is measured on (besides those in sight)
MEASURED_ROWS = 30


@dataclass(frozen=True, slots=True)
class TextRow:
    """One row: its cells' texts; tooltips (the text itself where none is given); a row in
    danger is filled with ``danger`` and shows ``icon`` in column ``icon_column``."""

    cells: tuple[str, ...]
    tips: tuple[str, ...] = ()
    danger: QColor | None = None
    icon: QIcon | None = None
    icon_column: int = -1


class TextTableModel(QAbstractTableModel):
    def __init__(
        self,
        headers: Sequence[str],
        tips: Sequence[str],
        *,
        right: Sequence[int] = (),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._headers = tuple(headers)
        self._header_tips = tuple(explain(key) for key in tips)
        self._alignments = tuple(
            _RIGHT if column in right else _LEFT for column in range(len(headers))
        )
        self._rows: list[TextRow] = []

    def set_rows(self, rows: Sequence[TextRow]) -> None:
        rows = list(rows)
        if len(rows) == len(self._rows):
            if rows != self._rows:
                self._rows = rows
                self.dataChanged.emit(
                    self.index(0, 0), self.index(len(rows) - 1, len(self._headers) - 1)
                )
            return
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def texts(self) -> list[tuple[str, ...]]:
        return [row.cells for row in self._rows]

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._headers):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._header_tips[section]
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        return Qt.ItemFlag.ItemIsEnabled if index.isValid() else Qt.ItemFlag.NoItemFlags

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return row.cells[column]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._alignments[column]
        if role == Qt.ItemDataRole.BackgroundRole:
            return row.danger
        if role == Qt.ItemDataRole.DecorationRole:
            return row.icon if column == row.icon_column else None
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = row.tips[column] if column < len(row.tips) else ""
            return tip or row.cells[column]
        return None


class TextTable(QTableView):
    """A read-only view of a ``TextTableModel`` whose ``stretch`` column takes the room the
    others leave; as tall as its rows up to ``max_rows``, beyond that it scrolls."""

    def __init__(
        self,
        model: TextTableModel,
        *,
        stretch: int,
        max_rows: int = 12,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._max_rows = max_rows
        self.setModel(model)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setWordWrap(False)
        vertical = self.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        header.setResizeContentsPrecision(MEASURED_ROWS)
        header.setMinimumSectionSize(60)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        model.modelReset.connect(self._fit_height)
        self._fit_height()

    def text_model(self) -> TextTableModel:
        model = self.model()
        assert isinstance(model, TextTableModel)
        return model

    def _fit_height(self) -> None:
        rows = min(self.model().rowCount(), self._max_rows)
        height = self.horizontalHeader().sizeHint().height() + 2 * self.frameWidth()
        height += rows * self.verticalHeader().defaultSectionSize() if rows else 24
        self.setFixedHeight(height + 2)
