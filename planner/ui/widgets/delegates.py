"""One item delegate for every editable table: the model says which editor a cell needs.

A model returns an ``EditorSpec`` for ``EDITOR_ROLE``; the delegate builds a combo box, a spin
box or a line edit from it, so ranges, decimals (from the tick size) and choices are decided
where the data lives and every table edits the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QSizePolicy,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from planner.ui.widgets.number_box import NumberBox

__all__ = ["EDITOR_ROLE", "SORT_ROLE", "EditorSpec", "FieldDelegate", "NumberBox"]

#: role under which a model returns the ``EditorSpec`` of a cell
EDITOR_ROLE = Qt.ItemDataRole.UserRole + 10
#: role under which a model returns a value that sorts numerically
SORT_ROLE = Qt.ItemDataRole.UserRole + 11

ModelIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class EditorSpec:
    kind: str  # "number", "choice", "text"
    minimum: float = 0.0
    maximum: float = 1e12
    decimals: int = 2
    step: float = 1.0
    #: shown at the minimum and stored as None (e.g. "none" for no stop)
    special: str = ""
    suffix: str = ""
    #: (value, label) pairs for "choice"
    choices: tuple[tuple[str, str], ...] = field(default=())
    editable_choice: bool = False


def make_spin_box(spec: EditorSpec, parent: QWidget | None = None) -> NumberBox:
    box = NumberBox(parent)
    configure_spin_box(box, spec)
    return box


def configure_spin_box(box: QDoubleSpinBox | NumberBox, spec: EditorSpec) -> None:
    """Apply ``spec`` to ``box``, touching only what differs: every setter invalidates the
    box's size hint and relays out its form, which adds up when views refresh per keystroke."""
    box.blockSignals(True)
    if box.decimals() != spec.decimals:
        box.setDecimals(spec.decimals)
    if box.minimum() != spec.minimum or box.maximum() != spec.maximum:
        box.setRange(spec.minimum, spec.maximum)
    if box.singleStep() != spec.step:
        box.setSingleStep(spec.step)
    if box.specialValueText() != spec.special:
        box.setSpecialValueText(spec.special)
    if box.suffix() != spec.suffix:
        box.setSuffix(spec.suffix)
    if not box.property("configured"):
        box.setProperty("configured", True)
        box.setGroupSeparatorShown(True)
        box.setAccelerated(True)
        # a spin box asks for the width of its maximum (1e12 with 8 decimals is very wide);
        # a modest minimum lets forms and docks shrink while the size hint still says "ample"
        box.setMinimumWidth(box.fontMetrics().horizontalAdvance("0") * 9)
        box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
    box.blockSignals(False)


class FieldDelegate(QStyledItemDelegate):
    """Edits cells by the model's ``EditorSpec``. A number outside its rule is refused in the
    cell: the editor stays open with a red frame and ``refused`` says the rule; nothing is
    written to the model (a cell left with refused text is closed unchanged, with the message)."""

    #: (the typed text, the rule in words)
    refused = Signal(str, str)

    def eventFilter(self, editor: QObject, event: QEvent) -> bool:
        if isinstance(editor, NumberBox):
            kind = event.type()
            if kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
                keys = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
                if event.key() in keys and editor.rule_broken(editor.text()):
                    editor.commit()  # marks the field and emits the rule
                    return True
            elif kind == QEvent.Type.FocusOut and editor.rule_broken(editor.text()):
                editor.commit()
                self.closeEditor.emit(editor, QStyledItemDelegate.EndEditHint.RevertModelCache)
                return True
        return super().eventFilter(editor, event)

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: ModelIndex
    ) -> QWidget:
        spec = index.data(EDITOR_ROLE)
        if not isinstance(spec, EditorSpec):
            return super().createEditor(parent, option, index)
        if spec.kind == "number":
            box = make_spin_box(spec, parent)
            box.setFrame(False)
            box.setStyleSheet('NumberBox[invalid="true"] { border: 2px solid rgb(220, 50, 50); }')
            box.refused.connect(self.refused)
            return box
        if spec.kind == "choice":
            combo = QComboBox(parent)
            combo.setEditable(spec.editable_choice)
            for value, label in spec.choices:
                combo.addItem(label, value)
            return combo
        edit = QLineEdit(parent)
        edit.setFrame(False)
        return edit

    def setEditorData(self, editor: QWidget, index: ModelIndex) -> None:
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, NumberBox):
            editor.blockSignals(True)
            editor.setValue(editor.minimum() if value is None else float(value))
            editor.blockSignals(False)
            editor.selectAll()
        elif isinstance(editor, QDoubleSpinBox):
            editor.setValue(editor.minimum() if value is None else float(value))
            editor.selectAll()
        elif isinstance(editor, QComboBox):
            at = editor.findData(value)
            if at >= 0:
                editor.setCurrentIndex(at)
            elif editor.isEditable():
                editor.setEditText("" if value is None else str(value))
        elif isinstance(editor, QLineEdit):
            editor.setText("" if value is None else str(value))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: ModelIndex) -> None:
        value: Any
        if isinstance(editor, NumberBox):
            if editor.rule_broken(editor.text()):
                return  # refused at the cell; the rule is shown, the model untouched
            editor.interpretText()
            special = editor.specialValueText() and editor.value() == editor.minimum()
            value = None if special else editor.value()
        elif isinstance(editor, QDoubleSpinBox):
            editor.interpretText()
            special = editor.specialValueText() and editor.value() == editor.minimum()
            value = None if special else editor.value()
        elif isinstance(editor, QComboBox):
            text = editor.currentText().strip()
            at = editor.findText(text)
            value = editor.itemData(at) if at >= 0 else text
        elif isinstance(editor, QLineEdit):
            value = editor.text()
        else:
            super().setModelData(editor, model, index)
            return
        if value != index.data(Qt.ItemDataRole.EditRole):
            model.setData(index, value, Qt.ItemDataRole.EditRole)
