"""A number field that never lies: it keeps what was typed, says the rule when the text breaks
it, and hands the plan only values inside the rule.

``QDoubleSpinBox`` clamps ``500`` to its maximum by dropping the last digit, turns ``-1`` into
``1`` and reverts letters without a word. ``NumberBox`` is a ``QLineEdit`` with the parts of the
spin box API the panels use (range, decimals, step, special value, suffix, ``value()``,
``valueChanged``): text that is not a number, or a number outside the range, stays in the field
with a red frame and the rule in words (``refused`` carries it to the panel's message line), and
nothing is committed. A value is committed on Enter or when the field loses focus, and only
when the text says another number than the field shows for its value (re-committing a rounded
``0.99 %`` never turns the exact value into 0.99). ``k`` and ``m`` are accepted as thousands and
millions (``61k`` = 61,000), an exponent too (``1e20`` is a number, held to the range), and
Up/Down step by the step.

A refused text keeps its red frame and its rule (in the tooltip, next to the field's own
description) until the trader fixes it or presses Escape, which shows the value again. The
panel can refuse a committed value too (``refuse``: the plan would not take it, e.g. with the
leverage): the text stays, marked, and ``value()`` is the plan's value again. A value the field
has none of (the special value: no stop) is empty text under a greyed placeholder.
"""

from __future__ import annotations

import math
import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QValidator
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

_MULTIPLIERS = {"k": 1e3, "m": 1e6}
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?([km])?$")


def parse_number(text: str) -> float | None:
    """``"61,000"``, ``"61k"``, ``" 0.5 "`` → a float; anything else → None."""
    cleaned = text.strip().lower().replace(",", "").replace(" ", "").replace("\u202f", "")
    match = _NUMBER.match(cleaned)
    if not match:
        return None
    number = float(cleaned.rstrip("km"))
    return number * _MULTIPLIERS.get(match.group(3) or "", 1.0)


def format_number(value: float, decimals: int, *, group: bool = True, trim: bool = True) -> str:
    text = f"{value:,.{decimals}f}" if group else f"{value:.{decimals}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _format_bound(value: float) -> str:
    return format_number(value, 8)


class NumberValidator(QValidator):
    """Never blocks a keystroke (a blocked key is a silently dropped one): every text is
    Intermediate or Acceptable, and ``rule_broken`` says in words what is wrong with it."""

    def __init__(self, box: NumberBox) -> None:
        super().__init__(box)
        self._box = box

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        if self._box.rule_broken(text):
            return QValidator.State.Intermediate, text, pos
        return QValidator.State.Acceptable, text, pos


class NumberBox(QLineEdit):
    valueChanged = Signal(float)
    #: the typed text breaks the rule: (text, the rule in words); the plan is untouched
    refused = Signal(str, str)
    #: the typed text is acceptable again (or was replaced)
    accepted_input = Signal()

    def __init__(self, parent: QWidget | None = None, *, trim: bool = True) -> None:
        super().__init__(parent)
        self._minimum = 0.0
        self._maximum = 1e12
        self._decimals = 2
        self._step = 1.0
        self._special = ""
        self._suffix = ""
        self._value = 0.0
        self._trim = trim
        self._keyboard_tracking = False
        self._maximum_reason = ""
        #: the plan's value while a committed one is being offered (``refuse`` goes back to it)
        self._offered_over: float | None = None
        self._rule = ""
        #: the field's own tooltip, shown again with the rule when the text is refused
        self._description = ""
        self._suffix_label: QLabel | None = None
        self.setValidator(NumberValidator(self))
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.textEdited.connect(self._on_text_edited)
        # refused text is framed in red wherever the field is (a border, not a text colour,
        # so it reads on light and dark palettes)
        self.setStyleSheet(
            'NumberBox[invalid="true"] { border: 2px solid rgb(220, 50, 50); border-radius: 3px; }'
        )
        self._show_value()

    # --- the spin-box API the panels use ------------------------------------------------------

    def minimum(self) -> float:
        return self._minimum

    def maximum(self) -> float:
        return self._maximum

    def setMinimum(self, value: float) -> None:
        self.setRange(value, max(value, self._maximum))

    def setMaximum(self, value: float) -> None:
        self.setRange(min(value, self._minimum), value)

    def setRange(self, minimum: float, maximum: float) -> None:
        self._minimum, self._maximum = minimum, maximum

    def setMaximumReason(self, reason: str) -> None:
        """Words added to the rule when a value is above the maximum ("the tier's limit")."""
        self._maximum_reason = reason

    def decimals(self) -> int:
        return self._decimals

    def setDecimals(self, decimals: int) -> None:
        self._decimals = decimals
        if not self.hasFocus():
            self._show_value()

    def singleStep(self) -> float:
        return self._step

    def setSingleStep(self, step: float) -> None:
        self._step = step

    def specialValueText(self) -> str:
        return self._special

    def setSpecialValueText(self, text: str) -> None:
        self._special = text
        self.setPlaceholderText(text)

    def suffix(self) -> str:
        return self._suffix

    def setSuffix(self, suffix: str) -> None:
        self._suffix = suffix
        if suffix and self._suffix_label is None:
            self._suffix_label = QLabel(self)
            self._suffix_label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            self._suffix_label.setEnabled(False)
        if self._suffix_label is not None:
            self._suffix_label.setText(suffix.strip())
            self._suffix_label.setVisible(bool(suffix))
            width = self.fontMetrics().horizontalAdvance(suffix.strip()) + 6 if suffix else 0
            self.setTextMargins(0, 0, width, 0)
            self._place_suffix()

    def setPrefix(self, prefix: str) -> None:
        """Shown left of the number, outside the typed text (``± ``)."""
        self._prefix_label = getattr(self, "_prefix_label", None) or QLabel(self)
        self._prefix_label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._prefix_label.setEnabled(False)
        self._prefix_label.setText(prefix.strip())
        width = self.fontMetrics().horizontalAdvance(prefix.strip()) + 6 if prefix else 0
        margins = self.textMargins()
        self.setTextMargins(width, 0, margins.right(), 0)
        self._prefix_label.move(4, (self.height() - self._prefix_label.sizeHint().height()) // 2)

    def setKeyboardTracking(self, tracking: bool) -> None:
        self._keyboard_tracking = tracking

    def setGroupSeparatorShown(self, _shown: bool) -> None:
        """Group separators are always shown; kept for the spin-box API."""

    def setAccelerated(self, _on: bool) -> None:
        """Kept for the spin-box API."""

    def setButtonSymbols(self, _symbols: object) -> None:
        """A line edit has no arrows; kept for the spin-box API."""

    def lineEdit(self) -> QLineEdit:
        return self

    def interpretText(self) -> None:
        """Take the typed text as the value when it keeps the rule (no signal)."""
        parsed = self._parse(self.text())
        if parsed is not None and not self.rule_broken(self.text()):
            self._value = parsed

    def value(self) -> float:
        return self._value

    def setValue(self, value: float) -> None:
        value = float(value)
        previous, self._value = self._value, value
        self._show_value()
        self._clear_refusal()
        if value != previous:
            self._offer(value, previous)

    def _offer(self, value: float, previous: float) -> None:
        """``valueChanged(value)``; a ``refuse`` meanwhile takes ``previous`` back."""
        self._offered_over = previous
        try:
            self.valueChanged.emit(value)
        finally:
            self._offered_over = None

    def refuse(self, rule: str) -> None:
        """The value just committed was not taken (by the plan, for ``rule``): the text stays
        in view with its red frame and the rule; ``value()`` is the value before it."""
        if self._offered_over is not None:
            self._value = self._offered_over
        self._mark(self.text(), rule)

    def revert(self) -> None:
        """Drop a refused or half-typed text: the field shows its value again."""
        self._clear_refusal()
        self._show_value()

    def is_edited(self, text: str | None = None) -> bool:
        """Whether ``text`` (the field's text) says another number than the field shows for
        its value: only then is there anything to commit."""
        text = self.text() if text is None else text
        return self._parse(text) != self._parse(self._format(self._value))

    def refusal(self) -> str:
        """The rule the shown text breaks ("" when it is not refused)."""
        return self._rule if self.is_refused() else ""

    # --- rules ---------------------------------------------------------------------------------

    def _parse(self, text: str) -> float | None:
        if self._special and text.strip().lower() in ("", self._special.lower()):
            return self._minimum
        return parse_number(text)

    def rule_broken(self, text: str) -> str:
        """ "" when ``text`` is a number inside the rule; else the rule in words."""
        value = self._parse(text)
        if value is None:
            if not text.strip():
                return "a number is needed"
            return "not a number"
        if self._special and value == self._minimum:
            return ""
        if math.isnan(value):
            return "not a number"
        if value < self._minimum:
            if self._minimum > 0 and self._minimum <= 10.0**-self._decimals * 1.0001:
                return "must be above 0"
            return f"must be at least {_format_bound(self._minimum)}"
        if value > self._maximum:
            reason = f" ({self._maximum_reason})" if self._maximum_reason else ""
            return f"must be at most {_format_bound(self._maximum)}{reason}"
        return ""

    def is_refused(self) -> bool:
        return bool(self.property("invalid"))

    # --- typing --------------------------------------------------------------------------------

    def _on_text_edited(self, text: str) -> None:
        rule = self.rule_broken(text)
        if rule:
            self._refuse(text, rule)
            return
        self._clear_refusal()
        if self._keyboard_tracking:
            self._commit()

    def commit(self) -> bool:
        """Commit the typed text; False (and the rule shown) when it breaks the rule."""
        text = self.text()
        rule = self.rule_broken(text)
        if rule:
            self._refuse(text, rule)
            return False
        value = self._parse(text)
        assert value is not None
        self._clear_refusal()
        if self.is_edited(text):
            previous, self._value = self._value, value
            self._offer(value, previous)
        if not self.hasFocus() and not self.is_refused():
            self._show_value()
        return True

    _commit = commit

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.commit()
            super().keyPressEvent(event)
            return
        if key == Qt.Key.Key_Escape and (self.is_refused() or self.is_edited()):
            self.revert()  # back to the value; a second Escape goes to the panel
            event.accept()
            return
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and not self.is_refused():
            sign = 1 if key == Qt.Key.Key_Up else -1
            factor = 10 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1
            current = self._parse(self.text())
            base = self._value if current is None else current
            target = min(self._maximum, max(self._minimum, base + sign * factor * self._step))
            self.setText(self._format(target))
            self.commit()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        if self.is_refused():
            return  # the typed text and its rule stay in view
        if self.is_edited():
            self.commit()
        if not self.is_refused():
            self._show_value()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        if event.reason() in (
            Qt.FocusReason.TabFocusReason,
            Qt.FocusReason.BacktabFocusReason,
            Qt.FocusReason.ShortcutFocusReason,
            Qt.FocusReason.OtherFocusReason,
        ):
            self.selectAll()

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        self._place_suffix()

    # --- showing -------------------------------------------------------------------------------

    def _format(self, value: float) -> str:
        if self._special and value == self._minimum:
            return ""  # the placeholder says it (greyed), so typing needs no clearing first
        return format_number(value, self._decimals, trim=self._trim)

    def _show_value(self) -> None:
        text = self._format(self._value)
        if self.text() != text:
            self.setText(text)
            self.setCursorPosition(len(text))

    def show_plan_value(self, value: float) -> None:
        """The plan's value, quietly; a refused text the trader is still looking at stays
        unless the plan's value itself changed."""
        value = float(value)
        if self.is_refused() and value == self._value:
            return
        if self.hasFocus() and not self.is_refused():
            parsed = self._parse(self.text())
            if parsed is not None and round(parsed, self._decimals) == round(value, self._decimals):
                self._value = value
                return
        self._value = value
        self._clear_refusal()
        self._show_value()

    def _refuse(self, text: str, rule: str) -> None:
        self._mark(text, rule)
        self.refused.emit(text, rule)

    def _mark(self, text: str, rule: str) -> None:
        if not self.property("invalid"):
            self._description = self.toolTip()
            self.setProperty("invalid", True)
            _repolish(self)
        self._rule = rule
        tip = f"{text.strip() or '(empty)'}: {rule}"
        self.setToolTip(f"{tip}\n\n{self._description}" if self._description else tip)

    def _clear_refusal(self) -> None:
        if self.property("invalid"):
            self.setProperty("invalid", False)
            _repolish(self)
            self.setToolTip(self._description)
            self.accepted_input.emit()

    def _place_suffix(self) -> None:
        if self._suffix_label is None:
            return
        hint = self._suffix_label.sizeHint()
        self._suffix_label.setGeometry(
            self.width() - hint.width() - 4, (self.height() - hint.height()) // 2, *hint.toTuple()
        )


INVALID_STYLE = '*[invalid="true"] { border: 2px solid rgb(220, 50, 50); border-radius: 3px; }'


def _repolish(widget: QWidget) -> None:
    widget.style().unpolish(widget)
    widget.style().polish(widget)
