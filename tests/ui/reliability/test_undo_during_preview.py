"""Issue 14, item 4: undo or redo while a drag previews (a slider held, a ladder line dragged)
ends the preview first, and "modified" always means "the plan differs from its file"."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from planner.storage import load_plan
from planner.ui.document import edits


def _leverage(plan, value: float):
    return edits.set_position_field(plan, 1, "leverage", value)


def _copy_example(example_path: Path, tmp_path: Path) -> Path:
    path = tmp_path / "plan.tplan"
    shutil.copyfile(example_path, path)
    return path


def test_ctrl_z_while_a_slider_is_held_cancels_the_preview(
    qtbot, window, example_path: Path, tmp_path: Path
) -> None:
    document = window.document
    path = _copy_example(example_path, tmp_path)
    assert window.files.open_path(path, ask=False)
    original = document.plan
    document.apply(_leverage(document.plan, 15.0), "Change leverage")  # edit E1
    assert window.files.save()
    cancelled: list[None] = []
    document.preview_cancelled.connect(lambda: cancelled.append(None))
    # the slider is held: previews from the committed plan
    document.preview(_leverage(document.committed_plan, 30.0))
    document.preview(_leverage(document.committed_plan, 40.0))
    window.actions.undo.trigger()  # Ctrl+Z during the drag
    assert cancelled == [None]
    assert not document.is_previewing
    assert document.plan == original  # E1 undone, the preview gone
    assert document.is_modified  # the file holds E1
    assert window.isWindowModified()
    # the slider is released: the editor commits from the committed plan, as it does
    document.apply(_leverage(document.committed_plan, 40.0), "Change leverage")
    assert document.plan.positions[1].leverage == 40.0
    assert document.is_modified == (document.committed_plan != load_plan(path))
    window.actions.undo.trigger()
    assert document.plan == original  # the undone E1 never came back
    window.actions.redo.trigger()
    window.actions.redo.trigger()  # nothing more to redo: E1 is gone from the history
    assert document.plan.positions[1].leverage == 40.0


def test_redo_during_a_preview_also_ends_it(qtbot, document) -> None:
    base = document.plan
    document.apply(_leverage(base, 15.0), "Change leverage")
    document.undo_stack.undo()
    document.preview(_leverage(document.committed_plan, 50.0))
    document.undo_stack.redo()
    assert not document.is_previewing
    assert document.plan.positions[1].leverage == 15.0
    document.end_preview()  # the gesture's own end finds nothing to end
    assert document.plan.positions[1].leverage == 15.0


def test_modified_always_means_plan_differs_from_file(
    qtbot, window, example_path: Path, tmp_path: Path
) -> None:
    document = window.document
    path = _copy_example(example_path, tmp_path)
    assert window.files.open_path(path, ask=False)
    chance = random.Random(4)
    values = [5.0, 10.0, 20.0]
    for _ in range(150):
        step = chance.choice(["edit", "edit", "undo", "redo", "preview", "end", "save", "back"])
        if step == "edit":
            document.apply(_leverage(document.committed_plan, chance.choice(values)), "lev")
        elif step == "undo":
            window.actions.undo.trigger()
        elif step == "redo":
            window.actions.redo.trigger()
        elif step == "preview":
            document.preview(_leverage(document.committed_plan, 77.0))
        elif step == "end":
            document.end_preview()
        elif step == "save" and not document.is_previewing:
            assert window.files.save()
        elif step == "back":  # an edit by hand back to what the file holds
            saved = load_plan(path).positions[1].leverage
            document.apply(_leverage(document.committed_plan, saved), "lev")
        on_disk = load_plan(path)
        assert document.is_modified == (document.committed_plan != on_disk), step
        assert window.isWindowModified() == document.is_modified
