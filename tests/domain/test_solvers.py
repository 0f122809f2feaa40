"""Every solver's answer, put back into the plan, gives the asked-for figure in analyze()."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.domain.errors import PlanError
from planner.domain.plan import Plan, Position
from planner.domain.plan_analysis import analyze
from planner.domain.scenarios import liquidating_market_move, with_added_margin
from planner.domain.solvers import (
    largest_cross_quantity,
    least_isolated_margin,
    leverage_cap,
    margin_for_liquidation_price,
    market_move_to_liquidate_pool,
    most_leverage,
    quantity_at_next_tier,
    size_for_risk,
)
from tests.domain.decision_fixtures import (
    VENUES,
    inverse_plan,
    make_plan,
    mixed_plan,
    pos,
    spec_plan,
)


def with_position(plan: Plan, position_id: str, **changes: Any) -> Plan:
    data = plan.model_dump()
    for p in data["positions"]:
        if p["id"] == position_id:
            p.update(changes)
    return Plan.model_validate(data)


def add_position(plan: Plan, position: dict[str, Any]) -> Plan:
    data = plan.model_dump()
    data["positions"] = [*data["positions"], position]
    return Plan.model_validate(data)


def result_of(plan: Plan, position_id: str):
    analysis = analyze(plan)
    return analysis.position(analysis.index_of(position_id))


PLANS = {
    **{f"mixed-{v}": (lambda v=v: mixed_plan(v, 0.0005 if v == "okx" else 0.0)) for v in VENUES},
    "inverse": inverse_plan,
    "inverse-okx": lambda: inverse_plan("okx"),
    "spec": spec_plan,
}


# --------------------------------------------------------------------------------------------
# size for a risk


@pytest.mark.parametrize("name", list(PLANS))
@pytest.mark.parametrize("taker", [0.0, 0.0004])
def test_size_for_risk_round_trips(name: str, taker: float) -> None:
    plan = PLANS[name]()
    data = plan.model_dump()
    data["account"]["taker_fee_rate"] = taker
    plan = Plan.model_validate(data)
    checked = 0
    for p in plan.positions:
        mark = plan.market(p.symbol).mark_price
        stop = mark * (0.93 if p.side == "long" else 1.07)
        quantity = size_for_risk(plan, p.id, risk_fraction=0.01, stop=stop)
        assert quantity is not None and quantity > 0
        if not _leverage_allows(plan, p, quantity):
            continue
        checked += 1
        sized = with_position(plan, p.id, quantity=quantity, stop_loss=stop)
        result = result_of(sized, p.id)
        # an isolated bucket liquidated before its stop loses its margin, no more
        expected = min(0.01 * plan.account.wallet_balance, result.max_loss)
        assert result.loss_at_stop == pytest.approx(expected, rel=1e-12)
    assert checked


def _leverage_allows(plan: Plan, p: Position, quantity: float) -> bool:
    market = plan.market(p.symbol)
    notional = market.entry_notional(quantity, p.entry_price)
    cap = market.tiers[-1].notional_cap
    limit = market.max_leverage_for(notional)
    return (cap is None or notional < cap) and (limit is None or p.leverage <= limit)


def test_size_for_risk_with_a_draft_position_and_an_amount() -> None:
    plan = spec_plan()
    draft = Position.model_validate(pos("new", "BTCUSDT", "long", 1, 58000, 10, "cross"))
    quantity = size_for_risk(plan, draft, risk_amount=300, stop=57000)
    # linear: loss = q·(entry − stop) for a long, no fees in the spec plan
    assert quantity == pytest.approx(300 / 1000)
    planned = add_position(plan, {**draft.model_dump(), "quantity": quantity, "stop_loss": 57000})
    assert result_of(planned, "new").loss_at_stop == pytest.approx(300)
    # inverse, in coin: a short's PnL is −Q·(1/E − 1/S), so the loss per $100 contract is
    # 100·(1/E − 1/S) with the stop above the entry
    inverse = inverse_plan()
    short = Position.model_validate(pos("n", "BTCUSD", "short", 1, 50000, 10, "isolated"))
    per_contract = 100 * (1 / 50000 - 1 / 52000)
    assert size_for_risk(inverse, short, risk_amount=0.5, stop=52000) == pytest.approx(
        0.5 / per_contract
    )


def test_size_for_risk_refusals() -> None:
    plan = spec_plan()
    # the stop on the profit side loses nothing: no size
    assert size_for_risk(plan, "eth-conviction", risk_amount=100, stop=3100) is None
    with pytest.raises(PlanError, match="either"):
        size_for_risk(plan, "eth-conviction", stop=2800)
    with pytest.raises(PlanError, match="either"):
        size_for_risk(plan, "eth-conviction", risk_amount=1, risk_fraction=0.1, stop=2800)
    with pytest.raises(PlanError, match="no stop"):
        size_for_risk(plan, "btc-core", risk_amount=100)
    with pytest.raises(PlanError, match="risk_amount"):
        size_for_risk(plan, "eth-conviction", risk_amount=-5)
    with pytest.raises(PlanError, match="no position"):
        size_for_risk(plan, "nope", risk_amount=5, stop=1)
    # the position's own stop is the default
    assert size_for_risk(plan, "eth-conviction", risk_amount=200) == pytest.approx(1.0)
    assert size_for_risk(plan, position_id="eth-conviction", risk_amount=200) == pytest.approx(1)
    draft = plan.position("eth-conviction").model_copy(update={"id": "draft"})
    assert size_for_risk(plan, draft=draft, risk_amount=200) == pytest.approx(1.0)
    with pytest.raises(PlanError, match="either a position"):
        size_for_risk(plan, risk_amount=200, stop=2800)
    with pytest.raises(PlanError, match="either a position"):
        size_for_risk(plan, "eth-conviction", draft=draft, risk_amount=200)


@given(
    entry=st.floats(100, 100000),
    stop_frac=st.floats(0.5, 0.99),
    side=st.sampled_from(["long", "short"]),
    taker=st.sampled_from([0.0, 0.0002, 0.0006]),
    risk=st.floats(10, 5000),
)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_size_for_risk_property(
    entry: float, stop_frac: float, side: str, taker: float, risk: float
) -> None:
    stop = entry * (stop_frac if side == "long" else 2 - stop_frac)
    # marked at the entry: the stop is still ahead (a stop the mark has passed fills at the mark)
    market = {"symbol": "ETHUSDT", "mark_price": entry, "maintenance": {"mmr": 0.005}}
    plan = make_plan(
        [pos("p", "ETHUSDT", side, 1, entry, 1, "isolated", stop_loss=stop)],
        taker=taker,
        markets=[market],
    )
    quantity = size_for_risk(plan, "p", risk_amount=risk)
    assert quantity is not None
    sized = with_position(plan, "p", quantity=quantity)
    assert result_of(sized, "p").loss_at_stop == pytest.approx(risk, rel=1e-9)


# --------------------------------------------------------------------------------------------
# isolated margin and leverage against the stop


def _isolated_cases():
    for name in PLANS:
        plan = PLANS[name]()
        for p in plan.positions:
            if p.margin_mode == "isolated":
                yield pytest.param(name, p.id, id=f"{name}-{p.id}")


@pytest.mark.parametrize(("name", "position_id"), list(_isolated_cases()))
@pytest.mark.parametrize("buffer", [0.0, 0.01, 0.03])
def test_least_isolated_margin_round_trips(name: str, position_id: str, buffer: float) -> None:
    plan = PLANS[name]()
    p = plan.position(position_id)
    mark = plan.market(p.symbol).mark_price
    stop = mark * (0.95 if p.side == "long" else 1.05)
    added = least_isolated_margin(plan, position_id, buffer, stop=stop)
    assert added is not None
    target = stop * (1 - buffer) if p.side == "long" else stop * (1 + buffer)
    solved = with_added_margin(plan, position_id, added - p.added_margin)
    lp = result_of(solved, position_id).liquidation_price
    assert lp == pytest.approx(target, rel=1e-9)
    assert not result_of(solved, position_id).liquidated
    # the least: a little less margin and liquidation comes inside the target
    less = with_added_margin(plan, position_id, added - p.added_margin - 1e-6 * abs(added) - 1e-3)
    lp_less = result_of(less, position_id).liquidation_price
    assert (lp_less > target) if p.side == "long" else (lp_less < target)


@pytest.mark.parametrize(("name", "position_id"), list(_isolated_cases()))
def test_margin_for_liquidation_price_round_trips(name: str, position_id: str) -> None:
    plan = PLANS[name]()
    p = plan.position(position_id)
    mark = plan.market(p.symbol).mark_price
    for frac in (0.02, 0.1, 0.25):
        target = mark * (1 - frac) if p.side == "long" else mark * (1 + frac)
        added = margin_for_liquidation_price(plan, position_id, target)
        if added is None:
            # only when the position's own margin would have to be 0 or less
            continue
        solved = with_added_margin(plan, position_id, added - p.added_margin)
        assert result_of(solved, position_id).liquidation_price == pytest.approx(target, rel=1e-9)


def test_margin_for_liquidation_price_refusals() -> None:
    plan = spec_plan()
    assert margin_for_liquidation_price(plan, "eth-conviction", 2950) is None  # above the mark
    with pytest.raises(PlanError, match="cross"):
        margin_for_liquidation_price(plan, "btc-core", 30000)
    with pytest.raises(PlanError, match="target_price"):
        margin_for_liquidation_price(plan, "eth-conviction", -1)
    # the spec's 2,710.84 needs exactly the margin the plan has
    lp = analyze(plan).position(0).liquidation_price
    assert margin_for_liquidation_price(plan, "eth-conviction", lp) == pytest.approx(0, abs=1e-8)


def test_least_isolated_margin_closed_form() -> None:
    """Spec ETH long, Binance, flat 0.4 %: M = q·T·MMR − q·(T − E) at T = 2,800·(1 − 2 %)."""
    plan = spec_plan()
    target = 2800 * 0.98
    expected_margin = 5 * target * 0.004 - 5 * (target - 3000)
    added = least_isolated_margin(plan, "eth-conviction", 0.02)
    assert added == pytest.approx(expected_margin - 1500, rel=1e-12)


@pytest.mark.parametrize(("name", "position_id"), list(_isolated_cases()))
@pytest.mark.parametrize("buffer", [0.0, 0.02])
def test_most_leverage_round_trips(name: str, position_id: str, buffer: float) -> None:
    plan = PLANS[name]()
    p = plan.position(position_id)
    mark = plan.market(p.symbol).mark_price
    stop = mark * (0.95 if p.side == "long" else 1.05)
    leverage = most_leverage(plan, position_id, buffer, stop=stop)
    assert leverage is not None and leverage > 0
    cap = leverage_cap(plan, position_id)
    target = stop * (1 - buffer) if p.side == "long" else stop * (1 + buffer)
    solved = with_position(plan, position_id, leverage=leverage)
    lp = result_of(solved, position_id).liquidation_price
    assert not result_of(solved, position_id).liquidated
    if cap is not None and leverage == cap:
        assert (lp <= target * (1 + 1e-9)) if p.side == "long" else (lp >= target * (1 - 1e-9))
    else:
        assert lp == pytest.approx(target, rel=1e-9)
        # a little more leverage and liquidation comes inside the target
        more = result_of(with_position(plan, position_id, leverage=leverage * 1.001), position_id)
        assert (
            (more.liquidation_price > target)
            if p.side == "long"
            else (more.liquidation_price < target)
        )


def test_most_leverage_respects_the_tier() -> None:
    plan = spec_plan()
    # a stop at or beyond the mark would trigger now: nothing to protect
    assert most_leverage(plan, "eth-conviction", 0.0, stop=2900) is None
    assert least_isolated_margin(plan, "eth-conviction", 0.0, stop=3100) is None
    assert least_isolated_margin(plan, "eth-conviction", 0.5, stop=2800) is not None
    assert least_isolated_margin(plan, "eth-conviction", 1.0, stop=2800) is None  # price 0
    # a far stop needs margin 5·1,000·0.4 % + 5·(3,000 − 1,000) = 10,020: 15,000 / 10,020
    assert most_leverage(plan, "eth-conviction", 0.0, stop=1000) == pytest.approx(15000 / 10020)
    with pytest.raises(PlanError, match="cross"):
        most_leverage(plan, "btc-core", 0.01, stop=50000)
    # the netted leg's tier counts: two BTC positions that only together enter tier 2 (100×)
    tiered = make_plan(
        [
            pos("a", "BTCUSDT", "long", 0.8, 58000, 10, "isolated"),
            pos("b", "BTCUSDT", "long", 0.8, 58000, 10, "isolated"),
        ]
    )
    assert leverage_cap(tiered, "a") == 100
    # at 57,000 the bucket needs 0.5 %·1.6·57,000 − 50 + 1.6·1,000 = 2,006, and "b" alone
    # brings 4,640: "a" may go as high as the tier allows
    assert most_leverage(tiered, "a", 0.0, stop=57000) == 100
    lp = analyze(with_position(tiered, "a", leverage=100)).position(0).liquidation_price
    assert lp < 57000


# --------------------------------------------------------------------------------------------
# the cross pool's room


@pytest.mark.parametrize("name", ["spec", "mixed-binance", "mixed-okx", "inverse"])
@pytest.mark.parametrize("entry_frac", [1.0, 0.98, 1.03])
def test_largest_cross_quantity_uses_up_the_available_balance(name: str, entry_frac: float) -> None:
    plan = PLANS[name]()
    for market in plan.markets:
        sides = {p.side for p in plan.positions if p.symbol == market.symbol}
        modes = {p.margin_mode for p in plan.positions if p.symbol == market.symbol}
        side = next(iter(sides)) if sides else "long"
        entry = market.mark_price * entry_frac
        quantity = largest_cross_quantity(plan, market.symbol, side, 5, entry)
        if modes == {"isolated"}:
            assert quantity is None
            continue
        assert quantity is not None and quantity > 0
        new = pos("new", market.symbol, side, quantity, entry, 5, "cross")
        after = analyze(add_position(plan, new))
        assert after.cross.equity - after.cross.initial_margin == pytest.approx(0, abs=1e-6)
        # and a touch more would need more than there is
        bigger = analyze(add_position(plan, {**new, "quantity": quantity * 1.001}))
        assert bigger.cross.equity - bigger.cross.initial_margin < 0


def test_largest_cross_quantity_stops_at_the_tier_that_refuses_the_leverage() -> None:
    plan = make_plan([], wallet=1_000_000)
    quantity = largest_cross_quantity(plan, "BTCUSDT", "long", 110, 58000)
    # 110× only in the first tier (125×): the notional stays below 50,000
    assert quantity is not None
    assert quantity * 58000 < 50000
    assert quantity * 58000 == pytest.approx(50000, rel=1e-12)
    add_position(plan, pos("new", "BTCUSDT", "long", quantity, 58000, 110, "cross"))  # valid
    assert largest_cross_quantity(plan, "BTCUSDT", "long", 200, 58000) is None
    # one-way mode refuses the other side of a symbol held long
    assert largest_cross_quantity(spec_plan(), "BTCUSDT", "short", 10, 58000) is None
    with pytest.raises(PlanError, match="symbol"):
        largest_cross_quantity(plan, "DOGE", "long", 10, 1)


def test_largest_cross_quantity_is_zero_when_nothing_is_available() -> None:
    plan = make_plan(
        [pos("a", "BTCUSDT", "long", 1, 60000, 2, "cross")], wallet=20000
    )  # IM 29,000 > equity 18,000
    assert analyze(plan).cross.available == 0
    assert largest_cross_quantity(plan, "BTCUSDT", "long", 10, 58000) == 0


# --------------------------------------------------------------------------------------------
# tiers


@pytest.mark.parametrize("venue", VENUES)
def test_quantity_at_next_tier_lands_in_the_next_tier(venue: str) -> None:
    plan = mixed_plan(venue, 0.0005 if venue == "okx" else 0.0)
    for position_id in ("btc", "btc2"):
        before = result_of(plan, position_id)
        quantity = quantity_at_next_tier(plan, position_id)
        assert quantity is not None and quantity > plan.position(position_id).quantity
        after = result_of(
            with_position(plan, position_id, leverage=1, quantity=quantity), position_id
        )
        assert after.maintenance_rate > before.maintenance_rate
        just_below = with_position(plan, position_id, leverage=1, quantity=quantity * (1 - 1e-9))
        assert result_of(just_below, position_id).maintenance_rate == before.maintenance_rate


def test_quantity_at_next_tier_closed_form_and_last_tier() -> None:
    plan = spec_plan()
    # BTC 0.5 at a 58,000 mark: tier 2 begins at a 50,000 notional
    assert quantity_at_next_tier(plan, "btc-core") == pytest.approx(50000 / 58000, rel=1e-12)
    assert quantity_at_next_tier(plan, "eth-conviction") is None  # a flat rule has no next tier


def test_market_move_to_liquidate_pool_is_the_joint_shock() -> None:
    plan = mixed_plan()
    assert market_move_to_liquidate_pool is liquidating_market_move
    x = market_move_to_liquidate_pool(plan)
    assert x is not None and x < 0
    assert math.isfinite(x)
