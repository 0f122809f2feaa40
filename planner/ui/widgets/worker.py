"""Run one blocking call off the GUI thread and hear its outcome on the GUI thread.

    call = BackgroundCall(lambda: fetch(...), parent=self)
    call.succeeded.connect(self._on_fetched)     # GUI thread, with the call's result
    call.failed.connect(self._on_failed)         # GUI thread, with the exception raised
    call.start()

The call runs on ``QThreadPool.globalInstance()``, so the event loop never waits for it and no
thread object dies with the window that started it. The outcome travels back through a relay
whose signals are queued into the GUI thread; ``finished`` follows either outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot


class _Relay(QObject):
    """Emitted from the worker thread; its receivers live in the GUI thread (queued)."""

    succeeded = Signal(object)
    failed = Signal(object)


class _Runnable(QRunnable):
    def __init__(self, call: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._call = call
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._call()
        except Exception as error:  # every failure goes back to the GUI thread
            self._relay.failed.emit(error)
        else:
            self._relay.succeeded.emit(result)


class BackgroundCall(QObject):
    """One call on a pool thread. ``succeeded(result)`` or ``failed(exception)``, then
    ``finished()``, all in the thread that owns this object (the GUI thread)."""

    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()

    def __init__(self, call: Callable[[], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._call = call
        self._relay = _Relay()  # created here, so it belongs to this (the GUI) thread
        self._relay.succeeded.connect(self._on_relay_succeeded)
        self._relay.failed.connect(self._on_relay_failed)
        self._running = False

    @property
    def is_running(self) -> bool:
        return self._running

    def start(self, pool: QThreadPool | None = None) -> None:
        if self._running:
            raise RuntimeError("the call is already running")
        self._running = True
        (pool or QThreadPool.globalInstance()).start(_Runnable(self._call, self._relay))

    @Slot(object)
    def _on_relay_succeeded(self, result: Any) -> None:
        self._running = False
        self.succeeded.emit(result)
        self.finished.emit()

    @Slot(object)
    def _on_relay_failed(self, error: BaseException) -> None:
        self._running = False
        self.failed.emit(error)
        self.finished.emit()
