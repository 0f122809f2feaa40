"""The analysis of a small plan from ``small``'s legs and roots: ``Analysis.from_arrays`` one
value at a time, each figure computed as it computes it (same operations, same order)."""

from __future__ import annotations

import math

import numpy as np

from planner.domain.analysis import Analysis, Derivations
from planner.domain.plan import Plan
from planner.domain.results import CollateralResult, CrossPool, IsolatedBucket
from planner.domain.small import _NAN, _Legs, _opt, _Solver, _sum


def analyze_small(plan: Plan, derived: Derivations | None = None) -> Analysis:
    """``engine.analyze`` for a small plan: the same ``Analysis``, in plain floats."""
    legs = _Legs(plan)
    solved = _Solver(plan, legs)
    account = plan.account
    wallet = account.wallet_balance
    taker = account.taker_fee_rate
    markets = legs.markets
    leg_pnl, leg_mm = solved.pnl, solved.maintenance
    leg_group = legs.leg_group
    n_legs = len(leg_pnl)

    # groups → prices
    group_lp: list[float] = []
    group_bp: list[float] = []
    for g, i in enumerate(legs.group_market):
        lp, bp = solved.liquidation[g], solved.bankruptcy[g]
        if markets[i].contract == "inverse":
            lp, bp = 1.0 / lp, 1.0 / bp
        group_lp.append(lp)
        group_bp.append(bp)

    # legs: buckets and the pool (collateral legs count as collateral, not as PnL)
    n_position_legs = legs.n_position_legs
    leg_equity = [legs.leg_margin[j] + leg_pnl[j] for j in range(n_legs)]
    leg_risk = [leg_mm[j] / e if e > 0 else _NAN for j, e in enumerate(leg_equity)]
    cross_pnl_terms, cross_mm_terms = [], []
    for j in range(n_legs):
        cross = not legs.leg_isolated[j] and j < n_position_legs
        cross_pnl_terms.append(leg_pnl[j] if cross else leg_pnl[j] * 0.0)
        cross_mm_terms.append(leg_mm[j] if cross else leg_mm[j] * 0.0)
    cross_wallet = wallet - solved.isolated_margin
    cross_pnl = _sum(cross_pnl_terms)
    collateral_value = _sum(leg_pnl[n_position_legs:]) + legs.collateral_fixed_value
    cross_equity = cross_wallet + cross_pnl + collateral_value
    cross_mm = _sum(cross_mm_terms)

    # positions
    pos_leg = legs.pos_leg
    quantity, entry_price, mark_price, notional, initial_margin = [], [], [], [], []
    margin, pnl, rate, amount, maintenance = [], [], [], [], []
    lp, bp, distance, loss_at_stop, isolated_flags, im_terms = [], [], [], [], [], []
    rewards: list[tuple[float, ...]] = []
    reward_to_risk, break_even = [], []
    up = (1 + taker) / (1 - taker)
    down = (1 - taker) / (1 + taker)
    for k, (p, i, inverse, sign, q, entry, isolated, entry_notional, pos_margin, a, b) in enumerate(
        legs.pos
    ):
        j = pos_leg[k]
        mk = markets[i]
        mark = mk.mark_price
        u = solved.mark_u[i]
        value = q * u
        share = q / legs.leg_q[j]
        leverage = p.leverage
        quantity.append(p.quantity)
        entry_price.append(entry)
        mark_price.append(mark)
        notional.append(value)
        initial_margin.append((entry_notional if isolated else value) / leverage)
        im_terms.append(value / leverage if not isolated else value / leverage * 0.0)
        margin.append(pos_margin if isolated else _NAN)
        pnl.append(a + b * u)
        rate.append(solved.mmr[j] - 0.0)
        amount.append(solved.cum[j] * share)
        maintenance.append(leg_mm[j] * share)
        g = leg_group[j]
        lp.append(group_lp[g])
        bp.append(group_bp[g])
        distance.append((group_lp[g] - mark) / mark)
        isolated_flags.append(isolated)
        # planning figures: stop, take-profits, break-even (fees: taker on entry and exit)
        stop = _NAN if p.stop_loss is None else p.stop_loss
        if inverse:
            loss = -(a + b * (1.0 / stop)) + taker * (entry_notional + q / stop)
        else:
            loss = -(a + b * stop) + taker * (entry_notional + q * stop)
        loss_at_stop.append(loss)
        total = _NAN
        if p.take_profits:
            levels = []
            total = 0.0
            for tp in p.take_profits:
                price = tp.price
                if inverse:
                    gross, tp_value = a + b * (1.0 / price), q / price
                else:
                    gross, tp_value = a + b * price, q * price
                reward = tp.fraction * (gross - taker * (entry_notional + tp_value))
                levels.append(reward)
                total += reward
            rewards.append(tuple(levels))
        else:
            rewards.append(())
        reward_to_risk.append(total / loss if loss > 0 else _NAN)
        break_even.append(entry * (up if sign > 0 else down))
    equity = [m + x for m, x in zip(margin, pnl, strict=True)]
    cross_im = _sum(im_terms)
    cross_liquidated = cross_equity < 0 or (cross_mm > 0 and cross_equity <= cross_mm)
    cross_risk = cross_mm / cross_equity if cross_equity > 0 else None
    cross = CrossPool(
        wallet_balance=cross_wallet,
        unrealized_pnl=cross_pnl,
        equity=cross_equity,
        initial_margin=cross_im,
        maintenance_margin=cross_mm,
        available=max(0.0, cross_equity - cross_im),
        risk_ratio=cross_risk,
        liquidated=cross_liquidated,
        collateral_value=collateral_value,
    )
    pool_risk = _NAN if cross_risk is None else cross_risk
    max_loss_cross = max(cross_equity, 0.0)
    risk, liquidated, max_loss = [], [], []
    for k, isolated in enumerate(isolated_flags):
        j = pos_leg[k]
        if isolated:
            risk.append(leg_risk[j])
            liquidated.append(leg_equity[j] <= leg_mm[j])
            max_loss.append(legs.pos[k][8])
        else:
            risk.append(pool_risk)
            liquidated.append(cross_liquidated)
            max_loss.append(max_loss_cross)

    array = np.array
    columns = {
        "quantity": array(quantity, dtype=float),
        "entry_price": array(entry_price, dtype=float),
        "mark_price": array(mark_price, dtype=float),
        "notional": array(notional, dtype=float),
        "initial_margin": array(initial_margin, dtype=float),
        "margin": array(margin, dtype=float),
        "unrealized_pnl": array(pnl, dtype=float),
        "equity": array(equity, dtype=float),
        "maintenance_rate": array(rate, dtype=float),
        "maintenance_amount": array(amount, dtype=float),
        "maintenance_margin": array(maintenance, dtype=float),
        "risk_ratio": array(risk, dtype=float),
        "liquidation_price": array(lp, dtype=float),
        "bankruptcy_price": array(bp, dtype=float),
        "liquidation_distance": array(distance, dtype=float),
        "loss_at_stop": array(loss_at_stop, dtype=float),
        "max_loss": array(max_loss, dtype=float),
    }
    return Analysis(
        plan=plan,
        wallet_balance=wallet,
        unrealized_pnl=_sum(pnl),
        equity=wallet + _sum(pnl) + collateral_value,
        isolated_margin=solved.isolated_margin,
        cross=cross,
        columns=columns,
        liquidated=array(liquidated, dtype=bool),
        break_even=array(break_even, dtype=float),
        take_profit_rewards=tuple(rewards),
        reward_to_risk=array(reward_to_risk, dtype=float),
        buckets=_buckets(plan, legs, solved, leg_equity, leg_risk, group_lp, group_bp),
        collateral=_collateral(plan, legs, solved, group_lp, cross_equity - cross_mm),
        derived=derived,
    )


def _buckets(
    plan: Plan,
    legs: _Legs,
    solved: _Solver,
    leg_equity: list[float],
    leg_risk: list[float],
    group_lp: list[float],
    group_bp: list[float],
) -> tuple[IsolatedBucket, ...]:
    """Every isolated bucket, its positions in plan order (``Analysis.from_arrays``)."""
    if not legs.iso_legs:
        return ()
    ids: dict[int, list[str]] = {j: [] for j in legs.iso_legs}
    for row, j in zip(legs.pos, legs.pos_leg, strict=True):
        if j in ids:
            ids[j].append(row[0].id)
    buckets = []
    for j in legs.iso_legs:
        g = legs.leg_group[j]
        buckets.append(
            IsolatedBucket(
                symbol=legs.markets[legs.leg_market[j]].symbol,
                side="long" if legs.leg_sign[j] > 0 else "short",
                position_ids=tuple(ids[j]),
                margin=legs.leg_margin[j],
                unrealized_pnl=solved.pnl[j],
                equity=leg_equity[j],
                maintenance_margin=solved.maintenance[j],
                risk_ratio=_opt(leg_risk[j]),
                liquidation_price=_opt(group_lp[g]),
                bankruptcy_price=_opt(group_bp[g]),
                liquidated=leg_equity[j] <= solved.maintenance[j],
            )
        )
    return tuple(buckets)


def _collateral(
    plan: Plan, legs: _Legs, solved: _Solver, group_lp: list[float], pool_health: float
) -> tuple[CollateralResult, ...]:
    """``analysis.collateral_results`` in plain floats."""
    items = plan.account.collateral
    if not items:
        return ()
    n = legs.n_position_legs
    has_cross = not all(legs.leg_isolated[:n])
    results = []
    for item, leg, units in zip(items, legs.collateral_leg, legs.collateral_units, strict=True):
        liquidation: float | None = None
        if leg >= 0:
            assert item.price_symbol is not None
            price = legs.markets[legs.index[item.price_symbol]].mark_price
            value = solved.pnl[leg]
            if has_cross:
                liquidation = _opt(group_lp[legs.leg_group[leg]])
        else:
            assert item.price is not None
            price = item.price
            value = item.value_at(price)
            if has_cross and units > 0:
                root = price - pool_health / units
                liquidation = root if math.isfinite(root) and root > 0 else None
        results.append(CollateralResult(item.asset, item.amount, price, value, liquidation))
    return tuple(results)
