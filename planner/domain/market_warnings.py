"""Warnings about a plan's markets (``warnings`` of spec/plan-format-v2.md;
``warnings.compute_warnings`` adds them):

warning
* ``default_market_rule`` — a market whose maintenance is the default flat rule the window
  gives a symbol it has no venue table for (``plan.DEFAULT_FLAT_RULE``): its liquidation prices
  rest on a rule nobody checked against the venue.
"""

from __future__ import annotations

from planner.domain.formatting import format_leverage, format_percent
from planner.domain.plan import DEFAULT_FLAT_RULE, FlatMaintenance, Plan


def default_rule_markets(plan: Plan) -> list[tuple[str, str]]:
    """(symbol, message) for every market with a position whose rule is the default one."""
    traded = {p.symbol for p in plan.positions}
    rule = DEFAULT_FLAT_RULE
    assert rule.max_leverage is not None
    found = []
    for market in plan.markets:
        if market.symbol not in traded:
            continue
        if isinstance(market.maintenance, FlatMaintenance) and market.maintenance == rule:
            found.append(
                (
                    market.symbol,
                    f"{market.symbol} has the default maintenance rule "
                    f"({format_percent(rule.mmr, 2)}, up to {format_leverage(rule.max_leverage)}) "
                    f"— not {plan.account.venue}'s: its liquidation prices are only as right "
                    "as that guess. Enter the venue's rule (Markets) or pick the symbol from "
                    "the catalogue.",
                )
            )
    return found
