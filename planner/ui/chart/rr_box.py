"""The risk/reward box of the selected position, as in TradingView's long/short position tool:
the risk zone from the entry to the stop and the reward zone from the entry to the farthest
take-profit, each saying its amount, its R multiple and its share of the account's equity.

The figures are the analysis's (loss at the stop and take-profit rewards, fees included); this
module only words and draws them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsItem

from planner.domain.analysis import Analysis
from planner.domain.formatting import format_amount, format_percent
from planner.domain.ladder import Ladder
from planner.ui.chart.ladder_levels import Z, farthest
from planner.ui.chart.theme import ChartTheme


@dataclass(frozen=True, slots=True)
class RiskReward:
    """What the box says about one position."""

    entry: float
    stop: float | None
    target: float | None  # the farthest take-profit
    risk: float | None  # loss at the stop (positive), fees included
    reward: float | None  # the take-profits' rewards together, fees included
    equity: float
    currency: str

    @property
    def r_multiple(self) -> float | None:
        if self.risk is None or self.reward is None or self.risk <= 0:
            return None
        return self.reward / self.risk

    def risk_text(self) -> str:
        if self.risk is None:
            return ""
        amount = format_amount(-self.risk, self.currency, with_unit=True, sign=True)
        return f"Risk 1 R · {amount}{self._share(self.risk)}"

    def reward_text(self) -> str:
        if self.reward is None:
            return ""
        amount = format_amount(self.reward, self.currency, with_unit=True, sign=True)
        if self.reward < 0:  # take-profits on the losing side (or within the fees)
            return f"Take-profits lose · {amount}{self._share(-self.reward)}"
        multiple = self.r_multiple
        r = f" · {multiple:.2f} R" if multiple is not None else ""
        return f"Reward{r} · {amount}{self._share(self.reward)}"

    def _share(self, amount: float) -> str:
        if self.equity <= 0:
            return ""
        return f"\n{format_percent(amount / self.equity, 2)} of equity"


def risk_reward(analysis: Analysis, ladder: Ladder, position_id: str) -> RiskReward | None:
    """The box of ``position_id`` (None without a position or an entry on this ladder)."""
    levels = ladder.of_position(position_id) if position_id else ()
    entry = next((lv.price for lv in levels if lv.kind == "entry"), None)
    if entry is None:
        return None
    result = analysis.position(analysis.index_of(position_id))
    stop = next((lv.price for lv in levels if lv.kind == "stop"), None)
    targets = [lv.price for lv in levels if lv.kind == "take_profit"]
    rewards = [tp.reward for tp in result.take_profits]
    return RiskReward(
        entry=entry,
        stop=stop,
        target=farthest(entry, targets),
        risk=result.loss_at_stop if stop is not None else None,
        reward=sum(rewards) if rewards else None,
        equity=analysis.equity,
        currency=analysis.currency,
    )


class RiskRewardBox:
    """Two shaded zones and their captions on a plot; updated in place, never rebuilt."""

    def __init__(self, plot: pg.PlotWidget) -> None:
        self.loss_zone = pg.LinearRegionItem(orientation="horizontal", movable=False)
        self.profit_zone = pg.LinearRegionItem(orientation="horizontal", movable=False)
        self.risk_label = pg.TextItem(anchor=(0.0, 0.5))
        self.reward_label = pg.TextItem(anchor=(0.0, 0.5))
        for zone in (self.loss_zone, self.profit_zone):
            zone.setZValue(Z["zone"])
            for line in zone.lines:
                line.setPen(pg.mkPen(None))
            zone.hide()
            plot.addItem(zone, ignoreBounds=True)
        for label in (self.risk_label, self.reward_label):
            label.setZValue(Z["label"] - 1)
            label.textItem.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            font = label.textItem.font()
            font.setPointSizeF(font.pointSizeF() * 0.9)
            label.setFont(font)
            label.hide()
            plot.addItem(label, ignoreBounds=True)
        self.loss_zone.setToolTip("Risk: between the entry and the stop (1 R)")
        self.profit_zone.setToolTip("Reward: between the entry and the farthest take-profit")
        self.figures: RiskReward | None = None
        self._theme: ChartTheme | None = None

    @property
    def reward_loses(self) -> bool:
        """The take-profits together close at a loss: their zone is shaded as a loss."""
        figures = self.figures
        return figures is not None and figures.reward is not None and figures.reward < 0

    def _shade_reward(self) -> None:
        if self._theme is not None:
            kind = "loss_zone" if self.reward_loses else "profit_zone"
            self.profit_zone.setBrush(self._theme.zone_brush(kind))

    def apply_theme(self, theme: ChartTheme) -> None:
        self._theme = theme
        self.loss_zone.setBrush(theme.zone_brush("loss_zone"))
        self._shade_reward()
        self.risk_label.setColor(theme.level_text_colour("stop", emphasised=True))
        self.reward_label.setColor(theme.level_text_colour("take_profit", emphasised=True))

    def update(self, figures: RiskReward | None) -> None:
        self.figures = figures
        self._shade_reward()
        pairs = (
            (self.loss_zone, self.risk_label, figures.stop if figures else None),
            (self.profit_zone, self.reward_label, figures.target if figures else None),
        )
        for zone, label, far in pairs:
            if figures is None or far is None:
                zone.hide()
                label.hide()
                continue
            region = (min(figures.entry, far), max(figures.entry, far))
            if tuple(zone.getRegion()) != region:
                zone.setRegion(region)
            zone.show()
            text = figures.risk_text() if zone is self.loss_zone else figures.reward_text()
            if label.toPlainText() != text:
                label.setText(text)

    def captions(self) -> list[tuple[pg.TextItem, float, float]]:
        """Each caption to place with the zone it belongs to: (label, low, high)."""
        out: list[tuple[pg.TextItem, float, float]] = []
        pairs = ((self.loss_zone, self.risk_label), (self.profit_zone, self.reward_label))
        for zone, label in pairs:
            if zone.isVisible() and label.toPlainText():
                low, high = zone.getRegion()
                out.append((label, float(low), float(high)))
            else:
                label.hide()
        return out
