"""Tooltips wrapped to about 60 characters a line.

Qt shows a plain-text tooltip as one line, however long (the explanations run to 1,300 px).
One application-wide filter catches every tooltip as it is about to show — a widget's, an item
view cell's (the model's ``ToolTipRole``) or a header section's — and shows it as rich text
broken into lines of ``WIDTH`` characters, so no panel has to wrap its own.
"""

from __future__ import annotations

import textwrap
from html import escape

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QAbstractItemView, QApplication, QHeaderView, QToolTip, QWidget

WIDTH = 60


def wrap_tooltip(text: str, width: int = WIDTH) -> str:
    """``text`` as rich text with lines of at most ``width`` characters (paragraphs kept);
    text that is already rich, or short, is returned as it is."""
    if not text or text.lstrip().startswith("<") or len(text) <= width:
        return text
    paragraphs = [
        "<br>".join(escape(line) for line in textwrap.wrap(paragraph, width)) or "&nbsp;"
        for paragraph in text.split("\n")
    ]
    return "<qt>" + "<br>".join(paragraphs) + "</qt>"


def _item_tooltip(watched: QObject, event: QHelpEvent) -> str | None:
    parent = watched.parent()
    if isinstance(watched, QHeaderView):
        section = watched.logicalIndexAt(event.pos())
        model = watched.model()
        if section < 0 or model is None:
            return ""
        value = model.headerData(section, watched.orientation(), Qt.ItemDataRole.ToolTipRole)
        return str(value or "")
    if isinstance(parent, QAbstractItemView) and watched is parent.viewport():
        index = parent.indexAt(event.pos())
        return str(index.data(Qt.ItemDataRole.ToolTipRole) or "") if index.isValid() else ""
    return None


class TooltipWrapper(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.ToolTip or not isinstance(event, QHelpEvent):
            return False
        text = _item_tooltip(watched, event)
        if text is None:
            if not isinstance(watched, QWidget):
                return False
            text = watched.toolTip()
        wrapped = wrap_tooltip(text)
        if wrapped == text:
            return False  # Qt shows short and rich tooltips as usual
        QToolTip.showText(
            event.globalPos(), wrapped, watched if isinstance(watched, QWidget) else None
        )
        return True


_INSTALLED: list[TooltipWrapper] = []


def install_tooltip_wrapper() -> None:
    """Wrap every tooltip of the application (once per application)."""
    app = QApplication.instance()
    if app is None or any(wrapper.parent() is app for wrapper in _INSTALLED):
        return
    wrapper = TooltipWrapper(app)
    app.installEventFilter(wrapper)
    _INSTALLED.append(wrapper)
