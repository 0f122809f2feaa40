"""UI test fixtures: settings and autosaves in a temporary folder, a document on the spec's
example plan, and a main window around it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings

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


@pytest.fixture
def example_path() -> Path:
    return SPEC_EXAMPLE


@pytest.fixture
def example_plan() -> Plan:
    return load_plan(SPEC_EXAMPLE)


@pytest.fixture
def document(qtbot, example_plan: Plan):  # noqa: ANN001
    from planner.ui.document import PlanDocument

    doc = PlanDocument(example_plan)
    doc.reset(example_plan, SPEC_EXAMPLE)
    yield doc
    doc.undo_stack.clear()
    doc.deleteLater()


@pytest.fixture
def autosave_store(tmp_path: Path) -> AutosaveStore:
    return AutosaveStore(tmp_path / "autosave", min_interval=0)


@pytest.fixture
def window(qtbot, document, autosave_store: AutosaveStore, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN001
    from planner.ui.main_window import MainWindow

    main = MainWindow(document, settings=QSettings(), autosave=autosave_store)
    document.setParent(main)
    qtbot.addWidget(main)
    yield main
    # never prompt while tearing down
    document.undo_stack.setClean()
