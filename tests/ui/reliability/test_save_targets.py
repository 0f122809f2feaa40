"""Issue 14, items 2 and 7 in the window: saving over a special or read-only file, or opening
a path the system cannot hold, is a dialog; nothing is replaced, the plan is untouched."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from planner.ui.app import main as app_main
from planner.ui.document import edits


def _edit(window) -> None:
    document = window.document
    document.apply(edits.set_position_field(document.committed_plan, 1, "leverage", 12.0), "lev")


def test_save_as_onto_a_fifo_or_read_only_file_is_a_dialog(
    qtbot, window, tmp_path: Path, dialogs, monkeypatch
) -> None:
    _edit(window)
    fifo = tmp_path / "plan.tplan"
    os.mkfifo(fifo)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(fifo), ""))
    assert not window.files.save_as()
    assert dialogs.calls[-1][0] == "critical"
    assert "not a regular file" in dialogs.calls[-1][2]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert window.document.is_modified

    locked = tmp_path / "locked.tplan"
    locked.write_bytes(b"keep")
    locked.chmod(0o444)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(locked), ""))
    assert not window.files.save_as()
    assert "read-only" in dialogs.calls[-1][2]
    assert locked.read_bytes() == b"keep"


def test_opening_a_path_with_nul_is_a_dialog(qtbot, window, dialogs) -> None:
    plan = window.document.plan
    assert not window.files.open_path("bad\x00name.tplan", ask=False)
    assert dialogs.calls[-1][0] == "critical"
    assert "NUL" in dialogs.calls[-1][2]
    assert window.document.plan is plan


def test_the_window_command_refuses_unnameable_paths(tmp_path: Path, capsys) -> None:
    assert app_main(["a" * 300 + ".tplan", "--screenshot", str(tmp_path / "x.png")]) == 2
    assert app_main(["", "--screenshot", str(tmp_path / "x.png")]) == 2
    assert app_main(["--screenshot", str(tmp_path / ("b" * 300 + ".png"))]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3
    assert "too long" in err[0] and err[1] == "margin-planner: path is empty"
    assert not list(tmp_path.iterdir())
