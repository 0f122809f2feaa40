"""The document and its commands: one signal per change, undo/redo to identical plans,
merged keystrokes, labels that say what will be undone, previews, the modified flag."""

from __future__ import annotations

from planner.storage import plan_to_bytes
from planner.ui.document import edits


def _set(document, index: int, field: str, value: object) -> None:
    position = document.plan.positions[index]
    error = document.edit(
        lambda plan: edits.set_position_field(plan, index, field, value),
        f"Change {edits.POSITION_FIELDS[field]} of {position.id}",
        merge_key=f"{position.id}|{field}",
    )
    assert error is None


def test_one_signal_and_one_analysis_per_edit(qtbot, document) -> None:
    emitted: list[None] = []
    document.changed.connect(lambda: emitted.append(None))
    _set(document, 1, "leverage", 20.0)
    assert len(emitted) == 1
    assert document.analysis.plan is document.plan
    assert (
        document.analysis.position(1).initial_margin == document.analysis.position(1).notional / 20
    )


def test_undo_and_redo_return_byte_identical_plans(qtbot, document) -> None:
    original = plan_to_bytes(document.plan)
    _set(document, 0, "entry_price", 3100.0)
    _set(document, 2, "side", "long")
    document.edit(lambda plan: edits.add_position(plan, 0)[0], "Add position")
    edited = plan_to_bytes(document.plan)
    stack = document.undo_stack
    assert stack.count() == 3
    while stack.canUndo():
        stack.undo()
    assert plan_to_bytes(document.plan) == original
    while stack.canRedo():
        stack.redo()
    assert plan_to_bytes(document.plan) == edited


def test_consecutive_changes_of_one_field_merge(qtbot, document) -> None:
    for leverage in (11.0, 12.0, 13.0):
        _set(document, 1, "leverage", leverage)
    _set(document, 1, "entry_price", 61000.0)
    _set(document, 1, "entry_price", 62000.0)
    assert document.undo_stack.count() == 2
    assert document.undo_stack.undoText() == "Change entry of btc-core"
    document.undo_stack.undo()
    assert document.plan.positions[1].entry_price == 60000.0
    assert document.plan.positions[1].leverage == 13.0
    assert document.undo_stack.undoText() == "Change leverage of btc-core"
    document.undo_stack.undo()
    assert document.plan.positions[1].leverage == 10.0


def test_a_merge_back_to_the_start_is_no_step(qtbot, document) -> None:
    _set(document, 1, "leverage", 12.0)
    _set(document, 1, "leverage", 10.0)
    assert document.undo_stack.count() == 0
    assert not document.is_modified


def test_undo_action_label_names_the_edit(qtbot, window) -> None:
    _set(window.document, 1, "leverage", 20.0)
    assert window.actions.undo.text() == "Undo Change leverage of btc-core"
    window.document.undo_stack.undo()
    assert window.actions.redo.text() == "Redo Change leverage of btc-core"


def test_refused_edit_leaves_the_plan_untouched(qtbot, document) -> None:
    before = document.plan
    refused = []
    document.edit_refused.connect(refused.append)
    error = document.edit(
        lambda plan: edits.set_position_field(plan, 1, "leverage", 500.0), "Change leverage"
    )
    assert error is not None
    assert error.field == "positions[1].leverage"
    assert "max leverage" in str(error)
    assert refused == [error]
    assert document.plan is before
    assert document.undo_stack.count() == 0


def test_modified_flag_follows_the_clean_state(qtbot, document, tmp_path) -> None:
    flags: list[bool] = []
    document.modified_changed.connect(flags.append)
    assert not document.is_modified
    _set(document, 0, "stop_loss", 2750.0)
    assert document.is_modified
    document.undo_stack.undo()
    assert not document.is_modified
    document.undo_stack.redo()
    document.save(tmp_path / "saved.tplan")
    assert not document.is_modified
    assert flags == [True, False, True, False]


def test_preview_shows_a_plan_without_an_undo_step(qtbot, document) -> None:
    original = document.plan
    preview = edits.set_position_field(original, 0, "entry_price", 3200.0)
    with qtbot.waitSignal(document.changed):
        document.preview(preview)
    assert document.plan is preview
    assert document.analysis.position(0).entry_price == 3200.0
    assert document.undo_stack.count() == 0
    assert document.committed_plan is original
    document.end_preview()
    assert document.plan is original

    # a drag: many previews, then one step on release
    for entry in (3050.0, 3100.0, 3150.0):
        document.preview(edits.set_position_field(original, 0, "entry_price", entry))
    final = edits.set_position_field(document.committed_plan, 0, "entry_price", 3150.0)
    document.apply(final, "Drag entry of eth-conviction")
    assert document.undo_stack.count() == 1
    document.undo_stack.undo()
    assert document.plan == original


def test_selection_follows_undo_of_a_delete(qtbot, document) -> None:
    document.set_current("sol-hedge")
    document.edit(
        lambda plan: edits.delete_positions(plan, [2]), "Delete sol-hedge", select="btc-core"
    )
    assert document.current_id == "btc-core"
    document.undo_stack.undo()
    assert document.current_id == "sol-hedge"
