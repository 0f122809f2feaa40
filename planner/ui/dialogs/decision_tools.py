"""Opens the decision tools of the Tools menu: the solvers and the two-asset map. Each is a
window of its own (non-modal, kept while the main window lives) that follows the document."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from planner.ui.dialogs.map_dialog import MapDialog
from planner.ui.dialogs.solvers.solver_dialog import SolverDialog
from planner.ui.document.plan_document import PlanDocument


class DecisionTools(QObject):
    def __init__(self, document: PlanDocument, window: QWidget) -> None:
        super().__init__(window)
        self._document = document
        self._window = window
        self.solver_dialog: SolverDialog | None = None
        self.map_dialog: MapDialog | None = None

    def open_solver(self, key: str, _checked: bool = False) -> SolverDialog:
        """Show the solvers on ``key``'s page (one of ``solver_dialog.SOLVERS``)."""
        if self.solver_dialog is None:
            self.solver_dialog = SolverDialog(self._document, self._window, key)
        else:
            self.solver_dialog.show_solver(key)
        _raise(self.solver_dialog)
        return self.solver_dialog

    def open_map(self, _checked: bool = False) -> MapDialog:
        if self.map_dialog is None:
            self.map_dialog = MapDialog(self._document, self._window)
        _raise(self.map_dialog)
        return self.map_dialog


def _raise(dialog: QWidget) -> None:
    dialog.show()
    # window stacking is the platform's; the offscreen one has none (and warns)
    if QGuiApplication.platformName() != "offscreen":
        dialog.raise_()
        dialog.activateWindow()
