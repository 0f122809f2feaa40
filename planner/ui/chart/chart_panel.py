"""The chart panel: the price ladder and the equity view of the selected symbol, as two tabs.

Tabs rather than a splitter: in a dock beside the table each view gets the full height (the
ladder needs it for its labels), and the hidden view costs nothing — both views only refresh
while visible and catch up when shown.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from planner.ui.chart.equity_view import EquityView
from planner.ui.chart.ladder_view import LadderView
from planner.ui.document.plan_document import PlanDocument


class ChartPanel(QWidget):
    """Price ladder and equity-against-move of the document's selected symbol.

    Signals:
        status_message(str, int): a message for the status bar and its timeout in ms (a drag
            held at the last price the plan accepts, and why).
    """

    status_message = Signal(str, int)

    def __init__(self, document: PlanDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chart_panel")
        self.document = document
        self.ladder = LadderView(document)
        self.equity = EquityView(document)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.ladder, "Price ladder")
        self.tabs.addTab(self.equity, "Equity vs move")
        self.tabs.setTabToolTip(0, "Every price level of the selected symbol; drag to plan")
        self.tabs.setTabToolTip(
            1, "Account equity as the price moves: as planned, all cross and all isolated"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.ladder.status_message.connect(self.status_message)

    def show_ladder(self) -> None:
        self.tabs.setCurrentWidget(self.ladder)

    def show_equity(self) -> None:
        self.tabs.setCurrentWidget(self.equity)
