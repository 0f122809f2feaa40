"""The solvers, one page each: the size for a risk, the least isolated margin or the most
leverage that keeps liquidation beyond the stop, the largest cross position the pool carries,
the size at the next tier, the margin for a chosen liquidation price, and the market move that
liquidates the cross pool.

Every answer comes from ``planner.domain.solvers``; what the plan looks like with it comes from
``analyze()`` of the plan with the answer applied, so the dialog never computes a margin figure
itself. "Apply" pushes that plan as one undoable command. A solver without an answer (None)
says why in plain words and offers nothing to apply.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from planner.domain.errors import PlanError
from planner.ui.dialogs.solvers.account_pages import (
    LargestCrossQuantityPage,
    PoolLiquidatingMovePage,
)
from planner.ui.dialogs.solvers.page import (
    QUANTITY_DECIMALS,
    SOLVERS,
    Answer,
    SolverPage,
    floor_to,
)
from planner.ui.dialogs.solvers.position_pages import (
    LeastIsolatedMarginPage,
    MarginForLiquidationPricePage,
    MostLeveragePage,
    QuantityAtNextTierPage,
    SizeForRiskPage,
)
from planner.ui.dialogs.solvers.time_pages import FundingRatePage, LargestLadderPage
from planner.ui.document.plan_document import PlanDocument
from planner.ui.explanations import explain
from planner.ui.widgets.lazy import LazyRefresh

PAGES: dict[str, type[SolverPage]] = {
    page.key: page
    for page in (
        SizeForRiskPage,
        LeastIsolatedMarginPage,
        MostLeveragePage,
        LargestCrossQuantityPage,
        QuantityAtNextTierPage,
        MarginForLiquidationPricePage,
        PoolLiquidatingMovePage,
        LargestLadderPage,
        FundingRatePage,
    )
}


__all__ = ["QUANTITY_DECIMALS", "SOLVERS", "SolverDialog", "floor_to"]


class SolverDialog(QDialog):
    """Every solver, one page each; the answer follows the inputs and the plan."""

    def __init__(
        self, document: PlanDocument, parent: QWidget | None = None, solver: str = "size_for_risk"
    ) -> None:
        super().__init__(parent)
        self.setObjectName("solver_dialog")
        self.setWindowTitle("Solvers")
        self.document = document
        self._answer = Answer("")
        self._pages_stale = True
        self._lazy = LazyRefresh(self, self._recompute, delay_ms=30, document=document)

        self.solver_list = QListWidget()
        self.solver_list.setObjectName("solver_list")
        self.solver_list.setFixedWidth(210)
        self.stack = QStackedWidget()
        self.pages: dict[str, SolverPage] = {}
        for key, title in SOLVERS:
            page = PAGES[key](document)
            self.pages[key] = page
            self.stack.addWidget(page)
            self.solver_list.addItem(title)
            self.solver_list.item(self.solver_list.count() - 1).setToolTip(explain(f"solver_{key}"))
            page.inputs_changed.connect(self._lazy.invalidate)
        self.title_label = QLabel()
        font = self.title_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title_label.setFont(font)
        self.help_label = QLabel()
        self.help_label.setWordWrap(True)
        self.answer_label = QLabel()
        self.answer_label.setObjectName("solver_answer")
        self.answer_label.setWordWrap(True)
        self.answer_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.after_label = QLabel()
        self.after_label.setObjectName("solver_after")
        self.after_label.setWordWrap(True)
        self.after_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        answer_box = QGroupBox("Answer")
        answer_layout = QVBoxLayout(answer_box)
        answer_layout.addWidget(self.answer_label)
        answer_layout.addWidget(self.after_label)
        answer_layout.addStretch(1)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.apply_button = QPushButton("Apply")
        self.apply_button.setObjectName("solver_apply")
        self.buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.ApplyRole)
        self.buttons.rejected.connect(self.reject)
        self.apply_button.clicked.connect(self._on_apply_button_clicked)

        right = QVBoxLayout()
        right.addWidget(self.title_label)
        right.addWidget(self.help_label)
        right.addWidget(self.stack)
        right.addWidget(answer_box, 1)
        body = QHBoxLayout()
        body.addWidget(self.solver_list)
        body.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.buttons)
        self.resize(760, 460)

        self._sync_pages()
        self.solver_list.currentRowChanged.connect(self._on_solver_list_row_changed)
        document.changed.connect(self._on_document_changed)
        self.show_solver(solver)

    # --- public ----------------------------------------------------------------------------

    @property
    def page(self) -> SolverPage:
        page = self.stack.currentWidget()
        assert isinstance(page, SolverPage)
        return page

    @property
    def answer(self) -> Answer:
        if self._pages_stale:
            self._sync_pages()
            self._lazy.invalidate()
        self._lazy.flush()
        return self._answer

    def show_solver(self, key: str) -> None:
        """Open the page of solver ``key`` on the document's selected position."""
        if self._pages_stale:
            self._sync_pages()
        keys = [k for k, _ in SOLVERS]
        self.pages[key].select_current()
        row = keys.index(key)
        if self.solver_list.currentRow() == row:
            self._on_solver_list_row_changed(row)  # same page: solve on the new selection
        else:
            self.solver_list.setCurrentRow(row)

    def apply(self) -> bool:
        """Push the answer's plan as one undoable command; False when there is none."""
        answer = self.answer
        if answer.plan is None:
            return False
        self.document.apply(answer.plan, answer.label, select=answer.select)
        return True

    # --- slots -----------------------------------------------------------------------------

    def _on_solver_list_row_changed(self, row: int) -> None:
        if row < 0:
            return
        key, title = SOLVERS[row]
        self.stack.setCurrentWidget(self.pages[key])
        self.title_label.setText(title)
        self.help_label.setText(explain(f"solver_{key}"))
        self._lazy.run()

    def _on_document_changed(self) -> None:
        self._pages_stale = True
        if self.isVisible():
            self._sync_pages()
        self._lazy.invalidate()

    def _sync_pages(self) -> None:
        """Bring every page's choices up to the plan (while closed, on the next show)."""
        self._pages_stale = False
        for page in self.pages.values():
            page.sync(self.document.committed_plan)

    def _on_apply_button_clicked(self) -> None:
        self.apply()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._pages_stale:
            self._sync_pages()
            self._lazy.invalidate()
        self._lazy.shown()

    def _recompute(self) -> None:
        try:
            answer = self.page.solve()
        except PlanError as error:
            answer = Answer(f"No answer: {error}")
        self._answer = answer
        self.answer_label.setText(answer.text)
        self.after_label.setText(answer.after)
        self.after_label.setVisible(bool(answer.after))
        self.apply_button.setEnabled(answer.applicable)
        self.apply_button.setToolTip(
            f"{answer.label} (one undo step)"
            if answer.applicable
            else "Nothing to apply: there is no answer, or it does not change the plan"
        )
