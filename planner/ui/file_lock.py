"""One window per plan file: a ``QLockFile`` per open plan, and a local socket to the window
that holds it.

The lock lives in ``<user data folder>/margin-planner/locks`` (beside the autosave folder),
named by a hash of the plan's absolute path, and records the holder's process id. A second
window (in this process or another) that opens the same file finds the lock taken and is told
so; it can open the plan read-only or ask the holder to come to the front — the holder listens
on a ``QLocalServer`` named after the same hash. A lock left by a process that died (kill -9,
a crash) is stale: ``QLockFile`` sees that its process is gone and takes it over.

Each window also locks its editing session (``session-<id>.lock``), so that the recovery prompt
of a window starting later can tell a live window's autosave from a crashed one's.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import platformdirs
from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

_RAISE = b"raise\n"
_CONNECT_MS = 500


def default_lock_directory() -> Path:
    return platformdirs.user_data_path("margin-planner", appauthor=False) / "locks"


def plan_key(path: str | Path) -> str:
    """A stable name for the plan file at ``path`` (its absolute, resolved path, hashed)."""
    try:
        resolved = Path(path).resolve()
    except (OSError, RuntimeError, ValueError):
        resolved = Path(path).absolute()
    text = os.path.normcase(str(resolved))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _server_name(key: str) -> str:
    user = os.getuid() if hasattr(os, "getuid") else 0
    return f"margin-planner-{user}-{key[:24]}"


def _new_lock(path: Path) -> QLockFile:
    lock = QLockFile(str(path))
    lock.setStaleLockTime(0)  # stale only when its process is gone, never by age
    return lock


def session_alive(directory: Path, session: str) -> bool:
    """Whether the window of ``session`` still runs (it holds its session lock)."""
    path = directory / f"session-{session}.lock"
    if not path.exists():
        return False
    probe = _new_lock(path)
    if probe.tryLock(0):
        probe.unlock()  # nobody held it: that window is gone
        return False
    return probe.error() == QLockFile.LockError.LockFailedError


class SessionLock:
    """Held for as long as a window edits (see ``session_alive``)."""

    def __init__(self, directory: Path, session: str) -> None:
        self._lock: QLockFile | None = None
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError:
            return
        lock = _new_lock(directory / f"session-{session}.lock")
        if lock.tryLock(0):
            self._lock = lock

    def release(self) -> None:
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None


class PlanLock(QObject):
    """The lock on one open plan file, and the socket other windows reach its holder by.

    ``acquire()`` returns True when this window now holds it; otherwise ``holder_pid`` says
    who does (``None`` when the lock folder cannot be used: locking is then skipped)."""

    raise_requested = Signal()

    def __init__(self, directory: Path, plan_path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.directory = directory
        self.plan_path = plan_path
        self.key = plan_key(plan_path)
        self.lock_path = directory / f"{self.key}.lock"
        self.holder_pid: int | None = None
        self._lock: QLockFile | None = None
        self._server: QLocalServer | None = None

    @property
    def held(self) -> bool:
        return self._lock is not None

    def acquire(self) -> bool:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError:
            return True  # no lock folder: work without locks rather than refuse the file
        lock = _new_lock(self.lock_path)
        if not lock.tryLock(0):
            if lock.error() != QLockFile.LockError.LockFailedError:
                return True  # the folder is unusable: same as above
            self.holder_pid = _holder_pid(lock)
            return False
        self._lock = lock
        self._listen()
        return True

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server.deleteLater()
            self._server = None
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None

    def _listen(self) -> None:
        server = QLocalServer(self)
        name = _server_name(self.key)
        QLocalServer.removeServer(name)  # a socket left by a holder that died
        if server.listen(name):
            server.newConnection.connect(self._on_server_new_connection)
            self._server = server

    def _on_server_new_connection(self) -> None:
        server = self._server
        while server is not None and server.hasPendingConnections():
            socket = server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._on_socket_ready_read(s))
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                self._on_socket_ready_read(socket)

    def _on_socket_ready_read(self, socket: QLocalSocket) -> None:
        if _RAISE in bytes(socket.readAll().data()):
            self.raise_requested.emit()


def _holder_pid(lock: QLockFile) -> int | None:
    """The process id in a lock (PySide6 returns (pid, host, app); PyQt-style bindings put
    a success flag first)."""
    info = lock.getLockInfo()
    if not isinstance(info, tuple) or not info:
        return None
    if isinstance(info[0], bool):
        return int(info[1]) if info[0] and len(info) > 1 else None
    pid = info[0]
    return int(pid) if isinstance(pid, int) and pid > 0 else None


def bring_forward(plan_path: Path) -> bool:
    """Ask the window that holds ``plan_path`` to come to the front; True if it was told."""
    socket = QLocalSocket()
    socket.connectToServer(_server_name(plan_key(plan_path)))
    if not socket.waitForConnected(_CONNECT_MS):
        return False
    socket.write(_RAISE)
    socket.flush()
    socket.waitForBytesWritten(_CONNECT_MS)
    socket.disconnectFromServer()
    return True
