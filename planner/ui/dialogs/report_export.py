"""The PDF report from the window: File ▸ Export PDF… and File ▸ Print Preview….

The report is ``planner.report.pdf`` — the same as ``margin-planner export`` — and the print
preview shows that very PDF: its pages are rendered with pypdfium2 and painted on the printer,
so what the trader previews and prints is exactly what is filed. Paper is A4 or US Letter: the
save dialog offers both as file types, preselecting the one of the user's locale.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLocale, QObject, QRectF, Signal
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from planner.ui.document.plan_document import PlanDocument

PAPER_FILTERS: dict[str, str] = {
    "a4": "PDF report, A4 (*.pdf)",
    "letter": "PDF report, US Letter (*.pdf)",
}
PDF_SUFFIX = ".pdf"
#: how long the status bar shows the export's result
STATUS_TIMEOUT_MS = 10000
#: the print preview renders the report's pages at most at this resolution
PREVIEW_DPI = 300


def locale_paper(locale: QLocale | None = None) -> str:
    """US Letter where the locale measures in US units, A4 elsewhere."""
    system = (locale or QLocale()).measurementSystem()
    return "letter" if system == QLocale.MeasurementSystem.ImperialUSSystem else "a4"


class ReportController(QObject):
    """Signals:
    status_message(str, int): a message for the status bar and its timeout in ms."""

    status_message = Signal(str, int)

    def __init__(self, document: PlanDocument, window: QWidget) -> None:
        super().__init__(window)
        self._document = document
        self._window = window
        self.paper = locale_paper()
        self.last_export: Path | None = None
        #: the PDF the print preview last showed (the same bytes File ▸ Export PDF… writes)
        self.preview_pdf: bytes | None = None

    # --- export ----------------------------------------------------------------------------

    def suggested_path(self) -> Path:
        """Beside the plan file with its name, or the plan's name in the home folder."""
        path = self._document.path
        if path is not None:
            return path.with_suffix(PDF_SUFFIX)
        name = "".join(c if c.isalnum() or c in "-_ " else "-" for c in self._document.plan.name)
        return Path.home() / f"{name.strip() or 'plan'}{PDF_SUFFIX}"

    def export_dialog(self, _checked: bool = False) -> Path | None:
        """Ask where to write the PDF (and on which paper), then write it."""
        filters = ";;".join(PAPER_FILTERS.values())
        path, chosen = QFileDialog.getSaveFileName(
            self._window,
            "Export PDF report",
            str(self.suggested_path()),
            filters,
            PAPER_FILTERS[self.paper],
        )
        if not path:
            return None
        for paper, name in PAPER_FILTERS.items():
            if chosen == name:
                self.paper = paper
        target = Path(path)
        if target.suffix.lower() != PDF_SUFFIX:
            target = target.with_name(target.name + PDF_SUFFIX)
        return target if self.export(target) else None

    def export(self, target: Path, paper: str | None = None) -> bool:
        """Write the report to ``target``; a failure is shown in a dialog naming it."""
        from planner.report.pdf import export_pdf
        from planner.storage import SaveError

        document = self._document
        try:
            pages = export_pdf(
                document.committed_plan,
                target,
                paper or self.paper,
                source=str(document.path) if document.path is not None else None,
            )
        except (SaveError, OSError) as error:
            QMessageBox.critical(
                self._window,
                "Cannot export the PDF",
                f"The report was not written to {target}.\n\n{error}",
            )
            return False
        self.last_export = target
        self.status_message.emit(
            f"Exported {pages} page{'s' if pages != 1 else ''} to {target.name}",
            STATUS_TIMEOUT_MS,
        )
        return True

    # --- print preview ---------------------------------------------------------------------

    def make_printer(self) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        size = QPageSize.PageSizeId.Letter if self.paper == "letter" else QPageSize.PageSizeId.A4
        printer.setPageSize(QPageSize(size))
        printer.setPageOrientation(QPageLayout.Orientation.Portrait)
        printer.setDocName(self._document.plan.name or self._document.display_name)
        return printer

    def make_preview(self, printer: QPrinter | None = None) -> QPrintPreviewDialog:
        printer = printer or self.make_printer()
        dialog = QPrintPreviewDialog(printer, self._window)
        dialog.setWindowTitle(f"Print preview — {self._document.display_name}")
        dialog.paintRequested.connect(self.paint_report)
        # the dialog does not own the printer: keep it alive as long as the dialog
        dialog._printer = printer  # type: ignore[attr-defined]
        return dialog

    def print_preview(self, _checked: bool = False) -> None:
        dialog = self.make_preview()
        dialog.exec()
        dialog.deleteLater()

    def paint_report(self, printer: QPrinter) -> int:
        """Paint the report's own PDF on ``printer`` (the preview's paintRequested), page by
        page; returns its pages. The PDF is kept in ``preview_pdf``."""
        from planner.report.content import build_report
        from planner.report.pdf import render_pdf_bytes

        document = self._document
        report = build_report(
            document.committed_plan,
            source=str(document.path) if document.path is not None else None,
        )
        data, _pages = render_pdf_bytes(report, self.paper)
        self.preview_pdf = data
        return paint_pdf(data, printer)


def paint_pdf(data: bytes, printer: QPrinter) -> int:
    """Each page of the PDF ``data`` rendered (pypdfium2) and painted on ``printer``, fitted
    to its page keeping the aspect ratio; returns the number of pages."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    painter = QPainter()
    if not painter.begin(printer):
        pdf.close()
        return 0
    try:
        dpi = min(printer.resolution(), PREVIEW_DPI)
        for index in range(len(pdf)):
            if index:
                printer.newPage()
            bitmap = pdf[index].render(scale=dpi / 72, rev_byteorder=True)
            fmt = (
                QImage.Format.Format_RGB888
                if bitmap.mode == "RGB"
                else QImage.Format.Format_RGBA8888
            )
            image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride, fmt).copy()
            area = QRectF(painter.viewport())
            scale = min(area.width() / image.width(), area.height() / image.height())
            width, height = image.width() * scale, image.height() * scale
            target = QRectF(area.x() + (area.width() - width) / 2, area.y(), width, height)
            painter.drawImage(target, image)
        return len(pdf)
    finally:
        painter.end()
        pdf.close()
