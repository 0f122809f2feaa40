"""Size conversions: a position's size as quantity, entry notional or initial margin.

The position editor lets a trader type any of the three; the plan stores the quantity. These
are the only conversions the UI needs, kept here so that no margin arithmetic lives in Qt code.
Notional is the entry notional in the unit the tiers use (quote for linear, coin for inverse),
and margin is the initial margin that notional needs at a leverage (entry notional / leverage).
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Literal

from planner.domain.plan import Market

SizeUnit = Literal["quantity", "notional", "margin"]


def notional_for_quantity(market: Market, quantity: float, entry_price: float) -> float:
    """Entry notional of ``quantity`` contracts (or base units) opened at ``entry_price``."""
    return market.entry_notional(quantity, entry_price)


def quantity_for_notional(market: Market, notional: float, entry_price: float) -> float:
    """The quantity whose entry notional at ``entry_price`` is ``notional``."""
    if market.contract == "linear":
        return notional / (market.contract_size * entry_price)
    return notional * entry_price / market.contract_size


def margin_for_quantity(
    market: Market, quantity: float, entry_price: float, leverage: float
) -> float:
    """Initial margin of ``quantity`` at ``entry_price`` and ``leverage``."""
    return notional_for_quantity(market, quantity, entry_price) / leverage


def quantity_for_margin(
    market: Market, margin: float, entry_price: float, leverage: float
) -> float:
    """The quantity that ``margin`` opens at ``entry_price`` and ``leverage``."""
    return quantity_for_notional(market, margin * leverage, entry_price)


def quantity_for(
    market: Market, unit: SizeUnit, value: float, entry_price: float, leverage: float
) -> float:
    """The quantity for a size typed in ``unit``."""
    if unit == "quantity":
        return value
    if unit == "notional":
        return quantity_for_notional(market, value, entry_price)
    return quantity_for_margin(market, value, entry_price, leverage)


def size_in(
    market: Market, unit: SizeUnit, quantity: float, entry_price: float, leverage: float
) -> float:
    """``quantity`` expressed in ``unit``."""
    if unit == "quantity":
        return quantity
    if unit == "notional":
        return notional_for_quantity(market, quantity, entry_price)
    return margin_for_quantity(market, quantity, entry_price, leverage)


def max_leverage(market: Market, quantity: float, entry_price: float) -> float | None:
    """The tier's maximum leverage for the entry notional of ``quantity`` (None: no limit)."""
    return market.max_leverage_for(notional_for_quantity(market, quantity, entry_price))


def round_down_to_step(quantity: float, step: float | None) -> float:
    """``quantity`` rounded down to a multiple of the venue's lot ``step`` (unchanged without
    a step). A quantity within a billionth of a step of the next multiple counts as on it,
    so 0.3 with step 0.1 stays 0.3 despite binary fractions."""
    if step is None or step <= 0:
        return quantity
    steps = math.floor(quantity / step + 1e-9)
    decimals = max(0, -Decimal(repr(step)).normalize().as_tuple().exponent)
    return round(steps * step, int(decimals) + 1)


def is_multiple_of_step(quantity: float, step: float) -> bool:
    """Whether ``quantity`` is a whole number of lot steps (to a billionth of a step)."""
    ratio = quantity / step
    return abs(ratio - round(ratio)) <= 1e-9 * max(1.0, ratio)


def round_down_significant(quantity: float, digits: int = 3) -> float:
    """``quantity`` rounded down to ``digits`` significant figures (1.94677 → 1.94), for a
    suggested size that never exceeds what it was computed for."""
    if quantity <= 0 or not math.isfinite(quantity):
        return quantity
    scale = 10.0 ** (digits - 1 - math.floor(math.log10(quantity)))
    return math.floor(quantity * scale * (1 + 1e-12)) / scale
