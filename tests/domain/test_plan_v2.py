"""Plan format version 2 (spec/plan-format-v2.md): every version-1 file loads unchanged and
saves as version 2 with every version-1 field as it was; each new field's rule is refused
naming its path; a plan with every new field set round-trips; every number has a sane range
(issue 14 item 6) and no analysis or comparison document can hold NaN or infinity."""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from planner.cli import main
from planner.domain.errors import PlanError, describe
from planner.domain.finite import finite_or_none
from planner.domain.plan import PLAN_VERSION, Plan
from planner.domain.plan_analysis import analyze
from planner.domain.twin import compare
from planner.storage import load_plan, parse_plan_bytes, plan_to_bytes
from planner.storage.plan_file import plan_to_data

ROOT = Path(__file__).parents[2]
# version-1 files the program wrote (hand-written ones spell out defaults the writer omits)
V1_FILES = sorted((ROOT / "tests" / "storage" / "golden" / "v1").glob("*.tplan"))
EXAMPLES = sorted((ROOT / "resources" / "examples").glob("*.tplan"))
BASE: dict[str, Any] = json.loads((ROOT / "tests/domain/data/spec_example.tplan").read_text())
# markets: 0 BTCUSDT (tiers), 1 ETHUSDT, 2 SOLUSDT; positions: 0 ETH isolated, 1 BTC cross, 2 SOL


def test_version_is_2() -> None:
    assert PLAN_VERSION == 2


@pytest.mark.parametrize("path", V1_FILES, ids=lambda p: p.name)
def test_a_version_1_file_saves_as_version_2_with_every_field_unchanged(path: Path) -> None:
    text = path.read_bytes()
    original = json.loads(text)
    assert original["version"] == 1
    plan = load_plan(path)
    assert plan.version == 2
    written = plan_to_bytes(plan)
    saved = json.loads(written)
    assert saved["version"] == 2
    # every version-1 field as it was; nothing added (the new fields are at their defaults)
    assert {**saved, "version": 1} == original
    assert parse_plan_bytes(written) == plan


@pytest.mark.parametrize("path", V1_FILES, ids=lambda p: p.name)
def test_a_file_the_program_wrote_differs_from_its_v1_text_in_the_version_alone(
    path: Path,
) -> None:
    plan = load_plan(path)
    v1_text = plan_to_bytes(plan).replace(b'"version": 2,', b'"version": 1,', 1)
    assert parse_plan_bytes(v1_text) == plan  # the version-1 text of the plan loads the same
    assert v1_text == path.read_bytes()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_are_version_2_and_load_as_their_version_1_text(path: Path) -> None:
    text = path.read_bytes()
    assert json.loads(text)["version"] == 2
    as_v1 = text.replace(b'"version": 2,', b'"version": 1,', 1)
    assert parse_plan_bytes(as_v1) == parse_plan_bytes(text)


FULL_V2: dict[str, Any] = {
    "horizon_hours": 72,
    "account": {
        "risk_limits": {"risk_per_position": 0.01, "total_risk": 0.05, "max_leverage": 5},
        "collateral": [
            {"asset": "BTC", "amount": 0.5, "price_symbol": "BTCUSDT", "value_ratio": 0.95},
            {
                "asset": "SOL",
                "amount": 20,
                "price": 150,
                "value_ratio_tiers": [
                    {"amount_floor": 0, "ratio": 0.95},
                    {"amount_floor": 10, "ratio": 0.9},
                ],
            },
        ],
    },
    "market": {
        "quantity_step": 0.001,
        "min_quantity": 0.001,
        "funding_rate": 0.0001,
        "funding_interval_hours": 4,
        "quote_as_of": "2024-10-24T08:00:00Z",
    },
    "position": {
        "scale_in": [{"price": 2900, "quantity": 1}, {"price": 2850, "quantity": 2}],
        "venue_liquidation_price": 2712.5,
    },
}


def full_v2_data() -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data["version"] = 2
    data["horizon_hours"] = FULL_V2["horizon_hours"]
    data["account"].update(copy.deepcopy(FULL_V2["account"]))
    data["markets"][0].update(FULL_V2["market"])
    data["positions"][0].update(copy.deepcopy(FULL_V2["position"]))
    return data


def test_every_v2_field_round_trips() -> None:
    plan = Plan.model_validate(full_v2_data())
    assert plan.horizon_hours == 72
    limits = plan.account.risk_limits
    assert (limits.risk_per_position, limits.total_risk, limits.stop_buffer) == (0.01, 0.05, 0.01)
    assert limits.max_leverage == 5
    btc, sol = plan.account.collateral
    assert btc.price_symbol == "BTCUSDT" and btc.price is None
    assert sol.value_at(150) == pytest.approx((10 * 0.95 + 10 * 0.9) * 150)
    assert btc.value_at(60000) == pytest.approx(0.5 * 60000 * 0.95)
    market = plan.markets[0]
    assert (market.quantity_step, market.min_quantity) == (0.001, 0.001)
    assert (market.funding_rate, market.funding_interval_hours) == (0.0001, 4)
    assert market.quote_as_of == "2024-10-24T08:00:00Z"
    position = plan.positions[0]
    assert [(s.price, s.quantity) for s in position.scale_in] == [(2900, 1), (2850, 2)]
    assert position.venue_liquidation_price == 2712.5

    written = plan_to_bytes(plan)
    assert parse_plan_bytes(written) == plan
    assert plan_to_bytes(parse_plan_bytes(written)) == written
    data = json.loads(written)
    assert list(data)[:6] == ["format", "version", "name", "notes", "horizon_hours", "account"]
    assert list(data["account"])[-2:] == ["risk_limits", "collateral"]
    assert list(data["markets"][0])[-2:] == ["quote_as_of", "maintenance"]
    assert list(data["positions"][0])[-3:] == ["scale_in", "venue_liquidation_price", "notes"]
    assert '      {"price": 2900, "quantity": 1},\n' in written.decode()


def test_defaults_of_the_v2_fields() -> None:
    plan = Plan.model_validate(BASE)
    assert plan.horizon_hours == 0
    limits = plan.account.risk_limits
    assert (limits.risk_per_position, limits.total_risk, limits.stop_buffer) == (0.02, 0.06, 0.01)
    assert limits.max_leverage is None
    assert plan.account.collateral == ()
    market = plan.markets[0]
    assert market.quantity_step is None and market.min_quantity is None
    assert (market.funding_rate, market.funding_interval_hours) == (0, 8)
    assert market.quote_as_of is None
    assert plan.positions[0].scale_in == () and plan.positions[0].venue_liquidation_price is None
    data = plan_to_data(plan)
    for absent in ("horizon_hours",):
        assert absent not in data
    assert "risk_limits" not in data["account"] and "collateral" not in data["account"]


def test_wallet_may_be_0_with_collateral_only() -> None:
    data = full_v2_data()
    data["account"]["wallet_balance"] = 0
    assert Plan.model_validate(data).account.wallet_balance == 0
    data["account"]["collateral"] = []
    error = refusal(lambda d: None, data)
    assert str(error).startswith("account.wallet_balance = 0: ")
    assert "greater than 0" in str(error) and "collateral" in str(error)


def refusal(edit: Callable[[dict[str, Any]], Any], data: dict[str, Any] | None = None) -> PlanError:
    data = full_v2_data() if data is None else copy.deepcopy(data)
    edit(data)
    with pytest.raises(ValidationError) as caught:
        Plan.model_validate(data)
    error = describe(caught.value)
    assert "\n" not in str(error) and "Traceback" not in str(error)
    return error


def setter(*path: Any) -> Callable[[Any], Callable[[dict[str, Any]], None]]:
    def with_value(value: Any) -> Callable[[dict[str, Any]], None]:
        def edit(data: dict[str, Any]) -> None:
            target = data
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value

        return edit

    return with_value


def _delete(*path: Any) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return edit


def _both(edit_a: Callable, edit_b: Callable) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        edit_a(data)
        edit_b(data)

    return edit


COLLATERAL = ("account", "collateral")
TIERS = (*COLLATERAL, 1, "value_ratio_tiers")

# (name, edit, path, value as shown, words of the rule)
V2_RULES: list[tuple[str, Callable[[dict[str, Any]], None], str, str, str]] = [
    ("negative horizon", setter("horizon_hours")(-1), "horizon_hours", "-1", "greater than"),
    ("horizon of a century", setter("horizon_hours")(876000), "horizon_hours", "876000", "87600"),
    (
        "risk per position of 0",
        setter("account", "risk_limits", "risk_per_position")(0),
        "account.risk_limits.risk_per_position",
        "0",
        "greater than 0",
    ),
    (
        "total risk above 1",
        setter("account", "risk_limits", "total_risk")(1.5),
        "account.risk_limits.total_risk",
        "1.5",
        "less than or equal to 1",
    ),
    (
        "negative stop buffer",
        setter("account", "risk_limits", "stop_buffer")(-0.01),
        "account.risk_limits.stop_buffer",
        "-0.01",
        "greater than or equal to 0",
    ),
    (
        "max leverage below 1",
        setter("account", "risk_limits", "max_leverage")(0.5),
        "account.risk_limits.max_leverage",
        "0.5",
        "leverage must be within 1 … 1000",
    ),
    (
        "unknown risk limit",
        setter("account", "risk_limits", "daily_loss")(0.1),
        "account.risk_limits.daily_loss",
        "0.1",
        "unknown field",
    ),
    ("blank asset", setter(*COLLATERAL, 0, "asset")(" "), "account.collateral[0].asset", "", ""),
    (
        "collateral in the account's currency",
        setter(*COLLATERAL, 0, "asset")("USDT"),
        "account.collateral[0].asset",
        "'USDT'",
        "the account's currency",
    ),
    (
        "an asset twice",
        setter(*COLLATERAL, 1, "asset")("BTC"),
        "account.collateral[1].asset",
        "'BTC'",
        "unique",
    ),
    (
        "amount 0",
        setter(*COLLATERAL, 0, "amount")(0),
        "account.collateral[0].amount",
        "0",
        "greater than 0",
    ),
    (
        "both price and price symbol",
        setter(*COLLATERAL, 0, "price")(60000),
        "account.collateral[0].price",
        "60000",
        "not both",
    ),
    (
        "neither price nor price symbol",
        _delete(*COLLATERAL, 1, "price"),
        "account.collateral[1].price_symbol",
        "(missing)",
        "give either price_symbol",
    ),
    (
        "price symbol of no market",
        setter(*COLLATERAL, 0, "price_symbol")("BTCUSDC"),
        "account.collateral[0].price_symbol",
        "'BTCUSDC'",
        "no market with this symbol",
    ),
    (
        "negative price",
        setter(*COLLATERAL, 1, "price")(-150),
        "account.collateral[1].price",
        "-150",
        "greater than 0",
    ),
    (
        "value ratio above 1",
        setter(*COLLATERAL, 0, "value_ratio")(1.2),
        "account.collateral[0].value_ratio",
        "1.2",
        "less than or equal to 1",
    ),
    (
        "value ratio 0",
        setter(*COLLATERAL, 0, "value_ratio")(0),
        "account.collateral[0].value_ratio",
        "0",
        "greater than 0",
    ),
    (
        "value ratio and tiers",
        setter(*COLLATERAL, 1, "value_ratio")(0.9),
        "account.collateral[1].value_ratio",
        "0.9",
        "not both",
    ),
    (
        "tiers not starting at 0",
        setter(*TIERS, 0, "amount_floor")(1),
        "account.collateral[1].value_ratio_tiers[0].amount_floor",
        "1",
        "first tier starts at 0",
    ),
    (
        "unsorted tiers",
        setter(*TIERS, 1, "amount_floor")(0),
        "account.collateral[1].value_ratio_tiers[1].amount_floor",
        "0",
        "sorted",
    ),
    (
        "tier ratio above 1",
        setter(*TIERS, 1, "ratio")(1.1),
        "account.collateral[1].value_ratio_tiers[1].ratio",
        "1.1",
        "less than or equal to 1",
    ),
    (
        "empty tier list",
        setter(*TIERS)([]),
        "account.collateral[1].value_ratio_tiers",
        "",
        "at least 1",
    ),
    (
        "quantity step 0",
        setter("markets", 0, "quantity_step")(0),
        "markets[0].quantity_step",
        "0",
        "greater than 0",
    ),
    (
        "negative min quantity",
        setter("markets", 0, "min_quantity")(-1),
        "markets[0].min_quantity",
        "-1",
        "greater than 0",
    ),
    (
        "funding rate of 50 %",
        setter("markets", 0, "funding_rate")(0.5),
        "markets[0].funding_rate",
        "0.5",
        "funding rates must be within -0.1 … 0.1",
    ),
    (
        "funding interval 0",
        setter("markets", 0, "funding_interval_hours")(0),
        "markets[0].funding_interval_hours",
        "0",
        "greater than 0",
    ),
    (
        "quote time not ISO 8601",
        setter("markets", 0, "quote_as_of")("yesterday"),
        "markets[0].quote_as_of",
        "'yesterday'",
        "ISO 8601",
    ),
    (
        "scale-in price 0",
        setter("positions", 0, "scale_in", 0, "price")(0),
        "positions[0].scale_in[0].price",
        "0",
        "greater than 0",
    ),
    (
        "scale-in quantity negative",
        setter("positions", 0, "scale_in", 1, "quantity")(-2),
        "positions[0].scale_in[1].quantity",
        "-2",
        "greater than 0",
    ),
    (
        "scale-in without quantity",
        _delete("positions", 0, "scale_in", 1, "quantity"),
        "positions[0].scale_in[1].quantity",
        "",
        "required",
    ),
    (
        "venue liquidation price 0",
        setter("positions", 0, "venue_liquidation_price")(0),
        "positions[0].venue_liquidation_price",
        "0",
        "greater than 0",
    ),
]


@pytest.mark.parametrize(
    ("edit", "path", "value", "rule"),
    [case[1:] for case in V2_RULES],
    ids=[case[0] for case in V2_RULES],
)
def test_each_v2_rule_is_refused_naming_field_value_and_rule(
    edit: Callable[[dict[str, Any]], None], path: str, value: str, rule: str
) -> None:
    error = refusal(edit)
    assert error.field == path, str(error)
    assert str(error).startswith(f"{path} = {value}:" if value else f"{path}"), str(error)
    assert rule in str(error)


# --- ranges (issue 14 item 6) ----------------------------------------------------------------

RANGES: list[tuple[tuple[Any, ...], float, str]] = [
    (("markets", 1, "mark_price"), 5e-324, "prices must be within 1e-12 … 1e12"),
    (("markets", 1, "mark_price"), 2e12, "prices must be within 1e-12 … 1e12"),
    (("markets", 1, "tick_size"), 1e13, "prices"),
    (("markets", 1, "contract_size"), 1e-13, "quantities"),
    (("positions", 0, "entry_price"), 1e300, "prices"),
    (("positions", 0, "quantity"), 1e300, "quantities must be within 1e-12 … 1e12"),
    (("positions", 0, "stop_loss"), 1.7e308, "prices"),
    (("positions", 0, "take_profits", 0, "price"), 1.7e308, "prices"),
    (("positions", 0, "leverage"), 5e-324, "leverage must be within 1 … 1000"),
    (("positions", 0, "leverage"), 0.5, "leverage must be within 1 … 1000"),
    (("positions", 1, "leverage"), 1001, "leverage"),
    (("positions", 0, "added_margin"), 1e16, "amounts must be within -1e15 … 1e15"),
    (("account", "wallet_balance"), 1e22, "wallet balances must be within 0 … 1e15"),
    (("account", "taker_fee_rate"), 0.05, "fee rates must be within 0 … 0.01"),
    (("account", "maker_fee_rate"), 0.5, "fee rates"),
    (("markets", 0, "maintenance", "tiers", 2, "notional_cap"), 1e300, "notionals"),
    (("markets", 1, "maintenance", "maintenance_amount"), -1e300, "amounts"),
    (("markets", 1, "maintenance", "max_leverage"), 1e6, "leverage"),
]


@pytest.mark.parametrize(
    ("path", "value", "rule"), RANGES, ids=[f"{'.'.join(map(str, c[0]))}={c[1]}" for c in RANGES]
)
def test_numbers_outside_their_range_are_refused(
    path: tuple[Any, ...], value: float, rule: str
) -> None:
    data = copy.deepcopy(BASE)
    error = refusal(setter(*path)(value), data)
    shown = ".".join(str(p) for p in path).replace(".0", "[0]").replace(".1", "[1]")
    shown = shown.replace(".2", "[2]")
    assert error.field == shown
    assert str(error).startswith(f"{shown} = "), str(error)
    assert rule in str(error)


def test_the_ends_of_each_range_are_accepted() -> None:
    data = copy.deepcopy(BASE)
    data["account"]["wallet_balance"] = 1e15
    data["account"]["taker_fee_rate"] = 0.01
    data["positions"][1]["leverage"] = 1  # at most the tier's 125
    data["positions"][0]["take_profits"] = [{"price": 1e12, "fraction": 1}]
    data["markets"][2]["tick_size"] = 1e-12
    plan = Plan.model_validate(data)
    assert plan.account.wallet_balance == 1e15


# the overflow cases of issue 14 item 6: each refused at load, exit 2, one line, no traceback
OVERFLOWS: dict[str, Callable[[dict[str, Any]], None]] = {
    "take-profit 1.7e308": setter("positions", 0, "take_profits", 0, "price")(1.7e308),
    "entry 1e300 × quantity 1e300": _both(
        setter("positions", 1, "entry_price")(1e300), setter("positions", 1, "quantity")(1e300)
    ),
    "leverage 5e-324": setter("positions", 2, "leverage")(5e-324),
    "wallet 1e22": setter("account", "wallet_balance")(1e22),
    "mark 5e-324": setter("markets", 2, "mark_price")(5e-324),
}


@pytest.mark.parametrize("command", ["check", "analyze", "compare", "sweep"])
@pytest.mark.parametrize("case", list(OVERFLOWS))
def test_overflowing_plans_are_refused_with_exit_2(
    case: str, command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = copy.deepcopy(BASE)
    OVERFLOWS[case](data)
    path = tmp_path / "overflow.tplan"
    path.write_text(json.dumps(data), encoding="utf-8")
    args = [command, str(path)]
    if command == "analyze":
        args.append("--json")
    if command == "sweep":
        args += ["--symbol", "ETHUSDT"]
    with pytest.raises(SystemExit) as caught:
        raise SystemExit(main(args))
    assert caught.value.code == 2
    out, err = capsys.readouterr()
    message = err if command != "check" else out  # check reports each file on stdout
    assert len(message.strip().splitlines()) == 1 and "Traceback" not in out + err
    assert "out of range" in message


def test_documents_never_hold_nan_or_infinity() -> None:
    assert finite_or_none({"a": [1.0, math.nan, (math.inf, -math.inf)], "b": "x", "c": True}) == {
        "a": [1.0, None, [None, None]],
        "b": "x",
        "c": True,
    }
    # the most extreme plan the ranges allow still gives strict JSON everywhere
    data = copy.deepcopy(BASE)
    data["account"]["wallet_balance"] = 1e15
    data["markets"][2]["mark_price"] = 1e-12
    data["positions"][2].update(entry_price=1e-12, quantity=1e12, leverage=1)
    data["positions"][0].update(take_profits=[{"price": 1e12, "fraction": 1}], stop_loss=1e-12)
    plan = Plan.model_validate(data)
    json.dumps(analyze(plan).to_dict(), allow_nan=False)
    json.dumps(compare(plan).to_dict(), allow_nan=False)


def test_to_dict_turns_any_non_finite_figure_into_null() -> None:
    analysis = analyze(Plan.model_validate(BASE))
    # figures that overflowed somewhere in the engine (not reachable from a valid plan)
    analysis.columns["liquidation_price"][0] = math.inf
    analysis.columns["notional"][1] = math.nan
    analysis.break_even[2] = -math.inf
    data = json.loads(json.dumps(analysis.to_dict(), allow_nan=False))
    assert data["positions"][0]["liquidation_price"] is None
    assert data["positions"][1]["notional"] is None
    assert data["positions"][2]["break_even_price"] is None
    assert data["account"]["gross_notional"] is None  # Σ |notional| with a NaN in it


def test_the_schema_is_version_2_with_every_new_field() -> None:
    from planner.commands.schema import plan_schema

    schema = plan_schema()
    assert schema["title"] == "Margin Planner plan file, version 2"
    assert schema["properties"]["version"]["const"] == 2
    assert "horizon_hours" in schema["properties"]
    defs = schema["$defs"]
    assert {"risk_limits", "collateral"} <= set(defs["Account"]["properties"])
    assert {"risk_per_position", "total_risk", "stop_buffer", "max_leverage"} == set(
        defs["RiskLimits"]["properties"]
    )
    assert {"asset", "amount", "price_symbol", "price", "value_ratio", "value_ratio_tiers"} == set(
        defs["Collateral"]["properties"]
    )
    market = set(defs["Market"]["properties"])
    assert {
        "quantity_step",
        "min_quantity",
        "funding_rate",
        "funding_interval_hours",
        "quote_as_of",
    } <= market
    assert {"scale_in", "venue_liquidation_price"} <= set(defs["Position"]["properties"])
