"""The command line as a user runs it: ``python3 -m planner analyze|schema`` in a subprocess.

Bad input of every kind ends the same way: exactly one line on stderr, no traceback, nothing
on stdout, exit code 2.
"""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from planner import analyze, load_plan
from planner.cli import main
from planner.domain.plan import PLAN_VERSION

SPEC_EXAMPLE = Path(__file__).parent / "domain" / "data" / "spec_example.tplan"
EXAMPLE_TEXT = SPEC_EXAMPLE.read_text("utf-8")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "planner", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        check=False,
    )


def test_analyze_prints_an_aligned_table_with_the_spec_figures() -> None:
    result = run("analyze", str(SPEC_EXAMPLE))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    # spec/plan-format.md's example and MARGIN.md §5.3 (derived_mixed_account_binance_style)
    for figure in ("2,710.84", "2,700.00", "20,000.00", "18,500.00", "16,500.00", "12,000.00"):
        assert figure in out, figure
    assert "322.23" in out and "25,261.0" in out  # SOL and BTC cross LPs at their tick sizes
    assert "196.00" in out and "4,500.00" in out

    lines = out.splitlines()
    # the account summary: labels left, amounts right-aligned on one edge
    summary = [line for line in lines if line.startswith("  ") and line.endswith(" USDT")]
    assert len(summary) >= 8
    assert len({len(line) for line in summary}) == 1, summary
    rule = next(i for i, line in enumerate(lines) if line.startswith("---"))
    header, rows = lines[rule - 1], lines[rule + 1 : rule + 4]
    assert [r.split()[0] for r in rows] == ["eth-conviction", "btc-core", "sol-hedge"]
    # columns: runs of dashes; every line leaves the gaps between them blank, and the
    # numeric columns end exactly at the column's right edge
    spans: list[tuple[int, int]] = []
    start = None
    for i, char in enumerate(lines[rule] + " "):
        if char == "-" and start is None:
            start = i
        elif char != "-" and start is not None:
            spans.append((start, i))
            start = None
    cells = [header[a:b].strip() for a, b in spans]
    assert all(cells) and len(set(cells)) == len(cells), cells
    assert {"id", "symbol", "entry", "mark", "liq. price", "bankruptcy"} <= set(cells)
    for line in (header, *rows):
        padded = line.ljust(spans[-1][1])
        for (_, end), (next_start, _) in itertools.pairwise(spans):
            assert padded[end:next_start].strip() == "", (line, end)
    liq = next(k for k, (a, b) in enumerate(spans) if header[a:b].strip() == "liq. price")
    a, b = spans[liq]
    assert rows[0][a:b].strip() == "2,710.84"
    assert rows[0][b - 1] != " "  # right-aligned


def test_analyze_json_is_the_analysis_of_the_loaded_plan() -> None:
    result = run("analyze", str(SPEC_EXAMPLE), "--json")
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed == analyze(load_plan(SPEC_EXAMPLE)).to_dict()
    assert printed["format"] == "margin-planner.analysis"
    assert printed["positions"][0]["liquidation_price"] == pytest.approx(2710.843373, abs=1e-6)


def test_schema_is_a_json_schema_of_plan_files() -> None:
    result = run("schema")
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    assert schema["type"] == "object"
    assert "json-schema.org" in schema["$schema"]
    assert {"account", "markets", "positions"} <= set(schema["properties"])
    assert "account" in schema["required"]
    assert schema["additionalProperties"] is False


def _write(text: str | bytes) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        path = folder / "plan.tplan"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, "utf-8")
        return ["analyze", str(path)]

    return make


def _edited(edit: Callable[[dict], None]) -> Callable[[Path], list[str]]:
    data = json.loads(EXAMPLE_TEXT)
    edit(data)
    return _write(json.dumps(data))


def _set(path: tuple, value: object) -> Callable[[dict], None]:
    def edit(data: dict) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return edit


def _too_large(folder: Path) -> list[str]:
    data = json.loads(EXAMPLE_TEXT)
    data["notes"] = "x" * (5 * 1024 * 1024 + 10)
    path = folder / "big.tplan"
    path.write_text(json.dumps(data), "utf-8")
    return ["analyze", str(path)]


BAD_INPUTS: dict[str, tuple[Callable[[Path], list[str]], str]] = {
    # name: (make the command line in a temporary folder, words the message must contain)
    "not JSON": (_write("this is not a plan"), "not valid JSON"),
    "truncated": (_write(EXAMPLE_TEXT[: len(EXAMPLE_TEXT) // 2]), "not valid JSON"),
    "newer version": (_edited(_set(("version",), PLAN_VERSION + 1)), "newer"),
    "unknown version": (_edited(_set(("version",), -1)), "version = -1"),
    "broken rule": (
        _edited(_set(("positions", 1, "leverage"), 150)),
        "positions[1].leverage = 150: above the tier's max leverage 125",
    ),
    "NaN": (_write(EXAMPLE_TEXT.replace('"mark_price": 2900', '"mark_price": NaN')), "NaN"),
    "Infinity": (
        _write(EXAMPLE_TEXT.replace('"quantity": 5', '"quantity": Infinity')),
        "Infinity",
    ),
    "absurd nesting": (
        _write('{"format": "margin-planner.plan", "notes": ' + "[" * 100_000 + "]" * 100_000 + "}"),
        "nested",
    ),
    "over 5 MB": (_too_large, "limited to"),
    "missing file": (lambda folder: ["analyze", str(folder / "nope.tplan")], "no such file"),
    "directory": (lambda folder: ["analyze", str(folder)], "folder"),
    "missing argument": (lambda folder: ["analyze"], "required"),
    "unknown option": (lambda folder: ["analyze", str(SPEC_EXAMPLE), "--colour"], "--colour"),
}
# More kinds of bad input, run in-process through the same entry point (a fresh interpreter
# for each costs a second; the cases above already show nothing escapes to the interpreter).
MORE_BAD_INPUTS: dict[str, tuple[Callable[[Path], list[str]], str]] = {
    "empty": (_write(""), "empty"),
    "not UTF-8": (_write(b'{"format": "\xff\xfe"}'), "not UTF-8"),
    "a JSON list": (_write("[1, 2, 3]"), "JSON object"),
    "version not a number": (_edited(_set(("version",), "one")), "whole number"),
    "wrong format": (_edited(_set(("format",), "other")), "not a Margin Planner plan"),
    "negative quantity": (_edited(_set(("positions", 0, "quantity"), -5)), "positions[0].quantity"),
    "unknown symbol": (
        _edited(_set(("positions", 0, "symbol"), "DOGEUSDT")),
        "no market with this symbol",
    ),
    "duplicate key": (
        _write(EXAMPLE_TEXT.replace('"name":', '"notes": "a", "name":', 1)),
        "appears twice",
    ),
    "option of another command": (lambda folder: ["schema", "--json"], "--json"),
}


def assert_one_line_refusal(code: int, stdout: str, stderr: str, words: str) -> None:
    assert code == 2, (code, stderr)
    assert stdout == ""
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert stderr.endswith("\n")
    assert lines[0].startswith("margin-planner")
    assert words in lines[0], lines[0]


@pytest.fixture(scope="module")
def bad_input_runs(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, subprocess.CompletedProcess[str]]:
    """Every bad-input case run once, a few at a time (each is a fresh interpreter)."""

    def one(case: str) -> subprocess.CompletedProcess[str]:
        folder = tmp_path_factory.mktemp("bad")
        return run(*BAD_INPUTS[case][0](folder), cwd=folder)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(BAD_INPUTS, pool.map(one, BAD_INPUTS), strict=True))


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_bad_input_is_one_line_on_stderr_and_exit_code_2(
    case: str, bad_input_runs: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    result = bad_input_runs[case]
    assert_one_line_refusal(result.returncode, result.stdout, result.stderr, BAD_INPUTS[case][1])


@pytest.mark.parametrize("case", list(MORE_BAD_INPUTS), ids=list(MORE_BAD_INPUTS))
def test_more_bad_input_in_process(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make, words = MORE_BAD_INPUTS[case]
    try:
        code = main(make(tmp_path))
    except SystemExit as stop:  # argparse ends the process itself
        code = stop.code
    captured = capsys.readouterr()
    assert_one_line_refusal(int(code or 0), captured.out, captured.err, words)


def test_version_is_printed_on_standard_output() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert re.fullmatch(r"margin-planner \d+\.\d+\.\d+\S*\n", result.stdout), result.stdout
    assert result.stderr == ""
