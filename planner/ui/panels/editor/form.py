"""The widgets of the position editor, their layout and their Tab order.

Tab goes the way a trade is typed: symbol, side, entry, size, stop, take-profit; then the size
unit, leverage, margin mode, added margin, mark, ID, notes and the take-profit levels with
their Add and Remove buttons. The table of levels never keeps Tab for itself.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QSizePolicy,
    QSlider,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from planner.domain import sizing
from planner.domain.errors import PlanError
from planner.domain.formatting import amount_decimals, format_amount, format_quantity
from planner.domain.plan import Market, Plan, Position
from planner.ui.document import edits
from planner.ui.explanations import explain
from planner.ui.panels.editor.scale_in import ScaleInLadder
from planner.ui.panels.editor.symbol_picker import SymbolPicker
from planner.ui.panels.editor.take_profits import TakeProfitLevels
from planner.ui.widgets.delegates import EditorSpec, configure_spin_box
from planner.ui.widgets.number_box import INVALID_STYLE, NumberBox
from planner.ui.widgets.reasons import reason_label

#: at this width and wider the editor shows its fields in two columns
TWO_COLUMNS_WIDTH = 700

SIZE_UNITS: tuple[tuple[str, str], ...] = (
    ("quantity", "Quantity"),
    ("notional", "Notional"),
    ("margin", "Margin"),
    ("risk", "Risk amount"),
    ("risk_percent", "Risk % of wallet"),
)


_FIELD_PATH = re.compile(r"^positions\[\d+\]\.(\w+)")


def _field_of(error: PlanError) -> str:
    """``positions[2].take_profits[0].price`` → ``take_profits``; other paths → ""."""
    match = _FIELD_PATH.match(error.field)
    return match.group(1) if match else ""


def _repolish(widget: QWidget) -> None:
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def size_spec(
    plan: Plan, position: Position, unit: str, loss_at_stop: float | None
) -> tuple[EditorSpec, float | None]:
    """The size field's rule and value in ``unit`` (None: a risk size without a stop)."""
    market = plan.market(position.symbol)
    currency = plan.account.currency
    args = (position.quantity, position.entry_price, position.leverage)
    if unit == "quantity":
        step = edits.lot_step(market)
        least = getattr(market, "min_quantity", None) or step or 1e-8
        decimals = 8 if not step else max(0, len(f"{step:.10f}".rstrip("0").split(".")[1]))
        return EditorSpec("number", least, 1e12, decimals, step or 1.0), position.quantity
    decimals = amount_decimals(currency)
    if unit in ("risk", "risk_percent"):
        if loss_at_stop is None:
            value = None
        elif unit == "risk":
            value = loss_at_stop
        else:
            value = loss_at_stop / plan.account.wallet_balance * 100
        suffix = f" {currency}" if unit == "risk" else " %"
        return EditorSpec("number", 10.0**-decimals, 1e15, decimals, 1.0, "", suffix), value
    value = sizing.size_in(market, unit, *args)  # type: ignore[arg-type]
    spec = EditorSpec("number", 10.0**-decimals, 1e15, decimals, 1.0, "", f" {currency}")
    return spec, value


def size_summary(
    plan: Plan,
    position: Position,
    market: Market,
    unit: str,
    loss_at_stop: float | None,
    amount: Callable[[float | None], str] | None = None,
) -> str:
    """The size in the units not being typed; amounts written by ``amount`` (with their unit:
    the window's "values in" asset), else in the account's currency."""
    currency = plan.account.currency
    if amount is None:

        def amount(value: float | None) -> str:
            return format_amount(value, currency, with_unit=True)

    args = (position.quantity, position.entry_price, position.leverage)
    shown = []
    if unit != "quantity":
        shown.append(f"quantity {format_quantity(position.quantity)}")
    for other in ("notional", "margin"):
        if other != unit:
            value = sizing.size_in(market, other, *args)  # type: ignore[arg-type]
            shown.append(f"{other} {amount(value)}")
    if unit not in ("risk", "risk_percent") and loss_at_stop is not None:
        shown.append(f"risk {amount(loss_at_stop)}")
    step = edits.lot_step(market)
    if step:
        shown.append(f"lot step {format_quantity(step)} (sizes round down to it)")
    return " · ".join(shown)


class EditorForm(QWidget):
    """The editor's widgets; ``PositionEditor`` adds what they do."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("position_editor")
        self._messages = {}
        self._build()

    def _build(self) -> None:
        self.id_edit = QLineEdit()
        self.symbol_combo = QComboBox()
        self.picker = SymbolPicker(self.symbol_combo)
        self.symbol_combo.lineEdit().setPlaceholderText("Search a symbol")
        self.mark_spin = NumberBox()
        self.mark_spin.setToolTip(explain("mark_price"))
        self.side_combo = QComboBox()
        self.side_combo.addItem("Long", "long")
        self.side_combo.addItem("Short", "short")

        self.mode_box = QWidget()
        self.cross_button = QRadioButton("Cross")
        self.isolated_button = QRadioButton("Isolated")
        self.mode_group = QButtonGroup(self)
        self.mode_group.addButton(self.cross_button)
        self.mode_group.addButton(self.isolated_button)
        mode_row = QHBoxLayout(self.mode_box)
        mode_row.setContentsMargins(0, 0, 0, 0)
        mode_row.addWidget(self.cross_button)
        mode_row.addWidget(self.isolated_button)
        mode_row.addStretch(1)

        self.size_unit = QComboBox()
        for unit, label in SIZE_UNITS:
            self.size_unit.addItem(label, unit)
        self.size_unit.setToolTip(
            "Type the size as a quantity, the entry notional, the initial margin, or the risk "
            "you accept at the stop (an amount or a % of the wallet, fees included); the "
            "quantity follows, rounded down to the market's lot step."
        )
        self.size_spin = NumberBox()
        self.size_other = QLabel()
        self.size_other.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.size_other.setWordWrap(True)
        size_row = QHBoxLayout()
        size_row.addWidget(self.size_spin, 1)
        size_row.addWidget(self.size_unit)

        self.entry_spin = NumberBox()
        self.stop_spin = NumberBox()
        self.take_profit_spin = NumberBox()
        self.take_profit_spin.setToolTip(
            "The first take-profit price (the whole position unless more levels are set "
            "below); empty for none."
        )
        self.leverage_slider = QSlider(Qt.Orientation.Horizontal)
        self.leverage_slider.setMinimum(1)
        self.leverage_slider.setToolTip(explain("leverage"))
        self.leverage_spin = NumberBox()
        configure_spin_box(self.leverage_spin, EditorSpec("number", 0.01, 1000, 2, 1, "", "×"))
        self.leverage_limit = QLabel()
        self.leverage_limit.setWordWrap(True)
        leverage_row = QHBoxLayout()
        leverage_row.addWidget(self.leverage_slider, 1)
        leverage_row.addWidget(self.leverage_spin)
        self.added_margin_spin = NumberBox()

        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setPlaceholderText("Notes")
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

        self.tp_levels = TakeProfitLevels()
        self.tp_table = self.tp_levels.table
        self.tp_add = self.tp_levels.add_button
        self.tp_remove = self.tp_levels.remove_button
        self.tp_summary = self.tp_levels.summary
        self.scale_in = ScaleInLadder()

        self.error_icon = QLabel()
        icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        self.error_icon.setPixmap(icon.pixmap(16, 16))
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setObjectName("editor_error")
        self.empty_label = QLabel("No position selected. Add one with Positions ▸ Add.")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        symbol_row = QHBoxLayout()
        symbol_row.addWidget(self.symbol_combo, 3)
        mark_label = self._label("Mark", "mark_price")
        symbol_row.addWidget(mark_label)
        symbol_row.addWidget(self.mark_spin, 2)

        #: the red line under each field that says why its text is refused (no hover needed)
        self._reasons: dict[QWidget, QLabel] = {}
        left = QFormLayout()
        left.addRow(self._label("Symbol", "symbol"), symbol_row)
        self._reason_row(left, self.symbol_combo, self.mark_spin)
        left.addRow(self._label("Side", "side"), self.side_combo)
        left.addRow(self._label("Entry", "entry_price"), self.entry_spin)
        self._reason_row(left, self.entry_spin)
        left.addRow(self._label("Size", "size"), size_row)
        self._reason_row(left, self.size_spin)
        left.addRow("", self.size_other)
        left.addRow(self._label("Stop", "stop_loss"), self.stop_spin)
        self._reason_row(left, self.stop_spin)
        left.addRow(self._label("Take profit", "take_profits"), self.take_profit_spin)
        self._reason_row(left, self.take_profit_spin)

        right = QFormLayout()
        right.addRow(self._label("Leverage", "leverage"), leverage_row)
        self._reason_row(right, self.leverage_spin)
        right.addRow("", self.leverage_limit)
        right.addRow(self._label("Margin", "margin_mode"), self.mode_box)
        self._reason_row(right, self.mode_box)
        right.addRow(self._label("Added margin", "added_margin"), self.added_margin_spin)
        self._reason_row(right, self.added_margin_spin)
        right.addRow(self._label("ID", "id"), self.id_edit)
        self._reason_row(right, self.id_edit)
        right.addRow(self._label("Notes", "notes"), self.notes_edit)

        left_column = QVBoxLayout()
        left_column.addLayout(left)
        left_column.addWidget(self.tp_levels, 1)

        self.form = QWidget()
        # the scale-in table spans both columns: its six columns need the width
        form_rows = QVBoxLayout(self.form)
        form_rows.setContentsMargins(0, 0, 0, 0)
        self.columns = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.columns.addLayout(left_column, 1)
        self.columns.addLayout(right, 1)
        form_rows.addLayout(self.columns, 3)
        form_rows.addWidget(self.scale_in, 2)

        error_row = QHBoxLayout()
        error_row.addWidget(self.error_icon, 0, Qt.AlignmentFlag.AlignTop)
        error_row.addWidget(self.error_label, 1)
        outer = QVBoxLayout(self)
        outer.addWidget(self.empty_label)
        outer.addWidget(self.form, 1)
        outer.addLayout(error_row)
        # a border, not a text colour, so marked fields read on light and dark palettes
        self.setStyleSheet(INVALID_STYLE)
        for field, widget in (
            ("id", self.id_edit),
            ("symbol", self.symbol_combo),
            ("side", self.side_combo),
            ("size", self.size_spin),
            ("entry_price", self.entry_spin),
            ("leverage", self.leverage_spin),
            ("margin_mode", self.mode_box),
            ("added_margin", self.added_margin_spin),
            ("stop_loss", self.stop_spin),
            ("take_profits", self.tp_table),
            ("notes", self.notes_edit),
        ):
            widget.setToolTip(explain(field))
        self.chain_tab_order()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Two columns when they fit whole, else one above the other (the dock scrolls)."""
        wide = event.size().width() >= TWO_COLUMNS_WIDTH
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self.columns.direction() != direction:
            self.columns.setDirection(direction)
        super().resizeEvent(event)

    def tab_chain(self) -> list[QWidget]:
        """The editor's fields in Tab order."""
        return [
            self.symbol_combo,
            self.side_combo,
            self.entry_spin,
            self.size_spin,
            self.stop_spin,
            self.take_profit_spin,
            self.size_unit,
            self.leverage_spin,
            self.leverage_slider,
            self.cross_button,
            self.isolated_button,
            self.added_margin_spin,
            self.mark_spin,
            self.id_edit,
            self.notes_edit,
            *self.tp_levels.fields(),
            *self.scale_in.fields(),
        ]

    def chain_tab_order(self) -> None:
        chain = self.tab_chain()
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def position_only_widgets(self) -> list[QWidget]:
        """Fields that need the position in the plan (disabled while a new one is drafted)."""
        return [
            self.mark_spin,
            self.leverage_spin,
            self.leverage_slider,
            self.added_margin_spin,
            self.id_edit,
            self.notes_edit,
            self.tp_levels,
            self.scale_in,
        ]

    # --- marks ---------------------------------------------------------------------------
    #
    # A number field owns its refusal (``NumberBox``: the text, the red frame, the rule) until
    # the trader fixes it or presses Escape; other fields are marked here until the next
    # accepted edit. Every refusal's words stay in view under its field (``reason_label``).

    _fields: dict[str, QWidget]
    #: the words of each marked field, oldest first
    _messages: dict[QWidget, str]

    def _reason_row(self, form: QFormLayout, *widgets: QWidget) -> None:
        label = reason_label()
        form.addRow("", label)
        for widget in widgets:
            self._reasons[widget] = label

    def reason_label(self, widget: QWidget) -> QLabel:
        """The line that shows why ``widget``'s text is refused."""
        if widget in self._reasons:
            return self._reasons[widget]
        if widget is self.tp_table or self.tp_levels.isAncestorOf(widget):
            return self.tp_levels.reason
        if self.scale_in.isAncestorOf(widget):
            return self.scale_in.reason
        return self.error_label

    def _mark(self, error: PlanError, fallback: str, source: QWidget | None = None) -> None:
        """``error`` at ``source`` (the field just edited: a refused combination marks what
        the trader typed), else at the field the error names, else at ``fallback``."""
        field = _field_of(error) or fallback
        widget = source or self._fields.get(field, self._fields.get(fallback, self.tp_table))
        message = str(error)
        if isinstance(widget, NumberBox):
            if not widget.is_refused() or widget.refusal() != message:
                widget.refuse(message)
        else:
            widget.setProperty("invalid", True)
            widget.setToolTip(f"{error}\n\n{explain('size' if field == 'quantity' else field)}")
            _repolish(widget)
        self._messages.pop(widget, None)
        self._messages[widget] = message
        self._show_reasons()

    def _clear_marks(self, keep: QWidget | None = None) -> None:
        """Drop the marks of fields other than number fields (those keep a refused text until
        it is fixed or Escape); ``keep`` stays marked."""
        for field, widget in self._fields.items():
            if widget is keep or isinstance(widget, NumberBox):
                continue
            if widget.property("invalid"):
                widget.setProperty("invalid", False)
                widget.setToolTip(explain("size" if field == "quantity" else field))
                _repolish(widget)
            self._messages.pop(widget, None)
        self._show_reasons()

    def _drop_refusals(self) -> None:
        """Every field back to its value (another position, a new one): no refused text of
        one position is left over in another's form."""
        for box in self.findChildren(NumberBox):
            box.revert()
        self._messages.clear()
        self._clear_marks()

    def _show_reasons(self) -> None:
        """Each marked field's words under it; the latest also at the foot of the editor."""
        for widget in list(self._messages):
            gone = not shiboken6.isValid(widget)
            if gone or (isinstance(widget, NumberBox) and not widget.is_refused()):
                del self._messages[widget]
        shown: dict[QLabel, str] = {}
        for widget, message in self._messages.items():
            shown[self.reason_label(widget)] = message
        for label in {*self._reasons.values(), self.tp_levels.reason, self.scale_in.reason}:
            label.setText(shown.get(label, ""))
            label.setVisible(label in shown)
        latest = next(reversed(self._messages.values()), "")
        self.error_label.setText(latest)
        self.error_icon.setVisible(bool(latest))
        self.error_label.setVisible(bool(latest))

    def marked_fields(self) -> list[str]:
        return [field for field, widget in self._fields.items() if widget.property("invalid")]

    def _label(self, text: str, key: str) -> QLabel:
        label = QLabel(text)
        label.setToolTip(explain(key))
        return label
