"""Solver pages that answer for one position: size for a risk, least isolated margin, most
leverage, size at the next tier, margin for a liquidation price."""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
)

from planner.domain import sizing, solvers
from planner.domain.formatting import (
    amount_decimals,
    format_amount,
    format_leverage,
    format_percent,
    format_price,
    format_quantity,
)
from planner.domain.plan import Plan, Position
from planner.domain.plan_analysis import analyze
from planner.ui.dialogs.solvers.page import (
    DEFAULT_RISK_PERCENT,
    QUANTITY_DECIMALS,
    Answer,
    PositionPage,
    ceil_to,
    floor_to,
    number_box,
    price_spec,
)
from planner.ui.document import edits
from planner.ui.document.plan_document import PlanDocument
from planner.ui.explanations import explain
from planner.ui.widgets.delegates import EditorSpec, configure_spin_box


class SizeForRiskPage(PositionPage):
    key = "size_for_risk"
    with_stop = True

    def __init__(self, document: PlanDocument) -> None:
        super().__init__(document)
        self.risk_kind = QComboBox()
        self.risk_kind.addItem("% of the wallet", "fraction")
        self.risk_kind.addItem("Amount", "amount")
        self.risk_kind.setToolTip(explain("solver_risk"))
        self.risk_spin = number_box(
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
        market = plan.market(pos.symbol)
        step = edits.lot_step(market)
        # on the venue's lot step, rounded down: never more than the risk
        size = (
            edits.round_to_lot(market, quantity) if step else floor_to(quantity, QUANTITY_DECIMALS)
        )
        least = step or 10.0**-QUANTITY_DECIMALS
        if size <= 0:
            return Answer(
                f"The size for {risk} is below {format_quantity(least)}: "
                "take a larger risk or a closer stop."
            )
        on_step = f", on the lot step {format_quantity(step)}" if step else ""
        text = (
            f"Risking {risk} down to the stop at {format_price(stop, tick)} allows a size of "
            f"{format_quantity(size)}{on_step} (now {format_quantity(pos.quantity)})."
        )

        def after(new: Plan) -> str:
            r = analyze(new).position(i)
            entry_notional = sizing.notional_for_quantity(market, size, pos.entry_price)
            return (
                f"With it: loss at the stop {format_amount(r.loss_at_stop, currency)} "
                f"{currency}, entry notional {format_amount(entry_notional, currency)} "
                f"{currency}, "
                f"liquidation at {format_price(r.liquidation_price, tick)}."
            )

        return self._candidate(
            lambda plan: self._with_stop(i, pos, stop, {"quantity": size}),
            text,
            f"Size {pos.id} for a risk of {risk}",
            after,
            value=quantity,
        )


class BufferPage(PositionPage):
    """Isolated position, stop and a buffer beyond it."""

    isolated_only = True
    with_stop = True

    def __init__(self, document: PlanDocument) -> None:
        super().__init__(document)
        self.buffer_spin = number_box(
            EditorSpec("number", minimum=0.0, maximum=50.0, decimals=2, step=0.1, suffix=" %"),
            "solver_buffer",
        )
        # the warning's own measure and limit: |stop − liquidation| / mark ≥ the plan's
        # stop_buffer, so an answer applied never raises stop_near_liquidation
        self.buffer_spin.setValue(document.plan.account.risk_limits.stop_buffer * 100.0)
        self.buffer_spin.setToolTip(
            "How far liquidation must lie beyond the stop, as a share of the mark — the "
            "measure of your stop buffer (Account ▸ Risk limits), which it starts at."
        )
        self.form.addRow("Buffer beyond the stop (of the mark)", self.buffer_spin)
        self.buffer_spin.valueChanged.connect(self._on_input_changed)

    @property
    def buffer(self) -> float:
        """Liquidation's distance beyond the stop, a fraction of the mark."""
        return self.buffer_spin.value() / 100.0

    def buffer_of_stop(self, pos: Position, stop: float) -> float:
        """``buffer`` as the solvers take it: a fraction of the stop price."""
        return self.buffer * self.plan.market(pos.symbol).mark_price / stop

    def _why_none(self, pos: Position, stop: float) -> str:
        market = self.plan.market(pos.symbol)
        tick = market.tick_size
        below = "below" if pos.side == "long" else "above"
        return (
            f"No answer: the price the buffer asks for — {format_percent(self.buffer, 2)} of "
            f"the mark beyond the stop at {format_price(stop, tick)} — must lie {below} the mark "
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


class LeastIsolatedMarginPage(BufferPage):
    key = "least_isolated_margin"

    def solve(self) -> Answer:
        found = self._position_and_stop("to keep liquidation beyond")
        if isinstance(found, Answer):
            return found
        i, pos, stop = found
        currency = self.plan.account.currency
        exact = solvers.least_isolated_margin(
            self.plan, pos.id, self.buffer_of_stop(pos, stop), stop=stop
        )
        if exact is None:
            return Answer(self._why_none(pos, stop))
        added = ceil_to(exact, amount_decimals(currency))
        verb = "Lower" if added < pos.added_margin else "Raise"
        if added == pos.added_margin:
            verb = "Keep"
        text = (
            f"{verb} the added margin to {format_amount(added, currency)} {currency} (now "
            f"{format_amount(pos.added_margin, currency)}): the least that keeps liquidation "
            f"{format_percent(self.buffer, 2)} of the mark beyond the stop."
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


class MostLeveragePage(BufferPage):
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
        leverage = solvers.most_leverage(
            self.plan, pos.id, self.buffer_of_stop(pos, stop), stop=stop
        )
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
            f"The highest leverage that keeps liquidation {format_percent(self.buffer, 2)} of "
            f"the mark beyond the stop is {format_leverage(round(leverage, 2))} (now "
            f"{format_leverage(pos.leverage)}); applied as {format_leverage(applied)}."
        )
        return self._candidate(
            lambda plan: self._with_stop(i, pos, stop, {"leverage": applied}),
            text,
            f"Most leverage for {pos.id}",
            self._after(i, stop),
            value=leverage,
        )


class QuantityAtNextTierPage(PositionPage):
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


class MarginForLiquidationPricePage(PositionPage):
    key = "margin_for_liquidation_price"
    isolated_only = True

    def __init__(self, document: PlanDocument) -> None:
        super().__init__(document)
        self.target_spin = number_box(price_spec(self.plan, None), "solver_target_price")
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
        configure_spin_box(spin, price_spec(self.plan, pos.symbol))
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
