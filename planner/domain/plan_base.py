"""What every part of the plan model shares: the frozen base model, the "path = value: rule"
error for rules that span fields, and the sane range of every number a plan holds.

Ranges (README "Number ranges"; spec/plan-format-v2.md for the fields). A number outside its
range is refused at load, naming the field, the value and the range, so that no figure the
engine derives from a valid plan can overflow a float:

===========================================  ==========================================
prices (mark, entry, stop, take-profit,      1e-12 … 1e12
tick size, scale-in, venue liquidation,
collateral price)
quantities (position, scale-in, contract     1e-12 … 1e12
size, quantity step, minimum quantity,
collateral amount and tier floors)
leverage (position, risk_limits.max_leverage) 1 … 1000
a tier's or a flat rule's max_leverage        above 0 … 1000
wallet balance                               0 … 1e15 (0 only with collateral)
added margin, maintenance amount             −1e15 … 1e15
tier notional floor and cap                  0 … 1e15
taker and maker fee rates                    0 … 0.01 (1 %)
maintenance rate                             0 … below 1
funding rate (per interval)                  −0.1 … 0.1
funding interval                             above 0 … 168 hours
horizon                                      0 … 87,600 hours (10 years)
risk limits (per position, total)            above 0 … 1
stop buffer                                  0 … below 1
collateral value ratio                       above 0 … 1
===========================================  ==========================================
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict
from pydantic_core import PydanticCustomError

PRICE_MIN, PRICE_MAX = 1e-12, 1e12
QUANTITY_MIN, QUANTITY_MAX = 1e-12, 1e12
LEVERAGE_MIN, LEVERAGE_MAX = 1.0, 1000.0
AMOUNT_MAX = 1e15
FEE_RATE_MAX = 0.01
FUNDING_RATE_MAX = 0.1
FUNDING_INTERVAL_MAX_HOURS = 168.0
HORIZON_MAX_HOURS = 87_600.0


def rule_error(field: str, value: Any, rule: str) -> PydanticCustomError:
    """An error for a rule that spans fields; ``field`` is the path below the model."""
    return PydanticCustomError(
        "plan_rule",
        "{field} = {value}: {rule}",
        {"field": field, "value": show_value(value), "rule": rule},
    )


def show_value(value: Any) -> str:
    """A value as a message shows it: integral floats without ``.0``, strings quoted, JSON's
    words for true and false, ``(missing)`` for a value that is not there."""
    if value is None:
        return "(missing)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, str) else str(value)


def _number(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e6 else f"{value:.0e}".replace("e+", "e")


def within(low: float, high: float, what: str) -> AfterValidator:
    """A check that a number lies in [low, high]; the message names the range and what it
    is the range of. (The sign rules of the spec — "> 0" — are checked before it by
    pydantic, so their messages stay the spec's.)"""
    rule = f"out of range: {what} must be within {_number(low)} … {_number(high)}"

    def check(value: float) -> float:
        if not low <= value <= high:
            raise PydanticCustomError("plan_range", rule)
        return value

    return AfterValidator(check)


class PlanModel(BaseModel):
    """Immutable, unknown fields refused, NaN and infinities refused."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False, strict=False)


#: A JSON number: strict, so that ``true``, ``false`` and strings such as ``"0.5"`` are refused
#: instead of read as 1, 0 and 0.5, while integers (``10000``) are still taken as floats. Only the
#: numbers are strict: the rest of the model stays lax so that Python callers (the window's
#: edits) may pass lists where the model holds tuples.
Number = Annotated[float, Strict()]

Rate = Annotated[Number, Field(ge=0, lt=1)]
FeeRate = Annotated[Number, Field(ge=0), within(0.0, FEE_RATE_MAX, "fee rates")]
Price = Annotated[Number, Field(gt=0), within(PRICE_MIN, PRICE_MAX, "prices")]
Quantity = Annotated[Number, Field(gt=0), within(QUANTITY_MIN, QUANTITY_MAX, "quantities")]
Leverage = Annotated[Number, Field(gt=0), within(LEVERAGE_MIN, LEVERAGE_MAX, "leverage")]
TierLeverage = Annotated[Number, Field(gt=0), within(0.0, LEVERAGE_MAX, "leverage")]
Amount = Annotated[Number, within(-AMOUNT_MAX, AMOUNT_MAX, "amounts")]
Notional = Annotated[Number, Field(ge=0), within(0.0, AMOUNT_MAX, "notionals")]
PositiveNotional = Annotated[Number, Field(gt=0), within(0.0, AMOUNT_MAX, "notionals")]
Fraction = Annotated[Number, Field(gt=0, le=1)]
