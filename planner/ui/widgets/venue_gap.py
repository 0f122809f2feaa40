"""The venue's liquidation prices beside ours, in one place: a status-bar label.

Shown only when the plan holds a venue liquidation price (imported positions,
``positions[].venue_liquidation_price``): the largest gap in one line, every position's line
— ours, the venue's, the gap and the input that most likely explains it — in the tooltip.
The comparison re-solves positions (``venue_liquidation_gaps``), so it follows changes after a
short pause and not while a drag previews the plan.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget

from planner.marketdata.gap import GAP_THRESHOLD, VenueGap, venue_liquidation_gaps
from planner.ui.document.plan_document import PlanDocument

DELAY_MS = 150


class VenueGapLabel(QLabel):
    def __init__(self, document: PlanDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("venue_gap_label")
        self.setMinimumWidth(40)
        self._document = document
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DELAY_MS)
        self._timer.timeout.connect(self.update_now)
        document.changed.connect(self._on_document_changed)
        self.gaps: list[VenueGap] = []
        self.update_now()

    def _on_document_changed(self) -> None:
        if not self._document.is_previewing:
            self._timer.start()

    def update_now(self) -> None:
        self._timer.stop()
        analysis = self._document.analysis
        self.gaps = venue_liquidation_gaps(analysis.plan, analysis)
        if not self.gaps:
            self.clear()
            self.setToolTip("")
            self.hide()
            return
        largest = max(self.gaps, key=lambda gap: -1.0 if gap.gap is None else abs(gap.gap))
        if largest.gap is None:
            text = f"Venue liquidation: {largest.position_id} — we find none"
        else:
            text = f"Venue liquidation gap: {largest.position_id} {largest.gap:+.2%}"
            if abs(largest.gap) > GAP_THRESHOLD and largest.likely_cause:
                text += f" (most likely {largest.likely_cause})"
        if len(self.gaps) > 1:
            text += f" · {len(self.gaps)} positions"
        self.setText(text)
        self.setToolTip(
            "Our liquidation price beside the venue's:\n"
            + "\n".join(gap.line().strip() for gap in self.gaps)
        )
        self.show()
