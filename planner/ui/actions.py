"""Every action of the window, declared once: text, shortcut, tip and icon."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction, QIcon, QKeySequence, QUndoStack
from PySide6.QtWidgets import QStyle, QWidget

Key = QKeySequence.StandardKey
Pixmap = QStyle.StandardPixmap


@dataclass(frozen=True, slots=True)
class Actions:
    new: QAction
    open: QAction
    save: QAction
    save_as: QAction
    revert: QAction
    quit: QAction
    undo: QAction
    redo: QAction
    add_position: QAction
    duplicate_position: QAction
    delete_positions: QAction
    move_up: QAction
    move_down: QAction
    plan_order: QAction
    export_pdf: QAction
    print_preview: QAction
    size_for_risk: QAction
    least_isolated_margin: QAction
    most_leverage: QAction
    largest_cross_quantity: QAction
    quantity_at_next_tier: QAction
    margin_for_liquidation_price: QAction
    pool_liquidating_move: QAction
    largest_ladder: QAction
    funding_rate_to_liquidate: QAction
    two_asset_map: QAction
    refresh_from_venue: QAction
    refresh_on_open: QAction

    def solvers(self) -> dict[str, QAction]:
        """The Tools menu's solver actions by solver key (``solver_dialog.SOLVERS``)."""
        return {
            "size_for_risk": self.size_for_risk,
            "least_isolated_margin": self.least_isolated_margin,
            "most_leverage": self.most_leverage,
            "largest_cross_quantity": self.largest_cross_quantity,
            "quantity_at_next_tier": self.quantity_at_next_tier,
            "margin_for_liquidation_price": self.margin_for_liquidation_price,
            "pool_liquidating_move": self.pool_liquidating_move,
            "largest_ladder": self.largest_ladder,
            "funding_rate_to_liquidate": self.funding_rate_to_liquidate,
        }


def _action(
    parent: QWidget,
    text: str,
    tip: str,
    shortcut: Key | str | None = None,
    icon: Pixmap | None = None,
) -> QAction:
    action = QAction(text, parent)
    action.setStatusTip(tip)
    action.setToolTip(tip)
    if isinstance(shortcut, Key):
        action.setShortcuts(QKeySequence.keyBindings(shortcut))
    elif shortcut:
        action.setShortcut(QKeySequence(shortcut))
    if icon is not None:
        action.setIcon(parent.style().standardIcon(icon))
    return action


def create_actions(parent: QWidget, undo_stack: QUndoStack) -> Actions:
    undo = undo_stack.createUndoAction(parent, "Undo")
    undo.setShortcuts(QKeySequence.keyBindings(Key.Undo))
    undo.setIcon(parent.style().standardIcon(Pixmap.SP_ArrowBack))
    redo = undo_stack.createRedoAction(parent, "Redo")
    redo.setShortcuts(QKeySequence.keyBindings(Key.Redo))
    redo.setIcon(parent.style().standardIcon(Pixmap.SP_ArrowForward))
    quit_action = _action(parent, "&Quit", "Close the window", Key.Quit)
    quit_action.setMenuRole(QAction.MenuRole.QuitRole)
    actions = Actions(
        new=_action(parent, "&New", "Start a new plan", Key.New, Pixmap.SP_FileIcon),
        open=_action(parent, "&Open…", "Open a plan file", Key.Open, Pixmap.SP_DialogOpenButton),
        save=_action(parent, "&Save", "Save the plan", Key.Save, Pixmap.SP_DialogSaveButton),
        save_as=_action(parent, "Save &As…", "Save the plan to a new file", Key.SaveAs),
        revert=_action(parent, "&Revert", "Throw away unsaved changes and reload the file"),
        quit=quit_action,
        undo=undo,
        redo=redo,
        add_position=_action(
            parent,
            "&Add Position",
            "Add a position after the selected one",
            "Ctrl+Shift+N",
            Pixmap.SP_FileDialogNewFolder,
        ),
        duplicate_position=_action(
            parent,
            "D&uplicate Position",
            "Copy the selected position",
            "Ctrl+D",
            Pixmap.SP_FileDialogDetailedView,
        ),
        delete_positions=_action(
            parent,
            "&Delete Position",
            "Delete the selected positions",
            Key.Delete,
            Pixmap.SP_TrashIcon,
        ),
        move_up=_action(
            parent, "Move &Up", "Move the selected position up", "Ctrl+Shift+Up", Pixmap.SP_ArrowUp
        ),
        move_down=_action(
            parent,
            "Move Do&wn",
            "Move the selected position down",
            "Ctrl+Shift+Down",
            Pixmap.SP_ArrowDown,
        ),
        plan_order=_action(parent, "&Plan Order", "Show the positions in the plan's order"),
        export_pdf=_action(
            parent, "&Export PDF…", "Export the plan as a PDF report", "Ctrl+E", Pixmap.SP_FileIcon
        ),
        print_preview=_action(
            parent, "Print Pre&view…", "Preview the PDF report and print it", Key.Print
        ),
        size_for_risk=_action(
            parent, "&Size for a Risk…", "The size whose loss at the stop is the risk you accept"
        ),
        least_isolated_margin=_action(
            parent,
            "&Least Isolated Margin…",
            "The least margin that keeps an isolated liquidation beyond the stop",
        ),
        most_leverage=_action(
            parent,
            "&Most Leverage…",
            "The highest leverage that keeps an isolated liquidation beyond the stop",
        ),
        largest_cross_quantity=_action(
            parent,
            "Largest &Cross Position…",
            "The largest new cross position the pool's available balance carries",
        ),
        quantity_at_next_tier=_action(
            parent, "Size at the Next &Tier…", "Where adding size crosses into the next tier"
        ),
        margin_for_liquidation_price=_action(
            parent,
            "Margin for a Liquidation &Price…",
            "The added margin that puts an isolated liquidation where you want it",
        ),
        pool_liquidating_move=_action(
            parent,
            "Move That Liquidates the P&ool…",
            "The move of every price together that liquidates the cross pool",
        ),
        largest_ladder=_action(
            parent,
            "Largest Scale-in &Ladder…",
            "The largest ladder of planned adds whose last fill keeps liquidation beyond the stop",
        ),
        funding_rate_to_liquidate=_action(
            parent,
            "&Funding Rate That Liquidates…",
            "The funding rate at which funding alone liquidates a position within the horizon",
        ),
        two_asset_map=_action(
            parent,
            "Two-Asset &Map…",
            "What is liquidated over every pair of moves of two symbols",
            "Ctrl+Shift+M",
        ),
        refresh_from_venue=_action(
            parent,
            "&Refresh from Venue",
            "Fetch marks, funding and tier tables from the plan's venue (asks before the first)",
            "Ctrl+R",
            Pixmap.SP_BrowserReload,
        ),
        refresh_on_open=_action(
            parent,
            "Refresh Marks When &Opening a Plan",
            "Fetch marks and funding from the venue whenever a plan file is opened",
        ),
    )
    # short words beside the toolbar icons: the standard icons alone are ambiguous
    for action, word in (
        (actions.new, "New"),
        (actions.open, "Open"),
        (actions.save, "Save"),
        (actions.undo, "Undo"),
        (actions.redo, "Redo"),
        (actions.add_position, "Add"),
        (actions.duplicate_position, "Duplicate"),
        (actions.delete_positions, "Delete"),
        (actions.move_up, "Up"),
        (actions.move_down, "Down"),
    ):
        action.setIconText(word)
    return actions


def icon(parent: QWidget, pixmap: Pixmap) -> QIcon:
    return parent.style().standardIcon(pixmap)
