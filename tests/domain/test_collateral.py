"""Collateral in other assets backing the cross pool (spec/plan-format-v2.md, account.collateral;
docs/collateral.md): value = Σ slices × price × ratio, counted in the cross pool only, moving
with its ``price_symbol`` market in every solve, sweep and map.

Expected figures come from the venues' published formulas and closed forms written here, or
from re-pricing the plan and bisecting the pool's equation — not from the solver itself.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from planner.domain.maps import two_asset_map
from planner.domain.plan import Plan
from planner.domain.plan_analysis import analyze
from planner.domain.scenarios import shocked, sweep

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def flat_market(symbol: str, mark: float, mmr: float, contract: str = "linear") -> dict[str, Any]:
    return {
        "symbol": symbol,
        "contract": contract,
        "mark_price": mark,
        "maintenance": {"mmr": mmr, "maintenance_amount": 0},
    }


def position(
    pid: str, symbol: str, side: str, quantity: float, entry: float, mode: str = "cross"
) -> dict[str, Any]:
    return {
        "id": pid,
        "symbol": symbol,
        "side": side,
        "quantity": quantity,
        "entry_price": entry,
        "leverage": 10,
        "margin_mode": mode,
    }


def make_plan(
    *,
    wallet: float = 0.0,
    collateral: list[dict[str, Any]] | None = None,
    markets: list[dict[str, Any]],
    positions: list[dict[str, Any]],
    venue: str = "binance",
    currency: str = "USDT",
) -> Plan:
    return Plan.model_validate(
        {
            "account": {
                "currency": currency,
                "wallet_balance": wallet,
                "venue": venue,
                "collateral": collateral or [],
            },
            "markets": markets,
            "positions": positions,
        }
    )


def with_mark(plan: Plan, symbol: str, price: float) -> Plan:
    """The plan with one mark moved (a what-if: only marks change)."""
    move = price / plan.market(symbol).mark_price - 1.0
    return shocked(plan, moves={symbol: move})


def pool_health(plan: Plan) -> float:
    cross = analyze(plan).cross
    return cross.equity - cross.maintenance_margin


def bisect(f: Any, lo: float, hi: float) -> float:
    """The root of ``f`` between ``lo`` and ``hi`` (signs differ at the ends)."""
    lo, hi = min(lo, hi), max(lo, hi)
    f_lo = f(lo)
    assert f_lo * f(hi) <= 0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        f_mid = f(mid)
        if (f_mid > 0) == (f_lo > 0):
            lo, f_lo = mid, f_mid
        else:
            hi = mid
        if hi - lo <= 1e-13 * hi:
            break
    return 0.5 * (lo + hi)


# --- the venues' worked examples --------------------------------------------------------------


def test_binance_multi_assets_faq_margin_balance() -> None:
    """Binance FAQ "How to Calculate Margin in Multi-Assets Mode": 200 USDT valued at the bid
    rate 0.9801 plus 220 USDC at 1 → account equity 200 × 0.9801 + 220 × 1 = 416.02; margin
    ratio = account maintenance margin / account equity."""
    plan = make_plan(
        wallet=220,
        currency="USDC",
        collateral=[{"asset": "USDT", "amount": 200, "price": 1, "value_ratio": 0.9801}],
        markets=[flat_market("ETHUSDC", 600, 0.01)],
        positions=[],
    )
    analysis = analyze(plan)
    assert analysis.cross.collateral_value == pytest.approx(196.02)
    assert analysis.cross.equity == pytest.approx(416.02)
    assert analysis.equity == pytest.approx(416.02)
    # with the FAQ's ETHUSDC position (20 at 600, maintenance rate 1 %)
    opened = make_plan(
        wallet=220,
        currency="USDC",
        collateral=[{"asset": "USDT", "amount": 200, "price": 1, "value_ratio": 0.9801}],
        markets=[flat_market("ETHUSDC", 600, 0.01)],
        positions=[position("eth", "ETHUSDC", "long", 20, 600)],
    )
    cross = analyze(opened).cross
    assert cross.maintenance_margin == pytest.approx(20 * 600 * 0.01)
    assert cross.risk_ratio == pytest.approx(120 / 416.02)


def test_bybit_tiered_value_ratio_applies_marginally() -> None:
    """Bybit UTA help ("Understanding Collateral Value Ratios"), the illustrative BTC tiers:
    0–10 at 0.98, 10–20 at 0.95, 20–30 at 0.9, … — 25 BTC count 10·0.98 + 10·0.95 + 5·0.9."""
    tiers = [
        {"amount_floor": 0, "ratio": 0.98},
        {"amount_floor": 10, "ratio": 0.95},
        {"amount_floor": 20, "ratio": 0.9},
        {"amount_floor": 30, "ratio": 0.85},
        {"amount_floor": 40, "ratio": 0.8},
        {"amount_floor": 50, "ratio": 0.0},
    ]
    plan = make_plan(
        collateral=[
            {"asset": "BTC", "amount": 25, "price_symbol": "BTCUSDT", "value_ratio_tiers": tiers}
        ],
        markets=[flat_market("BTCUSDT", 50_000, 0.005)],
        positions=[],
        venue="bybit",
    )
    (item,) = analyze(plan).collateral
    assert item.value == pytest.approx((10 * 0.98 + 10 * 0.95 + 5 * 0.9) * 50_000)
    assert item.price == 50_000 and item.amount == 25


# --- closed forms -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "c", "r", "m", "entry", "mark"),
    [
        (12.0, 10.0, 0.95, 0.005, 60_000.0, 60_000.0),  # short more than the collateral counts
        (20.0, 10.0, 0.9, 0.004, 50_000.0, 52_000.0),
        (2.0, 1.0, 1.0, 0.01, 30_000.0, 29_000.0),
    ],
)
def test_btc_short_backed_by_btc_closed_form(
    q: float, c: float, r: float, m: float, entry: float, mark: float
) -> None:
    """A BTC short of size q backed by c BTC at ratio r (wallet 0), flat rate m: the pool fails
    where c·P·r + q·(E − P) = m·q·P, i.e. P = q·E / (q·(1 + m) − c·r); the collateral's own
    liquidation price is the same price (it moves with the short's market)."""
    plan = make_plan(
        collateral=[{"asset": "BTC", "amount": c, "price_symbol": "BTCUSDT", "value_ratio": r}],
        markets=[flat_market("BTCUSDT", mark, m)],
        positions=[position("short", "BTCUSDT", "short", q, entry)],
    )
    analysis = analyze(plan)
    expected = q * entry / (q * (1 + m) - c * r)
    assert analysis.positions[0].liquidation_price == pytest.approx(expected, rel=1e-12)
    assert analysis.collateral[0].liquidation_price == pytest.approx(expected, rel=1e-12)
    # at that price the venue's equation holds: c·P·r + q(E − P) − m·q·P = 0
    assert c * expected * r + q * (entry - expected) - m * q * expected == pytest.approx(
        0.0, abs=1e-6 * q * entry
    )


def test_fully_hedged_short_has_no_liquidation_on_a_fall() -> None:
    """c·r ≥ q(1 + m): the pool gains as BTC rises and loses nothing worth liquidating as it
    falls — no liquidation price at all."""
    plan = make_plan(
        collateral=[{"asset": "BTC", "amount": 10, "price_symbol": "BTCUSDT", "value_ratio": 1}],
        markets=[flat_market("BTCUSDT", 60_000, 0.004)],
        positions=[position("short", "BTCUSDT", "short", 5, 60_000)],
    )
    analysis = analyze(plan)
    assert analysis.positions[0].liquidation_price is None
    assert analysis.collateral[0].liquidation_price is None


def test_fixed_price_collateral_liquidation_price_is_where_the_pool_fails() -> None:
    """Collateral at a fixed price p0: the pool's health is h + units·(p − p0); the asset's own
    liquidation price is p0 − h / units, where re-pricing the collateral puts health at 0."""
    plan = make_plan(
        wallet=1_000,
        collateral=[{"asset": "SOL", "amount": 100, "price": 150, "value_ratio": 0.9}],
        markets=[flat_market("ETHUSDT", 3_000, 0.005)],
        positions=[position("eth", "ETHUSDT", "long", 20, 3_600)],  # 12,000 under water
    )
    analysis = analyze(plan)
    cross = analysis.cross
    health = cross.equity - cross.maintenance_margin
    expected = 150 - health / (100 * 0.9)
    assert 0 < expected < 150
    (item,) = analysis.collateral
    assert item.value == pytest.approx(100 * 150 * 0.9)
    assert item.liquidation_price == pytest.approx(expected)
    data = plan.model_dump(mode="json")
    data["account"]["collateral"][0]["price"] = expected
    assert pool_health(Plan.model_validate(data)) == pytest.approx(0.0, abs=1e-6)


def test_collateral_priced_by_a_market_without_positions_moves_alone() -> None:
    """BTC collateral priced by BTCUSDT, only an ETH position: BTC's own liquidation price is
    where re-pricing BTCUSDT alone puts the pool's health at 0 (a straight line in P)."""
    plan = make_plan(
        collateral=[{"asset": "BTC", "amount": 2, "price_symbol": "BTCUSDT", "value_ratio": 0.95}],
        markets=[flat_market("BTCUSDT", 60_000, 0.004), flat_market("ETHUSDT", 3_000, 0.005)],
        positions=[position("eth", "ETHUSDT", "long", 60, 3_200)],
    )
    analysis = analyze(plan)
    mm = 60 * 3_000 * 0.005
    pnl = 60 * (3_000 - 3_200)
    expected = (mm - pnl) / (2 * 0.95)
    assert analysis.collateral[0].liquidation_price == pytest.approx(expected)
    assert pool_health(with_mark(plan, "BTCUSDT", expected)) == pytest.approx(0.0, abs=1e-6)
    # the ETH long's liquidation price holds BTC at its mark: collateral worth 2·0.95·60,000
    free = 2 * 0.95 * 60_000
    eth_lp = (60 * 3_200 - free) / (60 * (1 - 0.005))
    assert analysis.positions[0].liquidation_price == pytest.approx(eth_lp)


def test_isolated_positions_draw_nothing_from_collateral() -> None:
    base = {
        "markets": [flat_market("BTCUSDT", 60_000, 0.004)],
        "positions": [position("iso", "BTCUSDT", "long", 1, 60_000, mode="isolated")],
    }
    without = analyze(make_plan(wallet=10_000, **base))
    backed = analyze(
        make_plan(
            wallet=10_000,
            collateral=[{"asset": "BTC", "amount": 5, "price_symbol": "BTCUSDT"}],
            **base,
        )
    )
    assert backed.positions[0].liquidation_price == without.positions[0].liquidation_price
    assert backed.buckets[0].equity == without.buckets[0].equity
    # no cross position: nothing in the pool to liquidate
    assert backed.collateral[0].liquidation_price is None


def test_inverse_market_may_not_price_collateral() -> None:
    with pytest.raises(ValidationError) as error:
        make_plan(
            wallet=1,
            currency="BTC",
            collateral=[{"asset": "USDT", "amount": 1000, "price_symbol": "BTCUSD"}],
            markets=[flat_market("BTCUSD", 60_000, 0.005, contract="inverse")],
            positions=[],
        )
    text = str(error.value)
    assert "account.collateral[0].price_symbol" in text and "inverse" in text


def test_analysis_document_carries_the_spec_fields() -> None:
    plan = make_plan(
        collateral=[{"asset": "BTC", "amount": 10, "price_symbol": "BTCUSDT", "value_ratio": 0.95}],
        markets=[flat_market("BTCUSDT", 60_000, 0.004)],
        positions=[position("short", "BTCUSDT", "short", 12, 60_000)],
    )
    account = analyze(plan).to_dict()["account"]
    assert account["wallet_balance"] == 0
    assert account["cross"]["collateral_value"] == pytest.approx(570_000)
    assert account["cross"]["equity"] == pytest.approx(570_000)
    (item,) = account["collateral"]
    assert set(item) == {"asset", "amount", "price", "value", "liquidation_price"}
    assert item["asset"] == "BTC" and item["price"] == 60_000


# --- sweeps and maps move collateral with its market ------------------------------------------


def _pair_plan() -> Plan:
    return make_plan(
        collateral=[
            {"asset": "BTC", "amount": 3, "price_symbol": "BTCUSDT", "value_ratio": 0.95},
            {"asset": "USDC", "amount": 5_000, "price": 1, "value_ratio": 0.9999},
        ],
        markets=[flat_market("BTCUSDT", 60_000, 0.004), flat_market("ETHUSDT", 3_000, 0.005)],
        positions=[
            position("eth", "ETHUSDT", "long", 60, 3_000),
            position("btc", "BTCUSDT", "short", 5, 60_000),
        ],
    )


def test_sweep_point_equals_the_re_priced_plan() -> None:
    plan = _pair_plan()
    moves = [-0.3, -0.1, 0.15]
    result = sweep(plan, symbol="BTCUSDT", moves=moves)
    for k, move in enumerate(moves):
        again = analyze(shocked(plan, moves={"BTCUSDT": move}))
        assert result.cross_alive[k] != again.cross.liquidated
        if result.cross_alive[k]:
            assert result.cross_equity[k] == pytest.approx(again.cross.equity, rel=1e-12)
            assert result.cross_maintenance[k] == pytest.approx(
                again.cross.maintenance_margin, rel=1e-12
            )


def test_sweep_finds_the_engine_liquidation_of_the_collateral_market() -> None:
    plan = _pair_plan()
    lp = analyze(plan).positions[1].liquidation_price
    assert lp is not None
    result = sweep(plan, symbol="BTCUSDT", moves=[0.0, 5.0])
    (event,) = [e for e in result.events if e.kind == "cross"]
    assert event.price == pytest.approx(lp, rel=1e-9)


def test_map_cell_equals_the_re_priced_plan() -> None:
    plan = _pair_plan()
    result = two_asset_map(plan, "BTCUSDT", "ETHUSDT", [-0.2, 0.3], [-0.25, 0.1])
    for iy, my in enumerate([-0.25, 0.1]):
        for ix, mx in enumerate([-0.2, 0.3]):
            again = analyze(shocked(plan, moves={"BTCUSDT": mx, "ETHUSDT": my})).cross
            assert result.cross_equity[iy, ix] == pytest.approx(again.equity, rel=1e-12)


# --- properties ---------------------------------------------------------------------------------

prices = st.floats(1_000, 100_000)
ratios = st.floats(0.05, 1.0)


@st.composite
def pool_plans(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """A cross BTC position and an ETH position, and one collateral item (BTC by its market,
    or SOL at a fixed price)."""
    btc_mark = draw(prices)
    btc_side = draw(st.sampled_from(["long", "short"]))
    btc_q = draw(st.floats(0.1, 5))
    eth_mark = draw(st.floats(500, 5_000))
    eth_q = draw(st.floats(1, 50))
    markets = [flat_market("BTCUSDT", btc_mark, 0.004), flat_market("ETHUSDT", eth_mark, 0.005)]
    btc_entry = btc_mark * draw(st.floats(0.9, 1.1))
    eth_entry = eth_mark * draw(st.floats(0.9, 1.1))
    positions = [
        position("btc", "BTCUSDT", btc_side, btc_q, btc_entry),
        position("eth", "ETHUSDT", draw(st.sampled_from(["long", "short"])), eth_q, eth_entry),
    ]
    if draw(st.booleans()):
        item = {"asset": "BTC", "amount": draw(st.floats(0.1, 10)), "price_symbol": "BTCUSDT"}
    else:
        amount, price = draw(st.floats(1, 1_000)), draw(st.floats(5, 300))
        item = {"asset": "SOL", "amount": amount, "price": price}
    item["value_ratio"] = draw(ratios)
    wallet = draw(st.floats(0, 50_000))
    base = {"markets": markets, "positions": positions, "wallet": wallet}
    return base, item


@SETTINGS
@given(pool_plans())
def test_equity_with_collateral_is_equity_without_plus_its_value(
    case: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    base, item = case
    with_item = analyze(make_plan(collateral=[item], **base))
    without = analyze(make_plan(**{**base, "wallet": max(base["wallet"], 1e-6)}))
    shift = max(base["wallet"], 1e-6) - base["wallet"]
    price = item.get("price") or base["markets"][0]["mark_price"]
    value = item["amount"] * price * item["value_ratio"]
    assert with_item.cross.collateral_value == pytest.approx(value, rel=1e-12)
    assert with_item.collateral[0].value == pytest.approx(value, rel=1e-12)
    assert with_item.cross.equity == pytest.approx(
        without.cross.equity - shift + value, rel=1e-9, abs=1e-6
    )
    assert with_item.equity == pytest.approx(without.equity - shift + value, rel=1e-9, abs=1e-6)
    assert with_item.cross.maintenance_margin == without.cross.maintenance_margin


@SETTINGS
@given(pool_plans())
def test_a_vanishing_collateral_changes_nothing(
    case: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    """Ratio must be > 0 in a plan: a tiny amount at a tiny ratio stands for the ratio-0 limit."""
    base, item = case
    base = {**base, "wallet": base["wallet"] + 1_000}
    tiny = {**item, "amount": 1e-9, "value_ratio": 1e-6}
    backed = analyze(make_plan(collateral=[tiny], **base))
    bare = analyze(make_plan(**base))
    assert backed.cross.equity == pytest.approx(bare.cross.equity, rel=1e-9, abs=1e-6)
    for got, want in zip(backed.positions, bare.positions, strict=True):
        if want.liquidation_price is None:
            continue
        assert got.liquidation_price == pytest.approx(want.liquidation_price, rel=1e-6)


@SETTINGS
@given(pool_plans())
def test_liquidation_with_collateral_on_its_own_market_is_the_bisection_root(
    case: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    """The BTC position's liquidation price, with BTC collateral moving with BTCUSDT, is where
    the re-priced plan's pool equity meets its maintenance margin (bisection on analyze)."""
    base, item = case
    item = {"asset": "BTC", "amount": item["amount"] % 10 + 0.1, "price_symbol": "BTCUSDT",
            "value_ratio": item["value_ratio"]}  # fmt: skip
    plan = make_plan(collateral=[item], **base)
    analysis = analyze(plan)
    if analysis.cross.liquidated:
        return
    lp = analysis.positions[0].liquidation_price
    mark = plan.market("BTCUSDT").mark_price

    def health(price: float) -> float:
        return pool_health(with_mark(plan, "BTCUSDT", price))

    if lp is None:
        # no root on either side within a wide range
        for price in (mark / 50, mark * 50):
            assert health(price) > 0
        return
    root = bisect(health, mark, lp * 0.5 if lp < mark else lp * 1.5)
    assert lp == pytest.approx(root, rel=1e-7)
    assert analysis.collateral[0].liquidation_price == lp
    assert math.isfinite(root)
