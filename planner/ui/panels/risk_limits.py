"""The account panel's risk group (spec v2 ``account.risk_limits`` and the account figures):
the limits the warnings measure the plan against, editable, each edit one undo step; and the
totals a trader checks first — gross notional, effective leverage, the loss if every stop is
hit and its share of equity, positions without a stop, the worst-case loss from these marks.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QWidget

from planner.domain.formatting import MISSING, format_leverage, format_percent
from planner.domain.plan import Plan
from planner.domain.plan_base import LEVERAGE_MAX
from planner.domain.warnings import PlanWarning
from planner.ui.document import edits
from planner.ui.document.plan_document import PlanDocument
from planner.ui.explanations import explain
from planner.ui.widgets.delegates import EditorSpec, configure_spin_box
from planner.ui.widgets.number_box import INVALID_STYLE, NumberBox
from planner.ui.widgets.sync import set_spin

#: field → (label, editor rule, words for the undo step); fractions are typed in percent
LIMITS: dict[str, tuple[str, EditorSpec, str]] = {
    "risk_per_position": (
        "Risk per position",
        EditorSpec("number", 0.01, 100, 2, 0.5, "", " %"),
        "risk per position limit",
    ),
    "total_risk": (
        "Total risk",
        EditorSpec("number", 0.01, 100, 2, 1.0, "", " %"),
        "total risk limit",
    ),
    "stop_buffer": (
        "Stop buffer",
        EditorSpec("number", 0, 99.99, 2, 0.5, "", " %"),
        "stop buffer",
    ),
    "max_leverage": (
        "Max leverage",
        EditorSpec("number", 0, LEVERAGE_MAX, 2, 1.0, "no cap", "×"),
        "leverage cap",
    ),
}
PERCENT_LIMITS = frozenset({"risk_per_position", "total_risk", "stop_buffer"})
FIGURES = (
    ("gross_notional", "Gross notional"),
    ("effective_leverage", "Effective leverage"),
    ("loss_at_stops", "Loss at stops"),
    ("risk_at_stops", "… of equity"),
    ("positions_without_stop", "Without a stop"),
    ("account_worst_case_loss", "Worst-case loss"),
)


class RiskLimitsGroup(QGroupBox):
    def __init__(self, document: PlanDocument, parent: QWidget | None = None) -> None:
        super().__init__("Risk", parent)
        self._document = document
        self.setObjectName("risk_group")
        self.setToolTip(explain("risk_limits"))
        form = QFormLayout(self)
        self.limit_boxes: dict[str, NumberBox] = {}
        for key, (text, spec, _words) in LIMITS.items():
            box = NumberBox()
            box.setObjectName(f"limit_{key}")
            configure_spin_box(box, spec)
            box.setToolTip(explain(f"limit_{key}"))
            box.valueChanged.connect(partial(self._on_limit_changed, key))
            box.refused.connect(partial(self._on_refused, key))
            box.accepted_input.connect(self._on_accepted)
            self.limit_boxes[key] = box
            label = QLabel(text)
            label.setToolTip(explain(f"limit_{key}"))
            form.addRow(label, box)
        self.input_error = QLabel()
        self.input_error.setObjectName("risk_limits_error")
        self.input_error.setWordWrap(True)
        self.input_error.setVisible(False)
        form.addRow(self.input_error)
        self.setStyleSheet(INVALID_STYLE)
        self.figures: dict[str, QLabel] = {}
        for key, text in FIGURES:
            label = QLabel(MISSING)
            label.setObjectName(key)
            label.setToolTip(explain(key))
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            name = QLabel(text)
            name.setToolTip(explain(key))
            self.figures[key] = label
            form.addRow(name, label)
        document.changed.connect(self.refresh)
        document.amounts.changed.connect(self.refresh)
        self.refresh()

    # --- document → widgets ----------------------------------------------------------------

    def refresh(self) -> None:
        analysis = self._document.analysis
        account = analysis.plan.account
        limits = account.risk_limits
        for key, box in self.limit_boxes.items():
            value = getattr(limits, key)
            if value is None:
                value = 0.0
            elif key in PERCENT_LIMITS:
                value = value * 100
            set_spin(box, value)
        figures = analysis.figures
        currency = account.currency

        def amount(value: float) -> str:  # in the "values in" unit
            return self._document.amounts.format(value, currency, with_unit=True)

        count = figures.positions_without_stop
        shown = {
            "gross_notional": amount(figures.gross_notional),
            "effective_leverage": format_leverage(
                None if figures.effective_leverage is None else round(figures.effective_leverage, 2)
            ),
            "loss_at_stops": amount(figures.loss_at_stops),
            "risk_at_stops": format_percent(figures.risk_at_stops),
            "positions_without_stop": "none" if count == 0 else str(count),
            "account_worst_case_loss": amount(figures.worst_case_loss),
        }
        for key, text in shown.items():
            self.figures[key].setText(text)
        above = figures.risk_at_stops is not None and figures.risk_at_stops > limits.total_risk
        for key in ("loss_at_stops", "risk_at_stops"):
            self.figures[key].setStyleSheet("color: #d02020;" if above else "")
        cap = limits.max_leverage
        over = cap is not None and (figures.effective_leverage or 0.0) > cap
        self.figures["effective_leverage"].setStyleSheet("color: #d02020;" if over else "")

    # --- widgets → document ----------------------------------------------------------------

    def _on_limit_changed(self, key: str, value: float) -> None:
        stored: float | None
        if key == "max_leverage":
            stored = None if value == 0 else value
        else:
            stored = float(f"{value / 100:.12g}")
        words = LIMITS[key][2]

        def make(plan: Plan) -> Plan:
            account = plan.account.model_dump()
            account["risk_limits"] = account["risk_limits"] | {key: stored}
            return edits.validate(plan, account=account)

        error = self._document.edit(make, f"Change {words}")
        if error is not None:
            self.input_error.setText(str(error))
            self.input_error.setVisible(True)
            self.refresh()

    def _on_refused(self, key: str, text: str, rule: str) -> None:
        """Typed text outside the field's rule: said under the form, the plan untouched."""
        shown = text.strip() or "(empty)"
        self.input_error.setText(f"account.risk_limits.{key} = {shown}: {rule}")
        self.input_error.setVisible(True)

    def _on_accepted(self) -> None:
        self.input_error.clear()
        self.input_error.setVisible(False)


def warning_count_text(warnings: Sequence[PlanWarning]) -> tuple[str, bool]:
    """ "3 warnings (1 danger)" and whether any is a danger."""
    if not warnings:
        return "No warnings", False
    count = len(warnings)
    danger = sum(1 for w in warnings if w.severity == "danger")
    text = f"{count} warning{'s' if count != 1 else ''}"
    return (f"{text} ({danger} danger)" if danger else text), danger > 0


#: while a drag previews the plan, the status bar's count follows at most this often
COUNT_PREVIEW_MS = 120


class WarningCount(QLabel):
    """The status bar's "3 warnings (1 danger)", red when any is a danger: after every change
    at once, and while a drag previews the plan at most every ``COUNT_PREVIEW_MS``."""

    def __init__(self, document: PlanDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self.setObjectName("warning_count")
        self.setToolTip(explain("warning_count"))
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(COUNT_PREVIEW_MS)
        self._timer.timeout.connect(self.refresh)
        document.changed.connect(self._on_document_changed)
        self.refresh()

    def _on_document_changed(self) -> None:
        if self._document.is_previewing:
            if not self._timer.isActive():
                self._timer.start()
            return
        self._timer.stop()
        self.refresh()

    def refresh(self) -> None:
        text, danger = warning_count_text(self._document.analysis.warnings)
        self.setText(text)
        self.setStyleSheet("color: #d02020;" if danger else "")
