"""The position table view: the model, a sort proxy, the shared delegate, and the selection
kept in step with the document's current position.

In plan order the view reads the model directly; the sort proxy stands between them only
while the table is sorted. A view asks for a dozen roles of every cell it paints, and through
the proxy each of them is three calls into Python instead of one.

Less-used columns start hidden; the header's context menu shows and hides any column (the
window keeps the choice between runs)."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMenu,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from planner.ui.document.plan_document import PlanDocument
from planner.ui.explanations import explain
from planner.ui.panels.position_model import (
    COLUMN_INDEX,
    COLUMNS,
    PositionSortProxy,
    PositionTableModel,
)
from planner.ui.panels.position_model import RISK_COLUMNS as RISK_COLUMNS
from planner.ui.widgets.delegates import FieldDelegate

#: the rows a column's width is measured on (a plan with more is measured on its first ones)
MEASURED_ROWS = 2000

#: columns whose few words fit a narrow width whatever the plan ("Short", "Isolated")
NARROW_TEXTS = {"side": ("Short", "Long"), "margin_mode": ("Isolated", "Cross")}
#: the widest an ID column starts (longer IDs are elided; the column can be widened)
ID_WIDTH_CHARS = 18


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
        self.view.setModel(self.model)  # plan order until a sort is asked for
        delegate = FieldDelegate(self.view)
        delegate.refused.connect(self._on_delegate_refused)
        self.view.setItemDelegate(delegate)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
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
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._on_header_context_menu_requested)
        header.sortIndicatorChanged.connect(self._on_header_sort_indicator_changed)
        self.view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        for column in COLUMNS:
            header.setSectionHidden(COLUMN_INDEX[column.key], column.hidden)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

        self.model.edit_refused.connect(self.edit_refused)
        self.model.modelReset.connect(self._on_model_reset)
        self.view.selectionModel().currentRowChanged.connect(self._on_selection_current_changed)
        document.current_changed.connect(self._on_document_current_changed)
        document.changed.connect(self._fit_columns)
        document.amounts.changed.connect(self._fit_columns)  # the "values in" unit
        self._fit_columns()
        self._on_document_current_changed(document.current_id)

    def _on_delegate_refused(self, text: str, rule: str) -> None:
        index = self.view.currentIndex()
        row = self._source_row(index) if index.isValid() else None
        column = COLUMNS[index.column()].field if index.isValid() else None
        where = f"positions[{row}].{column}" if row is not None and column else "cell"
        self.edit_refused.emit(f"{where} = {text.strip() or '(empty)'}: {rule}")

    def selected_rows(self) -> list[int]:
        """Selected rows in plan order (source rows)."""
        rows = {self._source_row(index) for index in self.view.selectionModel().selectedRows()}
        return sorted(rows)

    @property
    def is_sorted(self) -> bool:
        """The view shows the rows through the sort proxy (sorted by a column)."""
        return self.view.model() is self.proxy

    def restore_plan_order(self) -> None:
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.proxy.sort(-1)
        self._use_proxy(False)

    # --- plan order or sorted ----------------------------------------------------------------

    def _source_row(self, index: QModelIndex) -> int:
        if index.model() is self.proxy:
            return self.proxy.mapToSource(index).row()
        return index.row()

    def _view_index(self, row: int) -> QModelIndex:
        index = self.model.index(row, 0)
        return self.proxy.mapFromSource(index) if self.is_sorted else index

    def _on_header_sort_indicator_changed(self, column: int, order: Qt.SortOrder) -> None:
        self._use_proxy(column >= 0)
        if column >= 0:
            self.proxy.sort(column, order)
        else:
            self.proxy.sort(-1)

    def _use_proxy(self, sorted_: bool) -> None:
        """Put the proxy between the view and the model, or take it away, keeping the
        columns (widths, hidden ones, the sort indicator) and the selection."""
        if sorted_ == self.is_sorted:
            return
        header = self.view.horizontalHeader()
        state = header.saveState()
        selected = [self.model.position_id(row) for row in self.selected_rows()]
        header.blockSignals(True)
        self.view.setModel(self.proxy if sorted_ else self.model)
        header.restoreState(state)
        header.blockSignals(False)
        selection = self.view.selectionModel()
        selection.currentRowChanged.connect(self._on_selection_current_changed)
        self._on_document_current_changed(self._document.current_id)
        for position_id in selected:
            row = self.model.row_of(position_id)
            if row is not None:
                selection.select(
                    self._view_index(row),
                    QItemSelectionModel.SelectionFlag.Select
                    | QItemSelectionModel.SelectionFlag.Rows,
                )

    def _fit_columns(self) -> None:
        """Every column as wide as its widest formatted value or the longest line of its
        header, no wider; side and mode as wide as their words, long IDs elided. Called on
        every change: only the longest texts of a column are measured, not every cell."""
        header = self.view.horizontalHeader()
        metrics = header.fontMetrics()
        cell_metrics = self.view.fontMetrics()
        style = self.view.style()
        padding = 2 * (style.pixelMetric(style.PixelMetric.PM_FocusFrameHMargin) + 1) + 2
        icon_size = self.view.iconSize()  # invalid (-1 × -1) unless set: the style's then
        icon = (
            icon_size.width()
            if icon_size.isValid()
            else style.pixelMetric(style.PixelMetric.PM_SmallIconSize)
        )
        rows = min(self.model.rowCount(), MEASURED_ROWS)
        for column in range(self.model.columnCount()):
            if header.isSectionHidden(column):
                continue
            key = COLUMNS[column].key
            title = str(self.model.headerData(column, Qt.Orientation.Horizontal))
            title_width = max(metrics.horizontalAdvance(line) for line in title.split("\n"))
            if key in NARROW_TEXTS:
                texts = list(NARROW_TEXTS[key])
            else:
                texts = [
                    str(self.model.index(row, column).data(Qt.ItemDataRole.DisplayRole) or "")
                    for row in range(rows)
                ]
            longest = sorted(texts, key=len, reverse=True)[:3]
            content = max((cell_metrics.horizontalAdvance(t) for t in longest), default=0)
            content += padding
            if any(
                self.model.index(row, column).data(Qt.ItemDataRole.DecorationRole) is not None
                for row in range(rows)
            ):
                content += icon + 12  # the icon and the gaps either side of it
            if key == "id":
                content = min(content, cell_metrics.averageCharWidth() * ID_WIDTH_CHARS)
            # room for the title and the sort arrow
            width = max(content, title_width + 14)
            if header.sectionSize(column) != width:
                header.resizeSection(column, width)

    def needed_width(self) -> int:
        """The width that shows every shown column whole (with the row numbers and frame)."""
        view = self.view
        columns = view.horizontalHeader().length()
        scroll = view.verticalScrollBar().sizeHint().width()
        return columns + view.verticalHeader().width() + 2 * view.frameWidth() + scroll

    # --- columns shown -----------------------------------------------------------------------

    def hidden_columns(self) -> list[str]:
        header = self.view.horizontalHeader()
        return [c.key for i, c in enumerate(COLUMNS) if header.isSectionHidden(i)]

    def set_hidden_columns(self, keys: list[str]) -> None:
        header = self.view.horizontalHeader()
        for i, column in enumerate(COLUMNS):
            header.setSectionHidden(i, column.key in keys and column.key != "id")

    def set_column_shown(self, key: str, shown: bool) -> None:
        header = self.view.horizontalHeader()
        column = COLUMN_INDEX[key]
        was_hidden = header.isSectionHidden(column)
        header.setSectionHidden(column, not shown)
        if shown and was_hidden:  # as wide as its figures at once, not at the next change
            self._fit_columns()

    def column_menu(self) -> QMenu:
        """Every column but the ID, checked when shown."""
        menu = QMenu(self)
        header = self.view.horizontalHeader()
        for i, column in enumerate(COLUMNS):
            if column.key == "id":
                continue
            name = column.title or column.header.replace("\n", " ")
            action = menu.addAction(name)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(i))
            action.setToolTip(explain(column.key))
            action.toggled.connect(lambda shown, key=column.key: self.set_column_shown(key, shown))
        menu.addSeparator()
        defaults = menu.addAction("Default columns")
        defaults.triggered.connect(self._on_default_columns_triggered)
        return menu

    def _on_header_context_menu_requested(self, position: QPoint) -> None:
        menu = self.column_menu()
        menu.exec(self.view.horizontalHeader().mapToGlobal(position))
        menu.deleteLater()

    def _on_default_columns_triggered(self) -> None:
        self.set_hidden_columns([c.key for c in COLUMNS if c.hidden])

    def _on_model_reset(self) -> None:
        if self.model.rowCount() <= 200:
            self._fit_columns()
        self._on_document_current_changed(self._document.current_id)

    def _on_selection_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self._document.set_current(self.model.position_id(self._source_row(current)))

    def _on_document_current_changed(self, position_id: str) -> None:
        row = self.model.row_of(position_id) if position_id else None
        selection = self.view.selectionModel()
        if row is None:
            return
        index = self._view_index(row)
        current = selection.currentIndex()
        if current.isValid() and current.row() == index.row():
            return
        selection.setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.view.scrollTo(index)
