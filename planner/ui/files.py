"""Files for the window: new, open, recent, save, save as, revert, the prompt before losing
unsaved changes, autosave and the recovery prompt after a crash."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from planner.domain.errors import PlanError
from planner.ui.document import edits
from planner.ui.document.plan_document import PlanDocument

FILE_FILTER = "Margin plans (*.tplan)"
SUFFIX = ".tplan"
MAX_RECENT = 10
RECENT_KEY = "files/recent"
#: quiet time after an edit before the plan is autosaved
AUTOSAVE_DELAY_MS = 2000

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
        self._autosave_timer = QTimer(self)
        self._autosave_timer.setSingleShot(True)
        self._autosave_timer.setInterval(AUTOSAVE_DELAY_MS)
        self._autosave_timer.timeout.connect(self._on_autosave_timer_timeout)
        document.changed.connect(self._on_document_changed)
        document.modified_changed.connect(self._on_document_modified_changed)

    # --- commands --------------------------------------------------------------------------

    def new(self) -> None:
        if self.maybe_save():
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
        try:
            self._document.open(path)
        except PlanError as error:
            QMessageBox.critical(
                self._window, "Cannot open the plan", f"The plan was not opened.\n\n{error}"
            )
            return False
        self._add_recent(Path(path))
        return True

    def save(self) -> bool:
        if self._document.path is None:
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

        try:
            self._document.save(path)
        except (SaveError, OSError) as error:
            QMessageBox.critical(self._window, "Cannot save the plan", str(error))
            return False
        self._add_recent(path)
        if self._autosave is not None:
            self._autosave.clear(self.session)
        return True

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
        # the stack's clean state moves after a command's redo: decide when the timer fires
        if self._autosave is not None:
            self._autosave_timer.start()

    def _on_document_modified_changed(self, modified: bool) -> None:
        if not modified and self._autosave is not None:
            self._autosave_timer.stop()
            self._autosave.clear(self.session)

    def _on_autosave_timer_timeout(self) -> None:
        self.autosave_now()

    def autosave_now(self) -> Path | None:
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
        entries = list(self._autosave.recoverable())
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
        return True

    def shutdown(self) -> None:
        """A clean exit: nothing is left to recover."""
        self._autosave_timer.stop()
        if self._autosave is not None:
            self._autosave.clear(self.session)


def _when(saved_at: Any) -> str:
    try:
        return saved_at.strftime("%Y-%m-%d %H:%M")
    except AttributeError:
        return str(saved_at)
