"""Refresh a view only while it can be seen, and at a bounded rate.

The decision-tool views (twin view, scenarios, equity sweeps, map, solvers) run analyses of
their own on every change. A view that cannot be seen has no reason to pay for them: it is
marked stale and catches up once when it is shown. "Cannot be seen" includes a dock whose tab
is not the current one — Qt keeps such a dock *visible* (``isVisible()`` is true) and only
moves it out of the window, so visibility alone is not enough.

While visible, a burst of changes is folded into one refresh after a short pause, and while a
drag previews the plan (dozens of plans a second) the view follows at most every
``PREVIEW_INTERVAL_MS``; the change that ends the preview is followed by exactly one refresh.
A view whose refresh is slow (a large plan) waits longer between refreshes, in proportion.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QElapsedTimer, QObject, QPoint, QRect, QTimer
from PySide6.QtWidgets import QDockWidget, QWidget

#: while a drag or spin previews the plan, an expensive view follows at most this often
PREVIEW_INTERVAL_MS = 120
#: a view whose refresh costs c ms waits at least COST_MULTIPLE × c ms between refreshes, so
#: that however large the plan it takes at most about 1 / (1 + COST_MULTIPLE) of the time
#: while changes stream in: the rest is left to the drag and the views that must follow it
COST_MULTIPLE = 3.0


class Previewing(Protocol):
    @property
    def is_previewing(self) -> bool: ...


def can_be_seen(widget: QWidget) -> bool:
    """Shown and inside its window: a dock whose tab is not the current one stays visible to
    Qt but is moved out of the window."""
    if not widget.isVisible():
        return False
    window = widget.window()
    if window is widget:
        return True
    place = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    return place.intersects(window.rect())


class DockFollower(QObject):
    """Calls ``on_shown`` when the dock that ``widget`` sits in comes to the front.

    A tabbed dock brought forward is moved back into the window, and only its
    ``visibilityChanged`` says so: its widgets get no show event. ``follow()`` (from the
    widget's ``showEvent``) finds the dock, once it has one."""

    def __init__(self, widget: QWidget, on_shown: Callable[[], None]) -> None:
        super().__init__(widget)
        self._widget = widget
        self._on_shown = on_shown
        self._dock: QDockWidget | None = None

    def follow(self) -> None:
        parent = self._widget.parentWidget()
        while parent is not None and not isinstance(parent, QDockWidget):
            parent = parent.parentWidget()
        if parent is self._dock:
            return
        if self._dock is not None:
            with contextlib.suppress(RuntimeError, TypeError):  # the old dock may be gone
                self._dock.visibilityChanged.disconnect(self._on_dock_visibility_changed)
        self._dock = parent
        if parent is not None:
            parent.visibilityChanged.connect(self._on_dock_visibility_changed)

    def _on_dock_visibility_changed(self, visible: bool) -> None:
        if visible:
            self._on_shown()


class LazyRefresh(QObject):
    """Calls ``refresh`` for ``widget`` when it is stale and can be seen.

    The widget calls ``invalidate()`` when its inputs change and ``shown()`` from its
    ``showEvent``; from then on the helper also follows the dock the widget sits in, whose
    tab coming to the front is no show event for the widget. ``flush()`` refreshes now if
    anything is pending (tests, exports), ``run()`` refreshes now regardless. ``runs``
    counts the refreshes (tests, benchmarks).

    With ``document`` given, changes made while it previews a plan are throttled to one
    refresh per ``preview_interval_ms``.
    """

    def __init__(
        self,
        widget: QWidget,
        refresh: Callable[[], None],
        *,
        delay_ms: int = 40,
        document: Previewing | None = None,
        preview_interval_ms: int = PREVIEW_INTERVAL_MS,
    ) -> None:
        super().__init__(widget)
        self._widget = widget
        self._refresh = refresh
        self._document = document
        self._delay_ms = delay_ms
        self._preview_interval_ms = preview_interval_ms
        self._dock = DockFollower(widget, self.shown)
        self.stale = True
        self.runs = 0
        #: what the last refresh cost, in ms
        self.cost_ms = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer_timeout)

    @property
    def pending(self) -> bool:
        """A refresh is scheduled (the widget is stale and in sight)."""
        return self._timer.isActive()

    def invalidate(self) -> None:
        self.stale = True
        if not can_be_seen(self._widget):
            return  # caught up when it comes into sight
        previewing = self._document is not None and self._document.is_previewing
        interval = self._preview_interval_ms if previewing else self._delay_ms
        interval = max(interval, round(self.cost_ms * COST_MULTIPLE))
        # throttle, not debounce: a steady stream of changes still refreshes every interval;
        # the change that ends a preview brings the pending refresh forward
        if not self._timer.isActive() or self._timer.remainingTime() > interval:
            self._timer.start(interval)

    def shown(self) -> None:
        """The widget may have come into sight: catch up if stale."""
        self._dock.follow()
        if self.stale and can_be_seen(self._widget):
            self.run()

    def flush(self) -> None:
        if self.stale:
            self.run()

    def run(self) -> None:
        self._timer.stop()
        self.stale = False
        self.runs += 1
        timer = QElapsedTimer()
        timer.start()
        self._refresh()
        self.cost_ms = float(timer.elapsed())

    def _on_timer_timeout(self) -> None:
        if self.stale and can_be_seen(self._widget):
            self.run()
