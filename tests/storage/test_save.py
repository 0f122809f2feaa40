"""Atomic saves: temp file in the same folder, fsync, replace; NAME.tplan.bak; clean failures."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from planner.storage import SaveError, load_plan, plan_to_bytes, save_plan
from planner.storage import atomic as atomic_module
from tests.storage.helpers import make_plan

OLD = make_plan(name="old")
NEW = make_plan(name="new")


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_save_writes_the_plan_and_it_loads_back(tmp_path: Path) -> None:
    path = tmp_path / "plan.tplan"
    save_plan(NEW, path)
    assert path.read_bytes() == plan_to_bytes(NEW)
    assert load_plan(path) == NEW
    assert not (tmp_path / "plan.tplan.bak").exists()  # nothing to keep the first time
    assert _leftovers(tmp_path) == []


def test_save_keeps_the_previous_file_as_bak(tmp_path: Path) -> None:
    path = tmp_path / "plan.tplan"
    save_plan(OLD, path)
    save_plan(NEW, path)
    assert load_plan(path).name == "new"
    assert load_plan(tmp_path / "plan.tplan.bak").name == "old"
    third = make_plan(name="third")
    save_plan(third, path)
    assert load_plan(path).name == "third"
    assert load_plan(tmp_path / "plan.tplan.bak").name == "new"
    assert _leftovers(tmp_path) == []


def test_save_accepts_a_str_path_and_keeps_the_file_mode(tmp_path: Path) -> None:
    path = tmp_path / "plan.tplan"
    save_plan(OLD, str(path))
    path.chmod(0o640)
    save_plan(NEW, str(path))
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert load_plan(path).name == "new"


def test_saving_through_a_symlink_writes_the_linked_file(tmp_path: Path) -> None:
    real = tmp_path / "real.tplan"
    save_plan(OLD, real)
    link = tmp_path / "link.tplan"
    link.symlink_to(real)
    save_plan(NEW, link)
    assert link.is_symlink()
    assert load_plan(real).name == "new"
    assert load_plan(tmp_path / "real.tplan.bak").name == "old"


def _fail_with(code: int):
    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    return fail


@pytest.mark.parametrize(
    ("function", "code", "reason"),
    [
        ("write", errno.ENOSPC, "the disk is full"),
        ("fsync", errno.ENOSPC, "the disk is full"),
        ("fsync", errno.EIO, "input/output error"),
        ("replace", errno.EACCES, "permission denied"),
        ("replace", errno.EROFS, "the disk is read-only"),
        ("open", errno.EACCES, "permission denied"),
        ("open", errno.ENOSPC, "the disk is full"),
    ],
)
def test_a_failing_save_leaves_the_old_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, function: str, code: int, reason: str
) -> None:
    path = tmp_path / "plan.tplan"
    save_plan(OLD, path)
    before = path.read_bytes()
    monkeypatch.setattr(atomic_module.os, function, _fail_with(code))
    with pytest.raises(SaveError) as caught:
        save_plan(NEW, path)
    monkeypatch.undo()
    message = str(caught.value)
    assert message.startswith(f"cannot save {path}: ")
    assert reason in message
    assert "\n" not in message
    assert caught.value.path == path
    assert path.read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_a_write_cut_short_by_a_full_disk_is_cleaned_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first chunk goes out, then the disk fills: the half-written temp file is removed."""
    path = tmp_path / "plan.tplan"
    save_plan(OLD, path)
    before = path.read_bytes()
    real_write = os.write
    calls: list[int] = []

    def partial_write(fd: int, data: bytes) -> int:
        calls.append(len(data))
        if len(calls) == 1:
            return real_write(fd, bytes(data[:10]))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic_module.os, "write", partial_write)
    with pytest.raises(SaveError, match="the disk is full"):
        save_plan(NEW, path)
    monkeypatch.undo()
    assert len(calls) == 2
    assert path.read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_a_failure_while_keeping_the_backup_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "plan.tplan"
    save_plan(OLD, path)
    before = path.read_bytes()
    monkeypatch.setattr(atomic_module.os, "link", _fail_with(errno.EPERM))
    monkeypatch.setattr(atomic_module.shutil, "copy2", _fail_with(errno.ENOSPC))
    with pytest.raises(SaveError, match=r"cannot keep the previous version as plan\.tplan\.bak"):
        save_plan(NEW, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert not (tmp_path / "plan.tplan.bak").exists()
    assert _leftovers(tmp_path) == []


def test_backup_falls_back_to_a_copy_without_hard_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "plan.tplan"
    save_plan(OLD, path)
    monkeypatch.setattr(atomic_module.os, "link", _fail_with(errno.EPERM))
    save_plan(NEW, path)
    assert load_plan(path).name == "new"
    assert load_plan(tmp_path / "plan.tplan.bak").name == "old"


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="a read-only folder does not stop root; the monkeypatched EACCES case covers it",
)
def test_a_read_only_folder_is_refused_cleanly(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    path = folder / "plan.tplan"
    save_plan(OLD, path)
    before = path.read_bytes()
    folder.chmod(0o555)
    try:
        with pytest.raises(SaveError, match="permission denied"):
            save_plan(NEW, path)
        assert path.read_bytes() == before
        assert _leftovers(folder) == []
    finally:
        folder.chmod(0o755)


def test_a_missing_folder_and_a_folder_as_target_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SaveError, match="the folder does not exist"):
        save_plan(NEW, tmp_path / "missing" / "plan.tplan")
    folder = tmp_path / "plan.tplan"
    folder.mkdir()
    with pytest.raises(SaveError, match="it is a folder"):
        save_plan(NEW, folder)
    assert folder.is_dir() and list(folder.iterdir()) == []


def test_a_plan_that_would_not_load_back_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "plan.tplan"
    save_plan(OLD, path)
    before = path.read_bytes()
    broken = OLD.model_copy(update={"name": "x" * 1000})  # model_copy skips validation
    with pytest.raises(SaveError) as caught:
        save_plan(broken, path)
    assert "the plan is not valid" in str(caught.value) and "name" in str(caught.value)
    assert path.read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_save_error_is_one_line_naming_the_path_and_reason(tmp_path: Path) -> None:
    error = SaveError(tmp_path / "a.tplan", "the disk is full")
    assert str(error) == f"cannot save {tmp_path / 'a.tplan'}: the disk is full"
    assert isinstance(error, Exception) and error.reason == "the disk is full"
