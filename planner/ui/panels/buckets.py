"""Isolated buckets of the account panel: one row per bucket, with a bar of its risk ratio."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    Qt,
)
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
)

from planner.domain.formatting import (
    format_percent,
    format_price,
)
from planner.ui.document.plan_document import PlanDocument
from planner.ui.explanations import explain
from planner.ui.risk import RISK_WORDS, RiskLevel, risk_level

ModelIndex = QModelIndex | QPersistentModelIndex
#: the role under which the bucket model gives the bar's fill (0–1000, per mille)
BAR_ROLE = Qt.ItemDataRole.UserRole + 20


class BucketModel(QAbstractTableModel):
    """Isolated buckets: one row per netted isolated leg."""

    HEADERS = ("Bucket", "Margin", "Equity", "Liq. price", "Risk ratio")
    TIPS = ("bucket", "bucket_margin", "bucket_equity", "liquidation_price", "bucket_risk")

    def __init__(self, document: PlanDocument, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self._analysis = document.analysis
        document.changed.connect(self._on_document_changed)
        document.amounts.changed.connect(self._on_document_changed)

    def _on_document_changed(self) -> None:
        before = len(self._analysis.buckets)
        after = len(self._document.analysis.buckets)
        if before == after:
            self._analysis = self._document.analysis
            if after:
                self.dataChanged.emit(self.index(0, 0), self.index(after - 1, 4))
            return
        self.beginResetModel()
        self._analysis = self._document.analysis
        self.endResetModel()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._analysis.buckets)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return explain(self.TIPS[section])
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        bucket = self._analysis.buckets[index.row()]
        currency = self._analysis.currency
        column = index.column()
        level = risk_level(bucket.risk_ratio, bucket.liquidated)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return f"{bucket.symbol} {bucket.side}"
            if column == 1:
                return self._document.amounts.format(bucket.margin, currency)
            if column == 2:
                return self._document.amounts.format(bucket.equity, currency)
            if column == 3:
                tick = self._analysis.plan.market(bucket.symbol).tick_size
                return format_price(bucket.liquidation_price, tick)
            if level == RiskLevel.LIQUIDATED:
                return "liquidated"
            return f"{format_percent(bucket.risk_ratio, 1)} · {RISK_WORDS[level]}"
        if role == BAR_ROLE and column == 4:
            if bucket.liquidated:
                return 1000
            ratio = bucket.risk_ratio
            return 0 if ratio is None else max(0, min(1000, round(ratio * 1000)))
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (1, 2, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            text = explain(self.TIPS[column])
            if column == 0:
                text += " Positions: " + ", ".join(bucket.position_ids) + "."
            if column == 4:
                text += f" Risk: {RISK_WORDS[level]}."
            return text
        return None


class BarDelegate(QStyledItemDelegate):
    """Draws ``BAR_ROLE`` as a progress bar (styled by the platform, so any palette reads)."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        value = index.data(BAR_ROLE)
        if value is None:
            super().paint(painter, option, index)
            return
        bar = QStyleOptionProgressBar()
        bar.rect = QRect(option.rect.adjusted(2, 3, -2, -3))
        bar.minimum = 0
        bar.maximum = 1000
        bar.progress = int(value)
        bar.text = str(index.data(Qt.ItemDataRole.DisplayRole))
        bar.textVisible = True
        bar.textAlignment = Qt.AlignmentFlag.AlignCenter
        bar.state = option.state | QStyle.StateFlag.State_Horizontal
        bar.palette = option.palette
        bar.fontMetrics = option.fontMetrics
        style = option.widget.style() if option.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter, option.widget)
