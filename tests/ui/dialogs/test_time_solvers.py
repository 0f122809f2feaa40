"""The solvers for a plan in time, driven by typing: the largest scale-in ladder (Apply writes
the ladder as one undo step, and it is the domain solver's answer) and the funding rate that
liquidates within the horizon."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox

from planner.domain import time_solvers
from planner.domain.formatting import format_percent
from planner.domain.plan_analysis import analyze
from planner.storage import load_plan
from planner.ui.dialogs.solvers.solver_dialog import SolverDialog
from planner.ui.document.plan_document import PlanDocument
from tests.domain.test_timeline import EXAMPLES


def type_into(qtbot, box: QAbstractSpinBox, text: str) -> None:
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Return)


@pytest.fixture
def dialog(qtbot, document) -> SolverDialog:
    view = SolverDialog(document)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_largest_ladder_typed_and_applied(qtbot, dialog: SolverDialog, document) -> None:
    dialog.show_solver("largest_ladder")
    page = dialog.pages["largest_ladder"]
    page.position_combo.setCurrentIndex(0)  # eth-conviction: isolated long, stop 2,800
    type_into(qtbot, page.rungs_spin, "3")
    type_into(qtbot, page.step_spin, "1")
    type_into(qtbot, page.size_scale_spin, "2")
    expected = time_solvers.largest_ladder(
        document.plan,
        "eth-conviction",
        rungs=3,
        step=0.01,
        size_scale=2.0,
        buffer=document.plan.account.risk_limits.stop_buffer,
    )
    assert expected is not None
    answer = dialog.answer
    assert answer.applicable, answer.text
    assert answer.value == expected[0].quantity
    before = document.undo_stack.count()
    dialog.apply_button.click()
    assert document.undo_stack.count() == before + 1
    ladder = document.plan.positions[0].scale_in
    assert [(a.price, a.quantity) for a in ladder] == [(a.price, a.quantity) for a in expected]
    fills = analyze(document.plan).timeline.fills[0]
    assert all(f.reachable for f in fills)
    document.undo_stack.undo()
    assert document.plan.positions[0].scale_in == ()


def test_funding_rate_page_needs_a_horizon_then_answers(qtbot) -> None:
    plan = load_plan(next(p for p in EXAMPLES if p.stem == "dca-ladder"))
    document = PlanDocument(plan)
    view = SolverDialog(document)
    qtbot.addWidget(view)
    view.show()
    view.show_solver("funding_rate_to_liquidate")
    rate = time_solvers.funding_rate_to_liquidate(plan, "btc-dca")
    assert rate is not None and rate > plan.markets[0].funding_rate
    assert format_percent(rate, 4, sign=True) in view.answer.text
    assert not view.answer.applicable
    held_now = plan.model_copy(update={"horizon_hours": 0.0})
    document.reset(held_now)
    view.show_solver("funding_rate_to_liquidate")
    assert "no horizon" in view.answer.text
