"""Refresh a view only while it can be seen.

The decision-tool views (twin view, scenarios, map) run analyses of their own on every change.
A tabbed-away dock or a closed dialog has no reason to pay for them: it is marked stale and
catches up when it is shown. While visible, a burst of changes (a drag previews dozens of plans
a second) is folded into one refresh after a short pause.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget


class LazyRefresh(QObject):
    """Calls ``refresh`` for ``widget`` when it is stale and visible.

    The widget calls ``invalidate()`` when its inputs change and ``shown()`` from its
    ``showEvent``; ``flush()`` refreshes now if anything is pending (tests, exports)."""

    def __init__(self, widget: QWidget, refresh: Callable[[], None], *, delay_ms: int = 40) -> None:
        super().__init__(widget)
        self._widget = widget
        self._refresh = refresh
        self.stale = True
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._on_timer_timeout)

    def invalidate(self) -> None:
        self.stale = True
        if self._widget.isVisible() and not self._timer.isActive():
            self._timer.start()

    def shown(self) -> None:
        if self.stale:
            self.run()

    def flush(self) -> None:
        if self.stale:
            self.run()

    def run(self) -> None:
        self._timer.stop()
        self.stale = False
        self._refresh()

    def _on_timer_timeout(self) -> None:
        if self._widget.isVisible():
            self.run()
