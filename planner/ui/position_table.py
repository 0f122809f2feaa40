"""The position table view: the model, a sort proxy, the shared delegate, and the selection
kept in step with the document's current position."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QVBoxLayout, QWidget

from planner.ui.delegates import FieldDelegate
from planner.ui.document import PlanDocument
from planner.ui.position_model import PositionSortProxy, PositionTableModel


class PositionTable(QWidget):
    """Positions as rows; edits in place go through the model to the document."""

    edit_refused = Signal(str)

    def __init__(self, document: PlanDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self.model = PositionTableModel(document, self)
        self.proxy = PositionSortProxy(self)
        self.proxy.setSourceModel(self.model)

        self.view = QTableView(self)
        self.view.setObjectName("position_table")
        self.view.setModel(self.proxy)
        self.view.setItemDelegate(FieldDelegate(self.view))
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # plan order until asked
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 10)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setHighlightSections(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

        self.model.edit_refused.connect(self.edit_refused)
        self.model.modelReset.connect(self._on_model_reset)
        self.view.selectionModel().currentRowChanged.connect(self._on_selection_current_changed)
        document.current_changed.connect(self._on_document_current_changed)
        self._fit_columns()
        self._on_document_current_changed(document.current_id)

    def selected_rows(self) -> list[int]:
        """Selected rows in plan order (source rows)."""
        rows = {
            self.proxy.mapToSource(index).row()
            for index in self.view.selectionModel().selectedRows()
        }
        return sorted(rows)

    def restore_plan_order(self) -> None:
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.proxy.sort(-1)

    def _fit_columns(self) -> None:
        """Columns as wide as their figures or the longest line of their header, no wider."""
        header = self.view.horizontalHeader()
        metrics = header.fontMetrics()
        for column in range(self.model.columnCount()):
            title = str(self.model.headerData(column, Qt.Orientation.Horizontal))
            title_width = max(metrics.horizontalAdvance(line) for line in title.split("\n"))
            content = self.view.sizeHintForColumn(column)
            header.resizeSection(column, max(content, title_width + 14) + 4)

    def _on_model_reset(self) -> None:
        if self.model.rowCount() <= 200:
            self._fit_columns()
        self._on_document_current_changed(self._document.current_id)

    def _on_selection_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            row = self.proxy.mapToSource(current).row()
            self._document.set_current(self.model.position_id(row))

    def _on_document_current_changed(self, position_id: str) -> None:
        row = self.model.row_of(position_id) if position_id else None
        selection = self.view.selectionModel()
        if row is None:
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        current = selection.currentIndex()
        if current.isValid() and current.row() == index.row():
            return
        selection.setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.view.scrollTo(index)
