"""What-ifs on a plan, each a new plan: switch margin modes, add isolated margin, the
all-cross and all-isolated variants, and price shocks (moves of one symbol or of the market
with betas).

Moves are fractions (−0.1 = −10 %). A move ``x`` of symbol S sets its mark to
``mark × (1 + x)``; a market-wide move ``x`` sets every mark S to ``mark × (1 + x·beta_S)``
(beta 1 unless given).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from pydantic import ValidationError

from planner.domain.errors import PlanError, describe
from planner.domain.plan import MarginMode, Plan, Position

#: Names of the three variants of a plan that the twin view and the payoff chart compare.
VARIANTS: tuple[str, ...] = ("planned", "all_cross", "all_isolated")


# --------------------------------------------------------------------------------------------
# plan edits


def rebuild(plan: Plan, positions: Sequence[Position | dict[str, Any]]) -> Plan:
    """``plan`` with new positions, every plan rule checked again (``PlanError`` if broken)."""
    data = {name: getattr(plan, name) for name in Plan.model_fields}
    data["positions"] = tuple(positions)
    try:
        return Plan.model_validate(data)
    except ValidationError as error:
        raise describe(error) from None


def position_index(plan: Plan, position_id: str) -> int:
    try:
        return plan.position_index(position_id)
    except KeyError:
        raise PlanError(f"no position with id {position_id!r}", field="position_id") from None


def _changed(pos: Position, **changes: Any) -> dict[str, Any]:
    return {**pos.model_dump(), **changes}


def with_margin_mode(plan: Plan, mode: MarginMode) -> Plan:
    """The plan with every position in ``mode``; positions switched to cross lose their added
    margin (cross positions have none), isolated positions keep theirs.

    ``plan`` is valid, so the result is too and is not validated again (that would cost more
    than its analysis): every symbol ends up with one margin mode, no cross position keeps
    added margin, a position switched to isolated has margin = entry notional / leverage > 0,
    and the leverage and tier rules do not depend on the margin mode."""
    check_mode(mode)
    switched = {"margin_mode": mode, "added_margin": 0.0}
    positions = tuple(
        pos if pos.margin_mode == mode else pos.model_copy(update=switched)
        for pos in plan.positions
    )
    return plan.model_copy(update={"positions": positions})


def with_position_mode(plan: Plan, position_id: str, mode: MarginMode) -> Plan:
    """The plan with position ``position_id`` in ``mode``.

    Every position on a symbol shares one margin mode (spec: the exchange keeps the mode per
    symbol), so all positions on the same symbol switch with it. Switching to cross drops their
    added margin."""
    check_mode(mode)
    symbol = plan.positions[position_index(plan, position_id)].symbol
    positions = [
        _changed(pos, margin_mode=mode, added_margin=0.0)
        if pos.symbol == symbol and pos.margin_mode != mode
        else pos
        for pos in plan.positions
    ]
    return rebuild(plan, positions)


def with_added_margin(plan: Plan, position_id: str, delta: float) -> Plan:
    """The plan with ``delta`` added to (or, negative, removed from) the isolated margin of
    ``position_id``. The margin comes out of (or goes back to) the cross pool."""
    if not math.isfinite(delta):
        raise PlanError(f"delta = {delta}: must be a finite amount", field="delta")
    i = position_index(plan, position_id)
    pos = plan.positions[i]
    if pos.margin_mode != "isolated":
        raise PlanError(
            f"positions[{i}].margin_mode = cross: added margin applies to isolated positions only",
            field=f"positions[{i}].margin_mode",
        )
    positions = list(plan.positions)
    positions[i] = _changed(pos, added_margin=pos.added_margin + delta)
    return rebuild(plan, positions)


def check_mode(mode: str) -> None:
    if mode not in ("cross", "isolated"):
        raise PlanError(f"mode = {mode!r}: must be 'cross' or 'isolated'", field="mode")


def variant_plans(plan: Plan) -> dict[str, Plan]:
    """The plan as it is, all-cross and all-isolated (keys ``VARIANTS``)."""
    return {
        "planned": plan,
        "all_cross": with_margin_mode(plan, "cross"),
        "all_isolated": with_margin_mode(plan, "isolated"),
    }


# --------------------------------------------------------------------------------------------
# shocks


def symbol_index(plan: Plan, symbol: str, what: str = "symbol") -> int:
    try:
        return plan.market_index(symbol)
    except KeyError:
        raise PlanError(f"{what} = {symbol!r}: no market with this symbol", field=what) from None


def finite(value: float, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise PlanError(f"{what} = {value!r}: must be a number", field=what) from None
    if not math.isfinite(number):
        raise PlanError(f"{what} = {value}: must be a finite number", field=what)
    return number


def beta_vector(plan: Plan, betas: Mapping[str, float] | None) -> np.ndarray:
    """Per-market betas in market order (1 where not given); unknown symbols are refused."""
    weights = np.ones(len(plan.markets))
    for symbol, beta in (betas or {}).items():
        weights[symbol_index(plan, symbol, f"betas[{symbol}]")] = finite(beta, f"betas[{symbol}]")
    return weights


def shock_factors(
    plan: Plan,
    *,
    moves: Mapping[str, float] | None = None,
    market_move: float = 0.0,
    betas: Mapping[str, float] | None = None,
) -> np.ndarray:
    """``1 + moves[S] + market_move·beta_S`` for every market, in market order."""
    factors = 1.0 + finite(market_move, "market_move") * beta_vector(plan, betas)
    for symbol, move in (moves or {}).items():
        factors[symbol_index(plan, symbol, f"moves[{symbol}]")] += finite(move, f"moves[{symbol}]")
    return factors


def shocked(
    plan: Plan,
    *,
    moves: Mapping[str, float] | None = None,
    market_move: float = 0.0,
    betas: Mapping[str, float] | None = None,
) -> Plan:
    """The plan with its marks moved: symbol S's mark × (1 + moves[S] + market_move·beta_S).

    Moves are fractions (−0.1 = −10 %); betas default to 1. A move that takes a price to zero
    or below is refused (``PlanError``)."""
    factors = shock_factors(plan, moves=moves, market_move=market_move, betas=betas)
    markets = []
    for market, factor in zip(plan.markets, factors.tolist(), strict=True):
        price = market.mark_price * factor
        if not (factor > 0 and math.isfinite(price) and price > 0):
            raise PlanError(
                f"the move takes {market.symbol}'s price to {price:g}: prices must stay above 0",
                field=f"moves[{market.symbol}]",
            )
        markets.append(market if factor == 1.0 else market.model_copy(update={"mark_price": price}))
    # Only marks change: no plan rule depends on them, so the copy needs no validation.
    return plan.model_copy(update={"markets": tuple(markets)})
