"""The position editor: every field of the selected position, or of a new one being filled in.

Each field turns a change into one edit of the document (consecutive changes of one field merge
into one undo step); the fields are refreshed from the document, never from each other. Input
the plan refuses is marked at its field with the rule in words and never reaches the plan.

Positions ▸ Add opens a *draft*: the fields are blank, the symbol picker has the focus, and
the position joins the plan only once it has a symbol and an entry (so it neither clones the
selected position nor merges with one in one-way mode before the trader has chosen). The draft
shows what will be created: cross unless Isolated is clicked, the default leverage, no
take-profit levels, adds, added margin or notes of the position selected before.

A refused value stays in its field, framed, with its reason under it, until it is fixed or
Escape shows the plan's value again; a refusal of a combination (a size too large for the
leverage) marks the field just edited. Another position's form never shows a refused text.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QComboBox, QRadioButton, QWidget

from planner.domain import sizing
from planner.domain.errors import PlanError
from planner.domain.formatting import amount_decimals, decimals_for_tick
from planner.domain.plan import Plan
from planner.ui.document import edits
from planner.ui.document.plan_document import PlanDocument
from planner.ui.panels.editor.draft import DraftView
from planner.ui.panels.editor.form import EditorForm, size_spec, size_summary
from planner.ui.widgets.delegates import EditorSpec, configure_spin_box
from planner.ui.widgets.number_box import NumberBox
from planner.ui.widgets.sync import set_combo, set_spin, set_text


class PositionEditor(DraftView, EditorForm):
    def __init__(self, document: PlanDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self._draft: dict[str, Any] | None = None
        self._fields: dict[str, QWidget] = {
            "id": self.id_edit,
            "symbol": self.symbol_combo,
            "mark_price": self.mark_spin,
            "side": self.side_combo,
            "quantity": self.size_spin,
            "entry_price": self.entry_spin,
            "leverage": self.leverage_spin,
            "margin_mode": self.mode_box,
            "added_margin": self.added_margin_spin,
            "stop_loss": self.stop_spin,
            "take_profit": self.take_profit_spin,
            "take_profits": self.tp_table,
            "scale_in": self.scale_in.table,
            "notes": self.notes_edit,
        }
        self._connect()
        document.changed.connect(self._on_document_changed)
        document.current_changed.connect(self._on_document_current_changed)
        document.amounts.changed.connect(self._on_document_changed)  # the "values in" unit
        self._show()

    def _connect(self) -> None:
        self.id_edit.editingFinished.connect(self._on_id_edit_finished)
        symbol_edit = self.symbol_combo.lineEdit()
        assert symbol_edit is not None
        symbol_edit.returnPressed.connect(self._on_symbol_return_pressed)
        self.symbol_combo.activated.connect(self._on_symbol_combo_activated)
        symbol_edit.editingFinished.connect(self._on_symbol_combo_activated)
        self.picker.completer.activated.connect(self._on_symbol_combo_activated)
        self.side_combo.currentIndexChanged.connect(self._on_side_combo_activated)
        self.mode_group.buttonClicked.connect(self._on_mode_group_clicked)
        self.size_unit.currentIndexChanged.connect(self._on_size_unit_changed)
        self.size_spin.valueChanged.connect(self._on_size_spin_changed)
        self.entry_spin.valueChanged.connect(self._on_entry_spin_changed)
        self.mark_spin.valueChanged.connect(self._on_mark_spin_changed)
        self.stop_spin.valueChanged.connect(self._on_stop_spin_changed)
        self.take_profit_spin.valueChanged.connect(self._on_take_profit_spin_changed)
        self.leverage_spin.valueChanged.connect(self._on_leverage_spin_changed)
        self.leverage_slider.valueChanged.connect(self._on_leverage_slider_changed)
        self.leverage_slider.sliderReleased.connect(self._on_leverage_slider_released)
        self.added_margin_spin.valueChanged.connect(self._on_added_margin_spin_changed)
        self.notes_edit.textChanged.connect(self._on_notes_edit_changed)
        self.tp_levels.levels_edited.connect(self._on_tp_levels_edited)
        self.tp_levels.refused.connect(self._on_tp_refused)
        self.tp_levels.full.connect(self._on_tp_levels_full)
        self.tp_levels.input_accepted.connect(self._show_reasons)
        self.scale_in.input_accepted.connect(self._show_reasons)
        self.scale_in.adds_edited.connect(self._on_scale_in_edited)
        self.scale_in.refused.connect(self._on_scale_in_refused)
        for field, widget in self._fields.items():
            if isinstance(widget, NumberBox):
                widget.refused.connect(
                    lambda text, rule, f=field, w=widget: self._refuse(f, text, rule, w)
                )
                widget.accepted_input.connect(self._show_reasons)

    # --- the draft of a new position ---------------------------------------------------------

    @property
    def is_drafting(self) -> bool:
        return self._draft is not None

    def start_draft(self) -> None:
        """Blank fields for a new position, the symbol picker focused (a value still being
        typed in a field goes to the position it was typed for first)."""
        typing = QApplication.focusWidget()
        if isinstance(typing, NumberBox) and self.isAncestorOf(typing):
            typing.commit()
        # the focus leaves the field first: blanked while focused, it would commit its empty
        # text on leaving and the new form would open refused
        self.symbol_combo.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self._drop_refusals()
        self._draft = {"side": "long", "margin_mode": "cross"}
        self._show()
        self.symbol_combo.setEditText("")  # (focused already: _show left its text alone)
        self.symbol_combo.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.symbol_combo.lineEdit().selectAll()

    def cancel_draft(self) -> None:
        if self._draft is not None:
            self._draft = None
            self._drop_refusals()
            self._show()

    def _draft_set(self, field: str, value: Any, source: QWidget | None = None) -> None:
        assert self._draft is not None
        self._draft[field] = value
        if not (self._draft.get("symbol") and self._draft.get("entry_price")):
            if field == "symbol":
                self._show_draft_mark(self._document.plan)
            self._show_draft_hint()
            return
        draft = self._draft
        try:
            after = self._document.current_index
            plan, new_id = edits.create_position(self._document.committed_plan, draft, after)
            index = len(plan.positions) - 1 if after is None else after + 1
            if "size" in draft:
                unit, size = draft["size"]
                plan = edits.set_position_size(plan, index, unit, size)
        except PlanError as error:
            self._mark(error, field, source or self._fields.get(field))
            return
        self._draft = None
        # the field Tab is moving to keeps the focus through the views' refresh
        going_to = QApplication.focusWidget()
        self._document.apply(plan, f"Add position {new_id}", select=new_id)
        if going_to is not None and going_to is not QApplication.focusWidget():
            going_to.setFocus(Qt.FocusReason.TabFocusReason)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self._draft is not None:
            self.cancel_draft()
            return
        super().keyPressEvent(event)

    # --- document → widgets ----------------------------------------------------------------

    def _on_document_changed(self) -> None:
        self._show()

    def _on_document_current_changed(self, _position_id: str) -> None:
        self._draft = None
        self._drop_refusals()
        self._show()

    def _show(self) -> None:
        index = self._document.current_index
        drafting = self._draft is not None
        if not drafting:
            self._clear_marks()
        self.form.setVisible(index is not None or drafting)
        self.empty_label.setVisible(index is None and not drafting)
        plan = self._document.plan
        self.picker.set_plan(plan)
        for widget in self.position_only_widgets():
            widget.setEnabled(not drafting)
        if drafting:
            self._show_draft(plan)
            return
        if index is None:
            return
        position = plan.positions[index]
        market = plan.market(position.symbol)
        if not self.id_edit.hasFocus() or self.id_edit.text() != position.id:
            set_text(self.id_edit, position.id, quiet=True)
        symbols = [m.symbol for m in plan.markets]
        if [self.symbol_combo.itemText(i) for i in range(self.symbol_combo.count())] != symbols:
            self.symbol_combo.blockSignals(True)
            self.symbol_combo.clear()
            self.symbol_combo.addItems(symbols)
            self.symbol_combo.blockSignals(False)
        if self.symbol_combo.currentText() != position.symbol:
            self.symbol_combo.blockSignals(True)
            self.symbol_combo.setCurrentText(position.symbol)
            self.symbol_combo.blockSignals(False)
        set_combo(self.side_combo, position.side)
        button = self.cross_button if position.margin_mode == "cross" else self.isolated_button
        if not button.isChecked():
            button.setChecked(True)
        price_decimals = decimals_for_tick(market.tick_size, position.entry_price)
        self._configure_prices(market.tick_size, price_decimals)
        set_spin(self.entry_spin, position.entry_price)
        set_spin(self.mark_spin, market.mark_price)
        set_spin(self.stop_spin, position.stop_loss or 0.0)
        first = position.take_profits[0].price if position.take_profits else 0.0
        set_spin(self.take_profit_spin, first)
        self._show_size(plan, index)
        limit = sizing.max_leverage(market, position.quantity, position.entry_price)
        configure_spin_box(
            self.leverage_spin, EditorSpec("number", 0.01, limit or 1000.0, 2, 1.0, "", "×")
        )
        self.leverage_spin.setMaximumReason(
            "the tier's limit at this size" if limit else "the program's limit"
        )
        set_spin(self.leverage_spin, position.leverage)
        self.leverage_slider.blockSignals(True)
        self.leverage_slider.setMaximum(max(1, math.floor(limit or 200)))
        if not self.leverage_slider.isSliderDown():
            self.leverage_slider.setValue(round(position.leverage))
        self.leverage_slider.blockSignals(False)
        self.leverage_limit.setText(
            f"The tier allows up to {limit:g}× at this size." if limit else "No leverage limit."
        )
        currency = plan.account.currency
        amount = amount_decimals(currency)
        configure_spin_box(
            self.added_margin_spin,
            EditorSpec("number", -1e12, 1e12, amount, 10.0 ** (2 - amount), "", f" {currency}"),
        )
        set_spin(self.added_margin_spin, position.added_margin)
        self.added_margin_spin.setEnabled(position.margin_mode == "isolated")
        values = self._document.amounts.values()
        analysis = self._document.analysis
        self.tp_levels.show_levels(plan, analysis, index, price_decimals, values)
        self.scale_in.show_adds(plan, analysis, index, price_decimals, values)
        self.chain_tab_order()
        if self.notes_edit.toPlainText() != position.notes:
            self.notes_edit.blockSignals(True)
            self.notes_edit.setPlainText(position.notes)
            self.notes_edit.blockSignals(False)

    def _show_size(self, plan: Plan, index: int) -> None:
        position = plan.positions[index]
        market = plan.market(position.symbol)
        unit = self.size_unit.currentData()
        result = self._document.analysis.position(index)
        spec, value = size_spec(plan, position, unit, result.loss_at_stop)
        configure_spin_box(self.size_spin, spec)
        self.size_spin.setPlaceholderText("needs a stop" if value is None else "")
        if value is None:
            self.size_spin.blockSignals(True)
            self.size_spin.setText("")
            self.size_spin.blockSignals(False)
        else:
            set_spin(self.size_spin, value)
        currency = plan.account.currency
        amounts = self._document.amounts
        self.size_other.setText(
            size_summary(
                plan,
                position,
                market,
                unit,
                result.loss_at_stop,
                lambda value: amounts.format(value, currency, with_unit=True),
            )
        )

    # --- widgets → document ----------------------------------------------------------------

    def _commit(
        self, field: str, value: Any, *, merge: bool = True, source: QWidget | None = None
    ) -> None:
        """``source``: the field the trader edited (marked if the plan refuses the value)."""
        if self._draft is not None:
            self._draft_set(field, value, source)
            return
        index = self._document.current_index
        if index is None:
            return
        position_id = self._document.plan.positions[index].id
        select = str(value) if field == "id" else ""
        self._apply(
            lambda plan: edits.set_position_field(plan, index, field, value),
            field,
            merge=merge,
            select=select,
            label_of=position_id,
            source=source,
        )

    def _apply(
        self,
        make: Any,
        field: str,
        *,
        merge: bool = True,
        select: str = "",
        preview: bool = False,
        label_of: str = "",
        source: QWidget | None = None,
    ) -> None:
        index = self._document.current_index
        if index is None:
            return
        position_id = label_of or self._document.plan.positions[index].id
        label = edits.POSITION_FIELDS.get(field, field.replace("_", " "))
        if preview:
            try:
                self._document.preview(make(self._document.committed_plan))
            except PlanError as error:
                self._mark(error, field, source)
            return
        new_id: list[str] = []

        def make_and_follow(plan: Plan) -> Plan:
            new = make(plan)
            new_id.append(new.positions[index].id)
            return new

        error = self._document.edit(
            make_and_follow,
            f"Change {label} of {position_id}",
            merge_key=f"{position_id}|{field}" if merge else None,
            select=select or (new_id[0] if new_id else position_id),
        )
        if error is not None:
            self._mark(self._as_edited(error, field, source), field, source)
        elif new_id and new_id[0] != self._document.current_id:
            self._document.set_current(new_id[0])

    @staticmethod
    def _as_edited(error: PlanError, field: str, source: QWidget | None) -> PlanError:
        """A refusal that names another field than the one typed in (the size refused for the
        leverage) says first what was not taken."""
        if not isinstance(source, NumberBox) or error.field.endswith(f".{field}"):
            return error
        label = edits.POSITION_FIELDS.get(field, field.replace("_", " "))
        text = source.text().strip()
        return PlanError(f"{label} {text} not taken — {error}", field=error.field)

    def _on_id_edit_finished(self) -> None:
        text = self.id_edit.text().strip()
        index = self._document.current_index
        if (
            self._draft is None
            and index is not None
            and text != self._document.plan.positions[index].id
        ):
            self._commit("id", text, merge=False)

    def _on_symbol_return_pressed(self) -> None:
        self._on_symbol_combo_activated()
        self.side_combo.setFocus(Qt.FocusReason.TabFocusReason)

    def _on_symbol_combo_activated(self, *_args: object) -> None:
        symbol = self.picker.resolve(self.symbol_combo.currentText())
        if self._draft is not None:
            if symbol and symbol != self._draft.get("symbol"):
                self.symbol_combo.setEditText(symbol)
                self._draft_set("symbol", symbol)
            return
        index = self._document.current_index
        if index is not None and symbol and symbol != self._document.plan.positions[index].symbol:
            self.symbol_combo.setEditText(symbol)
            self._commit("symbol", symbol, merge=False)

    def _on_side_combo_activated(self, _row: int) -> None:
        self._commit("side", self.side_combo.currentData(), merge=False)

    def _on_mode_group_clicked(self, button: QRadioButton) -> None:
        mode = "cross" if button is self.cross_button else "isolated"
        self._commit("margin_mode", mode, merge=False)

    def _on_size_unit_changed(self, _row: int) -> None:
        self._show()

    def _on_size_spin_changed(self, value: float) -> None:
        unit = self.size_unit.currentData()
        if self._draft is not None:
            self._draft_set("size", (unit, value), self.size_spin)
            return
        index = self._document.current_index
        if index is None:
            return
        self._apply(
            lambda plan: edits.set_position_size(plan, index, unit, value),
            "quantity",
            source=self.size_spin,
        )

    def _on_entry_spin_changed(self, value: float) -> None:
        self._commit("entry_price", value, source=self.entry_spin)

    def _on_mark_spin_changed(self, value: float) -> None:
        index = self._document.current_index
        if index is None or self._draft is not None:
            return
        plan = self._document.plan
        symbol = plan.positions[index].symbol
        row = [m.symbol for m in plan.markets].index(symbol)
        self._apply(
            lambda p: edits.set_market_field(p, row, "mark_price", value),
            "mark_price",
            source=self.mark_spin,
        )

    def _on_stop_spin_changed(self, value: float) -> None:
        stop = None if value == self.stop_spin.minimum() else value
        self._commit("stop_loss", stop, source=self.stop_spin)

    def _on_take_profit_spin_changed(self, value: float) -> None:
        price = None if value == self.take_profit_spin.minimum() else value
        if self._draft is not None:
            levels = [] if price is None else [{"price": price, "fraction": 1.0}]
            self._draft_set("take_profits", levels, self.take_profit_spin)
            return
        levels = self.tp_levels.levels()
        if price is None:
            levels = levels[1:]
        elif levels:
            levels[0]["price"] = price
        else:
            levels = [{"price": price, "fraction": 1.0}]
        self._commit("take_profits", levels, source=self.take_profit_spin)

    def _on_leverage_spin_changed(self, value: float) -> None:
        self._commit("leverage", value, source=self.leverage_spin)

    def _on_leverage_slider_changed(self, value: int) -> None:
        index = self._document.current_index
        if index is None or self._draft is not None:
            return
        make = lambda plan: edits.set_position_field(plan, index, "leverage", float(value))  # noqa: E731
        self._apply(make, "leverage", preview=self.leverage_slider.isSliderDown())

    def _on_leverage_slider_released(self) -> None:
        self._on_leverage_slider_changed(self.leverage_slider.value())

    def _on_added_margin_spin_changed(self, value: float) -> None:
        self._commit("added_margin", value, source=self.added_margin_spin)

    def _on_notes_edit_changed(self) -> None:
        if self._draft is None:
            self._commit("notes", self.notes_edit.toPlainText())

    def _on_tp_levels_edited(self, levels: list[dict[str, float]], merge: bool) -> None:
        self._commit("take_profits", levels, merge=merge, source=self.tp_levels.last_edited)

    def _on_scale_in_edited(self, adds: list[dict[str, float]], merge: bool) -> None:
        self._commit("scale_in", adds, merge=merge, source=self.scale_in.last_edited)

    def _on_scale_in_refused(self, text: str, rule: str) -> None:
        self._refuse("scale_in", text, rule, self.scale_in.last_refused)

    def _on_tp_refused(self, text: str, rule: str) -> None:
        self._refuse("take_profits", text, rule, self.tp_levels.last_refused)

    def _on_tp_levels_full(self) -> None:
        index = self._document.current_index
        path = f"positions[{index}].take_profits"
        error = PlanError(
            f"{path}: the levels already close the whole position; lower a fraction first",
            field=path,
        )
        self._mark(error, "take_profits")

    # --- marks -----------------------------------------------------------------------------

    def _refuse(self, field: str, text: str, rule: str, source: QWidget | None = None) -> None:
        """Typed text that breaks its field's rule: marked there, the plan untouched."""
        index = self._document.current_index
        where = (
            "new position" if self._draft is not None or index is None else f"positions[{index}]"
        )
        path = f"{where}.{field}"
        error = PlanError(f"{path} = {text.strip() or '(empty)'}: {rule}", field=path)
        self._mark(error, field, source)


__all__ = ["PositionEditor", "QComboBox"]
