"""Issue 14, item 1: two windows on one file. One window holds the file's lock; a second one
is told "open in another window" and may open it read-only or bring the first forward; the
recovery prompt leaves a live window's autosave alone; a save never silently overwrites a
file that changed on disk since it was read."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog

from planner.storage import AutosaveStore, load_plan, save_plan
from planner.ui import files as files_module
from planner.ui.document import edits
from planner.ui.file_lock import PlanLock

EXAMPLES = Path(__file__).resolve().parents[3] / "resources" / "examples"


@pytest.fixture
def plan_path(tmp_path: Path, example_path: Path) -> Path:
    path = tmp_path / "plans" / "hybrid.tplan"
    path.parent.mkdir()
    shutil.copyfile(example_path, path)
    return path


@pytest.fixture
def second(qtbot, autosave_store: AutosaveStore):
    """Another window of the same user: another store on the same autosave folder."""
    from planner.ui.main_window import MainWindow

    other = MainWindow(
        settings=QSettings(), autosave=AutosaveStore(autosave_store.directory, min_interval=0)
    )
    qtbot.addWidget(other)
    yield other
    other.files.shutdown()


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> dict:
    """Stands in for the two-window prompts: records each, answers as told."""
    record: dict = {"open": files_module.CANCEL, "changed": files_module.CANCEL, "calls": []}

    def open_elsewhere(_parent, name, pid):
        record["calls"].append(("open", name, pid))
        return record["open"]

    def changed_on_disk(_parent, name):
        record["calls"].append(("changed", name))
        return record["changed"]

    monkeypatch.setattr(files_module, "ask_open_elsewhere", open_elsewhere)
    monkeypatch.setattr(files_module, "ask_changed_on_disk", changed_on_disk)
    return record


def _edit(window, leverage: float = 33.0) -> None:
    document = window.document
    document.apply(
        edits.set_position_field(document.committed_plan, 1, "leverage", leverage), "lev"
    )


def test_a_second_window_is_told_and_opens_read_only(
    qtbot, window, second, plan_path: Path, answers, tmp_path: Path, monkeypatch
) -> None:
    assert window.files.open_path(plan_path, ask=False)
    answers["open"] = files_module.OPEN_READ_ONLY
    assert second.files.open_path(plan_path, ask=False)
    assert answers["calls"] == [("open", "hybrid.tplan", os.getpid())]
    assert second.files.read_only
    assert "read-only" in second.windowTitle()
    assert not window.files.read_only
    # Save in the read-only window asks for another name; the first window's file is safe
    before = plan_path.read_bytes()
    _edit(second)
    elsewhere = tmp_path / "plans" / "copy.tplan"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(elsewhere), ""))
    assert second.files.save()
    assert plan_path.read_bytes() == before
    assert load_plan(elsewhere).positions[1].leverage == 33.0
    assert not second.files.read_only  # it now edits its own file


def test_save_as_onto_a_file_open_in_another_window_is_refused(
    qtbot, window, second, plan_path: Path, answers, dialogs, monkeypatch
) -> None:
    assert window.files.open_path(plan_path, ask=False)
    plan = second.document.committed_plan
    second.document.apply(plan.model_copy(update={"name": "B's plan"}), "Rename")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(plan_path), ""))
    before = plan_path.read_bytes()
    assert not second.files.save()
    assert dialogs.calls[-1][0] == "critical"
    assert "open in another window" in dialogs.calls[-1][2]
    assert plan_path.read_bytes() == before


def test_bring_forward_asks_the_holder_through_the_local_socket(
    qtbot, window, second, plan_path: Path, answers
) -> None:
    assert window.files.open_path(plan_path, ask=False)
    answers["open"] = files_module.BRING_FORWARD
    with qtbot.waitSignal(window.files._lock.raise_requested, timeout=3000):
        assert not second.files.open_path(plan_path, ask=False)
    assert second.document.path is None  # nothing opened in the second window


def test_cancel_opens_nothing_and_a_closed_window_frees_the_file(
    qtbot, window, second, plan_path: Path, answers
) -> None:
    assert window.files.open_path(plan_path, ask=False)
    assert not second.files.open_path(plan_path, ask=False)
    assert second.document.path is None
    window.files.new()  # the first window lets go of the file
    assert second.files.open_path(plan_path, ask=False)
    assert not second.files.read_only
    assert len(answers["calls"]) == 1


def test_a_stale_lock_of_a_dead_process_is_taken_over(
    qtbot, window, plan_path: Path, answers
) -> None:
    lock_path = PlanLock(window.files.lock_directory, plan_path).lock_path
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    script = (
        "import os, sys\n"
        "from PySide6.QtCore import QLockFile\n"
        "lock = QLockFile(sys.argv[1])\n"
        "assert lock.tryLock(0)\n"
        "os._exit(0)  # dies holding it, as kill -9 would leave it\n"
    )
    subprocess.run([sys.executable, "-c", script, str(lock_path)], check=True, timeout=60)
    assert lock_path.exists()
    assert window.files.open_path(plan_path, ask=False)
    assert answers["calls"] == []  # no "open in another window" for a dead one
    assert window.files._lock.held


def test_recovery_leaves_a_live_windows_autosave_alone(
    qtbot, window, second, plan_path: Path, autosave_store, dialogs, answers
) -> None:
    assert window.files.open_path(plan_path, ask=False)
    _edit(window)
    autosave = window.files.autosave_now()
    assert autosave is not None and autosave.exists()
    # the second window starts and looks for crashed sessions: the first one is alive
    assert not second.files.check_recovery()
    assert "question" not in dialogs.kinds()
    assert autosave.exists()
    # the first window dies without cleaning up: now it is a crash to offer back
    window.files._session_lock.release()
    assert not second.files.check_recovery()  # asked; the recorder answers Cancel
    assert dialogs.kinds()[-1] == "question"
    assert autosave.exists()


def test_a_file_changed_on_disk_is_never_silently_overwritten(
    qtbot, window, plan_path: Path, answers, monkeypatch, tmp_path: Path
) -> None:
    assert window.files.open_path(plan_path, ask=False)
    _edit(window, 55.0)
    other_plan = load_plan(EXAMPLES / "swing.tplan")
    save_plan(other_plan, plan_path)  # another program writes the file meanwhile

    answers["changed"] = files_module.CANCEL
    assert not window.files.save()
    assert load_plan(plan_path) == other_plan
    assert answers["calls"] == [("changed", "hybrid.tplan")]

    answers["changed"] = files_module.SAVE_AS
    copy = tmp_path / "plans" / "mine.tplan"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(copy), ""))
    assert window.files.save()
    assert load_plan(plan_path) == other_plan
    assert load_plan(copy).positions[1].leverage == 55.0
    assert window.document.path == copy


def test_overwrite_and_reload_answers(qtbot, window, plan_path: Path, answers) -> None:
    other_plan = load_plan(EXAMPLES / "swing.tplan")
    assert window.files.open_path(plan_path, ask=False)
    _edit(window, 56.0)
    save_plan(other_plan, plan_path)
    answers["changed"] = files_module.OVERWRITE
    assert window.files.save()
    assert load_plan(plan_path).positions[1].leverage == 56.0
    assert not window.document.is_modified

    _edit(window, 57.0)
    save_plan(other_plan, plan_path)
    answers["changed"] = files_module.RELOAD
    assert window.files.save()
    assert window.document.plan == other_plan
    assert not window.document.is_modified
    assert load_plan(plan_path) == other_plan


def test_a_touched_but_unchanged_file_saves_without_asking(
    qtbot, window, plan_path: Path, answers
) -> None:
    assert window.files.open_path(plan_path, ask=False)
    _edit(window, 58.0)
    os.utime(plan_path, (1, 1))  # the time changes, the bytes do not
    assert window.files.save()
    assert answers["calls"] == []
    assert load_plan(plan_path).positions[1].leverage == 58.0
