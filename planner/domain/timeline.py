"""The plan in time for one analysis: funding over the horizon, the position after each planned
add, and the risks they carry (``scale_in_unreachable``, ``funding_liquidates``, which
``warnings`` words with the rest).

``analyze`` (the engine's own function at fixed marks) is passed in: ``plan_analysis`` hands it
over when an analysis first needs its timeline, so a plan without funding or planned adds pays
nothing for it.
"""

from __future__ import annotations

from collections.abc import Callable

from planner.domain.analysis import Analysis
from planner.domain.formatting import format_amount, format_percent, format_price
from planner.domain.funding import funding_figures
from planner.domain.plan import Plan
from planner.domain.scale_in import scale_in_figures
from planner.domain.time_figures import Timeline, TimeRisk


def plan_in_time(analysis: Analysis, analyze: Callable[[Plan], Analysis]) -> Timeline:
    plan = analysis.plan
    funding = funding_figures(plan, analysis, analyze)
    fills = scale_in_figures(plan, analysis, analyze)
    return Timeline(funding, fills)


def _duration(hours: float) -> str:
    if hours < 48:
        return f"{hours:,.0f} h"
    return f"{hours / 24:,.1f} days"


def time_risks(analysis: Analysis) -> list[TimeRisk]:
    """Adds that cannot fill, and funding that alone liquidates within the horizon."""
    plan = analysis.plan
    funding, fills = analysis.timeline.funding, analysis.timeline.fills
    currency = plan.account.currency
    found: list[TimeRisk] = []
    markets = {m.symbol: m for m in plan.markets}
    for i, pos in enumerate(plan.positions):
        result = analysis.positions[i]
        for k, fill in enumerate(fills[i], start=1):
            if fill.reachable:
                continue
            before = fills[i][k - 2].liquidation_price if k > 1 else result.liquidation_price
            found.append(
                TimeRisk(
                    "danger",
                    "scale_in_unreachable",
                    pos.id,
                    f"{pos.id}: add {k} at {format_price(fill.price)} cannot fill — the "
                    f"position is liquidated at {format_price(before or 0.0)} on the way there. "
                    "Move the add closer to the mark, add fewer or smaller rungs before it, "
                    "or lower the leverage.",
                )
            )
        runway = funding.runway_hours[i]
        if (
            runway is not None
            and plan.horizon_hours > 0
            and runway < plan.horizon_hours
            and not result.liquidated
        ):
            market = markets[pos.symbol]
            where = "the cross pool" if pos.margin_mode == "cross" else "its isolated bucket"
            found.append(
                TimeRisk(
                    "danger",
                    "funding_liquidates",
                    pos.id,
                    f"{pos.id}: funding at {format_percent(market.funding_rate, 4)} per "
                    f"{market.funding_interval_hours:g} h costs "
                    f"{format_amount(funding.cost[i], currency, with_unit=True)} over "
                    f"the horizon of {_duration(plan.horizon_hours)} and alone liquidates "
                    f"{where} after {_duration(runway)} at these marks. Add margin, lower "
                    "the size or shorten the horizon.",
                )
            )
    return found
