"""The ladder's labels: each on its own line, none over another, at any size of the view.

The mark's, the tiers' and the selected position's labels are placed first, by priority
(mark, liquidation, stop, entry, take-profits…): right-aligned, or moved left along their line
beside the labels they would cover, in a shorter text where the full one has no room, hidden
only where the line has none left (its tooltip still names it). The risk/reward captions go in
their zones where free; the other positions' labels only where their whole row is free, from a
small pool of text items.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGraphicsItem

from planner.domain.ladder import Ladder, Level
from planner.ui.chart.ladder_levels import (
    LABEL_MARGIN,
    LABEL_X,
    PRIORITY,
    X_RANGE,
    Box,
    LevelItem,
    LevelKey,
    TextWidths,
    Z,
    clashes,
    faint_that_fit,
    label_text,
    level_key,
    level_style,
    place_on_lines,
)
from planner.ui.chart.rr_box import RiskRewardBox
from planner.ui.chart.theme import ChartTheme


class LadderLabels:
    """Places the labels of one ladder plot; owns the other positions' label pool."""

    def __init__(self, plot: pg.PlotWidget, theme: ChartTheme, font: QFont) -> None:
        self._plot = plot
        self._theme = theme
        self._faint: dict[LevelKey, pg.TextItem] = {}
        self._free: list[pg.TextItem] = []
        self._faint_style: dict[int, str] = {}  # id(label) → the style it is coloured
        self._widths = TextWidths(font)
        self._height = 0.0

    def apply_theme(self, theme: ChartTheme) -> None:
        self._theme = theme
        for label in [*self._faint.values(), *self._free]:
            label.fill = pg.mkBrush(theme.label_fill)
        self._faint_style.clear()

    def text_item(self) -> pg.TextItem:
        label = pg.TextItem(anchor=(1.0, 0.5), fill=pg.mkBrush(self._theme.label_fill))
        # the text is rendered once per text and scale (moving a label is a blit); the fill
        # behind it is drawn by the TextItem itself
        label.textItem.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        return label

    @staticmethod
    def set_text(item: LevelItem, variant: int) -> None:
        item.variant = min(variant, len(item.variants) - 1)
        text = item.variants[item.variant]
        if text != item.text:
            item.label.setText(text)
            item.text = text

    def layout(
        self,
        view: pg.ViewBox,
        items: list[LevelItem],
        faint_levels: list[Level],
        ladder: Ladder | None,
        selected: str,
        rr_box: RiskRewardBox,
    ) -> None:
        (_, _), (y_low, y_high) = view.viewRange()
        width, height = view.width(), view.height()
        if not items or height <= 0 or width <= 0 or y_high <= y_low:
            return
        y_range, size = (y_low, y_high), (width, height)
        gap = self._label_pixel_height(items[0]) + 1.0
        shown = [it for it in items if y_low <= it.price <= y_high]
        for it in items:
            if not y_low <= it.price <= y_high:
                it.label.hide()
        shown.sort(key=lambda it: (PRIORITY.get(it.key[0] if it.key else "", 9), -it.price))
        labels = [(it.price, tuple(map(self._widths.width, it.variants))) for it in shown]
        spots, boxes = place_on_lines(labels, y_range, size, gap)
        for it, spot in zip(shown, spots, strict=True):
            if spot is None:
                it.label.hide()
                continue
            right, variant = spot
            self.set_text(it, variant)
            x = X_RANGE[1] * right / width
            pos = it.label.pos()
            if pos.x() != x or pos.y() != it.price:
                it.label.setPos(x, it.price)
            it.label.show()
        self._place_captions(rr_box, boxes, y_range, size)
        fitting = faint_that_fit(faint_levels, boxes, y_range, size, gap)
        self.place_faint(fitting, ladder, selected)

    @staticmethod
    def _place_captions(
        rr_box: RiskRewardBox,
        boxes: list[Box],
        y_range: tuple[float, float],
        size: tuple[float, float],
    ) -> None:
        """The risk and reward captions, at the left of their zone's middle, where free."""
        y_low, y_high = y_range
        width, height = size
        per_pixel = (y_high - y_low) / height
        for label, low, high in rr_box.captions():
            rect = label.textItem.boundingRect()
            middle = (max(low, y_low) + min(high, y_high)) / 2
            y = (y_high - middle) / per_pixel
            zone_pixels = (min(high, y_high) - max(low, y_low)) / per_pixel
            left, right = LABEL_MARGIN, LABEL_MARGIN + rect.width()
            if zone_pixels < rect.height() or clashes(boxes, y, left, right, rect.height()):
                label.hide()
                continue
            boxes.append((y, left, right))
            label.setPos(X_RANGE[1] * left / width, middle)
            label.show()

    def place_faint(self, levels: list[Level], ladder: Ladder | None, selected: str) -> None:
        """Labels for the other positions' levels that fit, from the pool of text items."""
        wanted = {level_key(level): level for level in levels}
        for key in [k for k in self._faint if k not in wanted]:
            label = self._faint.pop(key)
            label.hide()
            self._free.append(label)
        if ladder is None:
            return
        for key, level in wanted.items():
            label = self._faint.get(key)
            if label is None:
                label = self._free.pop() if self._free else self._new_label()
                self._faint[key] = label
            text = label_text(level, ladder.mark_price, ladder.tick_size, selected)
            if label.toPlainText() != text:
                label.setText(text)
            style = level_style(level)
            if self._faint_style.get(id(label)) != style:
                label.setColor(self._theme.level_text_colour(style, emphasised=False))
                self._faint_style[id(label)] = style
            label.setPos(LABEL_X, level.price)
            label.show()

    def _new_label(self) -> pg.TextItem:
        label = self.text_item()
        label.setZValue(Z["label"])
        self._plot.addItem(label, ignoreBounds=True)
        return label

    def _label_pixel_height(self, item: LevelItem) -> float:
        if self._height <= 0:
            height = item.label.textItem.boundingRect().height()
            if height <= 0:
                return 18.0
            self._height = height
        return self._height
