"""Caches that keep nothing alive, lookups by index, and the public API for scripts.

``from planner import compare, sweep`` gives what ``compare --json`` / ``sweep --json`` print,
checked through the command line in a subprocess.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import weakref
from pathlib import Path

import numpy as np

from planner.domain import book as book_module
from planner.domain.plan import Plan
from planner.domain.plan_analysis import analyze
from planner.domain.scenarios import sweep as domain_sweep
from planner.storage import load_plan

EXAMPLE = Path(__file__).parents[1] / "domain" / "data" / "spec_example.tplan"


def _python(*code_or_args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *code_or_args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_analysis_cache_does_not_keep_a_deleted_plan_alive() -> None:
    plan = load_plan(EXAMPLE)
    analysis = analyze(plan)
    domain_sweep(plan, symbol=None, moves=[-0.1, 0.1])  # the layout is cached for this plan
    assert any(book.plan is plan for book in book_module._CACHE.values())
    gone = weakref.ref(plan)
    del plan, analysis
    gc.collect()
    assert gone() is None
    assert all(book.plan_ref() is not None for book in book_module._CACHE.values())


def test_the_cache_answers_the_same_plan_and_not_an_equal_one() -> None:
    plan = load_plan(EXAMPLE)
    first = book_module.build_book(plan)
    assert book_module.build_book(plan) is first
    twin = Plan.model_validate(plan.model_dump())
    assert book_module.build_book(twin) is not first
    assert book_module.build_book(twin).plan is twin


def test_plan_market_and_position_lookups_follow_copies() -> None:
    plan = load_plan(EXAMPLE)
    for market in plan.markets:
        assert plan.market(market.symbol) is market
    for pos in plan.positions:
        assert plan.position(pos.id) is pos
    moved = plan.model_copy(
        update={"markets": tuple(m.model_copy(update={"mark_price": 1.0}) for m in plan.markets)}
    )
    assert all(moved.market(m.symbol).mark_price == 1.0 for m in plan.markets)
    assert all(plan.market(m.symbol).mark_price != 1.0 for m in plan.markets)
    analysis = analyze(plan)
    for i, pos in enumerate(plan.positions):
        assert analysis.index_of(pos.id) == i
        assert analysis.position(i) == analysis.positions[i]


def test_flat_maintenance_tiers_are_built_once() -> None:
    plan = load_plan(EXAMPLE)
    flat = [m for m in plan.markets if not hasattr(m.maintenance, "tiers")]
    assert flat
    for market in flat:
        assert market.tiers is market.tiers
        (tier,) = market.tiers
        assert tier.mmr == market.maintenance.mmr and tier.notional_cap is None


def test_import_planner_loads_neither_numpy_nor_the_engine() -> None:
    result = _python(
        "-c",
        "import sys, planner, planner.cli; "
        "print(sorted(m for m in sys.modules if m == 'numpy' or m.startswith('planner.')))",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['planner.cli']"


def test_check_and_schema_do_not_load_numpy_and_commands_load_only_themselves() -> None:
    probe = (
        "import sys, runpy\n"
        "sys.argv = ['margin-planner', *sys.argv[1:]]\n"
        "try:\n"
        "    runpy.run_module('planner', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "loaded = sorted(m for m in sys.modules\n"
        "                if m == 'numpy' or m.startswith('planner.commands.'))\n"
        "print(loaded, file=sys.stderr)\n"
    )
    check = _python("-c", probe, "check", str(EXAMPLE))
    assert check.stdout.startswith("OK "), check.stderr
    assert check.stderr.strip() == "['planner.commands.check']"
    schema = _python("-c", probe, "schema")
    assert json.loads(schema.stdout)["title"].startswith("Margin Planner plan file")
    assert schema.stderr.strip() == "['planner.commands.schema']"


def test_compare_and_sweep_to_dict_are_what_the_command_line_prints() -> None:
    from planner import compare, load_plan, sweep

    plan = load_plan(EXAMPLE)
    cli = _python("-m", "planner", "compare", str(EXAMPLE), "--json")
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout) == compare(plan).to_dict()

    cli = _python(
        "-m", "planner", "sweep", str(EXAMPLE), "--market", "--beta", "SOLUSDT=1.5",
        "--from", "-40", "--to", "30", "--steps", "15", "--json",
    )  # fmt: skip
    assert cli.returncode == 0, cli.stderr
    moves = np.linspace(-40, 30, 15) / 100.0
    expected = sweep(plan, symbol=None, moves=moves, betas={"SOLUSDT": 1.5}).to_dict()
    assert json.loads(cli.stdout) == expected

    cli = _python("-m", "planner", "sweep", str(EXAMPLE), "--symbol", "BTCUSDT", "--json")
    assert cli.returncode == 0, cli.stderr
    moves = np.linspace(-50, 50, 21) / 100.0
    assert json.loads(cli.stdout) == sweep(plan, symbol="BTCUSDT", moves=moves).to_dict()


def test_leg_tier_on_many_rows_is_the_direct_count() -> None:
    """The sweep path (tiers crossed only) agrees with counting every floor, NaN and inf too."""
    from types import SimpleNamespace

    from planner.domain.engine import leg_tier

    rng = np.random.default_rng(16)
    floors = np.sort(rng.uniform(0, 1e7, (60, 12)), axis=1)
    floors[:, 0] = 0.0
    floors[:20, 8:] = np.inf  # shorter tables, padded
    book = SimpleNamespace(leg_floors=floors)
    on_floors = rng.choice(floors[np.isfinite(floors)], (300, 60))
    cases = [
        rng.uniform(0, 2e7, (300, 60)),  # most tiers crossed
        rng.uniform(0.5, 1.5, (300, 1)) * rng.uniform(0, 1e7, 60),  # a sweep: a few tiers
        np.where(rng.random((300, 60)) < 0.02, np.inf, rng.uniform(-1, 1e5, (300, 60))),
        np.where(rng.random((300, 60)) < 0.02, np.nan, rng.uniform(0, 1e6, (300, 60))),
        rng.uniform(0.9, 1.1, (2, 150, 1)) * rng.uniform(0, 1e7, 60),
        on_floors,  # exactly on floors: floor-inclusive
    ]
    for notional in cases:
        direct = np.maximum(np.add.reduce(floors <= notional[..., None], axis=-1) - 1, 0)
        np.testing.assert_array_equal(leg_tier(book, notional), direct)


def test_keeping_freed_memory_is_a_glibc_setting_that_never_fails() -> None:
    from planner.memory import keep_freed_memory

    result = _python("-c", "from planner.memory import keep_freed_memory as k; print(k())")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() in ("True", "False")
    assert keep_freed_memory(128 * 1024) in (True, False)  # back to glibc's default pad
