"""Size conversions: a position's size as quantity, entry notional or initial margin.

The position editor lets a trader type any of the three; the plan stores the quantity. These
are the only conversions the UI needs, kept here so that no margin arithmetic lives in Qt code.
Notional is the entry notional in the unit the tiers use (quote for linear, coin for inverse),
and margin is the initial margin that notional needs at a leverage (entry notional / leverage).
"""

from __future__ import annotations

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
