"""The symbol field: a searchable picker over the plan's venue catalogue.

Typing filters the catalogue (``btc`` → BTCUSDT, BTCUSDC, …, best first); Enter takes the
highlighted symbol, or the coin's main perpetual when the text names a coin (``eth`` →
ETHUSDT). A symbol the catalogue does not list stays possible: it gets a flat rule the trader
fills in under Markets.
"""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import QComboBox, QCompleter

from planner.domain.plan import Plan
from planner.storage.catalogue import Catalogue, venue_catalogue

SUGGESTIONS = 40


def catalogue_of(plan: Plan) -> Catalogue | None:
    try:
        return venue_catalogue(plan.account.venue)
    except (KeyError, ValueError):
        return None


class SymbolPicker:
    """Wires a completer over the catalogue into an editable combo box."""

    def __init__(self, combo: QComboBox) -> None:
        self.combo = combo
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.model = QStringListModel(combo)
        self.completer = QCompleter(self.model, combo)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setMaxVisibleItems(12)
        combo.setCompleter(self.completer)
        self.catalogue: Catalogue | None = None
        self.plan_symbols: list[str] = []
        edit = combo.lineEdit()
        assert edit is not None
        edit.textEdited.connect(self._on_text_edited)

    def set_plan(self, plan: Plan) -> None:
        self.catalogue = catalogue_of(plan)
        self.plan_symbols = [m.symbol for m in plan.markets]

    def suggestions(self, text: str) -> list[str]:
        needle = text.strip().upper()
        found = [s for s in self.plan_symbols if needle in s.upper()] if needle else []
        if self.catalogue is not None and needle:
            found += [
                e.symbol
                for e in self.catalogue.search(needle, SUGGESTIONS)
                if e.symbol not in found
            ]
        return found[:SUGGESTIONS]

    def resolve(self, text: str) -> str:
        """The symbol ``text`` means: a plan market or catalogue symbol in any case, the main
        perpetual of a coin typed by name, or the text itself (upper case) as a free symbol."""
        typed = text.strip()
        if not typed:
            return ""
        for symbol in self.plan_symbols:
            if symbol.upper() == typed.upper():
                return symbol
        if self.catalogue is not None:
            entry = self.catalogue.get(typed)
            if entry is not None:
                return entry.symbol
            found = self.catalogue.search(typed, 1)
            if found and (found[0].base or "").upper() == typed.upper().replace("/", ""):
                return found[0].symbol
        return typed.upper()

    def _on_text_edited(self, text: str) -> None:
        self.model.setStringList(self.suggestions(text))
        if text.strip():
            self.completer.setCompletionPrefix("")
            self.completer.complete()
