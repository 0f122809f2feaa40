"""The window's "values in" unit: every displayed amount (not prices) in the account's currency
or in a collateral asset, converted at the current marks (``planner.domain.values_in``).

One ``DisplayAmounts`` lives on the document; views format amounts through it and re-format on
``changed`` (the unit was chosen) as well as on the document's own ``changed`` (the marks moved).
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QObject, Signal, SignalInstance
from PySide6.QtWidgets import QComboBox, QWidget

from planner.domain.plan import Plan
from planner.domain.values_in import ValuesIn, display_units


class PlanDocument(Protocol):
    """What these need of ``planner.ui.document.plan_document.PlanDocument`` (named here, not
    imported: the document imports this module)."""

    changed: SignalInstance
    amounts: DisplayAmounts

    @property
    def plan(self) -> Plan: ...


class DisplayAmounts(QObject):
    """The unit amounts are shown in; ``None`` is the account's currency."""

    changed = Signal()

    def __init__(self, document: PlanDocument) -> None:
        super().__init__(document if isinstance(document, QObject) else None)
        self._document = document
        self._unit: str | None = None

    @property
    def unit(self) -> str:
        """The unit shown: the chosen asset while the plan still holds it, else the currency."""
        return self.values().unit

    def units(self) -> list[str]:
        return display_units(self._document.plan)

    def set_unit(self, unit: str | None) -> None:
        if unit is not None and unit == self._document.plan.account.currency:
            unit = None
        if unit == self._unit:
            return
        self._unit = unit
        self.changed.emit()

    def values(self) -> ValuesIn:
        """The conversion at the current plan's marks (the currency if the asset is gone)."""
        plan = self._document.plan
        unit = self._unit if self._unit in display_units(plan) else None
        return ValuesIn.of(plan, unit)

    def format(
        self, value: float | None, currency: str, *, with_unit: bool = False, sign: bool = False
    ) -> str:
        """``format_amount`` in the chosen unit: an amount in the account's currency is
        converted, and then always carries its unit (figures shown unlabelled in the currency
        would be misread); one in another unit (a coin notional) is shown as it is."""
        values = self.values()
        converted = values.unit != values.currency and currency == values.currency
        return values.format_amount(value, currency, with_unit=with_unit or converted, sign=sign)


class ValuesInCombo(QComboBox):
    """The "values in" selector: the account's currency or any collateral asset. The choice
    lasts the session: a plan without that asset shows its currency, one with it shows it again."""

    def __init__(self, document: PlanDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self.setObjectName("values_in_combo")
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.setToolTip(
            "Show every amount (margin, equity, PnL, losses — not prices) in the account's "
            "currency or in a collateral asset, converted at the current marks."
        )
        self.activated.connect(self._on_activated)
        document.changed.connect(self._fill)
        document.amounts.changed.connect(self._fill)
        self._fill()

    def _fill(self) -> None:
        amounts = self._document.amounts
        units = amounts.units()
        if [self.itemText(i) for i in range(self.count())] != units:
            self.blockSignals(True)
            self.clear()
            self.addItems(units)
            self.blockSignals(False)
        self.setCurrentIndex(units.index(amounts.unit))
        self.setEnabled(len(units) > 1)

    def _on_activated(self, index: int) -> None:
        self._document.amounts.set_unit(self.itemText(index))


#: the read-only amount columns shown in the "values in" unit
CONVERTED_AMOUNTS = frozenset(
    {"notional", "margin", "unrealized_pnl", "loss_at_stop", "worst_case_loss"}
)


def amount_header(key: str, header: str, values: ValuesIn) -> str:
    """A column's header; while amounts are shown in another unit than the currency, amount
    columns name the unit they are in."""
    if values.unit == values.currency:
        return header
    unit = values.unit if key in CONVERTED_AMOUNTS else values.currency
    if key not in CONVERTED_AMOUNTS and key != "added_margin":
        return header
    # on a line of its own under a one-line header, so the column keeps its width
    return f"{header} ({unit})" if "\n" in header else f"{header}\n({unit})"
