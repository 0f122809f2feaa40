"""Issue 14: a bounded fuzz test over mutated example plans.

Each example is one of the shipped plans with a few random changes: a number set to an extreme
(the ends of its range, just past them, 0, negatives, subnormals, huge integers), a string
set to hostile text, a key removed or added, a value of the wrong type. Whatever the file
then holds, load → analyze → compare → sweep → report content lets nothing but ``PlanError``
escape, emits no numpy ``RuntimeWarning`` (they would reach stderr), and every JSON document
it makes is strict JSON (no NaN, no Infinity).
"""

from __future__ import annotations

import json
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.domain.errors import PlanError
from planner.domain.plan_analysis import analyze
from planner.domain.scenarios import sweep
from planner.domain.twin import compare
from planner.report.content import build_report
from planner.storage import parse_plan_bytes

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
EXAMPLE_DATA = {p.name: json.loads(p.read_text("utf-8")) for p in sorted(EXAMPLES.glob("*.tplan"))}
#: the whole test stops drawing new examples after this many seconds
BUDGET_SECONDS = 18.0
_START: list[float] = []

EXTREME_NUMBERS = [
    0,
    -1,
    1,
    0.5,
    1e-12,
    9.9e-13,
    1e12,
    1.01e12,
    1e15,
    1.01e15,
    -1e15,
    1000,
    1001,
    5e-324,
    2.2250738585072014e-308,
    1.7e308,
    -1.7e308,
    1e300,
    10**30,
    0.999999999,
    1e-9,
    125,
]
HOSTILE_TEXT = ["", " ", "\x1b[2J", "\u202etxt", "a" * 600, "\x00", "BTCUSDT", "long", "cross"]
OTHER_VALUES = [None, True, [], {}, "12", [1, 2]]


def _leaves(value: Any, path: tuple = ()) -> list[tuple]:
    found = [path] if path else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _leaves(item, (*path, index))
    return found


def _set(data: Any, path: tuple, value: Any, delete: bool = False) -> None:
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@st.composite
def mutated_plans(draw: st.DrawFn) -> bytes:
    name = draw(st.sampled_from(sorted(EXAMPLE_DATA)))
    data = json.loads(json.dumps(EXAMPLE_DATA[name]))
    for _ in range(draw(st.integers(1, 3))):
        action = draw(
            st.sampled_from(
                ["scale", "scale", "scale", "number", "number", "text", "other", "delete"]
            )
        )
        leaves = _leaves(data)
        if draw(st.integers(0, 9)) < 8:  # mostly the plan's own figures, not the tier tables
            leaves = [p for p in leaves if "tiers" not in p and p[0] not in ("format", "version")]
        numbers = [path for path in leaves if _is_number(_get(data, path))]
        if action in ("scale", "number") and numbers:
            path = draw(st.sampled_from(numbers))
            if action == "number":
                _set(data, path, draw(st.sampled_from(EXTREME_NUMBERS)))
            else:
                factor = draw(st.sampled_from([1e-6, 1e-3, 0.1, 0.5, 0.99, 1.01, 2, 10, 1e3, 1e6]))
                _set(data, path, _get(data, path) * factor)
            continue
        path = draw(st.sampled_from(leaves))
        if action == "text":
            _set(data, path, draw(st.sampled_from(HOSTILE_TEXT)))
        elif action == "other":
            _set(data, path, draw(st.sampled_from(OTHER_VALUES)))
        elif action == "delete" and isinstance(path[-1], str):
            _set(data, path, None, delete=True)
    return json.dumps(data).encode("utf-8")


def _get(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


def _strict(document: Any) -> None:
    def refuse(constant: str) -> Any:
        raise AssertionError(f"{constant} in a JSON output")

    json.loads(json.dumps(document), parse_constant=refuse)


def _run_pipeline(data: bytes) -> None:
    try:
        plan = parse_plan_bytes(data, source="fuzz")
    except PlanError:
        return
    try:
        analysis = analyze(plan)
        _strict(analysis.to_dict())
        _strict(compare(plan).to_dict())
        moves = np.linspace(-0.5, 0.5, 11)
        _strict(sweep(plan, symbol=None, moves=moves).to_dict())
        if plan.markets:
            _strict(sweep(plan, symbol=plan.markets[0].symbol, moves=moves).to_dict())
        build_report(plan, analysis=analysis)
    except PlanError:
        return


@settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
@given(mutated_plans())
def test_nothing_but_plan_error_escapes_and_json_is_strict(data: bytes) -> None:
    if not _START:
        _START.append(time.monotonic())
    if time.monotonic() - _START[0] > BUDGET_SECONDS:
        return  # the time budget is spent: the remaining examples pass without running
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        _run_pipeline(data)
