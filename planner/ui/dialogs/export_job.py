"""Building a PDF report off the GUI thread, with a progress dialog and Cancel.

The report is built and rendered to bytes on a worker thread (ReportLab, no Qt); the window
stays responsive behind a window-modal QProgressDialog that appears only when the build takes
a moment. Cancel abandons the build: its bytes are never written. Nothing is written by the
worker itself, so a cancelled export leaves no file at all.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from PySide6.QtCore import QEventLoop, QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from planner.domain.plan import Plan

#: the progress dialog shows only for builds that take longer than this (ms)
PROGRESS_DELAY_MS = 300


@dataclass(frozen=True, slots=True)
class BuiltReport:
    data: bytes
    pages: int


class _Relay(QObject):
    """Carries the worker's result to the GUI thread (queued: it lives there)."""

    done = Signal(object)


def build_pdf_bytes(plan: Plan, paper: str, source: str | None) -> BuiltReport:
    """The report of ``plan`` as PDF bytes (what ``margin-planner export`` writes)."""
    from planner.report.content import build_report
    from planner.report.pdf import render_pdf_bytes

    data, pages = render_pdf_bytes(build_report(plan, source=source), paper)
    return BuiltReport(data, pages)


def run_with_progress(
    parent: QWidget, plan: Plan, paper: str, source: str | None
) -> BuiltReport | BaseException | None:
    """Build the report on a worker thread behind a progress dialog; the built report, the
    error the build raised, or None when the trader pressed Cancel."""
    relay = _Relay()
    outcome: list[object] = []
    loop = QEventLoop()

    def finished(result: object) -> None:
        outcome.append(result)
        loop.quit()

    relay.done.connect(finished)

    def work() -> None:
        try:
            result: object = build_pdf_bytes(plan, paper, source)
        except Exception as error:  # handed to the GUI thread, which reports it
            result = error
        relay.done.emit(result)

    progress = QProgressDialog("Building the PDF report…", "Cancel", 0, 0, parent)
    progress.setWindowTitle("Export PDF report")
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(PROGRESS_DELAY_MS)
    progress.setAutoClose(False)
    progress.canceled.connect(loop.quit)
    worker = threading.Thread(target=work, name="pdf-report", daemon=True)
    worker.start()
    if not outcome:
        loop.exec()
    cancelled = progress.wasCanceled() and not outcome
    progress.close()
    progress.deleteLater()
    if cancelled:
        relay.done.disconnect(finished)
        return None
    result = outcome[0]
    assert isinstance(result, (BuiltReport, BaseException))
    return result
