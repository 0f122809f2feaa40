"""Lot steps (spec/plan-format-v2.md, markets[].quantity_step): sizes that solvers compute are
rounded down to the step, so they never exceed what was asked for."""

from __future__ import annotations

import pytest

from planner.domain.plan import Plan
from planner.domain.sizing import (
    is_multiple_of_step,
    round_down_significant,
    round_down_to_step,
)
from planner.domain.solvers import largest_cross_quantity, size_for_risk
from tests.domain.decision_fixtures import make_plan, pos


@pytest.mark.parametrize(
    ("quantity", "step", "expected"),
    [
        (1.9468, 0.01, 1.94),
        (0.3, 0.1, 0.3),  # 0.3 / 0.1 is 2.9999999999999996 in binary
        (12345.6, 5, 12345),
        (0.0049, 0.001, 0.004),
        (7.99, 0.3, 7.8),
        (1.5, None, 1.5),
        (0.05, 0.1, 0.0),
    ],
)
def test_round_down_to_step(quantity: float, step: float | None, expected: float) -> None:
    assert round_down_to_step(quantity, step) == pytest.approx(expected, abs=1e-12)
    if step:
        assert round_down_to_step(quantity, step) <= quantity + 1e-12


def test_multiples_and_significant_figures() -> None:
    assert is_multiple_of_step(0.3, 0.1) and is_multiple_of_step(1.01, 0.01)
    assert not is_multiple_of_step(1.005, 0.01)
    assert round_down_significant(1.94677) == 1.94
    assert round_down_significant(1946.77) == 1940
    assert round_down_significant(0.0019467) == pytest.approx(0.00194)


def _stepped(plan: Plan, step: float) -> Plan:
    data = plan.model_dump()
    for market in data["markets"]:
        market["quantity_step"] = step
    return Plan.model_validate(data)


def test_size_for_risk_is_rounded_down_to_the_step() -> None:
    plan = make_plan([pos("e", "ETHUSDT", "long", 1, 2900, 10, "isolated", stop_loss=2830)])
    exact = size_for_risk(plan, "e", risk_amount=400)  # 400 / 70 = 5.714…
    assert exact == pytest.approx(400 / 70)
    assert size_for_risk(_stepped(plan, 0.5), "e", risk_amount=400) == pytest.approx(5.5)
    assert size_for_risk(_stepped(plan, 0.001), "e", risk_amount=400) == pytest.approx(5.714)


def test_largest_cross_quantity_is_rounded_down_to_the_step() -> None:
    plan = make_plan([pos("b", "BTCUSDT", "long", 0.5, 58000, 10, "cross")])
    exact = largest_cross_quantity(plan, "ETHUSDT", "long", 10, 2900)
    assert exact is not None and not is_multiple_of_step(exact, 0.01)
    stepped = largest_cross_quantity(_stepped(plan, 0.01), "ETHUSDT", "long", 10, 2900)
    assert stepped == pytest.approx(round_down_to_step(exact, 0.01))
    assert stepped <= exact and exact - stepped < 0.01
