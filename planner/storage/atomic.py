"""Atomic file writes: a save either fully happens or leaves the previous file untouched.

The bytes go to a temporary file in the target's own folder (so that the final rename never
crosses a file system), are flushed to the disk with ``fsync``, and only then replace the target
with ``os.replace``, which is atomic on POSIX and Windows. A crash or a full disk at any moment
leaves either the old file or the new one, never a mix, and never a stray temporary file when
Python is still running to clean up.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import shutil
import stat
import time
from contextlib import suppress
from pathlib import Path

from planner.storage.paths import path_problem, shown_path

#: Temporary files are hidden and end with this, so that a folder listing (and autosave
#: cleanup) can recognise leftovers of a crash.
TEMP_SUFFIX = ".tmp"
BACKUP_SUFFIX = ".bak"
#: Our own temporary files (``.NAME.<8 hex>.tmp`` for the files this program writes) older
#: than this are leftovers of a crash, removed by the next save in their folder.
STALE_TEMP_SECONDS = 300.0
_OWN_TEMP = re.compile(
    r"\..+\.(?:tplan|tplan\.bak|tplan-autosave|pdf)\.[0-9a-f]{8}" + re.escape(TEMP_SUFFIX)
)
_FILE_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)

_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EACCES: "permission denied (the folder or the file is read-only)",
    errno.EPERM: "permission denied (the folder or the file is read-only)",
    errno.EROFS: "the disk is read-only",
    errno.ENOENT: "the folder does not exist",
    errno.ENOTDIR: "the folder does not exist",
    errno.EISDIR: "it is a folder",
    errno.ENAMETOOLONG: "the file name is too long",
    errno.EIO: "the disk reported an input/output error",
}
if hasattr(errno, "EDQUOT"):
    _REASONS[errno.EDQUOT] = "the disk quota is exceeded"


class SaveError(Exception):
    """A file that could not be written. ``str(error)`` is one line naming the path and why;
    the file that was there before is untouched."""

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(f"cannot save {shown_path(path)}: {reason}")
        self.path = Path(path)
        self.reason = reason


def backup_path(path: str | Path) -> Path:
    """Where a save keeps the previous version of ``path``: ``NAME.tplan.bak``."""
    path = Path(path)
    return path.with_name(path.name + BACKUP_SUFFIX)


def atomic_write(path: str | Path, data: bytes, *, backup: bool = False) -> None:
    """Write ``data`` to ``path`` atomically; with ``backup``, keep the file that was there as
    ``NAME.bak``. Raises ``SaveError`` (and leaves everything as it was) when it cannot.

    Refused before anything is written: a path the system cannot hold (empty, NUL, too long),
    a target that exists and is not a regular file (a folder, FIFO, device or socket is never
    replaced), and a read-only target (by its mode bits, so even for root). A replaced file
    keeps its permissions (and, for root, its owner). Stale temporary files of our own naming
    in the folder are removed after a successful save."""
    problem = path_problem(path)
    if problem is not None:
        raise SaveError(path, problem)
    path = Path(path)
    target = _follow_link(path)
    try:
        previous = _stat(target)
    except OSError as error:
        raise SaveError(path, reason(error)) from None
    if previous is not None:
        refusal = _refusal(target, previous)
        if refusal is not None:
            raise SaveError(path, refusal)
    folder = target.parent
    if not folder.is_dir():
        raise SaveError(path, "the folder does not exist")
    temp: Path | None = None
    try:
        temp = _write_temp(folder, target.name, data)
        if previous is not None:
            _keep_mode_and_owner(temp, previous)
            if backup:
                _keep_backup(target)
        os.replace(temp, target)
        temp = None
        _sync_folder(folder)
    except SaveError:
        raise
    except OSError as error:
        raise SaveError(path, reason(error)) from None
    finally:
        if temp is not None:
            with suppress(OSError):
                os.unlink(temp)
    remove_stale_temps(folder)


def check_writable_target(path: str | Path) -> None:
    """Raise ``SaveError`` now for a target ``atomic_write`` would refuse (e.g. before a long
    export starts)."""
    problem = path_problem(path)
    if problem is not None:
        raise SaveError(path, problem)
    target = _follow_link(Path(path))
    try:
        previous = _stat(target)
    except OSError as error:
        raise SaveError(path, reason(error)) from None
    if previous is not None:
        refusal = _refusal(target, previous)
        if refusal is not None:
            raise SaveError(path, refusal)
    if not target.parent.is_dir():
        raise SaveError(path, "the folder does not exist")


def remove_stale_temps(folder: Path, *, older_than: float = STALE_TEMP_SECONDS) -> int:
    """Remove temporary files of our own naming in ``folder`` older than ``older_than``
    seconds (what a crash during a save leaves); return how many. Best effort."""
    limit = time.time() - older_than
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if not _OWN_TEMP.fullmatch(entry.name):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode) and info.st_mtime < limit:
                os.unlink(entry.path)
                removed += 1
        except OSError:
            continue
    return removed


def _refusal(target: Path, info: os.stat_result) -> str | None:
    """Why an existing ``target`` must not be replaced, or ``None``."""
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        return "it is a folder"
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _FILE_KINDS if test(mode)), "a special file")
        return f"it is {kind}, not a regular file; choose another name"
    if not mode & 0o222 or not os.access(target, os.W_OK):
        return "the file is read-only; choose another name or make it writable"
    return None


def _keep_mode_and_owner(temp: Path, previous: os.stat_result) -> None:
    # not worth failing a save over
    with suppress(OSError):
        os.chmod(temp, stat.S_IMODE(previous.st_mode))
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        with suppress(OSError):
            os.chown(temp, previous.st_uid, previous.st_gid)


def reason(error: OSError) -> str:
    """A short plain reason for an ``OSError``."""
    known = _REASONS.get(error.errno) if error.errno is not None else None
    return known or (error.strerror or str(error) or type(error).__name__).strip()


def temp_name(name: str) -> str:
    return f".{name}.{secrets.token_hex(4)}{TEMP_SUFFIX}"


def _write_temp(folder: Path, name: str, data: bytes) -> Path:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temp = folder / temp_name(name)
        try:
            fd = os.open(temp, flags, 0o666)  # the umask decides, as for any new file
        except FileExistsError:
            continue
        break
    else:  # pragma: no cover - 100 collisions of 32 random bits
        raise OSError(errno.EEXIST, "cannot create a temporary file")
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                if written <= 0:  # pragma: no cover - os.write raises instead
                    raise OSError(errno.EIO, "nothing was written")
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        with suppress(OSError):
            os.unlink(temp)
        raise
    return temp


def _keep_backup(target: Path) -> None:
    """Keep ``target`` as ``target.bak``, replacing an older backup atomically.

    A hard link costs nothing and keeps the target in place the whole time; where the file
    system has no hard links, the bytes are copied instead.
    """
    backup = backup_path(target)
    with suppress(FileNotFoundError):
        info = backup.lstat()
        if not stat.S_ISREG(info.st_mode) and not stat.S_ISLNK(info.st_mode):
            raise SaveError(target, f"{backup.name} is not a regular file; move it away first")
    staged = target.parent / temp_name(backup.name)
    try:
        try:
            os.link(target, staged)
        except OSError:
            shutil.copy2(target, staged)
        os.replace(staged, backup)
    except OSError as error:
        with suppress(OSError):
            os.unlink(staged)
        raise SaveError(
            target, f"cannot keep the previous version as {backup.name} ({reason(error)})"
        ) from None


def _follow_link(path: Path) -> Path:
    """Saving through a symbolic link writes the file it points to, as editors do."""
    with suppress(OSError, RuntimeError, ValueError):
        if path.is_symlink():
            return path.resolve()
    return path


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except FileNotFoundError:
        return None


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); where folders cannot be opened, skip it."""
    if os.name != "posix":
        return
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
