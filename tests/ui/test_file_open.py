"""macOS opens a double-clicked plan with a FileOpen event; the application's filter opens it
through the window's FileController, asking about unsaved changes first."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QMessageBox

from planner.ui.app import install_file_open_filter
from planner.ui.document import edits

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "examples" / "hybrid.tplan"


@pytest.fixture
def other_plan(tmp_path: Path) -> Path:
    path = tmp_path / "double-clicked.tplan"
    shutil.copy(EXAMPLE, path)
    return path


def _post_file_open(qapp, path: Path) -> None:
    QCoreApplication.postEvent(qapp, QFileOpenEvent(str(path)))
    QCoreApplication.processEvents()


def test_file_open_event_opens_the_plan(qtbot, qapp, window, other_plan: Path) -> None:
    install_file_open_filter(qapp, window)
    _post_file_open(qapp, other_plan)
    qtbot.waitUntil(lambda: window.document.path == other_plan, timeout=2000)
    assert window.document.plan.name.startswith("Hybrid")
    assert str(other_plan.resolve()) in window.files.recent_files()


def test_file_open_asks_about_unsaved_changes(
    qtbot, qapp, window, other_plan: Path, dialogs
) -> None:
    install_file_open_filter(qapp, window)
    document = window.document
    before = document.path
    document.edit(lambda plan: edits.set_position_field(plan, 0, "quantity", 6.0), "Size")
    dialogs.answers["warning"] = QMessageBox.StandardButton.Cancel
    _post_file_open(qapp, other_plan)
    assert dialogs.kinds() == ["warning"]
    assert document.path == before and document.is_modified

    dialogs.answers["warning"] = QMessageBox.StandardButton.Discard
    _post_file_open(qapp, other_plan)
    qtbot.waitUntil(lambda: document.path == other_plan, timeout=2000)
    assert not document.is_modified


def test_a_bad_file_is_refused_with_a_dialog(qtbot, qapp, window, tmp_path: Path, dialogs) -> None:
    install_file_open_filter(qapp, window)
    bad = tmp_path / "broken.tplan"
    bad.write_text("{ not json", encoding="utf-8")
    before = window.document.plan
    _post_file_open(qapp, bad)
    assert dialogs.kinds() == ["critical"]
    assert window.document.plan is before
