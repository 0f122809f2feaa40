"""Help ▸ About: version, licence, where the shipped tier tables come from and how old they are.

The tier tables decide every liquidation price, so the dialog names each table's source and
date, read from the tables themselves rather than written here.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from planner.domain.venues import VENUES
from planner.storage.tier_library import shipped_tables
from planner.ui.icons import app_icon
from planner.version import app_version

LICENCE = "MIT"
DISCLAIMER = (
    "A planning aid, not financial advice: exchanges change their rules and tiers, so check "
    "every figure against your exchange before you trade."
)


@dataclass(frozen=True, slots=True)
class TierSource:
    """The shipped tables of one venue that share a source and a date."""

    venue: str
    symbols: tuple[str, ...]
    source: str
    as_of: str


def tier_sources() -> list[TierSource]:
    groups: dict[tuple[str, str, str], list[str]] = {}
    for shipped in shipped_tables():
        venue = VENUES[shipped.venue].title if shipped.venue in VENUES else shipped.venue
        source = shipped.table.source or "source not recorded"
        as_of = shipped.table.as_of or "date not recorded"
        groups.setdefault((venue, source, as_of), []).append(shipped.symbol)
    return [
        TierSource(venue, tuple(symbols), source, as_of)
        for (venue, source, as_of), symbols in groups.items()
    ]


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Margin Planner")
        self.setMinimumWidth(520)

        icon = QLabel()
        icon.setPixmap(app_icon().pixmap(64, 64))
        self.title_label = QLabel(
            f"<b style='font-size:large'>Margin Planner</b><br>Version {escape(app_version())}"
        )
        header = QHBoxLayout()
        header.addWidget(icon)
        header.addWidget(self.title_label, 1)

        summary = QLabel(
            "Plan crypto futures positions and see what cross and isolated margin do. "
            f"Released under the {LICENCE} licence."
        )
        summary.setWordWrap(True)

        self.sources_view = QTextBrowser()
        self.sources_view.setOpenExternalLinks(False)
        self.sources_view.setHtml(_sources_html(tier_sources()))

        self.disclaimer_label = QLabel(f"<i>{escape(DISCLAIMER)}</i>")
        self.disclaimer_label.setWordWrap(True)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(summary)
        layout.addWidget(QLabel("Tier tables shipped with this version:"))
        layout.addWidget(self.sources_view, 1)
        layout.addWidget(self.disclaimer_label)
        layout.addWidget(buttons)


def _sources_html(sources: list[TierSource]) -> str:
    items = "".join(
        f"<li><b>{escape(s.venue)}</b> {escape(', '.join(s.symbols))} — "
        f"as of {escape(s.as_of)}<br><small>{escape(s.source)}</small></li>"
        for s in sources
    )
    return f"<ul>{items}</ul>"


def show_about(parent: QWidget | None) -> AboutDialog:
    """Open the About dialog, window-modal over ``parent``, without blocking; return it."""
    dialog = AboutDialog(parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
