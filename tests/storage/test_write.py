"""Writing .tplan files: field order, layout, numbers as typed, stable bytes."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from planner.domain.plan import Plan
from planner.storage import load_plan, parse_plan_bytes, plan_to_bytes
from planner.storage.plan_file import json_document, json_number, plan_to_data
from tests.conftest import EXAMPLES
from tests.storage.helpers import make_plan, plan_data

SPEC_EXAMPLE = Path(__file__).parents[1] / "domain" / "data" / "spec_example.tplan"

SPEC_ORDER = {
    "plan": ["format", "version", "name", "notes", "account", "markets", "positions"],
    "account": [
        "currency",
        "wallet_balance",
        "venue",
        "position_mode",
        "taker_fee_rate",
        "maker_fee_rate",
    ],
    "market": ["symbol", "contract", "contract_size", "mark_price", "tick_size", "maintenance"],
    "tier": ["notional_floor", "notional_cap", "max_leverage", "mmr", "maintenance_amount"],
    "position": [
        "id",
        "symbol",
        "side",
        "quantity",
        "entry_price",
        "leverage",
        "margin_mode",
        "added_margin",
        "stop_loss",
        "take_profits",
        "notes",
    ],
}


def _in_order(keys: list[str], order: list[str]) -> bool:
    return keys == [k for k in order if k in keys]


def test_keys_follow_the_spec_order() -> None:
    data = json.loads(plan_to_bytes(load_plan(SPEC_EXAMPLE)))
    assert list(data) == SPEC_ORDER["plan"]
    assert list(data["account"]) == SPEC_ORDER["account"]
    for market in data["markets"]:
        assert _in_order(list(market), SPEC_ORDER["market"]), list(market)
    for tier in data["markets"][0]["maintenance"]["tiers"]:
        assert list(tier) == SPEC_ORDER["tier"]
    assert list(data["markets"][0]["maintenance"]) == ["tiers", "source", "as_of"]
    for position in data["positions"]:
        assert _in_order(list(position), SPEC_ORDER["position"]), list(position)


def test_layout_is_indented_with_one_tier_and_one_take_profit_per_line() -> None:
    text = plan_to_bytes(load_plan(SPEC_EXAMPLE)).decode("utf-8")
    assert text.startswith('{\n  "format": "margin-planner.plan",\n  "version": 2,\n')
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert (
        '          {"notional_floor": 50000, "notional_cap": 600000, "max_leverage": 100, '
        '"mmr": 0.005, "maintenance_amount": 50},\n'
    ) in text
    assert '        {"price": 3300, "fraction": 0.5},\n' in text
    assert '    "wallet_balance": 20000,\n' in text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (50000.0, "50000"),
        (0.1, "0.1"),
        (0.0005, "0.0005"),
        (0.00001, "0.00001"),
        (2.5e-7, "0.00000025"),
        (123456.789, "123456.789"),
        (0.30000000000000004, "0.30000000000000004"),
        (-500.0, "-500"),
        (-0.0, "0"),
        (1e21, "1000000000000000000000"),
        (1e-300, "1e-300"),
        (58000.1, "58000.1"),
    ],
)
def test_numbers_are_written_as_typed(value: float, text: str) -> None:
    assert json_number(value) == text
    assert float(json.loads(text)) == value


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_numbers_without_a_json_form_are_refused(value: float) -> None:
    with pytest.raises(ValueError):
        json_number(value)


def test_typed_values_come_back_identical() -> None:
    plan = make_plan(
        account={
            "currency": "USDT",
            "wallet_balance": 10000.5,
            "taker_fee_rate": 0.0004,
            "maker_fee_rate": 0.00001,
        }
    )
    text = plan_to_bytes(plan).decode("utf-8")
    for fragment in (
        '"wallet_balance": 10000.5,',
        '"taker_fee_rate": 0.0004,',
        '"maker_fee_rate": 0.00001',
        '"quantity": 0.2,',
        '"entry_price": 50000,',
        '"leverage": 10,',
        '"tick_size": 0.1,',
    ):
        assert fragment in text
    assert "50000.0" not in text


def test_optional_fields_are_left_out_when_unset_and_kept_when_set() -> None:
    plain = plan_to_data(make_plan())
    position = plain["positions"][0]
    assert "stop_loss" not in position
    assert "added_margin" not in position
    assert "take_profits" not in position
    assert "notes" not in position
    # the account's assumptions are always written, even at their defaults
    assert plain["account"] == {
        "currency": "USDT",
        "wallet_balance": 10000.0,
        "venue": "binance",
        "position_mode": "one-way",
        "taker_fee_rate": 0.0,
        "maker_fee_rate": 0.0,
    }
    assert plain["markets"][0]["contract"] == "linear"
    assert plain["markets"][0]["contract_size"] == 1.0
    assert plain["markets"][0]["maintenance"] == {
        "mmr": 0.004,
        "maintenance_amount": 0.0,
        "max_leverage": 125.0,
    }

    data = plan_data()
    data["positions"][0].update(
        added_margin=100,
        stop_loss=47000,
        take_profits=[{"price": 55000, "fraction": 1}],
        notes="why",
    )
    full = plan_to_data(Plan.model_validate(data))["positions"][0]
    assert full["added_margin"] == 100
    assert full["stop_loss"] == 47000
    assert list(full["take_profits"]) == [{"price": 55000, "fraction": 1}]
    assert full["notes"] == "why"


def test_load_save_load_gives_an_equal_plan_and_identical_bytes() -> None:
    plan = load_plan(SPEC_EXAMPLE)
    first = plan_to_bytes(plan)
    again = parse_plan_bytes(first)
    assert again == plan
    assert plan_to_bytes(again) == first


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.tplan")), ids=lambda p: p.name)
def test_files_the_program_wrote_round_trip_byte_for_byte(path: Path) -> None:
    data = path.read_bytes()
    assert plan_to_bytes(parse_plan_bytes(data)) == data


def test_text_is_utf8_and_not_escaped_and_odd_strings_survive() -> None:
    notes = 'Résumé — 比特币 ✓ "quoted" back\\slash\ttab\nnew line \x00 \u2028 \U0001f680'
    plan = make_plan(notes=notes, name="名前")
    data = plan_to_bytes(plan)
    text = data.decode("utf-8")
    assert "Résumé — 比特币 ✓" in text and "\U0001f680" in text and '"name": "名前"' in text
    again = parse_plan_bytes(data)
    assert again.notes == notes and again.name == plan.name
    assert plan_to_bytes(again) == data


def test_a_lone_surrogate_is_escaped_so_the_text_stays_utf8() -> None:
    # plans refuse lone surrogates, but the writer also serves autosave wrappers
    text = json_document({"session": "a\ud800b"})
    assert text == '{\n  "session": "a\\ud800b"\n}\n'
    assert json.loads(text.encode("utf-8")) == {"session": "a\ud800b"}


def test_output_is_deterministic_for_equal_plans() -> None:
    assert plan_to_bytes(make_plan()) == plan_to_bytes(make_plan())
