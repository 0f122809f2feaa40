"""The account panel: the account's inputs, the cross pool, every isolated bucket with a bar
of how close it is to liquidation, and the plan's warnings in plain words."""

from __future__ import annotations

import itertools
from functools import partial
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QIcon, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QScrollArea,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from planner.domain.formatting import (
    MISSING,
    amount_decimals,
    format_percent,
)
from planner.domain.plan import Plan
from planner.domain.warnings import plan_warnings
from planner.ui.document import edits
from planner.ui.document.plan_document import PlanDocument
from planner.ui.explanations import explain
from planner.ui.panels.buckets import BAR_ROLE, BarDelegate, BucketModel
from planner.ui.panels.collateral_group import CollateralGroup
from planner.ui.panels.horizon_group import HorizonGroup
from planner.ui.panels.risk_limits import RiskLimitsGroup
from planner.ui.risk import RISK_WORDS, RiskLevel, risk_level
from planner.ui.widgets.delegates import EditorSpec, configure_spin_box
from planner.ui.widgets.lazy import LazyRefresh
from planner.ui.widgets.number_box import INVALID_STYLE, NumberBox
from planner.ui.widgets.sync import set_combo, set_spin, set_text

__all__ = ["BAR_ROLE", "AccountPanel"]

ModelIndex = QModelIndex | QPersistentModelIndex

VENUES = (
    ("binance", "Binance"),
    ("bybit", "Bybit"),
    ("okx", "OKX / Gate / Bitget"),
    ("hyperliquid", "Hyperliquid"),
)
POSITION_MODES = (("one-way", "One-way"), ("hedge", "Hedge"))
MAX_WARNINGS_SHOWN = 50
#: the text colour of each severity (a notice keeps the palette's)
SEVERITY_COLOURS = {"danger": QColor(200, 30, 30), "warning": QColor(180, 100, 0)}
#: at this width and wider the panel lays its groups out in two columns
TWO_COLUMNS_WIDTH = 500
#: the warnings follow the plan at most this often (they scan scenarios and tiers)
WARNINGS_DELAY_MS = 60


class AccountPanel(QScrollArea):
    def __init__(self, document: PlanDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self.setObjectName("account_panel")
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        self._grid = QGridLayout(body)
        self._groups = (
            self._build_account(),
            self._build_cross(),
            self._build_buckets(),
            self._build_warnings(),
            CollateralGroup(document),
            RiskLimitsGroup(document),
            HorizonGroup(document),
        )
        self.risk_group = self._groups[5]
        self._columns = 0
        self._arrange(2)
        self.setWidget(body)
        # warnings scan the whole plan (scenarios, tiers): they follow at most every
        # WARNINGS_DELAY_MS, throttled further during a drag, and not while out of sight
        self._warnings = LazyRefresh(
            self, self._show_warnings, delay_ms=WARNINGS_DELAY_MS, document=document
        )
        self._shown_warnings: list[tuple[str, str, str | None]] | None = None
        document.changed.connect(self._on_document_changed)
        document.amounts.changed.connect(self._on_document_changed)
        self._on_document_changed()
        self.refresh_warnings()

    # --- building --------------------------------------------------------------------------

    def _arrange(self, columns: int) -> None:
        """Two columns (account | cross pool over buckets) when wide, one when narrow."""
        if columns == self._columns:
            return
        self._columns = columns
        account, cross, buckets, warnings, collateral, risk, horizon = self._groups
        for group in self._groups:
            self._grid.removeWidget(group)
        if columns == 2:
            self._grid.addWidget(account, 0, 0)
            self._grid.addWidget(cross, 0, 1)
            self._grid.addWidget(risk, 1, 0)
            self._grid.addWidget(warnings, 1, 1)
            self._grid.addWidget(horizon, 2, 0, 1, 2)
            self._grid.addWidget(collateral, 3, 0, 1, 2)
            self._grid.addWidget(buckets, 4, 0, 1, 2)
        else:
            for row, group in enumerate(self._groups):
                self._grid.addWidget(group, row, 0)
        self._grid.setRowStretch(1, 1)
        self._grid.setColumnStretch(0, 1)
        self._grid.setColumnStretch(1, 1 if columns == 2 else 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._arrange(2 if event.size().width() >= self.two_columns_width() else 1)
        super().resizeEvent(event)

    def two_columns_width(self) -> int:
        """The least width that shows two columns whole: the widest group of each column
        (account and risk | cross pool and warnings), the grid's gaps, and the scroll bar;
        never less than ``TWO_COLUMNS_WIDTH``."""
        account, cross, _buckets, warnings, _collateral, risk, _horizon = self._groups
        left = max(account.minimumSizeHint().width(), risk.minimumSizeHint().width())
        right = max(cross.minimumSizeHint().width(), warnings.minimumSizeHint().width())
        margins = self._grid.contentsMargins()
        chrome = margins.left() + margins.right() + self._grid.horizontalSpacing()
        chrome += self.verticalScrollBar().sizeHint().width() + 2 * self.frameWidth()
        return max(TWO_COLUMNS_WIDTH, left + right + chrome)

    def _build_account(self) -> QGroupBox:
        group = QGroupBox("Account")
        form = QFormLayout(group)
        self.name_edit = QLineEdit()
        self.wallet_spin = NumberBox()
        self.currency_edit = QLineEdit()
        self.currency_edit.setMaxLength(20)
        self.venue_combo = QComboBox()
        for value, label in VENUES:
            self.venue_combo.addItem(label, value)
        self.mode_combo = QComboBox()
        for value, label in POSITION_MODES:
            self.mode_combo.addItem(label, value)
        self.taker_spin = NumberBox()
        self.maker_spin = NumberBox()
        for spin in (self.taker_spin, self.maker_spin):
            configure_spin_box(spin, EditorSpec("number", 0, 10, 3, 0.01, "", " %"))
        self.inputs: dict[str, QWidget] = {
            "wallet_balance": self.wallet_spin,
            "currency": self.currency_edit,
            "venue": self.venue_combo,
            "position_mode": self.mode_combo,
            "taker_fee_rate": self.taker_spin,
            "maker_fee_rate": self.maker_spin,
        }
        form.addRow(self._label("Plan", "plan_name"), self.name_edit)
        self.name_edit.setToolTip(explain("plan_name"))
        labels = ("Wallet", "Currency", "Venue", "Position mode")
        for key, text in zip(self.inputs, labels, strict=False):
            widget = self.inputs[key]
            widget.setToolTip(explain(key))
            form.addRow(self._label(text, key), widget)
        self.taker_spin.setToolTip(explain("taker_fee_rate"))
        self.maker_spin.setToolTip(explain("maker_fee_rate"))
        fees = QHBoxLayout()
        fees.addWidget(self.taker_spin)
        fees.addWidget(self._label("maker", "maker_fee_rate"))
        fees.addWidget(self.maker_spin)
        form.addRow(self._label("Fees: taker", "taker_fee_rate"), fees)
        for combo in (self.venue_combo, self.mode_combo):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(8)
        self.figures: dict[str, QLabel] = {}
        for key, text in (
            ("account_equity", "Equity"),
            ("unrealized_pnl", "Unrealised PnL"),
            ("isolated_margin", "In isolated buckets"),
        ):
            form.addRow(self._label(text, key), self._figure(key))

        self.input_error = QLabel()
        self.input_error.setObjectName("account_error")
        self.input_error.setWordWrap(True)
        self.input_error.setVisible(False)
        form.addRow(self.input_error)
        group.setStyleSheet(INVALID_STYLE)
        for key in ("wallet_balance", "taker_fee_rate", "maker_fee_rate"):
            box = self.inputs[key]
            assert isinstance(box, NumberBox)
            box.refused.connect(partial(self._on_input_refused, key))
            box.accepted_input.connect(self._on_input_accepted)
        chain = [
            self.name_edit,
            self.wallet_spin,
            self.currency_edit,
            self.venue_combo,
            self.mode_combo,
            self.taker_spin,
            self.maker_spin,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

        self.name_edit.editingFinished.connect(self._on_name_edit_finished)
        self.wallet_spin.valueChanged.connect(self._on_wallet_spin_changed)
        self.currency_edit.editingFinished.connect(self._on_currency_edit_finished)
        self.venue_combo.activated.connect(self._on_venue_combo_activated)
        self.mode_combo.activated.connect(self._on_mode_combo_activated)
        self.taker_spin.valueChanged.connect(self._on_taker_spin_changed)
        self.maker_spin.valueChanged.connect(self._on_maker_spin_changed)
        return group

    def _build_cross(self) -> QGroupBox:
        group = QGroupBox("Cross pool")
        group.setToolTip("Every cross position draws on this one pool of collateral.")
        form = QFormLayout(group)
        for key, text in (
            ("cross_wallet_balance", "Wallet in the pool"),
            ("cross_unrealized_pnl", "Unrealised PnL"),
            ("cross_equity", "Equity"),
            ("cross_initial_margin", "Initial margin"),
            ("cross_maintenance_margin", "Maintenance margin"),
            ("cross_available", "Available"),
            ("cross_risk_ratio", "Risk ratio"),
        ):
            form.addRow(self._label(text, key), self._figure(key))
        return group

    def _build_buckets(self) -> QGroupBox:
        group = QGroupBox("Isolated buckets")
        group.setToolTip(explain("bucket"))
        layout = QVBoxLayout(group)
        self.bucket_model = BucketModel(self._document, self)
        self.bucket_view = QTableView()
        self.bucket_view.setObjectName("bucket_table")
        self.bucket_view.setModel(self.bucket_model)
        self.bucket_view.setItemDelegateForColumn(4, BarDelegate(self.bucket_view))
        self.bucket_view.verticalHeader().setVisible(False)
        self.bucket_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.bucket_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.bucket_view.setMinimumHeight(90)
        header = self.bucket_view.horizontalHeader()
        # sized once per reset: ResizeToContents would measure every cell on every edit
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.bucket_view.resizeColumnsToContents()
        self.bucket_model.modelReset.connect(self.bucket_view.resizeColumnsToContents)
        self.no_buckets = QLabel("No isolated positions.")
        layout.addWidget(self.bucket_view)
        layout.addWidget(self.no_buckets)
        return group

    def _build_warnings(self) -> QGroupBox:
        group = QGroupBox("Warnings")
        layout = QVBoxLayout(group)
        self.warning_list = QListWidget()
        self.warning_list.setObjectName("warning_list")
        self.warning_list.setWordWrap(True)
        self.warning_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.warning_list.setMinimumHeight(60)
        self.warning_list.itemClicked.connect(self._on_warning_clicked)
        layout.addWidget(self.warning_list)
        layout.addStretch(1)
        return group

    def _label(self, text: str, key: str) -> QLabel:
        label = QLabel(text)
        label.setToolTip(explain(key))
        return label

    def _figure(self, key: str) -> QLabel:
        label = QLabel(MISSING)
        label.setObjectName(key)
        label.setToolTip(explain(key))
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.figures[key] = label
        return label

    # --- document → widgets ----------------------------------------------------------------

    def _on_document_changed(self) -> None:
        analysis = self._document.analysis
        plan = analysis.plan
        account = plan.account
        currency = account.currency
        if not self.name_edit.hasFocus():
            set_text(self.name_edit, plan.name, home=True)
        decimals = amount_decimals(currency)
        configure_spin_box(
            self.wallet_spin,
            # with collateral the wallet may be 0 (spec v2)
            EditorSpec(
                "number",
                0.0 if account.collateral else 10.0**-decimals,
                1e15,
                decimals,
                100.0,
                "",
                f" {currency}",
            ),
        )
        set_spin(self.wallet_spin, account.wallet_balance)
        if not self.currency_edit.hasFocus():
            set_text(self.currency_edit, currency, home=True)
        set_combo(self.venue_combo, account.venue)
        set_combo(self.mode_combo, account.position_mode)
        set_spin(self.taker_spin, account.taker_fee_rate * 100)
        set_spin(self.maker_spin, account.maker_fee_rate * 100)

        def amount(value: float | None, sign: bool = False) -> str:
            return self._document.amounts.format(value, currency, with_unit=True, sign=sign)

        cross = analysis.cross
        shown = {
            "account_equity": amount(analysis.equity),
            "unrealized_pnl": amount(analysis.unrealized_pnl, True),
            "isolated_margin": amount(analysis.isolated_margin),
            "cross_wallet_balance": amount(cross.wallet_balance),
            "cross_unrealized_pnl": amount(cross.unrealized_pnl, True),
            "cross_equity": amount(cross.equity),
            "cross_initial_margin": amount(cross.initial_margin),
            "cross_maintenance_margin": amount(cross.maintenance_margin),
            "cross_available": amount(cross.available),
            "cross_risk_ratio": self._cross_risk_text(plan),
        }
        for key, text in shown.items():
            self.figures[key].setText(text)

        has_buckets = bool(analysis.buckets)
        self.bucket_view.setVisible(has_buckets)
        self.no_buckets.setVisible(not has_buckets)
        self._warnings.invalidate()

    def _cross_risk_text(self, plan: Plan) -> str:
        cross = self._document.analysis.cross
        level = risk_level(cross.risk_ratio, cross.liquidated)
        if level == RiskLevel.LIQUIDATED:
            return "liquidated"
        if not any(p.margin_mode == "cross" for p in plan.positions):
            return f"{MISSING} (no cross positions)"
        return f"{format_percent(cross.risk_ratio)} · {RISK_WORDS[level]}"

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._warnings.shown()

    def refresh_warnings(self) -> None:
        """Show the current plan's warnings now (they otherwise follow within
        ``WARNINGS_DELAY_MS`` of the last change, while the panel can be seen)."""
        self._warnings.run()

    def _show_warnings(self) -> None:
        analysis = self._document.analysis
        warnings = plan_warnings(analysis.plan, analysis)
        shown = [(w.severity, w.text, w.position_id) for w in warnings[:MAX_WARNINGS_SHOWN]]
        if not warnings:
            shown = [("notice", "No warnings.", None)]
        elif len(warnings) > MAX_WARNINGS_SHOWN:
            shown.append(("", f"… and {len(warnings) - MAX_WARNINGS_SHOWN} more.", None))
        if shown == self._shown_warnings:
            return  # the same list: no items rebuilt, no layout
        self._shown_warnings = shown
        icons = _warning_icons(self.style())
        self.warning_list.clear()
        for severity, text, position_id in shown:
            if not severity:
                self.warning_list.addItem(text)
                continue
            item = QListWidgetItem(icons[severity], text)
            if warnings:
                tip = f"{severity.capitalize()}: {text}"
                if position_id:
                    tip += f"\nClick to select {position_id}."
                item.setToolTip(tip)
                item.setData(Qt.ItemDataRole.UserRole, position_id)
                if severity in SEVERITY_COLOURS:
                    item.setForeground(SEVERITY_COLOURS[severity])
            self.warning_list.addItem(item)
        rows = min(self.warning_list.count(), 5)
        height = sum(self.warning_list.sizeHintForRow(i) for i in range(rows))
        self.warning_list.setFixedHeight(max(height + 2 * self.warning_list.frameWidth() + 4, 30))

    def _on_warning_clicked(self, item: QListWidgetItem) -> None:
        """A warning about a position makes that position the current one."""
        position_id = item.data(Qt.ItemDataRole.UserRole)
        if position_id and any(p.id == position_id for p in self._document.plan.positions):
            self._document.set_current(position_id)

    def warning_texts(self) -> list[str]:
        self._warnings.flush()
        return [self.warning_list.item(i).text() for i in range(self.warning_list.count())]

    # --- widgets → document ----------------------------------------------------------------

    def _edit_account(self, field: str, value: Any, *, merge: bool = True) -> None:
        self._document.edit(
            lambda plan: edits.set_account_field(plan, field, value),
            f"Change {edits.ACCOUNT_FIELDS[field]}",
            merge_key=f"account|{field}" if merge else None,
        )

    def _on_input_refused(self, field: str, text: str, rule: str) -> None:
        """Typed text outside the field's rule: said under the form, the plan untouched."""
        self.input_error.setText(f"account.{field} = {text.strip() or '(empty)'}: {rule}")
        self.input_error.setVisible(True)

    def _on_input_accepted(self) -> None:
        self.input_error.clear()
        self.input_error.setVisible(False)

    def _on_name_edit_finished(self) -> None:
        name = self.name_edit.text()
        if name != self._document.plan.name:
            self._document.edit(
                lambda plan: edits.set_plan_field(plan, "name", name), "Rename the plan"
            )

    def _on_wallet_spin_changed(self, value: float) -> None:
        self._edit_account("wallet_balance", value)

    def _on_currency_edit_finished(self) -> None:
        text = self.currency_edit.text().strip().upper()
        if text != self._document.plan.account.currency:
            self._edit_account("currency", text, merge=False)
            set_text(self.currency_edit, self._document.plan.account.currency, home=True)

    def _on_venue_combo_activated(self, _row: int) -> None:
        """A new venue, and (when the trader agrees) its standard taker and maker fees."""
        venue = self.venue_combo.currentData()
        account = self._document.plan.account
        if venue == account.venue:
            return
        taker, maker = edits.venue_fees(venue)
        fields: dict[str, object] = {"venue": venue}
        if (taker, maker) != (0.0, 0.0) and (taker, maker) != (
            account.taker_fee_rate,
            account.maker_fee_rate,
        ):
            answer = QMessageBox.question(
                self,
                "Venue fees",
                f"Use {self.venue_combo.currentText()}'s standard fees: taker "
                f"{taker * 100:g} %, maker {maker * 100:g} %? (Now {account.taker_fee_rate * 100:g}"
                f" % and {account.maker_fee_rate * 100:g} %.)",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.Yes,
            )
            if answer == QMessageBox.StandardButton.Yes:
                fields |= {"taker_fee_rate": taker, "maker_fee_rate": maker}
        self._document.edit(
            lambda plan: edits.validate(plan, account=plan.account.model_dump() | fields),
            "Change venue",
        )

    def _on_mode_combo_activated(self, _row: int) -> None:
        self._edit_account("position_mode", self.mode_combo.currentData(), merge=False)
        set_combo(self.mode_combo, self._document.plan.account.position_mode)

    def _on_taker_spin_changed(self, value: float) -> None:
        self._edit_account("taker_fee_rate", float(f"{value / 100:.12g}"))

    def _on_maker_spin_changed(self, value: float) -> None:
        self._edit_account("maker_fee_rate", float(f"{value / 100:.12g}"))


_WARNING_ICONS: dict[int, dict[str, QIcon]] = {}


def _warning_icons(style: QStyle) -> dict[str, QIcon]:
    """The icon of each severity, loaded once per style."""
    icons = _WARNING_ICONS.get(id(style))
    if icons is None:
        pixmaps = QStyle.StandardPixmap
        icons = _WARNING_ICONS[id(style)] = {
            "notice": style.standardIcon(pixmaps.SP_MessageBoxInformation),
            "warning": style.standardIcon(pixmaps.SP_MessageBoxWarning),
            "danger": style.standardIcon(pixmaps.SP_MessageBoxCritical),
        }
    return icons
