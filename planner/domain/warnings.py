"""Plain-word warnings about a plan, for the account panel, the report and scripts.

``plan_warnings(plan, analysis)`` checks, most severe first:

* ``pool_liquidated`` — the cross pool is liquidated at the marks;
* ``bucket_liquidated`` — an isolated bucket is liquidated at the marks;
* ``isolated_exceeds_wallet`` — isolated margins add up to more than the wallet;
* ``stop_beyond_liquidation`` — liquidation comes before the stop is reached;
* ``pool_near_liquidation`` — a market-wide move of at most 10 % (betas 1, either way)
  liquidates the cross pool;
* ``nothing_available`` — the cross pool has no balance left for new positions;
* ``leverage_above_tier`` — a position's leverage is above what the tier of its netted leg
  (all positions of its symbol and side together) allows;
* ``tier_cliff`` — the netted leg is within 10 % of its next tier's floor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from planner.domain.analysis import Analysis
from planner.domain.book import build_book
from planner.domain.engine import entry_notional, valuate
from planner.domain.formatting import (
    format_amount,
    format_leverage,
    format_percent,
    format_price,
)
from planner.domain.plan import Plan
from planner.domain.scenarios import liquidating_market_move
from planner.domain.twin import beyond_stop

Severity = Literal["danger", "warning", "notice"]
SEVERITY_ORDER: dict[str, int] = {"danger": 0, "warning": 1, "notice": 2}

#: A market-wide move at most this large that liquidates the cross pool is warned about.
POOL_MOVE_WARNING = 0.10
#: A next tier whose floor is at most this fraction above the leg's notional is warned about.
TIER_CLIFF_WARNING = 0.10


@dataclass(frozen=True, slots=True)
class PlanWarning:
    severity: Severity
    position_id: str | None  # None: about the account
    text: str
    code: str = ""

    def to_dict(self) -> dict[str, str | None]:
        return {
            "severity": self.severity,
            "code": self.code,
            "position_id": self.position_id,
            "text": self.text,
        }


#: The name the UI codes against (it shadows the builtin only inside this module's namespace).
Warning = PlanWarning


def plan_warnings(plan: Plan, analysis: Analysis) -> list[PlanWarning]:
    """Everything worth a trader's attention in ``plan`` (``analysis`` = ``analyze(plan)``)."""
    cur = plan.account.currency
    found: list[PlanWarning] = []

    def amount(value: float) -> str:
        return f"{format_amount(value, cur)} {cur}"

    def add(severity: Severity, code: str, text: str, position_id: str | None = None) -> None:
        found.append(PlanWarning(severity, position_id, text, code))

    has_cross = any(p.margin_mode == "cross" for p in plan.positions)
    cross = analysis.cross
    if cross.liquidated and has_cross:
        add(
            "danger",
            "pool_liquidated",
            f"The cross pool is liquidated at these prices: its equity {amount(cross.equity)} "
            f"is at or below its maintenance margin {amount(cross.maintenance_margin)}.",
        )
    for bucket in analysis.buckets:
        if bucket.liquidated:
            add(
                "danger",
                "bucket_liquidated",
                f"The isolated {bucket.symbol} {bucket.side} is liquidated at these prices: its "
                f"equity {amount(bucket.equity)} is at or below its maintenance margin "
                f"{amount(bucket.maintenance_margin)}.",
                bucket.position_ids[0],
            )
    if analysis.isolated_margin > plan.account.wallet_balance:
        add(
            "danger",
            "isolated_exceeds_wallet",
            f"Isolated margins add up to {amount(analysis.isolated_margin)}, more than the "
            f"wallet's {amount(plan.account.wallet_balance)}.",
        )

    ticks = {m.symbol: m.tick_size for m in plan.markets}
    for pos, result in zip(plan.positions, analysis.positions, strict=True):
        stop, lp = pos.stop_loss, result.liquidation_price
        if stop is None or lp is None or result.liquidated:
            continue
        beyond = beyond_stop(result.mark_price, lp, stop)
        if beyond is not None and beyond <= 0:
            tick = ticks.get(pos.symbol)
            where = "the cross pool is" if pos.margin_mode == "cross" else "it is"
            add(
                "danger",
                "stop_beyond_liquidation",
                f"{pos.id}: {where} liquidated at {format_price(lp, tick)}, before the stop at "
                f"{format_price(stop, tick)} is reached.",
                pos.id,
            )

    if has_cross and not cross.liquidated:
        moves = [liquidating_market_move(plan, direction=d) for d in (-1, 1)]
        near = [m for m in moves if m is not None and abs(m) <= POOL_MOVE_WARNING]
        if near:
            move = min(near, key=abs)
            way = "fall" if move < 0 else "rise"
            add(
                "danger",
                "pool_near_liquidation",
                f"A {format_percent(abs(move), 1)} {way} of every price together liquidates the "
                f"cross pool and puts {amount(max(cross.equity, 0.0))} at risk.",
            )

    if plan.positions and cross.available <= 0:
        add(
            "warning",
            "nothing_available",
            f"Nothing is available for new positions: the cross pool's equity "
            f"{amount(cross.equity)} does not exceed its initial margin "
            f"{amount(cross.initial_margin)}.",
        )

    found.extend(_tier_warnings(plan))
    found.sort(key=lambda w: SEVERITY_ORDER[w.severity])
    return found


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


__all__ = ["PlanWarning", "Warning", "plan_warnings"]
