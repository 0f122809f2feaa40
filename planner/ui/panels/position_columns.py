"""The columns of the position table: what each shows, its header and which field it edits."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor

from planner.ui.risk import RiskLevel


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    #: the header: short, so that the common columns fit beside the chart at 1280×800
    header: str
    #: the position field this column edits (None: a read-only output)
    field: str | None = None
    numeric: bool = True
    #: the full name, first line of the header's tooltip ("" when the header says it all)
    title: str = ""
    #: hidden until shown from the header's menu (less used: kept off a first-run screen)
    hidden: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("id", "ID", None, numeric=False),
    Column("symbol", "Symbol", "symbol", numeric=False),
    Column("side", "Side", "side", numeric=False),
    Column("quantity", "Qty", "quantity", title="Quantity"),
    Column("entry_price", "Entry", "entry_price", title="Entry price"),
    Column("leverage", "Lev.", "leverage", title="Leverage"),
    Column("margin_mode", "Mode", "margin_mode", numeric=False, title="Margin mode"),
    Column("added_margin", "Added\nmargin", "added_margin", title="Added margin", hidden=True),
    Column("stop_loss", "Stop", "stop_loss", title="Stop-loss price"),
    Column("notional", "Notional", hidden=True),
    Column("margin", "Margin"),
    Column("unrealized_pnl", "uPnL", title="Unrealised PnL"),
    Column("liquidation_price", "Liq.\nprice", title="Liquidation price"),
    Column("bankruptcy_price", "Bankr.\nprice", title="Bankruptcy price", hidden=True),
    Column("liquidation_distance", "To\nliq.", title="Distance to liquidation"),
    Column("risk_ratio", "Risk", title="Risk ratio"),
    Column("loss_at_stop", "Loss at\nstop", title="Loss at the stop"),
    Column("position_risk", "Risk %\nequity", title="Risk % of equity"),
    Column("stop_distance", "Stop\ndist.", title="Stop distance", hidden=True),
    Column("worst_case_loss", "Worst\ncase", title="Worst-case loss", hidden=True),
)
COLUMN_INDEX = {column.key: i for i, column in enumerate(COLUMNS)}
RISK_COLUMNS = {"liquidation_price", "liquidation_distance", "risk_ratio"}

#: translucent fills read on light and dark palettes alike (the text keeps its palette colour)
RISK_FILLS = {
    RiskLevel.ELEVATED: QColor(230, 160, 0, 70),
    RiskLevel.HIGH: QColor(230, 80, 0, 95),
    RiskLevel.LIQUIDATED: QColor(220, 30, 30, 120),
}
