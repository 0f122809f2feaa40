"""The price ladder of the selected position's symbol: every level as a horizontal line, with
its price and its distance from the mark; entry, stop, take-profit and mark lines can be dragged.

Items are built once and updated, never cleared and rebuilt on a change:

* the levels one can drag or must read — the mark, tier boundaries and every level of the
  selected position — each have an ``InfiniteLine`` and a ``TextItem`` from a pool keyed by
  level, moved with ``setValue``; a level that goes away is hidden and its items serve the next;
* the other positions of the symbol are drawn faint, one ``PlotCurveItem`` per style holding all
  their lines as segments (``connect="pairs"``, updated with ``setData``), so that fifty
  positions cost six items, not three hundred; their labels come from a second small pool and
  are shown only where they fit.

Moving lines (drag, pick, keyboard nudges) is ``ladder_drag.LineMover``'s; the risk/reward
box is ``rr_box``'s. Every label sits on its own line (``place_on_lines``): crowded labels move
left along their lines, never onto another's. The view fits the levels on load and on a new
symbol; after an edit or a selection it fits them again whenever a line of the selected
position is out of view or the levels fill less than half of it (no scale left stale) — unless
the trader has zoomed or panned by hand (until Fit or another position is selected).

All prices and distances come from ``symbol_ladder`` (the analysis); this view only draws them.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from planner.domain.ladder import TIME_KINDS, Ladder, Level, symbol_ladder
from planner.ui.chart.ladder_drag import KEYBOARD_MARK, LineMover, PickableLine
from planner.ui.chart.ladder_labels import LadderLabels
from planner.ui.chart.ladder_levels import (
    CLICK_PIXELS,
    FAINT_STYLES,
    X_RANGE,
    LevelItem,
    LevelKey,
    Z,
    configure_ladder_plot,
    fit_range,
    header_text,
    label_variants,
    level_key,
    level_style,
    line_tip,
    lowest_price,
    needs_fit,
)
from planner.ui.chart.rr_box import RiskRewardBox, risk_reward
from planner.ui.chart.theme import ChartTheme, is_palette_change, style_plot, theme_for
from planner.ui.document.plan_document import PlanDocument
from planner.ui.widgets.lazy import DockFollower, can_be_seen


class LadderView(QWidget):
    """Every level of one symbol; the selected position emphasised, the others faint.

    Signals:
        status_message(str, int): a message for the status bar and how long to show it (ms).
    """

    status_message = Signal(str, int)

    def __init__(self, document: PlanDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self._theme: ChartTheme = theme_for(self.palette())
        self._active: dict[LevelKey, LevelItem] = {}
        self._free: list[LevelItem] = []
        #: the other positions' levels (drawn faint) and the labels of those that fit
        self._faint_levels: list[Level] = []
        self._faint_prices: dict[str, tuple[float, ...]] = {}
        self._mover = LineMover(self)
        self.syncing = False
        self._dirty = True
        self._dock = DockFollower(self, self._on_shown)
        self._symbol: str | None = None
        #: the position whose lines the view last followed
        self._selected = ""
        self._ladder: Ladder | None = None
        self._fit_pending = True
        #: the trader zoomed or panned: the view no longer follows edits until Fit or another
        #: position is selected
        self._zoomed_by_hand = False

        self.header = QLabel()
        self.header.setTextFormat(Qt.TextFormat.PlainText)
        self.header.setWordWrap(True)
        self.header.setToolTip("Drag the entry, stop, take-profit or mark line to plan")
        self.fit_button = QToolButton()
        self.fit_button.setText("Fit")
        self.fit_button.setToolTip("Fit the price axis to every level of the symbol")
        self.fit_button.clicked.connect(self._on_fit_button_clicked)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.header, 1)
        top.addWidget(self.fit_button)

        self.plot = pg.PlotWidget()
        self._labels = LadderLabels(self.plot, self._theme, self.font())
        self._view = configure_ladder_plot(self.plot)
        self._view.sigYRangeChanged.connect(self._on_view_y_range_changed)
        self._view.sigResized.connect(self._on_view_resized)
        self._view.sigRangeChangedManually.connect(self._on_view_range_changed_manually)
        self.plot.installEventFilter(self)

        self.rr_box = RiskRewardBox(self.plot)
        self.loss_zone, self.profit_zone = self.rr_box.loss_zone, self.rr_box.profit_zone
        self.faint_curves: dict[str, pg.PlotCurveItem] = {}
        for style in FAINT_STYLES:
            curve = pg.PlotCurveItem(connect="pairs")
            # disjoint segments: one drawLines call, not a translucent multi-part path to stroke
            curve.setSegmentedLineMode("on")
            curve.setZValue(Z["other"])
            curve.setClickable(True, width=int(2 * CLICK_PIXELS))
            curve.setToolTip("Another position on this symbol: click to select it")
            curve.sigClicked.connect(self._on_faint_curve_clicked)
            self.plot.addItem(curve, ignoreBounds=True)
            self.faint_curves[style] = curve

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.plot, 1)

        document.changed.connect(self._on_document_changed)
        document.current_changed.connect(self._on_document_current_changed)
        document.path_changed.connect(self._on_document_path_changed)
        self._apply_theme()

    # --- public ----------------------------------------------------------------------------

    @property
    def symbol(self) -> str | None:
        return self._symbol

    @property
    def ladder(self) -> Ladder | None:
        return self._ladder

    @property
    def is_dragging(self) -> bool:
        return self._mover.drag is not None

    @property
    def document(self) -> PlanDocument:
        return self._document

    @property
    def view_box(self) -> pg.ViewBox:
        return self._view

    @property
    def tick_size(self) -> float | None:
        return self._ladder.tick_size if self._ladder is not None else None

    @property
    def follows_edits(self) -> bool:
        """False once the trader has zoomed or panned by hand (until Fit, another position
        selected or a new plan)."""
        return not self._zoomed_by_hand

    def active_items(self) -> list[tuple[LevelKey, LevelItem]]:
        return list(self._active.items())

    def keyboard_line(self) -> LevelKey | None:
        """The line the arrow keys nudge."""
        return self._mover.chosen_key()

    def line_for(self, key: LevelKey) -> pg.InfiniteLine | None:
        item = self._active.get(key)
        return item.line if item is not None else None

    def label_for(self, key: LevelKey) -> pg.TextItem | None:
        item = self._active.get(key)
        return item.label if item is not None else None

    def line_keys(self) -> list[LevelKey]:
        """The levels drawn as their own line: the mark, tiers, the selected position's."""
        return list(self._active)

    def faint_prices(self, style: str) -> tuple[float, ...]:
        """The prices drawn faint in ``style`` (other positions' levels, duplicates merged)."""
        return self._faint_prices.get(style, ())

    def pool_size(self) -> int:
        """Every level item ever built (shown and spare)."""
        return len(self._active) + len(self._free)

    def refresh(self) -> None:
        """Bring every item up to date with the document (synchronously)."""
        self._dirty = False
        self._sync()

    def fit(self) -> None:
        """Fit the price axis to the ladder's levels (tier boundaries excluded)."""
        ladder = self._ladder
        if ladder is None:
            return
        self._view.setYRange(*fit_range(ladder), padding=0)
        self._fit_pending = False
        self._zoomed_by_hand = False

    def drag_to(self, key: LevelKey, price: float) -> None:
        """Drag the line of ``key`` to ``price`` (what the mouse does, for tests and scripts)."""
        item = self._active[key]
        item.line.setValue(price)

    def finish_drag(self) -> None:
        """Release the line being dragged (what releasing the mouse does)."""
        if self._mover.drag is not None:
            line = self._mover.drag.item.line
            line.moving = False
            line.sigPositionChangeFinished.emit(line)

    def cancel_drag(self) -> bool:
        """Cancel the drag in progress: the plan and the line go back. True if one was."""
        return self._mover.cancel()

    # --- document --------------------------------------------------------------------------

    def _on_document_changed(self) -> None:
        if self._mover.drag is not None and not self._document.is_previewing:
            self._mover.abandon()  # the plan changed under the drag (undo, a file opened)
        self._update()

    def _on_document_current_changed(self, _position_id: str) -> None:
        if self._mover.drag is not None:
            self.cancel_drag()
        self._mover.chosen = None
        self._update()

    def _on_document_path_changed(self) -> None:
        # a plan opened or started afresh (its undo history empty) is fitted; a Save As of an
        # edited plan keeps the view the trader has
        if self._document.undo_stack.count() == 0:
            self._fit_pending = True
            self._zoomed_by_hand = False
            self._update()

    def _update(self) -> None:
        # the ladder follows every change it can be seen (it is what the mouse drags);
        # out of sight, including a tabbed-away dock, it catches up when shown
        if can_be_seen(self):
            self.refresh()
        else:
            self._dirty = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._dock.follow()
        self._on_shown()

    def _on_shown(self) -> None:
        if self._dirty and can_be_seen(self):
            self.refresh()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if is_palette_change(event) and hasattr(self, "faint_curves"):  # not during __init__
            self._apply_theme()

    def _apply_theme(self) -> None:
        self._theme = theme_for(self.palette())
        style_plot(self.plot, self._theme)
        self.rr_box.apply_theme(self._theme)
        for item in [*self._active.values(), *self._free]:
            item.style = None  # restyled on the next sync
            item.label.fill = pg.mkBrush(self._theme.label_fill)
        for style, curve in self.faint_curves.items():
            curve.setPen(self._theme.level_pen(style, emphasised=False))
        self._labels.apply_theme(self._theme)
        self._sync()

    # --- the ladder ------------------------------------------------------------------------

    def _sync(self) -> None:
        """Every level's line and label to the analysis's prices, reusing the pooled items."""
        symbol = self._document.current_symbol
        if symbol != self._symbol:
            self._symbol = symbol
            self._fit_pending = True
            self._zoomed_by_hand = False
        if self._document.current_id != self._selected:
            # another position: a zoom by hand on the last one ends; fitted if it needs it
            self._selected = self._document.current_id
            self._zoomed_by_hand = False
        if symbol is None:
            self._ladder = None
            self._release_all()
            self.header.setText("No market in the plan")
            return
        analysis = self._document.analysis
        ladder = symbol_ladder(analysis, symbol, scale_in=True)
        self._ladder = ladder
        selected = self._document.current_id
        mark, tick = ladder.mark_price, ladder.tick_size
        theme = self._theme
        seen: set[LevelKey] = set()
        faint: dict[str, list[float]] = {style: [] for style in FAINT_STYLES}
        self._faint_levels = []
        self.syncing = True
        keyboard = self._mover.chosen_key() if self.plot.hasFocus() else None
        try:
            for level in ladder.levels:
                key = level_key(level)
                if key in seen:  # two tier boundaries with one label: show the first
                    continue
                emphasised = level.kind in ("mark", "tier") or level.position_id == selected
                if not emphasised and level.kind in TIME_KINDS:
                    continue  # the adds of the selected position only
                if not emphasised:
                    faint[level_style(level)].append(level.price)
                    self._faint_levels.append(level)
                    continue
                seen.add(key)
                item = self._active.get(key) or self._acquire(key)
                style = (level_style(level), level.draggable, theme)
                if item.style != style:
                    self._restyle(item, level)
                    item.style = style
                if level.draggable:
                    bounds = [lowest_price(tick, mark), None]
                    if item.line.bounds() != bounds:
                        item.line.setBounds(bounds)
                if item.line.value() != level.price:  # the mouse may have moved it
                    item.line.setValue(level.price)
                item.price = level.price
                item.variants = label_variants(level, mark, tick, selected)
                if key == keyboard:  # the line the arrow keys move, while they can
                    item.variants = tuple(f"{KEYBOARD_MARK}{text}" for text in item.variants)
                self._labels.set_text(item, item.variant)
            for key in [k for k in self._active if k not in seen]:
                self._release(key)
        finally:
            self.syncing = False
        self._sync_faint(faint)
        self.rr_box.update(risk_reward(analysis, ladder, selected) if selected else None)
        self._sync_header(symbol, selected)
        if self._mover.drag is None and (self._fit_pending or self._stale_view()):
            self.fit()
        self._layout_labels()

    def _stale_view(self) -> bool:
        """The view follows the plan and no longer shows it well: a line of the selected
        position outside it, or the levels squeezed into a small part of it."""
        if self._zoomed_by_hand or self._ladder is None:
            return False
        (_, _), y_range = self._view.viewRange()
        return needs_fit(self._ladder, self._document.current_id, tuple(y_range))

    def _acquire(self, key: LevelKey) -> LevelItem:
        if self._free:
            item = self._free.pop()
        else:
            line = PickableLine(self._mover.is_meant)
            label = self._labels.text_item()
            item = LevelItem(line, label)
            line.sigPositionChanged.connect(partial(self._mover.on_position_changed, item))
            line.sigPositionChangeFinished.connect(
                partial(self._mover.on_position_change_finished, item)
            )
            line.sigClicked.connect(partial(self._on_level_line_clicked, item))
            self.plot.addItem(line, ignoreBounds=True)
            self.plot.addItem(label, ignoreBounds=True)
        item.key = key
        item.price = math.nan
        item.line.show()
        self._active[key] = item
        return item

    def _release(self, key: LevelKey) -> None:
        item = self._active.pop(key)
        item.key = None
        item.line.hide()
        item.line.setMovable(False)
        item.label.hide()
        self._free.append(item)

    def _release_all(self) -> None:
        for key in list(self._active):
            self._release(key)
        self._faint_levels = []
        self._sync_faint({style: [] for style in FAINT_STYLES})
        self._labels.place_faint([], None, "")
        self.rr_box.update(None)

    def _sync_faint(self, faint: dict[str, list[float]]) -> None:
        """The other positions' lines: one curve per style, every price once (a netted bucket
        gives all its positions one liquidation price)."""
        for style, curve in self.faint_curves.items():
            prices = tuple(np.unique(faint[style]).tolist())
            if prices == self._faint_prices.get(style):
                continue
            self._faint_prices[style] = prices
            y = np.repeat(np.asarray(prices, dtype=float), 2)
            x = np.tile(np.array(X_RANGE), len(prices))
            curve.setData(x=x, y=y, connect="pairs")

    def _restyle(self, item: LevelItem, level: Level) -> None:
        """Pen, label colour and stacking of a pooled line: the mark, a tier boundary or a
        level of the selected position (movable where it can be dragged)."""
        theme, style, movable = self._theme, level_style(level), level.draggable
        item.line.setPen(theme.level_pen(style, emphasised=True))
        item.line.setHoverPen(theme.level_pen(style, emphasised=True, hover=True))
        item.line.setMovable(movable)
        item.line.setCursor(Qt.CursorShape.SizeVerCursor if movable else Qt.CursorShape.ArrowCursor)
        item.line.setZValue(Z.get(level.kind, Z["selected"]))
        item.label.setZValue(Z["label"] + 1)
        item.label.setColor(theme.level_text_colour(style, emphasised=True))
        font = item.label.textItem.font()
        if font.bold() != (level.position_id is not None):  # the selected position's labels
            font.setBold(level.position_id is not None)
            item.label.setFont(font)
        item.line.setToolTip(line_tip(level, movable))

    def _sync_header(self, symbol: str, selected: str) -> None:
        self.header.setText(
            header_text(self._document.plan, self._document.current_index, symbol, selected)
        )

    # --- labels ----------------------------------------------------------------------------

    def _on_view_y_range_changed(self, *_args: object) -> None:
        self._layout_labels()

    def _on_view_resized(self, *_args: object) -> None:
        self._layout_labels()

    def _layout_labels(self) -> None:
        self._labels.layout(
            self._view,
            list(self._active.values()),
            self._faint_levels,
            self._ladder,
            self._document.current_id,
            self.rr_box,
        )

    # --- moving lines ----------------------------------------------------------------------

    def _on_level_line_clicked(self, item: LevelItem, *_args: object) -> None:
        if item.key is not None and item.line.movable:
            self._mover.chosen = item.key  # the arrow keys now move this line
            self._mover.end_burst()
            self.plot.setFocus(Qt.FocusReason.MouseFocusReason)
            self.refresh()

    def _on_view_range_changed_manually(self, *_args: object) -> None:
        self._zoomed_by_hand = True

    def _on_faint_curve_clicked(self, curve: pg.PlotCurveItem, event: object) -> None:
        """Select the position whose faint line is nearest the click."""
        if self._mover.drag is not None:
            return
        y = float(event.pos().y())  # type: ignore[attr-defined]
        style = next(s for s, c in self.faint_curves.items() if c is curve)
        levels = [lv for lv in self._faint_levels if level_style(lv) == style]
        if not levels:
            return
        nearest = min(levels, key=lambda lv: abs(lv.price - y))
        (_, _), (y_low, y_high) = self._view.viewRange()
        height = max(self._view.height(), 1.0)
        near = abs(nearest.price - y) <= CLICK_PIXELS * (y_high - y_low) / height
        if near and nearest.position_id is not None:
            self._document.set_current(nearest.position_id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self.plot and kind in (QEvent.Type.FocusIn, QEvent.Type.FocusOut):
            self._update()  # the keyboard's line is marked while the ladder has the focus
        if watched is self.plot and kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            assert isinstance(event, QKeyEvent)
            action = self._mover.key_action(event)
            if action is not None:
                event.accept()  # an override accepted: the key comes here, not to a shortcut
                if kind == QEvent.Type.KeyPress:
                    action()
                return True
        return super().eventFilter(watched, event)

    def _on_fit_button_clicked(self) -> None:
        self.fit()
