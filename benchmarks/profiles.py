"""Where the time goes when a goal is not met: the profiles ``engine`` and ``cli`` print under a
goal they miss, so the verdict comes with its reason (issue 16).

- ``engine_phases(plan)``: one analysis split into its phases — for a small plan the plain-float
  engine's legs, solver and figures; for a large one the numpy engine's book (and, inside it,
  reading the positions' fields out of their pydantic models), valuation, solver and figures.
- ``import_profile(args)``: ``python -X importtime -m planner ARGS``, each module's own import
  time summed by who owns it (the interpreter's start-up, pydantic, numpy, this package, the
  standard library), beside the whole process.
"""

from __future__ import annotations

import re
import subprocess
import sys
import timeit
from collections import deque
from collections.abc import Callable
from operator import attrgetter

from planner.domain import engine
from planner.domain.analysis import Analysis
from planner.domain.book import build_book
from planner.domain.plan import Plan
from planner.domain.small import SMALL_PLAN, _Legs, _Solver
from planner.domain.small_analysis import analyze_small

#: the position fields the numpy engine reads, one column each
POSITION_FIELDS = (
    "id",
    "symbol",
    "side",
    "quantity",
    "entry_price",
    "leverage",
    "added_margin",
    "margin_mode",
    "stop_loss",
    "take_profits",
)


def _ms(run: Callable[[], object], number: int) -> float:
    """The fastest of five batches, per call, in ms."""
    return min(timeit.repeat(run, number=number, repeat=5)) / number * 1e3


def engine_phases(plan: Plan, clear: Callable[[], None]) -> list[tuple[str, float]]:
    """An analysis of ``plan`` as (phase, ms) in the order the engine runs them; ``clear``
    empties the engine's caches (each phase is timed on a fresh plan)."""
    n = len(plan.positions)
    number = max(20, 20_000 // max(n, 1))
    if n <= SMALL_PLAN:
        legs = _Legs(plan)
        solver = _Solver(plan, legs)
        whole = _ms(lambda: analyze_small(plan), number)
        legs_ms = _ms(lambda: _Legs(plan), number)
        solver_ms = _ms(lambda: _Solver(plan, legs), number)
        del solver
        return [
            ("legs and groups", legs_ms),
            ("solver (valuation, roots)", solver_ms),
            ("figures (19 per position, buckets, pool)", whole - legs_ms - solver_ms),
        ]

    def fresh_book() -> object:
        clear()
        return build_book(plan)

    book = build_book(plan)
    state = engine.valuate(book, book.mark_u)
    collateral = engine.group_collateral(book, state)
    liquidation, bankruptcy = engine.solve_groups(book, state, collateral)
    positions = plan.positions
    getters = [attrgetter(name) for name in POSITION_FIELDS]

    def read_fields() -> None:
        for get in getters:
            deque(map(get, positions), maxlen=0)

    return [
        ("book (legs, groups, tier rows)", _ms(fresh_book, number)),
        (f"  of which reading {len(getters)} fields of {n:,} positions", _ms(read_fields, number)),
        ("valuation at the marks", _ms(lambda: engine.valuate(book, book.mark_u), number)),
        ("solver (roots)", _ms(lambda: engine.solve_groups(book, state, collateral), number)),
        (
            "figures (columns, buckets, pool)",
            _ms(lambda: Analysis.from_arrays(book, state, liquidation, bankruptcy), number),
        ),
    ]


def print_engine_profile(plan: Plan, clear: Callable[[], None]) -> None:
    phases = engine_phases(plan, clear)
    n = len(plan.positions)
    engine_name = "plain floats" if n <= SMALL_PLAN else "numpy"
    print(f"    profile, {n:,} positions ({engine_name}; fastest batch, ms):")
    for name, ms in phases:
        print(f"      {name:<46} {ms:7.3f}")


_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( +)(\S+)")
_OWNERS = (
    ("numpy", ("numpy",)),
    ("pydantic", ("pydantic", "pydantic_core", "annotated_types", "typing_extensions")),
    ("planner (with building its pydantic models)", ("planner",)),
)


def import_profile(args: list[str]) -> dict[str, float]:
    """Seconds of import (each module's own time) by owner for ``python -m planner ARGS``,
    without what ``site`` imports at start-up (the interpreter alone includes it)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "planner", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    owners: dict[str, float] = {}
    pending: list[tuple[str, float]] = []  # children are printed before their parent
    for line in result.stderr.splitlines():
        match = _LINE.match(line)
        if match is None:
            continue
        own, depth, name = int(match[1]) / 1e6, len(match[3]), match[4]
        pending.append((name, own))
        if depth > 1:
            continue
        if name != "site":  # start-up: part of the interpreter alone (`python -c pass`)
            for module, seconds in pending:
                owner = _owner(module)
                owners[owner] = owners.get(owner, 0.0) + seconds
        pending.clear()
    return owners


def _owner(module: str) -> str:
    root = module.split(".")[0]
    for owner, roots in _OWNERS:
        if root in roots:
            return owner
    return "standard library and others"


def print_import_profile(args: list[str], cpu_s: float, interpreter_s: float) -> None:
    owners = import_profile(args)
    imported = sum(owners.values())
    print(f"    profile of `{' '.join(args[:1])}` (import times from -X importtime, s):")
    print(f"      {'the interpreter alone':<52} {interpreter_s:6.3f}")
    for owner, seconds in sorted(owners.items(), key=lambda item: -item[1]):
        print(f"      {'import: ' + owner:<52} {seconds:6.3f}")
    rest = cpu_s - interpreter_s - imported
    print(f"      {'the rest: read, validate, compute, print':<52} {max(rest, 0.0):6.3f}")
    libraries = interpreter_s + sum(
        seconds for owner, seconds in owners.items() if owner in ("numpy", "pydantic")
    )
    print(f"      {'interpreter + pydantic + numpy alone':<52} {libraries:6.3f}")
