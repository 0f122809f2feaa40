"""Solver pages for a plan in time: the largest scale-in ladder the stop allows, and the
funding rate that liquidates a position within the horizon (``planner.domain.time_solvers``)."""

from __future__ import annotations

from PySide6.QtWidgets import QSpinBox

from planner.domain import time_solvers
from planner.domain.errors import PlanError
from planner.domain.formatting import format_amount, format_percent, format_price, format_quantity
from planner.domain.plan import Plan
from planner.domain.plan_analysis import analyze
from planner.ui.dialogs.solvers.page import Answer, PositionPage, number_box
from planner.ui.document.plan_document import PlanDocument
from planner.ui.widgets.delegates import EditorSpec


def _percent_box(value: float, key: str, maximum: float = 50.0) -> object:
    box = number_box(
        EditorSpec("number", minimum=0.01, maximum=maximum, decimals=2, step=0.5, suffix=" %"),
        key,
    )
    box.setValue(value)
    return box


def _scale_box(value: float, key: str) -> object:
    box = number_box(
        EditorSpec("number", minimum=0.1, maximum=10.0, decimals=2, step=0.1, suffix="×"), key
    )
    box.setValue(value)
    return box


class LargestLadderPage(PositionPage):
    """The largest ladder of a given shape whose last fill keeps liquidation beyond the stop."""

    key = "largest_ladder"
    with_stop = True

    def __init__(self, document: PlanDocument) -> None:
        super().__init__(document)
        self.rungs_spin = QSpinBox()
        self.rungs_spin.setRange(1, 50)
        self.rungs_spin.setValue(5)
        self.rungs_spin.setToolTip("How many planned adds the ladder has")
        self.step_spin = _percent_box(2.0, "solver_ladder_step")
        self.step_scale_spin = _scale_box(1.0, "solver_ladder_step_scale")
        self.size_scale_spin = _scale_box(1.0, "solver_ladder_size_scale")
        self.buffer_spin = _percent_box(
            document.plan.account.risk_limits.stop_buffer * 100, "solver_stop_buffer"
        )
        self.form.addRow("Rungs", self.rungs_spin)
        self.form.addRow("Step", self.step_spin)
        self.form.addRow("Step scale", self.step_scale_spin)
        self.form.addRow("Size scale", self.size_scale_spin)
        self.form.addRow("Buffer beyond the stop (of the mark)", self.buffer_spin)
        self.rungs_spin.valueChanged.connect(self._on_input_changed)
        for box in (self.step_spin, self.step_scale_spin, self.size_scale_spin, self.buffer_spin):
            box.valueChanged.connect(self._on_input_changed)

    def solve(self) -> Answer:
        found = self._position_and_stop("that the ladder's last fill must stay above")
        if isinstance(found, Answer):
            return found
        i, pos, stop = found
        plan = self._with_stop(i, pos, stop, {}) if stop != pos.stop_loss else self.plan
        try:
            adds = time_solvers.largest_ladder(
                plan,
                pos.id,
                rungs=self.rungs_spin.value(),
                step=self.step_spin.value() / 100,
                step_scale=self.step_scale_spin.value(),
                size_scale=self.size_scale_spin.value(),
                buffer=self.buffer_spin.value() / 100,
            )
        except PlanError as error:
            return Answer(f"No answer: {error}")
        if adds is None:
            return Answer(
                "No ladder of this shape fits: even the smallest adds leave a rung beyond the "
                "liquidation price before it, or the last fill's liquidation price within the "
                "buffer of the stop. Use smaller steps, fewer rungs or less leverage."
            )
        market = self.plan.market(pos.symbol)
        tick = market.tick_size
        rungs = ", ".join(
            f"{format_quantity(a.quantity)} at {format_price(a.price, tick)}" for a in adds
        )
        text = f"The largest ladder for {pos.id}: {rungs}."
        ladder = [a.model_dump() for a in adds]
        return self._candidate(
            lambda _plan: self._with_stop(i, pos, stop, {"scale_in": ladder}),
            text,
            f"Largest ladder for {pos.id}",
            lambda new: self._after_ladder(new, i),
            value=adds[0].quantity,
        )

    def _after_ladder(self, plan: Plan, i: int) -> str:
        analysis = analyze(plan)
        fills = analysis.timeline.fills[i]
        last = fills[-1]
        cur = plan.account.currency
        margin = (
            f"; bucket {format_amount(last.margin, cur, with_unit=True)}" if last.margin else ""
        )
        return (
            f"After the last fill: {format_quantity(last.total_quantity)} at an average "
            f"{format_price(last.average_entry)}, liquidation "
            f"{format_price(last.liquidation_price)}{margin}."
        )


class FundingRatePage(PositionPage):
    """The funding rate at which funding alone liquidates the position within the horizon."""

    key = "funding_rate_to_liquidate"

    def solve(self) -> Answer:
        found = self.position()
        if found is None:
            return self._no_position()
        _, pos = found
        plan = self.plan
        if plan.horizon_hours <= 0:
            return Answer(
                "The plan has no horizon: set how long you hold it (Account ▸ Horizon) and "
                "this solver finds the funding rate that would liquidate the position by then."
            )
        rate = time_solvers.funding_rate_to_liquidate(plan, pos.id)
        market = plan.market(pos.symbol)
        days = plan.horizon_hours / 24
        if rate is None:
            return Answer(
                f"No funding rate up to ±10 % per interval liquidates {pos.id} within "
                f"{days:,.1f} days at these marks."
            )
        return Answer(
            f"Funding alone liquidates {pos.id} within {days:,.1f} days at "
            f"{format_percent(rate, 4, sign=True)} per {market.funding_interval_hours:g} h "
            f"or beyond (now {format_percent(market.funding_rate, 4, sign=True)}).",
            value=rate,
        )
