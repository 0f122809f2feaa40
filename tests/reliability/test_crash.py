"""Issue 14: kill -9 during saves. A child process saves two plans in turn, as fast as it can;
the test kills it with SIGKILL at a random moment, then loads the target. Whatever the moment,
the target is the old plan or the new one, never a mix, never missing, never unreadable, and
the backup too. Temporary files left by a kill are of our own naming (a later save in the
folder removes them once they are stale)."""

from __future__ import annotations

import os
import random
import re
import signal
import time
from pathlib import Path

import pytest

from planner.storage import load_plan, save_plan
from planner.storage.atomic import remove_stale_temps

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
ROUNDS = 60
TEMP = re.compile(r"\.plan\.tplan(\.bak)?\.[0-9a-f]{8}\.tmp")


def _saver(target: Path, plans: list, started: int, first: int) -> None:
    """The child: tell the parent it runs, then save forever (until killed)."""
    os.write(started, b"x")
    index = first
    while True:
        save_plan(plans[index % 2], target)
        index += 1


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL")
def test_kill_9_during_saves_leaves_the_old_or_the_new_plan(tmp_path: Path) -> None:
    plans = [load_plan(EXAMPLES / "hybrid.tplan"), load_plan(EXAMPLES / "swing.tplan")]
    target = tmp_path / "plan.tplan"
    save_plan(plans[0], target)
    chance = random.Random(14)
    outcomes = set()
    deadline = time.monotonic() + 25
    rounds = 0
    while rounds < ROUNDS and time.monotonic() < deadline:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child never returns
            try:
                os.close(read_end)
                _saver(target, plans, write_end, rounds)
            finally:
                os._exit(1)
        os.close(write_end)
        assert os.read(read_end, 1) == b"x"
        os.close(read_end)
        time.sleep(chance.uniform(0.0, 0.1))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        loaded = load_plan(target)
        assert loaded in plans
        outcomes.add(plans.index(loaded))
        backup = target.with_name("plan.tplan.bak")
        if backup.exists():  # none before the child's second save
            assert load_plan(backup) in plans
        leftovers = {p.name for p in tmp_path.iterdir()} - {"plan.tplan", "plan.tplan.bak"}
        assert all(TEMP.fullmatch(name) for name in leftovers), leftovers
        rounds += 1
    assert rounds >= 50
    assert outcomes == {0, 1}  # the kills landed at different points of the loop
    assert remove_stale_temps(tmp_path, older_than=0) >= 0
    assert {p.name for p in tmp_path.iterdir()} == {"plan.tplan", "plan.tplan.bak"}
