"""The document: the one object that owns the current plan, its analysis, its file and its
undo stack. It recomputes the analysis once per change and says so with one signal."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from planner.domain.analysis import Analysis
from planner.domain.errors import PlanError
from planner.domain.plan import Plan
from planner.domain.plan_analysis import analyze
from planner.ui.document import edits
from planner.ui.document.commands import ReplacePlanCommand
from planner.ui.widgets.amounts import DisplayAmounts


class PlanDocument(QObject):
    """Current plan + analysis + file path + undo stack.

    Signals:
        changed: the plan (and so the analysis) changed — one emission per change.
        current_changed(str): the selected position id ("" when none).
        path_changed: the file the document belongs to changed.
        modified_changed(bool): the plan differs (or no longer differs) from its file.
        edit_refused(PlanError): an edit was refused; the plan is untouched.
        preview_cancelled: an undo or redo ended a live preview (the gesture is void).

    "Modified" is a comparison, not a bookkeeping guess: the committed plan differs from the
    plan last read from or written to the file (a recovered plan is modified until saved).
    An undo or redo during a preview first cancels the preview, so a drag released after
    Ctrl+Z starts from the undone plan and never brings the undone edit back.
    """

    changed = Signal()
    current_changed = Signal(str)
    path_changed = Signal()
    modified_changed = Signal(bool)
    edit_refused = Signal(object)
    preview_cancelled = Signal()

    def __init__(self, plan: Plan | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._plan = plan if plan is not None else edits.new_plan()
        self._analysis = analyze(self._plan)
        self._path: Path | None = None
        self._current_id = ""
        self._preview_base: Plan | None = None
        #: the plan as in its file (or as started); None: no file holds it (recovered)
        self._saved_plan: Plan | None = self._plan
        self._modified = False
        self.undo_stack = QUndoStack(self)
        #: the "values in" unit every view formats amounts in
        self.amounts = DisplayAmounts(self)
        self._select_first()

    # --- state -----------------------------------------------------------------------------

    @property
    def plan(self) -> Plan:
        return self._plan

    @property
    def analysis(self) -> Analysis:
        return self._analysis

    @property
    def committed_plan(self) -> Plan:
        """The plan without any live preview: what undo, save and new edits start from."""
        return self._plan if self._preview_base is None else self._preview_base

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def is_modified(self) -> bool:
        return self._modified

    @property
    def saved_plan(self) -> Plan | None:
        """The plan its file holds (as last opened or saved); None when no file holds it."""
        return self._saved_plan

    @property
    def is_previewing(self) -> bool:
        return self._preview_base is not None

    @property
    def display_name(self) -> str:
        if self._path is not None:
            return self._path.name
        return self._plan.name or "Untitled"

    # --- selection -------------------------------------------------------------------------

    @property
    def current_id(self) -> str:
        return self._current_id

    @property
    def current_index(self) -> int | None:
        if not self._current_id:
            return None
        try:
            return self._analysis.index_of(self._current_id)
        except KeyError:
            return None

    @property
    def current_symbol(self) -> str | None:
        """The current position's symbol, else the plan's first market's; None without one."""
        plan = self.plan
        index = self.current_index
        if index is not None:
            return plan.positions[index].symbol
        return plan.markets[0].symbol if plan.markets else None

    def set_current(self, position_id: str) -> None:
        if position_id != self._current_id:
            self._current_id = position_id
            self.current_changed.emit(position_id)

    # --- edits -----------------------------------------------------------------------------

    def apply(
        self,
        plan: Plan,
        text: str,
        *,
        merge_key: str | None = None,
        select: str | None = None,
    ) -> None:
        """Make ``plan`` the current plan as one undoable step named ``text``."""
        before = self.committed_plan
        self._preview_base = None
        if plan == before:
            if self._plan is not before:  # a preview that ended where it started
                self._replace_plan(before, None)
            return
        command = ReplacePlanCommand(
            self._apply_step,
            before,
            plan,
            text,
            merge_key=merge_key,
            select_before=self._current_id or None,
            select_after=select if select is not None else (self._current_id or None),
        )
        self.undo_stack.push(command)

    def edit(
        self,
        make: Callable[[Plan], Plan],
        text: str,
        *,
        merge_key: str | None = None,
        select: str | None = None,
    ) -> PlanError | None:
        """Apply ``make(plan)``; a refusal is emitted as ``edit_refused`` and returned."""
        try:
            plan = make(self.committed_plan)
        except PlanError as error:
            self.edit_refused.emit(error)
            return error
        self.apply(plan, text, merge_key=merge_key, select=select)
        return None

    def preview(self, plan: Plan) -> None:
        """Show ``plan`` live (e.g. while dragging) without an undo step; ``end_preview``
        returns to the real plan, ``apply`` makes the final one a single step."""
        if self._preview_base is None:
            self._preview_base = self._plan
        self._replace_plan(plan, None)

    def end_preview(self) -> None:
        if self._preview_base is not None:
            base, self._preview_base = self._preview_base, None
            self._replace_plan(base, None)

    def _apply_step(self, plan: Plan, select: str | None) -> None:
        """A command's undo or redo: a live preview is cancelled first, so that the step
        lands on the committed plan and the gesture that previewed is void."""
        if self._preview_base is not None:
            self._preview_base = None
            self.preview_cancelled.emit()
        self._replace_plan(plan, select)

    def _replace_plan(self, plan: Plan, select: str | None) -> None:
        """The only place the plan changes: recompute once, emit once."""
        self._plan = plan
        self._analysis = analyze(plan)
        self.changed.emit()
        if select and any(p.id == select for p in plan.positions):
            self.set_current(select)
        elif self.current_index is None:
            self._select_first()
        self._update_modified()

    def _update_modified(self) -> None:
        modified = self._saved_plan is None or self.committed_plan != self._saved_plan
        if modified != self._modified:
            self._modified = modified
            self.modified_changed.emit(modified)

    def _select_first(self) -> None:
        self.set_current(self._plan.positions[0].id if self._plan.positions else "")

    # --- files -----------------------------------------------------------------------------

    def reset(self, plan: Plan, path: Path | None = None, *, modified: bool = False) -> None:
        """Start over on ``plan`` (a new, opened or recovered plan): a fresh undo history."""
        self._preview_base = None
        self.undo_stack.clear()
        self._path = Path(path) if path is not None else None
        self._current_id = ""
        # a recovered plan differs from its file: no saved state to return to
        self._saved_plan = None if modified else plan
        self._replace_plan(plan, None)
        self._select_first()
        self.path_changed.emit()
        if modified:
            self.undo_stack.resetClean()
        self._modified = self._saved_plan is None or self.committed_plan != self._saved_plan
        self.modified_changed.emit(self._modified)

    def open(self, path: str | Path) -> None:
        """Load ``path``; a bad file raises ``PlanError`` and leaves the document untouched."""
        from planner.storage import load_plan

        plan = load_plan(path)
        self.reset(plan, Path(path))

    def save(self, path: str | Path | None = None) -> Path:
        """Write the plan to ``path`` (or its own file); raises ``SaveError`` on failure."""
        from planner.storage import save_plan

        target = Path(path) if path is not None else self._path
        if target is None:
            raise ValueError("the document has no file yet; give a path")
        plan = self.committed_plan
        save_plan(plan, target)
        self._saved_plan = plan
        if target != self._path:
            self._path = target
            self.path_changed.emit()
        self.undo_stack.setClean()
        self._update_modified()
        return target

    def revert(self) -> None:
        if self._path is not None:
            self.open(self._path)
