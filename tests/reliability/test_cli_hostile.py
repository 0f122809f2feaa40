"""Issue 14, items 7, 8 and 10 on the command line: hostile paths and hostile text end in one
plain line (exit 2), and nothing a plan holds can drive the terminal."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from planner.cli import main
from planner.domain.errors import PlanError
from planner.domain.text_rules import terminal_text
from planner.storage import parse_plan_bytes

EXAMPLE = Path(__file__).resolve().parent.parent / "domain" / "data" / "spec_example.tplan"
EXAMPLE_DATA = json.loads(EXAMPLE.read_text("utf-8"))
#: what a terminal acts on: C0/C1 controls except the line feed, and bidi formatting
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
HOSTILE = "\x1b]0;pwned\x07\x1b[31mRED\r\u202eevil\u2066"


def _err_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


LONG_NAME = "a" * 300 + ".pdf"


@pytest.mark.parametrize(
    "argv",
    [
        ["analyze", "PLAN\x00x"],
        ["compare", "x" * 300 + ".tplan"],
        ["sweep", "/tmp/" + "d/" * 2100 + "p.tplan", "--market"],
        ["check", "bad\x00.tplan"],
        ["export", str(EXAMPLE), "-o", LONG_NAME],
        ["export", str(EXAMPLE), "-o", "out\x00.pdf"],
        ["export", "\x00", "-o", "x.pdf"],
        ["refresh", str(EXAMPLE), "-o", "o\x00.tplan"],
        ["import", "csv", "x\x00.csv", "-o", "p.tplan", "--wallet-balance", "1000"],
        ["import", "hyperliquid", "0x" + "0" * 40, "-o", "x" * 300 + ".tplan"],
    ],
)
def test_paths_too_long_or_with_nul_are_one_line_exit_2(
    argv: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code = main(argv)
    out = capsys.readouterr()
    assert code == 2
    text = out.err if argv[0] != "check" else out.out
    assert len(text.strip().splitlines()) == 1, text
    assert "Traceback" not in text
    assert re.search(r"NUL|too long", text)
    assert not list(tmp_path.iterdir())


def test_an_empty_path_says_path_is_empty(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", ""]) == 2
    assert _err_line(capsys) == "margin-planner: path is empty"


def test_utf16_files_are_named_as_such(tmp_path: Path, capsys) -> None:
    text = EXAMPLE.read_text("utf-8")
    for encoding, name in (("utf-16", "bom.tplan"), ("utf-16-le", "le.tplan")):
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        assert main(["analyze", str(path)]) == 2
        assert "UTF-16; save it as UTF-8" in _err_line(capsys)


def test_export_to_a_missing_folder_exits_2(tmp_path: Path, capsys) -> None:
    out = tmp_path / "missing" / "r.pdf"
    assert main(["export", str(EXAMPLE), "-o", str(out)]) == 2
    assert _err_line(capsys).endswith("the folder does not exist")


def test_terminal_text_escapes_controls_and_bidi_but_keeps_lines() -> None:
    shown = terminal_text("a\x1b[31mb\nc\u202ed\x07\r\x9b")
    assert shown == "a\\x1b[31mb\nc\\u202ed\\x07\\x0d\\x9b"
    assert not UNSAFE.search(shown)


def _hostile_plan(tmp_path: Path) -> Path:
    data = json.loads(json.dumps(EXAMPLE_DATA))
    data["name"] = "Plan " + HOSTILE
    data["positions"][0]["notes"] = HOSTILE
    path = tmp_path / "hostile.tplan"
    path.write_text(json.dumps(data), "utf-8")
    return path


@pytest.mark.parametrize(
    "command",
    [["analyze"], ["analyze", "--json"], ["compare"], ["compare", "--json"], ["sweep", "--market"]],
)
def test_no_output_carries_control_or_bidi_characters(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _hostile_plan(tmp_path)
    assert main([command[0], str(path), *command[1:]]) == 0
    out = capsys.readouterr()
    assert not UNSAFE.search(out.out + out.err)
    if "--json" in command:
        json.loads(out.out)  # still valid JSON: the characters are \u escapes


def test_check_and_errors_never_echo_raw_escapes(tmp_path: Path, capsys) -> None:
    weird = tmp_path / f"x{HOSTILE}.tplan"
    weird.write_text("{}", "utf-8")
    assert main(["check", str(weird)]) == 2
    assert main(["analyze", str(weird)]) == 2
    out = capsys.readouterr()
    assert not UNSAFE.search(out.out + out.err)
    assert "\\x1b" in out.out


def test_ids_with_control_or_bidi_characters_are_refused_by_the_model() -> None:
    for bad in ("p1\x1b[2J", "p\u202e1", "p\r1", "p\u20661"):
        data = json.loads(json.dumps(EXAMPLE_DATA))
        data["positions"][0]["id"] = bad
        with pytest.raises(PlanError, match=r"positions\[0\]\.id.*control or bidi"):
            parse_plan_bytes(json.dumps(data).encode())


def test_the_real_command_line_prints_one_line_for_a_300_character_output_name(
    tmp_path: Path,
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "planner", "export", str(EXAMPLE), "-o", LONG_NAME],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "too long" in result.stderr


def _extreme_plans(tmp_path: Path) -> list[Path]:
    """Valid plans at the ends of the number ranges: tiny and huge prices and quantities."""
    base = json.loads((EXAMPLE.parents[3] / "resources" / "examples" / "hybrid.tplan").read_text())
    paths = []
    for price, quantity, wallet in ((1e-12, 1e-12, 1e-9), (1e12, 1e-6, 1e15), (1e-6, 1e12, 1)):
        data = json.loads(json.dumps(base))
        data["account"]["wallet_balance"] = wallet
        for market in data["markets"]:
            market["mark_price"] = price
            market.pop("tick_size", None)
        for position in data["positions"]:
            position.update(entry_price=price, quantity=quantity, leverage=1)
            for key in ("stop_loss", "take_profits", "added_margin"):
                position.pop(key, None)
        parse_plan_bytes(json.dumps(data).encode())  # valid: check accepts it
        path = tmp_path / f"extreme-{len(paths)}.tplan"
        path.write_text(json.dumps(data), "utf-8")
        paths.append(path)
    return paths


def test_extreme_valid_plans_print_nothing_on_stderr(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from planner.cli import main\n"
        "for plan in sys.argv[1:]:\n"
        "    for command in (['analyze', '--json'], ['compare'], ['sweep', '--market',"
        " '--from', '-99', '--to', '900']):\n"
        "        assert main([command[0], plan, *command[1:]]) == 0\n"
    )
    paths = _extreme_plans(tmp_path)
    result = subprocess.run(
        [sys.executable, "-W", "default", "-c", script, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stderr == ""
