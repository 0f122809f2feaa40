"""Every number of a plan is a JSON number: ``true``/``false`` and strings such as ``"0.5"``
where a number belongs are refused with the usual ``path = value: rule`` line, never read as
1, 0 or 0.5; JSON integers stay numbers (``"wallet_balance": 10000``). The window's edits,
which build plans from Python values (lists for tuples, existing models), still validate."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from planner.cli import main
from planner.domain.errors import PlanError
from planner.domain.plan import Plan
from planner.storage import parse_plan_bytes
from tests.domain.test_plan_v2 import full_v2_data


def every_number_data() -> dict[str, Any]:
    """A valid plan that sets every numeric field of every model at least once."""
    data = full_v2_data()
    data["account"]["taker_fee_rate"] = 0.0005
    data["account"]["maker_fee_rate"] = 0.0002
    data["account"]["risk_limits"]["stop_buffer"] = 0.02
    data["markets"][0]["contract_size"] = 1
    data["positions"][0]["added_margin"] = 10
    return data


def numeric_paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in numeric_paths(item, (*path, key))]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in numeric_paths(item, (*path, i))]
    if isinstance(value, (int, float)) and not isinstance(value, bool) and path != ("version",):
        return [path]
    return []


def shown(path: tuple[Any, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def with_value(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    data = every_number_data()
    target: Any = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return data


PATHS = numeric_paths(every_number_data())


def _float_fields(model: type[BaseModel], seen: set[type]) -> set[str]:
    names: set[str] = set()
    if model in seen:
        return names
    seen.add(model)
    for name, field in model.model_fields.items():
        stack = [field.annotation]
        while stack:
            kind = stack.pop()
            if kind is float:
                names.add(f"{model.__name__}.{name}")
            elif isinstance(kind, type) and issubclass(kind, BaseModel):
                names |= _float_fields(kind, seen)
            else:
                stack.extend(a for a in typing.get_args(kind) if a is not Ellipsis)
    return names


def test_the_plan_used_here_sets_every_numeric_field_of_the_model() -> None:
    plan = Plan.model_validate(every_number_data())
    assert plan.account.risk_limits.stop_buffer == 0.02
    fields = _float_fields(Plan, set())
    covered = {name.split(".")[1] for name in fields}
    keys = {path[-1] for path in PATHS}
    assert covered <= keys, covered - keys


@pytest.mark.parametrize("path", PATHS, ids=shown)
@pytest.mark.parametrize(
    ("value", "text", "rule"),
    [
        (True, "true", "a number is required (got true)"),
        (False, "false", "a number is required (got false)"),
        ("0.5", "'0.5'", "a number is required (got text)"),
        ("10", "'10'", "a number is required (got text)"),
    ],
    ids=["true", "false", "string", "whole-string"],
)
def test_booleans_and_strings_are_not_numbers(
    path: tuple[Any, ...], value: Any, text: str, rule: str
) -> None:
    data = with_value(path, value)
    with pytest.raises(PlanError) as caught:
        parse_plan_bytes(json.dumps(data).encode(), source="p.tplan")
    assert str(caught.value).startswith(f"p.tplan: {shown(path)} = {text}: {rule}")
    assert caught.value.field == shown(path)


@pytest.mark.parametrize("path", PATHS, ids=shown)
def test_json_integers_stay_numbers(path: tuple[Any, ...]) -> None:
    data = every_number_data()
    target: Any = data
    for part in path[:-1]:
        target = target[part]
    if isinstance(target[path[-1]], int):
        return
    # an integral float written as an integer is read as that float
    rounded = float(target[path[-1]])
    if rounded.is_integer():
        target[path[-1]] = int(rounded)
    plan = parse_plan_bytes(json.dumps(data).encode())
    assert isinstance(plan, Plan)


def test_python_values_still_validate_lists_for_tuples_and_models() -> None:
    plan = Plan.model_validate(every_number_data())
    data = every_number_data()
    data["markets"] = list(plan.markets)  # existing model instances
    data["account"] = plan.account
    data["positions"][0]["take_profits"] = [plan.positions[0].take_profits[0]]
    assert Plan.model_validate(data).markets == plan.markets
    # numpy-style float subclasses and plain ints where floats belong
    data = every_number_data()
    data["positions"][1]["quantity"] = _FloatSub(0.5)
    data["account"]["wallet_balance"] = 20000
    assert Plan.model_validate(data).positions[1].quantity == 0.5


class _FloatSub(float):
    pass


def _bad_plan(tmp_path: Path, edit: Any) -> Path:
    data = every_number_data()
    edit(data)
    path = tmp_path / "bad.tplan"
    path.write_text(json.dumps(data, indent=2))
    return path


@pytest.mark.parametrize(
    ("edit", "line"),
    [
        (
            lambda d: d["positions"][1].update(quantity=True),
            "positions[1].quantity = true: a number is required (got true)",
        ),
        (
            lambda d: d["positions"][1].update(leverage="10"),
            "positions[1].leverage = '10': a number is required (got text)",
        ),
        (
            lambda d: d["positions"][0].update(stop_loss=False),
            "positions[0].stop_loss = false: a number is required (got false)",
        ),
        (
            lambda d: d["markets"][1].update(mark_price="60000"),
            "markets[1].mark_price = '60000': a number is required (got text)",
        ),
        (
            lambda d: d["markets"][0]["maintenance"]["tiers"][1].update(mmr="0.005"),
            "markets[0].maintenance.tiers[1].mmr = '0.005': a number is required (got text)",
        ),
    ],
    ids=["quantity-true", "leverage-string", "stop-false", "mark-string", "tier-mmr-string"],
)
def test_check_and_analyze_refuse_the_wrong_json_type(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: Any, line: str
) -> None:
    path = _bad_plan(tmp_path, edit)
    before = path.read_bytes()
    assert main(["check", str(path)]) == 2
    out, _err = capsys.readouterr()
    assert out.splitlines() == [f"{path}: {line}"]
    assert main(["analyze", str(path)]) == 2
    _out, err = capsys.readouterr()
    assert f"{path}: {line}" in err
    assert path.read_bytes() == before


def test_the_installed_command_refuses_a_boolean_quantity(tmp_path: Path) -> None:
    path = _bad_plan(tmp_path, lambda d: d["positions"][1].update(quantity=True))
    result = subprocess.run(
        [sys.executable, "-m", "planner", "check", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == (
        f"{path}: positions[1].quantity = true: a number is required (got true)\n"
    )


def test_copying_the_plan_keeps_every_number() -> None:
    data = every_number_data()
    assert Plan.model_validate(copy.deepcopy(data)) == Plan.model_validate(data)


# Messages in a trader's words (pydantic's "Input should be a valid tuple", "= None" never show)


def _delete(*path: Any) -> Any:
    def edit(data: dict[str, Any]) -> None:
        target: Any = data
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]

    return edit


def _set(value: Any, *path: Any) -> Any:
    def edit(data: dict[str, Any]) -> None:
        target: Any = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return edit


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            _delete("positions", 0, "quantity"),
            "positions[0].quantity = (missing): a number is required",
        ),
        (
            _set(None, "positions", 0, "quantity"),
            "positions[0].quantity = (missing): a number is required",
        ),
        (
            _delete("markets", 0, "maintenance", "tiers", 0, "mmr"),
            "markets[0].maintenance.tiers[0].mmr = (missing): a number is required",
        ),
        (
            _delete("markets", 1, "maintenance", "mmr"),
            "markets[1].maintenance.mmr = (missing): a number is required",
        ),
        (_delete("positions", 0, "id"), "positions[0].id = (missing): text is required"),
        (
            _delete("positions", 0, "side"),
            "positions[0].side = (missing): one of 'long', 'short' is required",
        ),
        (_delete("account"), "account = (missing): an object is required"),
        (
            _set(5, "positions", 0, "take_profits"),
            "positions[0].take_profits = 5: a list is required (got a number)",
        ),
        (
            _set(None, "positions", 0, "scale_in"),
            "positions[0].scale_in = (missing): a list is required",
        ),
        (_set({"a": 1}, "markets"), "markets: a list is required (got an object)"),
        (_set("rich", "account"), "account = 'rich': an object is required (got text)"),
        (
            _set([1], "positions", 0, "quantity"),
            "positions[0].quantity: a number is required (got a list)",
        ),
        (_set(5, "markets", 0, "symbol"), "markets[0].symbol = 5: text is required (got a number)"),
        (
            _set(-1, "positions", 0, "stop_loss"),
            "positions[0].stop_loss = -1: must be greater than 0",
        ),
        (
            _set(10**400, "positions", 0, "quantity"),
            "positions[0].quantity = a number with 401 digits: "
            "out of range: far too large a number",
        ),
        (
            _set([{"price": 3300, "fraction": 0.01}] * 51, "positions", 0, "take_profits"),
            "positions[0].take_profits: a list of at most 50 items is required (it has 51)",
        ),
        (
            _set(None, "markets", 0, "maintenance", "tiers", 1, "notional_cap"),
            "markets[0].maintenance.tiers[1].notional_cap = (missing): "
            "only the last tier may have no cap",
        ),
    ],
)
def test_refusals_speak_a_traders_words(edit: Any, message: str) -> None:
    data = every_number_data()
    edit(data)
    with pytest.raises(PlanError) as caught:
        parse_plan_bytes(json.dumps(data).encode(), source="p.tplan")
    text = str(caught.value)
    assert text == f"p.tplan: {message}" or text.startswith(f"p.tplan: {message} (and ")
    for python in ("None", "Input should", "valid tuple", "valid list", "Field required", "True"):
        assert python not in text
