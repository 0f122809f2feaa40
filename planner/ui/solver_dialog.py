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

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from planner.domain import solvers
from planner.domain.engine import analyze
from planner.domain.errors import PlanError
from planner.domain.formatting import (
    amount_decimals,
    decimals_for_tick,
    format_amount,
    format_leverage,
    format_percent,
    format_price,
    format_quantity,
)
from planner.domain.plan import Plan, Position, Side
from planner.ui import edits
from planner.ui.delegates import EditorSpec, NumberBox, configure_spin_box
from planner.ui.document import PlanDocument
from planner.ui.explanations import explain
from planner.ui.lazy import LazyRefresh

#: (key, title) of every solver, in the order of the Tools menu
SOLVERS: tuple[tuple[str, str], ...] = (
    ("size_for_risk", "Size for a risk"),
    ("least_isolated_margin", "Least isolated margin"),
    ("most_leverage", "Most leverage"),
    ("largest_cross_quantity", "Largest cross position"),
    ("quantity_at_next_tier", "Size at the next tier"),
    ("margin_for_liquidation_price", "Margin for a liquidation price"),
    ("pool_liquidating_move", "Move that liquidates the pool"),
)
SOLVER_TITLES = dict(SOLVERS)
#: a quantity applied from a solver is rounded to this many decimals (what the table shows)
QUANTITY_DECIMALS = 8
DEFAULT_BUFFER_PERCENT = 0.5
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


def _number_box(spec: EditorSpec, key: str) -> QDoubleSpinBox:
    box = NumberBox(trim=spec.decimals > 4)
    configure_spin_box(box, spec)
    box.setToolTip(explain(key))
    box.setKeyboardTracking(False)
    return box


def _price_spec(plan: Plan, symbol: str | None, *, special: str = "") -> EditorSpec:
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


class _PositionPage(SolverPage):
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
            self.stop_spin = _number_box(
                _price_spec(self.plan, None, special="the position's stop"), "solver_stop"
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
                spin, _price_spec(self.plan, pos.symbol, special="the position's stop")
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


class SizeForRiskPage(_PositionPage):
    key = "size_for_risk"
    with_stop = True

    def __init__(self, document: PlanDocument) -> None:
        super().__init__(document)
        self.risk_kind = QComboBox()
        self.risk_kind.addItem("% of the wallet", "fraction")
        self.risk_kind.addItem("Amount", "amount")
        self.risk_kind.setToolTip(explain("solver_risk"))
        self.risk_spin = _number_box(
            EditorSpec("number", minimum=0.0, maximum=100.0, decimals=2, step=0.25, suffix=" %"),
            "solver_risk",
        )
        self.risk_spin.setValue(DEFAULT_RISK_PERCENT)
        row = QHBoxLayout()
        row.addWidget(self.risk_spin, 1)
        row.addWidget(self.risk_kind)
        self.form.insertRow(1, "Risk", row)
        self.risk_kind.currentIndexChanged.connect(self._on_risk_kind_changed)
        self.risk_spin.valueChanged.connect(self._on_input_changed)

    def set_risk(self, value: float, *, amount: bool = False) -> None:
        self.risk_kind.setCurrentIndex(1 if amount else 0)
        self.risk_spin.setValue(value)

    def _on_risk_kind_changed(self, _index: int) -> None:
        currency = self.plan.account.currency
        if self.risk_kind.currentData() == "amount":
            spec = EditorSpec(
                "number",
                maximum=1e12,
                decimals=amount_decimals(currency),
                step=10.0,
                suffix=f" {currency}",
            )
        else:
            spec = EditorSpec("number", maximum=100.0, decimals=2, step=0.25, suffix=" %")
        configure_spin_box(self.risk_spin, spec)
        self._on_input_changed()

    def solve(self) -> Answer:
        found = self._position_and_stop("the risk is measured to")
        if isinstance(found, Answer):
            return found
        i, pos, stop = found
        plan = self.plan
        currency = plan.account.currency
        tick = plan.market(pos.symbol).tick_size
        value = self.risk_spin.value()
        if value <= 0:
            return Answer("Type the risk: a percentage of the wallet or an amount above 0.")
        if self.risk_kind.currentData() == "amount":
            risk = format_amount(value, currency, with_unit=True)
            quantity = solvers.size_for_risk(plan, pos.id, risk_amount=value, stop=stop)
        else:
            risk = f"{format_percent(value / 100.0, 2)} of the wallet"
            quantity = solvers.size_for_risk(plan, pos.id, risk_fraction=value / 100.0, stop=stop)
        where = "below" if pos.side == "long" else "above"
        if quantity is None:
            return Answer(
                f"No size: a stop at {format_price(stop, tick)} does not lose money on a "
                f"{pos.side} entered at {format_price(pos.entry_price, tick)} (fees included). "
                f"The stop of a {pos.side} must be {where} its entry."
            )
        size = floor_to(quantity, QUANTITY_DECIMALS)
        if size <= 0:
            return Answer(
                f"The size for {risk} is below {format_quantity(10.0**-QUANTITY_DECIMALS)}: "
                "take a larger risk or a closer stop."
            )
        text = (
            f"Risking {risk} down to the stop at {format_price(stop, tick)} allows a size of "
            f"{format_quantity(size)} (now {format_quantity(pos.quantity)})."
        )

        def after(new: Plan) -> str:
            r = analyze(new).position(i)
            return (
                f"With it: loss at the stop {format_amount(r.loss_at_stop, currency)} "
                f"{currency}, notional {format_amount(r.notional, currency)} {currency}, "
                f"liquidation at {format_price(r.liquidation_price, tick)}."
            )

        return self._candidate(
            lambda plan: self._with_stop(i, pos, stop, {"quantity": size}),
            text,
            f"Size {pos.id} for a risk of {risk}",
            after,
            value=quantity,
        )


class _BufferPage(_PositionPage):
    """Isolated position, stop and a buffer beyond it."""

    isolated_only = True
    with_stop = True

    def __init__(self, document: PlanDocument) -> None:
        super().__init__(document)
        self.buffer_spin = _number_box(
            EditorSpec("number", minimum=0.0, maximum=50.0, decimals=2, step=0.1, suffix=" %"),
            "solver_buffer",
        )
        self.buffer_spin.setValue(DEFAULT_BUFFER_PERCENT)
        self.form.addRow("Buffer beyond the stop", self.buffer_spin)
        self.buffer_spin.valueChanged.connect(self._on_input_changed)

    @property
    def buffer(self) -> float:
        return self.buffer_spin.value() / 100.0

    def _why_none(self, pos: Position, stop: float) -> str:
        market = self.plan.market(pos.symbol)
        tick = market.tick_size
        below = "below" if pos.side == "long" else "above"
        return (
            f"No answer: the price the buffer asks for — {format_percent(self.buffer, 2)} "
            f"beyond the stop at {format_price(stop, tick)} — must lie {below} the mark "
            f"{format_price(market.mark_price, tick)} of this {pos.side}, or the other positions "
            "in its bucket already keep liquidation beyond it whatever this one holds."
        )

    def _after(self, i: int, stop: float) -> Callable[[Plan], str]:
        def after(new: Plan) -> str:
            analysis = analyze(new)
            r = analysis.position(i)
            tick = new.market(r.symbol).tick_size
            currency = new.account.currency
            return (
                f"With it: liquidation at {format_price(r.liquidation_price, tick)} against the "
                f"stop at {format_price(stop, tick)}; the bucket holds "
                f"{format_amount(r.margin, currency)} {currency} and the cross pool has "
                f"{format_amount(analysis.cross.available, currency)} {currency} available."
            )

        return after


class LeastIsolatedMarginPage(_BufferPage):
    key = "least_isolated_margin"

    def solve(self) -> Answer:
        found = self._position_and_stop("to keep liquidation beyond")
        if isinstance(found, Answer):
            return found
        i, pos, stop = found
        currency = self.plan.account.currency
        exact = solvers.least_isolated_margin(self.plan, pos.id, self.buffer, stop=stop)
        if exact is None:
            return Answer(self._why_none(pos, stop))
        added = ceil_to(exact, amount_decimals(currency))
        verb = "Lower" if added < pos.added_margin else "Raise"
        if added == pos.added_margin:
            verb = "Keep"
        text = (
            f"{verb} the added margin to {format_amount(added, currency)} {currency} (now "
            f"{format_amount(pos.added_margin, currency)}): the least that keeps liquidation "
            f"{format_percent(self.buffer, 2)} beyond the stop."
        )
        if added < 0:
            text += " A negative added margin takes margin out of the bucket, back to the pool."
        return self._candidate(
            lambda plan: self._with_stop(i, pos, stop, {"added_margin": added}),
            text,
            f"Least margin for {pos.id}",
            self._after(i, stop),
            value=exact,
        )


class MostLeveragePage(_BufferPage):
    key = "most_leverage"

    def __init__(self, document: PlanDocument) -> None:
        super().__init__(document)
        self.whole_check = QCheckBox("Round down to a whole leverage")
        self.whole_check.setChecked(True)
        self.whole_check.setToolTip("Exchanges take whole leverages; rounding down is safe")
        self.form.addRow("", self.whole_check)
        self.whole_check.toggled.connect(self._on_input_changed)

    def solve(self) -> Answer:
        found = self._position_and_stop("to keep liquidation beyond")
        if isinstance(found, Answer):
            return found
        i, pos, stop = found
        leverage = solvers.most_leverage(self.plan, pos.id, self.buffer, stop=stop)
        if leverage is None:
            return Answer(
                self._why_none(pos, stop)
                + " (Or nothing limits the leverage: the tiers set no maximum.)"
            )
        if self.whole_check.isChecked() and leverage >= 1:
            applied = float(math.floor(leverage * (1 + 1e-12)))
        else:
            applied = floor_to(leverage, 2)
        text = (
            f"The highest leverage that keeps liquidation {format_percent(self.buffer, 2)} "
            f"beyond the stop is {format_leverage(round(leverage, 2))} (now "
            f"{format_leverage(pos.leverage)}); applied as {format_leverage(applied)}."
        )
        return self._candidate(
            lambda plan: self._with_stop(i, pos, stop, {"leverage": applied}),
            text,
            f"Most leverage for {pos.id}",
            self._after(i, stop),
            value=leverage,
        )


class LargestCrossQuantityPage(SolverPage):
    key = "largest_cross_quantity"

    def __init__(self, document: PlanDocument) -> None:
        super().__init__(document)
        self.symbol_combo = QComboBox()
        self.symbol_combo.setToolTip(explain("symbol"))
        self.side_combo = QComboBox()
        self.side_combo.addItem("Long", "long")
        self.side_combo.addItem("Short", "short")
        self.side_combo.setToolTip(explain("side"))
        self.leverage_spin = _number_box(
            EditorSpec("number", minimum=1.0, maximum=1000.0, decimals=2, step=1.0, suffix="×"),
            "leverage",
        )
        self.leverage_spin.setValue(10.0)
        self.entry_spin = _number_box(_price_spec(self.plan, None), "entry_price")
        self.form.addRow("Symbol", self.symbol_combo)
        self.form.addRow("Side", self.side_combo)
        self.form.addRow("Leverage", self.leverage_spin)
        self.form.addRow("Entry", self.entry_spin)
        self.symbol_combo.currentIndexChanged.connect(self._on_symbol_combo_changed)
        self.side_combo.currentIndexChanged.connect(self._on_input_changed)
        self.leverage_spin.valueChanged.connect(self._on_input_changed)
        self.entry_spin.valueChanged.connect(self._on_input_changed)

    def sync(self, plan: Plan) -> None:
        symbols = [m.symbol for m in plan.markets]
        current = [self.symbol_combo.itemText(i) for i in range(self.symbol_combo.count())]
        if symbols != current:
            keep = self.symbol_combo.currentText()
            self.symbol_combo.blockSignals(True)
            self.symbol_combo.clear()
            self.symbol_combo.addItems(symbols)
            if keep in symbols:
                self.symbol_combo.setCurrentText(keep)
            self.symbol_combo.blockSignals(False)
            if keep not in symbols:
                self._reset_entry()

    def select_current(self) -> None:
        index = self.document.current_index
        if index is not None:
            pos = self.plan.positions[index]
            self.symbol_combo.setCurrentText(pos.symbol)
            self.side_combo.setCurrentIndex(0 if pos.side == "long" else 1)
        self._reset_entry()

    def _on_symbol_combo_changed(self, _index: int) -> None:
        self._reset_entry()
        self._on_input_changed()

    def _reset_entry(self) -> None:
        symbol = self.symbol_combo.currentText()
        if not symbol:
            return
        self.entry_spin.blockSignals(True)
        configure_spin_box(self.entry_spin, _price_spec(self.plan, symbol))
        self.entry_spin.setValue(self.plan.market(symbol).mark_price)
        self.entry_spin.blockSignals(False)

    def solve(self) -> Answer:
        plan = self.plan
        symbol = self.symbol_combo.currentText()
        if not symbol:
            return Answer("No market: add one first.")
        side = cast(Side, str(self.side_combo.currentData()))
        leverage = self.leverage_spin.value()
        entry = self.entry_spin.value()
        if entry <= 0:
            return Answer("Type the entry price.")
        quantity = solvers.largest_cross_quantity(plan, symbol, side, leverage, entry)
        if quantity is None:
            return Answer(self._why_none(symbol, side, leverage))
        currency = plan.account.currency
        if quantity <= 0:
            return Answer(
                "Nothing: the cross pool has no balance available for a new position "
                f"(available {format_amount(analyze(plan).cross.available, currency)} "
                f"{currency})."
            )
        size = floor_to(quantity, QUANTITY_DECIMALS)
        stem = symbol.lower().removesuffix("usdt") or "position"
        new_id = edits.unique_id(plan, f"{stem}-max")
        tick = plan.market(symbol).tick_size
        text = (
            f"The cross pool can carry a new {symbol} {side} of up to {format_quantity(size)} "
            f"at {format_leverage(leverage)} entered at {format_price(entry, tick)}. Apply adds "
            f"it as {new_id}."
        )
        new_position = {
            "id": new_id,
            "symbol": symbol,
            "side": side,
            "quantity": size,
            "entry_price": entry,
            "leverage": leverage,
            "margin_mode": "cross",
        }

        def make(plan: Plan) -> Plan:
            return edits.validate(plan, positions=[*plan.positions, new_position])

        def after(new: Plan) -> str:
            analysis = analyze(new)
            return (
                f"With it: available {format_amount(analysis.cross.available, currency)} "
                f"{currency}, cross risk ratio {format_percent(analysis.cross.risk_ratio, 1)}."
            )

        return self._candidate(
            make,
            text,
            f"Add the largest cross {symbol} {side}",
            after,
            value=quantity,
            select=new_id,
        )

    def _why_none(self, symbol: str, side: str, leverage: float) -> str:
        plan = self.plan
        on_symbol = [p for p in plan.positions if p.symbol == symbol]
        if any(p.margin_mode == "isolated" for p in on_symbol):
            return f"No answer: {symbol} is traded isolated in this plan, so no cross {symbol}."
        if plan.account.position_mode == "one-way" and any(p.side != side for p in on_symbol):
            return (
                f"No answer: in one-way mode every {symbol} position shares one side and this "
                f"plan holds the other; switch the account to hedge mode to hold both."
            )
        first = plan.market(symbol).tiers[0].max_leverage
        if first is not None and leverage > first:
            return (
                f"No answer: {format_leverage(leverage)} is above the "
                f"{format_leverage(first)} that even {symbol}'s first tier allows."
            )
        return "No answer: nothing limits the size (no tier cap and the pool loses nothing)."


class QuantityAtNextTierPage(_PositionPage):
    key = "quantity_at_next_tier"

    def solve(self) -> Answer:
        found = self.position()
        if found is None:
            return self._no_position()
        i, pos = found
        quantity = solvers.quantity_at_next_tier(self.plan, pos.id)
        if quantity is None:
            return Answer(
                f"No answer: the whole {pos.symbol} {pos.side} is in its last tier; no larger "
                "size changes its maintenance rate."
            )
        now = analyze(self.plan).position(i)
        text = (
            f"At a size of {format_quantity(quantity)} (now {format_quantity(pos.quantity)}) "
            f"the whole {pos.symbol} {pos.side} enters its next maintenance tier."
        )

        def after(new: Plan) -> str:
            r = analyze(new).position(i)
            tick = new.market(r.symbol).tick_size
            return (
                f"With it: maintenance rate {format_percent(now.maintenance_rate, 2)} → "
                f"{format_percent(r.maintenance_rate, 2)}, liquidation at "
                f"{format_price(r.liquidation_price, tick)}."
            )

        answer = self._candidate(
            lambda plan: edits.set_position(plan, i, {"quantity": quantity}),
            text,
            f"Size {pos.id} to the next tier",
            after,
            value=quantity,
        )
        if not answer.applicable:
            return Answer(f"{answer.text} Lower the leverage first.", value=quantity)
        return answer


class MarginForLiquidationPricePage(_PositionPage):
    key = "margin_for_liquidation_price"
    isolated_only = True

    def __init__(self, document: PlanDocument) -> None:
        super().__init__(document)
        self.target_spin = _number_box(_price_spec(self.plan, None), "solver_target_price")
        self.form.addRow("Liquidation at", self.target_spin)
        self.target_spin.valueChanged.connect(self._on_input_changed)

    def _reset_inputs(self) -> None:
        super()._reset_inputs()
        found = self.position()
        if found is None:
            return
        i, pos = found
        spin = self.target_spin
        spin.blockSignals(True)
        configure_spin_box(spin, _price_spec(self.plan, pos.symbol))
        liquidation = analyze(self.plan).position(i).liquidation_price
        spin.setValue(liquidation if liquidation is not None else 0.0)
        spin.blockSignals(False)

    def solve(self) -> Answer:
        found = self.position()
        if found is None:
            return self._no_position()
        i, pos = found
        plan = self.plan
        market = plan.market(pos.symbol)
        tick = market.tick_size
        target = self.target_spin.value()
        if target <= 0:
            return Answer("Type the liquidation price you want.")
        currency = plan.account.currency
        exact = solvers.margin_for_liquidation_price(plan, pos.id, target)
        if exact is None:
            below = "below" if pos.side == "long" else "above"
            return Answer(
                f"No answer: the liquidation price of a {pos.side} must lie {below} its mark "
                f"{format_price(market.mark_price, tick)} (or the bucket would be liquidated "
                f"now), and no margin this position can hold puts it at "
                f"{format_price(target, tick)}."
            )
        added = ceil_to(exact, amount_decimals(currency))
        text = (
            f"To be liquidated at {format_price(target, tick)}, set the added margin to "
            f"{format_amount(added, currency)} {currency} (now "
            f"{format_amount(pos.added_margin, currency)})."
        )

        def after(new: Plan) -> str:
            r = analyze(new).position(i)
            return (
                f"With it: liquidation at {format_price(r.liquidation_price, tick)}; the bucket "
                f"holds {format_amount(r.margin, currency)} {currency}."
            )

        return self._candidate(
            lambda plan: edits.set_position(plan, i, {"added_margin": added}),
            text,
            f"Margin for liquidation of {pos.id} at {format_price(target, tick)}",
            after,
            value=exact,
        )


class PoolLiquidatingMovePage(SolverPage):
    key = "pool_liquidating_move"

    def __init__(self, document: PlanDocument) -> None:
        super().__init__(document)
        note = QLabel("Every price moves together (beta 1 for every symbol).")
        note.setWordWrap(True)
        self.form.addRow(note)

    def solve(self) -> Answer:
        plan = self.plan
        if not any(p.margin_mode == "cross" for p in plan.positions):
            return Answer("The plan has no cross positions: there is no pool to liquidate.")
        down = solvers.market_move_to_liquidate_pool(plan, direction=-1)
        up = solvers.market_move_to_liquidate_pool(plan, direction=1)
        if down == 0.0 or up == 0.0:
            return Answer("The cross pool is liquidated at the marks already.", value=0.0)
        parts = []
        for move, way in ((down, "fall"), (up, "rise")):
            if move is None:
                parts.append(f"no {way} liquidates it")
            else:
                parts.append(f"a {way} of {format_percent(abs(move), 2)} liquidates it")
        currency = plan.account.currency
        equity = format_amount(analyze(plan).cross.equity, currency)
        text = (
            f"Moving every price together, {parts[0]}; {parts[1]}. The pool holds {equity} "
            f"{currency} now. This answer changes nothing in the plan."
        )
        nearest = [m for m in (down, up) if m is not None]
        return Answer(text, value=min(nearest, key=abs) if nearest else None)


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
    )
}


# --- the dialog -----------------------------------------------------------------------------


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
