"""``margin-planner export`` in a subprocess, as a script would run it — with no display."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader

from tests.report.plans import REPO, SPEC_EXAMPLE


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    env.pop("WAYLAND_DISPLAY", None)
    return subprocess.run(
        [sys.executable, "-m", "planner", "export", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_export_writes_the_report(tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    result = run(str(SPEC_EXAMPLE), "-o", str(out), "--paper", "letter")
    assert result.returncode == 0, result.stderr
    reader = PdfReader(out)
    assert result.stdout.strip() == f"wrote {out} ({len(reader.pages)} pages)"
    assert abs(float(reader.pages[0].mediabox.width) - 612) <= 1
    assert abs(float(reader.pages[0].mediabox.height) - 792) <= 1
    assert "Hybrid: isolated ETH conviction" in " ".join(reader.pages[0].extract_text().split())
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]


def test_a_bad_plan_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tplan"
    bad.write_text('{"format": "margin-planner.plan", "version": 1, "account": {}}')
    out = tmp_path / "report.pdf"
    result = run(str(bad), "-o", str(out))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("margin-planner: ")
    assert not out.exists()
    missing = run(str(tmp_path / "missing.tplan"), "-o", str(out))
    assert missing.returncode == 2
    assert "no such file" in missing.stderr


def test_an_unwritable_output_is_one_line_and_no_file(tmp_path: Path) -> None:
    out = tmp_path / "no-such-folder" / "report.pdf"
    result = run(str(SPEC_EXAMPLE), "-o", str(out))
    assert result.returncode == 2  # issue 14: an unwritable output is bad input
    assert result.stderr.strip().splitlines() == [
        f"margin-planner: cannot save {out}: the folder does not exist"
    ]
    assert list(tmp_path.iterdir()) == []


def test_too_many_pages_is_one_line_exit_2_and_no_file(tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    result = run(str(SPEC_EXAMPLE), "-o", str(out), "--max-pages", "2")
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("margin-planner: the report would have ")
    assert "more than the 2 allowed (--max-pages)" in line
    assert list(tmp_path.iterdir()) == []
    bad = run(str(SPEC_EXAMPLE), "-o", str(out), "--max-pages", "0")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


def test_author_and_full_tiers(tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    result = run(str(SPEC_EXAMPLE), "-o", str(out), "--author", "A. Trader", "--full-tiers")
    assert result.returncode == 0, result.stderr
    reader = PdfReader(out)
    assert reader.metadata.author == "A. Trader"
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "Every tier of every market." in text


def test_paper_must_be_a4_or_letter(tmp_path: Path) -> None:
    result = run(str(SPEC_EXAMPLE), "-o", str(tmp_path / "r.pdf"), "--paper", "a5")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
