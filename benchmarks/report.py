"""The PDF report (``python3 -m benchmarks report``): export time of every shipped example,
of 200 positions on 8 symbols and on 200 symbols, and of one symbol with 20,000 positions.

Goal: 200 positions on 200 symbols within 2× of 200 on 8 symbols, and under 2 s. The content
(``build_report``) and the layout (``render_pdf_bytes``) are timed apart; the verdict uses the
best of 3 runs of CPU time (wall-clock time on a shared machine wanders with the load).
"""

from __future__ import annotations

import time
from pathlib import Path

from benchmarks.decision import make_plan as decision_plan
from planner.domain.plan import Plan
from planner.report.content import build_report
from planner.report.pdf import render_pdf_bytes
from planner.storage import load_plan

EXAMPLES = Path(__file__).resolve().parents[1] / "resources" / "examples"
GOAL_SECONDS = 2.0
GOAL_RATIO = 2.0


def make_plan(n_positions: int, n_markets: int, seed: int = 7) -> Plan:
    """``benchmarks.decision.make_plan`` (shipped 10–20-tier tables, cross and isolated, long
    and short) with a stop 5 % and a take-profit 10 % from each entry."""
    plan = decision_plan(n_positions, n_markets, seed)
    data = plan.model_dump(mode="json")
    for pos in data["positions"]:
        sign = 1.0 if pos["side"] == "long" else -1.0
        pos["stop_loss"] = pos["entry_price"] * (1 - 0.05 * sign)
        pos["take_profits"] = [{"price": pos["entry_price"] * (1 + 0.10 * sign), "fraction": 1}]
    data["name"] = f"{n_positions} positions on {n_markets} symbols"
    return Plan.model_validate(data)


def _time(plan: Plan, source: str | None = None, repeat: int = 3) -> tuple[float, float, int]:
    """Best content and layout seconds of ``repeat`` runs, and the page count."""
    content, layout, pages = [], [], 0
    for _ in range(repeat):
        started = time.process_time()
        document = build_report(plan, source=source)
        built = time.process_time()
        _, pages = render_pdf_bytes(document)
        content.append(built - started)
        layout.append(time.process_time() - built)
    return min(content), min(layout), pages


def _line(title: str, content: float, layout: float, pages: int, note: str = "") -> float:
    total = content + layout
    print(
        f"{title:<34} content {content:6.2f} s  layout {layout:6.2f} s  total {total:6.2f} s  "
        f"{pages:4d} pages{note}"
    )
    return total


def main() -> None:
    for path in sorted(EXAMPLES.glob("*.tplan")):
        _line(path.name, *_time(load_plan(path), str(path)))
    on8 = _line("200 positions on 8 symbols", *_time(make_plan(200, 8)))
    c, lay, pages = _time(make_plan(200, 200))
    on200 = c + lay
    verdict = (
        f"  goal ≤ {GOAL_SECONDS:g} s and ≤ {GOAL_RATIO:g}× of 8 symbols "
        f"({on200 / on8:.2f}×): "
        + ("ok" if on200 <= GOAL_SECONDS and on200 <= GOAL_RATIO * on8 else "MISSED")
    )
    _line("200 positions on 200 symbols", c, lay, pages, verdict)
    _line("20,000 positions on 1 symbol", *_time(make_plan(20000, 1), repeat=1))


if __name__ == "__main__":
    main()
