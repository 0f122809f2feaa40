"""Views that cannot be seen do nothing until shown, then catch up once; expensive views follow
a drag at a bounded rate and exactly once after it; the window's first-run layout at 1280×800.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QElapsedTimer, QSettings, QSize, Qt
from PySide6.QtWidgets import QWidget

from planner.domain.plan import Plan
from planner.ui.document import edits
from planner.ui.document.plan_document import PlanDocument
from planner.ui.main_window import MainWindow
from planner.ui.panels import account_panel, shock_panel, twin_panel
from planner.ui.panels.position_model import COLUMN_INDEX, COLUMNS
from planner.ui.widgets.lazy import PREVIEW_INTERVAL_MS, LazyRefresh, can_be_seen


def _counting(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[object]:
    calls: list[object] = []
    real = getattr(module, name)

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(args[0] if args else None)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counting)
    return calls


@pytest.fixture
def shown(qtbot, window: MainWindow) -> MainWindow:
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


def _edit_quantity(document: PlanDocument, quantity: float) -> None:
    document.edit(lambda plan: edits.set_position_field(plan, 0, "quantity", quantity), "Size")


def test_a_tabbed_away_dock_is_visible_to_qt_but_cannot_be_seen(shown: MainWindow) -> None:
    # the account tab is in front: the twin and scenario docks are moved out of the window
    assert shown.twin_dock.isVisible() and shown.twin.isVisible()
    assert not can_be_seen(shown.twin) and not can_be_seen(shown.scenarios)
    assert can_be_seen(shown.account)
    shown.twin_dock.raise_()
    assert can_be_seen(shown.twin) and not can_be_seen(shown.account)


def test_hidden_decision_panels_compute_nothing_and_catch_up_once_when_shown(
    qtbot, shown: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    compares = _counting(monkeypatch, twin_panel, "compare")
    sweeps = _counting(monkeypatch, shock_panel, "sweep")
    document = shown.document
    for quantity in (6.0, 7.0, 8.0, 9.0):
        _edit_quantity(document, quantity)
    qtbot.wait(150)
    assert compares == [] and sweeps == []  # tabbed away: nothing computed
    shown.twin_dock.raise_()  # the tab comes to the front: no show event, one catch-up
    qtbot.waitUntil(lambda: len(compares) == 1, timeout=2000)
    assert compares[0] is document.plan
    assert sweeps == []
    shown.scenarios_dock.raise_()
    qtbot.waitUntil(lambda: len(sweeps) == 1, timeout=2000)
    qtbot.wait(100)
    assert len(compares) == 1 and len(sweeps) == 1


def test_the_account_warnings_wait_while_the_account_tab_is_away(
    qtbot, shown: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    scans = _counting(monkeypatch, account_panel, "plan_warnings")
    shown.twin_dock.raise_()
    _edit_quantity(shown.document, 6.0)
    qtbot.wait(150)
    assert scans == []
    shown.account_dock.raise_()
    qtbot.waitUntil(lambda: len(scans) == 1, timeout=2000)
    assert shown.account.warning_texts()
    assert len(scans) == 1


def test_a_drag_refreshes_the_twin_view_at_a_bounded_rate_and_once_after(
    qtbot, shown: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown.twin_dock.raise_()
    qtbot.waitUntil(lambda: not shown.twin._lazy.stale, timeout=2000)
    compares = _counting(monkeypatch, twin_panel, "compare")
    document = shown.document
    base = document.committed_plan
    frames = 40
    elapsed = QElapsedTimer()
    elapsed.start()
    for i in range(frames):  # a drag: a preview every ~8 ms, ~320 ms in all
        document.preview(edits.set_position_field(base, 0, "stop_loss", 2790.0 - i))
        qtbot.wait(8)
    during = len(compares)
    assert during <= elapsed.elapsed() // PREVIEW_INTERVAL_MS + 1
    assert during < frames  # not one per preview
    document.apply(document.plan, "Move the stop")
    qtbot.waitUntil(lambda: compares and compares[-1] is document.plan, timeout=2000)
    qtbot.wait(2 * PREVIEW_INTERVAL_MS)
    assert len(compares) == during + 1  # exactly one refresh after the release
    assert shown.twin.comparison.plan is document.plan


def test_a_slow_view_waits_in_proportion_to_its_cost(qtbot) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    runs: list[int] = []
    lazy = LazyRefresh(widget, lambda: runs.append(1), delay_ms=10)
    lazy.run()
    lazy.cost_ms = 50.0  # as if a refresh took 50 ms
    lazy.invalidate()
    assert lazy.pending and lazy._timer.remainingTime() > 100
    lazy.flush()
    assert len(runs) == 2 and not lazy.pending


def test_first_run_layout_fits_1280_by_800(qtbot, document: PlanDocument) -> None:
    window = MainWindow(document, settings=QSettings(), persistent=False)
    qtbot.addWidget(window)
    window.resize(QSize(1280, 800))
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(50)
    table = window.table.view
    # every column shown by default is readable without scrolling sideways
    assert not table.horizontalScrollBar().isVisible()
    header = table.horizontalHeader()
    shown_keys = [c.key for i, c in enumerate(COLUMNS) if not header.isSectionHidden(i)]
    assert {"id", "entry_price", "stop_loss", "liquidation_price", "risk_ratio"} <= set(shown_keys)
    assert "loss_at_stop" in shown_keys and len(shown_keys) >= 14
    # the chart is large enough to read, beside the table; the bottom row spans the window
    chart = window.chart_dock.geometry()
    assert chart.width() >= 330 and chart.height() >= 330
    assert window.account_dock.geometry().right() > chart.left()
    assert window.editor_dock.width() >= 480
    # the account panel keeps its two columns
    assert window.account._columns == 2


def test_hidden_columns_come_back_from_the_header_menu_and_are_kept(qtbot, document) -> None:
    first = MainWindow(document, settings=QSettings())
    qtbot.addWidget(first)
    table = first.table
    assert "notional" in table.hidden_columns()
    menu = table.column_menu()
    notional = next(a for a in menu.actions() if a.text() == "Notional")
    assert not notional.isChecked()
    notional.trigger()
    assert "notional" not in table.hidden_columns()
    assert table.view.horizontalHeader().sectionSize(COLUMN_INDEX["notional"]) > 20
    menu.deleteLater()
    assert first.close()
    second = MainWindow(settings=QSettings())
    qtbot.addWidget(second)
    assert "notional" not in second.table.hidden_columns()
    assert "bankruptcy_price" in second.table.hidden_columns()


def test_sorting_puts_the_proxy_in_between_only_while_sorted(qtbot, document) -> None:
    window = MainWindow(document, settings=QSettings(), persistent=False)
    qtbot.addWidget(window)
    table = window.table
    view, header = table.view, table.view.horizontalHeader()
    assert view.model() is table.model and not table.is_sorted
    widths = [header.sectionSize(i) for i in range(header.count())]
    document.set_current("sol-hedge")
    entry = COLUMN_INDEX["entry_price"]
    header.setSortIndicator(entry, Qt.SortOrder.AscendingOrder)  # what a header click does
    assert table.is_sorted and view.model() is table.proxy
    entries = [view.model().index(r, entry).data() for r in range(3)]
    assert entries == ["150.00", "3,000.00", "60,000.0"]
    assert [header.sectionSize(i) for i in range(header.count())] == widths
    assert "notional" in table.hidden_columns()
    assert document.current_id == "sol-hedge" and table.selected_rows() == [2]
    table.restore_plan_order()
    assert view.model() is table.model and header.sortIndicatorSection() == -1
    assert document.current_id == "sol-hedge" and table.selected_rows() == [2]


def test_the_scenario_rows_are_replaced_not_rebuilt(qtbot, document, example_plan: Plan) -> None:
    panel = shock_panel.ShockPanel(document)
    qtbot.addWidget(panel)
    panel.resize(480, 900)
    panel.show()
    qtbot.waitExposed(panel)
    panel.flush()
    resets: list[int] = []
    panel.position_model.modelReset.connect(lambda: resets.append(1))
    _edit_quantity(document, 6.0)
    panel.flush()
    assert resets == []  # same rows: one dataChanged
    assert len(panel.position_rows()) == len(document.plan.positions)


def test_the_account_panel_is_whole_at_1024_by_700(qtbot, document: PlanDocument) -> None:
    """Too narrow for its two columns, the panel stacks its groups: none runs past the right
    edge (the cross pool's figures were cut off at 1024×700)."""
    window = MainWindow(document, settings=QSettings(), persistent=False)
    qtbot.addWidget(window)
    window.resize(QSize(1024, 700))
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(50)
    panel = window.account
    visible = panel.viewport().width()
    for group in panel.widget().findChildren(
        QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly
    ):
        if group.isVisible():
            assert group.geometry().right() <= visible, group.objectName() or group
