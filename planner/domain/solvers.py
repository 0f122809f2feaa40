"""Solvers for what traders ask: the size for a risk, the margin or leverage that keeps
liquidation beyond the stop, the largest cross position the pool allows, where a position's
size crosses a tier, and the margin for a chosen liquidation price.

Each returns a number (or None when there is none) that, put back into the plan, gives the
asked-for figure in ``analyze()``: the same equation (reference/MARGIN.md §3), the same tiers
(taken at the price, or at entry for ``bybit``) and the same fees as the engine.

Margins are returned as the value of the position's ``added_margin`` field (not a change):
the change is ``result − position.added_margin``; ``scenarios.with_added_margin`` applies it.
Sizes (``size_for_risk``, ``largest_cross_quantity``) are rounded down to the market's
``quantity_step`` when it has one (spec/plan-format-v2.md), so they stay within what was asked.
"""

from __future__ import annotations

import math

import numpy as np

from planner.domain.book import Book, build_book
from planner.domain.engine import analyze, entry_notional, valuate
from planner.domain.errors import PlanError
from planner.domain.plan import Market, Plan, Position, Side
from planner.domain.scenarios import liquidating_market_move, position_index
from planner.domain.sizing import round_down_to_step

__all__ = [
    "largest_cross_quantity",
    "least_isolated_margin",
    "leverage_cap",
    "loss_per_unit",
    "margin_for_liquidation_price",
    "market_move_to_liquidate_pool",
    "most_leverage",
    "quantity_at_next_tier",
    "size_for_risk",
]

#: The joint move that liquidates the cross pool (MARGIN.md §5.3); see ``scenarios``.
market_move_to_liquidate_pool = liquidating_market_move


def _positive(value: float, what: str, *, allow_zero: bool = False) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise PlanError(f"{what} = {value!r}: must be a number", field=what) from None
    if not math.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
        rule = "must be zero or more" if allow_zero else "must be above 0"
        raise PlanError(f"{what} = {value}: {rule}", field=what)
    return number


def _market(plan: Plan, symbol: str) -> Market:
    try:
        return plan.market(symbol)
    except KeyError:
        raise PlanError(
            f"symbol = {symbol!r}: no market with this symbol", field="symbol"
        ) from None


# --------------------------------------------------------------------------------------------
# size for a risk


def loss_per_unit(market: Market, side: Side, entry: float, stop: float, taker: float) -> float:
    """Loss at ``stop`` of one unit of quantity, with taker fees on entry and exit — the
    engine's ``loss_at_stop`` divided by the quantity for a stop the mark has not passed, before
    the engine bounds it by 0 and by what the position can lose."""
    s = 1.0 if side == "long" else -1.0
    cs = market.contract_size
    if market.contract == "linear":
        return cs * (s * (entry - stop) + taker * (entry + stop))
    return cs * (-s * (1.0 / entry - 1.0 / stop) + taker * (1.0 / entry + 1.0 / stop))


def size_for_risk(
    plan: Plan,
    position_id: str | Position | None = None,
    *,
    draft: Position | None = None,
    risk_fraction: float | None = None,
    risk_amount: float | None = None,
    stop: float | None = None,
) -> float | None:
    """The quantity whose loss at ``stop`` (taker fees on entry and exit included) equals the
    risk: ``risk_amount`` in the account's currency, or ``risk_fraction`` of the wallet balance.

    The position is ``position_id`` in ``plan``, or a draft ``Position`` not yet in the plan
    (passed as ``draft=`` or in place of the id; only its symbol, side, entry price and stop
    are used). ``stop`` defaults to the position's stop loss. None when the stop does not lose
    (it is on the profit side of the entry, net of fees). The tier rules are not applied: a
    size whose leverage the tier refuses is still returned (the plan will say so)."""
    if isinstance(position_id, Position):
        position_id, draft = None, position_id
    if (position_id is None) == (draft is None):
        raise PlanError("give either a position id or a draft position", field="position_id")
    pos = plan.positions[position_index(plan, position_id)] if draft is None else draft
    market = _market(plan, pos.symbol)
    if (risk_fraction is None) == (risk_amount is None):
        raise PlanError("give either risk_fraction or risk_amount", field="risk")
    if risk_amount is not None:
        risk = _positive(risk_amount, "risk_amount")
    else:
        risk = _positive(risk_fraction, "risk_fraction") * plan.account.wallet_balance
    stop = pos.stop_loss if stop is None else stop
    if stop is None:
        raise PlanError(f"position {pos.id!r} has no stop loss: give a stop", field="stop")
    stop = _positive(stop, "stop")
    per_unit = loss_per_unit(market, pos.side, pos.entry_price, stop, plan.account.taker_fee_rate)
    if not per_unit > 0:
        return None
    return round_down_to_step(risk / per_unit, market.quantity_step)


# --------------------------------------------------------------------------------------------
# isolated margin and leverage against the stop


def _isolated(plan: Plan, position_id: str) -> tuple[int, Position]:
    i = position_index(plan, position_id)
    pos = plan.positions[i]
    if pos.margin_mode != "isolated":
        raise PlanError(
            f"positions[{i}] ({pos.id}) is cross: its liquidation price does not depend on its "
            "own margin; switch it to isolated first",
            field=f"positions[{i}].margin_mode",
        )
    return i, pos


def _bucket_margin_at(book: Book, leg: int, price: float) -> float:
    """The bucket margin that puts the leg's liquidation exactly at ``price``: maintenance
    (with the fee to close where the venue counts it) minus PnL, both at that price."""
    market = int(book.leg_market[leg])
    marks = book.mark_u.copy()
    marks[market] = 1.0 / price if book.inverse[market] else price
    state = valuate(book, marks)
    return float(state.maintenance[leg] - state.pnl[leg])


def _protected_price(plan: Plan, pos: Position, buffer: float, stop: float | None) -> float | None:
    """stop·(1 ∓ buffer); None unless it lies on the losing side of the mark (a liquidation
    price there would mean the bucket is liquidated now)."""
    stop = pos.stop_loss if stop is None else stop
    if stop is None:
        raise PlanError(f"position {pos.id!r} has no stop loss: give a stop", field="stop")
    stop = _positive(stop, "stop")
    buffer = _positive(buffer, "buffer", allow_zero=True)
    target = stop * (1.0 - buffer) if pos.side == "long" else stop * (1.0 + buffer)
    return target if _losing_side(plan, pos, target) else None


def _losing_side(plan: Plan, pos: Position, price: float) -> bool:
    mark = plan.market(pos.symbol).mark_price
    return 0 < price < mark if pos.side == "long" else price > mark


def margin_for_liquidation_price(plan: Plan, position_id: str, target_price: float) -> float | None:
    """The ``added_margin`` of isolated position ``position_id`` that puts its bucket's
    liquidation price at ``target_price``. None when the target is not on the losing side of
    the mark (the bucket would be liquidated at once) or when no margin this position can hold
    (initial + added > 0) moves liquidation that far."""
    i, pos = _isolated(plan, position_id)
    target = _positive(target_price, "target_price")
    if not _losing_side(plan, pos, target):
        return None
    return _added_for_target(plan, i, pos, target)


def _added_for_target(plan: Plan, i: int, pos: Position, target: float) -> float | None:
    book = build_book(plan)
    leg = int(book.pos_leg[i])
    needed = _bucket_margin_at(book, leg, target)
    added = pos.added_margin + needed - float(book.leg_margin[leg])
    initial = float(book.pos_margin[i]) - pos.added_margin
    if initial + added <= 0:
        return None
    return added


def least_isolated_margin(
    plan: Plan, position_id: str, buffer: float, *, stop: float | None = None
) -> float | None:
    """The least ``added_margin`` of isolated position ``position_id`` that keeps its bucket's
    liquidation price beyond the stop by ``buffer`` (a fraction of the stop price): at or
    below stop·(1 − buffer) for a long, at or above stop·(1 + buffer) for a short. Can be
    negative (margin that may be removed). None when that price is not on the losing side of
    the mark (or not above 0), or when liquidation stays beyond it whatever margin this
    position holds (other positions in the bucket carry it)."""
    i, pos = _isolated(plan, position_id)
    target = _protected_price(plan, pos, buffer, stop)
    if target is None:
        return None
    return _added_for_target(plan, i, pos, target)


def leverage_cap(plan: Plan, position_id: str) -> float | None:
    """The highest leverage the tiers allow this position: the tier of its own entry notional
    (the plan rule) and the tier of its netted leg's entry notional (the exchange's position).
    None when the tiers set no maximum."""
    i = position_index(plan, position_id)
    pos = plan.positions[i]
    market = plan.market(pos.symbol)
    book = build_book(plan)
    leg = int(book.pos_leg[i])
    caps = [
        market.max_leverage_for(market.entry_notional(pos.quantity, pos.entry_price)),
        market.max_leverage_for(float(entry_notional(book)[leg])),
    ]
    known = [c for c in caps if c is not None]
    return min(known) if known else None


def most_leverage(
    plan: Plan, position_id: str, buffer: float, *, stop: float | None = None
) -> float | None:
    """The highest leverage of isolated position ``position_id`` (added margin kept) that keeps
    its bucket's liquidation price beyond the stop by ``buffer`` (a fraction of the stop
    price), never above what the tiers allow (``leverage_cap``): lower leverage means more
    margin, so some leverage always does. None when that price is not on the losing side of
    the mark (or not above 0), or when nothing limits the leverage (no tier maximum and the
    other positions in the bucket carry it at any leverage). Bybit resets added margin when
    leverage changes (MARGIN.md §7); this keeps it."""
    i, pos = _isolated(plan, position_id)
    target = _protected_price(plan, pos, buffer, stop)
    if target is None:
        return None
    book = build_book(plan)
    leg = int(book.pos_leg[i])
    needed = _bucket_margin_at(book, leg, target)
    others = float(book.leg_margin[leg] - book.pos_margin[i])
    initial_needed = needed - others - pos.added_margin
    cap = leverage_cap(plan, position_id)
    if initial_needed <= 0:
        return cap
    market = plan.market(pos.symbol)
    leverage = market.entry_notional(pos.quantity, pos.entry_price) / initial_needed
    return leverage if cap is None else min(leverage, cap)


# --------------------------------------------------------------------------------------------
# the cross pool's room for a new position


def _largest_allowed_notional(market: Market, leverage: float) -> float | None:
    """The entry notional up to which (exclusive) ``leverage`` is allowed from the first tier
    on; +inf without a limit; None when not even the first tier allows it."""
    limit = None
    for tier in market.tiers:
        if tier.max_leverage is not None and leverage > tier.max_leverage:
            break
        limit = math.inf if tier.notional_cap is None else tier.notional_cap
    return limit


def largest_cross_quantity(
    plan: Plan, symbol: str, side: Side, leverage: float, entry: float
) -> float | None:
    """The largest quantity of a new cross position (``symbol``, ``side``, ``leverage``, entry
    price ``entry``) that the cross pool's available balance allows: after it, available =
    cross equity − cross initial margin stays ≥ 0 (the new position's PnL at the mark
    counts, as in the engine). Also kept below the notional where its tier refuses the
    leverage. 0.0 when nothing is available. None when the plan's rules refuse such a position
    (the symbol is isolated, or one-way mode holds the other side; leverage above the first
    tier's maximum) or when nothing limits the size."""
    market = _market(plan, symbol)
    if side not in ("long", "short"):
        raise PlanError(f"side = {side!r}: must be 'long' or 'short'", field="side")
    leverage = _positive(leverage, "leverage")
    entry = _positive(entry, "entry")
    for pos in plan.positions:
        if pos.symbol != symbol:
            continue
        if pos.margin_mode != "cross":
            return None
        if plan.account.position_mode == "one-way" and pos.side != side:
            return None
    limit = _largest_allowed_notional(market, leverage)
    if limit is None:
        return None

    analysis = analyze(plan)
    free = analysis.cross.equity - analysis.cross.initial_margin
    s = 1.0 if side == "long" else -1.0
    cs = market.contract_size
    mark = market.mark_price
    if market.contract == "linear":
        im_unit = cs * mark / leverage
        pnl_unit = s * cs * (mark - entry)
        notional_unit = cs * entry
    else:
        im_unit = cs / (mark * leverage)
        pnl_unit = s * cs * (1.0 / entry - 1.0 / mark)
        notional_unit = cs / entry
    slope = im_unit - pnl_unit
    by_balance = max(free, 0.0) / slope if slope > 0 else math.inf
    by_tier = limit / notional_unit
    if math.isinf(by_tier) and math.isinf(by_balance):
        return None
    if by_tier <= by_balance:
        # the cap is exclusive: the largest quantity whose notional stays below it
        quantity = by_tier
        while quantity > 0 and market.entry_notional(quantity, entry) >= limit:
            quantity = float(np.nextafter(quantity, 0.0))
        return round_down_to_step(quantity, market.quantity_step)
    return round_down_to_step(by_balance, market.quantity_step)


# --------------------------------------------------------------------------------------------
# tiers


def quantity_at_next_tier(plan: Plan, position_id: str) -> float | None:
    """The quantity of ``position_id`` at which its netted leg's notional — where the venue
    values maintenance margin: at the mark, or at entry for ``bybit`` — enters the leg's next
    tier (the floor is inclusive). None when the leg is in the last tier."""
    i = position_index(plan, position_id)
    pos = plan.positions[i]
    market = plan.market(pos.symbol)
    book = build_book(plan)
    leg = int(book.pos_leg[i])
    m = int(book.leg_market[leg])
    state = valuate(book, book.mark_u)
    tier = int(state.tier[leg])
    if tier + 1 >= book.floors.shape[1] or not np.isfinite(book.floors[m, tier + 1]):
        return None
    floor = float(book.floors[m, tier + 1])
    cs = market.contract_size
    if book.rules.maintenance_at_entry:
        valued = float(entry_notional(book)[leg])
        per_unit = cs * pos.entry_price if market.contract == "linear" else cs / pos.entry_price
    else:
        valued = float(state.notional[leg])
        per_unit = cs * float(book.mark_u[m])
    quantity = pos.quantity + (floor - valued) / per_unit
    # land on the engine's side of the floor despite rounding
    for step in range(60):
        if _leg_tier(plan, i, quantity) > tier:
            return quantity
        quantity += abs(quantity) * np.finfo(float).eps * 2.0**step
    return quantity


def _leg_tier(plan: Plan, i: int, quantity: float) -> int:
    positions = list(plan.positions)
    positions[i] = positions[i].model_copy(update={"quantity": quantity})
    book = build_book(plan.model_copy(update={"positions": tuple(positions)}))
    leg = int(book.pos_leg[i])
    state = valuate(book, book.mark_u)
    return int(state.tier[leg])
