"""The analysis of a small plan from ``small``'s legs and roots: ``Analysis.from_arrays`` one
value at a time, each figure computed as it computes it (same operations, same order)."""

from __future__ import annotations

import math

import numpy as np

from planner.domain.analysis import _POSITION_COLUMNS, Analysis, Derivations
from planner.domain.plan import Plan
from planner.domain.results import CollateralResult, CrossPool, IsolatedBucket
from planner.domain.small import _INF, _NAN, _Legs, _opt, _Solver, _sum

#: a position's row: the columns of ``Analysis.columns`` in order, then two more
_ROW = (*_POSITION_COLUMNS, "break_even", "reward_to_risk")


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
    leg_equity: list[float] = []
    leg_risk: list[float] = []
    cross_pnl_terms: list[float] = []
    cross_mm_terms: list[float] = []
    for j, (margin_j, pnl_j, mm_j, isolated_j) in enumerate(
        zip(legs.leg_margin, leg_pnl, leg_mm, legs.leg_isolated, strict=True)
    ):
        equity_j = margin_j + pnl_j
        leg_equity.append(equity_j)
        leg_risk.append(mm_j / equity_j if equity_j > 0 else _NAN)
        if isolated_j or j >= n_position_legs:
            cross_pnl_terms.append(pnl_j * 0.0)
            cross_mm_terms.append(mm_j * 0.0)
        else:
            cross_pnl_terms.append(pnl_j)
            cross_mm_terms.append(mm_j)
    cross_wallet = wallet - solved.isolated_margin
    cross_pnl = _sum(cross_pnl_terms)
    collateral_value = _sum(leg_pnl[n_position_legs:]) + legs.collateral_fixed_value
    cross_equity = cross_wallet + cross_pnl + collateral_value
    cross_mm = _sum(cross_mm_terms)

    cross_liquidated = cross_equity < 0 or (cross_mm > 0 and cross_equity <= cross_mm)
    cross_risk = cross_mm / cross_equity if cross_equity > 0 else None
    pool_risk = _NAN if cross_risk is None else cross_risk
    max_loss_cross = max(cross_equity, 0.0)

    # positions: one row each (``_ROW``), the columns of one array
    pos_leg, leg_q, mark_u = legs.pos_leg, legs.leg_q, solved.mark_u
    leg_rate, leg_amount = solved.mmr, solved.cum
    rows: list[tuple[float, ...]] = []
    im_terms: list[float] = []
    liquidated: list[bool] = []
    rewards: list[tuple[float, ...]] = []
    up = (1 + taker) / (1 - taker)
    down = (1 - taker) / (1 + taker)
    for (p, i, inverse, sign, q, entry, isolated, entry_notional, pos_margin, a, b), j in zip(
        legs.pos, pos_leg, strict=True
    ):
        mark = markets[i].mark_price
        u = mark_u[i]
        value = q * u
        share = q / leg_q[j]
        leverage = p.leverage
        g = leg_group[j]
        lp = group_lp[g]
        pnl = a + b * u
        if isolated:
            im_terms.append(value / leverage * 0.0)
            liquidated.append(leg_equity[j] <= leg_mm[j])
            margin, risk, max_loss = pos_margin, leg_risk[j], pos_margin
            initial_margin = entry_notional / leverage
        else:
            im_terms.append(value / leverage)
            liquidated.append(cross_liquidated)
            margin, risk, max_loss = _NAN, pool_risk, max_loss_cross
            initial_margin = value / leverage
        # planning figures: stop, take-profits, break-even (fees: taker on entry and exit)
        # (as Analysis.from_arrays: a stop already passed fills at the mark; 0 ≤ loss ≤ max)
        stop = _NAN if p.stop_loss is None else p.stop_loss
        if (sign > 0 and mark < stop) or (sign < 0 and mark > stop):
            stop = mark
        if inverse:
            loss = -(a + b * (1.0 / stop)) + taker * (entry_notional + q / stop)
        else:
            loss = -(a + b * stop) + taker * (entry_notional + q * stop)
        if loss < 0.0:
            loss = 0.0
        if loss > max_loss:
            loss = max_loss
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
        rows.append(
            (
                p.quantity,
                entry,
                mark,
                value,
                initial_margin,
                margin,
                pnl,
                margin + pnl,
                leg_rate[j] - 0.0,
                leg_amount[j] * share,
                leg_mm[j] * share,
                risk,
                lp,
                group_bp[g],
                (lp - mark) / mark,
                loss,
                max_loss,
                entry * (up if sign > 0 else down),
                total / loss if loss > 0 else _NAN,
            )
        )
    cross_im = _sum(im_terms)
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
    table = np.array(rows, dtype=float) if rows else np.empty((0, len(_ROW)))
    table = table.T.copy()
    columns = dict(zip(_ROW, table, strict=True))
    break_even, reward_to_risk = columns.pop("break_even"), columns.pop("reward_to_risk")
    total_pnl = _sum([row[6] for row in rows])  # unrealized_pnl
    return Analysis(
        plan=plan,
        wallet_balance=wallet,
        unrealized_pnl=total_pnl,
        equity=wallet + total_pnl + collateral_value,
        isolated_margin=solved.isolated_margin,
        cross=cross,
        columns=columns,
        liquidated=np.array(liquidated, dtype=bool),
        break_even=break_even,
        take_profit_rewards=tuple(rewards),
        reward_to_risk=reward_to_risk,
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
    symbols, leg_market, leg_sign = legs.markets, legs.leg_market, legs.leg_sign
    for j in legs.iso_legs:
        g = legs.leg_group[j]
        risk, lp, bp = leg_risk[j], group_lp[g], group_bp[g]
        mm = solved.maintenance[j]
        buckets.append(
            IsolatedBucket(
                symbols[leg_market[j]].symbol,
                "long" if leg_sign[j] > 0 else "short",
                tuple(ids[j]),
                legs.leg_margin[j],
                solved.pnl[j],
                leg_equity[j],
                mm,
                risk if -_INF < risk < _INF else None,
                lp if -_INF < lp < _INF else None,
                bp if -_INF < bp < _INF else None,
                leg_equity[j] <= mm,
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
