"""Issue 13 on the command line: `analyze` prints the account's decision figures and a
"Warnings" block after the table, `--json` carries them all, and `compare` says "the pool: X"
for a cross position's worst case and never shows a worst case above equity."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner.cli import main
from planner.domain.plan_analysis import analyze
from planner.storage import load_plan

EXAMPLES = Path(__file__).parent.parent / "resources" / "examples"
HYBRID = EXAMPLES / "hybrid.tplan"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(list(args)) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return out


def test_analyze_json_of_hybrid_carries_the_figures_and_the_eth_risk_warning(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = json.loads(run(capsys, "analyze", str(HYBRID), "--json"))
    assert data["version"] == 2
    account = data["account"]
    assert account["equity"] == pytest.approx(19750)
    assert account["worst_case_loss"] == pytest.approx(19750)
    assert account["gross_notional"] == pytest.approx(20 * 2950 + 0.25 * 59000 + 100 * 155)
    assert account["positions_without_stop"] == 0
    risk = [w for w in data["warnings"] if w["code"] == "risk_per_position"]
    eth = next(w for w in risk if w["position"] == "eth-conviction")
    assert "4,058.00 USDT" in eth["message"] and "20.5 % of equity" in eth["message"]


def test_analyze_table_ends_with_a_warnings_block(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "analyze", str(HYBRID))
    lines = out.splitlines()
    for label in ("Gross notional", "Effective leverage", "Loss at stops", "Worst-case loss"):
        assert any(line.strip().startswith(label) for line in lines), label
    rule = next(i for i, line in enumerate(lines) if line.startswith("---"))
    block = next(i for i, line in enumerate(lines) if line.startswith("Warnings"))
    assert block > rule  # after the table
    warnings = analyze(load_plan(HYBRID)).warnings
    assert lines[block] == f"Warnings ({len(warnings)})"
    shown = lines[block + 1 : block + 1 + len(warnings)]
    assert [line.split(None, 1)[1] for line in shown] == [w.message for w in warnings]
    assert "Size for 2 %: 1.94 ETH." in out


def test_analyze_says_when_there_are_no_warnings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = json.loads(HYBRID.read_text("utf-8"))
    data["account"]["risk_limits"] = {"risk_per_position": 0.25, "total_risk": 0.5}
    path = tmp_path / "loose.tplan"
    path.write_text(json.dumps(data), encoding="utf-8")
    out = run(capsys, "analyze", str(path))
    assert out.rstrip().endswith("Warnings: none")
    assert json.loads(run(capsys, "analyze", str(path), "--json"))["warnings"] == []


def test_compare_shows_the_pool_for_cross_positions(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "compare", str(HYBRID))
    worst = next(line for line in out.splitlines() if line.startswith("Worst-case loss"))
    assert worst.split()[2:] == ["19,750.00", "19,750.00", "8,750.00"]  # was 20,750 as planned
    btc = out.split("btc-short", 1)[1].split("\n\n", 1)[0]
    row = next(line for line in btc.splitlines() if "Worst-case loss" in line)
    assert "the pool: 14,750.00" in row and "the pool: 19,750.00" in row
    assert row.rstrip().endswith("1,750.00")  # all isolated: its own bucket


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.tplan")), ids=lambda p: p.stem)
def test_compare_json_worst_case_within_equity(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(run(capsys, "compare", str(path), "--json"))
    for name, totals in data["plan"].items():
        assert totals["worst_case_loss"] <= max(totals["equity"], 0) + 1e-9, name
