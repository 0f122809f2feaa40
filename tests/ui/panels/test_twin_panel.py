"""The twin view shows ``compare()`` of the document's plan, formatted, and follows the plan
and the selection; it recomputes only while it can be seen."""

from __future__ import annotations

import pytest

from planner.domain.formatting import format_amount, format_percent, format_price
from planner.domain.scenarios import VARIANTS
from planner.domain.twin import compare
from planner.ui.document import edits
from planner.ui.explanations import explain
from planner.ui.panels import twin_panel
from planner.ui.panels.twin_panel import PLAN_ROWS, POSITION_ROWS, TwinPanel


@pytest.fixture
def panel(qtbot, document) -> TwinPanel:
    view = TwinPanel(document)
    qtbot.addWidget(view)
    view.resize(480, 700)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_position_figures_are_compare_formatted(panel: TwinPanel, document) -> None:
    comparison = compare(document.plan)
    position = comparison.positions[document.current_index]
    tick = document.plan.market(position.symbol).tick_size
    currency = comparison.currency
    for name in VARIANTS:
        f = position.variants[name]
        expected = {
            "liquidation_price": format_price(f.liquidation_price, tick),
            "liquidation_distance": format_percent(f.liquidation_distance, 2, sign=True),
            "stop_distance": format_percent(f.stop_distance, 2, sign=True),
            "liquidation_beyond_stop": format_percent(f.liquidation_beyond_stop, 2, sign=True),
            "margin_locked": format_amount(f.margin_locked, currency),
            # a cross position shares the pool: said as the pool's, not as its own
            "worst_case_loss": (
                f"the pool: {format_amount(f.worst_case_loss, currency)}"
                if f.shares_pool
                else format_amount(f.worst_case_loss, currency)
            ),
            "loss_at_stop": format_amount(f.loss_at_stop, currency),
            "free_balance": format_amount(f.free_balance, currency),
        }
        for row, text in expected.items():
            assert panel.position_figure(row, name) == text, (row, name)
    assert panel.sentence_label.text() == position.sentence


def test_plan_figures_are_compare_totals(panel: TwinPanel, document) -> None:
    comparison = compare(document.plan)
    currency = comparison.currency
    for name in VARIANTS:
        t = comparison.totals[name]
        assert panel.plan_figure("plan_margin_locked", name) == format_amount(
            t.margin_locked, currency
        )
        assert panel.plan_figure("plan_worst_case_loss", name) == format_amount(
            t.worst_case_loss, currency
        )
        assert panel.plan_figure("free_balance", name) == format_amount(t.free_balance, currency)
        assert panel.plan_figure("account_equity", name) == format_amount(t.equity, currency)
        assert panel.plan_figure("pool_move_down", name) == format_percent(
            t.pool_move_down, 1, sign=True
        )
        assert panel.plan_figure("stops_after_liquidation", name) == (
            f"{t.stops_after_liquidation} of {len(comparison.positions)}"
        )


def test_every_position_has_its_sentence_and_the_selection_follows(
    qtbot, panel: TwinPanel, document
) -> None:
    comparison = compare(document.plan)
    texts = [panel.sentence_list.item(i).text() for i in range(panel.sentence_list.count())]
    assert texts == [f"{p.id}: {p.sentence}" for p in comparison.positions]

    document.set_current("sol-hedge")
    sol = next(p for p in comparison.positions if p.id == "sol-hedge")
    assert panel.sentence_label.text() == sol.sentence
    assert panel.position_combo.currentData() == "sol-hedge"
    assert panel.sentence_list.currentRow() == 2

    # a click on a sentence selects that position in the document
    item = panel.sentence_list.item(1)
    panel.sentence_list.itemClicked.emit(item)
    assert document.current_id == "btc-core"


def test_follows_edits_and_marks_liquidation_before_the_stop(
    qtbot, panel: TwinPanel, document
) -> None:
    document.edit(
        lambda plan: edits.set_position_field(plan, 0, "stop_loss", 2705.0), "Change stop"
    )
    # refreshed after a short pause while visible
    qtbot.waitUntil(
        lambda: (
            panel.position_table.figure("stop_distance", "planned")
            == format_percent((2705.0 - 2900.0) / 2900.0, 2, sign=True)
        ),
        timeout=2000,
    )
    position = compare(document.plan).positions[0]
    assert position.planned.liquidated_before_stop
    assert panel.position_table.is_danger("liquidation_beyond_stop", "planned")
    assert panel.sentence_label.text() == position.sentence


def test_recomputes_only_while_visible(qtbot, document, monkeypatch) -> None:
    calls: list[object] = []
    real = twin_panel.compare

    def counting(plan):
        calls.append(plan)
        return real(plan)

    monkeypatch.setattr(twin_panel, "compare", counting)
    view = TwinPanel(document)
    qtbot.addWidget(view)
    for quantity in (6.0, 7.0, 8.0):
        document.edit(
            lambda plan, q=quantity: edits.set_position_field(plan, 0, "quantity", q), "Size"
        )
    qtbot.wait(100)
    assert calls == []  # hidden: nothing computed
    view.show()
    qtbot.waitExposed(view)
    assert len(calls) == 1 and calls[0] is document.plan  # caught up once on show
    # a burst of edits while visible is folded into one refresh
    for quantity in (9.0, 10.0, 11.0):
        document.edit(
            lambda plan, q=quantity: edits.set_position_field(plan, 0, "quantity", q), "Size"
        )
    qtbot.waitUntil(lambda: len(calls) == 2, timeout=2000)
    qtbot.wait(100)
    assert len(calls) == 2 and calls[-1] is document.plan


def test_every_row_and_column_is_explained(panel: TwinPanel) -> None:
    for table, rows in ((panel.plan_table, PLAN_ROWS), (panel.position_table, POSITION_ROWS)):
        for r, (key, _) in enumerate(rows):
            assert table.verticalHeaderItem(r).toolTip() == explain(key) != ""
        for c in range(table.columnCount()):
            assert table.horizontalHeaderItem(c).toolTip()


def test_empty_plan_says_so(qtbot, document) -> None:
    document.reset(edits.new_plan())
    view = TwinPanel(document)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    assert view.comparison.positions == ()
    assert not view._empty_label.isHidden()
    assert view._position_group.isHidden()


def test_window_tabs_the_decision_docks_with_the_account(qtbot, window) -> None:
    tabbed = window.tabifiedDockWidgets(window.account_dock)
    assert window.twin_dock in tabbed and window.scenarios_dock in tabbed
    assert window.twin_dock.windowTitle() == "Cross vs isolated"
    view_actions = window.view_menu.actions()
    assert window.twin_dock.toggleViewAction() in view_actions
    assert window.scenarios_dock.toggleViewAction() in view_actions
