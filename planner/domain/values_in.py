"""Amounts shown in the account's currency or in a collateral asset (spec v2
``account.collateral``), converted at the plan's current marks — shared by ``--in ASSET`` on
the CLI and the window's "values in" selector.

Prices stay in their quote currency; an amount in another unit (an inverse market's coin
notional) is shown as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.domain.errors import PlanError
from planner.domain.formatting import format_amount as format_in_currency
from planner.domain.plan import Plan


def display_units(plan: Plan) -> list[str]:
    """The units amounts can be shown in: the account's currency, then each collateral asset."""
    units = [plan.account.currency]
    units += [c.asset for c in plan.account.collateral if c.asset not in units]
    return units


def collateral_price(plan: Plan, asset: str) -> float | None:
    """The price of a collateral asset in the account's currency at the plan's marks."""
    for item in plan.account.collateral:
        if item.asset == asset:
            if item.price_symbol is not None:
                return plan.market(item.price_symbol).mark_price
            return item.price
    return None


@dataclass(frozen=True, slots=True)
class ValuesIn:
    """How amounts in the account's ``currency`` are shown: in ``unit``, one unit being worth
    ``rate`` of the currency."""

    currency: str
    unit: str
    rate: float

    @classmethod
    def of(cls, plan: Plan, asset: str | None) -> ValuesIn:
        currency = plan.account.currency
        if asset is None or asset == currency:
            return cls(currency, currency, 1.0)
        rate = collateral_price(plan, asset)
        if rate is None:
            assets = ", ".join(c.asset for c in plan.account.collateral)
            choices = f"{currency} or a collateral asset ({assets})" if assets else currency
            raise PlanError(f"--in = {asset}: amounts can be shown in {choices}", field="--in")
        return cls(currency, asset, rate)

    def format_amount(
        self, value: float | None, currency: str, *, with_unit: bool = False, sign: bool = False
    ) -> str:
        """``formatting.format_amount`` in this unit: an amount in the account's currency is
        converted; one in another unit (a coin notional) is shown as it is."""
        if currency != self.currency:
            return format_in_currency(value, currency, with_unit=with_unit, sign=sign)
        converted = None if value is None else value / self.rate
        return format_in_currency(converted, self.unit, with_unit=with_unit, sign=sign)

    def note(self) -> str:
        if self.unit == self.currency:
            return ""
        return f" (converted at 1 {self.unit} = {self.rate:,.2f} {self.currency})"
