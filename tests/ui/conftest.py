"""UI test fixtures: settings and autosaves in a temporary folder, a document on the spec's
example plan, and a main window around it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QMessageBox

from planner.domain.plan import Plan
from planner.storage import AutosaveStore, load_plan

SPEC_EXAMPLE = Path(__file__).resolve().parent.parent / "domain" / "data" / "spec_example.tplan"


@pytest.fixture(autouse=True)
def _settings_in_tmp(tmp_path: Path) -> Iterator[None]:
    """QSettings (window state, recent files) go to an INI file under ``tmp_path``."""
    QCoreApplication.setOrganizationName("MarginPlannerTests")
    QCoreApplication.setApplicationName("Margin Planner Tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(tmp_path / "settings"))
    yield


class DialogRecorder:
    """Stands in for QMessageBox's static dialogs: records each call, answers as told."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []
        self.answers: dict[str, QMessageBox.StandardButton] = {
            "warning": QMessageBox.StandardButton.Discard,
            "question": QMessageBox.StandardButton.Cancel,
            "critical": QMessageBox.StandardButton.Ok,
            "information": QMessageBox.StandardButton.Ok,
        }

    def kinds(self) -> list[str]:
        return [kind for kind, _, _ in self.calls]

    def make(self, kind: str):
        def show(_parent, title, text, *_args, **_kwargs):
            self.calls.append((kind, title, text))
            return self.answers[kind]

        return show


@pytest.fixture(autouse=True)
def dialogs(monkeypatch: pytest.MonkeyPatch) -> DialogRecorder:
    """No modal message box ever blocks a test."""
    recorder = DialogRecorder()
    for kind in recorder.answers:
        monkeypatch.setattr(QMessageBox, kind, recorder.make(kind))
    return recorder


@pytest.fixture
def example_path() -> Path:
    return SPEC_EXAMPLE


@pytest.fixture
def example_plan() -> Plan:
    return load_plan(SPEC_EXAMPLE)


@pytest.fixture
def document(qtbot, example_plan: Plan):
    from planner.ui.document.plan_document import PlanDocument

    doc = PlanDocument(example_plan)
    doc.reset(example_plan, SPEC_EXAMPLE)
    yield doc
    doc.undo_stack.clear()
    doc.deleteLater()


@pytest.fixture
def autosave_store(tmp_path: Path) -> AutosaveStore:
    return AutosaveStore(tmp_path / "autosave", min_interval=0)


@pytest.fixture
def window(qtbot, document, autosave_store: AutosaveStore):
    from planner.ui.main_window import MainWindow

    main = MainWindow(document, settings=QSettings(), autosave=autosave_store)
    document.setParent(main)
    qtbot.addWidget(main)
    return main


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The offscreen platform plugin warns that it cannot pass a shown window's size
    constraints on, raise a window or grab the keyboard for a popup (real platforms can);
    every other Qt warning still fails a test."""
    marker = pytest.mark.qt_log_ignore(
        r"This plugin does not support (propagateSizeHints\(\)|raise\(\)|grabbing the keyboard)"
    )
    for item in items:
        if "tests/ui/" in item.nodeid.replace("\\", "/"):
            item.add_marker(marker)
