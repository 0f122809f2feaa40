"""Autosave and crash recovery (pure Python; the window calls it).

Each editing session (one document window) has one autosave file in the autosave folder,
rewritten atomically while the user edits and removed after a successful save or a clean
close. After a crash the files are still there; on the next start ``recoverable()`` lists those
whose plan is newer than the file it came from (or that never had a file), and the window offers
to restore or discard each.

An autosave file is a small JSON wrapper around the plan's data (the same data a ``.tplan``
holds, so older autosaves migrate like plan files)::

    {
      "format": "margin-planner.autosave",
      "version": 1,
      "session": "…",                       # the window's session id
      "origin": "/home/me/plans/hybrid.tplan",  # or null for a plan never saved
      "saved_at": "2024-10-24T09:30:00.250000+00:00",
      "plan": { …plan data… }
    }

How the window uses it::

    store = AutosaveStore()
    for entry in store.recoverable():           # at start-up, before the first autosave
        ... ask; then store.restore(entry) or store.discard(entry)
    store.cleanup()                             # forget autosaves older than 30 days
    store.save(plan, path, session)             # after edits (rate-limited; None = skipped)
    store.save(plan, path, session, force=True) # e.g. when the app goes idle or loses focus
    store.clear(session)                        # after a successful save or a clean close

``save`` raises ``SaveError`` when the folder cannot be written (show it in the status bar; the
document itself is unaffected).
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import platformdirs

from planner.domain.errors import PlanError
from planner.domain.plan import Plan
from planner.storage.atomic import TEMP_SUFFIX, SaveError, atomic_write
from planner.storage.plan_file import (
    json_document,
    parse_json_bytes,
    plan_from_data,
    plan_to_data,
    read_plan_bytes,
)

AUTOSAVE_FORMAT = "margin-planner.autosave"
AUTOSAVE_VERSION = 1
#: The name of every autosave file ends with this.
AUTOSAVE_SUFFIX = ".tplan-autosave"
#: Leftover temporary files of an interrupted autosave are removed after this many seconds.
_STALE_TEMP_SECONDS = 3600.0
_SAFE_SESSION = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}")


def default_directory() -> Path:
    """``<user data folder>/margin-planner/autosave`` (platformdirs)."""
    return platformdirs.user_data_path("margin-planner", appauthor=False) / "autosave"


@dataclass(frozen=True)
class RecoveryEntry:
    """An autosave that holds work newer than its file (or that never had one)."""

    path: Path  # the autosave file
    origin: Path | None  # the plan file it was edited from; None for a plan never saved
    saved_at: datetime  # when it was autosaved (timezone-aware, in the local time zone)
    plan_name: str  # the plan's ``name`` (may be empty)


class AutosaveStore:
    """The autosave folder: one file per session, written atomically and rate-limited."""

    def __init__(
        self,
        directory: Path | None = None,
        min_interval: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.directory = Path(directory) if directory is not None else default_directory()
        self.min_interval = min_interval
        self._clock = clock
        #: session → clock time of its last write (sessions this store wrote, this run)
        self._last_write: dict[str, float] = {}

    # -- writing --------------------------------------------------------------------------

    def path_for(self, session: str) -> Path:
        """The autosave file of ``session`` (a session id that is not a plain file name is
        hashed, so any string is safe)."""
        if _SAFE_SESSION.fullmatch(session):
            stem = session
        else:
            stem = hashlib.sha256(session.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return self.directory / f"{stem}{AUTOSAVE_SUFFIX}"

    def save(
        self, plan: Plan, origin: Path | None, session: str, *, force: bool = False
    ) -> Path | None:
        """Autosave ``plan`` for ``session`` and return the file, or return ``None`` without
        writing when this session was autosaved less than ``min_interval`` seconds ago (unless
        ``force``). Raises ``SaveError`` when the autosave folder cannot be written."""
        now = self._clock()
        last = self._last_write.get(session)
        if not force and last is not None and now - last < self.min_interval:
            return None
        path = self.path_for(session)
        wrapper = {
            "format": AUTOSAVE_FORMAT,
            "version": AUTOSAVE_VERSION,
            "session": session,
            "origin": str(Path(origin).absolute()) if origin is not None else None,
            "saved_at": _timestamp(now).isoformat(),
            "plan": plan_to_data(plan),
        }
        try:
            data = json_document(wrapper).encode("utf-8")
        except (ValueError, TypeError) as error:
            raise SaveError(path, f"the plan is not valid ({error})") from None
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise SaveError(path, f"cannot create the autosave folder ({error.strerror})") from None
        atomic_write(path, data)
        self._last_write[session] = now
        return path

    def clear(self, session: str) -> None:
        """Remove the session's autosave (after a successful save or a clean close)."""
        with suppress(OSError):
            self.path_for(session).unlink(missing_ok=True)
        self._last_write.pop(session, None)

    # -- recovery -------------------------------------------------------------------------

    def recoverable(self) -> list[RecoveryEntry]:
        """Autosaves newer than their origin file (or with no origin file, or whose file is
        gone), newest first. Unreadable autosaves are skipped, and so are the sessions this
        store has written itself (they belong to a window that is open now)."""
        own = {self.path_for(session) for session in self._last_write}
        entries: list[RecoveryEntry] = []
        for path in self._autosave_files():
            if path in own:
                continue
            try:
                entry, _plan = self._read(path)
            except PlanError:
                continue
            if _newer_than_origin(entry):
                entries.append(entry)
        entries.sort(key=lambda e: e.saved_at, reverse=True)
        return entries

    def restore(self, entry: RecoveryEntry) -> Plan:
        """The plan of an autosave (migrated and validated like a plan file); ``PlanError``
        when it can no longer be read."""
        _entry, plan = self._read(entry.path)
        return plan

    def discard(self, entry: RecoveryEntry) -> None:
        """Remove an autosave the user does not want back."""
        with suppress(OSError):
            entry.path.unlink(missing_ok=True)

    def cleanup(self, max_age_days: float = 30) -> int:
        """Remove autosaves older than ``max_age_days`` (by the time they were saved, or by the
        file's time when they are unreadable) and leftovers of interrupted writes; return how
        many files were removed."""
        now = self._clock()
        limit = now - max_age_days * 86400.0
        removed = 0
        for path in self._autosave_files():
            try:
                entry, _plan = self._read(path)
                saved = entry.saved_at.timestamp()
            except PlanError:
                saved = _mtime(path)
            if saved is not None and saved < limit and _remove(path):
                removed += 1
        if self.directory.is_dir():
            for path in self.directory.glob(f".*{AUTOSAVE_SUFFIX}.*{TEMP_SUFFIX}"):
                modified = _mtime(path)
                if modified is not None and modified < now - _STALE_TEMP_SECONDS and _remove(path):
                    removed += 1
        return removed

    # -- inside ---------------------------------------------------------------------------

    def _autosave_files(self) -> list[Path]:
        try:
            return sorted(p for p in self.directory.glob(f"*{AUTOSAVE_SUFFIX}") if p.is_file())
        except OSError:
            return []

    def _read(self, path: Path) -> tuple[RecoveryEntry, Plan]:
        """Read and check an autosave file; every problem is a ``PlanError``."""
        source = str(path)
        wrapper = parse_json_bytes(read_plan_bytes(path), source=source)
        if not isinstance(wrapper, dict) or wrapper.get("format") != AUTOSAVE_FORMAT:
            raise PlanError(f"{source}: not a Margin Planner autosave")
        if wrapper.get("version") != AUTOSAVE_VERSION:
            raise PlanError(f"{source}: autosave version {wrapper.get('version')!r} is unknown")
        origin = wrapper.get("origin")
        saved_at = wrapper.get("saved_at")
        if not (origin is None or isinstance(origin, str)) or not isinstance(saved_at, str):
            raise PlanError(f"{source}: the autosave's origin or time is damaged")
        try:
            when = datetime.fromisoformat(saved_at)
        except ValueError:
            raise PlanError(f"{source}: saved_at = {saved_at[:40]!r} is not a time") from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        plan = plan_from_data(wrapper.get("plan"), source=source)
        entry = RecoveryEntry(
            path=path,
            origin=Path(origin) if origin else None,
            saved_at=when.astimezone(),  # local time for display; compares by instant
            plan_name=plan.name,
        )
        return entry, plan


def _newer_than_origin(entry: RecoveryEntry) -> bool:
    if entry.origin is None:
        return True
    modified = _mtime(entry.origin)
    return modified is None or entry.saved_at.timestamp() > modified


def _timestamp(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except (OSError, ValueError):
        return None


def _remove(path: Path) -> bool:
    try:
        os.unlink(path)
    except OSError:
        return False
    return True
