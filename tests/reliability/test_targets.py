"""Issue 14, items 2 and 9: a save or an export never replaces what is not a regular file,
never replaces a read-only file, keeps a replaced file's permissions, and cleans up the
temporary files a crash left behind."""

from __future__ import annotations

import os
import socket
import stat
import time
from pathlib import Path

import pytest

from planner.cli import main
from planner.storage import SaveError, load_plan, save_plan
from planner.storage.atomic import STALE_TEMP_SECONDS, atomic_write, temp_name

EXAMPLE = Path(__file__).resolve().parent.parent / "domain" / "data" / "spec_example.tplan"


@pytest.fixture
def plan():
    return load_plan(EXAMPLE)


def _one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_a_fifo_target_is_refused_and_stays_a_fifo(tmp_path: Path, plan) -> None:
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    with pytest.raises(SaveError, match="named pipe"):
        save_plan(plan, fifo)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.fifo"]  # no .bak, no temp


def test_export_to_a_fifo_exits_2_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    assert main(["export", str(EXAMPLE), "-o", str(fifo)]) == 2
    assert "not a regular file" in _one_line(capsys)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def _device(tmp_path: Path) -> Path:
    """A character device like /dev/null, made in ``tmp_path`` (a regression must never be
    able to replace the real /dev/null)."""
    device = tmp_path / "null"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, AttributeError):
        pytest.skip("making a device needs root")
    return device


def test_a_device_is_never_replaced(tmp_path: Path, plan) -> None:
    device = _device(tmp_path)
    before = device.lstat()
    with pytest.raises(SaveError, match="device"):
        save_plan(plan, device)
    after = device.lstat()
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]  # no null.bak


def test_a_symlink_to_a_device_is_refused_too(tmp_path: Path, plan) -> None:
    link = tmp_path / "plan.tplan"
    link.symlink_to(_device(tmp_path))
    with pytest.raises(SaveError, match="device"):
        save_plan(plan, link)
    assert link.is_symlink()


def test_a_socket_and_a_folder_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        with pytest.raises(SaveError, match="socket"):
            atomic_write(path, b"x")
        assert stat.S_ISSOCK(path.lstat().st_mode)
    finally:
        server.close()
    with pytest.raises(SaveError, match="folder"):
        atomic_write(tmp_path, b"x")


def test_a_read_only_target_is_refused_even_for_root(tmp_path: Path, plan) -> None:
    target = tmp_path / "plan.tplan"
    target.write_bytes(b"old")
    target.chmod(0o444)
    with pytest.raises(SaveError, match="read-only"):
        save_plan(plan, target)
    assert target.read_bytes() == b"old"
    assert stat.S_IMODE(target.stat().st_mode) == 0o444
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.tplan"]


def test_export_to_a_read_only_pdf_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.pdf"
    out.write_bytes(b"old")
    out.chmod(0o444)
    assert main(["export", str(EXAMPLE), "-o", str(out)]) == 2
    assert "read-only" in _one_line(capsys)
    assert out.read_bytes() == b"old"


def test_a_replaced_file_keeps_its_permissions(tmp_path: Path, plan) -> None:
    target = tmp_path / "plan.tplan"
    target.write_bytes(b"old")
    target.chmod(0o640)
    save_plan(plan, target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert load_plan(target) == plan


def test_stale_temp_files_of_our_naming_are_cleaned_on_the_next_save(tmp_path: Path, plan) -> None:
    old = time.time() - STALE_TEMP_SECONDS - 60
    stale = [tmp_path / temp_name("plan.tplan"), tmp_path / temp_name("other.pdf")]
    fresh = tmp_path / temp_name("plan.tplan")  # another save may be writing it right now
    foreign = tmp_path / ".notes.txt.deadbeef.tmp"  # not a name this program makes
    for path in [*stale, fresh, foreign]:
        path.write_bytes(b"x" * 1000)
    for path in [*stale, foreign]:
        os.utime(path, (old, old))
    save_plan(plan, tmp_path / "plan.tplan")
    assert not any(p.exists() for p in stale)
    assert fresh.exists() and foreign.exists()


def test_a_backup_name_taken_by_a_special_file_is_refused(tmp_path: Path, plan) -> None:
    target = tmp_path / "plan.tplan"
    save_plan(plan, target)
    os.mkfifo(tmp_path / "plan.tplan.bak")
    before = target.read_bytes()
    with pytest.raises(SaveError, match=r"plan\.tplan\.bak is not a regular file"):
        save_plan(plan, target)
    assert target.read_bytes() == before
    assert stat.S_ISFIFO((tmp_path / "plan.tplan.bak").lstat().st_mode)
