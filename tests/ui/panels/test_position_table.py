"""The position table: model contract, edits in place, refusals, sorting, risk display, and
the add / duplicate / delete / reorder actions."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QStyleOptionViewItem

from planner.domain.formatting import format_amount, format_price
from planner.ui.panels.position_model import COLUMN_INDEX, COLUMNS, PositionTableModel
from planner.ui.widgets.delegates import EDITOR_ROLE, SORT_ROLE, EditorSpec, FieldDelegate
from tests.ui.typing import add_position

EDIT = Qt.ItemDataRole.EditRole
DISPLAY = Qt.ItemDataRole.DisplayRole


def _cell(model, row: int, key: str) -> QModelIndex:
    return model.index(row, COLUMN_INDEX[key])


def test_model_passes_the_model_tester(qtbot, qtmodeltester, document) -> None:
    model = PositionTableModel(document)
    qtmodeltester.check(model, force_py=True)
    qtmodeltester.check(model)


def test_model_stays_consistent_through_edits(qtbot, qtmodeltester, window) -> None:
    model = window.table.model
    qtmodeltester.check(model)
    assert model.setData(_cell(model, 1, "leverage"), 25.0)
    window.actions.add_position.trigger()
    window.actions.duplicate_position.trigger()
    window.actions.delete_positions.trigger()
    window.document.undo_stack.undo()
    assert model.rowCount() == len(window.document.plan.positions)


def test_editing_a_cell_updates_the_analysis_and_the_account_panel(qtbot, window) -> None:
    document, model, account = window.document, window.table.model, window.account
    before = account.figures["cross_initial_margin"].text()
    assert model.setData(_cell(model, 1, "leverage"), 20.0, EDIT)
    assert document.plan.positions[1].leverage == 20.0
    result = document.analysis.position(1)
    assert model.data(_cell(model, 1, "margin"), DISPLAY) == format_amount(
        result.initial_margin, "USDT"
    )
    assert model.data(_cell(model, 1, "leverage"), DISPLAY) == "20×"
    after = account.figures["cross_initial_margin"].text()
    assert after != before
    assert after == format_amount(document.analysis.cross.initial_margin, "USDT", with_unit=True)
    assert document.undo_stack.undoText() == "Change leverage of btc-core"


def test_every_input_column_edits_its_field(qtbot, window) -> None:
    document, model = window.document, window.table.model
    changes = {
        "quantity": 0.75,
        "entry_price": 59000.0,
        "leverage": 15.0,
        "stop_loss": 55000.0,
        "margin_mode": "isolated",
    }
    for key, value in changes.items():
        assert model.setData(_cell(model, 1, key), value), key
        assert getattr(document.plan.positions[1], key) == value
    assert model.setData(_cell(model, 1, "added_margin"), 100.0)
    assert document.plan.positions[1].added_margin == 100.0
    assert model.setData(_cell(model, 1, "stop_loss"), None)
    assert document.plan.positions[1].stop_loss is None
    assert model.setData(_cell(model, 2, "side"), "long")
    assert document.plan.positions[2].side == "long"


def test_invalid_values_are_refused(qtbot, window) -> None:
    document, model = window.document, window.table.model
    before = document.plan
    with qtbot.waitSignal(model.edit_refused) as refused:
        assert not model.setData(_cell(model, 1, "leverage"), 500.0)
    assert "positions[1].leverage = 500" in refused.args[0]
    assert document.plan is before
    assert "max leverage" in window.statusBar().currentMessage()
    # added margin of a cross position is not even editable
    assert not model.flags(_cell(model, 1, "added_margin")) & Qt.ItemFlag.ItemIsEditable
    assert not model.setData(_cell(model, 1, "added_margin"), 5.0)
    assert not model.setData(_cell(model, 1, "notional"), 5.0)  # outputs are read-only
    assert document.plan is before


def test_a_new_symbol_gets_a_market(qtbot, window) -> None:
    document, model = window.document, window.table.model
    assert model.setData(_cell(model, 1, "symbol"), "XRPUSDT")
    plan = document.plan
    assert plan.positions[1].symbol == "XRPUSDT"
    market = plan.market("XRPUSDT")
    assert market.mark_price == plan.positions[1].entry_price
    # a catalogue symbol brings the venue's tier table and lot step (issue 12)
    assert len(market.maintenance.tiers) > 1
    assert market.quantity_step is not None
    # a symbol the catalogue does not list gets the flat default rule
    assert model.setData(_cell(model, 1, "symbol"), "NOTLISTEDUSDT")
    assert document.plan.market("NOTLISTEDUSDT").maintenance.mmr == 0.005


def test_outputs_are_formatted_and_read_only(qtbot, document) -> None:
    model = PositionTableModel(document)
    result = document.analysis.position(0)
    assert model.data(_cell(model, 0, "liquidation_price")) == format_price(
        result.liquidation_price, 0.01
    )
    assert model.data(_cell(model, 1, "loss_at_stop")) == "—"  # no stop
    for column in COLUMNS:
        editable = bool(model.flags(_cell(model, 0, column.key)) & Qt.ItemFlag.ItemIsEditable)
        assert editable == (column.field is not None), column.key
    tip = model.headerData(
        COLUMN_INDEX["risk_ratio"], Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole
    )
    assert "Maintenance margin ÷ equity" in tip


def test_risk_is_shown_by_words_colour_and_icon(qtbot, window) -> None:
    document, model = window.document, window.table.model
    # a stop below the liquidation price of the isolated ETH long
    assert model.setData(_cell(model, 0, "stop_loss"), 2705.0)
    liq = _cell(model, 0, "liquidation_price")
    assert model.data(liq, Qt.ItemDataRole.DecorationRole) is not None
    assert "before the stop" in model.data(liq, Qt.ItemDataRole.ToolTipRole)
    assert model.data(_cell(model, 0, "risk_ratio")).endswith("· ok")
    # much more leverage and a lower mark: the bucket gets close to liquidation
    assert model.setData(_cell(model, 0, "leverage"), 50.0)
    risk = _cell(model, 0, "risk_ratio")
    assert document.analysis.position(0).liquidated
    assert model.data(risk) == "liquidated"
    assert model.data(risk, Qt.ItemDataRole.BackgroundRole) is not None
    assert model.data(risk, Qt.ItemDataRole.DecorationRole) is not None


def test_sorting_is_numeric_with_missing_figures_last(qtbot, window) -> None:
    proxy, model = window.table.proxy, window.table.model
    column = COLUMN_INDEX["entry_price"]
    proxy.sort(column, Qt.SortOrder.AscendingOrder)
    entries = [proxy.index(r, column).data(SORT_ROLE) for r in range(proxy.rowCount())]
    assert entries == sorted(entries) == [150.0, 3000.0, 60000.0]
    stop = COLUMN_INDEX["stop_loss"]
    proxy.sort(stop, Qt.SortOrder.AscendingOrder)
    assert proxy.index(0, stop).data(SORT_ROLE) == 2800.0
    window.table.restore_plan_order()
    ids = [proxy.index(r, 0).data() for r in range(proxy.rowCount())]
    assert ids == [p.id for p in window.document.plan.positions]
    assert model.rowCount() == 3


def test_add_duplicate_delete_and_reorder(qtbot, window) -> None:
    document, actions = window.document, window.actions
    document.set_current("btc-core")
    add_position(qtbot, window, "btc", "61000")
    assert len(document.plan.positions) == 4
    added = document.plan.positions[2]
    assert added.symbol == "BTCUSDT" and added.side == "long" and added.margin_mode == "cross"
    assert added.entry_price == 61000 and added.take_profits == ()
    assert document.current_id == added.id
    actions.duplicate_position.trigger()
    assert document.plan.positions[3].id == f"{added.id}-copy"
    actions.move_up.trigger()
    assert document.plan.positions[2].id == f"{added.id}-copy"
    assert document.undo_stack.undoText() == f"Move {added.id}-copy up"
    actions.move_down.trigger()
    assert document.plan.positions[3].id == f"{added.id}-copy"
    actions.delete_positions.trigger()
    assert [p.id for p in document.plan.positions] == [
        "eth-conviction",
        "btc-core",
        added.id,
        "sol-hedge",
    ]
    for _ in range(5):
        document.undo_stack.undo()
    assert [p.id for p in document.plan.positions] == ["eth-conviction", "btc-core", "sol-hedge"]


def test_delegate_builds_fitting_editors(qtbot, window) -> None:
    view, proxy = window.table.view, window.table.proxy
    delegate = view.itemDelegate()
    assert isinstance(delegate, FieldDelegate)
    spec = proxy.index(1, COLUMN_INDEX["entry_price"]).data(EDITOR_ROLE)
    assert isinstance(spec, EditorSpec) and spec.decimals == 1 and spec.step == 0.1
    leverage = proxy.index(1, COLUMN_INDEX["leverage"])
    assert leverage.data(EDITOR_ROLE).maximum == 125  # the tier of 30,000 notional
    editor = delegate.createEditor(view.viewport(), _option(), leverage)
    delegate.setEditorData(editor, leverage)
    assert editor.value() == 10.0
    editor.setValue(30.0)
    delegate.setModelData(editor, proxy, leverage)
    assert window.document.plan.positions[1].leverage == 30.0
    side = proxy.index(2, COLUMN_INDEX["side"])
    combo = delegate.createEditor(view.viewport(), _option(), side)
    delegate.setEditorData(combo, side)
    assert combo.currentData() == "short"
    combo.setCurrentIndex(combo.findData("long"))
    delegate.setModelData(combo, proxy, side)
    assert window.document.plan.positions[2].side == "long"
    editor.deleteLater()
    combo.deleteLater()


def _option() -> QStyleOptionViewItem:
    return QStyleOptionViewItem()


def _record_changes(model: PositionTableModel) -> tuple[list[tuple[int, int, int, int]], list[int]]:
    changed: list[tuple[int, int, int, int]] = []
    resets: list[int] = []
    model.dataChanged.connect(
        lambda top_left, bottom_right, _roles=(): changed.append(
            (top_left.row(), bottom_right.row(), top_left.column(), bottom_right.column())
        )
    )
    model.modelReset.connect(lambda: resets.append(1))
    return changed, resets


def test_a_figure_change_is_data_changed_on_the_cells_that_changed(qtbot, document) -> None:
    from planner.ui.document import edits

    model = PositionTableModel(document)
    changed, resets = _record_changes(model)
    # the stop of the isolated ETH position: its stop and its loss at the stop, nothing else
    document.edit(lambda plan: edits.set_position_field(plan, 0, "stop_loss", 2750.0), "Stop")
    assert resets == []
    cells = {
        (row, column)
        for r0, r1, c0, c1 in changed
        for row in range(r0, r1 + 1)
        for column in range(c0, c1 + 1)
    }
    assert (0, COLUMN_INDEX["stop_loss"]) in cells
    assert (0, COLUMN_INDEX["loss_at_stop"]) in cells
    assert all(row == 0 for row, _ in cells)  # the cross positions' figures did not move
    assert model.data(_cell(model, 0, "stop_loss")) == "2,750.00"
    # the cross pool's wallet: every cross liquidation price moves, no input cell changes
    changed.clear()
    document.edit(lambda plan: edits.set_account_field(plan, "wallet_balance", 15000.0), "W")
    assert resets == [] and changed
    inputs = {i for i, c in enumerate(COLUMNS) if c.field is not None}
    assert all(c0 not in inputs and c1 not in inputs for _, _, c0, c1 in changed)
    liq = COLUMN_INDEX["liquidation_price"]
    assert any(c0 <= liq <= c1 for _, _, c0, c1 in changed)
    result = document.analysis.position(1)
    assert model.data(_cell(model, 1, "liquidation_price")) == format_price(
        result.liquidation_price, 0.1
    )


def test_rows_added_or_removed_reset_the_model(qtbot, window) -> None:
    model = window.table.model
    _changed, resets = _record_changes(model)
    add_position(qtbot, window, "xrp", "0.5")
    assert resets == [1]
    window.document.undo_stack.undo()
    assert resets == [1, 1]
    assert model.rowCount() == 3
