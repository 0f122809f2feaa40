"""``margin-planner [PLAN] [--screenshot OUT.png]``: render and exit; bad arguments exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

from planner.ui import app


def test_screenshot_writes_a_png_of_the_fixed_size(qtbot, tmp_path, example_path) -> None:
    out = tmp_path / "shot.png"
    assert app.main([str(example_path), "--screenshot", str(out)]) == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)
    assert not list(tmp_path.glob("*.ini"))  # the user's layout is neither read nor written


def test_screenshot_without_a_plan_shows_a_new_one(qtbot, tmp_path) -> None:
    out = tmp_path / "new.png"
    assert app.main(["--screenshot", str(out)]) == 0
    assert QImage(str(out)).width() == 1280


def test_the_window_keeps_freed_memory(qtbot, tmp_path, monkeypatch) -> None:
    """The window asks the allocator to keep freed memory (planner.memory): sweeps and maps
    would otherwise fault fresh pages in on every refresh (issue 16)."""
    calls: list[tuple] = []
    monkeypatch.setattr(app, "keep_freed_memory", lambda *a: calls.append(a) or True)
    assert app.main(["--screenshot", str(tmp_path / "new.png")]) == 0
    assert calls == [()]


def test_bad_arguments_exit_2_with_one_line(qtbot, tmp_path, capsys, example_path) -> None:
    cases = [
        (["--bogus"], "unrecognized arguments"),
        ([str(example_path), "--screenshot", str(tmp_path / "x.jpg")], "must end in .png"),
        ([str(example_path), "--screenshot", str(tmp_path / "no" / "x.png")], "no such folder"),
        (
            [str(tmp_path / "missing.tplan"), "--screenshot", str(tmp_path / "x.png")],
            "no such file",
        ),
        ([str(example_path), "extra", "--screenshot", str(tmp_path / "x.png")], "unrecognized"),
    ]
    for args, expected in cases:
        assert app.main(args) == 2, args
        err = capsys.readouterr().err
        assert err.count("\n") == 1, err
        assert err.startswith("margin-planner: ") and expected in err, err


def test_bad_plan_exits_2(qtbot, tmp_path, capsys) -> None:
    bad = tmp_path / "bad.tplan"
    bad.write_text('{"format": "margin-planner.plan", "version": 99}')
    assert app.main([str(bad), "--screenshot", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert "newer Margin Planner" in err and err.count("\n") == 1
    assert not (tmp_path / "x.png").exists()


def test_the_command_renders_offscreen(tmp_path, example_path) -> None:
    out = tmp_path / "cli.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-m", "planner", str(example_path), "--screenshot", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr
    assert QImage(str(out)).size().toTuple() == (1280, 800)
