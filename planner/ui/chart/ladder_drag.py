"""Moving the ladder's lines: with the mouse (drag previews, the release is one undo step,
Escape cancels) and with the keyboard (arrow keys nudge the chosen line by a tick, Shift ×10,
one undo step per burst of nudges).

Which line the mouse takes is decided here, not by the stacking order of the items: the line
nearest the pointer, and among lines equally near (an entry at the mark, as every new position
starts) the one of the highest ``PICK_PRIORITY`` — the entry before the stop, the take-profits
and the mark.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Protocol

import pyqtgraph as pg
from PySide6.QtCore import QElapsedTimer, QPointF, Qt, SignalInstance
from PySide6.QtGui import QKeyEvent

from planner.domain.errors import PlanError
from planner.domain.formatting import decimals_for_tick, format_price
from planner.ui.chart.ladder_levels import (
    CLICK_PIXELS,
    STATUS_TIMEOUT_MS,
    Drag,
    LevelItem,
    LevelKey,
    drag_subject,
    level_price,
    plan_with_level,
    snap_to_tick,
)
from planner.ui.document.plan_document import PlanDocument


class LadderLines(Protocol):
    """What the mover needs of the ladder view that owns the lines."""

    syncing: bool
    status_message: SignalInstance

    @property
    def document(self) -> PlanDocument: ...
    @property
    def view_box(self) -> pg.ViewBox: ...
    @property
    def symbol(self) -> str | None: ...
    @property
    def tick_size(self) -> float | None: ...
    def active_items(self) -> list[tuple[LevelKey, LevelItem]]: ...
    def refresh(self) -> None: ...


#: which of the lines under the pointer the mouse takes: lower first
PICK_PRIORITY = {"entry": 0, "stop": 1, "take_profit": 2, "scale_in": 3, "mark": 4}
#: nudges of one line less than this far apart are one undo step
NUDGE_BURST_MS = 1500
#: Shift+arrow moves this many ticks
NUDGE_FAST = 10
#: before the label of the line the arrow keys move, while the ladder has the focus
KEYBOARD_MARK = "▸ "

Chooser = Callable[["PickableLine", QPointF], bool]


class PickableLine(pg.InfiniteLine):
    """A horizontal line that takes the mouse only where its chooser says it is the line
    meant (hover highlight and drag alike); otherwise the event goes to the next item."""

    def __init__(self, chooser: Chooser) -> None:
        super().__init__(angle=0, movable=False)
        self._chooser = chooser

    def hoverEvent(self, ev: object) -> None:
        take = (
            not ev.isExit()  # type: ignore[attr-defined]
            and self.movable
            and self._chooser(self, ev.scenePos())  # type: ignore[attr-defined]
            and ev.acceptDrags(Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
        )
        self.setMouseHover(bool(take))

    def mouseDragEvent(self, ev: object) -> None:
        if (
            ev.isStart()  # type: ignore[attr-defined]
            and self.movable
            and ev.button() == Qt.MouseButton.LeftButton  # type: ignore[attr-defined]
            and not self._chooser(self, ev.buttonDownScenePos())  # type: ignore[attr-defined]
        ):
            ev.ignore()  # type: ignore[attr-defined]
            return
        super().mouseDragEvent(ev)


class LineMover:
    """Drags and nudges of one ladder view's lines (the view owns the items)."""

    def __init__(self, view: LadderLines) -> None:
        self._view = view
        self.drag: Drag | None = None
        #: the line the arrow keys move (None: the selected position's entry, else the mark)
        self.chosen: LevelKey | None = None
        self._burst: tuple[LevelKey, int] | None = None
        self._bursts = 0
        self._since_nudge = QElapsedTimer()

    # --- picking ---------------------------------------------------------------------------

    def line_under(self, scene_pos: QPointF) -> LevelItem | None:
        """The movable line the pointer at ``scene_pos`` means: the nearest within reach,
        ties (lines a pixel or less apart) going to the higher priority."""
        view = self._view
        box = view.view_box
        (_, _), (y_low, y_high) = box.viewRange()
        height = box.height()
        if height <= 0 or y_high <= y_low:
            return None
        price = box.mapSceneToView(scene_pos).y()
        per_pixel = (y_high - y_low) / height
        best: tuple[float, int] | None = None
        chosen: LevelItem | None = None
        for key, item in view.active_items():
            if not item.line.movable or not item.line.isVisible():
                continue
            pixels = abs(float(item.line.value()) - price) / per_pixel
            if pixels > CLICK_PIXELS + 2:
                continue
            rank = (float(round(pixels)), PICK_PRIORITY.get(key[0], 9))
            if best is None or rank < best:
                best, chosen = rank, item
        return chosen

    def is_meant(self, line: PickableLine, scene_pos: QPointF) -> bool:
        item = self.line_under(scene_pos)
        return item is not None and item.line is line

    # --- dragging --------------------------------------------------------------------------

    def on_position_changed(self, item: LevelItem, line: pg.InfiniteLine) -> None:
        view = self._view
        if view.syncing or item.key is None:
            return
        key = item.key
        drag = self.drag
        if drag is None or drag.item is not item:
            if drag is not None:
                self.cancel()
            drag = self.drag = Drag(item, key, view.document.committed_plan)
            self.chosen = key
        price = snap_to_tick(float(line.value()), view.tick_size)
        if price == drag.last_price:
            return
        drag.last_price = price
        try:
            plan = plan_with_level(drag.base, key, price, view.symbol)
        except PlanError as error:
            message = f"{drag_subject(key, view.symbol)} held — {error}"
            if message not in drag.reported:
                drag.reported.add(message)
                view.status_message.emit(message, STATUS_TIMEOUT_MS)
            return
        drag.last_plan = plan
        view.document.preview(plan)

    def on_position_change_finished(self, item: LevelItem, _line: pg.InfiniteLine) -> None:
        drag = self.drag
        if drag is None or drag.item is not item:
            return
        view = self._view
        self.drag = None
        if drag.last_plan is None:
            view.document.end_preview()
            view.refresh()  # the line goes back to the plan's price
            return
        price = level_price(drag.last_plan, drag.key, view.symbol)
        text = (
            f"Move {drag_subject(drag.key, view.symbol)} to {format_price(price, view.tick_size)}"
        )
        view.document.apply(drag.last_plan, text)
        view.refresh()  # snap the line to the committed price even when nothing changed

    def cancel(self) -> bool:
        """Cancel the drag in progress: the plan and the line go back. True if one was."""
        drag, self.drag = self.drag, None
        if drag is None:
            return False
        line = drag.item.line
        line.moving = False  # pyqtgraph ignores the rest of this mouse drag
        line.setMouseHover(False)
        if self._view.document.is_previewing:
            self._view.document.end_preview()  # changed → the line goes back
        else:
            self._view.refresh()
        return True

    def abandon(self) -> None:
        """The plan changed under the drag (undo, a file opened): the drag is void."""
        drag, self.drag = self.drag, None
        if drag is not None:
            drag.item.line.moving = False

    # --- the keyboard ----------------------------------------------------------------------

    def chosen_key(self) -> LevelKey | None:
        """The line the arrow keys move: the one last dragged or chosen if still drawn, else
        the selected position's entry, else the mark."""
        keys = [key for key, item in self._view.active_items() if item.line.movable]
        if self.chosen in keys:
            return self.chosen
        selected = self._view.document.current_id
        for key in (("entry", selected or None, None), ("mark", None, None)):
            if key in keys:
                return key
        return None

    def choose_next(self, step: int) -> LevelKey | None:
        """Choose the movable line ``step`` places above (+) or below (−) the chosen one."""
        items = sorted(
            ((item.price, key) for key, item in self._view.active_items() if item.line.movable),
            key=lambda pair: (pair[0], -PICK_PRIORITY.get(pair[1][0], 9)),
        )
        if not items:
            return None
        keys = [key for _, key in items]
        current = self.chosen_key()
        at = keys.index(current) if current in keys else 0
        self.chosen = keys[max(0, min(len(keys) - 1, at + step))]
        self._burst = None
        return self.chosen

    def nudge(self, ticks: int) -> bool:
        """Move the chosen line ``ticks`` ticks (up if positive): consecutive nudges of one
        line are one undo step. False if there is no line or the plan refuses the price."""
        view = self._view
        key = self.chosen_key()
        if key is None or self.drag is not None:
            return False
        document = view.document
        base = document.committed_plan
        current = level_price(base, key, view.symbol)
        if current is None:
            return False
        tick = view.tick_size
        step = tick if tick is not None and tick > 0 else 10.0 ** -decimals_for_tick(None, current)
        price = snap_to_tick(current + ticks * step, tick)
        try:
            plan = plan_with_level(base, key, price, view.symbol)
        except PlanError as error:
            message = f"{drag_subject(key, view.symbol)} held — {error}"
            view.status_message.emit(message, STATUS_TIMEOUT_MS)
            return False
        fresh = (
            self._burst is None
            or self._burst[0] != key
            or not self._since_nudge.isValid()
            or self._since_nudge.elapsed() > NUDGE_BURST_MS
            or document.undo_stack.index() != document.undo_stack.count()
        )
        if fresh:
            self._bursts += 1
            self._burst = (key, self._bursts)
        self._since_nudge.start()
        self.chosen = key
        assert self._burst is not None
        subject = drag_subject(key, view.symbol)
        document.apply(plan, f"Nudge {subject}", merge_key=f"nudge|{self._burst[1]}")
        view.status_message.emit(
            f"{subject} at {format_price(price, tick)} (arrows nudge, Shift ×{NUDGE_FAST}, "
            "Page Up/Down choose the line)",
            STATUS_TIMEOUT_MS,
        )
        return True

    def key_action(self, event: QKeyEvent) -> Callable[[], object] | None:
        """What a key does on the ladder: Escape cancels a drag; Up/Down nudge the chosen line
        a tick (Shift: ×10); Page Up/Down choose the line above or below."""
        key, mods = event.key(), event.modifiers()
        if key == Qt.Key.Key_Escape and self.drag is not None:
            return self.cancel
        plain = mods & ~Qt.KeyboardModifier.ShiftModifier & ~Qt.KeyboardModifier.KeypadModifier
        if plain != Qt.KeyboardModifier.NoModifier or self.drag is not None:
            return None
        ticks = NUDGE_FAST if mods & Qt.KeyboardModifier.ShiftModifier else 1
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            return partial(self.nudge, ticks if key == Qt.Key.Key_Up else -ticks)
        if key in (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            return partial(self._choose_and_say, 1 if key == Qt.Key.Key_PageUp else -1)
        return None

    def _choose_and_say(self, step: int) -> None:
        key = self.choose_next(step)
        if key is not None:
            subject = drag_subject(key, self._view.symbol)
            self._view.status_message.emit(f"Arrow keys move the {subject}", STATUS_TIMEOUT_MS)
            self._view.refresh()  # its label is marked

    def end_burst(self) -> None:
        """The next nudge starts a new undo step."""
        self._burst = None
