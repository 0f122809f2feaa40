"""The form of a new position (a *draft*): what ``edits.create_position`` will create.

The fields show the draft's symbol, side, entry and size as typed; the rest shows the defaults
the new position gets (cross unless Isolated is clicked, the default leverage), never the
values, take-profit levels, adds or notes of the position selected before.
"""

from __future__ import annotations

from typing import Any

from planner.domain.formatting import decimals_for_tick, format_amount
from planner.domain.plan import Plan
from planner.ui.panels.editor.form import EditorForm
from planner.ui.widgets.delegates import EditorSpec, configure_spin_box
from planner.ui.widgets.sync import set_combo, set_text

#: the leverage ``edits.create_position`` gives a new position (lower if its tier allows less)
DEFAULT_LEVERAGE = 10.0


class DraftView(EditorForm):
    """Shows ``_draft`` (the fields typed so far) in the editor's widgets."""

    _draft: dict[str, Any] | None

    def _configure_prices(self, tick: float | None, decimals: int) -> None:
        step = tick or 10.0**-decimals
        positive = EditorSpec("number", 10.0**-decimals, 1e12, decimals, step)
        optional = EditorSpec("number", 0, 1e12, decimals, step, "none")
        configure_spin_box(self.entry_spin, positive)
        configure_spin_box(self.mark_spin, positive)
        configure_spin_box(self.stop_spin, optional)
        configure_spin_box(self.take_profit_spin, optional)

    def _show_draft_hint(self) -> None:
        assert self._draft is not None
        missing = [
            n for n, f in (("symbol", "symbol"), ("entry", "entry_price")) if not self._draft.get(f)
        ]
        self.size_other.setText(
            "New position: type its " + " and ".join(missing) + " to add it to the plan."
        )

    def _show_draft(self, plan: Plan) -> None:
        draft = self._draft
        assert draft is not None
        set_text(self.id_edit, "(new)", quiet=True)
        market = (
            plan.market(draft["symbol"])
            if draft.get("symbol") in [m.symbol for m in plan.markets]
            else None
        )
        self._configure_prices(
            market.tick_size if market else None,
            8 if market is None else decimals_for_tick(market.tick_size, market.mark_price),
        )
        if not self.symbol_combo.hasFocus():
            self.symbol_combo.setEditText(draft.get("symbol", ""))
        set_combo(self.side_combo, draft.get("side", "long"))
        for box, field in (
            (self.entry_spin, "entry_price"),
            (self.stop_spin, "stop_loss"),
            (self.take_profit_spin, "take_profit"),
        ):
            box.blockSignals(True)
            box.setValue(draft.get(field) or box.minimum())
            if not draft.get(field):
                box.setText("")
            box.blockSignals(False)
        self._show_draft_mark(plan)
        self._show_draft_defaults(draft)
        configure_spin_box(self.size_spin, EditorSpec("number", 1e-12, 1e15, 8, 1.0))
        self.size_spin.blockSignals(True)
        self.size_spin.setText("")
        # what edits.create_position gives a size left empty, whatever the size unit shown
        currency = plan.account.currency
        default = format_amount(plan.account.wallet_balance / 10, currency)
        self.size_spin.setPlaceholderText(f"default: {default} {currency} notional")
        self.size_spin.blockSignals(False)
        self._show_draft_hint()

    def _show_draft_mark(self, plan: Plan) -> None:
        """The mark the new position will be valued at: its market's, if the plan has one;
        else (a new market) the entry typed."""
        assert self._draft is not None
        symbol = self._draft.get("symbol")
        market = plan.market(symbol) if symbol in [m.symbol for m in plan.markets] else None
        self.mark_spin.blockSignals(True)
        if market is not None:
            self.mark_spin.setValue(market.mark_price)
        else:
            self.mark_spin.setText("")
        self.mark_spin.setPlaceholderText("" if market is not None else "= entry")
        self.mark_spin.blockSignals(False)

    def _show_draft_defaults(self, draft: dict[str, Any]) -> None:
        """What ``edits.create_position`` will give the new position, not what the position
        selected before has: its margin mode, the default leverage, and nothing else."""
        mode = draft.get("margin_mode", "cross")
        button = self.cross_button if mode == "cross" else self.isolated_button
        if not button.isChecked():
            button.setChecked(True)
        for box, placeholder in (
            (self.leverage_spin, f"{DEFAULT_LEVERAGE:g}× (default)"),
            (self.added_margin_spin, "none"),
        ):
            box.blockSignals(True)
            box.setText("")
            box.setPlaceholderText(placeholder)
            box.blockSignals(False)
        self.leverage_slider.blockSignals(True)
        self.leverage_slider.setValue(round(DEFAULT_LEVERAGE))
        self.leverage_slider.blockSignals(False)
        self.leverage_limit.setText(
            f"A new position starts at {DEFAULT_LEVERAGE:g}× (or its tier's limit, if "
            "lower); change it once the position is added."
        )
        self.notes_edit.blockSignals(True)
        self.notes_edit.clear()
        self.notes_edit.blockSignals(False)
        self.tp_levels.clear()
        self.scale_in.clear()
