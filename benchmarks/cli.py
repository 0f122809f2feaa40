"""The command line as a whole process (``python3 -m benchmarks cli``): start-up, imports,
reading the plan, the work and the output, timed from outside like a shell script sees it.

Goal (issue 16): ``check`` and ``analyze`` on an example ≤ 0.15 s; ``schema`` and ``check``
load no numpy. The verdict is on the median CPU time (user + system) of the child, which other
work on a shared machine does not inflate; the median wall time is printed beside it. Also the
pieces of ``analyze --json`` on a 10,000-position plan.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from benchmarks.profiles import print_import_profile

T = TypeVar("T")

EXAMPLE = Path(__file__).resolve().parents[1] / "resources" / "examples" / "hybrid.tplan"
GOAL_S = 0.15
#: why the start-up goal can be missed, read with the profiles printed under it
WHY_NOT = """\
    Before any work the process pays for the interpreter (with this environment's site-packages
    .pth start-up), pydantic, and building the plan's pydantic models (the rules every file is
    checked against: counted with planner's imports); `analyze` also loads numpy for the
    engine's arrays. Each subcommand imports only what it uses (`check` and `schema` load no
    numpy), so what is left is the cost of the libraries the product is built on."""
RUNS = 9
COMMANDS: list[tuple[str, list[str], float | None]] = [
    ("--version", ["--version"], None),
    ("check", ["check", str(EXAMPLE)], GOAL_S),
    ("schema", ["schema"], None),
    ("analyze", ["analyze", str(EXAMPLE)], GOAL_S),
    ("analyze --json", ["analyze", str(EXAMPLE), "--json"], GOAL_S),
    ("compare --json", ["compare", str(EXAMPLE), "--json"], None),
    ("sweep --market --json", ["sweep", str(EXAMPLE), "--market", "--json"], None),
]


def _process(args: list[str], command: list[str] | None = None) -> tuple[float, float]:
    """Wall and CPU seconds of one ``python3 -m planner ARGS`` run (or of ``command``)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        command or [sys.executable, "-m", "planner", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _modules(args: list[str]) -> set[str]:
    probe = (
        "import sys, runpy\n"
        "sys.argv = ['margin-planner', *sys.argv[1:]]\n"
        "try:\n    runpy.run_module('planner', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print(' '.join(sys.modules), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, *args], capture_output=True, text=True, check=False
    )
    return set(result.stderr.split())


def whole_process() -> None:
    print(f"whole process, median of {RUNS} runs (goal on CPU time):")
    floor = [_process([], [sys.executable, "-c", "pass"]) for _ in range(RUNS)]
    print(
        f"  {'(python -c pass)':<24} cpu {statistics.median(c for _, c in floor):6.3f} s  "
        f"wall {statistics.median(w for w, _ in floor):6.3f} s  the interpreter alone"
    )
    interpreter = statistics.median(c for _, c in floor)
    missed: list[tuple[list[str], float]] = []
    for title, args, goal in COMMANDS:
        _process(args)  # warm the file cache
        runs = [_process(args) for _ in range(RUNS)]
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        goal_text = (
            "" if goal is None else f"goal ≤ {goal:g} s: {'met' if cpu <= goal else 'NOT MET'}"
        )
        print(f"  {title:<24} cpu {cpu:6.3f} s  wall {wall:6.3f} s  {goal_text}")
        if goal is not None and cpu > goal:
            missed.append((args, cpu))
    if missed:
        print("goals not met — where the time goes:")
        for args, cpu in missed:
            print_import_profile(args, cpu, interpreter)
        print(WHY_NOT)
    for title, args in (("check", ["check", str(EXAMPLE)]), ("schema", ["schema"])):
        loaded = _modules(args)
        numpy = "numpy" in loaded
        print(f"  {title} loads numpy: {'yes — NOT MET' if numpy else 'no — met'}")


def large_json(n_positions: int = 10_000) -> None:
    """The pieces of ``analyze --json`` on a large plan, in process."""
    from benchmarks.engine import clear_engine_caches, mixed_plan
    from planner.commands import json_output
    from planner.domain.plan_analysis import analyze
    from planner.storage import load_plan, save_plan

    plan = mixed_plan(n_positions)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "large.tplan")
        save_plan(plan, path)
        steps: dict[str, float] = {}

        def timed(name: str, fn: Callable[[], T]) -> T:
            started = time.perf_counter()
            value = fn()
            steps[name] = (time.perf_counter() - started) * 1e3
            return value

        loaded = timed("load_plan", lambda: load_plan(path))
        clear_engine_caches()
        analysis = timed("analyze", lambda: analyze(loaded))
        document = timed("to_dict", analysis.to_dict)
        timed("json.dumps(indent=2)", lambda: json.dumps(document, indent=2, allow_nan=False))
        timed("json_output.dumps (same text)", lambda: json_output.dumps(document))
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "planner", "analyze", path, "--json"],
            stdout=subprocess.DEVNULL,
            check=True,
        )
        steps["whole process"] = (time.perf_counter() - started) * 1e3
    print(f"analyze --json, {n_positions:,} positions (one run each, ms):")
    print("  " + "  ".join(f"{name} {ms:.0f}" for name, ms in steps.items()))


def main() -> None:
    whole_process()
    large_json()


if __name__ == "__main__":
    main()
