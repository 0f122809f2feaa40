"""The main window: the composition root. It creates the document's views, declares the
actions once, wires them, and keeps the window's layout between runs."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QScrollArea,
    QTabWidget,
    QToolBar,
    QWidget,
)

from planner.domain.errors import PlanError
from planner.ui.actions import create_actions
from planner.ui.chart import ChartPanel
from planner.ui.dialogs.decision_tools import DecisionTools
from planner.ui.dialogs.refresh import RefreshController
from planner.ui.dialogs.report_export import ReportController
from planner.ui.document import edits
from planner.ui.document.plan_document import PlanDocument
from planner.ui.files import SUFFIX, FileController
from planner.ui.panels.account_panel import AccountPanel
from planner.ui.panels.markets_panel import MarketsPanel
from planner.ui.panels.position_editor import PositionEditor
from planner.ui.panels.position_table import PositionTable
from planner.ui.panels.risk_limits import WarningCount
from planner.ui.panels.shock_panel import ShockPanel
from planner.ui.panels.twin_panel import TwinPanel
from planner.ui.widgets.amounts import ValuesInCombo
from planner.ui.widgets.tooltips import install_tooltip_wrapper
from planner.ui.widgets.venue_gap import VenueGapLabel

APP_NAME = "Margin Planner"
FIRST_RUN_SIZE = QSize(1280, 800)
#: the layout of version 1 gave the chart the full height; its saved states are not restored
STATE_VERSION = 2
#: first-run layout, in percent of the window: the chart's width beside the table, the
#: bottom row's height, and the editor's share of the bottom row's width
CHART_WIDTH = 26
BOTTOM_HEIGHT = 43
#: table columns hidden on a first run whose window is too narrow for them all, in this order
#: (the account panel shows the margin and PnL, the ladder the distance to liquidation, the
#: cross pool's and the isolated buckets' panels the risk ratio). Each position's risk at its
#: stop as a share of equity stays: it is the planning figure, shown nowhere else per position.
NARROW_SCREEN_HIDDEN = ("unrealized_pnl", "margin", "liquidation_distance", "risk_ratio")
EDITOR_WIDTH = 40


class MainWindow(QMainWindow):
    def __init__(
        self,
        document: PlanDocument | None = None,
        *,
        settings: QSettings | None = None,
        autosave: Any = None,
        persistent: bool = True,
    ) -> None:
        super().__init__()
        self.document = document or PlanDocument(parent=self)
        self._settings = settings or QSettings()
        self._persistent = persistent
        self.setObjectName("main_window")
        install_tooltip_wrapper()
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)

        self.table = PositionTable(self.document)
        self.setCentralWidget(self.table)
        self.editor = PositionEditor(self.document)
        self.account = AccountPanel(self.document)
        self.markets = MarketsPanel(self.document)
        self.editor_dock = self._dock(
            "Position",
            "position_dock",
            _scrolling(self.editor),
            Qt.DockWidgetArea.BottomDockWidgetArea,
        )
        self.account_dock = self._dock(
            "Account", "account_dock", self.account, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.markets_dock = self._dock(
            "Markets",
            "markets_dock",
            _scrolling(self.markets),
            Qt.DockWidgetArea.BottomDockWidgetArea,
        )
        self.twin = TwinPanel(self.document)
        self.twin_dock = self._dock(
            "Cross vs isolated",
            "twin_dock",
            _scrolling(self.twin),
            Qt.DockWidgetArea.BottomDockWidgetArea,
        )
        self.scenarios = ShockPanel(self.document)
        self.scenarios_dock = self._dock(
            "Scenarios",
            "scenarios_dock",
            _scrolling(self.scenarios),
            Qt.DockWidgetArea.BottomDockWidgetArea,
        )
        self.chart = ChartPanel(self.document)
        self.chart_dock = self._dock(
            "Chart", "chart_dock", self.chart, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.chart.status_message.connect(self.statusBar().showMessage)
        # the table and the chart share the top; the editor and the tabbed account, markets,
        # twin and scenario panels share the window's full width below them
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.splitDockWidget(self.editor_dock, self.account_dock, Qt.Orientation.Horizontal)
        # the tabs of the account, markets, twin and scenario docks read as a tab widget
        self.setTabPosition(Qt.DockWidgetArea.BottomDockWidgetArea, QTabWidget.TabPosition.North)
        self.tabifyDockWidget(self.account_dock, self.markets_dock)
        self.tabifyDockWidget(self.markets_dock, self.twin_dock)
        self.tabifyDockWidget(self.twin_dock, self.scenarios_dock)
        self.account_dock.raise_()

        self.files = FileController(self.document, self, self._settings, autosave)
        self.tools = DecisionTools(self.document, self)
        self.report = ReportController(self.document, self)
        self.refresher = RefreshController(self.document, self, self._settings)
        self.actions = create_actions(self, self.document.undo_stack)
        self._build_menus()
        self._build_toolbar()
        self._summary = QLabel()
        # shown whole when there is room, clipped rather than widening the window when not
        self._summary.setMinimumWidth(40)
        self.statusBar().addPermanentWidget(VenueGapLabel(self.document, self))
        self.statusBar().addPermanentWidget(self._summary)
        self.warning_count = WarningCount(self.document)
        self.statusBar().addPermanentWidget(self.warning_count)
        self._connect()
        self._layout_first_run()
        if persistent:
            self._restore_state()
        self._on_document_path_changed()
        self._on_document_changed()

    # --- composition -----------------------------------------------------------------------

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_menus(self) -> None:
        a = self.actions
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addActions([a.new, a.open])
        self.recent_menu = QMenu("Open &Recent", self)
        file_menu.addMenu(self.recent_menu)
        file_menu.addSeparator()
        file_menu.addActions([a.save, a.save_as, a.revert])
        file_menu.addSeparator()
        file_menu.addActions([a.export_pdf, a.print_preview])
        file_menu.addSeparator()
        file_menu.addAction(a.quit)
        edit_menu = self.menuBar().addMenu("&Edit")
        edit_menu.addActions([a.undo, a.redo])
        positions = self.menuBar().addMenu("&Positions")
        positions.addActions([a.add_position, a.duplicate_position, a.delete_positions])
        positions.addSeparator()
        positions.addActions([a.move_up, a.move_down, a.plan_order])
        tools = self.menuBar().addMenu("&Tools")
        tools.addActions(list(a.solvers().values()))
        tools.addSeparator()
        tools.addAction(a.two_asset_map)
        markets_menu = self.menuBar().addMenu("&Markets")
        markets_menu.addActions([a.refresh_from_venue, a.refresh_on_open])
        self.view_menu = self.menuBar().addMenu("&View")
        for dock in (
            self.editor_dock,
            self.account_dock,
            self.markets_dock,
            self.twin_dock,
            self.scenarios_dock,
            self.chart_dock,
        ):
            self.view_menu.addAction(dock.toggleViewAction())
        self.view_menu.addSeparator()
        self.panel_actions: list[QAction] = []
        for number, dock in enumerate(self.bottom_docks(), start=1):
            action = self.view_menu.addAction(f"Go to {dock.windowTitle()}")
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(partial(self.show_panel, dock))
            self.panel_actions.append(action)
        help_menu = self.menuBar().addMenu("&Help")
        margin_help = help_menu.addAction("&How Margin Works Here")
        margin_help.triggered.connect(self._on_margin_help_triggered)
        shortcuts = help_menu.addAction("&Keyboard Shortcuts")
        shortcuts.setShortcut(QKeySequence("Ctrl+/"))
        shortcuts.triggered.connect(self._on_shortcuts_triggered)
        help_menu.addSeparator()
        about = help_menu.addAction("&About Margin Planner")
        about.setMenuRole(about.MenuRole.AboutRole)
        about.triggered.connect(self._on_about_triggered)
        self._update_recent_menu()

    def _build_toolbar(self) -> None:
        a = self.actions
        toolbar = QToolBar("Main", self)
        toolbar.setObjectName("main_toolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.setIconSize(QSize(18, 18))
        toolbar.addActions([a.new, a.open, a.save])
        toolbar.addSeparator()
        toolbar.addActions([a.undo, a.redo])
        toolbar.addSeparator()
        toolbar.addActions(
            [a.add_position, a.duplicate_position, a.delete_positions, a.move_up, a.move_down]
        )
        toolbar.addSeparator()
        self.values_in_combo = ValuesInCombo(self.document, toolbar)
        values_in_label = QLabel(" Values in ")
        values_in_label.setBuddy(self.values_in_combo)
        toolbar.addWidget(values_in_label)
        toolbar.addWidget(self.values_in_combo)
        self.addToolBar(toolbar)
        self.view_menu.addAction(toolbar.toggleViewAction())

    def _connect(self) -> None:
        a, files = self.actions, self.files
        a.new.triggered.connect(files.new)
        a.open.triggered.connect(files.open_dialog)
        a.save.triggered.connect(files.save)
        a.save_as.triggered.connect(files.save_as)
        a.revert.triggered.connect(files.revert)
        a.quit.triggered.connect(self.close)
        a.add_position.triggered.connect(self._on_add_position_triggered)
        a.duplicate_position.triggered.connect(self._on_duplicate_position_triggered)
        a.delete_positions.triggered.connect(self._on_delete_positions_triggered)
        a.move_up.triggered.connect(self._on_move_up_triggered)
        a.move_down.triggered.connect(self._on_move_down_triggered)
        a.plan_order.triggered.connect(self.table.restore_plan_order)
        a.export_pdf.triggered.connect(self.report.export_dialog)
        a.print_preview.triggered.connect(self.report.print_preview)
        for key, action in a.solvers().items():
            action.triggered.connect(partial(self.tools.open_solver, key))
        a.two_asset_map.triggered.connect(self.tools.open_map)
        self.report.status_message.connect(self.statusBar().showMessage)
        self.refresher.bind(a.refresh_from_venue, a.refresh_on_open)
        self.refresher.status_message.connect(self.statusBar().showMessage)
        files.recent_changed.connect(self._update_recent_menu)
        self.document.changed.connect(self._on_document_changed)
        self.document.amounts.changed.connect(self._on_document_changed)
        self.document.current_changed.connect(self._on_document_current_changed)
        self.document.current_changed.connect(self._forget_refusal)
        self.document.path_changed.connect(self._on_document_path_changed)
        self.document.modified_changed.connect(self.setWindowModified)
        self.document.edit_refused.connect(self._on_document_edit_refused)
        self.table.edit_refused.connect(self._on_table_edit_refused)
        self.markets.edit_refused.connect(self._on_table_edit_refused)

    # --- window state ----------------------------------------------------------------------

    def _layout_first_run(self) -> None:
        screen = QGuiApplication.primaryScreen()
        size = FIRST_RUN_SIZE
        if screen is not None:
            available = screen.availableGeometry().size()
            size = size.boundedTo(
                QSize(available.width() * 95 // 100, available.height() * 95 // 100)
            )
        self.resize(size)
        self._docks_pending = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._docks_pending:  # dock sizes only hold once the window has its size
            self._docks_pending = False
            self._size_docks()

    def _size_docks(self) -> None:
        size = self.size()
        width = size.width()
        self.resizeDocks(
            [self.editor_dock, self.account_dock],
            [width * EDITOR_WIDTH // 100, width * (100 - EDITOR_WIDTH) // 100],
            Qt.Orientation.Horizontal,
        )
        self.resizeDocks(
            [self.editor_dock], [size.height() * BOTTOM_HEIGHT // 100], Qt.Orientation.Vertical
        )
        # the table as wide as its columns, the chart the rest (at least CHART_WIDTH %); on a
        # narrow screen the figures the account panel also shows give way first (the header's
        # menu brings them back), so the key columns are in view without scrolling sideways
        least_chart = max(width * CHART_WIDTH // 100, self.chart_dock.minimumSizeHint().width())
        for key in NARROW_SCREEN_HIDDEN:
            if self.table.needed_width() + least_chart + 12 <= width:
                break
            self.table.set_column_shown(key, False)
        chart = max(least_chart, width - self.table.needed_width() - 12)
        self.resizeDocks([self.chart_dock], [chart], Qt.Orientation.Horizontal)

    def _restore_state(self) -> None:
        geometry = self._settings.value("window/geometry")
        state = self._settings.value("window/state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray) and self.restoreState(state, STATE_VERSION):
            self._docks_pending = False
        hidden = self._settings.value("table/hidden_columns")
        if isinstance(hidden, str):
            self.table.set_hidden_columns([key for key in hidden.split(",") if key])

    def save_state(self) -> None:
        self._settings.setValue("window/geometry", self.saveGeometry())
        self._settings.setValue("window/state", self.saveState(STATE_VERSION))
        self._settings.setValue("table/hidden_columns", ",".join(self.table.hidden_columns()))
        self._settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.files.maybe_save():
            event.ignore()
            return
        if self._persistent:
            self.save_state()
        self.files.shutdown()
        self.refresher.shutdown()
        event.accept()

    # --- drag and drop ---------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _plan_files(event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = _plan_files(event.mimeData().urls())
        if paths:
            event.acceptProposedAction()
            self.files.open_path(paths[0])

    # --- slots -----------------------------------------------------------------------------

    def _on_document_changed(self) -> None:
        analysis = self.document.analysis
        currency = analysis.currency
        count = len(analysis.plan.positions)
        self._summary.setText(
            f"{count} position{'s' if count != 1 else ''} · equity "
            f"{self.document.amounts.format(analysis.equity, currency, with_unit=True)} · "
            f"{analysis.venue} rules"
        )
        self._on_document_current_changed(self.document.current_id)

    def _on_document_current_changed(self, _position_id: str) -> None:
        index = self.document.current_index
        count = len(self.document.plan.positions)
        a = self.actions
        a.duplicate_position.setEnabled(index is not None)
        a.delete_positions.setEnabled(index is not None)
        a.move_up.setEnabled(index is not None and index > 0)
        a.move_down.setEnabled(index is not None and index < count - 1)

    def _on_document_path_changed(self) -> None:
        read_only = " (read-only)" if self.files.read_only else ""
        self.setWindowTitle(f"{self.document.display_name}{read_only}[*] — {APP_NAME}")
        self.setWindowModified(self.document.is_modified)
        self.actions.revert.setEnabled(self.document.path is not None)

    def _forget_refusal(self, _position_id: str) -> None:
        """Another position selected: a refusal about the previous one no longer applies."""
        if self.statusBar().currentMessage().startswith("Not changed — "):
            self.statusBar().clearMessage()

    def _on_table_edit_refused(self, message: str) -> None:
        self.statusBar().showMessage(f"Not changed — {message}", 10000)

    def _on_document_edit_refused(self, error: PlanError) -> None:
        self.statusBar().showMessage(f"Not changed — {error}", 10000)

    def _on_add_position_triggered(self) -> None:
        """A new position the trader fills in, symbol first (see ``PositionEditor``)."""
        self.editor_dock.show()
        self.editor_dock.raise_()
        self.editor.start_draft()

    def _on_duplicate_position_triggered(self) -> None:
        index = self.document.current_index
        if index is None:
            return
        try:
            plan, new_id = edits.duplicate_position(self.document.plan, index)
        except PlanError as error:
            self._on_document_edit_refused(error)
            return
        source = self.document.plan.positions[index].id
        self.document.apply(plan, f"Duplicate {source}", select=new_id)

    def _on_delete_positions_triggered(self) -> None:
        rows = self.table.selected_rows()
        if not rows and self.document.current_index is not None:
            rows = [self.document.current_index]
        if not rows:
            return
        positions = self.document.plan.positions
        text = (
            f"Delete {positions[rows[0]].id}" if len(rows) == 1 else f"Delete {len(rows)} positions"
        )
        remaining = [p.id for i, p in enumerate(positions) if i not in set(rows)]
        after = min(rows[0], len(remaining) - 1)
        self.document.edit(
            lambda plan: edits.delete_positions(plan, rows),
            text,
            select=remaining[after] if remaining else "",
        )

    def _move(self, delta: int) -> None:
        index = self.document.current_index
        if index is None:
            return
        self.table.restore_plan_order()
        position_id = self.document.plan.positions[index].id
        self.document.edit(
            lambda plan: edits.move_position(plan, index, delta),
            f"Move {position_id} {'up' if delta < 0 else 'down'}",
        )

    def _on_move_up_triggered(self) -> None:
        self._move(-1)

    def _on_move_down_triggered(self) -> None:
        self._move(1)

    def _update_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.files.recent_files()
        for number, path in enumerate(recent, start=1):
            action = self.recent_menu.addAction(f"&{number} {Path(path).name}")
            action.setStatusTip(path)
            action.setData(path)
            action.triggered.connect(partial(self._on_recent_action_triggered, path))
        if recent:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear Menu", self.files.clear_recent)
        self.recent_menu.setEnabled(bool(recent))

    def bottom_docks(self) -> list[QDockWidget]:
        """The bottom panels in Ctrl+1…5 order."""
        return [
            self.editor_dock,
            self.account_dock,
            self.markets_dock,
            self.twin_dock,
            self.scenarios_dock,
        ]

    def show_panel(self, dock: QDockWidget, _checked: bool = False) -> None:
        """Bring a bottom panel to the front and put the keyboard in it."""
        dock.show()
        dock.raise_()
        widget = dock.widget()
        if widget is not None:
            widget.setFocus(Qt.FocusReason.ShortcutFocusReason)
            target = widget.focusWidget() or widget
            if not target.hasFocus():
                widget.focusNextChild()

    def _on_margin_help_triggered(self) -> None:
        from planner.ui.dialogs.help import MARGIN_HELP, show_page

        self._help_page = show_page(self, "How margin works here", MARGIN_HELP)

    def _on_shortcuts_triggered(self) -> None:
        from planner.ui.dialogs.help import shortcuts_html, show_page

        actions = [*self.findChildren(QAction)]
        self._help_page = show_page(self, "Keyboard shortcuts", shortcuts_html(actions))

    def _on_about_triggered(self) -> None:
        from planner.ui.dialogs.about import show_about

        show_about(self)

    def _on_recent_action_triggered(self, path: str, _checked: bool = False) -> None:
        self.files.open_path(path)


def _scrolling(widget: QWidget) -> QScrollArea:
    """``widget`` in a scroll area: usable in a short dock, and the relayout a changed label
    asks for stops at the scroll area instead of re-laying out the whole window."""
    area = QScrollArea()
    area.setObjectName(f"{widget.objectName()}_scroll")
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    return area


def _plan_files(urls: list[Any]) -> list[str]:
    return [
        url.toLocalFile()
        for url in urls
        if url.isLocalFile() and url.toLocalFile().lower().endswith(SUFFIX)
    ]
