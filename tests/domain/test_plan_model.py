"""The plan model refuses every rule of spec/plan-format.md with one message that names the
field by its path, the value and the rule; and the netting of positions into exchange
positions (one-way and hedge mode) gives the figures of the formulas."""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from planner.domain.errors import PlanError, describe
from planner.domain.plan import PLAN_VERSION, Plan
from planner.domain.plan_analysis import analyze
from planner.storage.plan_file import plan_from_data

SPEC_EXAMPLE = Path(__file__).parent / "data" / "spec_example.tplan"
BASE: dict[str, Any] = json.loads(SPEC_EXAMPLE.read_text("utf-8"))
# markets: 0 BTCUSDT (three tiers), 1 ETHUSDT, 2 SOLUSDT; positions: 0 ETH isolated long,
# 1 BTC cross long, 2 SOL cross short


def refusal(edit: Callable[[dict[str, Any]], Any]) -> PlanError:
    data = copy.deepcopy(BASE)
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


def test_the_spec_example_is_valid() -> None:
    plan = Plan.model_validate(BASE)
    assert [p.id for p in plan.positions] == ["eth-conviction", "btc-core", "sol-hedge"]


# (edit, field path, value as shown, words of the rule)
SIMPLE_RULES: list[tuple[str, Callable[[dict[str, Any]], None], str, str, str]] = [
    (
        "leverage above the tier",
        setter("positions", 1, "leverage")(150),
        "positions[1].leverage",
        "150",
        "above the tier's max leverage 125 for entry notional 30000",
    ),
    (
        "negative quantity",
        setter("positions", 1, "quantity")(-0.5),
        "positions[1].quantity",
        "-0.5",
        "greater than 0",
    ),
    (
        "zero entry price",
        setter("positions", 0, "entry_price")(0),
        "positions[0].entry_price",
        "0",
        "greater than 0",
    ),
    (
        "zero leverage",
        setter("positions", 2, "leverage")(0),
        "positions[2].leverage",
        "0",
        "greater than 0",
    ),
    (
        "unknown symbol",
        setter("positions", 0, "symbol")("DOGEUSDT"),
        "positions[0].symbol",
        "'DOGEUSDT'",
        "no market with this symbol",
    ),
    (
        "unknown side",
        setter("positions", 0, "side")("up"),
        "positions[0].side",
        "'up'",
        "'long' or 'short'",
    ),
    (
        "unknown margin mode",
        setter("positions", 0, "margin_mode")("portfolio"),
        "positions[0].margin_mode",
        "'portfolio'",
        "'cross' or 'isolated'",
    ),
    ("blank id", setter("positions", 0, "id")("  "), "positions[0].id", "", "must not be blank"),
    (
        "added margin on a cross position",
        setter("positions", 1, "added_margin")(100),
        "positions[1].added_margin",
        "100",
        "isolated positions only",
    ),
    (
        "added margin making the bucket ≤ 0",
        setter("positions", 0, "added_margin")(-1500),  # initial margin 5·3,000/10 = 1,500
        "positions[0].added_margin",
        "-1500",
        "must stay above 0",
    ),
    (
        "take-profit fraction above 1",
        setter("positions", 0, "take_profits")([{"price": 3300, "fraction": 1.5}]),
        "positions[0].take_profits[0].fraction",
        "1.5",
        "less than or equal to 1",
    ),
    (
        "take-profit fractions summing above 1",
        setter("positions", 0, "take_profits")(
            [{"price": 3300, "fraction": 0.75}, {"price": 3600, "fraction": 0.5}]
        ),
        "positions[0].take_profits",
        "1.25",
        "sum to at most 1",
    ),
    (
        "negative stop",
        setter("positions", 0, "stop_loss")(-5),
        "positions[0].stop_loss",
        "-5",
        "greater than 0",
    ),
    (
        "NaN quantity",
        setter("positions", 1, "quantity")(math.nan),
        "positions[1].quantity",
        "nan",
        "finite number",
    ),
    (
        "infinite mark price",
        setter("markets", 1, "mark_price")(math.inf),
        "markets[1].mark_price",
        "inf",
        "finite number",
    ),
    (
        "unknown field in a position",
        setter("positions", 2, "colour")("red"),
        "positions[2].colour",
        "'red'",
        "unknown field",
    ),
    ("unknown top-level field", setter("plan_name")("x"), "plan_name", "'x'", "unknown field"),
    (
        "unknown venue",
        setter("account", "venue")("ftx"),
        "account.venue",
        "'ftx'",
        "'binance', 'bybit', 'okx' or 'hyperliquid'",
    ),
    (
        "unknown position mode",
        setter("account", "position_mode")("both"),
        "account.position_mode",
        "'both'",
        "'one-way' or 'hedge'",
    ),
    (
        "wallet balance not above 0",
        setter("account", "wallet_balance")(0),
        "account.wallet_balance",
        "0",
        "greater than 0",
    ),
    (
        "negative fee rate",
        setter("account", "taker_fee_rate")(-0.001),
        "account.taker_fee_rate",
        "-0.001",
        "greater than or equal to 0",
    ),
    (
        "wrong format",
        setter("format")("something.else"),
        "format",
        "'something.else'",
        "'margin-planner.plan'",
    ),
    (
        "unknown contract type",
        setter("markets", 2, "contract")("option"),
        "markets[2].contract",
        "'option'",
        "'linear' or 'inverse'",
    ),
    (
        "contract size 0",
        setter("markets", 2, "contract_size")(0),
        "markets[2].contract_size",
        "0",
        "greater than 0",
    ),
    (
        "maintenance rate of 1",
        setter("markets", 1, "maintenance", "mmr")(1.0),
        "markets[1].maintenance.mmr",
        "1.0",
        "less than 1",
    ),
    (
        "non-contiguous tiers",
        setter("markets", 0, "maintenance", "tiers", 1, "notional_floor")(40000),
        "markets[0].maintenance.tiers[1].notional_floor",
        "40000",
        "contiguous: expected the previous cap 50000",
    ),
    (
        "discontinuous maintenance amount",
        setter("markets", 0, "maintenance", "tiers", 2, "maintenance_amount")(900),
        "markets[0].maintenance.tiers[2].maintenance_amount",
        "900",
        # 50 + 600,000 × (0.65 % − 0.5 %) = 950
        "must be 950 to keep maintenance margin continuous",
    ),
    (
        "first tier not starting at 0",
        setter("markets", 0, "maintenance", "tiers", 0, "notional_floor")(10),
        "markets[0].maintenance.tiers[0].notional_floor",
        "10",
        "first tier starts at 0",
    ),
    (
        "a cap at or below its floor",
        setter("markets", 0, "maintenance", "tiers", 2, "notional_cap")(600000),
        "markets[0].maintenance.tiers[2].notional_cap",
        "600000",
        "above notional_floor",
    ),
    (
        "falling maintenance rates",
        setter("markets", 0, "maintenance", "tiers", 1, "mmr")(0.003),
        "markets[0].maintenance.tiers[1].mmr",
        "0.003",
        "must not fall",
    ),
    (
        "an uncapped tier before the last",
        setter("markets", 0, "maintenance", "tiers", 1, "notional_cap")(None),
        "markets[0].maintenance.tiers[1].notional_cap",
        "(missing)",
        "only the last tier may have no cap",
    ),
]


@pytest.mark.parametrize(
    ("edit", "path", "value", "rule"),
    [case[1:] for case in SIMPLE_RULES],
    ids=[case[0] for case in SIMPLE_RULES],
)
def test_a_broken_rule_is_refused_naming_field_value_and_rule(
    edit: Callable[[dict[str, Any]], None], path: str, value: str, rule: str
) -> None:
    error = refusal(edit)
    assert error.field == path
    assert str(error).startswith(f"{path} = {value}:" if value else f"{path}:"), str(error)
    assert rule in str(error)


def test_duplicate_position_ids() -> None:
    error = refusal(lambda d: d["positions"].append(copy.deepcopy(d["positions"][1])))
    assert str(error) == "positions[3].id = 'btc-core': position ids must be unique"


def test_duplicate_symbols() -> None:
    error = refusal(lambda d: d["markets"].append(copy.deepcopy(d["markets"][2])))
    assert str(error) == "markets[3].symbol = 'SOLUSDT': symbols must be unique"


def test_one_way_mode_refuses_both_sides_on_a_symbol() -> None:
    def add_short_btc(data: dict[str, Any]) -> None:
        data["positions"].append(
            {**copy.deepcopy(data["positions"][1]), "id": "b2", "side": "short"}
        )

    error = refusal(add_short_btc)
    assert error.field == "positions[3].side"
    assert str(error).startswith("positions[3].side = 'short': in one-way mode")
    # both positions by their ids: the trader sees which one holds the other side
    assert "BTCUSDT" in str(error) and "('btc-core' is long, 'b2' short)" in str(error)

    hedge = copy.deepcopy(BASE)
    hedge["account"]["position_mode"] = "hedge"
    add_short_btc(hedge)
    Plan.model_validate(hedge)  # hedge mode holds both sides


@pytest.mark.parametrize("mode", ["one-way", "hedge"])
def test_mixed_margin_modes_on_a_symbol_are_refused(mode: str) -> None:
    def add(data: dict[str, Any]) -> None:
        data["account"]["position_mode"] = mode
        side = "short" if mode == "hedge" else "long"
        data["positions"].append(
            {
                **copy.deepcopy(data["positions"][0]),
                "id": "e2",
                "side": side,
                "margin_mode": "cross",
            }
        )

    error = refusal(add)
    assert error.field == "positions[3].margin_mode"
    assert str(error).startswith("positions[3].margin_mode = 'cross': every position on ETHUSDT")
    assert "('eth-conviction' is isolated, 'e2' cross)" in str(error)


def test_entry_notional_beyond_the_last_cap_is_refused() -> None:
    # BTCUSDT's last cap is 3,000,000: 60 BTC at 60,000 is 3,600,000
    error = refusal(setter("positions", 1, "quantity")(60))
    assert error.field == "positions[1].quantity"
    assert "entry notional 3600000 is beyond the last tier's cap 3000000" in str(error)


def test_leverage_limit_follows_the_tier_of_the_entry_notional() -> None:
    data = copy.deepcopy(BASE)
    data["positions"][1]["quantity"] = 1  # 60,000: tier 2, max 100×
    data["positions"][1]["leverage"] = 100
    Plan.model_validate(data)
    data["positions"][1]["leverage"] = 100.5
    with pytest.raises(ValidationError) as caught:
        Plan.model_validate(data)
    assert "above the tier's max leverage 100 for entry notional 60000" in str(
        describe(caught.value)
    )


def test_several_problems_are_counted_in_the_one_line() -> None:
    def two_problems(data: dict[str, Any]) -> None:
        data["positions"][1]["quantity"] = -1
        data["positions"][2]["entry_price"] = -1

    assert str(refusal(two_problems)).endswith("(and 1 more problem)")


def test_a_newer_version_names_both_versions() -> None:
    data = copy.deepcopy(BASE)
    data["version"] = PLAN_VERSION + 1
    with pytest.raises(PlanError) as caught:
        plan_from_data(data, source="plan.tplan")
    message = str(caught.value)
    assert caught.value.field == "version"
    assert f"file version {PLAN_VERSION + 1}" in message
    assert f"reads up to version {PLAN_VERSION}" in message


# --- netting ---------------------------------------------------------------------------------


def _plan(
    positions: list[dict[str, Any]],
    *,
    mode: str = "one-way",
    contract: str = "linear",
    mark: float = 100.0,
    mmr: float = 0.01,
    amount: float = 0.0,
    wallet: float = 100_000.0,
    contract_size: float = 1.0,
) -> Plan:
    return Plan.model_validate(
        {
            "account": {
                "currency": "BTC" if contract == "inverse" else "USDT",
                "wallet_balance": wallet,
                "position_mode": mode,
            },
            "markets": [
                {
                    "symbol": "X",
                    "contract": contract,
                    "contract_size": contract_size,
                    "mark_price": mark,
                    "maintenance": {"mmr": mmr, "maintenance_amount": amount},
                }
            ],
            "positions": [
                {"symbol": "X", "margin_mode": "isolated", "leverage": 5, **p} for p in positions
            ],
        }
    )


def test_one_way_entries_net_into_one_bucket_at_the_quantity_weighted_entry() -> None:
    plan = _plan(
        [
            {"id": "a", "side": "long", "quantity": 2, "entry_price": 100, "added_margin": 10},
            {"id": "b", "side": "long", "quantity": 6, "entry_price": 120, "leverage": 4},
        ],
        amount=1.5,
    )
    analysis = analyze(plan)
    (bucket,) = analysis.buckets
    assert bucket.position_ids == ("a", "b")
    q = 8.0
    entry = (2 * 100 + 6 * 120) / q  # 115
    margin = 2 * 100 / 5 + 10 + 6 * 120 / 4  # 40 + 10 + 180
    mmr, cum = 0.01, 1.5
    assert bucket.margin == pytest.approx(margin)
    # MARGIN.md §4.1, long: LP = (q·E − M − cum) / (q·(1 − MMR)); §4.5: BP = E − M/q
    assert bucket.liquidation_price == pytest.approx((q * entry - margin - cum) / (q * (1 - mmr)))
    assert bucket.bankruptcy_price == pytest.approx(entry - margin / q)
    assert bucket.unrealized_pnl == pytest.approx(q * (100 - entry))
    a, b = analysis.positions
    # each position keeps its own share; the prices belong to the netted position
    assert a.margin == pytest.approx(50) and b.margin == pytest.approx(180)
    assert a.unrealized_pnl == pytest.approx(0) and b.unrealized_pnl == pytest.approx(-120)
    assert a.notional == pytest.approx(200) and b.notional == pytest.approx(600)
    assert a.liquidation_price == b.liquidation_price == bucket.liquidation_price
    assert a.maintenance_margin + b.maintenance_margin == pytest.approx(bucket.maintenance_margin)
    assert bucket.maintenance_margin == pytest.approx(q * 100 * mmr - cum)


def test_inverse_entries_net_at_the_harmonic_entry() -> None:
    plan = _plan(
        [
            {"id": "a", "side": "short", "quantity": 30, "entry_price": 40_000},
            {"id": "b", "side": "short", "quantity": 10, "entry_price": 50_000},
        ],
        contract="inverse",
        contract_size=100,
        mark=45_000,
        mmr=0.004,
        wallet=1.0,
    )
    (bucket,) = analyze(plan).buckets
    q_usd = 40 * 100.0
    coins = 3000 / 40_000 + 1000 / 50_000  # entry value in coin
    entry = q_usd / coins  # harmonic mean of the entries, weighted by USD size
    margin = coins / 5
    s, mmr = -1, 0.004
    # MARGIN.md §6.1: LP = Q·(MMR + s) / (M + cum + s·Q/E); §8: BP = Q / (Q/E + s·M)
    assert bucket.liquidation_price == pytest.approx(
        q_usd * (mmr + s) / (margin + s * q_usd / entry)
    )
    assert bucket.bankruptcy_price == pytest.approx(q_usd / (q_usd / entry + s * margin))
    assert bucket.unrealized_pnl == pytest.approx(s * q_usd * (1 / entry - 1 / 45_000))


def test_hedge_mode_nets_each_side_into_its_own_bucket() -> None:
    plan = _plan(
        [
            {"id": "l1", "side": "long", "quantity": 1, "entry_price": 90},
            {"id": "s1", "side": "short", "quantity": 3, "entry_price": 110},
            {"id": "l2", "side": "long", "quantity": 3, "entry_price": 110, "added_margin": 20},
        ],
        mode="hedge",
    )
    analysis = analyze(plan)
    buckets = {b.side: b for b in analysis.buckets}
    assert buckets["long"].position_ids == ("l1", "l2")
    assert buckets["short"].position_ids == ("s1",)
    mmr = 0.01
    q_long, e_long = 4.0, (90 + 3 * 110) / 4
    m_long = 90 / 5 + 3 * 110 / 5 + 20
    q_short, e_short, m_short = 3.0, 110.0, 3 * 110 / 5
    assert buckets["long"].liquidation_price == pytest.approx(
        (q_long * e_long - m_long) / (q_long * (1 - mmr))
    )
    # short: LP = (q·E + M + cum) / (q·(1 + MMR))
    assert buckets["short"].liquidation_price == pytest.approx(
        (q_short * e_short + m_short) / (q_short * (1 + mmr))
    )
    assert analysis.isolated_margin == pytest.approx(m_long + m_short)
    by_id = {p.id: p for p in analysis.positions}
    assert by_id["l1"].liquidation_price == by_id["l2"].liquidation_price
    assert by_id["s1"].liquidation_price == buckets["short"].liquidation_price


def test_hedge_mode_cross_legs_share_one_liquidation_price() -> None:
    """MARGIN.md §5.2 with one symbol: LP = (WB + cumL + cumS − q_L·E_L + q_S·E_S) /
    (q_L·MMR + q_S·MMR − q_L + q_S)."""
    wallet, mmr = 100.0, 0.01
    legs = [
        {"id": "l", "side": "long", "quantity": 2, "entry_price": 100, "margin_mode": "cross"},
        {"id": "s", "side": "short", "quantity": 1, "entry_price": 105, "margin_mode": "cross"},
        {"id": "l2", "side": "long", "quantity": 2, "entry_price": 110, "margin_mode": "cross"},
    ]
    analysis = analyze(_plan(legs, mode="hedge", wallet=wallet, mmr=mmr))
    q_l, e_l, q_s, e_s = 4.0, 105.0, 1.0, 105.0
    expected = (wallet - q_l * e_l + q_s * e_s) / (q_l * mmr + q_s * mmr - q_l + q_s)
    prices = {p.liquidation_price for p in analysis.positions}
    assert len(prices) == 1
    assert prices.pop() == pytest.approx(expected)
    assert analysis.buckets == ()
