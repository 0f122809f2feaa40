"""Help ▸ How margin works here, Keyboard shortcuts, Documentation: short pages in a text
browser, written for a trader, with the program's own words for each figure."""

from __future__ import annotations

from html import escape

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

MARGIN_HELP = """
<h3>How margin works here</h3>
<p><b>Cross</b> positions share one pool: the wallet balance plus every cross position's
unrealised PnL. A cross position is liquidated only when the whole pool can no longer carry the
maintenance margin of all cross positions, so a loss on one is absorbed by the others' margin
and gains.</p>
<p><b>Isolated</b> positions each have a bucket: the initial margin (notional ÷ leverage) plus
any added margin. The bucket caps what the position can lose, and it is liquidated when its own
loss eats the bucket down to the maintenance margin — usually closer to the entry than cross.</p>
<p><b>Maintenance margin</b> is the position's notional times the rate of its tier, less the
tier's amount; larger positions fall into higher tiers with higher rates and lower maximum
leverage. The tables come from the venue catalogue (Help ▸ About names each source and date).</p>
<p><b>Liquidation price</b> is where the margin left equals the maintenance margin;
<b>To liq.</b> in the table is the distance from the mark to it, in percent of the mark;
the <b>risk ratio</b> is maintenance margin ÷ margin left (100 % = liquidated).</p>
<p><b>Loss at stop</b> includes the taker fee on entry and exit. <b>Size by risk</b> in the
editor finds the quantity whose loss at the stop is the risk you accept, rounded down to the
market's lot step.</p>
"""

EDITOR_KEYS: tuple[tuple[str, str], ...] = (
    ("Tab / Shift+Tab", "Next / previous field: symbol, side, entry, size, stop, take-profit, …"),
    ("Enter", "Commit the field (in the symbol picker: take the symbol, on to the side)"),
    ("Esc", "Drop a new position that is not yet in the plan"),
    ("Up / Down", "Step a number field by its tick (Shift: ×10)"),
    ("61k, 2.5m", "Thousands and millions in any number field"),
    ("L / S", "Long or short in the side field"),
)


def shortcuts_html(actions: list[QAction], extra: tuple[tuple[str, str], ...] = ()) -> str:
    rows = []
    for action in actions:
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys:
            rows.append((keys, action.text().replace("&", "")))
    rows += list(extra) + list(EDITOR_KEYS)
    body = "".join(
        f"<tr><td><b>{escape(keys)}</b>&nbsp;&nbsp;</td><td>{escape(text)}</td></tr>"
        for keys, text in rows
    )
    return f"<h3>Keyboard shortcuts</h3><table>{body}</table>"


def show_page(parent: QWidget, title: str, html: str) -> QDialog:
    dialog = QDialog(parent)
    dialog.setObjectName("help_dialog")
    dialog.setWindowTitle(title)
    browser = QTextBrowser()
    browser.setOpenExternalLinks(True)
    browser.setHtml(html)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(browser)
    layout.addWidget(buttons)
    dialog.resize(620, 520)
    dialog.show()
    return dialog
