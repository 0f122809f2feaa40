"""The account panel's horizon group (spec v2 ``horizon_hours``): how long the plan is held, in
hours or days, and what funding costs over it — the account's total, and per position the
cost, the liquidation price at the horizon and the runway (how long funding alone takes to
liquidate it)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QWidget,
)

from planner.domain.formatting import format_price
from planner.domain.plan_base import HORIZON_MAX_HOURS
from planner.ui.document import edits
from planner.ui.document.plan_document import PlanDocument
from planner.ui.widgets.delegates import EditorSpec, configure_spin_box
from planner.ui.widgets.number_box import INVALID_STYLE, NumberBox
from planner.ui.widgets.sync import set_spin

#: the horizon's units: (value, label, hours in one)
UNITS: tuple[tuple[str, str, float], ...] = (("hours", "hours", 1.0), ("days", "days", 24.0))
TIP = (
    "How long the plan is held. Funding is paid (or received) every market's funding "
    "interval over it at the held marks; what is paid comes off the margin, so an isolated "
    "position's liquidation price moves toward the mark."
)


def describe_runway(hours: float | None) -> str:
    if hours is None:
        return "never"
    return f"{hours:,.0f} h" if hours < 48 else f"{hours / 24:,.0f} days"


class HorizonGroup(QGroupBox):
    def __init__(self, document: PlanDocument, parent: QWidget | None = None) -> None:
        super().__init__("Horizon and funding", parent)
        self.setObjectName("horizon_group")
        self._document = document
        self.setToolTip(TIP)
        self.horizon_box = NumberBox()
        self.horizon_box.setToolTip(TIP)
        self.unit_combo = QComboBox()
        for value, label, _hours in UNITS:
            self.unit_combo.addItem(label, value)
        self.unit_combo.setToolTip("Type the horizon in hours or in days.")
        self.total = QLabel()
        self.total.setObjectName("funding_total")
        self.total.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.positions = QLabel()
        self.positions.setObjectName("funding_positions")
        self.positions.setWordWrap(True)
        self.positions.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error = QLabel()
        self.error.setObjectName("horizon_error")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        row = QHBoxLayout()
        self.horizon_box.setMaximumWidth(180)
        row.addWidget(self.horizon_box, 1)
        row.addWidget(self.unit_combo)
        row.addStretch(1)
        form = QFormLayout(self)
        form.addRow(QLabel("Held for"), row)
        form.addRow(QLabel("Funding"), self.total)
        form.addRow(self.positions)
        form.addRow(self.error)
        self.setStyleSheet(INVALID_STYLE)
        QWidget.setTabOrder(self.horizon_box, self.unit_combo)
        self.horizon_box.valueChanged.connect(self._on_horizon_changed)
        self.horizon_box.refused.connect(self._on_refused)
        self.horizon_box.accepted_input.connect(self._on_accepted)
        self.unit_combo.currentIndexChanged.connect(self._on_unit_changed)
        document.changed.connect(self._show)
        document.amounts.changed.connect(self._show)  # the "values in" unit
        hours = document.plan.horizon_hours
        if hours and hours % 24 == 0:
            self.unit_combo.setCurrentIndex(1)
        self._show()

    def _hours_per_unit(self) -> float:
        return UNITS[self.unit_combo.currentIndex()][2]

    def _show(self) -> None:
        plan = self._document.plan
        per = self._hours_per_unit()
        # the unit is the combo's: no suffix in the field
        configure_spin_box(
            self.horizon_box, EditorSpec("number", 0, HORIZON_MAX_HOURS / per, 2, 1.0)
        )
        set_spin(self.horizon_box, plan.horizon_hours / per)
        currency = plan.account.currency
        funding = self._document.analysis.timeline.funding
        amounts = self._document.amounts
        if plan.horizon_hours <= 0:
            self.total.setText("no horizon: type how long the plan is held")
            self.positions.setText("")
            return
        days = plan.horizon_hours / 24
        paid = "paid" if funding.total >= 0 else "received"
        self.total.setText(
            f"{amounts.format(abs(funding.total), currency, with_unit=True)} {paid} over "
            f"{days:,.4g} days"
        )
        lines = []
        for i, position in enumerate(plan.positions):
            if not funding.cost[i]:
                continue
            tick = plan.market(position.symbol).tick_size
            liquidation = funding.liquidation_price_at_horizon[i]
            lines.append(
                f"{position.id}: {amounts.format(funding.cost[i], currency, sign=True)}, "
                f"liquidation at the horizon {format_price(liquidation, tick)}, "
                f"runway {describe_runway(funding.runway_hours[i])}"
            )
        shown = lines[:6] + ([f"… and {len(lines) - 6} more"] if len(lines) > 6 else [])
        self.positions.setText("\n".join(shown) or "No funding: every market's rate is 0.")

    def _on_horizon_changed(self, value: float) -> None:
        hours = value * self._hours_per_unit()
        self._document.edit(
            lambda plan: edits.set_plan_field(plan, "horizon_hours", hours),
            "Change horizon",
            merge_key="plan|horizon_hours",
        )

    def _on_unit_changed(self, _row: int) -> None:
        self._show()

    def _on_refused(self, text: str, rule: str) -> None:
        unit = UNITS[self.unit_combo.currentIndex()][0]
        self.error.setText(f"horizon_hours = {text.strip() or '(empty)'} ({unit}): {rule}")
        self.error.setVisible(True)

    def _on_accepted(self) -> None:
        self.error.clear()
        self.error.setVisible(False)
