"""The example plans in resources/examples: each loads, round-trips byte for byte, explains
itself in ``notes``, and its key figures match values computed here from the formulas of
reference/MARGIN.md — not copied from the program's output.

Binance linear (§4.1, §5.1): LP = (M + cum − s·q·E) / (q·MMR − s·q), with the tier taken at
the liquidation price; for cross, M is the free collateral: the cross wallet less the other
cross symbols' maintenance margin plus their PnL (others at their marks). Hedge legs of one
symbol share one LP (§5.2). Inverse (§6.1): LP = Q·(MMR + s) / (M + cum + s·Q/E).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from planner.domain.analysis import Analysis
from planner.domain.plan import Market, Plan, TierTable
from planner.domain.plan_analysis import analyze
from planner.domain.scenarios import shocked
from planner.storage import load_plan, plan_to_bytes
from planner.storage.tier_library import tier_table
from tests.conftest import EXAMPLES

NAMES = [
    "same-trade-isolated",
    "same-trade-cross",
    "scalper",
    "swing",
    "hedger",
    "hybrid",
    "coin-margined",
    "hedge-mode",
    "dca-ladder",
    "btc-collateral",
]
PRICE = 1e-6  # relative tolerance of prices and amounts


def _load(name: str) -> tuple[Plan, Analysis]:
    plan = load_plan(EXAMPLES / f"{name}.tplan")
    return plan, analyze(plan)


def _approx(value: float) -> object:
    return pytest.approx(value, rel=PRICE, abs=1e-9)


# ---------------------------------------------------------------------------------------------
# Formulas (independent of the engine)


@dataclass(frozen=True)
class Leg:
    side: int  # +1 long, −1 short
    q: float  # linear: base units; inverse: USD (contracts × contract size)
    entry: float


def tier_at(market: Market, notional: float) -> tuple[float, float]:
    """(MMR, maintenance amount) of the floor-inclusive tier that holds ``notional``."""
    chosen = market.tiers[0]
    for tier in market.tiers:
        if notional >= tier.notional_floor:
            chosen = tier
    return chosen.mmr, chosen.maintenance_amount


def linear_lp(collateral: float, legs: list[Leg], market: Market) -> float | None:
    """Binance linear LP of the legs of one symbol on ``collateral``, tiers at the LP."""
    price = market.mark_price
    for _ in range(50):
        rates = [tier_at(market, leg.q * price) for leg in legs]
        numerator = (
            collateral
            + sum(cum for _, cum in rates)
            - sum(leg.side * leg.q * leg.entry for leg in legs)
        )
        denominator = sum(leg.q * mmr for leg, (mmr, _) in zip(legs, rates, strict=True)) - sum(
            leg.side * leg.q for leg in legs
        )
        lp = numerator / denominator
        if lp <= 1e-6:
            return None
        if [tier_at(market, leg.q * lp) for leg in legs] == rates:
            return lp
        price = lp
    raise AssertionError("the tier at the liquidation price did not settle")


def inverse_lp(collateral: float, leg: Leg, market: Market) -> float | None:
    """Binance COIN-M LP (tiers in coin: Q / price)."""
    price = market.mark_price
    for _ in range(50):
        mmr, cum = tier_at(market, leg.q / price)
        denominator = collateral + cum + leg.side * leg.q / leg.entry
        if denominator <= 0:
            return None
        lp = leg.q * (mmr + leg.side) / denominator
        if lp <= 0:
            return None
        if tier_at(market, leg.q / lp) == (mmr, cum):
            return lp
        price = lp
    raise AssertionError("the tier at the liquidation price did not settle")


def linear_pnl(leg: Leg, price: float) -> float:
    return leg.side * leg.q * (price - leg.entry)


def linear_mm(leg: Leg, market: Market) -> float:
    notional = leg.q * market.mark_price
    mmr, cum = tier_at(market, notional)
    return notional * mmr - cum


def loss_at_stop_linear(leg: Leg, stop: float, taker: float) -> float:
    return -linear_pnl(leg, stop) + taker * leg.q * (leg.entry + stop)


# ---------------------------------------------------------------------------------------------
# Every example


@pytest.mark.parametrize("name", NAMES)
def test_example_exists_round_trips_and_explains_itself(name: str) -> None:
    path = EXAMPLES / f"{name}.tplan"
    data = path.read_bytes()
    plan = load_plan(path)
    assert plan_to_bytes(plan) == data
    assert plan.name.strip()
    assert len(plan.notes.strip()) > 200
    assert "try" in plan.notes.lower()
    analysis = analyze(plan)
    assert len(analysis.positions) == len(plan.positions) >= 1


def test_there_are_no_other_examples() -> None:
    assert sorted(p.stem for p in EXAMPLES.glob("*.tplan")) == sorted(NAMES)


@pytest.mark.parametrize("name", [n for n in NAMES if n != "coin-margined"])
def test_binance_linear_markets_carry_the_shipped_tier_table(name: str) -> None:
    plan, _ = _load(name)
    for market in plan.markets:
        assert isinstance(market.maintenance, TierTable)
        assert market.maintenance == tier_table("binance", market.symbol)
        assert market.maintenance.as_of == "2024-10-24"
        assert market.maintenance.source


# ---------------------------------------------------------------------------------------------
# Key figures


def test_same_trade_isolated() -> None:
    plan, analysis = _load("same-trade-isolated")
    assert plan.account.wallet_balance == 10000
    market = plan.market("BTCUSDT")
    leg = Leg(+1, 0.2, 50000)
    assert leg.q * leg.entry == 10000 and market.mark_price == 50000
    margin = leg.q * leg.entry / 10
    assert margin == pytest.approx(1000)
    position = analysis.positions[0]
    assert position.margin_mode == "isolated"
    assert position.margin == _approx(margin)
    assert position.liquidation_price == _approx(linear_lp(margin, [leg], market))
    assert position.liquidation_price == pytest.approx(45180.72, abs=0.01)
    assert position.bankruptcy_price == _approx(leg.entry - margin / leg.q)
    assert position.loss_at_stop == _approx(loss_at_stop_linear(leg, 46000, 0))
    assert position.max_loss == _approx(margin)
    assert analysis.cross.wallet_balance == _approx(10000 - margin)


def test_same_trade_cross() -> None:
    plan, analysis = _load("same-trade-cross")
    market = plan.market("BTCUSDT")
    leg = Leg(+1, 0.2, 50000)
    position = analysis.positions[0]
    assert position.margin_mode == "cross"
    assert position.initial_margin == _approx(1000)
    assert analysis.cross.equity == _approx(10000)
    assert analysis.cross.available == _approx(9000)
    # free collateral 10,000 behind a 10,000 position: the formula gives 0, i.e. no LP
    numerator = 10000 + tier_at(market, 0)[1] - leg.q * leg.entry
    assert numerator == pytest.approx(0, abs=1e-9)
    assert linear_lp(10000, [leg], market) is None
    assert position.liquidation_price is None
    assert position.max_loss == _approx(analysis.cross.equity)
    assert position.loss_at_stop == _approx(loss_at_stop_linear(leg, 46000, 0))
    # the twin: identical except for the margin mode
    twin = load_plan(EXAMPLES / "same-trade-isolated.tplan")
    assert twin.positions[0].model_copy(update={"margin_mode": "cross"}) == plan.positions[0]
    assert (twin.account, twin.markets) == (plan.account, plan.markets)


def test_scalper() -> None:
    plan, analysis = _load("scalper")
    assert plan.account.wallet_balance == 5000 and plan.account.position_mode == "one-way"
    market = plan.market("BTCUSDT")
    taker = plan.account.taker_fee_rate
    legs = [Leg(+1, p.quantity, p.entry_price) for p in plan.positions]
    assert len(legs) >= 4
    for pos, leg, result in zip(plan.positions, legs, analysis.positions, strict=True):
        assert pos.leverage == 25 and pos.margin_mode == "isolated" and pos.symbol == "BTCUSDT"
        assert leg.q * leg.entry == pytest.approx(5000, rel=0.01)  # about $5,000 notional
        assert result.margin == _approx(leg.q * leg.entry / 25)  # about $200
        assert result.margin == pytest.approx(200, rel=0.01)
        assert pos.stop_loss is not None
        assert result.loss_at_stop == _approx(loss_at_stop_linear(leg, pos.stop_loss, taker))
    # one-way: the entries net into one isolated bucket with one liquidation price
    bucket_margin = sum(leg.q * leg.entry / 25 for leg in legs)
    netted = Leg(+1, sum(leg.q for leg in legs), sum(leg.q * leg.entry for leg in legs))
    netted = Leg(+1, netted.q, netted.entry / netted.q)
    expected_lp = linear_lp(bucket_margin, [netted], market)
    assert expected_lp is not None
    assert len(analysis.buckets) == 1
    bucket = analysis.buckets[0]
    assert bucket.position_ids == tuple(p.id for p in plan.positions)
    assert bucket.margin == _approx(bucket_margin)
    assert bucket.liquidation_price == _approx(expected_lp)
    for pos, result in zip(plan.positions, analysis.positions, strict=True):
        assert result.liquidation_price == _approx(expected_lp)
        assert pos.stop_loss > expected_lp  # every stop comes before liquidation
    assert analysis.cross.wallet_balance == _approx(5000 - bucket_margin)


def test_swing() -> None:
    plan, analysis = _load("swing")
    assert plan.account.wallet_balance == 20000
    (pos,) = plan.positions
    assert (pos.symbol, pos.side, pos.leverage, pos.margin_mode) == ("ETHUSDT", "long", 3, "cross")
    assert len(pos.take_profits) == 2 and pos.stop_loss is not None
    market = plan.market("ETHUSDT")
    taker = plan.account.taker_fee_rate
    leg = Leg(+1, pos.quantity, pos.entry_price)
    (result,) = analysis.positions
    assert result.initial_margin == _approx(leg.q * market.mark_price / 3)
    assert analysis.cross.equity == _approx(20000 + linear_pnl(leg, market.mark_price))
    assert result.liquidation_price == _approx(linear_lp(20000, [leg], market))
    assert result.liquidation_price == pytest.approx(502.01, abs=0.01)
    risk = loss_at_stop_linear(leg, pos.stop_loss, taker)
    assert result.loss_at_stop == _approx(risk)
    rewards = [
        tp.fraction * (linear_pnl(leg, tp.price) - taker * leg.q * (leg.entry + tp.price))
        for tp in pos.take_profits
    ]
    assert [tp.reward for tp in result.take_profits] == [_approx(r) for r in rewards]
    assert result.reward_to_risk == _approx(sum(rewards) / risk)


def _cross_figures(plan: Plan, analysis: Analysis) -> None:
    """Every cross symbol's LP from the free collateral of §5.1 (one leg per symbol)."""
    cross = [p for p in plan.positions if p.margin_mode == "cross"]
    legs = {p.symbol: Leg(1 if p.side == "long" else -1, p.quantity, p.entry_price) for p in cross}
    assert len(legs) == len(cross)  # one position per cross symbol in these examples
    isolated_margin = sum(
        p.quantity * p.entry_price / p.leverage + p.added_margin
        for p in plan.positions
        if p.margin_mode == "isolated"
    )
    wallet = plan.account.wallet_balance - isolated_margin
    assert analysis.cross.wallet_balance == _approx(wallet)
    pnl = {s: linear_pnl(leg, plan.market(s).mark_price) for s, leg in legs.items()}
    mm = {s: linear_mm(leg, plan.market(s)) for s, leg in legs.items()}
    assert analysis.cross.equity == _approx(wallet + sum(pnl.values()))
    assert analysis.cross.maintenance_margin == _approx(sum(mm.values()))
    for symbol, leg in legs.items():
        free = wallet - sum(mm[s] - pnl[s] for s in legs if s != symbol)
        expected = linear_lp(free, [leg], plan.market(symbol))
        index = next(i for i, p in enumerate(plan.positions) if p.symbol == symbol)
        assert analysis.positions[index].liquidation_price == _approx(expected), symbol


def test_hedger() -> None:
    plan, analysis = _load("hedger")
    sides = {(p.symbol, p.side, p.margin_mode) for p in plan.positions}
    assert sides == {("BTCUSDT", "long", "cross"), ("ETHUSDT", "short", "cross")}
    _cross_figures(plan, analysis)
    btc, eth = analysis.positions
    assert btc.liquidation_price == pytest.approx(42700.1, abs=0.1)
    assert eth.liquidation_price == pytest.approx(3357.70, abs=0.01)
    assert analysis.isolated_margin == 0


def test_hybrid() -> None:
    plan, analysis = _load("hybrid")
    wallet = plan.account.wallet_balance
    eth = plan.position("eth-conviction")
    assert eth.margin_mode == "isolated" and eth.side == "long" and eth.symbol == "ETHUSDT"
    eth_margin = eth.quantity * eth.entry_price / eth.leverage + eth.added_margin
    assert eth_margin == pytest.approx(0.3 * wallet)  # 30 % isolated, 70 % cross
    assert analysis.isolated_margin == _approx(eth_margin)
    cross = {(p.symbol, p.side) for p in plan.positions if p.margin_mode == "cross"}
    assert cross == {("BTCUSDT", "short"), ("SOLUSDT", "long")}

    market = plan.market("ETHUSDT")
    leg = Leg(+1, eth.quantity, eth.entry_price)
    lp = linear_lp(eth_margin, [leg], market)
    assert lp is not None
    assert tier_at(market, leg.q * lp) == (0.005, 50)  # the second tier, taken at the LP
    assert analysis.positions[0].liquidation_price == _approx(lp)
    assert analysis.positions[0].bankruptcy_price == _approx(leg.entry - eth_margin / leg.q)
    assert eth.stop_loss is not None and eth.stop_loss > lp
    _cross_figures(plan, analysis)


def test_coin_margined() -> None:
    plan, analysis = _load("coin-margined")
    assert plan.account.currency == "BTC"
    for market in plan.markets:
        assert market.contract == "inverse" and market.contract_size == 100
    wallet = plan.account.wallet_balance
    taker = plan.account.taker_fee_rate
    perp = plan.position("perp-long")
    quarterly = plan.position("quarterly-long")
    assert (perp.margin_mode, quarterly.margin_mode) == ("cross", "isolated")

    q_leg = Leg(+1, quarterly.quantity * 100, quarterly.entry_price)
    q_margin = q_leg.q / q_leg.entry / quarterly.leverage  # in BTC
    q_lp = inverse_lp(q_margin, q_leg, plan.market(quarterly.symbol))
    assert q_lp is not None
    results = {r.id: r for r in analysis.positions}
    assert results["quarterly-long"].margin == _approx(q_margin)
    assert results["quarterly-long"].liquidation_price == _approx(q_lp)
    assert results["quarterly-long"].liquidation_price == pytest.approx(46549.1, abs=0.1)
    assert results["quarterly-long"].bankruptcy_price == _approx(
        q_leg.q / (q_leg.q / q_leg.entry + q_margin)
    )

    p_leg = Leg(+1, perp.quantity * 100, perp.entry_price)
    cross_wallet = wallet - q_margin
    assert analysis.cross.wallet_balance == _approx(cross_wallet)
    p_lp = inverse_lp(cross_wallet, p_leg, plan.market(perp.symbol))
    assert results["perp-long"].liquidation_price == _approx(p_lp)
    assert results["perp-long"].initial_margin == _approx(
        p_leg.q / plan.market(perp.symbol).mark_price / perp.leverage
    )
    stop = perp.stop_loss
    assert stop is not None
    loss = p_leg.q * (1 / stop - 1 / p_leg.entry) + taker * (p_leg.q / p_leg.entry + p_leg.q / stop)
    assert results["perp-long"].loss_at_stop == _approx(loss)


def test_hedge_mode() -> None:
    plan, analysis = _load("hedge-mode")
    assert plan.account.position_mode == "hedge"
    assert {p.symbol for p in plan.positions} == {"BTCUSDT"}
    assert {p.side for p in plan.positions} == {"long", "short"}
    assert {p.margin_mode for p in plan.positions} == {"cross"}
    legs = [Leg(1 if p.side == "long" else -1, p.quantity, p.entry_price) for p in plan.positions]
    expected = linear_lp(plan.account.wallet_balance, legs, plan.market("BTCUSDT"))
    # reference/vectors.json derived_binance_hedge_mode_cross: 38,461.54
    assert expected == pytest.approx(38461.54, abs=0.01)
    for result in analysis.positions:
        assert result.liquidation_price == _approx(expected)
    pnl = sum(linear_pnl(leg, 60000) for leg in legs)
    assert analysis.cross.equity == _approx(plan.account.wallet_balance + pnl)


def test_examples_are_installed_as_package_resources() -> None:
    from importlib.resources import files

    folder = files("planner.resources").joinpath("examples")
    for name in NAMES:
        assert (
            folder.joinpath(f"{name}.tplan").read_bytes()
            == Path(EXAMPLES / f"{name}.tplan").read_bytes()
        )


def test_dca_ladder() -> None:
    """Five planned buys; the last lies beyond the liquidation price after the fourth; 30 days
    of funding at 0.03 % per 8 h on the first fill (reference/MARGIN.md §4, isolated linear)."""
    plan, analysis = _load("dca-ladder")
    doc = analysis.to_dict()
    position = plan.positions[0]
    fills = [(position.entry_price, position.quantity)]
    fills += [(s.price, s.quantity) for s in position.scale_in]
    assert len(fills) == 6
    market = plan.market("BTCUSDT")
    expected_lps = []
    for k in range(1, len(fills) + 1):
        q = sum(qty for _, qty in fills[:k])
        entry = sum(price * qty for price, qty in fills[:k]) / q
        margin = q * entry / position.leverage
        mmr, cum = tier_at(market, q * entry)  # small notional: the first tier either way
        expected_lps.append((q * entry - margin - cum) / (q * (1 - mmr)))
    got = [f["liquidation_price"] for f in doc["positions"][0]["scale_in"]]
    assert got == pytest.approx(expected_lps[1:], rel=PRICE)
    reachable = [f["reachable"] for f in doc["positions"][0]["scale_in"]]
    assert reachable == [True, True, True, True, False]
    assert expected_lps[4] > position.scale_in[-1].price  # why the last one cannot fill
    payments = 720 / 8
    cost = 0.05 * 60_000 * 0.0003 * payments
    assert doc["account"]["funding_cost"] == pytest.approx(cost)
    q, entry = 0.05, 60_000
    at_horizon = (q * entry - (q * entry / 5 - cost)) / (q * (1 - 0.004))
    assert doc["positions"][0]["liquidation_price_at_horizon"] == pytest.approx(at_horizon)


def linear_lp_backed(free: float, leg: Leg, market: Market, units: float) -> float | None:
    """Binance linear LP of one leg whose pool also holds collateral priced by the same market
    (spec v2): free + units·P + s·q·(P − E) = q·P·MMR − cum, tiers at the LP."""
    price = market.mark_price
    for _ in range(50):
        mmr, cum = tier_at(market, leg.q * price)
        lp = (free + cum - leg.side * leg.q * leg.entry) / (leg.q * mmr - leg.side * leg.q - units)
        if lp <= 1e-6:
            return None
        if tier_at(market, leg.q * lp) == (mmr, cum):
            return lp
        price = lp
    raise AssertionError("the tier at the liquidation price did not settle")


def test_btc_collateral() -> None:
    """10 BTC at Binance's 95 % back a cross ETH long and a cross BTC short (wallet 0)."""
    plan, analysis = _load("btc-collateral")
    assert plan.account.wallet_balance == 0
    (item,) = plan.account.collateral
    assert (item.asset, item.amount, item.price_symbol, item.value_ratio) == (
        "BTC",
        10,
        "BTCUSDT",
        0.95,
    )
    btc, eth = plan.market("BTCUSDT"), plan.market("ETHUSDT")
    value = 10 * btc.mark_price * 0.95
    assert analysis.cross.collateral_value == _approx(value)
    assert analysis.cross.equity == _approx(value)  # no USDT, no PnL at entry
    eth_pos, btc_pos = plan.position("eth-long"), plan.position("btc-short")
    eth_leg = Leg(+1, eth_pos.quantity, eth_pos.entry_price)
    btc_leg = Leg(-1, btc_pos.quantity, btc_pos.entry_price)
    # ETH falls alone: the collateral and the short stay at BTC's mark
    free_eth = value + linear_pnl(btc_leg, btc.mark_price) - linear_mm(btc_leg, btc)
    eth_lp = linear_lp(free_eth, [eth_leg], eth)
    # BTC moves alone: the collateral moves with it (units 10 × 0.95 per dollar of BTC)
    free_btc = linear_pnl(eth_leg, eth.mark_price) - linear_mm(eth_leg, eth)
    btc_lp = linear_lp_backed(free_btc, btc_leg, btc, 10 * 0.95)
    results = {p.id: p for p in analysis.positions}
    assert results["eth-long"].liquidation_price == _approx(eth_lp)
    assert results["btc-short"].liquidation_price == _approx(btc_lp)
    assert analysis.collateral[0].liquidation_price == _approx(btc_lp)
    assert eth_lp == pytest.approx(1653.41, abs=0.01)
    assert btc_lp == pytest.approx(1_001_166.67, abs=0.01)
    # the notes' figures: a fixed 570,000 instead would liquidate the short at about 115,300
    assert linear_lp(value + free_btc, [btc_leg], btc) == pytest.approx(115_270.74, abs=0.01)
    # a 10 % fall of BTC: the collateral loses 57,000, the short gains 60,000
    fall = 0.1 * btc.mark_price
    assert -10 * 0.95 * fall + btc_leg.q * fall == pytest.approx(3_000)
    fallen = analyze(shocked(plan, moves={"BTCUSDT": -0.1}))
    assert fallen.cross.equity - analysis.cross.equity == pytest.approx(3_000)
    notes = plan.notes
    for figure in ("570,000", "1,653", "1,001,000", "115,300", "3,000"):
        assert figure in notes, figure
