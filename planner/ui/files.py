"""Files for the window: new, open, recent, save, save as, revert, the prompt before losing
unsaved changes, autosave and the recovery prompt after a crash.

Two windows on one file: each open plan file is locked (``file_lock``); a second window that
opens it is told it is open in another window and may open it read-only or bring that window
to the front. Before every save the file on disk is compared with what this window read or
wrote (size, time, hash): when another program changed it, the user chooses to overwrite it,
save under another name, or reload it.

Autosave waits for a quiet moment (``AUTOSAVE_DELAY_MS`` after the last edit) but never longer
than ``AUTOSAVE_CEILING_MS`` after the first unsaved edit, however busy the user is; a drag's
live preview never starts or restarts it.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from planner.domain.errors import PlanError
from planner.storage.file_state import FileState, file_state
from planner.ui.document import edits
from planner.ui.document.plan_document import PlanDocument
from planner.ui.file_lock import PlanLock, SessionLock, bring_forward, plan_key, session_alive

FILE_FILTER = "Margin plans (*.tplan)"
SUFFIX = ".tplan"
MAX_RECENT = 10
RECENT_KEY = "files/recent"
#: quiet time after an edit before the plan is autosaved
AUTOSAVE_DELAY_MS = 2000
#: the longest an unsaved edit waits for its autosave, however busy the user is
AUTOSAVE_CEILING_MS = 10000
#: answers of the two-windows prompts
OPEN_READ_ONLY, BRING_FORWARD, CANCEL = "read-only", "bring forward", "cancel"
OVERWRITE, SAVE_AS, RELOAD = "overwrite", "save as", "reload"

Button = QMessageBox.StandardButton


class FileController(QObject):
    recent_changed = Signal()

    def __init__(
        self,
        document: PlanDocument,
        window: QWidget,
        settings: QSettings,
        autosave: Any = None,
    ) -> None:
        super().__init__(window)
        self._document = document
        self._window = window
        self._settings = settings
        self._autosave = autosave
        self.session = uuid.uuid4().hex
        #: opened read-only because another window holds the file: Save means Save As
        self.read_only = False
        self._autosave_timer = QTimer(self)
        self._autosave_timer.setSingleShot(True)
        self._autosave_timer.setInterval(AUTOSAVE_DELAY_MS)
        self._autosave_timer.timeout.connect(self._on_autosave_timer_timeout)
        self._autosave_ceiling = QTimer(self)
        self._autosave_ceiling.setSingleShot(True)
        self._autosave_ceiling.setInterval(AUTOSAVE_CEILING_MS)
        self._autosave_ceiling.timeout.connect(self._on_autosave_timer_timeout)
        # locks live beside the autosave folder; without an autosave store, no locks
        directory = getattr(autosave, "directory", None)
        self.lock_directory: Path | None = (
            Path(directory).parent / "locks" if directory is not None else None
        )
        self._lock: PlanLock | None = None
        self._session_lock = (
            SessionLock(self.lock_directory, self.session) if self.lock_directory else None
        )
        #: the file as this window last read or wrote it
        self._disk_state: FileState | None = None
        document.changed.connect(self._on_document_changed)
        document.modified_changed.connect(self._on_document_modified_changed)

    # --- commands --------------------------------------------------------------------------

    def new(self) -> None:
        if self.maybe_save():
            self._release_lock()
            self.read_only = False
            self._disk_state = None
            self._document.reset(edits.new_plan())

    def open_dialog(self) -> bool:
        if not self.maybe_save():
            return False
        start = str(self._document.path.parent) if self._document.path else ""
        path, _ = QFileDialog.getOpenFileName(self._window, "Open plan", start, FILE_FILTER)
        return bool(path) and self.open_path(path, ask=False)

    def open_path(self, path: str | Path, *, ask: bool = True) -> bool:
        """Open ``path``; a bad file shows a dialog and leaves the current plan untouched."""
        if ask and not self.maybe_save():
            return False
        mode, lock = self._lock_for(Path(path))
        if mode == CANCEL:
            return False
        read_only = mode == OPEN_READ_ONLY
        try:
            self._document.open(path)
        except PlanError as error:
            if lock is not None and lock is not self._lock:
                lock.release()
            QMessageBox.critical(
                self._window, "Cannot open the plan", f"The plan was not opened.\n\n{error}"
            )
            return False
        self._hold(lock)
        self.read_only = read_only
        self._disk_state = file_state(path)
        self._document.path_changed.emit()  # the title says whether it is read-only
        self._add_recent(Path(path))
        return True

    def save(self) -> bool:
        if self._document.path is None or self.read_only:
            return self.save_as()
        return self._save_to(self._document.path)

    def save_as(self) -> bool:
        start = str(self._document.path or Path.home() / f"{self._suggested_name()}{SUFFIX}")
        path, _ = QFileDialog.getSaveFileName(self._window, "Save plan as", start, FILE_FILTER)
        if not path:
            return False
        target = Path(path)
        if target.suffix != SUFFIX:
            target = target.with_name(target.name + SUFFIX)
        if self._document.plan.name.strip() in ("", edits.UNTITLED):
            # an untitled plan takes the file's name (window title, PDF)
            stem = target.stem
            self._document.edit(lambda plan: edits.set_plan_field(plan, "name", stem), "Name plan")
        return self._save_to(target)

    def revert(self) -> None:
        if self._document.path is None or not self._document.is_modified:
            return
        answer = QMessageBox.question(
            self._window,
            "Revert",
            f"Throw away the changes since {self._document.display_name} was saved?",
            Button.Discard | Button.Cancel,
            Button.Cancel,
        )
        if answer == Button.Discard:
            self.open_path(self._document.path, ask=False)

    def maybe_save(self) -> bool:
        """Ask before unsaved changes are lost: True to go on, False to stay."""
        if not self._document.is_modified:
            return True
        answer = QMessageBox.warning(
            self._window,
            "Unsaved changes",
            f"Save the changes to {self._document.display_name}?",
            Button.Save | Button.Discard | Button.Cancel,
            Button.Save,
        )
        if answer == Button.Save:
            return self.save()
        return answer == Button.Discard

    def _save_to(self, path: Path) -> bool:
        from planner.storage import SaveError

        own = self._document.path is not None and plan_key(path) == plan_key(self._document.path)
        lock = self._lock
        if own and not self.read_only:
            answer = self._check_disk(path)
            if answer == SAVE_AS:
                return self.save_as()
            if answer == RELOAD:
                return self.open_path(path, ask=False)
            if answer == CANCEL:
                return False
        elif self.lock_directory is not None and (lock is None or lock.key != plan_key(path)):
            lock = PlanLock(self.lock_directory, path, self)
            if not lock.acquire():
                QMessageBox.critical(
                    self._window,
                    "Cannot save the plan",
                    f"{path.name} is open in another window{_by(lock.holder_pid)}. Save it "
                    "there, or save this plan under another name.",
                )
                return False
        try:
            self._document.save(path)
        except (SaveError, OSError) as error:
            if lock is not None and lock is not self._lock:
                lock.release()
            QMessageBox.critical(self._window, "Cannot save the plan", str(error))
            return False
        self._hold(lock)
        self.read_only = False
        self._disk_state = file_state(path)
        self._document.path_changed.emit()
        self._add_recent(path)
        if self._autosave is not None:
            self._autosave.clear(self.session)
        return True

    # --- two windows on one file -----------------------------------------------------------

    def _lock_for(self, path: Path) -> tuple[str, PlanLock | None]:
        """How to open ``path``: ("edit", its lock or None without locks), (OPEN_READ_ONLY,
        None) or (CANCEL, None)."""
        if self.lock_directory is None:
            return "edit", None
        if self._lock is not None and self._lock.key == plan_key(path):
            return "edit", self._lock  # this window's own file (revert)
        lock = PlanLock(self.lock_directory, path, self)
        if lock.acquire():
            return "edit", lock
        lock.deleteLater()
        answer = ask_open_elsewhere(self._window, path.name, lock.holder_pid)
        if answer == BRING_FORWARD:
            if not bring_forward(path):
                QMessageBox.information(
                    self._window,
                    "Open plan",
                    f"The window that has {path.name} open did not answer.",
                )
            return CANCEL, None
        return (OPEN_READ_ONLY if answer == OPEN_READ_ONLY else CANCEL), None

    def _hold(self, lock: PlanLock | None) -> None:
        if lock is self._lock:
            return
        self._release_lock()
        self._lock = lock
        if lock is not None:
            lock.raise_requested.connect(self._on_lock_raise_requested)

    def _release_lock(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock.deleteLater()
            self._lock = None

    def _on_lock_raise_requested(self) -> None:
        window = self._window
        if window.isMinimized():
            window.showNormal()
        window.raise_()
        window.activateWindow()

    def _check_disk(self, path: Path) -> str:
        """Before saving over the window's own file: OVERWRITE when the file is still what
        this window read or wrote (or is gone); otherwise what the user answers."""
        if self._disk_state is None:
            return OVERWRITE
        now = file_state(path)
        if now is None or self._disk_state.same_content(now):
            return OVERWRITE
        return ask_changed_on_disk(self._window, path.name)

    def _suggested_name(self) -> str:
        name = "".join(c if c.isalnum() or c in "-_ " else "-" for c in self._document.plan.name)
        return name.strip() or "plan"

    # --- recent files ----------------------------------------------------------------------

    def recent_files(self) -> list[str]:
        value = self._settings.value(RECENT_KEY, [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def _add_recent(self, path: Path) -> None:
        text = str(path.resolve())
        recent = [text, *[p for p in self.recent_files() if p != text]][:MAX_RECENT]
        self._settings.setValue(RECENT_KEY, recent)
        self.recent_changed.emit()

    def clear_recent(self) -> None:
        self._settings.setValue(RECENT_KEY, [])
        self.recent_changed.emit()

    # --- autosave and recovery -------------------------------------------------------------

    def _on_document_changed(self) -> None:
        # whether the plan is modified is decided when a timer fires; a live preview is no
        # edit: it neither starts nor postpones the autosave
        if self._autosave is None or self._document.is_previewing:
            return
        self._autosave_timer.start()  # debounce: restarts on every edit
        if not self._autosave_ceiling.isActive():
            self._autosave_ceiling.start()  # ceiling: counts from the first unsaved edit

    def _on_document_modified_changed(self, modified: bool) -> None:
        if not modified and self._autosave is not None:
            self._stop_autosave_timers()
            self._autosave.clear(self.session)

    def _on_autosave_timer_timeout(self) -> None:
        self.autosave_now()

    def _stop_autosave_timers(self) -> None:
        self._autosave_timer.stop()
        self._autosave_ceiling.stop()

    def set_autosave_intervals(self, delay_ms: int, ceiling_ms: int) -> None:
        self._autosave_timer.setInterval(delay_ms)
        self._autosave_ceiling.setInterval(ceiling_ms)

    def autosave_now(self) -> Path | None:
        self._stop_autosave_timers()
        if self._autosave is None or not self._document.is_modified:
            return None
        from planner.storage import SaveError

        try:
            return self._autosave.save(
                self._document.committed_plan, self._document.path, self.session, force=True
            )
        except (SaveError, OSError):
            return None  # autosave is best effort; saving proper reports its own errors

    def check_recovery(self) -> bool:
        """Offer to restore the newest plan a crashed session left; True if restored."""
        if self._autosave is None:
            return False
        entries = [e for e in self._autosave.recoverable() if not self._belongs_to_live_window(e)]
        if not entries:
            return False
        entry = max(entries, key=lambda e: e.saved_at)
        name = entry.plan_name or (Path(entry.origin).name if entry.origin else "an unsaved plan")
        answer = QMessageBox.question(
            self._window,
            "Recover unsaved changes",
            f"Margin Planner closed before “{name}” was saved (autosaved "
            f"{_when(entry.saved_at)}).\n\nRecover it? Discard deletes the autosave; "
            "Cancel keeps it for next time.",
            Button.Yes | Button.Discard | Button.Cancel,
            Button.Yes,
        )
        if answer == Button.Discard:
            self._autosave.discard(entry)
            return False
        if answer != Button.Yes:
            return False
        try:
            plan = self._autosave.restore(entry)
        except PlanError as error:
            QMessageBox.critical(self._window, "Cannot recover the plan", str(error))
            return False
        self._document.reset(plan, Path(entry.origin) if entry.origin else None, modified=True)
        self._autosave.discard(entry)
        self._autosave_timer.start()
        self._autosave_ceiling.start()
        return True

    def _belongs_to_live_window(self, entry: Any) -> bool:
        """An autosave of a window that still runs (it holds its session lock) is no crash."""
        if self.lock_directory is None:
            return False
        return session_alive(self.lock_directory, Path(entry.path).name.split(".")[0])

    def shutdown(self) -> None:
        """A clean exit: nothing is left to recover."""
        self._stop_autosave_timers()
        if self._autosave is not None:
            self._autosave.clear(self.session)
        self._release_lock()
        if self._session_lock is not None:
            self._session_lock.release()


def ask_open_elsewhere(parent: QWidget, name: str, pid: int | None) -> str:
    """The plan is open in another window: OPEN_READ_ONLY, BRING_FORWARD or CANCEL."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle("Open plan")
    box.setText(f"{name} is open in another window{_by(pid)}.")
    box.setInformativeText(
        "Two windows editing one file would overwrite each other's changes. Bring that "
        "window forward, or open the plan read-only here (Save then asks for a new name)."
    )
    forward = box.addButton("Bring That Window Forward", QMessageBox.ButtonRole.AcceptRole)
    read_only = box.addButton("Open Read-Only", QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(forward)
    box.exec()
    clicked = box.clickedButton()
    return (
        BRING_FORWARD if clicked is forward else OPEN_READ_ONLY if clicked is read_only else CANCEL
    )


def ask_changed_on_disk(parent: QWidget, name: str) -> str:
    """The file changed since this window read or wrote it: OVERWRITE, SAVE_AS, RELOAD or
    CANCEL."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("The file has changed")
    box.setText(f"{name} was changed on disk by another window or program since it was opened.")
    box.setInformativeText(
        "Overwrite loses those changes; Reload loses the changes made here; Save As keeps both."
    )
    save_as = box.addButton("Save As…", QMessageBox.ButtonRole.AcceptRole)
    overwrite = box.addButton("Overwrite", QMessageBox.ButtonRole.DestructiveRole)
    reload = box.addButton("Reload", QMessageBox.ButtonRole.ResetRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(save_as)
    box.exec()
    clicked = box.clickedButton()
    answers = {id(save_as): SAVE_AS, id(overwrite): OVERWRITE, id(reload): RELOAD}
    return answers.get(id(clicked), CANCEL)


def _by(pid: int | None) -> str:
    return f" (process {pid})" if pid else ""


def _when(saved_at: Any) -> str:
    try:
        return saved_at.strftime("%Y-%m-%d %H:%M")
    except AttributeError:
        return str(saved_at)
