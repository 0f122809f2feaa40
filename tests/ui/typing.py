"""Typing into the window as a trader does, counting every key (shared by the GUI tests)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget


class Keyboard:
    """Sends keys to the focused widget (or a given one) and counts them."""

    def __init__(self, qtbot) -> None:
        self.qtbot = qtbot
        self.count = 0

    def focused(self) -> QWidget:
        """Where a key goes: an open popup (a completer's list), else the focus widget."""
        widget = QApplication.activePopupWidget() or QApplication.focusWidget()
        assert widget is not None, "no widget has the focus"
        return widget

    def type(self, text: str, widget: QWidget | None = None) -> None:
        self.count += len(text)
        self.qtbot.keyClicks(widget or self.focused(), text)

    def key(
        self,
        key: Qt.Key,
        modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
        widget: QWidget | None = None,
    ) -> None:
        self.count += 1
        self.qtbot.keyClick(widget or self.focused(), key, modifiers)

    def tab(self, times: int = 1) -> None:
        for _ in range(times):
            self.key(Qt.Key.Key_Tab)

    def enter(self) -> None:
        self.key(Qt.Key.Key_Return)

    def shortcut(self, action) -> None:
        """An action's shortcut: one keystroke (the offscreen platform has no active window to
        route shortcuts through, so the action is triggered the way its shortcut would)."""
        assert not action.shortcut().isEmpty()
        self.count += 1
        action.trigger()


def show_active(qtbot, window) -> None:
    """The window shown and active, so that focus (and Tab) work as on a desktop."""
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    window.windowHandle().requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)


def add_position(qtbot, window, symbol: str, entry: str, side: str = "long") -> Keyboard:
    """Positions ▸ Add, then the symbol, side and entry typed into the editor."""
    keys = Keyboard(qtbot)
    show_active(qtbot, window)
    keys.shortcut(window.actions.add_position)
    editor = window.editor
    assert editor.symbol_combo.hasFocus()
    keys.type(symbol)
    keys.enter()  # takes the symbol, on to the side
    assert editor.side_combo.hasFocus()
    if side == "short":
        keys.type("s")
    keys.tab()
    assert editor.entry_spin.hasFocus()
    keys.type(entry)
    keys.enter()
    return keys
