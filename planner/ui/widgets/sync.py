"""Bringing an input widget to a value from the plan without echoing an edit back.

The panels that follow the document (the account panel, the position editor) call these when
the plan changes under them; each setter leaves the widget alone when it already shows the
value, so a user's half-typed text or cursor is not disturbed needlessly.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QLineEdit

from planner.ui.widgets.number_box import NumberBox


def set_spin(box: QDoubleSpinBox | NumberBox, value: float) -> None:
    """``value`` into ``box``, quietly, unless it already shows it at its decimals (a number
    box keeps a refused text the trader still sees while the plan's value is unchanged)."""
    if isinstance(box, NumberBox):
        box.show_plan_value(value)
        return
    if round(value, box.decimals()) != round(box.value(), box.decimals()):
        box.blockSignals(True)
        box.setValue(value)
        box.blockSignals(False)


def set_text(edit: QLineEdit, text: str, *, quiet: bool = False, home: bool = False) -> None:
    """``text`` into ``edit`` when it differs: ``quiet`` blocks its signals meanwhile, ``home``
    puts the cursor back at the start (to show the start of a long name)."""
    if edit.text() != text:
        if quiet:
            edit.blockSignals(True)
        edit.setText(text)
        if quiet:
            edit.blockSignals(False)
        if home:
            edit.setCursorPosition(0)


def set_combo(combo: QComboBox, value: str) -> None:
    """Select the item whose data is ``value``, quietly; no change if there is none."""
    at = combo.findData(value)
    if at >= 0 and at != combo.currentIndex():
        combo.blockSignals(True)
        combo.setCurrentIndex(at)
        combo.blockSignals(False)
