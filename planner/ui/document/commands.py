"""Undoable edits. Every command only replaces the document's plan (and where the selection
goes); views refresh because the document says so, never because a command pokes a widget.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from planner.domain.plan import Plan

#: how a command puts a plan in place: the document's replace (plan, id to select or None)
ApplyPlan = Callable[[Plan, str | None], None]

#: merge key ("position id|field") → the integer id QUndoStack compares
_MERGE_IDS: dict[str, int] = {}


def merge_id(key: str) -> int:
    """A stable, non-negative id for a merge key (−1, "never merge", is reserved)."""
    return _MERGE_IDS.setdefault(key, len(_MERGE_IDS) + 1)


class ReplacePlanCommand(QUndoCommand):
    """Replace the plan ``before`` by ``after``.

    Commands with the same ``merge_key`` (one field of one position, say) that follow each
    other merge into one step, so typing "125" or spinning a box is one undo; a merge that
    lands back on the original plan makes the step obsolete and the stack drops it.
    """

    def __init__(
        self,
        apply: ApplyPlan,
        before: Plan,
        after: Plan,
        text: str,
        *,
        merge_key: str | None = None,
        select_before: str | None = None,
        select_after: str | None = None,
    ) -> None:
        super().__init__(text)
        self._apply = apply
        self.before = before
        self.after = after
        self.merge_key = merge_key
        self._select_before = select_before
        self._select_after = select_after

    def redo(self) -> None:
        self._apply(self.after, self._select_after)

    def undo(self) -> None:
        self._apply(self.before, self._select_before)

    def id(self) -> int:
        return -1 if self.merge_key is None else merge_id(self.merge_key)

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, ReplacePlanCommand) or other.merge_key != self.merge_key:
            return False
        self.after = other.after
        self._select_after = other._select_after
        self.setObsolete(self.after == self.before)
        return True
