"""``margin-planner check PLAN…``: one line per file, exit 0 only when every file is valid."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from planner.cli import main
from planner.storage import save_plan
from tests.conftest import EXAMPLES
from tests.storage.helpers import make_plan

GOLDEN_V0 = Path(__file__).parent / "golden" / "v0" / "mixed-account.tplan"


def test_all_valid_files_print_ok_and_exit_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.tplan"
    save_plan(make_plan(), good)
    code = main(["check", str(good), str(GOLDEN_V0)])
    out, err = capsys.readouterr()
    assert code == 0
    assert out.splitlines() == [f"OK {good}", f"OK {GOLDEN_V0}"]
    assert err == ""


def test_each_bad_file_gets_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.tplan"
    save_plan(make_plan(), good)
    newer = tmp_path / "newer.tplan"
    newer.write_text('{"format": "margin-planner.plan", "version": 7}')
    broken = tmp_path / "broken.tplan"
    broken.write_text('{"format": ')
    missing = tmp_path / "missing.tplan"
    code = main(["check", str(newer), str(good), str(broken), str(missing), str(tmp_path)])
    out, _err = capsys.readouterr()
    assert code == 2
    lines = out.splitlines()
    assert len(lines) == 5
    assert lines[0].startswith(f"{newer}: version = 7: this file was written by a newer")
    assert lines[1] == f"OK {good}"
    assert lines[2].startswith(f"{broken}: not valid JSON at line 1")
    assert lines[3] == f"{missing}: no such file"
    assert lines[4] == f"{tmp_path}: is a folder, not a plan file"


def test_check_needs_at_least_one_file(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["check"])
    assert caught.value.code == 2
    assert "PLAN" in capsys.readouterr().err


def test_the_installed_command_checks_every_example() -> None:
    examples = sorted(str(p) for p in EXAMPLES.glob("*.tplan"))
    result = subprocess.run(
        [sys.executable, "-m", "planner", "check", *examples],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [f"OK {p}" for p in examples]
