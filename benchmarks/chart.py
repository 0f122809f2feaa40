"""The live chart (``python3 -m benchmarks chart``).

Goals: ≥ 60 frames per second while dragging the stop of one position in a 50-position plan —
each frame is one preview (document recompute, then every view of the main window: table,
editor, account, markets and the chart) and ``processEvents`` (which paints); and ≤ 10 ms for
one equity sweep of 501 points of a 100-position plan.

Runs offscreen; the window is shown at 1280×800 and the ladder's paint events are counted, so
a frame includes drawing, not only the bookkeeping.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

GOAL_FPS = 60.0
GOAL_SWEEP_MS = 10.0
FRAMES = 240


def make_plan(n_positions: int, n_symbols: int, seed: int = 11) -> Any:
    """``n_positions`` spread over ``n_symbols`` linear markets with the shipped tier tables;
    every position has a stop and two take-profits; alternate symbols cross and isolated."""
    from planner.domain.plan import Plan
    from planner.storage.tier_library import shipped_tables

    rng = np.random.default_rng(seed)
    tables = [t.table for t in shipped_tables() if len(t.table.tiers) >= 10]
    markets = []
    for k in range(n_symbols):
        markets.append(
            {
                "symbol": f"S{k}USDT",
                "contract": "linear",
                "mark_price": float(rng.uniform(50, 5000)),
                "tick_size": 0.01,
                "maintenance": tables[k % len(tables)].model_dump(),
            }
        )
    positions = []
    for i in range(n_positions):
        k = i % n_symbols
        mark = markets[k]["mark_price"]
        entry = round(mark * float(rng.uniform(0.97, 1.03)), 2)
        positions.append(
            {
                "id": f"p{i}",
                "symbol": markets[k]["symbol"],
                "side": "long",
                "quantity": round(float(rng.uniform(1000, 6000)) / mark, 4),
                "entry_price": entry,
                "leverage": float(rng.choice([3, 5, 10])),
                "margin_mode": "isolated" if k % 2 == 0 else "cross",
                "stop_loss": round(entry * float(rng.uniform(0.9, 0.96)), 2),
                "take_profits": [
                    {"price": round(entry * 1.08, 2), "fraction": 0.5},
                    {"price": round(entry * 1.16, 2), "fraction": 0.5},
                ],
            }
        )
    return Plan.model_validate(
        {
            "name": f"{n_positions} positions on {n_symbols} symbols",
            "account": {"currency": "USDT", "wallet_balance": 3000.0 * n_positions},
            "markets": markets,
            "positions": positions,
        }
    )


def _drag_fps(app: Any, plan: Any, label: str, *, whole_window: bool = True) -> None:
    """Frames per second dragging the stop of the plan's first position: in the whole main
    window (every view updates), or in the chart panel alone (the chart's own share)."""
    from PySide6.QtCore import QEvent, QObject, QSettings

    from planner.ui.chart import ChartPanel
    from planner.ui.document.plan_document import PlanDocument
    from planner.ui.main_window import MainWindow

    class PaintCounter(QObject):
        paints = 0

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                self.paints += 1
            return False

    with tempfile.TemporaryDirectory() as folder:
        settings = QSettings(str(Path(folder) / "bench.ini"), QSettings.Format.IniFormat)
        document = PlanDocument(plan)
        window: Any
        if whole_window:
            window = MainWindow(document, settings=settings, persistent=False)
            window.resize(1280, 800)
            chart = window.chart
        else:
            window = chart = ChartPanel(document)
            window.resize(358, 360)  # the chart panel's size in a 1280×800 window
        document.setParent(window)
        window.show()
        for _ in range(5):
            app.processEvents()
        chart.show_ladder()
        position = plan.positions[0]
        document.set_current(position.id)
        app.processEvents()
        counter = PaintCounter()
        chart.ladder.plot.viewport().installEventFilter(counter)
        key = ("stop", position.id, None)
        stop = position.stop_loss
        # the mouse sweeps the stop up and down by 3 % (each frame a new price on the tick grid)
        path = stop * (1 + 0.03 * np.sin(np.linspace(0, 3.5 * np.pi, FRAMES)))
        frame_ms: list[float] = []
        chart_ms: list[float] = []
        ladder = chart.ladder
        refresh = ladder.refresh

        def timed_refresh() -> None:
            begin = time.perf_counter()
            refresh()
            chart_ms.append((time.perf_counter() - begin) * 1000)

        ladder.refresh = timed_refresh  # type: ignore[method-assign]
        start = time.perf_counter()
        for price in path:
            begin = time.perf_counter()
            ladder.drag_to(key, float(price))
            app.processEvents()
            frame_ms.append((time.perf_counter() - begin) * 1000)
        total = time.perf_counter() - start
        ladder.finish_drag()
        app.processEvents()
        del ladder.refresh
        steps = document.undo_stack.count()
        fps = FRAMES / total
        p95 = float(np.percentile(frame_ms, 95))
        verdict = "ok" if fps >= GOAL_FPS else "MISSED"
        where = "window" if whole_window else "chart "
        print(
            f"{where} drag stop, {label:<28} {fps:6.0f} fps  (frame median "
            f"{statistics.median(frame_ms):5.2f} ms, p95 {p95:5.2f} ms; ladder "
            f"{statistics.median(chart_ms):4.2f} ms/frame; {counter.paints} paints; "
            f"{steps} undo step)  goal ≥ {GOAL_FPS:g} fps: {verdict}"
        )
        if whole_window:
            window.files.shutdown()
        window.hide()
        window.deleteLater()
        app.processEvents()


def _time(fn: Callable[[], object], repeat: int = 15) -> tuple[float, float]:
    fn()
    times = []
    for _ in range(repeat):
        begin = time.perf_counter()
        fn()
        times.append((time.perf_counter() - begin) * 1000)
    return statistics.median(times), min(times)


def _sweeps(app: Any) -> None:
    from planner.domain.scenarios import sweep, sweep_variants
    from planner.ui.chart.equity_view import EquityView, sweep_moves
    from planner.ui.document.plan_document import PlanDocument

    moves = sweep_moves(0.3, [])
    for label, plan in (
        ("100 positions on 100 symbols", make_plan(100, 100)),
        ("100 positions on 10 symbols", make_plan(100, 10)),
    ):
        symbol = plan.positions[1].symbol
        median, best = _time(lambda p=plan, s=symbol: sweep(p, symbol=s, moves=moves))
        verdict = "ok" if best <= GOAL_SWEEP_MS else "MISSED"
        print(
            f"one sweep, 501 points, {label:<28} median {median:6.2f} ms  best {best:6.2f} ms"
            f"  goal ≤ {GOAL_SWEEP_MS:g} ms (best): {verdict}"
        )
        median, best = _time(lambda p=plan, s=symbol: sweep_variants(p, symbol=s, moves=moves))
        print(
            f"  three variants (what the view runs)       median {median:6.2f} ms  "
            f"best {best:6.2f} ms"
        )
        document = PlanDocument(plan)
        document.set_current(plan.positions[1].id)
        view = EquityView(document)
        median, best = _time(view.refresh)
        print(
            f"  equity view refresh (sweeps + setData)    median {median:6.2f} ms  "
            f"best {best:6.2f} ms"
        )
        view.deleteLater()
        document.deleteLater()
        app.processEvents()


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setOrganizationName("MarginPlannerBenchmarks")
    app = QApplication.instance() or QApplication(["benchmarks"])
    for plan, label in (
        (make_plan(50, 5), "50 positions, 10 per symbol"),
        (make_plan(50, 1), "50 positions on one symbol"),
    ):
        _drag_fps(app, plan, label)
        _drag_fps(app, plan, label, whole_window=False)
    _sweeps(app)


if __name__ == "__main__":
    main()
