"""The line under a field that says, in words, why what was typed there is refused.

A red frame alone says *that* a value was refused; the rule (``must be at most 125 (the tier's
limit)``) must be readable without hovering, next to the field, for as long as the refused
text is there. Every panel uses this one label so that refusals read alike everywhere.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

#: the red of a refused field's frame, readable on light and dark palettes
REASON_STYLE = "color: rgb(220, 50, 50);"


def reason_label(parent: QWidget | None = None) -> QLabel:
    """A hidden, word-wrapped red label; shown with the reason by the panel."""
    label = QLabel(parent)
    label.setObjectName("field_reason")
    label.setStyleSheet(REASON_STYLE)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setVisible(False)
    return label
