"""Solver pages that answer for the account: the largest cross position the pool carries and
the market move that liquidates the pool."""

from __future__ import annotations

from typing import cast

from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
)

from planner.domain import solvers
from planner.domain.formatting import (
    format_amount,
    format_leverage,
    format_percent,
    format_price,
    format_quantity,
)
from planner.domain.plan import Plan, Side
from planner.domain.plan_analysis import analyze
from planner.ui.dialogs.solvers.page import (
    QUANTITY_DECIMALS,
    Answer,
    SolverPage,
    floor_to,
    number_box,
    price_spec,
)
from planner.ui.document import edits
from planner.ui.document.plan_document import PlanDocument
from planner.ui.explanations import explain
from planner.ui.widgets.delegates import EditorSpec, configure_spin_box


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
        self.leverage_spin = number_box(
            EditorSpec("number", minimum=1.0, maximum=1000.0, decimals=2, step=1.0, suffix="×"),
            "leverage",
        )
        self.leverage_spin.setValue(10.0)
        self.entry_spin = number_box(price_spec(self.plan, None), "entry_price")
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
        configure_spin_box(self.entry_spin, price_spec(self.plan, symbol))
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
