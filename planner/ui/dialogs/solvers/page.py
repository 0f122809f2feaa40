"""What every solver page shares: the answer, the pickers, and the base pages that
solve for one position of the plan."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QWidget,
)

from planner.domain.errors import PlanError
from planner.domain.formatting import (
    decimals_for_tick,
)
from planner.domain.plan import Plan, Position
from planner.ui.document import edits
from planner.ui.document.plan_document import PlanDocument
from planner.ui.explanations import explain
from planner.ui.widgets.delegates import EditorSpec, NumberBox, configure_spin_box

#: (key, title) of every solver, in the order of the Tools menu
SOLVERS: tuple[tuple[str, str], ...] = (
    ("size_for_risk", "Size for a risk"),
    ("least_isolated_margin", "Least isolated margin"),
    ("most_leverage", "Most leverage"),
    ("largest_cross_quantity", "Largest cross position"),
    ("quantity_at_next_tier", "Size at the next tier"),
    ("margin_for_liquidation_price", "Margin for a liquidation price"),
    ("pool_liquidating_move", "Move that liquidates the pool"),
    ("largest_ladder", "Largest scale-in ladder"),
    ("funding_rate_to_liquidate", "Funding rate that liquidates"),
)
SOLVER_TITLES = dict(SOLVERS)
#: a quantity applied from a solver is rounded to this many decimals (what the table shows)
QUANTITY_DECIMALS = 8
DEFAULT_RISK_PERCENT = 1.0


@dataclass(frozen=True, slots=True)
class Answer:
    """A solver's answer in plain words, and the plan with it applied (None: nothing to
    apply — no answer, or an answer that is not an edit)."""

    text: str
    plan: Plan | None = None
    label: str = ""
    after: str = ""
    value: float | None = None
    select: str | None = None

    @property
    def applicable(self) -> bool:
        return self.plan is not None


# --- rounding an answer into an input -------------------------------------------------------


def floor_to(value: float, decimals: int) -> float:
    """``value`` rounded down to ``decimals`` (a size that must not exceed the answer)."""
    scale = 10.0**decimals
    return math.floor(value * scale * (1 + 1e-15)) / scale


def ceil_to(value: float, decimals: int) -> float:
    """``value`` rounded up to ``decimals`` (a margin that must not fall short)."""
    scale = 10.0**decimals
    return math.ceil(value * scale * (1 - 1e-15)) / scale


# --- inputs ---------------------------------------------------------------------------------


class PositionCombo(QComboBox):
    """The plan's positions (or those ``accept`` lets through), kept by id across changes."""

    def __init__(self, accept: Callable[[Position], bool] | None = None) -> None:
        super().__init__()
        self._accept = accept or (lambda _position: True)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(18)
        self.setToolTip(explain("id"))

    def sync(self, plan: Plan, prefer: str | None = None) -> None:
        keep = prefer if prefer is not None else self.position_id()
        entries = [
            (f"{p.id} · {p.symbol} {p.side} · {p.margin_mode}", p.id)
            for p in plan.positions
            if self._accept(p)
        ]
        current = [(self.itemText(i), self.itemData(i)) for i in range(self.count())]
        self.blockSignals(True)
        if entries != current:
            self.clear()
            for text, position_id in entries:
                self.addItem(text, position_id)
        ids = [position_id for _, position_id in entries]
        if keep in ids:
            self.setCurrentIndex(ids.index(keep))
        self.blockSignals(False)

    def position_id(self) -> str | None:
        data = self.currentData()
        return str(data) if data else None


def number_box(spec: EditorSpec, key: str) -> QDoubleSpinBox:
    box = NumberBox(trim=spec.decimals > 4)
    configure_spin_box(box, spec)
    box.setToolTip(explain(key))
    box.setKeyboardTracking(False)
    return box


def price_spec(plan: Plan, symbol: str | None, *, special: str = "") -> EditorSpec:
    tick = None
    price = None
    if symbol:
        market = plan.market(symbol)
        tick, price = market.tick_size, market.mark_price
    decimals = decimals_for_tick(tick, price)
    return EditorSpec(
        "number",
        minimum=0.0,
        maximum=1e12,
        decimals=decimals,
        step=tick or 10.0 ** (-decimals) * 100,
        special=special,
    )


# --- pages ----------------------------------------------------------------------------------


class SolverPage(QWidget):
    """One solver: inputs in a form, ``solve()`` the answer. ``inputs_changed`` when the trader
    edits an input; ``sync(plan)`` follows a new plan."""

    key = ""
    inputs_changed = Signal()

    def __init__(self, document: PlanDocument) -> None:
        super().__init__()
        self.document = document
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)

    @property
    def plan(self) -> Plan:
        return self.document.committed_plan

    def sync(self, plan: Plan) -> None:
        """Follow ``plan`` (choices, defaults); inputs the trader typed are kept."""

    def select_current(self) -> None:
        """Start on the document's selected position, where the page has a position."""

    def solve(self) -> Answer:
        raise NotImplementedError

    def _on_input_changed(self, *_args: Any) -> None:
        self.inputs_changed.emit()

    # shared helpers

    def _candidate(
        self,
        make: Callable[[Plan], Plan],
        text: str,
        label: str,
        after: Callable[[Plan], str],
        *,
        value: float,
        select: str | None = None,
    ) -> Answer:
        """The answer (the solver's ``value``) with the plan ``make`` builds; a plan rule that
        refuses that plan is told and nothing is offered to apply."""
        try:
            plan = make(self.plan)
        except PlanError as error:
            return Answer(f"{text}\n\nThe plan refuses it: {error}", value=value)
        return Answer(text, plan=plan, label=label, after=after(plan), value=value, select=select)


class PositionPage(SolverPage):
    """A page about one position of the plan, with a stop input where ``with_stop``."""

    isolated_only = False
    with_stop = False

    def __init__(self, document: PlanDocument) -> None:
        super().__init__(document)
        accept = (lambda p: p.margin_mode == "isolated") if self.isolated_only else None
        self.position_combo = PositionCombo(accept)
        self.form.addRow("Position", self.position_combo)
        self.stop_spin: QDoubleSpinBox | None = None
        if self.with_stop:
            self.stop_spin = number_box(
                price_spec(self.plan, None, special="the position's stop"), "solver_stop"
            )
            self.form.addRow("Stop", self.stop_spin)
            self.stop_spin.valueChanged.connect(self._on_input_changed)
        self.position_combo.currentIndexChanged.connect(self._on_position_combo_changed)

    def position(self) -> tuple[int, Position] | None:
        position_id = self.position_combo.position_id()
        for i, pos in enumerate(self.plan.positions):
            if pos.id == position_id:
                return i, pos
        return None

    def sync(self, plan: Plan) -> None:
        before = self.position_combo.position_id()
        self.position_combo.sync(plan)
        if self.position_combo.position_id() != before:
            self._reset_inputs()

    def select_current(self) -> None:
        self.position_combo.sync(self.plan, prefer=self.document.current_id)
        self._reset_inputs()

    def _on_position_combo_changed(self, _index: int) -> None:
        self._reset_inputs()
        self._on_input_changed()

    def _reset_inputs(self) -> None:
        """Inputs that follow the chosen position (its stop) start from it again."""
        found = self.position()
        if self.stop_spin is None:
            return
        spin = self.stop_spin
        spin.blockSignals(True)
        if found is not None:
            _, pos = found
            configure_spin_box(
                spin, price_spec(self.plan, pos.symbol, special="the position's stop")
            )
            spin.setValue(pos.stop_loss or 0.0)
        spin.blockSignals(False)

    def stop(self, pos: Position) -> float | None:
        """The stop typed, or the position's own (None when neither)."""
        if self.stop_spin is None or self.stop_spin.value() <= self.stop_spin.minimum():
            return pos.stop_loss
        return self.stop_spin.value()

    def _position_and_stop(self, purpose: str) -> tuple[int, Position, float] | Answer:
        """The chosen position (its index, itself) and the stop to use, or the Answer saying
        which is missing; ``purpose`` ends "type the stop …" (what the stop is for)."""
        found = self.position()
        if found is None:
            return self._no_position()
        i, pos = found
        stop = self.stop(pos)
        if stop is None:
            return Answer(f"{pos.id} has no stop: type the stop {purpose}.")
        return i, pos, stop

    def _no_position(self) -> Answer:
        if self.isolated_only:
            return Answer(
                "No isolated position: this solver sets an isolated bucket's margin or "
                "leverage. Switch a position to isolated first."
            )
        return Answer("No position: add one first.")

    def _with_stop(self, i: int, pos: Position, stop: float, update: dict[str, Any]) -> Plan:
        changes = dict(update)
        if stop != pos.stop_loss:
            changes["stop_loss"] = stop
        return edits.set_position(self.plan, i, changes)
