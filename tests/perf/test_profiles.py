"""The profiles the benchmarks print under a goal they miss (issue 16): each phase and each
owner of import time is measured, not assumed."""

from __future__ import annotations

from pathlib import Path

from benchmarks.engine import clear_engine_caches, mixed_plan
from benchmarks.profiles import engine_phases, import_profile
from planner.domain.small import SMALL_PLAN

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "examples" / "hybrid.tplan"


def test_a_small_plan_is_profiled_in_the_plain_float_engines_phases() -> None:
    phases = dict(engine_phases(mixed_plan(10), clear_engine_caches))
    assert list(phases) == [
        "legs and groups",
        "solver (valuation, roots)",
        "figures (19 per position, buckets, pool)",
    ]
    assert all(ms > 0 for ms in phases.values())


def test_a_large_plan_is_profiled_in_the_numpy_engines_phases() -> None:
    n = SMALL_PLAN + 52
    phases = engine_phases(mixed_plan(n), clear_engine_caches)
    names = [name for name, _ in phases]
    assert names[0] == "book (legs, groups, tier rows)"
    assert names[1].strip() == f"of which reading 10 fields of {n:,} positions"
    book, reads = phases[0][1], phases[1][1]
    assert 0 < reads < book  # the reads are part of building the book
    assert all(ms > 0 for _, ms in phases)


def test_import_time_is_attributed_to_its_owners() -> None:
    check = import_profile(["check", str(EXAMPLE)])
    assert check["pydantic"] > 0
    assert check["planner (with building its pydantic models)"] > 0
    assert "numpy" not in check  # `check` loads no numpy
    analyze = import_profile(["analyze", str(EXAMPLE)])
    assert analyze["numpy"] > 0
