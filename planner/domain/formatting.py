"""Number formatting in one place, so that the table, the panels, the CLI and the PDF agree.

A figure that does not exist (``None``, NaN, infinity) is shown as an em dash.
"""

from __future__ import annotations

import math
from decimal import Decimal

MISSING = "—"

#: Settlement assets whose amounts are shown with cents; any other asset is a coin.
_FIAT_LIKE = {"USD", "USDT", "USDC", "BUSD", "FDUSD", "TUSD", "DAI", "USDE", "EUR"}


def _missing(value: float | None) -> bool:
    return value is None or not math.isfinite(value)


def decimals_for_tick(tick_size: float | None, price: float | None = None) -> int:
    """Decimals that a tick size needs (0.01 → 2, 0.5 → 1, 10 → 0); without a tick, enough
    significant figures for the price (at least 2 decimals)."""
    if tick_size is not None and tick_size > 0:
        exponent = Decimal(repr(tick_size)).normalize().as_tuple().exponent
        return max(0, -int(exponent))
    if price is None or _missing(price) or price == 0:
        return 2
    magnitude = math.floor(math.log10(abs(price)))
    return int(min(8, max(2, 4 - magnitude)))


def _fixed(value: float, decimals: int, sign: bool) -> str:
    """Fixed-point with thousands separators; a value that rounds to zero has no sign
    ("0.00", never "-0.00")."""
    text = f"{value:{'+' if sign else ''},.{decimals}f}"
    if text.lstrip("+-").strip("0.,") == "":
        text = text.lstrip("+-")
    return text


def format_price(value: float | None, tick_size: float | None = None) -> str:
    if _missing(value):
        return MISSING
    assert value is not None
    return f"{value:,.{decimals_for_tick(tick_size, value)}f}"


def amount_decimals(currency: str) -> int:
    return 2 if currency.upper() in _FIAT_LIKE else 6


def format_amount(
    value: float | None, currency: str, *, with_unit: bool = False, sign: bool = False
) -> str:
    if _missing(value):
        return MISSING
    assert value is not None
    text = _fixed(value, amount_decimals(currency), sign)
    return f"{text} {currency}" if with_unit else text


def format_percent(fraction: float | None, decimals: int = 2, *, sign: bool = False) -> str:
    if _missing(fraction):
        return MISSING
    assert fraction is not None
    return f"{_fixed(fraction * 100, decimals, sign)} %"


def format_quantity(value: float | None) -> str:
    if _missing(value):
        return MISSING
    assert value is not None
    text = f"{value:,.8f}".rstrip("0").rstrip(".")
    return text or "0"


def format_leverage(value: float | None) -> str:
    if _missing(value):
        return MISSING
    assert value is not None
    return f"{value:g}×"


def format_ratio(value: float | None) -> str:
    if _missing(value):
        return MISSING
    assert value is not None
    return f"{value:.2f}"
