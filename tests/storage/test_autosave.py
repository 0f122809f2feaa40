"""Autosave and recovery: rate-limited atomic autosaves, recovery after a crash, cleanup."""

from __future__ import annotations

import errno
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from planner.domain.errors import PlanError
from planner.storage import AutosaveStore, RecoveryEntry, SaveError, save_plan
from planner.storage import atomic as atomic_module
from planner.storage.autosave import AUTOSAVE_SUFFIX, default_directory
from tests.storage.helpers import make_plan

T0 = 1_700_000_000.0  # 2023-11-14T22:13:20Z
DAY = 86400.0


class FakeClock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "autosave"


def _store(folder: Path, clock: FakeClock, **kwargs: float) -> AutosaveStore:
    return AutosaveStore(folder, clock=clock, **kwargs)


def _set_mtime(path: Path, when: float) -> None:
    os.utime(path, (when, when))


def test_save_writes_a_wrapper_with_origin_time_and_plan(
    folder: Path, clock: FakeClock, tmp_path: Path
) -> None:
    store = _store(folder, clock)
    origin = tmp_path / "plans" / "hybrid.tplan"
    path = store.save(make_plan(name="draft"), origin, "session-1")
    assert path is not None and path.parent == folder and path.name.endswith(AUTOSAVE_SUFFIX)
    wrapper = json.loads(path.read_bytes())
    assert wrapper["format"] == "margin-planner.autosave"
    assert wrapper["session"] == "session-1"
    assert wrapper["origin"] == str(origin)
    assert datetime.fromisoformat(wrapper["saved_at"]) == datetime.fromtimestamp(T0, UTC)
    assert wrapper["plan"]["name"] == "draft"
    assert wrapper["plan"]["version"] == 2  # saving writes the current version
    assert [p.name for p in folder.iterdir()] == [path.name]  # no temp file left


def test_save_is_rate_limited_per_session_unless_forced(folder: Path, clock: FakeClock) -> None:
    store = _store(folder, clock, min_interval=5.0)
    first = store.save(make_plan(name="one"), None, "a")
    assert first is not None
    clock.advance(4.9)
    assert store.save(make_plan(name="two"), None, "a") is None
    assert json.loads(first.read_bytes())["plan"]["name"] == "one"
    # another session is not limited by the first
    assert store.save(make_plan(name="other"), None, "b") is not None
    assert store.save(make_plan(name="forced"), None, "a", force=True) == first
    assert json.loads(first.read_bytes())["plan"]["name"] == "forced"
    clock.advance(4.9)  # the forced write restarted the interval
    assert store.save(make_plan(name="three"), None, "a") is None
    clock.advance(0.2)
    assert store.save(make_plan(name="four"), None, "a") == first
    assert json.loads(first.read_bytes())["plan"]["name"] == "four"


def test_clear_removes_the_session_autosave_and_its_rate_limit(
    folder: Path, clock: FakeClock
) -> None:
    store = _store(folder, clock)
    path = store.save(make_plan(), None, "a")
    assert path is not None and path.exists()
    store.clear("a")
    assert not path.exists()
    assert store.save(make_plan(), None, "a") == path  # not rate-limited after a clear
    store.clear("never-saved")  # harmless


def test_a_restart_finds_the_unsaved_work_and_restores_it(
    folder: Path, clock: FakeClock, tmp_path: Path
) -> None:
    origin = tmp_path / "plan.tplan"
    save_plan(make_plan(name="on disk"), origin)
    _set_mtime(origin, T0 - 60)
    crashed = _store(folder, clock)
    edited = make_plan(name="edited after the save")
    crashed.save(edited, origin, "window-1")

    restarted = _store(folder, FakeClock(T0 + 3600))
    entries = restarted.recoverable()
    assert len(entries) == 1
    entry = entries[0]
    assert isinstance(entry, RecoveryEntry)
    assert entry.origin == origin
    assert entry.saved_at == datetime.fromtimestamp(T0, UTC)
    assert entry.saved_at.utcoffset() is not None
    assert entry.plan_name == "edited after the save"
    assert restarted.restore(entry) == edited
    restarted.discard(entry)
    assert restarted.recoverable() == []
    assert not entry.path.exists()


def test_recoverable_lists_only_work_newer_than_its_file_newest_first(
    folder: Path, clock: FakeClock, tmp_path: Path
) -> None:
    crashed = _store(folder, clock)
    saved_later = tmp_path / "saved-later.tplan"
    save_plan(make_plan(), saved_later)
    saved_before = tmp_path / "saved-before.tplan"
    save_plan(make_plan(), saved_before)
    gone = tmp_path / "deleted.tplan"

    crashed.save(make_plan(name="never saved"), None, "new-doc")
    clock.advance(10)
    crashed.save(make_plan(name="file saved afterwards"), saved_later, "s2")
    clock.advance(10)
    crashed.save(make_plan(name="file older"), saved_before, "s3")
    clock.advance(10)
    crashed.save(make_plan(name="file deleted"), gone, "s4")
    _set_mtime(saved_later, T0 + 15)  # saved after its autosave at T0 + 10
    _set_mtime(saved_before, T0 + 5)  # saved before its autosave at T0 + 20

    names = [e.plan_name for e in _store(folder, clock).recoverable()]
    assert names == ["file deleted", "file older", "never saved"]


def test_a_running_store_does_not_offer_its_own_sessions(folder: Path, clock: FakeClock) -> None:
    store = _store(folder, clock)
    store.save(make_plan(name="mine"), None, "open-window")
    assert store.recoverable() == []
    assert [e.plan_name for e in _store(folder, clock).recoverable()] == ["mine"]


def test_unreadable_autosaves_are_skipped_never_crash(folder: Path, clock: FakeClock) -> None:
    store = _store(folder, clock)
    good = store.save(make_plan(name="good"), None, "good")
    assert good is not None
    wrapper = json.loads(good.read_bytes())
    bad_files = {
        "garbage": b"\x00\xff not json",
        "empty": b"",
        "list": b"[]",
        "wrong-format": json.dumps({**wrapper, "format": "other"}).encode(),
        "future": json.dumps({**wrapper, "version": 99}).encode(),
        "bad-time": json.dumps({**wrapper, "saved_at": "yesterday"}).encode(),
        "bad-origin": json.dumps({**wrapper, "origin": 5}).encode(),
        "bad-plan": json.dumps({**wrapper, "plan": {"format": "margin-planner.plan"}}).encode(),
        "newer-plan": json.dumps({**wrapper, "plan": {**wrapper["plan"], "version": 9}}).encode(),
    }
    for name, data in bad_files.items():
        (folder / f"{name}{AUTOSAVE_SUFFIX}").write_bytes(data)
    (folder / f"a-folder{AUTOSAVE_SUFFIX}").mkdir()
    entries = _store(folder, clock).recoverable()
    assert [e.plan_name for e in entries] == ["good"]
    broken = RecoveryEntry(folder / f"garbage{AUTOSAVE_SUFFIX}", None, datetime.now(UTC), "")
    with pytest.raises(PlanError):
        store.restore(broken)


def test_recoverable_with_no_folder_is_empty(tmp_path: Path, clock: FakeClock) -> None:
    assert _store(tmp_path / "nothing-here", clock).recoverable() == []
    assert _store(tmp_path / "nothing-here", clock).cleanup() == 0


def test_cleanup_removes_old_autosaves_and_counts_them(
    folder: Path, clock: FakeClock, tmp_path: Path
) -> None:
    writer = _store(folder, clock)
    old = writer.save(make_plan(name="old"), None, "old")
    clock.advance(20 * DAY)
    recent = writer.save(make_plan(name="recent"), None, "recent")
    assert old is not None and recent is not None
    unreadable_old = folder / f"junk{AUTOSAVE_SUFFIX}"
    unreadable_old.write_bytes(b"junk")
    _set_mtime(unreadable_old, T0 - DAY)
    unreadable_new = folder / f"junk2{AUTOSAVE_SUFFIX}"
    unreadable_new.write_bytes(b"junk")
    _set_mtime(unreadable_new, T0 + 20 * DAY)
    stale_temp = folder / f".x{AUTOSAVE_SUFFIX}.0badf00d.tmp"
    stale_temp.write_bytes(b"half")
    _set_mtime(stale_temp, T0)
    other = folder / "keep-me.txt"
    other.write_text("not ours")
    _set_mtime(other, T0 - 100 * DAY)

    clock.advance(15 * DAY)  # old: 35 days, recent: 15 days
    assert _store(folder, clock).cleanup(max_age_days=30) == 3
    assert not old.exists() and not unreadable_old.exists() and not stale_temp.exists()
    assert recent.exists() and unreadable_new.exists() and other.exists()
    assert _store(folder, clock).cleanup(max_age_days=10) == 2
    assert not recent.exists() and not unreadable_new.exists()


def test_session_ids_cannot_escape_the_folder(folder: Path, clock: FakeClock) -> None:
    store = _store(folder, clock)
    paths = {
        store.save(make_plan(), None, session)
        for session in ("../../etc/passwd", "a/b", "", ".hidden", "ok-id_1", "ok-id_1 ")
    }
    assert len(paths) == 6
    for path in paths:
        assert path is not None and path.parent == folder
    assert store.path_for("ok-id_1").name == f"ok-id_1{AUTOSAVE_SUFFIX}"


def test_a_failing_autosave_raises_save_error_and_keeps_the_last_one(
    folder: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _store(folder, clock)
    path = store.save(make_plan(name="kept"), None, "a")
    assert path is not None
    clock.advance(60)

    def full_disk(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic_module.os, "fsync", full_disk)
    with pytest.raises(SaveError, match="the disk is full"):
        store.save(make_plan(name="lost"), None, "a")
    monkeypatch.undo()
    assert json.loads(path.read_bytes())["plan"]["name"] == "kept"
    assert sorted(p.name for p in folder.iterdir()) == [path.name]


def test_an_autosave_folder_that_cannot_exist_raises_save_error(
    tmp_path: Path, clock: FakeClock
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(SaveError, match="cannot create the autosave folder"):
        _store(blocker / "autosave", clock).save(make_plan(), None, "a")


def test_the_default_folder_is_in_the_user_data_folder() -> None:
    # tests/conftest.py points XDG_DATA_HOME at a temporary folder
    expected = Path(os.environ["XDG_DATA_HOME"]) / "margin-planner" / "autosave"
    if sys.platform.startswith("linux"):
        assert default_directory() == expected
    assert AutosaveStore().directory == default_directory()
    assert AutosaveStore().min_interval == 5.0
