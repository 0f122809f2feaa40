"""The equity view's legend, laid out under the plot rather than over it.

pyqtgraph's ``PlotItem.addLegend`` anchors the legend inside the view box, where it hid the top
left of the curves (and could be dragged onto any other part of them). This legend is a cell of
the plot item's own grid — the row under the bottom axis, in the view box's column — so the
data never shares its space at any size; its entries wrap into as many columns as the width
holds.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSizePolicy

#: the plot item's grid: title 0, top axis 1, view box 2, bottom axis 3; the legend goes under
LEGEND_ROW = 4
VIEW_COLUMN = 1
#: gaps (pixels) between a sample and its name, and between two entries of a row
SAMPLE_GAP = 4
ENTRY_GAP = 14


class LegendBelow(pg.LegendItem):
    """A legend in the plot item's grid under the bottom axis; it stays where it is put.

    Entries are added with ``addItem`` (not by naming a plotted item)."""

    def __init__(self, plot_item: pg.PlotItem, **kwargs: object) -> None:
        super().__init__(offset=None, frame=False, **kwargs)
        self.layout.setContentsMargins(0, 0, 0, 0)
        self.layout.setHorizontalSpacing(SAMPLE_GAP)
        # as wide as its entries, but never widening the view box's column: a narrower plot
        # takes fewer columns (``reflow``)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(1)
        self.setParentItem(plot_item)
        grid = plot_item.layout
        grid.addItem(self, LEGEND_ROW, VIEW_COLUMN, alignment=Qt.AlignmentFlag.AlignLeft)
        grid.setRowStretchFactor(LEGEND_ROW, 0)
        self._plot_item = plot_item
        # the view box's width changes with the plot's and with the left axis's tick labels
        # (queued: a relayout asked for while the plot item lays out would be lost)
        plot_item.vb.sigResized.connect(self.reflow, Qt.ConnectionType.QueuedConnection)

    def mouseDragEvent(self, ev: object) -> None:
        ev.ignore()  # type: ignore[attr-defined]  # never dragged onto the curves

    def addItem(self, item: object, name: str) -> None:
        super().addItem(item, name)
        self.layout.setColumnSpacing(2 * len(self.items) - 1, ENTRY_GAP)  # after each name
        self.reflow()

    def reflow(self, *_args: object) -> None:
        """As many columns as the view box's width holds, every entry whole."""
        if not self.items:
            return
        widths = [
            sample.boundingRect().width() + SAMPLE_GAP + label.item.boundingRect().width()
            for sample, label in self.items
        ]
        room = self._plot_item.vb.width()
        columns = 1
        for n in range(len(widths), 1, -1):
            needed = sum(max(widths[c::n]) for c in range(n)) + ENTRY_GAP * (n - 1)
            if needed <= room:
                columns = n
                break
        if columns != self.columnCount:
            self.setColumnCount(columns)

    def setColumnCount(self, columnCount: int) -> None:  # pyqtgraph's name
        """Entries row by row in ``columnCount`` columns (LegendItem's own re-layout puts
        them past the old columns when the count goes down)."""
        self.columnCount = columnCount
        grid = self.layout
        for i in range(grid.count() - 1, -1, -1):
            grid.removeAt(i)
        for i, (sample, label) in enumerate(self.items):
            row, column = divmod(i, columnCount)
            grid.addItem(sample, row, 2 * column, alignment=Qt.AlignmentFlag.AlignVCenter)
            grid.addItem(label, row, 2 * column + 1)
        self.rowCount = max(1, math.ceil(len(self.items) / columnCount))
        self.updateSize()

    def updateSize(self) -> None:
        """Sized by its grid of entries (LegendItem would set its geometry itself, and the
        plot item's grid places it)."""
        self.layout.invalidate()
        self.updateGeometry()
