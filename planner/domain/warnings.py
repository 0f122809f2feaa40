"""Plain-word warnings about a plan — the one source for the window, the report, ``analyze``
and ``analyze --json`` (``warnings[]`` of spec/plan-format-v2.md).

``compute_warnings(analysis)`` (cached as ``analysis.warnings``; ``plan_warnings(plan,
analysis)`` for callers that hold both) checks, most severe first:

danger
* ``liquidated`` — the cross pool or an isolated bucket is liquidated at these marks;
* ``isolated_exceeds_wallet`` — isolated margins add up to more than the wallet;
* ``stop_already_hit`` — the mark is already past the stop;
* ``liquidation_before_stop`` — on the way from the mark to the stop, liquidation comes first;
* ``pool_near_liquidation`` — a market-wide move of at most 10 % (betas 1, either way)
  liquidates the cross pool;

warning
* ``stop_near_liquidation`` — |stop − liquidation price| / mark < ``risk_limits.stop_buffer``;
* ``risk_per_position`` — loss_at_stop / equity > ``risk_limits.risk_per_position``;
* ``total_risk`` — the account's loss_at_stops / equity > ``risk_limits.total_risk``;
* ``leverage_above_limit`` — effective leverage > ``risk_limits.max_leverage``;
* ``nothing_available`` — the cross pool has no balance left for new positions;
* ``leverage_above_tier`` — a position's leverage is above what the tier of its netted leg
  (all positions of its symbol and side together) allows;
* ``take_profit_on_losing_side``, ``no_stop`` — see ``order_warnings``;
* ``default_market_rule`` — see ``market_warnings``;

notice
* ``quantity_off_step`` — a quantity that is not a multiple of the market's
  ``quantity_step`` or is below its ``min_quantity``;
* ``tier_cliff`` — the netted leg is within 10 % of its next tier's floor.

Each message says what, how much, and what the trader can do about it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from planner.domain.account_figures import beyond_stop
from planner.domain.book import build_book
from planner.domain.engine import entry_notional, valuate
from planner.domain.errors import PlanError
from planner.domain.formatting import (
    format_amount,
    format_leverage,
    format_percent,
    format_price,
    format_quantity,
)
from planner.domain.market_warnings import default_rule_markets
from planner.domain.order_warnings import order_warnings
from planner.domain.plan import Market, Plan, Position
from planner.domain.scenarios import liquidating_market_move
from planner.domain.sizing import (
    is_multiple_of_step,
    round_down_significant,
    round_down_to_step,
)
from planner.domain.timeline import time_risks

if TYPE_CHECKING:
    from planner.domain.analysis import Analysis

Severity = Literal["danger", "warning", "notice"]
SEVERITY_ORDER: dict[str, int] = {"danger": 0, "warning": 1, "notice": 2}

#: A market-wide move at most this large that liquidates the cross pool is warned about.
POOL_MOVE_WARNING = 0.10
#: A next tier whose floor is at most this fraction above the leg's notional is warned about.
TIER_CLIFF_WARNING = 0.10
#: Advice that needs a solve (the margin that makes room for a stop) is computed for this
#: many warnings; later ones advise in words, so a plan of thousands of positions stays quick.
MAX_SOLVED_ADVICE = 25


@dataclass(frozen=True, slots=True)
class PlanWarning:
    severity: Severity
    position_id: str | None  # None: about the account
    text: str
    code: str = ""

    @property
    def message(self) -> str:
        return self.text

    @property
    def position(self) -> str | None:
        return self.position_id

    def to_dict(self) -> dict[str, str | None]:
        """``{"code", "position", "message"}`` of spec/plan-format-v2.md, and the severity."""
        return {
            "code": self.code,
            "position": self.position_id,
            "message": self.text,
            "severity": self.severity,
        }


#: The name the UI codes against (it shadows the builtin only inside this module's namespace).
Warning = PlanWarning


def plan_warnings(plan: Plan, analysis: Analysis) -> list[PlanWarning]:
    """Everything worth a trader's attention in ``plan`` (``analysis`` = ``analyze(plan)``)."""
    if analysis.plan is not plan and analysis.plan != plan:
        raise ValueError("the analysis is not the plan's")
    return list(analysis.warnings)


def _limit(fraction: float) -> str:
    return f"{fraction * 100:g} %"


class _Writer:
    """Collects the warnings of one analysis, with its currency's formatting."""

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self.plan = analysis.plan
        self.cur = self.plan.account.currency
        self.markets: dict[str, Market] = {m.symbol: m for m in self.plan.markets}
        self.found: list[PlanWarning] = []
        self.solves_left = MAX_SOLVED_ADVICE
        columns = analysis.columns
        # per-position figures as Python values (None where a figure does not exist)
        self.mark: list[float] = columns["mark_price"].tolist()
        self.liquidation: list[float | None] = _values(columns["liquidation_price"])
        self.loss_at_stop: list[float | None] = _values(columns["loss_at_stop"])
        self.liquidated: list[bool] = analysis.liquidated.tolist()

    def amount(self, value: float) -> str:
        return f"{format_amount(value, self.cur)} {self.cur}"

    def add(self, severity: Severity, code: str, text: str, position_id: str | None = None) -> None:
        self.found.append(PlanWarning(severity, position_id, text, code))


def compute_warnings(analysis: Analysis) -> list[PlanWarning]:
    """The warnings of ``analysis``'s plan at its marks, most severe first."""
    w = _Writer(analysis)
    plan = analysis.plan
    _liquidated(w)
    if analysis.isolated_margin > plan.account.wallet_balance:
        w.add(
            "danger",
            "isolated_exceeds_wallet",
            f"Isolated margins add up to {w.amount(analysis.isolated_margin)}, more than the "
            f"wallet's {w.amount(plan.account.wallet_balance)}. Lower them by "
            f"{w.amount(analysis.isolated_margin - plan.account.wallet_balance)} or fund the "
            "wallet.",
        )
    for i, pos in enumerate(plan.positions):
        if pos.stop_loss is not None and not w.liquidated[i]:
            _stop_warnings(w, i, pos)
    _pool_near_liquidation(w)
    _risk_limits(w)
    cross = analysis.cross
    if plan.positions and cross.available <= 0:
        w.add(
            "warning",
            "nothing_available",
            f"Nothing is available for new positions: the cross pool's equity "
            f"{w.amount(cross.equity)} does not exceed its initial margin "
            f"{w.amount(cross.initial_margin)}. Fund the wallet or close cross positions.",
        )
    for symbol, text in default_rule_markets(plan):
        first = next(p.id for p in plan.positions if p.symbol == symbol)
        w.add("warning", "default_market_rule", text, first)
    for order in order_warnings(analysis):
        w.add(order.severity, order.code, order.text, order.position)  # type: ignore[arg-type]
    w.found.extend(_tier_warnings(plan))
    _quantity_steps(w)
    for risk in time_risks(analysis):
        w.add(risk.severity, risk.code, risk.text, risk.position)
    w.found.sort(key=lambda warning: SEVERITY_ORDER[warning.severity])
    return w.found


# --- liquidation and stops -------------------------------------------------------------------


def _liquidated(w: _Writer) -> None:
    analysis, plan = w.analysis, w.plan
    cross = analysis.cross
    cross_ids = [p.id for p in plan.positions if p.margin_mode == "cross"]
    if cross.liquidated and cross_ids:
        short = max(cross.maintenance_margin - cross.equity, 0.0)
        w.add(
            "danger",
            "liquidated",
            f"The cross pool ({', '.join(cross_ids)}) is liquidated at these prices: its equity "
            f"{w.amount(cross.equity)} is at or below its maintenance margin "
            f"{w.amount(cross.maintenance_margin)}. It needs more than {w.amount(short)} "
            "in the wallet, or smaller cross positions.",
        )
    for bucket in analysis.buckets:
        if bucket.liquidated:
            short = max(bucket.maintenance_margin - bucket.equity, 0.0)
            w.add(
                "danger",
                "liquidated",
                f"{', '.join(bucket.position_ids)} ({bucket.symbol} {bucket.side}, isolated) is "
                f"liquidated at these prices: its equity {w.amount(bucket.equity)} is at or "
                f"below its maintenance margin {w.amount(bucket.maintenance_margin)}. Add more "
                f"than {w.amount(short)} of margin or close it.",
                bucket.position_ids[0],
            )


def _values(column: np.ndarray) -> list[float | None]:
    return [v if np.isfinite(v) else None for v in column.tolist()]


def _stop_warnings(w: _Writer, i: int, pos: Position) -> None:
    stop, lp, mark = pos.stop_loss, w.liquidation[i], w.mark[i]
    assert stop is not None
    tick = w.markets[pos.symbol].tick_size
    long = pos.side == "long"
    if (long and mark <= stop) or (not long and mark >= stop):
        where = "below" if long else "above"
        # it fills now, at the mark: the PnL there less the taker fees in and out
        result = w.analysis.positions[i]
        taker = w.plan.account.taker_fee_rate
        entry_value = w.markets[pos.symbol].entry_notional(pos.quantity, pos.entry_price)
        net = result.unrealized_pnl - taker * (entry_value + result.notional)
        outcome = (
            f"for a loss of {w.amount(-net)}"
            if net < 0
            else f"taking {w.amount(net)} of profit now (fees paid)"
        )
        w.add(
            "danger" if net < 0 else "warning",
            "stop_already_hit",
            f"{pos.id}: the mark {format_price(mark, tick)} is already {where} its stop at "
            f"{format_price(stop, tick)} — the stop would fill now, {outcome}. Move the stop "
            f"{where} the mark or close the position.",
            pos.id,
        )
        return
    if lp is None:
        return
    beyond = beyond_stop(mark, lp, stop)
    if beyond is None:
        return
    buffer = w.plan.account.risk_limits.stop_buffer
    if beyond <= 0:
        where = "the cross pool is" if pos.margin_mode == "cross" else "it is"
        w.add(
            "danger",
            "liquidation_before_stop",
            f"{pos.id}: {where} liquidated at {format_price(lp, tick)}, before the stop at "
            f"{format_price(stop, tick)} is reached. {_make_room(w, pos, lp, mark, buffer)}",
            pos.id,
        )
        return
    gap = abs(stop - lp) / mark
    if gap < buffer:
        w.add(
            "warning",
            "stop_near_liquidation",
            f"{pos.id}: its stop at {format_price(stop, tick)} is only "
            f"{format_percent(gap, 2)} of the mark from liquidation at {format_price(lp, tick)} "
            f"— less than your {_limit(buffer)} buffer, so a fast move can liquidate it before "
            f"the stop fills. {_make_room(w, pos, lp, mark, buffer)}",
            pos.id,
        )


def _make_room(w: _Writer, pos: Position, lp: float, mark: float, buffer: float) -> str:
    """What keeps the stop ``buffer`` (of the mark) ahead of liquidation: a stop that far from
    the liquidation price, or (isolated) the margin that moves liquidation that far away."""
    tick = w.markets[pos.symbol].tick_size
    long = pos.side == "long"
    safe_stop = lp + buffer * mark if long else lp - buffer * mark
    move = f"Move the stop to {format_price(safe_stop, tick)} or {'above' if long else 'below'}"
    if pos.margin_mode == "cross":
        return f"{move}, or fund the cross pool."
    assert pos.stop_loss is not None
    if w.solves_left <= 0:
        return f"{move}, add margin or lower the leverage."
    w.solves_left -= 1
    try:
        from planner.domain.solvers import least_isolated_margin

        added = least_isolated_margin(w.plan, pos.id, buffer * mark / pos.stop_loss)
    except PlanError:
        added = None
    if added is None or added <= pos.added_margin:
        return f"{move}, or lower the leverage."
    return f"{move}, or add {w.amount(added - pos.added_margin)} of margin."


def _pool_near_liquidation(w: _Writer) -> None:
    plan, cross = w.plan, w.analysis.cross
    if cross.liquidated or not any(p.margin_mode == "cross" for p in plan.positions):
        return
    moves = [liquidating_market_move(plan, direction=d) for d in (-1, 1)]
    near = [m for m in moves if m is not None and abs(m) <= POOL_MOVE_WARNING]
    if near:
        move = min(near, key=abs)
        way = "fall" if move < 0 else "rise"
        w.add(
            "danger",
            "pool_near_liquidation",
            f"A {format_percent(abs(move), 1)} {way} of every price together liquidates the "
            f"cross pool and puts {w.amount(max(cross.equity, 0.0))} at risk. Fund the pool, "
            "add stops or shrink the cross positions.",
        )


# --- risk limits -----------------------------------------------------------------------------


def quantity_unit(plan: Plan, market: Market) -> str:
    """What a quantity counts: the base asset of a linear market of contract size 1 (ETH for
    ETHUSDT), contracts otherwise."""
    currency = plan.account.currency
    if market.contract == "linear" and market.contract_size == 1:
        symbol = market.symbol
        base = symbol[: -len(currency)] if symbol.endswith(currency) else ""
        return base.rstrip("-_/") or "units"
    return "contracts"


def suggested_size(
    plan: Plan, pos: Position, risk_amount: float, market: Market | None = None
) -> float | None:
    """The quantity whose loss at the stop is ``risk_amount`` (``solvers.size_for_risk``'s
    equation: the loss per unit with taker fees on entry and exit), rounded down to the
    market's lot step (or to 3 significant figures without one), so it stays within the risk.
    None without a stop or when the stop does not lose."""
    from planner.domain.solvers import loss_per_unit

    market = plan.market(pos.symbol) if market is None else market
    if pos.stop_loss is None or not risk_amount > 0:
        return None
    per_unit = loss_per_unit(
        market, pos.side, pos.entry_price, pos.stop_loss, plan.account.taker_fee_rate
    )
    if not per_unit > 0:
        return None
    size = risk_amount / per_unit
    step = market.quantity_step
    size = round_down_to_step(size, step) if step else round_down_significant(size)
    return size if size > 0 else None


def _risk_limits(w: _Writer) -> None:
    analysis, plan = w.analysis, w.plan
    limits = plan.account.risk_limits
    figures = analysis.figures
    equity = analysis.equity
    for i, pos in enumerate(plan.positions):
        risk = figures.position_risk[i]
        if risk is None or risk <= limits.risk_per_position:
            continue
        loss = w.loss_at_stop[i]
        assert loss is not None
        market = w.markets[pos.symbol]
        size = suggested_size(plan, pos, limits.risk_per_position * equity, market)
        advice = (
            f"Size for {_limit(limits.risk_per_position)}: "
            f"{format_quantity(size)} {quantity_unit(plan, market)}."
            if size is not None
            else "Move the stop closer or cut the size."
        )
        w.add(
            "warning",
            "risk_per_position",
            f"{pos.id} risks {w.amount(loss)} at its stop, {format_percent(risk, 1)} of equity "
            f"— above your {_limit(limits.risk_per_position)} limit. {advice}",
            pos.id,
        )
    total = figures.risk_at_stops
    if total is not None and total > limits.total_risk:
        cut = 1 - limits.total_risk / total
        w.add(
            "warning",
            "total_risk",
            f"If every stop is hit the account loses {w.amount(figures.loss_at_stops)}, "
            f"{format_percent(total, 1)} of equity — above your {_limit(limits.total_risk)} "
            f"limit. Cut the positions' sizes by {format_percent(cut, 0)} or move stops closer.",
        )
    cap = limits.max_leverage
    if cap is not None and plan.positions:
        leverage = figures.effective_leverage
        if leverage is None or leverage > cap:
            shown = "beyond measure (equity ≤ 0)" if leverage is None else f"{leverage:.2f}×"
            excess = figures.gross_notional - cap * max(equity, 0.0)
            w.add(
                "warning",
                "leverage_above_limit",
                f"The account's effective leverage is {shown}: {w.amount(figures.gross_notional)}"
                f" of positions on {w.amount(equity)} of equity — above your "
                f"{format_leverage(cap)} limit. Cut {w.amount(excess)} of notional or add "
                f"{w.amount(excess / cap)} of equity.",
            )


def _quantity_steps(w: _Writer) -> None:
    plan = w.plan
    for pos in plan.positions:
        market = w.markets[pos.symbol]
        step, least = market.quantity_step, market.min_quantity
        unit = quantity_unit(plan, market)
        q = pos.quantity
        if least is not None and q < least * (1 - 1e-12):
            w.add(
                "notice",
                "quantity_off_step",
                f"{pos.id}: quantity {format_quantity(q)} {unit} is below {market.symbol}'s "
                f"smallest order of {format_quantity(least)}; the venue would refuse it. Use at "
                f"least {format_quantity(least)}.",
                pos.id,
            )
        elif step is not None and not is_multiple_of_step(q, step):
            down = round_down_to_step(q, step)
            w.add(
                "notice",
                "quantity_off_step",
                f"{pos.id}: quantity {format_quantity(q)} {unit} is not a multiple of "
                f"{market.symbol}'s lot step {format_quantity(step)}; the venue takes "
                f"{format_quantity(down)} or {format_quantity(round(down + step, 12))}.",
                pos.id,
            )


# --- tiers -----------------------------------------------------------------------------------


def _tier_warnings(plan: Plan) -> list[PlanWarning]:
    if not plan.positions:
        return []
    book = build_book(plan)
    state = valuate(book, book.mark_u)
    leg_entry = entry_notional(book)
    valued = leg_entry if book.rules.maintenance_at_entry else state.notional
    found: list[PlanWarning] = []
    members: dict[int, list[int]] = {}
    for i, leg in enumerate(book.pos_leg.tolist()):
        members.setdefault(leg, []).append(i)
    for leg, indices in members.items():
        market = plan.markets[int(book.leg_market[leg])]
        first = plan.positions[indices[0]]
        unit = plan.account.currency if market.contract == "linear" else "coin"
        name = f"{market.symbol} {first.side}"
        allowed = market.max_leverage_for(float(leg_entry[leg]))
        if allowed is not None:
            for i in indices:
                pos = plan.positions[i]
                if pos.leverage > allowed * (1 + 1e-12):
                    add_text = (
                        f"{pos.id}: leverage {format_leverage(pos.leverage)} is above the "
                        f"{format_leverage(allowed)} that the tier of the whole {name} position "
                        f"(entry notional {format_amount(float(leg_entry[leg]), unit)} {unit}) "
                        "allows."
                    )
                    found.append(PlanWarning("warning", pos.id, add_text, "leverage_above_tier"))
        tier = int(state.tier[leg])
        k = int(book.leg_market[leg])
        if tier + 1 < book.floors.shape[1] and np.isfinite(book.floors[k, tier + 1]):
            floor = float(book.floors[k, tier + 1])
            notional = float(valued[leg])
            if notional > 0 and floor - notional <= TIER_CLIFF_WARNING * notional:
                tiers = market.tiers
                nxt, cur_tier = tiers[tier + 1], tiers[tier]
                lev = (
                    f", max leverage {format_leverage(nxt.max_leverage)}"
                    if nxt.max_leverage is not None
                    else ""
                )
                text = (
                    f"{name}: {format_percent((floor - notional) / notional, 1)} more size "
                    f"(notional {format_amount(floor, unit)} {unit}) moves it into the next tier: "
                    f"maintenance rate {format_percent(cur_tier.mmr, 2)} → "
                    f"{format_percent(nxt.mmr, 2)}{lev}."
                )
                found.append(PlanWarning("notice", first.id, text, "tier_cliff"))
    return found


__all__ = [
    "PlanWarning",
    "Warning",
    "compute_warnings",
    "plan_warnings",
    "quantity_unit",
    "suggested_size",
]
