"""The window as a whole: files, the modified mark, the close prompt, bad files, recent files,
drag and drop, autosave and recovery, window state, and each example plan."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QFileDialog, QMessageBox

from planner.storage import AutosaveStore, load_plan, plan_to_bytes
from planner.ui.document import edits
from planner.ui.main_window import MainWindow
from tests.ui.typing import add_position

Button = QMessageBox.StandardButton
EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "resources" / "examples").glob("*.tplan"))


def _edit(window: MainWindow) -> None:
    window.document.edit(
        lambda plan: edits.set_position_field(plan, 1, "leverage", 20.0),
        "Change leverage of btc-core",
    )


def _save_dialog(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(path), ""))


def test_title_carries_the_modified_mark(qtbot, window) -> None:
    assert window.windowTitle() == "spec_example.tplan[*] — Margin Planner"
    assert not window.isWindowModified()
    _edit(window)
    assert window.isWindowModified()
    window.document.undo_stack.undo()
    assert not window.isWindowModified()


def test_save_as_and_open_round_trip(qtbot, window, tmp_path, monkeypatch) -> None:
    _edit(window)
    target = tmp_path / "mine"  # the suffix is added
    _save_dialog(monkeypatch, target)
    assert window.files.save_as()
    saved = tmp_path / "mine.tplan"
    assert saved.exists()
    assert not window.isWindowModified()
    assert window.windowTitle().startswith("mine.tplan")
    assert plan_to_bytes(load_plan(saved)) == plan_to_bytes(window.document.plan)
    edited = plan_to_bytes(window.document.plan)

    window.files.new()
    assert window.document.path is None
    assert not window.document.plan.positions
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(saved), ""))
    assert window.files.open_dialog()
    assert plan_to_bytes(window.document.plan) == edited
    assert window.document.undo_stack.count() == 0
    assert window.files.recent_files()[0] == str(saved.resolve())
    assert window.recent_menu.actions()[0].text() == "&1 mine.tplan"


def test_save_writes_to_its_file(qtbot, window, tmp_path, example_path) -> None:
    copy = tmp_path / "copy.tplan"
    copy.write_bytes(example_path.read_bytes())
    assert window.files.open_path(copy)
    _edit(window)
    window.actions.save.trigger()
    assert not window.document.is_modified
    assert load_plan(copy).positions[1].leverage == 20.0
    assert copy.with_name("copy.tplan.bak").exists()


def test_close_prompt(qtbot, window, dialogs, tmp_path, monkeypatch) -> None:
    _edit(window)
    dialogs.answers["warning"] = Button.Cancel
    assert not window.close()
    assert dialogs.kinds() == ["warning"]
    assert "Save the changes to spec_example.tplan?" in dialogs.calls[0][2]
    assert window.document.is_modified

    dialogs.answers["warning"] = Button.Save
    target = tmp_path / "saved.tplan"
    _save_dialog(monkeypatch, tmp_path / "saved.tplan")
    window.document.reset(edits.new_plan())  # an unsaved, new plan: Save asks for a name
    add_position(qtbot, window, "btc", "61000")
    assert window.close()
    assert target.exists()


def test_close_discard_and_clean_close_do_not_prompt(qtbot, window, dialogs) -> None:
    assert window.close()
    assert dialogs.calls == []
    window.show()
    _edit(window)
    dialogs.answers["warning"] = Button.Discard
    assert window.close()


def test_new_and_open_ask_before_losing_changes(qtbot, window, dialogs) -> None:
    _edit(window)
    dialogs.answers["warning"] = Button.Cancel
    window.actions.new.trigger()
    assert window.document.plan.positions  # still the old plan
    dialogs.answers["warning"] = Button.Discard
    window.actions.new.trigger()
    assert not window.document.plan.positions
    assert not window.document.is_modified


def test_a_bad_file_names_the_problem_and_keeps_the_plan(qtbot, window, dialogs, tmp_path) -> None:
    _edit(window)
    before = plan_to_bytes(window.document.plan)
    bad = tmp_path / "bad.tplan"
    bad.write_text(
        (Path(window.document.path).read_text()).replace('"leverage": 10', '"leverage": 500', 1)
    )
    dialogs.answers["warning"] = Button.Discard
    assert not window.files.open_path(bad)
    kind, title, text = dialogs.calls[-1]
    assert kind == "critical" and title == "Cannot open the plan"
    assert "positions[0].leverage = 500" in text
    assert plan_to_bytes(window.document.plan) == before
    assert window.document.path.name == "spec_example.tplan"

    truncated = tmp_path / "truncated.tplan"
    truncated.write_text('{"format": "margin-planner.plan", "version": 1, "acc')
    assert not window.files.open_path(truncated, ask=False)
    assert "not valid JSON" in dialogs.calls[-1][2]
    assert plan_to_bytes(window.document.plan) == before


def test_revert(qtbot, window, dialogs) -> None:
    _edit(window)
    dialogs.answers["question"] = Button.Discard
    window.actions.revert.trigger()
    assert window.document.plan.positions[1].leverage == 10.0
    assert not window.document.is_modified


def test_dropping_a_plan_file_opens_it(qtbot, window, tmp_path, example_path) -> None:
    copy = tmp_path / "dropped.tplan"
    copy.write_bytes(example_path.read_bytes())
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(copy))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    assert window.document.path == copy


def _crash(window) -> None:
    """As a crash would: the window's session lock goes (its process is gone), its autosave
    stays (issue 14: the autosave of a window that still runs is no crash)."""
    window.files._session_lock.release()


def test_autosave_and_recovery(qtbot, window, autosave_store, dialogs, example_path) -> None:
    _edit(window)
    assert window.files.autosave_now() is not None
    edited = plan_to_bytes(window.document.plan)
    _crash(window)

    # the next start after a crash: another store on the same folder offers it back
    next_store = AutosaveStore(autosave_store.directory, min_interval=0)
    assert len(next_store.recoverable()) == 1
    other = MainWindow(settings=QSettings(), autosave=next_store)
    qtbot.addWidget(other)
    dialogs.answers["question"] = Button.Yes
    assert other.files.check_recovery()
    assert "Recover unsaved changes" in dialogs.calls[-1][1]
    assert plan_to_bytes(other.document.plan) == edited
    assert other.document.is_modified
    assert other.document.path == example_path.absolute()
    assert AutosaveStore(autosave_store.directory).recoverable() == []  # taken back
    other.document.undo_stack.setClean()


def test_recovery_can_be_discarded_or_kept(qtbot, window, autosave_store, dialogs) -> None:
    _edit(window)
    window.files.autosave_now()
    _crash(window)
    later = MainWindow(settings=QSettings(), autosave=AutosaveStore(autosave_store.directory))
    qtbot.addWidget(later)
    dialogs.answers["question"] = Button.Cancel
    assert not later.files.check_recovery()
    assert len(AutosaveStore(autosave_store.directory).recoverable()) == 1  # kept
    dialogs.answers["question"] = Button.Discard
    assert not later.files.check_recovery()
    assert AutosaveStore(autosave_store.directory).recoverable() == []


def test_a_clean_state_leaves_nothing_to_recover(qtbot, window, autosave_store) -> None:
    _edit(window)
    window.files.autosave_now()
    assert len(AutosaveStore(autosave_store.directory).recoverable()) == 1
    window.document.undo_stack.undo()  # back to the saved file
    assert AutosaveStore(autosave_store.directory).recoverable() == []


def test_autosave_timer_writes_after_an_edit(qtbot, window, autosave_store) -> None:
    window.files._autosave_timer.setInterval(10)
    _edit(window)
    reader = AutosaveStore(autosave_store.directory)
    qtbot.waitUntil(lambda: bool(reader.recoverable()), timeout=2000)


def test_window_state_is_kept(qtbot, document) -> None:
    first = MainWindow(document, settings=QSettings())
    qtbot.addWidget(first)
    first.show()
    first.markets_dock.hide()
    first.resize(first.width(), 640)
    assert first.close()
    second = MainWindow(settings=QSettings())
    qtbot.addWidget(second)
    second.show()
    assert second.markets_dock.isHidden()
    assert not second.account_dock.isHidden()
    assert second.height() == 640  # (restoreGeometry keeps the width within the screen)
    assert QSettings().value("window/state") is not None


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_each_example_plan_opens(qtbot, window, path) -> None:
    assert window.files.open_path(path)
    window.show()
    qtbot.waitExposed(window)
    plan = window.document.plan
    assert window.table.model.rowCount() == len(plan.positions)
    assert window.account.bucket_model.rowCount() == len(window.document.analysis.buckets)
    for row in range(window.table.model.rowCount()):
        for column in range(window.table.model.columnCount()):
            assert window.table.model.index(row, column).data() not in (None, "nan", "inf")
    window.document.set_current(plan.positions[-1].id if plan.positions else "")
    assert window.account.warning_texts()


def test_examples_exist() -> None:
    assert len(EXAMPLES) >= 8
