"""Every confirmed reference vector (tests/reference/vectors.json) through the public API.

Liquidation and bankruptcy figures are reproduced by writing the vector's inputs as a plan
(``planner.domain.plan`` models) and running ``analyze()``. Vectors that are not liquidation
figures test the function they describe: tier look-up (``Market.tier_for`` and the analysis'
maintenance rate), the maximum leverage for a margin and the maintenance-amount rule
(``planner.domain.tiers``), COIN-M maintenance margin (``analyze()`` on an inverse market).

Every expected value comes from the vector file; nothing is copied from the program's output.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from planner.domain.analysis import Analysis
from planner.domain.plan import Market, Plan, TierTable
from planner.domain.plan_analysis import analyze
from planner.domain.tiers import maintenance_amount_after, max_leverage_for_margin

REFERENCE = Path(__file__).resolve().parent.parent / "reference"
VECTORS: list[dict[str, Any]] = json.loads((REFERENCE / "vectors.json").read_text("utf-8"))[
    "vectors"
]
BRACKETS: list[dict[str, Any]] = json.loads((REFERENCE / "brackets.json").read_text("utf-8"))[
    "tables"
]
TESTED_STATUSES = {"confirmed", "derived_confirmed"}

# Gate and Bitget follow OKX's rule (taker fee added to the maintenance rate): spec
# `account.venue` has no separate value for them.
VENUE_FOR = {"binance": "binance", "bybit": "bybit", "gate": "okx", "okx": "okx"}


# --- helpers ---------------------------------------------------------------------------------


def check(actual: float | None, expected: float, tolerance: dict[str, float], what: str) -> None:
    assert actual is not None, f"{what}: no figure, expected {expected}"
    if "abs" in tolerance:
        assert abs(actual - expected) <= tolerance["abs"], f"{what}: {actual} vs {expected}"
    if "rel" in tolerance:
        assert math.isclose(actual, expected, rel_tol=tolerance["rel"]), (
            f"{what}: {actual} vs {expected}"
        )


def bracket_table(name: str) -> TierTable:
    """The table a vector names, e.g. "brackets.json binance BTCUSDT 2024-10-24"."""
    wanted = name.removeprefix("brackets.json").lstrip(": ").strip()
    for table in BRACKETS:
        if wanted in (
            f"{table['venue']} {table['symbol']} {table['as_of']}",
            f"{table['venue']} {table['symbol']}",
        ):
            tiers = [{k: v for k, v in tier.items() if k != "tier"} for tier in table["tiers"]]
            return TierTable.model_validate(
                {"tiers": tiers, "source": table["source"], "as_of": table["as_of"]}
            )
    raise LookupError(f"no bracket table {name!r} in tests/reference/brackets.json")


def flat(mmr: float, amount: float = 0.0, max_leverage: float | None = None) -> dict[str, Any]:
    rule: dict[str, Any] = {"mmr": mmr, "maintenance_amount": amount}
    if max_leverage is not None:
        rule["max_leverage"] = max_leverage
    return rule


def market(
    symbol: str,
    mark: float,
    maintenance: dict[str, Any] | TierTable,
    *,
    contract: str = "linear",
    contract_size: float = 1.0,
) -> dict[str, Any]:
    if isinstance(maintenance, TierTable):
        maintenance = maintenance.model_dump()
    return {
        "symbol": symbol,
        "contract": contract,
        "contract_size": contract_size,
        "mark_price": mark,
        "maintenance": maintenance,
    }


def position(
    pid: str,
    symbol: str,
    side: str,
    quantity: float,
    entry: float,
    leverage: float,
    mode: str,
    added_margin: float = 0.0,
) -> dict[str, Any]:
    return {
        "id": pid,
        "symbol": symbol,
        "side": side,
        "quantity": quantity,
        "entry_price": entry,
        "leverage": leverage,
        "margin_mode": mode,
        "added_margin": added_margin,
    }


def plan(
    wallet: float,
    markets: list[dict[str, Any]],
    positions: list[dict[str, Any]],
    *,
    venue: str = "binance",
    currency: str = "USDT",
    taker: float = 0.0,
    position_mode: str = "one-way",
) -> Plan:
    return Plan.model_validate(
        {
            "format": "margin-planner.plan",
            "version": 1,
            "account": {
                "currency": currency,
                "wallet_balance": wallet,
                "venue": venue,
                "position_mode": position_mode,
                "taker_fee_rate": taker,
            },
            "markets": markets,
            "positions": positions,
        }
    )


def isolated_plan(
    *,
    side: str,
    qty: float,
    entry: float,
    leverage: float,
    margin: float,
    maintenance: dict[str, Any] | TierTable,
    venue: str = "binance",
    taker: float = 0.0,
    mark: float | None = None,
) -> Plan:
    """One isolated position whose bucket holds exactly ``margin``: the initial margin
    (entry notional / leverage) plus ``added_margin`` = the rest. The mark does not enter an
    isolated liquidation price; it defaults to the entry."""
    added = margin - qty * entry / leverage
    return plan(
        wallet=margin * 2,
        markets=[market("X", entry if mark is None else mark, maintenance)],
        positions=[position("p", "X", side, qty, entry, leverage, "isolated", added)],
        venue=venue,
        taker=taker,
    )


def only_bucket(analysis: Analysis) -> Any:
    (bucket,) = analysis.buckets
    assert bucket.margin == pytest.approx(analysis.isolated_margin)
    return bucket


# --- one test function per kind of vector ----------------------------------------------------


def binance_worked_example(v: dict[str, Any]) -> None:
    """Binance FAQ worked example (via freqtrade). Cross: the target and the other position are
    cross positions of one wallet; isolated: the note says WB is reused as the isolated
    wallet balance, so the bucket's margin is WB (added margin tops the initial margin up)."""
    inputs = v["inputs"]
    target = inputs["target"]
    entries = [target, *inputs["other_cross_positions"]]
    markets = [market(p["symbol"], p["mark"], flat(p["mmr"], p["cum"])) for p in entries]
    leverage = 10.0
    if v["mode"] == "isolated":
        wb = inputs["wallet_balance"]
        added = wb - target["qty"] * target["entry"] / leverage
        positions = [
            position(
                "t",
                target["symbol"],
                target["side"],
                target["qty"],
                target["entry"],
                leverage,
                "isolated",
                added,
            )
        ]
        analysis = analyze(plan(wb, markets, positions))
        assert only_bucket(analysis).margin == pytest.approx(wb)
    else:
        positions = [
            position(f"p{i}", p["symbol"], p["side"], p["qty"], p["entry"], leverage, "cross")
            for i, p in enumerate(entries)
        ]
        analysis = analyze(plan(inputs["wallet_balance"], markets, positions))
    check(
        analysis.positions[0].liquidation_price,
        v["expected"]["liq_price"],
        v["tolerance"],
        "liquidation price",
    )


def getliq_isolated(v: dict[str, Any]) -> None:
    """freqtrade's get_liquidation_price rows and Bybit's help examples: one isolated
    position. Bybit's MM deduction is the flat rule's maintenance amount; extra margin is the
    added margin."""
    inputs = v["inputs"]
    venue = VENUE_FOR[v["venue"]]
    leverage = inputs["leverage"]
    initial = inputs["qty"] * inputs["entry"] / leverage
    margin = inputs.get("isolated_margin", initial) + inputs.get("extra_margin", 0.0)
    amount = inputs.get("maintenance_amount", inputs.get("mm_deduction", 0.0))
    p = isolated_plan(
        side=inputs["side"],
        qty=inputs["qty"],
        entry=inputs["entry"],
        leverage=leverage,
        margin=margin,
        maintenance=flat(inputs["mmr"], amount),
        venue=venue,
        taker=inputs.get("taker_fee", 0.0),
    )
    bucket = only_bucket(analyze(p))
    check(bucket.liquidation_price, v["expected"]["liq_price"], v["tolerance"], "liq. price")


def bybit_implied_im_minus_mm(v: dict[str, Any]) -> None:
    """Bybit's add-margin article gives only prices: IM − MM = 500 USDT per BTC at entry
    10,000. Any leverage and rate with E/L − E·mmr = 500 express it; we take 10× (IM 1,000)
    and mmr 5 % (MM 500, valued at entry as Bybit does). The extra margin is added margin."""
    inputs = v["inputs"]
    leverage, mmr = 10.0, 0.05
    entry, qty = inputs["entry"], inputs["qty"]
    assert qty * entry / leverage - qty * entry * mmr == pytest.approx(inputs["im_minus_mm"])
    p = isolated_plan(
        side=inputs["side"],
        qty=qty,
        entry=entry,
        leverage=leverage,
        margin=qty * entry / leverage + inputs["extra_margin"],
        maintenance=flat(mmr),
        venue="bybit",
    )
    bucket = only_bucket(analyze(p))
    check(bucket.liquidation_price, v["expected"]["liq_price"], v["tolerance"], "liq. price")


def bybit_bankruptcy(v: dict[str, Any]) -> None:
    inputs = v["inputs"]
    p = isolated_plan(
        side=inputs["side"],
        qty=inputs["qty"],
        entry=inputs["entry"],
        leverage=inputs["leverage"],
        margin=inputs["qty"] * inputs["entry"] / inputs["leverage"],
        maintenance=flat(0.005),
        venue="bybit",
    )
    bucket = only_bucket(analyze(p))
    check(bucket.bankruptcy_price, v["expected"]["bankruptcy_price"], v["tolerance"], "BP")


def hyperliquid(v: dict[str, Any]) -> None:
    """Hyperliquid positions: mmr = 1/(2·max leverage) (the docs' maintenance leverage), no
    maintenance amount; the margin given is the isolated margin, so added margin makes the
    bucket hold exactly it. The positions were recorded at zero unrealised PnL: mark = entry."""
    inputs = v["inputs"]
    max_leverage = inputs["max_leverage"]
    p = isolated_plan(
        side=inputs["side"],
        qty=inputs["qty"],
        entry=inputs["entry"],
        leverage=inputs["leverage"],
        margin=inputs["margin"],
        maintenance=flat(1 / (2 * max_leverage), 0.0, max_leverage),
        venue="hyperliquid",
    )
    bucket = only_bucket(analyze(p))
    assert bucket.margin == pytest.approx(inputs["margin"])
    check(bucket.liquidation_price, v["expected"]["liq_price"], v["tolerance"], "liq. price")


def bracket_lookup(v: dict[str, Any]) -> None:
    """Floor-inclusive tier look-up, both as ``Market.tier_for`` and as the maintenance rate
    and amount that ``analyze()`` reports for a position of that mark notional."""
    inputs = v["inputs"]
    table = bracket_table(inputs["bracket_table"])
    notionals = inputs["notional"] if isinstance(inputs["notional"], list) else [inputs["notional"]]
    expected = v["expected"]
    tol = v["tolerance"]["abs"]
    for notional in notionals:
        # mark 1 makes the mark notional equal the quantity exactly
        m = Market.model_validate(market("X", 1.0, table))
        tier = m.tier_for(notional)
        rate = expected.get("mmr", expected.get(f"mmr_at_{notional}"))
        amount = expected.get("maintenance_amount", expected.get(f"cum_at_{notional}"))
        if rate is not None:
            assert tier.mmr == pytest.approx(rate, abs=tol)
        if amount is not None:
            assert tier.maintenance_amount == pytest.approx(amount, abs=tol)
        if notional <= 0:
            continue  # a position needs a quantity above zero
        leverage = min(1.0, tier.max_leverage or 1.0)
        p = plan(
            notional * 10,
            [market("X", 1.0, table)],
            [position("p", "X", "long", notional, 1.0, leverage, "cross")],
        )
        result = analyze(p).positions[0]
        if rate is not None:
            assert result.maintenance_rate == pytest.approx(rate, abs=tol)
        if amount is not None:
            assert result.maintenance_amount == pytest.approx(amount, abs=tol)


def max_leverage(v: dict[str, Any]) -> None:
    inputs = v["inputs"]
    table = bracket_table(inputs["bracket_table"])
    result = max_leverage_for_margin(table.tiers, inputs["margin"])
    check(result, v["expected"]["max_leverage"], v["tolerance"], "max leverage")


def maintenance_amount_rule(v: dict[str, Any]) -> None:
    """The rule itself, and the plan model accepting the stated amount and refusing another."""
    inputs = v["inputs"]
    expected = v["expected"]["maintenance_amount"]
    amount = maintenance_amount_after(
        inputs["cum_prev"], inputs["mmr_prev"], inputs["floor_k"], inputs["mmr_k"]
    )
    check(amount, expected, v["tolerance"], "maintenance amount")
    # a two-tier table whose second tier is Level 3 of the vector (first tier holding cum_prev
    # at floor 0 would break the "first amount" convention, so build it from the rule upwards)
    prev_floor = 50_000.0
    prev_amount = inputs["cum_prev"]
    first_mmr = inputs["mmr_prev"] - prev_amount / prev_floor
    tiers = [
        {"notional_floor": 0, "notional_cap": prev_floor, "mmr": first_mmr},
        {
            "notional_floor": prev_floor,
            "notional_cap": inputs["floor_k"],
            "mmr": inputs["mmr_prev"],
            "maintenance_amount": prev_amount,
        },
        {
            "notional_floor": inputs["floor_k"],
            "mmr": inputs["mmr_k"],
            "maintenance_amount": expected,
        },
    ]
    TierTable.model_validate({"tiers": tiers})
    tiers[2]["maintenance_amount"] = expected + 1
    with pytest.raises(ValueError, match=r"tiers\[2\]\.maintenance_amount"):
        TierTable.model_validate({"tiers": tiers})


def coinm_maintenance(v: dict[str, Any]) -> None:
    """COIN-M: notional in coin = contracts × contract size / mark; MM = notional·mmr − cum."""
    inputs = v["inputs"]
    p = plan(
        1.0,
        [
            market(
                "BTCUSD_PERP",
                inputs["mark"],
                flat(inputs["mmr"], inputs["cum"]),
                contract="inverse",
                contract_size=inputs["contract_size_usd"],
            )
        ],
        [position("p", "BTCUSD_PERP", "long", inputs["contracts"], inputs["mark"], 10, "cross")],
        currency="BTC",
    )
    result = analyze(p).positions[0]
    check(result.notional, v["expected"]["notional_btc"], v["tolerance"], "notional")
    check(result.maintenance_margin, v["expected"]["maint_margin_btc"], v["tolerance"], "MM")


def bracket_at_liquidation_price(v: dict[str, Any]) -> None:
    inputs = v["inputs"]
    p = isolated_plan(
        side=inputs["side"],
        qty=inputs["qty"],
        entry=inputs["entry"],
        leverage=inputs["leverage"],
        margin=inputs["isolated_margin"],
        maintenance=bracket_table(inputs["bracket_table"]),
    )
    bucket = only_bucket(analyze(p))
    check(bucket.liquidation_price, v["expected"]["liq_price"], v["tolerance"], "liq. price")


def mixed_account(v: dict[str, Any]) -> None:
    """The spec's example account: isolated ETH (M = 1,500 = 5·3,000/10) and cross BTC, SOL."""
    inputs = v["inputs"]
    markets, positions = [], []
    for i, p in enumerate(inputs["positions"]):
        markets.append(market(p["symbol"], p["P"], flat(p["mmr"], p["cum"])))
        side = "long" if p["side"] > 0 else "short"
        added = 0.0
        if p["mode"] == "isolated":
            added = p["M"] - p["q"] * p["E"] / p["leverage"]
        positions.append(
            position(f"p{i}", p["symbol"], side, p["q"], p["E"], p["leverage"], p["mode"], added)
        )
    assert inputs["open_order_initial_margin"] == 0  # plans hold no open orders
    analysis = analyze(plan(inputs["wallet_balance_total"], markets, positions))
    exp, tol = v["expected"], v["tolerance"]
    cross = analysis.cross
    check(cross.wallet_balance, exp["cross_wallet_balance"], tol, "cross wallet")
    check(cross.unrealized_pnl, exp["cross_upnl"], tol, "cross uPnL")
    check(cross.equity, exp["cross_margin_balance"], tol, "cross equity")
    check(cross.maintenance_margin, exp["cross_maint_margin"], tol, "cross MM")
    check(cross.initial_margin, exp["cross_initial_margin"], tol, "cross IM")
    check(cross.available, exp["available_for_order"], tol, "available")
    # the vector prints the ratio to 6 decimals: 196 / 16,500 = 0.0118787…
    check(cross.risk_ratio, exp["cross_margin_ratio"], {"abs": 5e-7}, "cross risk ratio")
    by_symbol = {p.symbol: p for p in analysis.positions}
    check(by_symbol["ETHUSDT"].risk_ratio, exp["eth_isolated_margin_ratio"], tol, "ETH risk")
    check(by_symbol["BTCUSDT"].liquidation_price, exp["liq_BTCUSDT_cross"], tol, "BTC LP")
    check(by_symbol["SOLUSDT"].liquidation_price, exp["liq_SOLUSDT_cross"], tol, "SOL LP")
    check(by_symbol["ETHUSDT"].liquidation_price, exp["liq_ETHUSDT_isolated"], tol, "ETH LP")


def hedge_mode_cross(v: dict[str, Any]) -> None:
    """Binance hedge mode: the LONG and SHORT legs of one symbol share one cross LP. No other
    symbols (TMM1 = UPNL1 = 0); the mark does not enter the symbol's own LP."""
    inputs = v["inputs"]
    assert inputs["other_symbols_TMM1"] == 0 and inputs["other_symbols_UPNL1"] == 0
    long_leg, short_leg = inputs["long_leg"], inputs["short_leg"]
    assert long_leg["mmr"] == short_leg["mmr"] and long_leg["cum"] == short_leg["cum"] == 0
    p = plan(
        inputs["wallet_balance"],
        [market("BTCUSDT", long_leg["E"], flat(long_leg["mmr"]))],
        [
            position("l", "BTCUSDT", "long", long_leg["q"], long_leg["E"], 10, "cross"),
            position("s", "BTCUSDT", "short", short_leg["q"], short_leg["E"], 10, "cross"),
        ],
        position_mode="hedge",
    )
    long_result, short_result = analyze(p).positions
    check(long_result.liquidation_price, v["expected"]["liq_price"], v["tolerance"], "LP long")
    check(short_result.liquidation_price, v["expected"]["liq_price"], v["tolerance"], "LP short")


def inverse_isolated(v: dict[str, Any]) -> None:
    """Binance COIN-M isolated: contracts of 100 USD, the bucket margin in BTC."""
    inputs = v["inputs"]
    q_usd = inputs["contracts"] * inputs["contract_size_usd"]
    initial = q_usd / inputs["entry"] / inputs["leverage"]
    p = plan(
        1.0,
        [
            market(
                "BTCUSD_PERP",
                inputs["entry"],
                flat(inputs["mmr"], inputs["cum"]),
                contract="inverse",
                contract_size=inputs["contract_size_usd"],
            )
        ],
        [
            position(
                "p",
                "BTCUSD_PERP",
                inputs["side"],
                inputs["contracts"],
                inputs["entry"],
                inputs["leverage"],
                "isolated",
                inputs["isolated_margin_btc"] - initial,
            )
        ],
        currency="BTC",
    )
    bucket = only_bucket(analyze(p))
    assert bucket.margin == pytest.approx(inputs["isolated_margin_btc"])
    exp, tol = v["expected"], v["tolerance"]
    check(bucket.liquidation_price, exp["liq_price"], tol, "liq. price")
    check(bucket.bankruptcy_price, exp["bankruptcy_price"], tol, "bankruptcy price")


# --- dispatch --------------------------------------------------------------------------------


def runner_for(v: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    formula: str = v["formula"]
    vid: str = v["id"]
    inputs = v["inputs"]
    if formula.startswith("bracket_lookup"):
        return bracket_lookup
    if formula.startswith("max leverage"):
        return max_leverage
    if formula.startswith("cum_k"):
        return maintenance_amount_rule
    if formula.startswith("MM(coin)"):
        return coinm_maintenance
    if formula.startswith("bankruptcy"):
        return bybit_bankruptcy
    if formula.startswith("hyperliquid"):
        return hyperliquid
    if formula.startswith("account aggregation"):
        return mixed_account
    if formula.startswith("binance hedge-mode"):
        return hedge_mode_cross
    if formula.startswith("binance_coinm"):
        return inverse_isolated
    if "with bracket chosen at the liquidation-price" in formula:
        return bracket_at_liquidation_price
    if "im_minus_mm" in inputs:
        return bybit_implied_im_minus_mm
    if "target" in inputs:
        return binance_worked_example
    if "leverage" in inputs:
        return getliq_isolated
    raise LookupError(f"{vid}: no runner for formula {formula!r}")


@pytest.mark.parametrize("vector", VECTORS, ids=[v["id"] for v in VECTORS])
def test_vector(vector: dict[str, Any]) -> None:
    if vector["status"] not in TESTED_STATUSES:
        pytest.skip(f"status {vector['status']!r}: not a confirmed figure")
    runner_for(vector)(vector)


def test_every_vector_has_a_runner_and_the_set_is_complete() -> None:
    assert len(VECTORS) == 52
    assert len({v["id"] for v in VECTORS}) == len(VECTORS)
    for v in VECTORS:
        runner_for(v)


def test_bybit_add_margin_then_double_the_position() -> None:
    """Step 2 of Bybit's add-margin example (the note of bybit_help_add_margin_step*): adding
    1 BTC at the same entry and leverage to the position with 1,000 USDT extra margin gives
    9,000 — one-way netting spreads the extra margin over 2 BTC."""
    leverage, mmr = 10.0, 0.05  # IM − MM = 500 USDT per BTC at 10,000, as in the vectors
    p = plan(
        50_000,
        [market("BTCUSDT", 10_000, flat(mmr))],
        [
            position("first", "BTCUSDT", "long", 1, 10_000, leverage, "isolated", 1_000),
            position("second", "BTCUSDT", "long", 1, 10_000, leverage, "isolated"),
        ],
        venue="bybit",
    )
    bucket = only_bucket(analyze(p))
    assert bucket.liquidation_price == pytest.approx(9_000, abs=0.01)
