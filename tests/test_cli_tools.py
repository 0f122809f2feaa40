"""``margin-planner compare`` and ``margin-planner sweep``: JSON equals the API, tables read
well, bad arguments give one line on stderr and exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from planner.cli import main
from planner.domain.scenarios import sweep
from planner.domain.twin import compare
from planner.storage import load_plan

SPEC = Path(__file__).parent / "domain" / "data" / "spec_example.tplan"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_compare_json_is_the_api(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "compare", str(SPEC), "--json")
    assert code == 0 and err == ""
    assert json.loads(out) == json.loads(json.dumps(compare(load_plan(SPEC)).to_dict()))


def test_compare_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "compare", str(SPEC))
    assert code == 0
    comparison = compare(load_plan(SPEC))
    assert "As planned" in out and "All cross" in out and "All isolated" in out
    for row in comparison.positions:
        assert row.sentence in out
    assert "2,710.84" in out  # ETH's liquidation price


def test_sweep_json_is_the_api(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys,
        "sweep",
        str(SPEC),
        "--symbol",
        "BTCUSDT",
        "--from",
        "-60",
        "--to",
        "20",
        "--steps",
        "9",
        "--json",
    )
    assert code == 0 and err == ""
    expected = sweep(load_plan(SPEC), symbol="BTCUSDT", moves=np.linspace(-60, 20, 9) / 100)
    data = json.loads(out)
    assert data == json.loads(json.dumps(expected.to_dict()))
    assert [e["kind"] for e in data["events"]] == ["cross"]


def test_market_sweep_with_betas(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "sweep",
        str(SPEC),
        "--market",
        "--beta",
        "SOLUSDT=-1",
        "--beta",
        "ETHUSDT=0.5",
        "--steps",
        "11",
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    expected = sweep(
        load_plan(SPEC),
        symbol=None,
        moves=np.linspace(-50, 50, 11) / 100,
        betas={"SOLUSDT": -1.0, "ETHUSDT": 0.5},
    )
    assert data == json.loads(json.dumps(expected.to_dict()))
    assert data["betas"] == {"BTCUSDT": 1.0, "ETHUSDT": 0.5, "SOLUSDT": -1.0}


def test_sweep_table_lists_the_events_in_order(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "sweep", str(SPEC), "--market", "--beta", "SOLUSDT=-1")
    assert code == 0
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Liquidations"))
    events = [line for line in lines[start + 3 :] if line.strip() and "%" in line]
    assert "isolated ETHUSDT long (eth-conviction)" in events[0]
    assert "-6.52 %" in events[0] and "13,564.81" in events[0]
    assert "cross pool (btc-core, sol-hedge)" in events[1]
    assert "-36.26 %" in events[1]
    # 21 steps by default, from −50 % to +50 %
    assert sum(1 for line in lines if line.strip().endswith(("alive", "LIQUIDATED"))) == 21


@pytest.mark.parametrize(
    "argv",
    [
        ["sweep", str(SPEC), "--symbol", "BTCUSDT", "--steps", "1"],
        ["sweep", str(SPEC), "--symbol", "BTCUSDT", "--from", "10", "--to", "10"],
        ["sweep", str(SPEC), "--symbol", "BTCUSDT", "--from", "20", "--to", "-20"],
        ["sweep", str(SPEC), "--symbol", "DOGEUSDT"],
        ["sweep", str(SPEC), "--market", "--beta", "SOLUSDT"],
        ["sweep", str(SPEC), "--market", "--beta", "SOLUSDT=abc"],
        ["sweep", str(SPEC), "--market", "--beta", "SOLUSDT=nan"],
        ["sweep", str(SPEC), "--market", "--beta", "DOGE=1"],
        ["sweep", str(SPEC), "--symbol", "BTCUSDT", "--beta", "SOLUSDT=1"],
        ["sweep", str(SPEC), "--symbol", "BTCUSDT", "--market"],
        ["sweep", str(SPEC)],
        ["sweep", str(SPEC), "--market", "--from", "-150"],
        ["sweep", str(SPEC), "--market", "--to", "inf"],
        ["compare", str(SPEC.with_name("missing.tplan"))],
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        code = main(argv)
        raise SystemExit(code)
    assert exit_info.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("margin-planner")


def test_commands_are_registered_in_the_entry_point() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "planner", "--help"], capture_output=True, text=True, check=True
    )
    assert "compare" in result.stdout and "sweep" in result.stdout


def test_a_huge_number_of_sweep_steps_is_refused_up_front() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "planner", "sweep", str(SPEC), "--market", "--steps", "100000000"],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == "margin-planner: --steps = 100000000: at most 100,001\n"
    # refused before the plan is read
    missing = str(SPEC.with_name("missing.tplan"))
    result = subprocess.run(
        [sys.executable, "-m", "planner", "sweep", missing, "--market", "--steps", "100000000"],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert result.returncode == 2 and "--steps = 100000000: at most" in result.stderr


def test_the_largest_sweep_allowed_is_answered_whole() -> None:
    from planner.commands.sweep import MAX_STEPS

    argv = ["sweep", str(SPEC), "--market", "--json", "--steps", str(MAX_STEPS)]
    result = subprocess.run(
        [sys.executable, "-m", "planner", *argv],
        capture_output=True,
        text=True,
        timeout=120,  # a hang guard, not a speed test (speed: python3 -m benchmarks)
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["moves"]) == MAX_STEPS
